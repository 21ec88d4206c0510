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
  // What the box says before the widget's own words can have arrived, in each language:
  // loading, not available (the set-up is wrong), not reachable (a retry may help), retry.
  // The widget reads the last three from its root's data-* attributes.
  var TEXTS = {
    en: ["Loading the registration form…", "This registration form is not available right now.",
      "The registration form could not be reached.", "Try again"],
    de: ["Anmeldeformular wird geladen…", "Dieses Anmeldeformular ist gerade nicht verfügbar.",
      "Das Anmeldeformular war nicht erreichbar.", "Erneut versuchen"],
    fr: ["Chargement du formulaire d’inscription…", "Ce formulaire d’inscription n’est pas disponible pour le moment.",
      "Le formulaire d’inscription est injoignable.", "Réessayer"],
    es: ["Cargando el formulario de registro…", "Este formulario de registro no está disponible ahora.",
      "No se pudo cargar el formulario de registro.", "Reintentar"],
    pl: ["Ładowanie formularza rejestracji…", "Ten formularz rejestracji jest teraz niedostępny.",
      "Nie udało się wczytać formularza rejestracji.", "Spróbuj ponownie"],
    it: ["Caricamento del modulo di registrazione…", "Questo modulo di registrazione non è disponibile al momento.",
      "Impossibile raggiungere il modulo di registrazione.", "Riprova"],
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
    if (TEXTS[primary]) {
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
  host.style.display = "block";
  var shadow = host.attachShadow({ mode: "open" });
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = new URL("widget.css", base).href;
  var root = document.createElement("div");
  root.className = "enlist-root";
  root.setAttribute("lang", lang);
  var texts = TEXTS[lang];
  root.dataset.unavailable = texts[1];
  root.dataset.unreachable = texts[2];
  root.dataset.retry = texts[3];
  var note = document.createElement("p");
  note.className = "enlist-loading";
  note.setAttribute("role", "status");
  note.textContent = texts[0];
  // The space the form will take, held from the start so the page does not jump; it goes with
  // this line when the widget draws.
  note.style.minHeight = "var(--enlist-min-height, 320px)";
  note.style.margin = "0";
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
    note.textContent = texts[1];
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
      note.textContent = texts[1];
    });
})();
