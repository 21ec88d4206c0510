//! Building the Worker (worker-build) and the demo page with the widget (Trunk).

use crate::proc::step;
use crate::tools::Tools;
use crate::{root, Outcome};

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
    step(
        "build the demo page + widget: trunk build --release",
        tools.command("trunk").args(["build", "--release"]).current_dir(root()),
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
