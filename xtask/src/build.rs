//! Building the Worker (worker-build) and the demo page with the widget (Trunk).

use crate::proc::step;
use crate::tools::Tools;
use crate::{root, Outcome};
use std::path::Path;
use std::process::Command;

/// Trunk 0.22 needs a newer rustc than this project's toolchain; 0.21 is the line that builds.
pub const TRUNK_VERSION: &str = "0.21.14";

pub fn worker(tools: &Tools) -> Outcome {
    // worker-build would download wasm-bindgen, wasm-opt and esbuild; point it at ours.
    step(
        "build the Worker: worker-build --release",
        tools
            .command("worker-build")
            .arg("--release")
            .current_dir(root().join("edge"))
            .env("WASM_BINDGEN_BIN", find(tools, "wasm-bindgen"))
            .env("WASM_OPT_BIN", tools.node_bin.join("wasm-opt"))
            .env("ESBUILD_BIN", tools.node_bin.join("esbuild")),
    )
}

pub fn widget(tools: &Tools) -> Outcome {
    // Trunk uses the wasm-bindgen and wasm-opt on PATH when their versions match Trunk.toml.
    let mut trunk = tools.command("trunk");
    trunk.args(["build", "--release"]).current_dir(root());
    step("build the demo page + widget: trunk build --release (std rebuilt for size)", for_size(&mut trunk))?;
    // Trunk's own minifier chokes on wasm-bindgen's glue; esbuild (already installed for
    // worker-build) does not. Every byte here is downloaded by every visitor of every page.
    let dist = root().join("dist");
    let mut esbuild = tools.command(tools.node_bin.join("esbuild"));
    esbuild.current_dir(&dist).args([
        "enlist-widget.js",
        "embed.js",
        "widget.css",
        "--minify",
        "--outdir=.",
        "--allow-overwrite",
        "--log-level=warning",
    ]);
    step("minify what the page downloads: esbuild --minify (widget glue, embed.js, widget.css)", &mut esbuild)?;
    fingerprint(&dist)?;
    console(tools)
}

/// The organiser console (`console/`), built by Trunk into `dist/console/` after the widget
/// (whose Trunk run empties `dist/`); its page becomes `dist/console.html`, which the Worker's
/// assets serve at `GET /console`.
pub fn console(tools: &Tools) -> Outcome {
    let mut trunk = tools.command("trunk");
    trunk.args(["build", "--release"]).current_dir(root().join("console"));
    step("build the organiser console: trunk build --release (console/)", &mut trunk)?;
    let dist = root().join("dist");
    std::fs::rename(dist.join("console/index.html"), dist.join("console.html"))?;
    Ok(())
}

/// The files embed.js loads, renamed by content into `dist/w/` (`w/enlist-widget.3f2a….js`),
/// so browsers and Cloudflare may keep them a year without asking again (`_headers` marks
/// `/w/*` immutable); embed.js itself keeps its name (the one tag organisers paste) and a short
/// cache life, and names the current files. The demo page's own Trunk loader is dropped: it
/// would only load the same module a second time under its old name.
pub fn fingerprint(dist: &Path) -> Outcome {
    use sha2::{Digest, Sha256};
    let out = dist.join("w");
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    std::fs::create_dir_all(&out)?;
    let mut renamed: Vec<(&str, String)> = Vec::new();
    // The wasm first: the glue names it.
    for name in ["enlist-widget_bg.wasm", "enlist-widget.js", "widget.css"] {
        let mut bytes = std::fs::read(dist.join(name))?;
        if name.ends_with(".js") {
            bytes = substitute(&bytes, &renamed);
        }
        let digest = Sha256::digest(&bytes);
        let hash: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        let (stem, extension) = name.rsplit_once('.').expect("file names have extensions");
        let hashed = format!("w/{stem}.{hash}.{extension}");
        std::fs::write(dist.join(&hashed), &bytes)?;
        std::fs::remove_file(dist.join(name))?;
        renamed.push((name, hashed));
    }
    let embed = dist.join("embed.js");
    let script = substitute(&std::fs::read(&embed)?, &renamed);
    std::fs::write(&embed, script)?;
    let page = dist.join("index.html");
    let html = String::from_utf8_lossy(&std::fs::read(&page)?).into_owned();
    std::fs::write(&page, without_trunk_loader(&html))?;
    println!("fingerprinted: {}", renamed.iter().map(|(_, h)| h.as_str()).collect::<Vec<_>>().join(", "));
    Ok(())
}

/// `bytes` with every quoted old name (`"widget.css"`, `'widget.css'`) replaced by its new one.
fn substitute(bytes: &[u8], renamed: &[(&str, String)]) -> Vec<u8> {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    for (old, new) in renamed {
        for quote in ['"', '\''] {
            text = text.replace(&format!("{quote}{old}{quote}"), &format!("{quote}{new}{quote}"));
        }
    }
    text.into_bytes()
}

/// The page without Trunk's module loader and preload links for the widget.
fn without_trunk_loader(html: &str) -> String {
    let mut page = html.to_owned();
    if let Some(start) = page.find("<script type=\"module\">") {
        if let Some(len) = page[start..].find("</script>") {
            page.replace_range(start..start + len + "</script>".len(), "");
        }
    }
    for tag in ["<link rel=\"modulepreload\"", "<link rel=\"preload\""] {
        while let Some(start) = page.find(tag) {
            let Some(len) = page[start..].find('>') else { break };
            page.replace_range(start..=start + len, "");
        }
    }
    page
}

/// Builds what a page downloads (the widget, and the size probes measured beside it) with the
/// standard library recompiled for size: panics abort at once instead of formatting a message
/// nobody sees, and carry no source locations. That takes `-Zbuild-std` and two unstable
/// flags; `RUSTC_BOOTSTRAP=1` lets the pinned stable toolchain accept them (its own `rust-src`,
/// which `cargo xtask` installs, so std's sources always match the compiler). Everything else,
/// the browser tests included, builds as usual; the page tests run this build. A target
/// directory of its own keeps the two kinds of wasm32 builds from invalidating each other.
pub fn for_size(cmd: &mut Command) -> &mut Command {
    cmd.env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env("CARGO_TARGET_DIR", root().join("target/for-size"))
        // Replaces `.cargo/config.toml`'s wasm32 flags, so its getrandom backend is repeated.
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "--cfg getrandom_backend=\"wasm_js\" -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none",
        )
}

pub fn all(tools: &Tools) -> Outcome {
    widget(tools)?;
    worker(tools)
}

fn find(tools: &Tools, program: &str) -> std::path::PathBuf {
    std::env::split_paths(&tools.path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| program.into())
}
