// "Læs op" in the child channel's simple mode: reads the page's main content aloud with the
// browser's own speech synthesis, in the page's language. Nothing is sent anywhere and nothing
// is stored. Without the API the buttons stay hidden (they are rendered with `hidden`).
(() => {
  const synth = window.speechSynthesis;
  const main = document.getElementById("main-content");
  if (!synth || !window.SpeechSynthesisUtterance || !main) return;
  const buttons = document.querySelectorAll("[data-read-aloud]");
  const labels = new Map();
  const show = (speaking) => {
    for (const button of buttons) {
      button.setAttribute("aria-pressed", String(speaking));
      button.lastChild.textContent = " " + (speaking ? button.dataset.stopLabel : labels.get(button));
    }
  };
  for (const button of buttons) {
    labels.set(button, button.lastChild.textContent.trim());
    button.hidden = false;
    button.addEventListener("click", () => {
      if (synth.speaking) {
        synth.cancel();
        show(false);
        return;
      }
      // innerText leaves out what is hidden, so the buttons are hidden while it is read.
      for (const other of buttons) other.hidden = true;
      const text = main.innerText;
      for (const other of buttons) other.hidden = false;
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = document.documentElement.lang || "da";
      utterance.onend = utterance.onerror = () => show(false);
      show(true);
      synth.speak(utterance);
    });
  }
  window.addEventListener("pagehide", () => synth.cancel());
})();
