// Saves a draft as it is typed: a form with `data-autosave` is POSTed to its own action 800 ms
// after the last change, with the header X-Autosave: 1; the server saves it and answers with a
// short status ("Gemt") shown in the form's [data-save-status] element.
// Progressive enhancement only: every form also works without this script. Nothing is kept in
// the browser (no localStorage, no sessionStorage): the draft lives on the server.
(function () {
  "use strict";
  var DELAY = 800;

  function watch(form) {
    var status = form.querySelector("[data-save-status]");
    var timer = null;
    var busy = false;
    var again = false;
    var saved = body();  // what the page was loaded with is on the server already

    function body() {
      return new URLSearchParams(new FormData(form)).toString();
    }

    function show(text) {
      if (status) { status.textContent = text; }
    }

    function save() {
      var data = body();
      if (data === saved) { return; }
      if (busy) { again = true; return; }
      busy = true;
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Autosave": "1" }
      }).then(function (response) {
        return response.text().then(function (text) {
          if (response.ok) { saved = data; }
          show(text.trim());
        });
      }).catch(function () {
        show(status ? status.getAttribute("data-offline") || "" : "");
      }).then(function () {
        busy = false;
        if (again) { again = false; save(); }
      });
    }

    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(save, DELAY);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave]"), watch);
})();
