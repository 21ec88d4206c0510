// Serves a Worker under workerd through Miniflare's API, without wrangler dev's proxy, for
// `cargo xtask bench`: node bench/serve.mjs <worker-module> <port> <state-dir>
// (the Rust Worker is edge/build/worker/shim.mjs; the JavaScript peer, bundled by esbuild,
// target/bench/js-peer.mjs).
// Local D1 and KV persist under <state-dir> in wrangler's layout (v3/d1, v3/kv), so the
// migrations wrangler applied there are what the Worker sees. Prints "ready" when serving.
import { Miniflare } from "miniflare";
import path from "node:path";

const [script, port, state] = process.argv.slice(2);
if (!script || !port || !state) {
  console.error("usage: node bench/serve.mjs <worker-module> <port> <state-dir>");
  process.exit(2);
}

const mf = new Miniflare({
  modules: true,
  scriptPath: path.resolve(script),
  modulesRules: [
    { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
  ],
  compatibilityDate: "2026-04-01",
  compatibilityFlags: [],
  d1Databases: { DB: "00000000-0000-4000-8000-000000000000" },
  kvNamespaces: { KV: "00000000000000000000000000000000" },
  d1Persist: path.join(state, "v3/d1"),
  kvPersist: path.join(state, "v3/kv"),
  bindings: {
    REQUIRE_TLS: "false",
    // Off unless the caller asks (`RATE_LIMIT_PER_MINUTE=1000000 cargo xtask bench worker`
    // measures what counting every attempt in D1 costs without ever refusing one).
    RATE_LIMIT_PER_MINUTE: process.env.RATE_LIMIT_PER_MINUTE ?? "0",
    CAMPAIGN_RATE_LIMIT_PER_MINUTE: process.env.CAMPAIGN_RATE_LIMIT_PER_MINUTE ?? "0",
    ADMIN_TOKEN: "bench-admin-token",
    OUTBOX_SECRET: "bench-outbox-secret",
  },
  host: "127.0.0.1",
  port: Number(port),
});
await mf.ready;
console.log("ready");
const stop = async () => { await mf.dispose(); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
