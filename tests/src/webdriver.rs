//! Just enough W3C WebDriver to drive the demo page in headless Chromium via ChromeDriver.

use serde_json::{json, Value};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const SHADOW_KEY: &str = "shadow-6066-11e4-a52e-4f735466cecf";
/// The WebDriver codes for Shift and Control (held in a [`Browser::chord`]).
pub const SHIFT: &str = "\u{E008}";
pub const CONTROL: &str = "\u{E009}";
/// The WebDriver code for the Enter key.
pub const ENTER: &str = "\u{E007}";
/// The WebDriver code for the Tab key.
pub const TAB: &str = "\u{E004}";

/// The browsers the page tests run in: Debian's Chromium (ChromeDriver) and Firefox ESR
/// (geckodriver).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
}

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    engine: Engine,
    /// Firefox only: the viewport asked for when it is narrower than its windows can be.
    frame: std::cell::Cell<Option<(u32, u32)>>,
}

/// The narrowest window headless Firefox makes, in CSS pixels.
const FIREFOX_MIN_WIDTH: u32 = 500;

fn chromium_args() -> Vec<&'static str> {
    vec![
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--window-size=1200,900",
    ]
}

/// What a new session asks of each browser. Firefox is kept off the network it would call
/// home to (this machine's network is closed: each attempt would only cost time).
fn capabilities(engine: Engine) -> Value {
    match engine {
        Engine::Chromium => json!({"browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": chromium_args()}}),
        Engine::Firefox => json!({"browserName": "firefox",
            "moz:firefoxOptions": {"binary": "/usr/bin/firefox-esr", "args": ["-headless"],
                "prefs": {"app.update.auto": false, "browser.safebrowsing.malware.enabled": false,
                    "browser.safebrowsing.phishing.enabled": false, "network.captive-portal-service.enabled": false,
                    "network.connectivity-service.enabled": false, "datareporting.policy.dataSubmissionEnabled": false,
                    "toolkit.telemetry.enabled": false, "extensions.update.enabled": false}}}),
    }
}

impl Browser {
    /// Headless Chromium.
    pub fn start() -> Browser {
        Browser::of(Engine::Chromium)
    }

    pub fn of(engine: Engine) -> Browser {
        let (variable, default) = match engine {
            Engine::Chromium => ("CHROMEDRIVER", "/usr/bin/chromedriver"),
            Engine::Firefox => ("GECKODRIVER", "geckodriver"),
        };
        let driver_path = std::env::var(variable).unwrap_or_else(|_| default.into());
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port");
        let mut command = Command::new(&driver_path);
        match engine {
            Engine::Chromium => command.arg(format!("--port={port}")),
            // Each geckodriver its own ports (several run at once).
            Engine::Firefox => command.args(["--port", &port.to_string(), "--websocket-port", "0"]),
        };
        let driver = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {driver_path} ({e}): `cargo xtask test` installs it"));
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "{driver_path} did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut browser = Browser { driver, base, session: String::new(), engine, frame: Default::default() };
        let created = browser.call("POST", "/session", json!({"capabilities": {"alwaysMatch": capabilities(engine)}}));
        browser.session = created["sessionId"].as_str().expect("a session id").to_owned();
        browser
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// A Chrome DevTools Protocol command (Chromium only), through ChromeDriver.
    pub fn cdp(&self, command: &str, params: Value) -> Value {
        self.call("POST", "/goog/cdp/execute", json!({"cmd": command, "params": params}))
    }

    /// A phone on a slow network, as Chromium's DevTools emulate one: every request waits
    /// `latency_ms`, the link carries `kbit_s` each way, and the CPU runs `slowdown` times
    /// slower than this machine's.
    pub fn throttle(&self, latency_ms: u32, kbit_s: u32, slowdown: u32) {
        let bytes_per_s = f64::from(kbit_s) * 1000.0 / 8.0;
        self.cdp("Network.enable", json!({}));
        self.cdp(
            "Network.emulateNetworkConditions",
            json!({"offline": false, "latency": latency_ms, "downloadThroughput": bytes_per_s, "uploadThroughput": bytes_per_s}),
        );
        self.cdp("Emulation.setCPUThrottlingRate", json!({"rate": slowdown}));
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let request = ureq::request(method, &url).timeout(Duration::from_secs(60));
        let result = if method == "GET" { request.call() } else { request.send_json(body) };
        let response = match result {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("webdriver {method} {path}: {e}"),
        };
        let status = response.status();
        let value: Value = response.into_json().expect("webdriver answers JSON");
        assert!(status < 400, "webdriver {method} {path} -> {status}: {value}");
        value["value"].clone()
    }

    /// Opens `url`. In Firefox at a viewport narrower than its narrowest window, the page opens
    /// in an iframe of exactly that size (a viewport of its own: its media queries and layout
    /// are a phone's), and every later command runs inside it.
    pub fn goto(&self, url: &str) {
        match self.frame.get() {
            None => {
                self.call("POST", "/url", json!({ "url": url }));
            }
            Some((width, _)) => {
                // As tall as the window shows (a click below it would land nowhere).
                let phone = crate::serve_page(format!(
                    r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>phone</title></head>
                    <body style="margin:0;overflow:hidden"><iframe id="phone" src="{url}" style="display:block;width:{width}px;height:100vh;border:0"></iframe></body></html>"#
                ));
                self.call("POST", "/url", json!({ "url": phone }));
                let frame = self.wait_for("#phone", Duration::from_secs(10));
                self.call("POST", "/frame", json!({"id": {ELEMENT_KEY: frame.id}}));
            }
        }
    }

    /// Waits up to `timeout` for a CSS selector to match, and returns the element.
    pub fn wait_for(&self, selector: &str, timeout: Duration) -> Element<'_> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.call("POST", "/elements", json!({"using": "css selector", "value": selector}));
            if let Some(id) = found.as_array().and_then(|a| a.first()).and_then(|e| e[ELEMENT_KEY].as_str()) {
                return Element { browser: self, id: id.to_owned() };
            }
            assert!(Instant::now() < deadline, "`{selector}` did not appear within {timeout:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits for `selector` inside the shadow root of the element matching `host`.
    pub fn wait_in_shadow(&self, host: &str, selector: &str, timeout: Duration) -> Element<'_> {
        let deadline = Instant::now() + timeout;
        let host = self.wait_for(host, timeout);
        let shadow = self.call("GET", &format!("/element/{}/shadow", host.id), Value::Null);
        let shadow = shadow[SHADOW_KEY].as_str().expect("the host has a shadow root").to_owned();
        loop {
            let found = self.call(
                "POST",
                &format!("/shadow/{shadow}/elements"),
                json!({"using": "css selector", "value": selector}),
            );
            if let Some(id) = found.as_array().and_then(|a| a.first()).and_then(|e| e[ELEMENT_KEY].as_str()) {
                return Element { browser: self, id: id.to_owned() };
            }
            assert!(Instant::now() < deadline, "`{selector}` did not appear in the shadow root within {timeout:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Presses keys together (a modifier held while the last is pressed), then releases them.
    pub fn chord(&self, keys: &[&str]) {
        let mut actions: Vec<Value> = keys.iter().map(|k| json!({"type": "keyDown", "value": k})).collect();
        actions.extend(keys.iter().rev().map(|k| json!({"type": "keyUp", "value": k})));
        self.call("POST", "/actions", json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}));
    }

    /// Types into whatever has the focus, as a keyboard would.
    pub fn keys(&self, text: &str) {
        let actions: Vec<Value> = text
            .chars()
            .flat_map(|c| {
                [json!({"type": "keyDown", "value": c.to_string()}), json!({"type": "keyUp", "value": c.to_string()})]
            })
            .collect();
        self.call("POST", "/actions", json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}));
    }

    /// What axe-core (`node_modules/axe-core`) finds wrong with the page as it is now: each
    /// violation's id, impact and the elements it names (`[]` when nothing).
    pub fn axe_violations(&self) -> Value {
        let axe = std::fs::read_to_string(crate::root().join("node_modules/axe-core/axe.min.js"))
            .expect("axe-core is installed by `cargo xtask test` (npm ci)");
        self.script(&axe);
        self.script_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
                .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target) }))))
                .catch(e => done([{ id: 'axe-failed', impact: String(e), nodes: [] }]));",
        )
    }

    /// Runs an asynchronous script; it calls `arguments[arguments.length - 1]` with its result.
    pub fn script_async(&self, source: &str) -> Value {
        self.call("POST", "/execute/async", json!({"script": source, "args": []}))
    }

    pub fn script(&self, source: &str) -> Value {
        self.call("POST", "/execute/sync", json!({"script": source, "args": []}))
    }

    /// Makes the viewport `width` × `height` CSS pixels (a phone at 320, a desktop at 1280):
    /// in Chromium through its device emulation (a headless window's size is not its
    /// viewport's), in Firefox by sizing the window until its inner size is that.
    pub fn viewport(&self, width: u32, height: u32) {
        match self.engine {
            Engine::Chromium => {
                let params = json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600});
                self.call(
                    "POST",
                    "/goog/cdp/execute",
                    json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": params}),
                );
            }
            Engine::Firefox => {
                // Measured on the window, not in a phone frame a page may have opened in.
                self.call("POST", "/frame", json!({"id": null}));
                self.frame.set((width < FIREFOX_MIN_WIDTH).then_some((width, height)));
                let (width, height) = (width.max(FIREFOX_MIN_WIDTH), height);
                // Window sizes are outer sizes; the frame adds whatever it adds.
                let (mut outer_w, mut outer_h) = (width, height);
                for _ in 0..4 {
                    self.call("POST", "/window/rect", json!({"width": outer_w, "height": outer_h}));
                    let inner = self.script("return [window.innerWidth, window.innerHeight];");
                    let (w, h) = (inner[0].as_i64().unwrap_or(0), inner[1].as_i64().unwrap_or(0));
                    if w == i64::from(width) {
                        return;
                    }
                    outer_w = (i64::from(outer_w) + i64::from(width) - w).max(1) as u32;
                    outer_h = (i64::from(outer_h) + i64::from(height) - h).max(1) as u32;
                }
                let inner = self.script("return window.innerWidth;");
                assert_eq!(inner, json!(width), "Firefox's viewport could not be made {width} px wide");
            }
        }
    }

    /// A PNG screenshot of the viewport.
    pub fn screenshot_png(&self) -> Vec<u8> {
        let encoded = self.call("GET", "/screenshot", Value::Null);
        crate::decode_base64(encoded.as_str().expect("base64 text"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

pub struct Element<'b> {
    browser: &'b Browser,
    id: String,
}

impl Element<'_> {
    pub fn click(&self) {
        self.browser.call("POST", &format!("/element/{}/click", self.id), json!({}));
    }

    pub fn text(&self) -> String {
        self.browser
            .call("GET", &format!("/element/{}/text", self.id), Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn attribute(&self, name: &str) -> Option<String> {
        self.browser
            .call("GET", &format!("/element/{}/attribute/{name}", self.id), Value::Null)
            .as_str()
            .map(str::to_owned)
    }
}
