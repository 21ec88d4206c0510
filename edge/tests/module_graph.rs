//! No import circles in the edge: the modules of `edge/src`, with an edge from one module to
//! another wherever its code (tests and comments aside) names `crate::that::...` or `super::`,
//! form a graph without cycles. A module naming one of its own ancestors is not an edge: a
//! parent module is its children's namespace (`dialects/mod.rs` holds the outcome every
//! dialect writes, and dispatches to them).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("edge/src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `dialects::native` for `src/dialects/native.rs`, `dialects` for `src/dialects/mod.rs`, the
/// empty path for `src/lib.rs`.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src").with_extension("");
    let parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).filter(|p| *p != "mod" && *p != "lib").collect();
    parts.join("::")
}

/// The code of a file without its test module and its comments.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
    text.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Every module a file's code names.
fn named(module: &str, code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let path_chars = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let path: String = rest[at + 7..].chars().take_while(|c| path_chars(*c)).collect();
        // The longest module the path starts with.
        let mut segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        while !segments.is_empty() && !modules.contains(&segments.join("::")) {
            segments.pop();
        }
        if !segments.is_empty() {
            found.insert(segments.join("::"));
        }
        rest = &rest[at + 7..];
    }
    if code.contains("super::") {
        if let Some((parent, _)) = module.rsplit_once("::") {
            found.insert(parent.to_owned());
        } else if !module.is_empty() {
            found.insert(String::new());
        }
    }
    found
}

fn is_ancestor(ancestor: &str, of: &str) -> bool {
    ancestor.is_empty() || of.starts_with(&format!("{ancestor}::"))
}

#[test]
fn the_edge_has_no_import_circles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        let text = std::fs::read_to_string(file).expect("a readable source file");
        let targets = named(&module, &code(&text), &modules)
            .into_iter()
            .filter(|target| *target != module && !is_ancestor(target, &module))
            .collect();
        graph.insert(module, targets);
    }
    assert!(graph["handler"].contains("routes"), "the scan sees imports: {graph:?}");

    // Depth-first search; a module met again while on the current path closes a circle.
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        circles: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut circle = path[at..].to_vec();
            circle.push(module.to_owned());
            circles.push(circle.join(" -> "));
            return;
        }
        if !done.insert(module.to_owned()) {
            return;
        }
        path.push(module.to_owned());
        for next in graph.get(module).into_iter().flatten() {
            visit(next, graph, path, done, circles);
        }
        path.pop();
    }
    let mut circles = Vec::new();
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        visit(module, &graph, &mut Vec::new(), &mut done, &mut circles);
    }
    assert!(circles.is_empty(), "import circles in edge/src:\n{}", circles.join("\n"));
}
