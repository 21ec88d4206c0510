//! The widget on an event page of another origin whose CSS is hostile (huge root and universal
//! font sizes, upper case, letter spacing, no wrapping, right alignment), dark and written
//! right to left, at a phone's 320 px and a desktop's 1280 px, in headless Chromium against
//! the real Worker: the widget fits its box, keeps its own type, keeps typed text readable,
//! and moves nothing on the page.

use enlist_e2e::spawn_worker;
use enlist_e2e::webdriver::{Browser, Engine, CONTROL, ENTER};
use serde_json::{json, Value};
use std::time::Duration;

const WIDGET: &str = ".enlist-widget";

/// What the page and the widget measure, read inside the shadow root.
const MEASURE: &str = r#"
const host = document.querySelector('.enlist-widget');
const root = host.shadowRoot;
const box = host.getBoundingClientRect();
const luminance = (css) => {
  const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map(v => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a, b) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};
const shown = (c) => c.getClientRects().length > 0;
const controls = [...root.querySelectorAll('input:not([tabindex="-1"]), select, button')].filter(shown).map(c => {
  const r = c.getBoundingClientRect();
  return { id: c.id || c.tagName, left: r.left, right: r.right };
});
const label = getComputedStyle(root.querySelector('label[for=enlist-email]'));
const email = root.querySelector('#enlist-email');
const field = getComputedStyle(email);
// The colour the ::placeholder rule resolves to, on a probe inside the same field (Chromium's
// getComputedStyle does not resolve ::placeholder itself).
const probe = document.createElement('span');
probe.style.color = 'var(--enlist-placeholder, var(--auto-placeholder))';
email.parentElement.appendChild(probe);
const placeholder = { color: getComputedStyle(probe).color };
probe.remove();
return {
  scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
  box: { left: box.left, right: box.right }, controls,
  label: { fontSize: label.fontSize, textTransform: label.textTransform,
           letterSpacing: label.letterSpacing, whiteSpace: label.whiteSpace },
  direction: getComputedStyle(root.querySelector('form')).direction,
  textContrast: contrast(field.color, field.backgroundColor),
  placeholderContrast: contrast(placeholder.color, field.backgroundColor),
};
"#;

fn the_widget_fits_and_keeps_its_own_style_on_a_hostile_dark_right_to_left_page(engine: Engine) {
    let worker = spawn_worker();
    let policy = json!({"fields": {"email": "required", "password": "required", "country": "optional",
        "first_name": "optional", "time_zone": "optional"}});
    let created = worker.admin(
        "POST",
        "/admin/campaigns",
        Some(json!({"id": "hostile", "name": "Hostile", "allowed_origins": [], "policy": policy})),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let key = created.json()["publishable_key"].as_str().unwrap().to_owned();
    let origin = enlist_e2e::serve_page(format!(
        r#"<!DOCTYPE html><html lang="en" dir="rtl"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1"><title>Hostile</title>
        <style>
          html {{ font-size: 30px; }}
          * {{ font-size: 40px; text-transform: uppercase; letter-spacing: 5px; white-space: nowrap;
               text-align: right; line-height: 3; }}
          body {{ margin: 8px; background: #101114; color: #f1f1f1; }}
          .enlist-widget {{ --enlist-text: #f1f1f1; --enlist-background: #101114; }}
        </style></head>
        <body><h1>Event</h1>
        <script src="{}/embed.js" data-campaign="hostile" data-key="{key}" async></script></body></html>"#,
        worker.base
    ));
    let listed = worker
        .d1(&format!("UPDATE campaigns SET allowed_origins = '[\"{origin}\"]' WHERE id = 'hostile' RETURNING id"));
    assert_eq!(listed.len(), 1);

    let registered = worker.sign_up_in(
        "hostile",
        &key,
        json!({"email": "already.here@example.com", "password": "Analytical-Engine-1843"}),
    );
    assert_eq!(registered.status, 201, "{}", registered.body);

    let browser = Browser::of(engine);
    for width in [320, 1280] {
        browser.viewport(width, 900);
        browser.goto(&origin);
        browser.wait_in_shadow(WIDGET, "#enlist-country", Duration::from_secs(30));
        let seen: Value = browser.script(MEASURE);
        let at = format!("at {width} px: {seen}");
        let number = |v: &Value| v.as_f64().unwrap();
        assert!(number(&seen["scrollWidth"]) <= number(&seen["innerWidth"]), "the page scrolls sideways {at}");
        for control in seen["controls"].as_array().unwrap() {
            assert!(
                number(&control["left"]) >= number(&seen["box"]["left"]) - 0.5
                    && number(&control["right"]) <= number(&seen["box"]["right"]) + 0.5,
                "{} sticks out of the widget {at}",
                control["id"]
            );
        }
        assert_eq!(seen["label"]["fontSize"], "16px", "the page's font sizes do not reach in {at}");
        assert_eq!(seen["label"]["textTransform"], "none", "{at}");
        assert_eq!(seen["label"]["letterSpacing"], "normal", "{at}");
        assert_eq!(seen["label"]["whiteSpace"], "normal", "{at}");
        assert_eq!(seen["direction"], "rtl", "a right-to-left page gets a right-to-left form {at}");
        assert!(number(&seen["textContrast"]) >= 4.5, "typed text is readable on a dark page {at}");
        assert!(number(&seen["placeholderContrast"]) >= 4.5, "placeholders are readable {at}");

        // Before anyone typed: nothing said. A first try counts once what needs attention and
        // takes the keyboard to the first field.
        let in_shadow = |script: &str| {
            browser.script(&format!("const root = document.querySelector('.enlist-widget').shadowRoot; {script}"))
        };
        assert_eq!(in_shadow("return root.querySelector('#enlist-status').textContent;"), "", "{at}");
        browser.wait_in_shadow(WIDGET, "button[type=submit]", Duration::from_secs(5)).click();
        let status = || in_shadow("return root.querySelector('#enlist-status').textContent;");
        for _ in 0..50 {
            if status() != "" {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(status(), "2 fields still need attention.", "{at}");
        assert_eq!(in_shadow("return root.activeElement.id;"), "enlist-email", "{at}");
        // The long lists: searchable, localised from the browser, no legacy zones.
        let legacy = in_shadow(
            "return ['US/Pacific', 'Zulu', 'W-SU'].filter(z => root.querySelector(`#enlist-time-zone option[value='${z}']`));",
        );
        assert_eq!(legacy, json!([]), "{at}");
        browser.wait_in_shadow(WIDGET, "[data-field=country] .enlist-filter", Duration::from_secs(1)).click();
        browser.keys("portug");
        let shown = in_shadow(
            "return [...root.querySelectorAll('#enlist-country option')].filter(o => !o.hidden && o.value).map(o => o.value);",
        );
        assert_eq!(shown, json!(["PT"]), "{at}");
        // The password can be shown, and hidden again.
        let toggle = browser.wait_in_shadow(WIDGET, ".enlist-reveal", Duration::from_secs(1));
        toggle.click();
        assert_eq!(in_shadow("return root.querySelector('#enlist-password').type;"), "text", "{at}");
        toggle.click();
        assert_eq!(in_shadow("return root.querySelector('#enlist-password').type;"), "password", "{at}");

        // Someone already registered tries again: told what it means and what to do, with the
        // keyboard on the address to change.
        browser.wait_in_shadow(WIDGET, "#enlist-email", Duration::from_secs(5)).click();
        browser.keys("already.here@example.com");
        browser.wait_in_shadow(WIDGET, "#enlist-password", Duration::from_secs(5)).click();
        browser.keys("Analytical-Engine-1843");
        browser.keys(ENTER);
        let problem =
            browser.wait_in_shadow(WIDGET, "#enlist-email-problem[data-code='email.taken']", Duration::from_secs(20));
        assert_eq!(problem.text(), "This e-mail address is already registered for this event.", "{at}");
        let status = browser.wait_in_shadow(WIDGET, "#enlist-status", Duration::from_secs(1)).text();
        assert!(status.contains("already on its list") && status.contains("someone else"), "{status} {at}");
        let focused = browser.script("return document.querySelector('.enlist-widget').shadowRoot.activeElement.id;");
        assert_eq!(focused, "enlist-email", "{at}");
        let buttons = browser.script(
            "return [...document.querySelector('.enlist-widget').shadowRoot.querySelectorAll('button')]
               .filter(b => b.getClientRects().length > 0 && !b.classList.contains('enlist-reveal')).length;",
        );
        assert_eq!(buttons, 1, "one button {at}");

        // Another address: registered, the keyboard on the heading, no form left to edit.
        browser.wait_in_shadow(WIDGET, "#enlist-email", Duration::from_secs(5)).click();
        browser.chord(&[CONTROL, "a"]);
        browser.keys(&format!("new.{width}.{engine:?}@example.com").to_lowercase());
        browser.keys(ENTER);
        browser.wait_in_shadow(WIDGET, "form[data-state='created']", Duration::from_secs(30));
        assert_eq!(in_shadow("return root.activeElement.id;"), "enlist-done", "{at}");
        let fields = in_shadow(
            "return [...root.querySelectorAll('.enlist-field')].filter(f => f.getClientRects().length).length;",
        );
        assert_eq!(fields, 0, "{at}");
    }
}

enlist_e2e::in_each_browser!(the_widget_fits_and_keeps_its_own_style_on_a_hostile_dark_right_to_left_page);
