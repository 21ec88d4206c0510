//! The one tag as organisers paste it, on event pages of another origin (hostile, dark and
//! right to left where the page may have styles) in headless Chromium against the real Worker:
//! under the smallest strict Content-Security-Policy the README documents; with the organiser's
//! usual mistakes, each told precisely in the console while the registrant sees a short line
//! (and a retry where one can help); and with the space held and "Loading…" said from the first
//! moment.

use enlist_e2e::webdriver::{Browser, Engine};
use enlist_e2e::{serve_page, serve_page_with, shared_worker, Worker};
use serde_json::{json, Value};
use std::time::Duration;

const WIDGET: &str = ".enlist-widget";

/// Recorded by the page before the tag runs: every `console.error`, and what the widget's box
/// held right after embed.js ran (before any of the widget's files can have arrived).
const RECORDER: &str = r#"<script>
window.__errors = [];
const error = console.error.bind(console);
console.error = (...args) => { window.__errors.push(args.map(String).join(' ')); error(...args); };
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  const root = attach.call(this, init);
  const host = this;
  setTimeout(() => {
    window.__first = { text: root.textContent, height: host.getBoundingClientRect().height };
  }, 0);
  return root;
};
</script>"#;

const HOSTILE: &str = r#"<style>
  html { font-size: 30px; }
  * { font-size: 40px; text-transform: uppercase; letter-spacing: 5px; text-align: right; }
  body { margin: 8px; background: #101114; color: #f1f1f1; }
</style>"#;

fn page(head: &str, tag: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en" dir="rtl"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1"><title>Event</title>{head}</head>
        <body><h1>Event</h1>{tag}</body></html>"#
    )
}

fn campaign(worker: &Worker, id: &str, origins: &[&str]) -> String {
    let created = worker.admin(
        "POST",
        "/admin/campaigns",
        Some(json!({"id": id, "name": id, "allowed_origins": origins,
            "policy": {"fields": {"first_name": "optional"}}})),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["publishable_key"].as_str().unwrap().to_owned()
}

fn allow(worker: &Worker, id: &str, origin: &str) {
    let listed =
        worker.d1(&format!("UPDATE campaigns SET allowed_origins = '[\"{origin}\"]' WHERE id = '{id}' RETURNING id"));
    assert_eq!(listed.len(), 1);
}

fn errors(browser: &Browser) -> Vec<String> {
    let found = browser.script("return window.__errors;");
    found.as_array().unwrap().iter().map(|e| e.as_str().unwrap_or_default().to_owned()).collect()
}

/// Waits until the page's console has an error containing `needle`; returns them all. As long
/// as the suite's other first loads may take (30 s): with a dozen browsers and Workers sharing
/// two cores, a Firefox compiling the widget's wasm was seen to need more than 10.
fn wait_for_error(browser: &Browser, needle: &str) -> Vec<String> {
    for _ in 0..300 {
        let all = errors(browser);
        if all.iter().any(|e| e.contains(needle)) {
            return all;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("no console error with {needle:?}: {:?}", errors(browser));
}

fn shadow_text(browser: &Browser) -> String {
    browser
        .script("const h = document.querySelector('.enlist-widget'); return h ? h.shadowRoot.textContent : '';")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn the_one_tag_works_under_the_smallest_strict_content_security_policy(engine: Engine) {
    let worker = shared_worker();
    let id = format!("strict-{engine:?}").to_lowercase();
    let key = campaign(worker, &id, &[]);
    let base = &worker.base;
    // Exactly the policy the README documents, nothing looser: no 'unsafe-inline', no
    // 'unsafe-eval'.
    let policy =
        format!("default-src 'none'; script-src {base} 'wasm-unsafe-eval'; style-src {base}; connect-src {base}");
    let tag = format!(r#"<script src="{base}/embed.js" data-campaign="{id}" data-key="{key}" async></script>"#);
    let strict = serve_page_with(page("", &tag), &format!("content-security-policy: {policy}\r\n"));
    allow(worker, &id, &strict);
    let browser = Browser::of(engine);
    for width in [320, 1280] {
        browser.viewport(width, 900);
        browser.goto(&strict);
        browser.wait_in_shadow(WIDGET, "#enlist-email", Duration::from_secs(30));
        // Its stylesheet applied (style-src), its words and data fetched (connect-src).
        let styled = browser.script(
            "const root = document.querySelector('.enlist-widget').shadowRoot;
             return getComputedStyle(root.querySelector('.enlist-root')).fontSize;",
        );
        assert_eq!(styled, "16px", "widget.css applies under the policy at {width} px");
    }
    // A signup goes through (the POST is connect-src too).
    let email = browser.wait_in_shadow(WIDGET, "#enlist-email", Duration::from_secs(5));
    email.click();
    browser.keys(&format!("strict.csp.{id}@example.com"));
    let password = browser.wait_in_shadow(WIDGET, "#enlist-password", Duration::from_secs(5));
    password.click();
    enlist_e2e::remember_secret("Content-Security-1843");
    browser.keys("Content-Security-1843");
    browser.keys(enlist_e2e::webdriver::ENTER);
    browser.wait_in_shadow(WIDGET, "form[data-state='created']", Duration::from_secs(30));

    // The same page without connect-src: the test can fail. The widget's wasm is fetched too,
    // so nothing loads: the registrant reads that the form is not available, and the console
    // names the directive to fix.
    let loose = policy.replace(&format!("; connect-src {base}"), "");
    let broken = serve_page_with(
        page(&RECORDER.replace("<script>", "<script nonce=\"n0\">"), &tag),
        &format!("content-security-policy: {}\r\n", loose.replace("script-src", "script-src 'nonce-n0'")),
    );
    allow(worker, &id, &broken);
    browser.goto(&broken);
    let said = wait_for_error(&browser, "connect-src");
    assert!(said.iter().any(|e| e.contains(base.as_str())), "{said:?}");
    browser.wait_in_shadow(WIDGET, "[role=alert]", Duration::from_secs(30));
    assert!(shadow_text(&browser).contains("not available"), "{}", shadow_text(&browser));
}

fn each_organiser_mistake_is_told_in_the_console_and_the_registrant_sees_a_short_line(engine: Engine) {
    let worker = shared_worker();
    let id = format!("mistakes-{engine:?}").to_lowercase();
    let key = campaign(worker, &id, &["https://elsewhere.example"]);
    let base = &worker.base;
    let browser = Browser::of(engine);
    browser.viewport(320, 800);
    let head = format!("{RECORDER}{HOSTILE}");

    // A wrong key (or a campaign that does not exist: the same answer).
    let wrong_key =
        format!(r#"<script src="{base}/embed.js" data-campaign="{id}" data-key="pk_wrong" async></script>"#);
    browser.goto(&serve_page(page(&head, &wrong_key)));
    let said = wait_for_error(&browser, "data-key");
    assert!(said.iter().any(|e| e.contains(&id)), "names the campaign: {said:?}");
    browser.wait_in_shadow(WIDGET, "[role=alert]", Duration::from_secs(30));
    assert!(shadow_text(&browser).contains("not available"), "{}", shadow_text(&browser));
    let buttons =
        browser.script("return document.querySelector('.enlist-widget').shadowRoot.querySelectorAll('button').length;");
    assert_eq!(buttons, json!(0), "no retry: retrying cannot mend a wrong key");
    // What the box held before any of the widget's files arrived: the space and "Loading…".
    let first: Value = browser.script("return window.__first;");
    assert_eq!(first["text"], "Loading the registration form…", "{first}");
    assert!(first["height"].as_f64().unwrap() >= 320.0, "the form's place is held: {first}");
    // Once a line replaced it, the box is that line's height, not the held place.
    let now = browser.script("return document.querySelector('.enlist-widget').getBoundingClientRect().height;");
    assert!(now.as_f64().unwrap() < 320.0, "{now}");

    // The page's origin is not on the campaign's list.
    let listed = format!(r#"<script src="{base}/embed.js" data-campaign="{id}" data-key="{key}" async></script>"#);
    let origin = serve_page(page(&head, &listed));
    browser.goto(&origin);
    let said = wait_for_error(&browser, "allowed_origins");
    assert!(said.iter().any(|e| e.contains(&origin)), "names the origin to add: {said:?}");

    // No data-campaign: embed.js says so at once, and draws no form.
    let missing = format!(r#"<script src="{base}/embed.js" data-key="{key}" async></script>"#);
    browser.goto(&serve_page(page(&head, &missing)));
    let said = wait_for_error(&browser, "data-campaign");
    assert!(said.iter().any(|e| e.contains("lacks data-campaign")), "{said:?}");
    assert!(shadow_text(&browser).contains("not available"), "{}", shadow_text(&browser));

    // The server is down (nothing listens at data-api): the registrant may retry, and every
    // retry asks again.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down = format!(
        r#"<script src="{base}/embed.js" data-campaign="{id}" data-key="{key}" data-api="http://127.0.0.1:{closed}" async></script>"#
    );
    browser.goto(&serve_page(page(&head, &down)));
    let said = wait_for_error(&browser, "no usable answer");
    assert!(said.iter().any(|e| e.contains(&format!("127.0.0.1:{closed}"))), "{said:?}");
    let again = browser.wait_in_shadow(WIDGET, ".enlist-unreachable button", Duration::from_secs(30));
    assert!(shadow_text(&browser).contains("could not be reached"), "{}", shadow_text(&browser));
    again.click();
    for _ in 0..300 {
        if errors(&browser).iter().filter(|e| e.contains("no usable answer")).count() == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(errors(&browser).iter().filter(|e| e.contains("no usable answer")).count(), 2, "the retry asked again");
}

enlist_e2e::in_each_browser!(
    the_one_tag_works_under_the_smallest_strict_content_security_policy,
    each_organiser_mistake_is_told_in_the_console_and_the_registrant_sees_a_short_line
);
