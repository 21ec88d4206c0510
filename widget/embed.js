// enlist's one-tag embed:
//   <script src="https://HOST/embed.js" data-campaign="ID" data-key="pk_..." async></script>
// Optional: data-target="#css-selector" (mount there instead of right after the tag),
// data-lang="de" (else the page's lang, else the browser's), data-api="https://HOST" (where the
// Worker answers; default: where this script came from), data-assets="https://HOST/path/" (where
// the widget's data files are; default: beside this script).
// The widget lives in a shadow root, so the page's CSS cannot break it; theme it with the
// --enlist-* custom properties documented in widget.css. Until the form is drawn, this script
// holds its place (--enlist-min-height, 320px by default) and says it is loading.
(function () {
  "use strict";
  var LOADING = {
    en: "Loading the registration form…",
    de: "Anmeldeformular wird geladen…",
    fr: "Chargement du formulaire d’inscription…",
    es: "Cargando el formulario de registro…",
    pl: "Ładowanie formularza rejestracji…",
    it: "Caricamento del modulo di registrazione…",
  };
  var UNAVAILABLE = {
    en: "This registration form is not available right now.",
    de: "Dieses Anmeldeformular ist gerade nicht verfügbar.",
    fr: "Ce formulaire d’inscription n’est pas disponible pour le moment.",
    es: "Este formulario de registro no está disponible ahora.",
    pl: "Ten formularz rejestracji jest teraz niedostępny.",
    it: "Questo modulo di registrazione non è disponibile al momento.",
  };
  var script = document.currentScript;
  if (!script || !script.src) {
    console.error("enlist: embed.js must be loaded with a <script src=…> tag (not inlined, not as a module).");
    return;
  }
  var data = script.dataset;
  var tags = [data.lang, document.documentElement.lang, navigator.language];
  var lang = "en";
  for (var i = 0; i < tags.length; i++) {
    var primary = (tags[i] || "").toLowerCase().split(/[-_]/)[0];
    if (LOADING[primary]) {
      lang = primary;
      break;
    }
  }
  var base = new URL(".", script.src);
  if (!data.api) data.api = base.origin;
  // The rule set's data (the common-password list) is fetched from beside this script.
  if (!data.assets) data.assets = base.href;

  var host;
  if (data.target) {
    host = document.querySelector(data.target);
    if (!host) {
      console.error(
        "enlist: no element matches data-target=\"" + data.target + "\"; the form is drawn right after the tag instead."
      );
    }
  }
  if (!host) {
    host = document.createElement("div");
    script.parentNode.insertBefore(host, script.nextSibling);
  }
  host.classList.add("enlist-widget");
  // The space the form will take, held from the start so the page does not jump.
  host.style.display = "block";
  host.style.minHeight = "var(--enlist-min-height, 320px)";
  var shadow = host.attachShadow({ mode: "open" });
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = new URL("widget.css", base).href;
  var root = document.createElement("div");
  root.className = "enlist-root";
  root.setAttribute("lang", lang);
  var note = document.createElement("p");
  note.className = "enlist-loading";
  note.setAttribute("role", "status");
  note.textContent = LOADING[lang];
  root.appendChild(note);
  shadow.appendChild(style);
  shadow.appendChild(root);

  var missing = ["campaign", "key"].filter(function (name) {
    return !data[name];
  });
  if (missing.length) {
    console.error(
      "enlist: the embed tag lacks " +
        missing.map(function (m) { return "data-" + m; }).join(" and ") +
        ". Paste the tag the admin API gave for the campaign: " +
        "<script src=\"" + script.src + "\" data-campaign=\"ID\" data-key=\"pk_…\" async></script>"
    );
    note.setAttribute("role", "alert");
    note.textContent = UNAVAILABLE[lang];
    return;
  }
  import(new URL("enlist-widget.js", base).href)
    .then(function (widget) {
      return widget.default({ module_or_path: new URL("enlist-widget_bg.wasm", base) }).then(function () {
        widget.mount_into(root, script);
      });
    })
    .catch(function (error) {
      console.error(
        "enlist: the widget's files could not load from " + base.href +
          " (is the server up? does the page's Content-Security-Policy allow it in script-src and " +
          "connect-src, with 'wasm-unsafe-eval'?)",
        error
      );
      note.setAttribute("role", "alert");
      note.textContent = UNAVAILABLE[lang];
    });
})();
