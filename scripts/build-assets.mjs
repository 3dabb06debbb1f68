// Builds static/dist/: compiles scss/inddrag.scss with Dart Sass and vendors htmx 4 from node_modules.
// Runs in about a second; ./run and ./test call it when the sources are newer than the output.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";

const out = "static/dist";
mkdirSync(out, { recursive: true });
execFileSync(
  "node_modules/.bin/sass",
  ["--quiet-deps", "--silence-deprecation=import", "--load-path=node_modules", "--load-path=scss",
   "--style=compressed", "--no-source-map", "scss/inddrag.scss", `${out}/inddrag.css`],
  { stdio: "inherit" },
);
copyFileSync("node_modules/htmx.org/dist/htmx.min.js", `${out}/htmx.min.js`);
console.log("assets built in static/dist/");
