// enlist's one-tag embed:
//   <script src="https://HOST/embed.js" data-campaign="ID" data-key="pk_..." async></script>
// Optional: data-target="#css-selector" (mount there instead of right after the tag),
// data-lang="de" (else the page's lang, else the browser's), data-api="https://HOST" (where the
// Worker answers; default: where this script came from), data-assets="https://HOST/path/" (where
// the widget's data files are; default: beside this script).
// The widget lives in a shadow root, so the page's CSS cannot break it; theme it with the
// --enlist-* custom properties documented in widget.css.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) {
    console.error("enlist: embed.js must be loaded with a <script src> tag");
    return;
  }
  var base = new URL(".", script.src);
  if (!script.dataset.api) script.dataset.api = base.origin;
  // The rule set's data (the common-password list) is fetched from beside this script.
  if (!script.dataset.assets) script.dataset.assets = base.href;
  if (!script.dataset.campaign || !script.dataset.key) {
    console.error("enlist: the embed tag needs data-campaign and data-key");
    return;
  }
  var host;
  if (script.dataset.target) {
    host = document.querySelector(script.dataset.target);
    if (!host) {
      console.error("enlist: no element matches data-target " + script.dataset.target);
      return;
    }
  } else {
    host = document.createElement("div");
    script.parentNode.insertBefore(host, script.nextSibling);
  }
  host.classList.add("enlist-widget");
  var shadow = host.attachShadow({ mode: "open" });
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = new URL("widget.css", base).href;
  var root = document.createElement("div");
  root.className = "enlist-root";
  shadow.appendChild(style);
  shadow.appendChild(root);
  import(new URL("enlist-widget.js", base).href)
    .then(function (widget) {
      return widget.default({ module_or_path: new URL("enlist-widget_bg.wasm", base) }).then(function () {
        widget.mount_into(root, script);
      });
    })
    .catch(function (error) {
      console.error("enlist: the widget could not load", error);
      root.textContent = "The registration form could not load. Please reload the page.";
    });
})();
