//! Running commands with one-line progress, and stopping long-running children cleanly.

use crate::{fail, Outcome};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

/// When this command started, for the `[mm:ss]` of the progress lines.
static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Minutes and seconds since this `cargo xtask` command started (the first call starts the
/// clock: `main` calls it first thing).
pub fn clock() -> String {
    let elapsed = STARTED.get_or_init(Instant::now).elapsed().as_secs();
    format!("[{:02}:{:02}]", elapsed / 60, elapsed % 60)
}

/// Prints `==> [mm:ss] what` and runs `cmd`, inheriting its output; fails with the command line.
pub fn step(what: &str, cmd: &mut Command) -> Outcome {
    println!("==> {} {what}", clock());
    let started = Instant::now();
    let status = cmd.status().map_err(|e| crate::Failure(format!("could not start {}: {e}", describe(cmd))))?;
    if !status.success() {
        return fail(format!("{what}: `{}` failed ({status})", describe(cmd)));
    }
    println!("    done in {:.1?} {}", started.elapsed(), clock());
    Ok(())
}

/// Runs `cmd` quietly and returns its stdout, or `None` if it could not run or failed.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn describe(cmd: &Command) -> String {
    let mut line = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}

static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn remember(signal: libc::c_int) {
    SIGNAL.store(signal, Ordering::SeqCst);
}

/// From now on Ctrl-C and SIGTERM are remembered instead of killing us, so we can stop our
/// children first.
pub fn catch_stop_signals() {
    let handler = remember as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores into an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

pub fn stop_requested() -> bool {
    SIGNAL.load(Ordering::SeqCst) != 0
}

/// Stops a child started in its own process group: SIGTERM to the group, then SIGKILL after
/// a grace period.
pub fn stop_group(child: &mut Child, grace: Duration) {
    let group = -(child.id() as libc::pid_t);
    // SAFETY: plain kill(2) on a process group we created.
    unsafe { libc::kill(group, libc::SIGTERM) };
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // SAFETY: as above; the group may already be gone, which is fine.
    unsafe { libc::kill(group, libc::SIGKILL) };
    let _ = child.wait();
}
