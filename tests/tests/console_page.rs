//! The organiser console (`GET /console`) in real browsers at 375 px against the real Worker:
//! sign in with the admin token by keyboard, see the campaigns, open one, page through its
//! registrations, download the CSV, edit the policy and watch the real widget's preview
//! change, close registration, rotate the key, erase an account after confirming; and
//! axe-core finds nothing to fault.

use enlist_e2e::webdriver::{Browser, Engine, ENTER};
use enlist_e2e::{spawn_worker, Worker, ADMIN_TOKEN};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Waits until a script's expression is true in the page.
fn wait_until(browser: &Browser, expression: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while browser.script(&format!("return !!({expression});")) != json!(true) {
        assert!(Instant::now() < deadline, "`{expression}` did not hold within {timeout:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Clicks the button whose text is `label`.
fn click(browser: &Browser, label: &str) {
    wait_until(
        browser,
        &format!(
            "[...document.querySelectorAll('button')].some(b => b.textContent.trim() === {label:?} && !b.disabled)"
        ),
        Duration::from_secs(20),
    );
    browser.script(&format!(
        "[...document.querySelectorAll('button')].find(b => b.textContent.trim() === {label:?}).click();"
    ));
}

fn campaign(worker: &Worker, id: &str) -> Value {
    worker.admin("GET", &format!("/admin/campaigns/{id}"), None).json()
}

fn an_organiser_runs_an_event_from_the_console(engine: Engine) {
    let worker = spawn_worker();
    let key = worker.create_campaign("gala", json!({"fields": {"first_name": "optional"}}));
    for n in 0..30 {
        let answer = worker.sign_up_in(
            "gala",
            &key,
            json!({"email": format!("guest{n:02}@example.com"), "password": "Analytical-1843"}),
        );
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let browser = Browser::of(engine);
    browser.viewport(375, 812);
    browser.goto(&worker.url("/console"));

    // Sign in by keyboard: the token field, typed, Enter.
    browser.wait_for("#token", Duration::from_secs(60)).click();
    browser.keys(ADMIN_TOKEN);
    browser.keys(ENTER);
    wait_until(
        &browser,
        "document.querySelector('#campaigns-heading') && document.querySelectorAll('tbody tr').length === 2",
        Duration::from_secs(20),
    );
    assert_eq!(browser.script("return sessionStorage.getItem('enlist-admin-token') !== null;"), json!(true));
    assert_eq!(browser.script("return document.cookie;"), json!(""), "no cookie");

    // Open the campaign: its registrations, 25 a page.
    click(&browser, "gala");
    wait_until(&browser, "document.querySelectorAll('tbody tr').length === 25", Duration::from_secs(20));
    click(&browser, "Next page");
    wait_until(&browser, "document.querySelectorAll('tbody tr').length === 5", Duration::from_secs(20));
    click(&browser, "Previous page");
    wait_until(&browser, "document.querySelectorAll('tbody tr').length === 25", Duration::from_secs(20));

    // The CSV, as the browser is handed it.
    browser.script(
        "window.__csv = null; const make = URL.createObjectURL;
         URL.createObjectURL = b => { b.text().then(t => window.__csv = t); return make(b); };",
    );
    click(&browser, "Download CSV");
    wait_until(
        &browser,
        "window.__csv && window.__csv.startsWith('id,number,email,alias,created_at,dialect,first_name')",
        Duration::from_secs(20),
    );
    assert_eq!(browser.script("return window.__csv.trim().split('\\n').length;"), json!(31));

    // The policy: an edit shows in the real widget's preview at once; saving stores it.
    wait_until(&browser, "document.querySelector('#preview #enlist-first-name')", Duration::from_secs(30));
    assert_eq!(browser.script("return !!document.querySelector('#preview #enlist-city');"), json!(false));
    browser.script(
        "const area = document.querySelector('#policy');
         const policy = JSON.parse(area.value); policy.fields.city = 'required';
         area.value = JSON.stringify(policy, null, 2);
         area.dispatchEvent(new Event('input', { bubbles: true }));",
    );
    wait_until(&browser, "document.querySelector('#preview #enlist-city')", Duration::from_secs(10));
    click(&browser, "Save policy");
    wait_until(
        &browser,
        "document.querySelector('[role=status]').textContent.includes('policy is saved')",
        Duration::from_secs(10),
    );
    assert_eq!(campaign(&worker, "gala")["policy"]["fields"]["city"], "required");

    // Close registration.
    click(&browser, "Close registration");
    wait_until(
        &browser,
        "[...document.querySelectorAll('button')].some(b => b.textContent.trim() === 'Open registration')",
        Duration::from_secs(10),
    );
    assert_eq!(campaign(&worker, "gala")["open"], false);

    // Rotate the key, confirmed: the new tag is shown.
    let old_tag = browser.script("return document.querySelector('#embed-tag').textContent;");
    assert!(old_tag.as_str().unwrap().contains(&key));
    click(&browser, "Rotate key…");
    click(&browser, "Rotate the key");
    let new_key = {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let current = campaign(&worker, "gala")["publishable_key"].as_str().unwrap().to_owned();
            if current != key {
                break current;
            }
            assert!(Instant::now() < deadline, "the key did not change");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    wait_until(
        &browser,
        &format!("document.querySelector('#embed-tag').textContent.includes({new_key:?})"),
        Duration::from_secs(10),
    );

    // Erase an account, after confirming.
    let first = browser.script("return document.querySelector('tbody tr td').textContent;");
    browser.script("document.querySelector('tbody tr button').click();");
    click(&browser, "Erase for good");
    wait_until(
        &browser,
        "document.querySelector('[role=status]').textContent.includes('erased')",
        Duration::from_secs(10),
    );
    let email = first.as_str().unwrap();
    let left = worker.admin("GET", &format!("/admin/accounts?email={}", email.replace('@', "%40")), None).json();
    assert_eq!(left["accounts"], json!([]), "{email} is gone");

    // Nothing overflows the phone's width.
    let wide = browser.script("return document.documentElement.scrollWidth;");
    assert!(wide.as_u64().unwrap() <= 375, "the page is {wide} px wide at 375 px");

    // The README's picture of the console (`cargo xtask screenshot`), at a desktop width.
    if let (Ok(dir), Engine::Chromium) = (std::env::var("ENLIST_SCREENSHOT_DIR"), engine) {
        browser.viewport(1280, 1400);
        browser.script("window.scrollTo(0, 0);");
        std::thread::sleep(Duration::from_millis(300));
        std::fs::write(std::path::Path::new(&dir).join("console.png"), browser.screenshot_png()).unwrap();
    }

    if engine == Engine::Chromium {
        assert_eq!(browser.axe_violations(), json!([]), "axe-core violations in the console");
    }
}

/// A wrong token is told, and nothing is shown.
fn a_wrong_token_is_refused(engine: Engine) {
    let worker = spawn_worker();
    let browser = Browser::of(engine);
    browser.viewport(1280, 800);
    browser.goto(&worker.url("/console"));
    browser.wait_for("#token", Duration::from_secs(60)).click();
    browser.keys("not-the-token");
    browser.keys(ENTER);
    wait_until(
        &browser,
        "document.querySelector('[role=alert]').textContent.includes('not valid')",
        Duration::from_secs(20),
    );
    assert_eq!(browser.script("return sessionStorage.getItem('enlist-admin-token');"), Value::Null);
}

enlist_e2e::in_each_browser!(an_organiser_runs_an_event_from_the_console, a_wrong_token_is_refused);
