//! Building the Worker (worker-build) and the demo page with the widget (Trunk).

use crate::proc::step;
use crate::tools::Tools;
use crate::{fail, root, Outcome};
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
    rate_limits()?;
    widget(tools)?;
    worker(tools)
}

/// Writes the rate-limiting bindings' limits in `edge/wrangler.toml` from `RATE_LIMIT_PER_MINUTE`
/// and `CAMPAIGN_RATE_LIMIT_PER_MINUTE` when they are set (the binding's limit is configuration,
/// not a variable the Worker could read); unset, the file keeps its limits. A limit of 0 is the
/// Worker's own switch (it then never asks the binding), so the file keeps its value then.
pub fn rate_limits() -> Outcome {
    let read = |name: &str| -> Outcome<Option<u32>> {
        match std::env::var(name) {
            Err(_) => Ok(None),
            Ok(value) => match value.trim().parse::<u32>() {
                Ok(n) => Ok(Some(n).filter(|n| *n > 0)),
                Err(_) => fail(format!("{name} must be a whole number (0 turns the limit off), not `{value}`")),
            },
        }
    };
    let per_address = read("RATE_LIMIT_PER_MINUTE")?;
    let per_campaign = read("CAMPAIGN_RATE_LIMIT_PER_MINUTE")?.or(per_address.map(|n| n.saturating_mul(100)));
    let file = root().join("edge/wrangler.toml");
    let toml = std::fs::read_to_string(&file)?;
    let written = with_rate_limits(&toml, per_address, per_campaign)?;
    if written != toml {
        std::fs::write(&file, written)?;
        println!("==> wrote the rate limits into edge/wrangler.toml ([[ratelimits]])");
    }
    Ok(())
}

/// `toml` with the two rate-limiting bindings' limits replaced where given.
fn with_rate_limits(toml: &str, per_address: Option<u32>, per_campaign: Option<u32>) -> Outcome<String> {
    let mut written = toml.to_owned();
    for (binding, limit) in [("ADDRESS_RATE_LIMITER", per_address), ("CAMPAIGN_RATE_LIMITER", per_campaign)] {
        let Some(limit) = limit else { continue };
        let Some(at) = written.find(&format!("name = \"{binding}\"")) else {
            return fail(format!("edge/wrangler.toml has no [[ratelimits]] named {binding}"));
        };
        let Some(line) = written[at..].find("simple = {").map(|i| at + i) else {
            return fail(format!("edge/wrangler.toml: {binding} has no `simple = {{ limit, period }}`"));
        };
        let end = line + written[line..].find('\n').unwrap_or(written.len() - line);
        written.replace_range(line..end, &format!("simple = {{ limit = {limit}, period = 60 }}"));
    }
    Ok(written)
}

fn find(tools: &Tools, program: &str) -> std::path::PathBuf {
    std::env::split_paths(&tools.path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| program.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_are_written_into_their_bindings_only() {
        let toml = std::fs::read_to_string(root().join("edge/wrangler.toml")).unwrap();
        assert_eq!(with_rate_limits(&toml, None, None).unwrap(), toml);
        let written = with_rate_limits(&toml, Some(30), Some(900)).unwrap();
        assert!(written.contains(
            "name = \"ADDRESS_RATE_LIMITER\"\nnamespace_id = \"1001\"\nsimple = { limit = 30, period = 60 }"
        ));
        assert!(written.contains(
            "name = \"CAMPAIGN_RATE_LIMITER\"\nnamespace_id = \"1002\"\nsimple = { limit = 900, period = 60 }"
        ));
        assert_eq!(written.lines().count(), toml.lines().count());
        assert!(with_rate_limits("name = \"x\"", Some(1), None).is_err());
    }
}
