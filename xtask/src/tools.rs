//! Installing what the build and the tests need, each step skipped when already present at
//! the right version. Nothing is downloaded outside the crates, npm and Debian registries.

use crate::proc::{output, step};
use crate::{fail, root, Failure, Outcome};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the tools are, and the PATH that puts them first.
pub struct Tools {
    pub path: OsString,
    pub node_bin: PathBuf,
    pub wrangler: PathBuf,
}

impl Tools {
    /// A command with the tools' PATH and wrangler's telemetry off.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("PATH", &self.path).env("WRANGLER_SEND_METRICS", "false");
        cmd
    }

    pub fn wrangler(&self) -> Command {
        let mut cmd = self.command(&self.wrangler);
        cmd.current_dir(root().join("edge"));
        cmd
    }
}

pub fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("bin")
}

/// The version of `package` that Cargo.lock resolved.
pub fn locked_version(package: &str) -> Outcome<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| Failure(format!("cannot read Cargo.lock ({e}); it is committed with the repo")))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let Some(start) = lock.find(&needle).map(|i| i + needle.len()) else {
        return fail(format!("Cargo.lock has no package `{package}`"));
    };
    Ok(lock[start..].split('"').next().unwrap_or_default().to_owned())
}

fn reports_version(path: &OsString, program: &str, want: &str) -> bool {
    output(Command::new(program).arg("--version").env("PATH", path))
        .map(|v| v.split_whitespace().any(|word| word == want))
        .unwrap_or(false)
}

pub fn cargo_install(path: &OsString, binary: &str, krate: &str, version: &str, what: &str) -> Outcome {
    if reports_version(path, binary, version) {
        println!("==> {what}: {binary} {version} already installed");
        return Ok(());
    }
    // The tool's own lockfile first (Trunk only builds with it); some lockfiles name versions
    // the registry no longer serves (wasm-bindgen-cli), and those build from fresh resolution.
    let install = |locked: bool| {
        let mut cmd = Command::new("cargo");
        cmd.args(["install", krate, "--version", version]).env("PATH", path);
        // Built for the machine that builds with them, not for distribution: no fat LTO and
        // one codegen unit (Trunk's release profile asks for both, the slowest way to compile)
        // and less optimisation; one target folder for the three tools, so what they share
        // (wasm-bindgen's CLI support in worker-build, tokio, serde, ...) is compiled once.
        cmd.env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
            .env("CARGO_TARGET_DIR", tool_target());
        if locked {
            cmd.arg("--locked");
        }
        cmd
    };
    let title = format!("{what}: cargo install {krate} {version} --locked (a few minutes, once)");
    step(&title, &mut install(true)).or_else(|Failure(why)| {
        println!("    {why}\n    retrying without --locked");
        step(&format!("{what}: cargo install {krate} {version}"), &mut install(false))
    })
}

/// Where the tools' `cargo install`s build (removed once every tool is installed).
fn tool_target() -> PathBuf {
    root().join("target").join("tool-installs")
}

/// Removes what the tools' installs left (their binaries are in cargo's `bin/`).
pub fn clean_tool_target() {
    if tool_target().exists() {
        let _ = std::fs::remove_dir_all(tool_target());
    }
}

/// What `cargo xtask test` and `cargo xtask build` need from nothing: on a fresh clone `target/`
/// ends at 4.6 GiB after the tests and 1.2 GiB after a build (`du -sh target`), plus up to
/// 0.8 GiB a tool's `cargo install` uses in the temporary folder meanwhile. A run on a warm
/// `target/` adds far less.
pub const TEST_FROM_NOTHING_GIB: f64 = 5.5;
pub const BUILD_FROM_NOTHING_GIB: f64 = 2.0;
const WARM_GIB: f64 = 2.0;

/// Refuses to start a build that would run out of disk half-way (rustc then dies with "IO
/// failure on output stream" minutes later); `ENLIST_SKIP_DISK_CHECK=1` skips the check.
pub fn ensure_disk_space(from_nothing_gib: f64) -> Outcome {
    if std::env::var_os("ENLIST_SKIP_DISK_CHECK").is_some_and(|v| v == "1") {
        return Ok(());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    // `cargo xtask` itself lands in target/debug; the wasm builds are what tells a warm target.
    let warm = target.join("wasm32-unknown-unknown").is_dir();
    let probe = if target.exists() { target.clone() } else { root() };
    match free_gib(&probe) {
        Some(free) => {
            let line = disk_verdict(free, if warm { WARM_GIB } else { from_nothing_gib }, warm, &target)?;
            println!("==> disk: {line}");
            Ok(())
        }
        None => Ok(()),
    }
}

/// The one-line verdict on `free` GiB against `need`: a report, or the refusal.
fn disk_verdict(free: f64, need: f64, warm: bool, target: &Path) -> Outcome<String> {
    let state = if warm { "on the build already there" } else { "from nothing" };
    if free < need {
        return fail(format!(
            "only {free:.1} GiB free on the disk holding {}; a run {state} needs about {need:.1} GiB \
             (free some space, or set ENLIST_SKIP_DISK_CHECK=1 to try anyway)",
            target.display()
        ));
    }
    Ok(format!("{free:.1} GiB free for {} (a run {state} needs about {need:.1} GiB)", target.display()))
}

/// Free space for an unprivileged user on the file system holding `path`, in GiB.
fn free_gib(path: &Path) -> Option<f64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs(3) writes into the zeroed struct we own; the path is NUL-terminated.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stat) } != 0 {
        return None;
    }
    Some(stat.f_bavail as f64 * stat.f_frsize as f64 / (1u64 << 30) as f64)
}

/// `rustup <kind> add <name>` unless `rustup <kind> list --installed` names it already (a
/// component is listed with its host triple: `rust-src` or `rust-src-<triple>`).
fn rustup_add(kind: &str, name: &str, what: &str) -> Outcome {
    let installed = output(Command::new("rustup").args([kind, "list", "--installed"])).unwrap_or_default();
    let listed = |line: &str| {
        let line = line.trim();
        line == name || kind == "component" && line.strip_prefix(name).is_some_and(|triple| triple.starts_with('-'))
    };
    if installed.lines().any(listed) {
        println!("==> {what}: already installed");
        return Ok(());
    }
    step(&format!("{what}: rustup {kind} add {name}"), Command::new("rustup").args([kind, "add", name]))
}

/// rustup's wasm target, wasm-bindgen (= the crate), worker-build (= the worker crate), Trunk,
/// and the npm tools (wrangler, workerd, esbuild, wasm-opt).
pub fn ensure_build_tools() -> Outcome<Tools> {
    let root = root();
    let node_bin = root.join("node_modules").join(".bin");
    let mut dirs = vec![cargo_bin(), node_bin.clone()];
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    let path = std::env::join_paths(dirs)?;

    rustup_add("target", "wasm32-unknown-unknown", "wasm32 target")?;
    // The widget is built with std recompiled for size (`build::for_size`), from the toolchain's
    // own sources.
    rustup_add("component", "rust-src", "rust-src component")?;

    // npm ci (downloads, little CPU) runs meanwhile the cargo installs (CPU) run.
    let npm = NpmCi::start(&root, &path)?;
    cargo_install(&path, "wasm-bindgen", "wasm-bindgen-cli", &locked_version("wasm-bindgen")?, "wasm-bindgen CLI")?;
    cargo_install(&path, "worker-build", "worker-build", &locked_version("worker")?, "worker-build")?;
    let trunk = crate::build::TRUNK_VERSION;
    cargo_install(&path, "trunk", "trunk", trunk, "Trunk")?;
    clean_tool_target();
    npm.finish()?;
    let wrangler = node_bin.join("wrangler");
    Ok(Tools { path, node_bin, wrangler })
}

/// `npm ci` started in the background when `node_modules` is missing or older than
/// `package-lock.json` (its output in `target/npm-ci.log`, shown if it fails).
struct NpmCi {
    child: Option<(std::process::Child, PathBuf, std::time::Instant)>,
}

impl NpmCi {
    fn start(root: &Path, path: &OsString) -> Outcome<Self> {
        let node = output(Command::new("node").arg("--version").env("PATH", path))
            .ok_or_else(|| Failure("Node.js is not installed; wrangler needs Node.js 20.3 or newer".into()))?;
        let major: u32 =
            node.trim().trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
        if major < 20 {
            return fail(format!("Node.js {} is too old; wrangler needs 20.3 or newer", node.trim()));
        }
        let installed = root.join("node_modules").join(".package-lock.json");
        let fresh = match (modified(&installed), modified(&root.join("package-lock.json"))) {
            (Some(installed), Some(lock)) => installed >= lock && root.join("node_modules/.bin/wrangler").exists(),
            _ => false,
        };
        if fresh {
            println!("==> npm tools (wrangler, workerd, wasm-opt): already installed");
            return Ok(Self { child: None });
        }
        std::fs::create_dir_all(root.join("target"))?;
        let log = root.join("target").join("npm-ci.log");
        let file = std::fs::File::create(&log)?;
        println!(
            "==> {} npm tools (wrangler, workerd, wasm-opt): npm ci, in the background (log: {})",
            crate::proc::clock(),
            log.display()
        );
        let child = Command::new("npm")
            .args(["ci", "--no-fund", "--no-audit"])
            .current_dir(root)
            .env("PATH", path)
            .stdout(file.try_clone()?)
            .stderr(file)
            .spawn()
            .map_err(|e| Failure(format!("could not start npm ci: {e}")))?;
        Ok(Self { child: Some((child, log, std::time::Instant::now())) })
    }

    fn finish(self) -> Outcome {
        let Some((mut child, log, started)) = self.child else { return Ok(()) };
        let status = child.wait()?;
        if !status.success() {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            return fail(format!("npm ci failed ({status}):\n{text}"));
        }
        println!(
            "==> {} npm tools: npm ci done (waited for it {:.1?} after it started)",
            crate::proc::clock(),
            started.elapsed()
        );
        Ok(())
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Debian's Chromium and ChromeDriver, for the browser tests.
pub fn ensure_chromium() -> Outcome {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        println!("==> Chromium + ChromeDriver: already installed");
        return Ok(());
    }
    apt_install("Chromium", &["chromium", "chromium-driver"])
}

/// Debian's `argon2`, the reference C implementation's command line, for the benchmark's floor.
pub fn ensure_argon2_cli() -> Outcome {
    if Path::new("/usr/bin/argon2").exists() {
        return Ok(());
    }
    apt_install("argon2 (the reference implementation's command line)", &["argon2"])
}

pub const FIREFOX: &str = "/usr/bin/firefox-esr";
/// geckodriver from crates.io, pinned: the page tests speak W3C WebDriver to it.
pub const GECKODRIVER_VERSION: &str = "0.37.1";

/// Debian's Firefox ESR and geckodriver (crates.io), for the page tests that also run there.
pub fn ensure_firefox(tools: &Tools) -> Outcome {
    if Path::new(FIREFOX).exists() {
        println!("==> Firefox ESR: already installed");
    } else {
        apt_install("Firefox ESR", &["firefox-esr"])?;
    }
    cargo_install(&tools.path, "geckodriver", "geckodriver", GECKODRIVER_VERSION, "geckodriver")
}

/// `apt-get install` as root, or through `sudo -n` otherwise.
fn apt_install(what: &str, packages: &[&str]) -> Outcome {
    // SAFETY: geteuid(2) has no preconditions.
    let as_root = unsafe { libc::geteuid() } == 0;
    let apt = |args: &[&str]| {
        let mut cmd = if as_root { Command::new("apt-get") } else { Command::new("sudo") };
        if !as_root {
            cmd.args(["-n", "apt-get"]);
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    step(&format!("{what}: apt-get update"), &mut apt(&["update", "-q"]))?;
    let list = packages.join(" ");
    let mut install = apt(&["install", "-y", "-q"]);
    install.args(packages);
    step(&format!("{what}: apt-get install {list}"), &mut install)
        .map_err(|Failure(msg)| Failure(format!("{msg}\n(install them yourself: apt-get install {list})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_little_disk_is_refused_in_one_line_naming_the_figures() {
        let target = Path::new("/repo/target");
        let Err(Failure(why)) = disk_verdict(3.24, TEST_FROM_NOTHING_GIB, false, target) else {
            panic!("3.2 GiB must not be enough for a test run from nothing");
        };
        assert!(
            why.starts_with(
                "only 3.2 GiB free on the disk holding /repo/target; a run from nothing needs about 5.5 GiB"
            ),
            "{why}"
        );
        assert!(why.contains("ENLIST_SKIP_DISK_CHECK=1") && !why.contains('\n'), "{why}");
        assert!(disk_verdict(3.24, WARM_GIB, true, target).is_ok(), "a warm target needs less");
        assert!(disk_verdict(1.5, WARM_GIB, true, target).is_err());
        assert_eq!(
            disk_verdict(40.0, BUILD_FROM_NOTHING_GIB, false, target).ok().as_deref(),
            Some("40.0 GiB free for /repo/target (a run from nothing needs about 2.0 GiB)")
        );
    }

    #[test]
    fn free_space_is_read_from_the_file_system() {
        let free = free_gib(&root()).expect("statvfs on the repository");
        assert!(free > 0.0 && free.is_finite(), "{free}");
        assert_eq!(free_gib(Path::new("/no/such/folder/here")), None);
    }
}
