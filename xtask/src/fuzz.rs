//! `cargo xtask fuzz [--execs N] [--libfuzzer]`: fuzz every dialect decoder and rule-set
//! parser (targets in `fuzz/src/lib.rs`).
//!
//! By default the stable driver (`fuzz/src/main.rs`: mutation with outcome feedback) runs
//! N executions spread over all targets. With `--libfuzzer`, libFuzzer runs them
//! coverage-guided through cargo-fuzz (installed if missing; it builds on stable here with
//! `-s none`, no sanitizer), seeded from the same corpora, N executions on each of two
//! workers. Either way a panic fails the command and its input is kept.

use crate::proc::step;
use crate::tools::cargo_install;
use crate::{fail, root, Outcome};
use std::process::Command;

/// cargo-fuzz, pinned (it drives libFuzzer through `libfuzzer-sys` 0.4).
const CARGO_FUZZ_VERSION: &str = "0.13.2";

pub fn run(args: &[String]) -> Outcome {
    let mut execs: u64 = 10_000_000;
    let mut libfuzzer = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--execs" => {
                let value = args.next().ok_or_else(|| crate::Failure("--execs needs a number".into()))?;
                execs = value
                    .replace('_', "")
                    .parse()
                    .map_err(|_| crate::Failure(format!("--execs needs a whole number, not `{value}`")))?;
            }
            "--libfuzzer" => libfuzzer = true,
            other => {
                return fail(format!("unknown argument `{other}` (usage: cargo xtask fuzz [--execs N] [--libfuzzer])"))
            }
        }
    }
    let root = root();
    let driver = |extra: &[&str]| {
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&root).args(["run", "-q", "-p", "enlist-fuzz", "--profile", "fuzz", "--"]).args(extra);
        cmd
    };
    if !libfuzzer {
        let execs = execs.to_string();
        return step(
            &format!("fuzz every target, {execs} executions in all (stable driver)"),
            &mut driver(&["--execs", &execs]),
        );
    }
    let path = std::env::join_paths(
        std::iter::once(crate::tools::cargo_bin())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )?;
    cargo_install(&path, "cargo-fuzz", "cargo-fuzz", CARGO_FUZZ_VERSION, "cargo-fuzz")?;
    let corpus = root.join("target/libfuzzer-corpus");
    let corpus_arg = corpus.display().to_string();
    step("seed libFuzzer's corpus from the checked-in corpora", &mut driver(&["--dump-seeds", &corpus_arg]))?;
    let logs = root.join("target/libfuzzer-logs");
    std::fs::create_dir_all(&logs)?;
    let runs = format!("-runs={}", execs / 2);
    step(
        &format!(
            "libFuzzer, coverage-guided, {} executions on each of 2 workers (logs in {})",
            execs / 2,
            logs.display()
        ),
        Command::new("cargo")
            .current_dir(&logs)
            .env("PATH", &path)
            .args(["fuzz", "run", "--fuzz-dir"])
            .arg(root.join("fuzz/libfuzzer"))
            .args(["-s", "none", "-O", "all"])
            .arg(&corpus)
            .args(["--", &runs, "-max_len=4096", "-jobs=2", "-workers=2", "-print_final_stats=1"]),
    )
}
