//! The demo page in headless Chromium against the real Worker: a person types a signup into
//! the widget and it lands in D1.

use enlist_e2e::spawn_worker;
use enlist_e2e::webdriver::{Browser, ENTER, TAB};
use std::time::Duration;

#[test]
fn a_signup_typed_into_the_demo_page_lands_in_d1() {
    let worker = spawn_worker();
    let browser = Browser::start();
    browser.goto(&worker.url("/"));

    let email = browser.wait_for("#enlist-email", Duration::from_secs(30));
    email.click();
    browser.keys("not-an-email");
    browser.keys(TAB);
    let problem = browser.wait_for("#enlist-email-problem[data-code='email.invalid']", Duration::from_secs(5));
    assert!(problem.text().contains("valid e-mail"), "{}", problem.text());

    browser.script("document.querySelector('#enlist-email').focus(); document.querySelector('#enlist-email').select()");
    browser.keys("katherine.johnson@example.com");
    browser.keys(TAB);
    browser.keys("Orbital-Mechanics-1962");
    browser.keys(ENTER);

    let form = browser.wait_for("form[data-state='created']", Duration::from_secs(30));
    assert!(browser.wait_for(".enlist-status", Duration::from_secs(1)).text().contains("registered"));
    assert_eq!(form.attribute("data-state").as_deref(), Some("created"));
    if let Ok(dir) = std::env::var("ENLIST_SCREENSHOT_DIR") {
        let path = std::path::Path::new(&dir).join("demo-page.png");
        std::fs::write(&path, browser.screenshot_png()).expect("write the screenshot");
    }

    let rows = worker.d1("SELECT email FROM accounts");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["email"], "katherine.johnson@example.com");
}
