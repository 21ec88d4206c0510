//! The demo page in headless Chromium against the real Worker: a person signs up with the
//! keyboard alone through the widget the page embeds with its one `<script>` tag.

use enlist_e2e::spawn_worker;
use enlist_e2e::webdriver::{Browser, Engine, CONTROL, ENTER, SHIFT, TAB};
use std::time::Duration;

const WIDGET: &str = ".enlist-widget";

/// Opens the demo page and, with the keyboard alone, types a bad e-mail and leaves the field,
/// until its problem shows. Returns the browser there.
fn demo_page_with_an_email_problem(worker: &enlist_e2e::Worker, engine: Engine) -> Browser {
    let browser = Browser::of(engine);
    browser.goto(&worker.url("/"));
    browser.wait_in_shadow(WIDGET, "#enlist-email", Duration::from_secs(30));
    // Nothing on the page is focusable before the widget: the first Tab is its first field.
    browser.keys(TAB);
    browser.keys("not-an-email");
    browser.keys(TAB);
    let problem =
        browser.wait_in_shadow(WIDGET, "#enlist-email-problem[data-code='email.invalid']", Duration::from_secs(5));
    assert!(problem.text().contains("valid e-mail"), "{}", problem.text());
    browser
}

fn a_keyboard_only_signup_on_the_demo_page_lands_in_d1(engine: Engine) {
    let worker = spawn_worker();
    if let (Ok(dir), Engine::Chromium) = (std::env::var("ENLIST_SCREENSHOT_DIR"), engine) {
        phone_screenshot(&worker, std::path::Path::new(&dir));
    }
    let browser = demo_page_with_an_email_problem(&worker, engine);

    browser.chord(&[SHIFT, TAB]);
    browser.chord(&[CONTROL, "a"]);
    browser.keys("katherine.johnson@example.com");
    browser.keys(TAB);
    enlist_e2e::remember_secret("Orbital-Mechanics-1962");
    browser.keys("Orbital-Mechanics-1962");
    browser.keys(ENTER);

    browser.wait_in_shadow(WIDGET, "form[data-state='created']", Duration::from_secs(30));
    // The keyboard lands on the success heading, and the fields are gone.
    let heading = browser.wait_in_shadow(WIDGET, "#enlist-done", Duration::from_secs(1));
    assert_eq!(heading.text(), "You're registered");
    let (focused, fields_shown) = {
        let found = browser.script(
            "const root = document.querySelector('.enlist-widget').shadowRoot;
             return [root.activeElement && root.activeElement.id,
                     [...root.querySelectorAll('.enlist-field')].some(f => f.getClientRects().length > 0)];",
        );
        (found[0].as_str().unwrap_or_default().to_owned(), found[1].as_bool().unwrap())
    };
    assert_eq!(focused, "enlist-done", "focus moves to what to read next");
    assert!(!fields_shown, "no filled form left that looks editable");
    if let Ok(dir) = std::env::var("ENLIST_SCREENSHOT_DIR") {
        let path = std::path::Path::new(&dir).join("demo-page.png");
        std::fs::write(&path, browser.screenshot_png()).expect("write the screenshot");
    }

    let rows = worker.d1("SELECT email FROM accounts");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["email"], "katherine.johnson@example.com");
}

fn the_one_tag_embeds_the_widget_on_another_origin(engine: Engine) {
    let worker = spawn_worker();
    let created = worker.admin(
        "POST",
        "/admin/campaigns",
        Some(serde_json::json!({"id": "gala", "name": "Gala", "allowed_origins": []})),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let key = created.json()["publishable_key"].as_str().unwrap().to_owned();
    // A page on a second origin with only the tag; its CSS tries to break the form.
    let origin = enlist_e2e::serve_page(format!(
        r#"<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Gala</title>
        <style>input {{ display: none !important; }} label {{ color: red; }}</style></head>
        <body><h1>Gala des partenaires</h1>
        <script src="{}/embed.js" data-campaign="gala" data-key="{key}" async></script></body></html>"#,
        worker.base
    ));
    // The campaign allows that origin (the admin API has no update route: straight to D1).
    let listed =
        worker.d1(&format!("UPDATE campaigns SET allowed_origins = '[\"{origin}\"]' WHERE id = 'gala' RETURNING id"));
    assert_eq!(listed.len(), 1);

    let browser = Browser::of(engine);
    browser.goto(&origin);
    let email = browser.wait_in_shadow(WIDGET, "#enlist-email", Duration::from_secs(30));
    assert_eq!(
        browser.wait_in_shadow(WIDGET, "label[for=enlist-email]", Duration::from_secs(1)).text(),
        "E-mail *",
        "the page's CSS does not reach into the widget"
    );
    assert!(
        browser
            .wait_in_shadow(WIDGET, "label[for=enlist-password]", Duration::from_secs(1))
            .text()
            .starts_with("Mot de passe"),
        "the page's lang"
    );
    email.click();
    browser.keys("ada@example.org");
    browser.keys(TAB);
    // The common-password list is not in the widget's wasm: it comes from beside embed.js, on
    // the Worker's origin, and the widget refuses a common password once it is there.
    browser.keys("1234567890");
    browser.keys(TAB);
    browser.wait_in_shadow(WIDGET, "#enlist-password-problem[data-code='password.too_weak']", Duration::from_secs(10));
    browser.chord(&[SHIFT, TAB]);
    browser.chord(&[CONTROL, "a"]);
    enlist_e2e::remember_secret("Analytical-Engine-1843");
    browser.keys("Analytical-Engine-1843");
    browser.keys(ENTER);
    browser.wait_in_shadow(WIDGET, "form[data-state='created']", Duration::from_secs(30));
    assert_eq!(worker.d1("SELECT campaign_id FROM accounts")[0]["campaign_id"], "gala");
}

#[test]
fn axe_finds_no_accessibility_violations_on_the_demo_page() {
    let worker = spawn_worker();
    // Judge the state a person meets mid-way: a problem shown, and the submit hint.
    let browser = demo_page_with_an_email_problem(&worker, Engine::Chromium);

    assert_eq!(browser.axe_violations(), serde_json::json!([]), "axe-core violations on the demo page");
}

/// The README's phone picture: the demo page at 375 px after a first try with nothing typed.
fn phone_screenshot(worker: &enlist_e2e::Worker, dir: &std::path::Path) {
    let browser = Browser::start();
    browser.viewport(375, 812);
    browser.goto(&worker.url("/"));
    browser.wait_in_shadow(WIDGET, "button[type=submit]", Duration::from_secs(30)).click();
    browser.wait_in_shadow(WIDGET, "#enlist-email-problem[data-code='required']", Duration::from_secs(5));
    browser.script("document.querySelector('.enlist-widget').scrollIntoView({block: 'center'});");
    std::fs::write(dir.join("demo-phone.png"), browser.screenshot_png()).expect("write the phone screenshot");
}

enlist_e2e::in_each_browser!(
    a_keyboard_only_signup_on_the_demo_page_lands_in_d1,
    the_one_tag_embeds_the_widget_on_another_origin
);
