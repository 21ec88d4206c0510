//! enlist's project commands.
//!
//! - `cargo xtask dev [--port N]`: install what is missing, build, apply migrations to local D1,
//!   serve the Worker with local D1/KV and the demo page on 127.0.0.1 until Ctrl-C.
//! - `cargo xtask test`: every check and test, in order (what CI runs).
//! - `cargo xtask build`: install what is missing and build the Worker and the demo page.
//! - `cargo xtask bench`: measure and print figures (also into `bench/results.md`).
//! - `cargo xtask fuzz [--execs N] [--libfuzzer]`: fuzz every decoder and parser.

mod bench;
mod build;
mod dev;
mod fuzz;
mod load;
mod proc;
mod test;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  dev [--port N]   install what is missing, build, and serve the Worker + demo page locally
  test             run every check and test (fmt, clippy, native, browser, end-to-end)
  build            install what is missing and build the Worker and the demo page
  bench [PART..]   measure speed and size; parts: rules, widget, worker, scale (default: all)
  screenshot       sign up on the demo page and run an event in the console in headless Chromium;
                   save docs/demo-page.png, docs/demo-phone.png and docs/console.png
  fuzz [--execs N] [--libfuzzer]
                   fuzz every dialect decoder and rule-set parser (default 10 000 000 executions;
                   --libfuzzer: coverage-guided through cargo-fuzz)";

/// A failure to report in one line, then exit non-zero.
#[derive(Debug)]
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

pub type Outcome<T = ()> = Result<T, Failure>;

pub fn fail<T>(msg: impl Into<String>) -> Outcome<T> {
    Err(Failure(msg.into()))
}

/// The repository root (xtask lives in `<root>/xtask`).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the workspace").to_path_buf()
}

fn main() -> ExitCode {
    // The progress lines' clock starts now.
    proc::clock();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev::parse_port(&args[1..]).and_then(dev::run),
        Some("test") if args.len() == 1 => test::run(),
        Some("bench") => bench::run(&args[1..]),
        Some("screenshot") if args.len() == 1 => test::screenshot(),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("build") if args.len() == 1 => tools::ensure_disk_space(tools::BUILD_FROM_NOTHING_GIB)
            .and_then(|()| tools::ensure_build_tools())
            .and_then(|t| build::all(&t)),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(Failure(format!("unknown or missing command\n\n{USAGE}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg)) => {
            eprintln!("xtask: error: {msg}");
            ExitCode::FAILURE
        }
    }
}
