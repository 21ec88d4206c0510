//! `cargo xtask test`: every check and test, in order. CI runs exactly this.

use crate::proc::step;
use crate::tools::{
    ensure_build_tools, ensure_chromium, ensure_disk_space, ensure_firefox, CHROMEDRIVER, TEST_FROM_NOTHING_GIB,
};
use crate::{build, root, Outcome};
use std::process::Command;
use std::time::Instant;

const WASM_CRATES: [&str; 12] = [
    "-p",
    "enlist-shared",
    "-p",
    "enlist-widget",
    "-p",
    "enlist-edge",
    "-p",
    "enlist-rules-probe",
    "-p",
    "enlist-leptos-floor",
    "-p",
    "enlist-console",
];

/// The wasm-pack the README documents (checked by `cargo xtask test`).
pub const WASM_PACK_VERSION: &str = "0.15.1";

pub fn run() -> Outcome {
    let started = Instant::now();
    ensure_disk_space(TEST_FROM_NOTHING_GIB)?;
    let tools = ensure_build_tools()?;
    ensure_chromium()?;
    ensure_firefox(&tools)?;
    let cargo = || {
        let mut cmd = tools.command("cargo");
        cmd.current_dir(root());
        cmd
    };

    step("format: cargo fmt --check", cargo().args(["fmt", "--all", "--", "--check"]))?;
    step(
        "lint (native): cargo clippy --workspace --all-targets -D warnings",
        cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
    )?;
    step(
        "lint (wasm32): cargo clippy shared widget edge rules-probe leptos-floor console --target wasm32-unknown-unknown --all-targets -D warnings",
        cargo()
            .args(["clippy", "--target", "wasm32-unknown-unknown", "--all-targets"])
            .args(WASM_CRATES)
            .args(["--", "-D", "warnings"]),
    )?;
    step(
        "native tests: cargo test --workspace --exclude enlist-e2e",
        cargo().args(["test", "--workspace", "--exclude", "enlist-e2e"]),
    )?;
    step(
        "fuzz smoke: 600 000 executions over every decoder and parser (`cargo xtask fuzz` runs 10 M)",
        cargo().args(["run", "-q", "-p", "enlist-fuzz", "--profile", "fuzz", "--", "--execs", "600000"]),
    )?;
    step(
        "browser tests (widget, and the rule set's verdict corpus): wasm-bindgen-test in headless Chromium",
        browser_tests(cargo()).args([
            "test",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "enlist-widget",
            "-p",
            "enlist-shared",
        ]),
    )?;
    // The same browser tests the way people embedding the rule set run theirs (README,
    // "Browser tests with wasm-pack"), so that way keeps working.
    crate::tools::cargo_install(&tools.path, "wasm-pack", "wasm-pack", WASM_PACK_VERSION, "wasm-pack")?;
    crate::tools::clean_tool_target();
    for krate in ["shared", "widget"] {
        step(
            &format!("browser tests through wasm-pack: wasm-pack test --headless --chrome {krate}"),
            tools
                .command("wasm-pack")
                .current_dir(root())
                .args(["test", "--headless", "--chrome", krate])
                .env("CHROMEDRIVER", CHROMEDRIVER)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "60"),
        )?;
    }
    build::all(&tools)?;
    // A fresh folder for this run's Worker states, logs and secrets list: the leak dump
    // after the suite reads exactly what this run left.
    let suite = root().join("target/e2e");
    if suite.exists() {
        std::fs::remove_dir_all(&suite)?;
    }
    step(
        "end-to-end tests: the Worker under workerd (edge/serve.mjs, local D1/KV); page tests in Chromium and Firefox ESR",
        cargo().args(["test", "-p", "enlist-e2e"]).env("ENLIST_WRANGLER", &tools.wrangler),
    )?;
    step(
        "leak dump after the whole suite: no secret in any Worker's D1, KV or log",
        cargo()
            .args(["test", "-p", "enlist-e2e", "--test", "suite_leaks", "--", "--ignored", "--nocapture"])
            .env("ENLIST_WRANGLER", &tools.wrangler),
    )?;
    println!("==> all checks and tests passed in {:.0?}", started.elapsed());
    Ok(())
}

/// `cargo xtask screenshot`: the keyboard-only page test, saving what the page shows at the end
/// to `docs/demo-page.png` (the README's picture), and the console test, saving
/// `docs/console.png`.
pub fn screenshot() -> Outcome {
    let tools = ensure_build_tools()?;
    ensure_chromium()?;
    build::all(&tools)?;
    let docs = root().join("docs");
    std::fs::create_dir_all(&docs)?;
    let screenshots = |what: &str, test: &str, name: &str| {
        step(
            what,
            tools
                .command("cargo")
                .current_dir(root())
                .env("ENLIST_WRANGLER", &tools.wrangler)
                .env("ENLIST_SCREENSHOT_DIR", &docs)
                .args(["test", "-p", "enlist-e2e", "--test", test, name]),
        )
    };
    screenshots(
        "sign up on the demo page in headless Chromium, then take the screenshots (desktop, 375 px phone)",
        "demo_page",
        "in_chromium::a_keyboard_only_signup_on_the_demo_page_lands_in_d1",
    )?;
    screenshots(
        "run an event in the organiser console in headless Chromium, then take its screenshot",
        "console_page",
        "in_chromium::an_organiser_runs_an_event_from_the_console",
    )?;
    println!(
        "==> wrote {}, {} and {}",
        docs.join("demo-page.png").display(),
        docs.join("demo-phone.png").display(),
        docs.join("console.png").display()
    );
    Ok(())
}

/// `cargo` set up to run wasm32 tests in headless Chromium through wasm-bindgen-test-runner.
pub fn browser_tests(mut cargo: Command) -> Command {
    cargo
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "60");
    cargo
}
