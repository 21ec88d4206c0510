//! `cargo xtask bench`: measures what users pay for and prints a table (also written to
//! `bench/results.md`). Figures, not assertions: budgets live in the README.

use crate::proc::describe;
use crate::test::browser_tests;
use crate::tools::{ensure_build_tools, ensure_chromium, Tools};
use crate::{build, fail, root, Failure, Outcome};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

/// One measured figure.
pub struct Figure {
    pub what: String,
    pub value: String,
}

/// The parts of the benchmark, in the order they run.
pub const PARTS: [&str; 5] = ["rules", "widget", "worker", "outbox", "scale"];

pub fn run(only: &[String]) -> Outcome {
    if let Some(unknown) = only.iter().find(|p| !PARTS.contains(&p.as_str())) {
        return fail(format!("no benchmark part `{unknown}`; parts: {}", PARTS.join(", ")));
    }
    if std::env::var_os("ENLIST_BENCH_TREE").is_some() && only != ["outbox"] {
        return fail("ENLIST_BENCH_TREE (another checkout's Worker) is for `cargo xtask bench outbox` only");
    }
    let wanted = |part: &str| only.is_empty() || only.iter().any(|p| p == part);
    let tools = ensure_build_tools()?;
    ensure_chromium()?;
    // Each figure with the command that measures it.
    let mut measured: Vec<Row> = Vec::new();
    let mut add = |part: &str, figures: Vec<Figure>| {
        let command = format!("`cargo xtask bench {part}`");
        measured.extend(figures.into_iter().map(|f| (f.what, f.value, command.clone())));
    };
    if wanted("rules") {
        let mut figures = rule_set_speed(&tools, false)?;
        figures.extend(rule_set_speed(&tools, true)?);
        figures.extend(rule_set_size(&tools)?);
        add("rules", figures);
    }
    if wanted("widget") {
        let mut figures = widget_size(&tools)?;
        figures.extend(size_floor(&tools)?);
        figures.extend(page_speed(&tools)?);
        add("widget", figures);
    }
    if wanted("worker") {
        add("worker", crate::load::throughput(&tools)?);
    }
    if wanted("outbox") {
        add("outbox", crate::load::outbox(&tools)?);
    }
    if wanted("scale") {
        add("scale", crate::load::scale(&tools)?);
    }

    let table_of = |rows: &[Row]| {
        let mut table = String::from("| what | figure | measured by |\n|---|---|---|\n");
        for (what, value, command) in rows {
            table.push_str(&format!("| {what} | {value} | {command} |\n"));
        }
        table
    };
    println!("\n{}", table_of(&measured));
    let machine = format!("{} cores", std::thread::available_parallelism().map_or(0, |n| n.get()));
    // A partial run replaces its own rows (a new one goes after the row measured before it);
    // the others stay.
    let path = root().join("bench/results.md");
    let mut rows =
        if only.is_empty() { Vec::new() } else { rows_of(&std::fs::read_to_string(&path).unwrap_or_default()) };
    let mut last = None;
    for (what, value, command) in measured {
        let at = match rows.iter().position(|(w, _, _)| *w == what) {
            Some(at) => {
                rows[at] = (what, value, command);
                at
            }
            None => {
                let at = last.map_or(rows.len(), |l: usize| l + 1);
                rows.insert(at, (what, value, command));
                at
            }
        };
        last = Some(at);
    }
    let parts = if only.is_empty() { "every part".to_owned() } else { format!("the last run: {}", only.join(", ")) };
    let report = format!(
        "# `cargo xtask bench` results\n\nMeasured on this machine ({machine}; {parts}); rerun `cargo xtask bench` to refresh.\n\n{}",
        table_of(&rows)
    );
    std::fs::write(&path, report)?;
    println!("==> written to bench/results.md");
    Ok(())
}

/// A results table's row: what, the figure, the command that measured it.
type Row = (String, String, String);

/// The rows of a results table.
fn rows_of(report: &str) -> Vec<Row> {
    report
        .lines()
        .filter_map(|line| {
            let (rest, command) = line.strip_prefix("| ")?.strip_suffix(" |")?.rsplit_once(" | ")?;
            let (what, value) = rest.rsplit_once(" | ")?;
            Some((what.to_owned(), value.to_owned(), command.to_owned()))
        })
        .filter(|(what, _, _)| what != "what")
        .collect()
}

/// Runs a command, echoing a one-line title, and returns its stdout + stderr.
pub fn capture(title: &str, cmd: &mut Command) -> Outcome<String> {
    println!("==> {title}");
    let out = cmd.output().map_err(|e| Failure(format!("could not start {}: {e}", describe(cmd))))?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return fail(format!("{title}: `{}` failed ({}):\n{text}", describe(cmd), out.status));
    }
    Ok(text)
}

/// Validation of a whole 20-field form, from `shared/tests/bench.rs`.
fn rule_set_speed(tools: &Tools, in_browser: bool) -> Outcome<Vec<Figure>> {
    let mut cargo = tools.command("cargo");
    cargo.current_dir(root());
    let (title, mut cmd) = if in_browser {
        let mut cmd = browser_tests(cargo);
        cmd.args(["test", "--release", "--target", "wasm32-unknown-unknown", "-p", "enlist-shared", "--test", "bench"]);
        ("validate a 20-field form in wasm32 (headless Chromium, release build)", cmd)
    } else {
        cargo.args(["test", "--release", "-p", "enlist-shared", "--test", "bench"]);
        ("validate a 20-field form natively (release build)", cargo)
    };
    cmd.args(["--", "--include-ignored", "--nocapture"]);
    let output = capture(title, &mut cmd)?;
    let figures = figures_in(&output);
    if figures.is_empty() {
        return fail(format!("{title}: the benchmark printed no figures:\n{output}"));
    }
    Ok(figures)
}

pub fn gzip_len(bytes: &[u8]) -> Outcome<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

/// The size Cloudflare's edge serves to browsers that accept brotli (quality 11, as for static
/// assets it compresses ahead of time).
pub fn brotli_len(bytes: &[u8]) -> Outcome<usize> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut std::io::Cursor::new(bytes), &mut out, &params)?;
    Ok(out.len())
}

pub fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

/// The demo page's time to interactive (`tests/tests/bench_page.rs`), after building the Worker.
fn page_speed(tools: &Tools) -> Outcome<Vec<Figure>> {
    build::worker(tools)?;
    let mut cargo = tools.command("cargo");
    cargo.current_dir(root()).env("ENLIST_WRANGLER", &tools.wrangler).args([
        "test",
        "-p",
        "enlist-e2e",
        "--test",
        "bench_page",
        "--",
        "--include-ignored",
        "--nocapture",
        // One page at a time: two browsers at once would time each other.
        "--test-threads=1",
    ]);
    let output = capture(
        "time the demo page until the widget is interactive (headless Chromium; then as a throttled phone)",
        &mut cargo,
    )?;
    Ok(figures_in(&output))
}

fn figures_in(output: &str) -> Vec<Figure> {
    output
        .lines()
        // (A test's first line of output follows the harness's `test name ... ` on its line.)
        .filter_map(|line| line.split_once("BENCH ").map(|(_, rest)| rest))
        .map(|rest| {
            let (name, value) = rest.split_once(' ').unwrap_or((rest, ""));
            Figure { what: name.replace('_', " "), value: value.to_owned() }
        })
        .collect()
}

/// A wasm module of this workspace built as the widget is (release profile, std rebuilt for
/// size, wasm-bindgen, wasm-opt -Oz): its gzip sizes, wasm and JS glue.
struct ModuleSize {
    wasm: usize,
    js: usize,
}

fn module_size(
    tools: &Tools,
    package: &str,
    artifact: &str,
    features: Option<&str>,
    label: &str,
) -> Outcome<ModuleSize> {
    let mut cargo = tools.command("cargo");
    cargo.current_dir(root()).args(["build", "--release", "--target", "wasm32-unknown-unknown", "-p", package]);
    if let Some(features) = features {
        cargo.args(["--features", features]);
    }
    capture(&format!("build {label} (as the widget is built)"), build::for_size(&mut cargo))?;
    let out_dir = root().join("target/size-probes").join(label.replace(' ', "-"));
    let built = root().join("target/for-size/wasm32-unknown-unknown/release").join(format!("{artifact}.wasm"));
    let mut bindgen = tools.command("wasm-bindgen");
    bindgen.arg("--target").arg("web").arg("--out-dir").arg(&out_dir).arg(&built);
    capture(&format!("wasm-bindgen {label}"), &mut bindgen)?;
    let optimised = out_dir.join("optimised.wasm");
    let mut opt = tools.command(tools.node_bin.join("wasm-opt"));
    opt.arg("-Oz").args(WASM_FEATURES).arg(out_dir.join(format!("{artifact}_bg.wasm"))).arg("-o").arg(&optimised);
    capture(&format!("wasm-opt -Oz {label}"), &mut opt)?;
    Ok(ModuleSize {
        wasm: gzip_len(&std::fs::read(&optimised)?)?,
        js: gzip_len(&std::fs::read(out_dir.join(format!("{artifact}.js")))?)?,
    })
}

/// What the rule set alone adds to a wasm module (gzip): the probe with and without it.
fn rule_set_cost(tools: &Tools) -> Outcome<(ModuleSize, ModuleSize)> {
    let baseline =
        module_size(tools, "enlist-rules-probe", "enlist_rules_probe", None, "the rule-set probe (baseline)")?;
    let rules =
        module_size(tools, "enlist-rules-probe", "enlist_rules_probe", Some("rules"), "the rule-set probe (rules)")?;
    Ok((baseline, rules))
}

fn rule_set_size(tools: &Tools) -> Outcome<Vec<Figure>> {
    let (baseline, rules) = rule_set_cost(tools)?;
    Ok(vec![
        Figure { what: "probe module without the rule set (wasm, gzip)".into(), value: kib(baseline.wasm) },
        Figure { what: "probe module with the rule set (wasm, gzip)".into(), value: kib(rules.wasm) },
        Figure { what: "**the rule set adds (gzip)**".into(), value: kib(rules.wasm.saturating_sub(baseline.wasm)) },
    ])
}

/// The floor under the widget's size: the smallest Leptos form (wasm + JS glue) plus what the
/// rule set alone adds, before the widget has any field, message, request or style.
fn size_floor(tools: &Tools) -> Outcome<Vec<Figure>> {
    let floor = module_size(tools, "enlist-leptos-floor", "enlist-leptos-floor", None, "the smallest Leptos form")?;
    let (baseline, rules) = rule_set_cost(tools)?;
    let leptos = floor.wasm + floor.js;
    let rule_set = rules.wasm.saturating_sub(baseline.wasm);
    Ok(vec![
        Figure { what: "smallest Leptos form, wasm + JS (gzip)".into(), value: kib(leptos) },
        Figure {
            what: "**floor: smallest Leptos form + the rule set (gzip)**".into(),
            value: format!("{} ({} + {})", kib(leptos + rule_set), kib(leptos), kib(rule_set)),
        },
    ])
}

/// The wasm features rustc emits by default, which wasm-opt must be told about.
pub const WASM_FEATURES: [&str; 7] = [
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// What a browser downloads for the widget: the demo page's wasm, JS glue and CSS.
fn widget_size(tools: &Tools) -> Outcome<Vec<Figure>> {
    build::widget(tools)?;
    let dist = root().join("dist");
    let mut totals = (0usize, 0usize, 0usize);
    let mut figures = Vec::new();
    for extension in ["wasm", "js", "css"] {
        // embed.js beside the page, the fingerprinted files in `w/`.
        let files: Vec<PathBuf> = std::fs::read_dir(&dist)?
            .chain(std::fs::read_dir(dist.join("w"))?)
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == extension))
            .collect();
        let sizes =
            files.iter().try_fold((0, 0, 0), |(raw, gz, br), path: &PathBuf| -> Outcome<(usize, usize, usize)> {
                let bytes = std::fs::read(path)?;
                Ok((raw + bytes.len(), gz + gzip_len(&bytes)?, br + brotli_len(&bytes)?))
            })?;
        totals = (totals.0 + sizes.0, totals.1 + sizes.1, totals.2 + sizes.2);
        figures.push(Figure {
            what: format!("widget {extension} (raw / gzip / brotli)"),
            value: format!("{} / {} / {}", kib(sizes.0), kib(sizes.1), kib(sizes.2)),
        });
    }
    figures.push(Figure {
        what: "**widget transfer size, wasm + JS + CSS (gzip)**".into(),
        value: format!("{} = {} B (raw {})", kib(totals.1), totals.1, kib(totals.0)),
    });
    figures.push(Figure {
        what: "widget transfer size in brotli (what Cloudflare serves browsers that accept it)".into(),
        value: format!("{} = {} B", kib(totals.2), totals.2),
    });
    // A page in another language also fetches that language's two files (the widget's words
    // and the rule set's catalogue); English is compiled in.
    let mut heaviest = (String::new(), 0usize);
    for tag in ["de", "fr", "es", "pl", "it"] {
        let mut gz = 0;
        for dir in ["locales", "catalogue"] {
            let path = dist.join(dir).join(format!("{tag}.txt"));
            let bytes = std::fs::read(&path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
            gz += gzip_len(&bytes)?;
        }
        if gz > heaviest.1 {
            heaviest = (tag.to_owned(), gz);
        }
    }
    figures.push(Figure {
        what: format!("a non-English page adds its language's files (heaviest, `{}`, gzip)", heaviest.0),
        value: kib(heaviest.1),
    });
    Ok(figures)
}
