//! The leak dump after the whole suite: every Worker the end-to-end tests started left its
//! local D1 and KV files and its log under `target/e2e/`, and every password, operator
//! secret, token and code the tests sent or were given is listed in `target/e2e/secrets.txt`.
//! None of them may appear in any of those files.
//!
//! `cargo xtask test` runs this after every other end-to-end test (it is ignored otherwise,
//! since on its own it would have nothing to look at).

use aho_corasick::AhoCorasick;
use enlist_e2e::{secrets_file, suite_dir};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
#[ignore = "run by `cargo xtask test` after every other end-to-end test"]
fn no_secret_of_the_whole_suite_is_in_d1_kv_or_any_worker_log() {
    let listed = std::fs::read_to_string(secrets_file()).expect("the suite listed its secrets (run the suite first)");
    let secrets: Vec<&str> = listed.lines().collect::<BTreeSet<_>>().into_iter().collect();
    let mut all = Vec::new();
    files(&suite_dir(), &mut all);
    // dev.vars hands the admin token and the outbox secret to wrangler (that is its job) and
    // seed.sql holds the public demo key; the secrets list itself is ours. The `.eml` files
    // under each Worker's mail/ are the e-mails it sent (a temporary password or a verification
    // link is what such an e-mail is for): what left for the recipient, not what was kept.
    let dumped: Vec<PathBuf> = all
        .into_iter()
        .filter(|p| !p.file_name().is_some_and(|n| n == "dev.vars" || n == "seed.sql" || n == "secrets.txt"))
        .filter(|p| !(p.extension().is_some_and(|e| e == "eml") && p.parent().is_some_and(|d| d.ends_with("mail"))))
        .collect();
    let logs = dumped.iter().filter(|p| p.file_name().is_some_and(|n| n == "wrangler.log")).count();
    let databases = dumped.iter().filter(|p| p.extension().is_some_and(|e| e == "sqlite")).count();
    // A dump of nothing proves nothing: the suite starts well over a dozen Workers and meets
    // hundreds of secrets.
    assert!(logs >= 10, "only {logs} Worker logs under {}", suite_dir().display());
    assert!(databases >= 10, "only {databases} local databases");
    assert!(secrets.len() >= 50, "only {} secrets listed", secrets.len());

    let finder = AhoCorasick::new(&secrets).expect("an automaton of the secrets");
    let mut found = Vec::new();
    let mut bytes = 0;
    for path in &dumped {
        let content = std::fs::read(path).unwrap_or_default();
        bytes += content.len();
        for hit in finder.find_iter(&content) {
            found.push(format!("{} in {}", secrets[hit.pattern().as_usize()], path.display()));
        }
    }
    println!(
        "leak dump: {} secrets searched for in {} files ({logs} Worker logs, {databases} D1 databases, {} MB)",
        secrets.len(),
        dumped.len(),
        bytes / 1_000_000
    );
    found.dedup();
    assert!(found.is_empty(), "secrets found:\n{}", found.join("\n"));
}
