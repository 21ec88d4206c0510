//! Worker benchmarks for `cargo xtask bench`: the Rust Worker and the JavaScript peer
//! (`bench/js-peer/worker.mjs`) under workerd through Miniflare's API (`edge/serve.mjs`),
//! without wrangler dev's proxy, each on its own fresh local D1/KV; a bounded load generator
//! on 127.0.0.1 (threads with keep-alive connections, a fixed number of requests); CPU per
//! request read from the workerd processes' /proc counters; the scale run with 1 000 and
//! 1 000 000 accounts in local D1.

use crate::bench::Figure;
use crate::tools::Tools;
use crate::{build, fail, root, Failure, Outcome};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ADMIN: &str = "Bearer bench-admin-token";
/// Requests per throughput run and the connections they share.
const REQUESTS: usize = 240;
const CONNECTIONS: usize = 8;

/// A Worker served by edge/serve.mjs in its own process group.
struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        crate::proc::stop_group(&mut self.child, Duration::from_secs(5));
    }
}

impl Served {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Resident anonymous memory (KiB) of the workerd processes serving this Worker.
    fn rss_anon_kib(&self) -> u64 {
        rss_anon_of_group(self.child.id() as i32)
    }

    /// CPU seconds used so far by the workerd processes serving this Worker.
    fn cpu_seconds(&self) -> f64 {
        let mut ticks = 0u64;
        for (_, fields) in workerd_in_group(self.child.id() as i32) {
            ticks += fields.get(11).and_then(|t| t.parse::<u64>().ok()).unwrap_or(0)
                + fields.get(12).and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
        }
        // SAFETY: sysconf has no preconditions.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        ticks as f64 / per_second
    }
}

fn serve(tools: &Tools, script: &Path, state: &Path) -> Outcome<Served> {
    serve_with(tools, script, state, &shipped())
}

/// The shipped wrangler configuration (`edge/wrangler.toml`).
fn shipped() -> PathBuf {
    root().join("edge/wrangler.toml")
}

/// Serves `script` with the D1 bindings and variables of the wrangler configuration `config`.
fn serve_with(tools: &Tools, script: &Path, state: &Path, config: &Path) -> Outcome<Served> {
    serve_opts(tools, script, state, config, &[], &[])
}

/// [`serve_with`], with environment variables for serve.mjs (rate limits) and more of its
/// options (`--edge`, `--mail <dir>`).
fn serve_opts(
    tools: &Tools,
    script: &Path,
    state: &Path,
    config: &Path,
    env: &[(&str, &str)],
    options: &[&str],
) -> Outcome<Served> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut child = tools
        .command("node")
        .current_dir(tree())
        .arg("edge/serve.mjs")
        .arg("--script")
        .arg(script)
        .args(["--port", &port.to_string()])
        .arg("--state")
        .arg(state)
        .arg("--wrangler")
        .arg(config)
        .args(options)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .process_group(0)
        .spawn()
        .map_err(|e| Failure(format!("could not start node edge/serve.mjs: {e}")))?;
    let stdout = child.stdout.take().expect("piped");
    let served = Served { child, base: format!("http://127.0.0.1:{port}") };
    let ready = BufReader::new(stdout).lines().map_while(Result::ok).any(|line| line.trim() == "ready");
    if !ready {
        return fail(format!("edge/serve.mjs did not start {}", script.display()));
    }
    Ok(served)
}

/// A fresh local D1/KV folder with the migrations and the demo campaign applied.
fn fresh_state(tools: &Tools, name: &str) -> Outcome<PathBuf> {
    fresh_state_with(tools, name, &shipped())
}

/// A fresh local D1/KV folder with the migrations of every D1 database of `config` applied,
/// and the demo campaign.
fn fresh_state_with(tools: &Tools, name: &str, config: &Path) -> Outcome<PathBuf> {
    let state = root().join("target/bench").join(name);
    if state.exists() {
        std::fs::remove_dir_all(&state)?;
    }
    std::fs::create_dir_all(&state)?;
    for binding in crate::dev::d1_bindings_of(config)? {
        let migrate = tools
            .wrangler()
            .args(["d1", "migrations", "apply", &binding, "--local", "--persist-to"])
            .arg(&state)
            .arg("--config")
            .arg(config)
            .output()?;
        if !migrate.status.success() {
            return fail(format!("{binding} migrations: {}", String::from_utf8_lossy(&migrate.stderr)));
        }
    }
    let seed = std::fs::read_to_string(root().join("edge/seeds/demo-campaign.sql"))?.replace("{origins}", "[]");
    d1_in(tools, &state, config, "DB", &seed)?;
    Ok(state)
}

/// Runs SQL on a state folder's local directory database (while no Worker serves it).
fn d1(tools: &Tools, state: &Path, sql: &str) -> Outcome {
    d1_in(tools, state, &shipped(), "DB", sql)
}

/// Runs SQL on one D1 database (`binding` of `config`) of a state folder.
fn d1_in(tools: &Tools, state: &Path, config: &Path, binding: &str, sql: &str) -> Outcome {
    let file = state.join("bench.sql");
    std::fs::write(&file, sql)?;
    let out = tools
        .wrangler()
        .args(["d1", "execute", binding, "--local", "--file"])
        .arg(&file)
        .arg("--persist-to")
        .arg(state)
        .arg("--config")
        .arg(config)
        .output()?;
    if !out.status.success() {
        return fail(format!(
            "d1 execute: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// One request of a workload: method-less POST of `body` with `headers` to `path`.
struct Request {
    path: String,
    content_type: &'static str,
    headers: Vec<(String, String)>,
    body: String,
}

/// What a workload measured.
struct Run {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu_ms: f64,
    failures: usize,
}

impl Run {
    fn describe(&self) -> String {
        let failed = if self.failures > 0 { format!(", {} unexpected answers", self.failures) } else { String::new() };
        format!(
            "{:.0} signups/s, p50 {:.1} ms, p99 {:.1} ms, CPU {:.1} ms/request{failed}",
            self.per_second, self.p50_ms, self.p99_ms, self.cpu_ms
        )
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Sends `count` requests made by `make(i)` over `connections` keep-alive connections and
/// measures; an answer with another status than `expect` counts as a failure.
fn load(
    served: &Served,
    count: usize,
    connections: usize,
    expect: u16,
    make: impl Fn(usize) -> Request + Send + Sync + 'static,
) -> Run {
    let make = Arc::new(make);
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = served.cpu_seconds();
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (make, next, base) = (make.clone(), next.clone(), served.base.clone());
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build();
                let mut measured = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= count {
                        return measured;
                    }
                    let request = make(i);
                    let mut call =
                        agent.post(&format!("{base}{}", request.path)).set("content-type", request.content_type);
                    for (name, value) in &request.headers {
                        call = call.set(name, value);
                    }
                    let sent = Instant::now();
                    let status = match call.send_string(&request.body) {
                        Ok(response) => {
                            let status = response.status();
                            let _ = response.into_string();
                            status
                        }
                        Err(ureq::Error::Status(status, response)) => {
                            let _ = response.into_string();
                            status
                        }
                        Err(_) => 0,
                    };
                    measured.push((sent.elapsed().as_secs_f64() * 1000.0, status));
                }
            })
        })
        .collect();
    let results: Vec<(f64, u16)> = workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect();
    let wall = started.elapsed().as_secs_f64();
    let cpu = served.cpu_seconds() - cpu_before;
    let mut latencies: Vec<f64> = results.iter().map(|(ms, _)| *ms).collect();
    latencies.sort_by(|a, b| a.total_cmp(b));
    Run {
        per_second: count as f64 / wall,
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
        cpu_ms: cpu * 1000.0 / count as f64,
        failures: results.iter().filter(|(_, status)| *status != expect).count(),
    }
}

fn admin(served: &Served, path: &str, body: Value) -> Outcome<Value> {
    let answer = ureq::post(&served.url(path)).set("authorization", ADMIN).send_json(body);
    match answer {
        Ok(response) => Ok(response.into_json()?),
        Err(e) => fail(format!("admin {path}: {e}")),
    }
}

fn native(campaign: &str, key: &str, email: String, password: &str) -> Request {
    Request {
        path: "/v1/accounts".into(),
        content_type: "application/json",
        headers: vec![("x-publishable-key".into(), key.into())],
        body: json!({"campaign": campaign, "email": email, "password": password}).to_string(),
    }
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

/// Throughput, latency and CPU per signup for the native route and every dialect, and for
/// the JavaScript peer; the Worker's upload size.
pub fn throughput(tools: &Tools) -> Outcome<Vec<Figure>> {
    build::worker(tools)?;
    for peer in PEERS {
        crate::bench::capture(
            &format!("bundle the JavaScript peer Worker hashing with {} (esbuild)", peer.hash),
            tools
                .command(root().join("node_modules/.bin/esbuild"))
                .current_dir(root())
                .args([
                    "bench/js-peer/worker.mjs",
                    "--bundle",
                    "--format=esm",
                    "--loader:.fc=text",
                    "--log-level=warning",
                ])
                .args(["--external:node:crypto", &format!("--define:PEER_HASH=\"{}\"", peer.hash)])
                .arg(format!("--outfile={}", peer.bundle().display())),
        )?;
    }
    let mut figures = Vec::new();

    println!("==> Rust Worker under workerd (Miniflare, no wrangler proxy): {REQUESTS} requests per route, {CONNECTIONS} connections");
    let rust = serve(tools, &root().join("edge/build/worker/shim.mjs"), &fresh_state(tools, "rust")?)?;
    let key = admin(&rust, "/admin/campaigns", json!({"id": "bench", "name": "Bench"}))?["publishable_key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let operator = admin(
        &rust,
        "/admin/operators",
        json!({"name": "Bench", "permissions": ["accounts:create", "accounts:update", "owner"], "campaigns": ["bench"]}),
    )?["credentials"]
        .clone();
    let password = "Bench-Pass-2027!";
    let k = key.clone();
    let native_run =
        load(&rust, REQUESTS, CONNECTIONS, 201, move |i| native("bench", &k, format!("n{i}@example.com"), password));
    let k = key.clone();
    let refused =
        load(&rust, REQUESTS, CONNECTIONS, 422, move |i| native("bench", &k, format!("not-an-email-{i}"), password));
    let bearer = format!("Bearer {}", operator["bearer"].as_str().unwrap_or_default());
    let poken = load(&rust, REQUESTS, CONNECTIONS, 200, move |i| Request {
        path: "/poken/account/create".into(),
        content_type: "application/x-www-form-urlencoded",
        headers: vec![("authorization".into(), bearer.clone())],
        body: format!("campaignId=bench&alias=ada{i}&password={password}&email=p{i}%40example.com"),
    });
    let api_key = operator["api_key"].as_str().unwrap_or_default().to_owned();
    let getresponse = load(&rust, REQUESTS, CONNECTIONS, 200, move |i| Request {
        path: "/getresponse".into(),
        content_type: "application/json",
        headers: vec![],
        body: json!({"method": "add_account", "id": i, "params": [api_key, {
            "password": password, "first_name": "G", "last_name": "R", "email": format!("g{i}@example.com"),
            "phone": "1", "country_code": "PL", "country": "Poland", "city": "G", "street": "S", "zip_code": "1",
            "campaign": {"name": "n", "confirmation_subject": "s", "confirmation_body": "b"}}]})
        .to_string(),
    });
    let md = operator["movedigital"].clone();
    let movedigital = load(&rust, REQUESTS, CONNECTIONS, 200, move |i| {
        Request {
        path: "/movedigital/services/rest/".into(),
        content_type: "application/x-www-form-urlencoded",
        headers: vec![],
        body: format!(
            "method=movedigital.accounts.proxy.createAccount&userid={}&sessionid={}&session={}&username=md{i}&password=x&confirm_password=x&email=m{i}%40example.com&eula_agree=yes&security_question=Pet%3F&security_answer=Rex",
            md["userid"].as_str().unwrap_or_default(),
            md["sessionid"].as_str().unwrap_or_default(),
            md["session"].as_str().unwrap_or_default()
        ),
    }
    });
    let auth = basic(
        operator["basic"]["user"].as_str().unwrap_or_default(),
        operator["basic"]["password"].as_str().unwrap_or_default(),
    );
    let engagement = load(&rust, REQUESTS, CONNECTIONS, 200, move |i| Request {
        path: "/engagement/users".into(),
        content_type: "application/json;charset=UTF-8",
        headers: vec![("authorization".into(), auth.clone())],
        body: json!({"firstName": "E", "lastName": "U", "email": format!("e{i}@example.com"), "country": "India"})
            .to_string(),
    });
    drop(rust);

    let mut peers = Vec::new();
    for peer in PEERS {
        println!(
            "==> JavaScript peer ({}) under workerd (Miniflare): {REQUESTS} requests, {CONNECTIONS} connections",
            peer.hash
        );
        let js_state = fresh_state(tools, &format!("js-peer-{}", peer.hash))?;
        d1(
            tools,
            &js_state,
            "INSERT INTO campaigns (id, name, allowed_origins, policy, publishable_key, created_at_ms) \
             VALUES ('bench', 'Bench', '[]', '{}', 'pk_bench_js_peer', 0);",
        )?;
        let js = serve_opts(tools, &peer.bundle(), &js_state, &shipped(), &[], &["--compat", "nodejs_compat"])?;
        let created = load(&js, REQUESTS, CONNECTIONS, 201, move |i| {
            native("bench", "pk_bench_js_peer", format!("n{i}@example.com"), password)
        });
        let refused = load(&js, REQUESTS, CONNECTIONS, 422, move |i| {
            native("bench", "pk_bench_js_peer", format!("not-an-email-{i}"), password)
        });
        drop(js);
        peers.push((peer, created, refused));
    }
    let scrypt_peer = &peers[0].1;
    let (peer, peer_refused) = (&peers[2].1, &peers[2].2);
    for (what, run) in [
        ("Worker, native `POST /v1/accounts` (argon2id 19 MiB × 2)", &native_run),
        ("Worker, Poken create (operator bearer, campaignId)", &poken),
        ("Worker, GetResponse `add_account` (API key)", &getresponse),
        ("Worker, MoveDigital `createAccount` (proxy session)", &movedigital),
        ("Worker, Engagement `POST /engagement/users` (Basic, no password)", &engagement),
        ("Worker, native signup refused by the rules (422: no hash, no insert)", &refused),
        ("JavaScript peer (argon2 build), refused by the rules (422)", peer_refused),
    ] {
        figures.push(Figure { what: what.into(), value: run.describe() });
    }
    for (peer, created, _) in &peers {
        figures.push(Figure {
            what: format!("JavaScript peer, the same native signup, {}", peer.label),
            value: created.describe(),
        });
    }
    figures.push(Figure {
        what:
            "**Worker ÷ JavaScript peer with node:crypto scrypt (better-auth's N=16384, r=16, p=1), native signups/s**"
                .into(),
        value: format!("{:.2}", native_run.per_second / scrypt_peer.per_second),
    });
    figures.push(Figure {
        what: "Worker ÷ JavaScript peer with WebCrypto PBKDF2-SHA256 100 000, native signups/s".into(),
        value: format!("{:.2}", native_run.per_second / peers[1].1.per_second),
    });
    figures.push(Figure {
        what: "Worker ÷ JavaScript peer with pure-JS argon2id (same cost as the Worker), native signups/s".into(),
        value: format!("{:.2}", native_run.per_second / peer.per_second),
    });
    figures.push(Figure {
        what: "Worker ÷ JavaScript peer, refused signups/s (everything but the hash and the insert; the peers share that code)".into(),
        value: format!("{:.2}", refused.per_second / peer_refused.per_second),
    });
    figures.push(Figure {
        what: "**Worker CPU per signup, excluding the hash** (budget ≤ 1 ms): a native signup refused after parsing, the campaign look-up and validation".into(),
        value: format!("{:.2} ms", refused.cpu_ms),
    });
    figures.push(Figure {
        what: "Worker CPU per signup, including the hash (native, created)".into(),
        value: format!("{:.1} ms", native_run.cpu_ms),
    });
    figures.push(upload_size()?);
    figures.extend(hash_floor(tools, native_run.cpu_ms - refused.cpu_ms)?);
    Ok(figures)
}

/// argon2id at the Worker's password cost natively on this machine: the `argon2` crate the
/// Worker uses, in a release build (`edge/examples/argon2_floor.rs`), and the reference C
/// implementation (Debian's `argon2`), each the median of 30; beside the Worker's CPU per hash
/// (a created signup's CPU less a refused one's).
fn hash_floor(tools: &Tools, worker_hash_ms: f64) -> Outcome<Vec<Figure>> {
    let out = crate::bench::capture(
        "argon2id natively (argon2 crate, release)",
        tools.command("cargo").current_dir(root()).args([
            "run",
            "--release",
            "-q",
            "-p",
            "enlist-edge",
            "--example",
            "argon2_floor",
        ]),
    )?;
    let crate_ms: f64 = out
        .lines()
        .find_map(|l| l.strip_prefix("BENCH argon2id_19MiB_t2_p1_native_(argon2_crate,_median_of_30) "))
        .and_then(|v| v.trim_end_matches(" ms").parse().ok())
        .ok_or_else(|| Failure(format!("no figure from the argon2 floor:\n{out}")))?;
    crate::tools::ensure_argon2_cli()?;
    let mut reference = Vec::new();
    for round in 0..33 {
        let mut child = std::process::Command::new("/usr/bin/argon2")
            .args(["enlist-bench-salt", "-id", "-t", "2", "-k", "19456", "-p", "1", "-l", "32"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        use std::io::Write;
        child.stdin.take().map(|mut i| i.write_all(b"Bench-Pass-2027!"));
        let out = String::from_utf8_lossy(&child.wait_with_output()?.stdout).into_owned();
        let seconds: f64 = out
            .lines()
            .find_map(|l| l.strip_suffix(" seconds"))
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| Failure(format!("argon2 printed no time:\n{out}")))?;
        if round >= 3 {
            reference.push(seconds * 1000.0);
        }
    }
    reference.sort_by(f64::total_cmp);
    let reference_ms = reference[reference.len() / 2];
    Ok(vec![
        Figure {
            what: "argon2id 19 MiB × 2 natively: the argon2 crate (release) / the reference C implementation (Debian `argon2`, ms resolution)".into(),
            value: format!("{crate_ms:.1} / {reference_ms:.0} ms per hash (median of 30)"),
        },
        Figure {
            what: "**The Worker's CPU per hash ÷ the native floor** (a created signup's CPU less a refused one's, ÷ the crate natively / ÷ the C reference)".into(),
            value: format!(
                "{worker_hash_ms:.1} ms: {:.2} / {:.2}",
                worker_hash_ms / crate_ms,
                worker_hash_ms / reference_ms
            ),
        },
    ])
}

/// What `wrangler deploy` uploads: the wasm module and its JS glue, gzip.
fn upload_size() -> Outcome<Figure> {
    let build = root().join("edge/build");
    let mut gz = 0;
    for file in ["index_bg.wasm", "index.js", "worker/shim.mjs"] {
        gz += crate::bench::gzip_len(&std::fs::read(build.join(file))?)?;
    }
    Ok(Figure {
        what: "Worker upload size (wasm + glue, gzip) against the free plan's 3 MB".into(),
        value: format!("{} ({:.0} % of 3 MB)", crate::bench::kib(gz), gz as f64 * 100.0 / 3_000_000.0),
    })
}

/// A wrangler configuration like the shipped one with `n` account databases (the scale run's
/// look-up across 1, 2 and 4 of them).
fn with_account_databases(n: usize) -> Outcome<PathBuf> {
    let edge = root().join("edge");
    let mut toml = format!(
        "name = \"enlist-bench\"\ncompatibility_date = \"2026-04-01\"\n\n[[d1_databases]]\nbinding = \"DB\"\n\
         database_name = \"enlist\"\ndatabase_id = \"00000000-0000-4000-8000-000000000000\"\nmigrations_dir = \"{}\"\n",
        edge.join("migrations").display()
    );
    for k in 1..=n {
        toml += &format!(
            "\n[[d1_databases]]\nbinding = \"ACCOUNTS_{k}\"\ndatabase_name = \"enlist-accounts-{k}\"\n\
             database_id = \"00000000-0000-4000-8000-{k:012}\"\nmigrations_dir = \"{}\"\n",
            edge.join("migrations-accounts").display()
        );
    }
    let names: Vec<String> = (1..=n).map(|k| format!("ACCOUNTS_{k}")).collect();
    toml += &format!("\n[vars]\nACCOUNT_DATABASES = \"{}\"\n", names.join(","));
    let file = root().join(format!("target/bench/wrangler-{n}-databases.toml"));
    std::fs::create_dir_all(root().join("target/bench"))?;
    std::fs::write(&file, toml)?;
    Ok(file)
}

/// One scale setting: a state folder whose account databases (every D1 binding of `config` but
/// the directory) each hold one campaign `c<k>` (key `pk_bench_c<k>`) and, after
/// [`Spread::seed`], its share of the seeded accounts.
struct Spread {
    config: PathBuf,
    state: PathBuf,
    databases: Vec<String>,
}

impl Spread {
    fn new(tools: &Tools, name: &str, config: PathBuf) -> Outcome<Self> {
        let state = fresh_state_with(tools, name, &config)?;
        let databases: Vec<String> = crate::dev::d1_bindings_of(&config)?.into_iter().filter(|b| b != "DB").collect();
        let campaigns: String = databases
            .iter()
            .enumerate()
            .map(|(k, binding)| {
                format!(
                    "INSERT INTO campaigns (id, name, allowed_origins, policy, publishable_key, accounts_db, created_at_ms) \
                     VALUES ('c{k}', 'Bench {k}', '[]', '{{}}', 'pk_bench_c{k}', '{binding}', 0);"
                )
            })
            .collect();
        d1_in(tools, &state, &config, "DB", &campaigns)?;
        Ok(Self { config, state, databases })
    }

    /// Seeds accounts `from..=to` (`seed<i>@example.com`), account `i` in campaign
    /// `c<i mod n>` on that campaign's database. Seeded numbers sit above the Worker's random
    /// nine-digit ones, so the Worker's signups never collide with them.
    fn seed(&self, tools: &Tools, from: usize, to: usize) -> Outcome {
        let n = self.databases.len();
        for (k, binding) in self.databases.iter().enumerate() {
            let sql = format!(
                "WITH RECURSIVE n(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM n WHERE i < {to}) \
                 INSERT INTO accounts (id, number, campaign_id, email, email_normalized, alias, alias_normalized, dialect, created_at_ms) \
                 SELECT 'acc_seed' || i, 1000000000 + i, 'c{k}', 'seed' || i || '@example.com', 'seed' || i || '@example.com', \
                 'seed' || i, 'seed' || i, 'native', 0 FROM n WHERE i % {n} = {k};"
            );
            d1_in(tools, &self.state, &self.config, binding, &sql)?;
        }
        Ok(())
    }

    fn serve(&self, tools: &Tools) -> Outcome<Served> {
        serve_with(tools, &root().join("edge/build/worker/shim.mjs"), &self.state, &self.config)
    }
}

/// p50 of 100 sequential admin look-ups by e-mail of seeded accounts (`seed<accounts - i>`),
/// each asking every database.
fn lookup_p50(served: &Served, accounts: usize) -> f64 {
    let mut times = Vec::new();
    for i in 0..100 {
        let sent = Instant::now();
        let _ = ureq::get(&served.url(&format!("/admin/accounts?email=seed{}%40example.com", accounts - i)))
            .set("authorization", ADMIN)
            .call();
        times.push(sent.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    percentile(&times, 0.5)
}

/// Signup and duplicate-check latency with 1 000 and with 1 000 000 accounts spread over the
/// shipped account databases, and the cost of the admin look-up by e-mail (which asks every
/// database) with 1 000 000 accounts over 1, 2 and 4 databases.
pub fn scale(tools: &Tools) -> Outcome<Vec<Figure>> {
    let spread = Spread::new(tools, "scale", shipped())?;
    let n = spread.databases.len();
    let mut measured = Vec::new();
    for (accounts, from) in [(1_000usize, 1usize), (1_000_000, 1_001)] {
        let started = Instant::now();
        spread.seed(tools, from, accounts)?;
        println!("==> scale: {accounts} accounts over {n} account databases (seeded in {:.0?})", started.elapsed());
        let served = spread.serve(tools)?;
        // Campaign c0's signups and duplicates: every n-th seeded account is c0's.
        let signup = load(&served, 100, 1, 201, move |i| {
            native("c0", "pk_bench_c0", format!("scale{accounts}-{i}@example.com"), "Bench-Pass-2027!")
        });
        let duplicate = load(&served, 100, 1, 409, move |i| {
            native("c0", "pk_bench_c0", format!("seed{}@example.com", accounts - i * n), "Bench-Pass-2027!")
        });
        let lookup = lookup_p50(&served, accounts);
        measured.push((accounts, signup, duplicate, lookup));
    }
    let mut figures = Vec::new();
    for (accounts, signup, duplicate, lookup) in &measured {
        figures.push(Figure {
            what: format!(
                "{accounts} accounts over {n} account databases: signup p50 / duplicate (409) p50 / e-mail look-up across every database p50, sequential"
            ),
            value: format!("{:.1} ms / {:.1} ms / {:.1} ms", signup.p50_ms, duplicate.p50_ms, lookup),
        });
    }
    if let [(_, s1, d1, l1), (_, s2, d2, l2)] = &measured[..] {
        figures.push(Figure {
            what: "**1 M ÷ 1 k latency**: signup / duplicate / look-up (budget ≤ 1.2)".into(),
            value: format!("{:.2} / {:.2} / {:.2}", s2.p50_ms / s1.p50_ms, d2.p50_ms / d1.p50_ms, l2 / l1),
        });
    }
    figures.extend(organiser_figures(tools)?);
    let mut by_databases = Vec::new();
    for databases in [1usize, 2, 4] {
        let spread = Spread::new(tools, &format!("scale-{databases}"), with_account_databases(databases)?)?;
        let started = Instant::now();
        spread.seed(tools, 1, 1_000_000)?;
        println!(
            "==> scale: 1 000 000 accounts over {databases} account databases (seeded in {:.0?})",
            started.elapsed()
        );
        let served = spread.serve(tools)?;
        by_databases.push(format!("{databases}: {:.1} ms", lookup_p50(&served, 1_000_000)));
    }
    figures.push(Figure {
        what:
            "Admin look-up by e-mail across every database, 1 M accounts spread over 1 / 2 / 4 account databases, p50"
                .into(),
        value: by_databases.join(" · "),
    });
    Ok(figures)
}

/// The organiser's side at scale: the CSV export of 100 000 and of 1 000 000 accounts
/// (accounts/s, and workerd's peak resident anonymous memory above its level before), and a
/// page of 100 accounts at page 1 and at page 1 000 (keyset paging).
fn organiser_figures(tools: &Tools) -> Outcome<Vec<Figure>> {
    let spread = Spread::new(tools, "organisers", shipped())?;
    let mut figures = Vec::new();
    for (campaign, accounts, numbers) in
        [("export_100k", 100_000usize, 2_000_000_000u64), ("export_1m", 1_000_000, 3_000_000_000)]
    {
        let database = &spread.databases[0];
        d1_in(
            tools,
            &spread.state,
            &spread.config,
            "DB",
            &format!(
                "INSERT INTO campaigns (id, name, allowed_origins, policy, publishable_key, accounts_db, created_at_ms) \
                 VALUES ('{campaign}', 'Export', '[]', '{{}}', 'pk_bench_{campaign}', '{database}', 0);"
            ),
        )?;
        let sql = format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {accounts}) \
             INSERT INTO accounts (id, number, campaign_id, email, email_normalized, alias, alias_normalized, dialect, created_at_ms) \
             SELECT 'acc_{campaign}_' || i, {numbers} + i, '{campaign}', '{campaign}' || i || '@example.com', \
             '{campaign}' || i || '@example.com', NULL, NULL, 'native', i FROM n;"
        );
        d1_in(tools, &spread.state, &spread.config, database, &sql)?;
        let served = spread.serve(tools)?;
        let before = served.rss_anon_kib();
        let peak = Arc::new(std::sync::atomic::AtomicU64::new(before));
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let group = served.child.id() as i32;
        let sampler = {
            let (peak, done) = (Arc::clone(&peak), Arc::clone(&done));
            std::thread::spawn(move || {
                while !done.load(Ordering::SeqCst) {
                    peak.fetch_max(rss_anon_of_group(group), Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
        };
        let started = Instant::now();
        let response = ureq::get(&served.url(&format!("/admin/campaigns/{campaign}/accounts.csv")))
            .set("authorization", ADMIN)
            .timeout(Duration::from_secs(1800))
            .call()
            .map_err(|e| Failure(format!("export: {e}")))?;
        let mut reader = response.into_reader();
        let mut buffer = vec![0u8; 256 * 1024];
        let (mut bytes, mut lines) = (0usize, 0usize);
        loop {
            let read = std::io::Read::read(&mut reader, &mut buffer)?;
            if read == 0 {
                break;
            }
            bytes += read;
            lines += buffer[..read].iter().filter(|b| **b == b'\n').count();
        }
        let seconds = started.elapsed().as_secs_f64();
        done.store(true, Ordering::SeqCst);
        let _ = sampler.join();
        if lines != accounts + 1 {
            return fail(format!("the export of {accounts} accounts had {lines} lines"));
        }
        let grown = peak.load(Ordering::SeqCst).saturating_sub(before);
        println!("==> export: {accounts} accounts, {bytes} bytes in {seconds:.1} s");
        figures.push(Figure {
            what: format!("CSV export of {accounts} accounts: accounts/s, workerd resident memory above its level before (peak, includes what V8 has not yet collected)"),
            value: format!("{:.0} accounts/s ({:.1} MB in {seconds:.1} s), +{:.1} MiB", accounts as f64 / seconds, bytes as f64 / 1e6, grown as f64 / 1024.0),
        });
        if accounts == 1_000_000 {
            // Page 1 and page 1 000 of 100 accounts each, walking the cursors.
            let mut cursor: Option<String> = None;
            let (mut first, mut thousandth) = (0.0, 0.0);
            for page in 1..=1000 {
                let path = match &cursor {
                    None => format!("/admin/campaigns/{campaign}/accounts?limit=100"),
                    Some(c) => format!("/admin/campaigns/{campaign}/accounts?limit=100&cursor={c}"),
                };
                let sent = Instant::now();
                let answer: Value = ureq::get(&served.url(&path))
                    .set("authorization", ADMIN)
                    .call()
                    .map_err(|e| Failure(format!("paging: {e}")))?
                    .into_json()?;
                let ms = sent.elapsed().as_secs_f64() * 1000.0;
                if page == 1 {
                    first = ms;
                }
                if page == 1000 {
                    thousandth = ms;
                }
                cursor = answer["next_cursor"].as_str().map(str::to_owned);
            }
            figures.push(Figure {
                what: "A page of 100 of 1 000 000 accounts (keyset paging): page 1 / page 1 000".into(),
                value: format!("{first:.1} ms / {thousandth:.1} ms"),
            });
        }
    }
    Ok(figures)
}

/// The workerd processes of a process group: each one's /proc folder and the fields of its
/// `stat` after the command name (state, ppid, pgrp, ...).
fn workerd_in_group(group: i32) -> Vec<(PathBuf, Vec<String>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // pid (comm) state ppid pgrp ...: fields after the closing parenthesis.
        let Some((head, rest)) = stat.rsplit_once(") ") else { continue };
        let fields: Vec<String> = rest.split_whitespace().map(str::to_owned).collect();
        if head.ends_with("workerd") && fields.get(2).and_then(|g| g.parse::<i32>().ok()) == Some(group) {
            found.push((entry.path(), fields));
        }
    }
    found
}

/// Resident anonymous memory (KiB) of the workerd processes in a process group.
fn rss_anon_of_group(group: i32) -> u64 {
    let mut total = 0;
    for (dir, _) in workerd_in_group(group) {
        let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
        let rss = status.lines().find_map(|l| l.strip_prefix("RssAnon:")).unwrap_or_default();
        total += rss.trim().trim_end_matches("kB").trim().parse::<u64>().unwrap_or(0);
    }
    total
}

/// The abuse limits and the outbox under load: a legitimate signup's latency alone and while a
/// flood of refused signups from one address hits the rate-limiting binding at the same time;
/// e-mails delivered per second through the local queue, consumer and e-mail binding.
pub fn outbox(tools: &Tools) -> Outcome<Vec<Figure>> {
    // Another checkout (ENLIST_BENCH_TREE, its Worker already built): its own Worker, serve.mjs,
    // wrangler.toml and migrations, for the flood figures before a change.
    let other = std::env::var_os("ENLIST_BENCH_TREE").is_some();
    if !other {
        build::worker(tools)?;
    }
    let mut figures = Vec::new();
    let script = tree().join("edge/build/worker/shim.mjs");
    let config = tree().join("edge/wrangler.toml");
    let commit = crate::proc::output(
        std::process::Command::new("git").args(["rev-parse", "--short", "HEAD"]).current_dir(tree()),
    )
    .unwrap_or_default();
    let of_tree = if other { format!(" [the Worker of commit {}]", commit.trim()) } else { String::new() };

    println!("==> legitimate signups alone, then under a flood (RATE_LIMIT_PER_MINUTE=60){of_tree}");
    let limits = [("RATE_LIMIT_PER_MINUTE", "60"), ("CAMPAIGN_RATE_LIMIT_PER_MINUTE", "6000")];
    let served = serve_opts(tools, &script, &fresh_state_with(tools, "flood", &config)?, &config, &limits, &[])?;
    let password = "Bench-Pass-2027!";
    // Each legitimate signup from its own address (CF-Connecting-IP: without serve.mjs's
    // front, workerd takes the client's own header, as a benchmark needs).
    let legit = |offset: usize| {
        move |i: usize| {
            let mut request = native("demo", "pk_demo_local_only", format!("l{}@example.com", i + offset), password);
            let n = i + offset;
            request.headers.push(("cf-connecting-ip".into(), format!("10.1.{}.{}", n / 250, n % 250 + 1)));
            request
        }
    };
    const LEGIT: usize = 60;
    let alone = load(&served, LEGIT, 1, 201, legit(0));
    let flood_stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flooded = Arc::new(AtomicUsize::new(0));
    let flooders: Vec<_> = (0..6)
        .map(|_| {
            let (stop, flooded, url) = (flood_stop.clone(), flooded.clone(), served.url("/v1/accounts"));
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build();
                while !stop.load(Ordering::SeqCst) {
                    let answer = agent
                        .post(&url)
                        .set("content-type", "application/json")
                        .set("x-publishable-key", "pk_demo_local_only")
                        .set("cf-connecting-ip", "10.9.9.9")
                        .send_string(r#"{"campaign": "demo", "email": "not-an-email", "password": "x"}"#);
                    if matches!(answer, Err(ureq::Error::Status(429, _))) {
                        flooded.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    let flood_started = (Instant::now(), flooded.load(Ordering::SeqCst));
    let under_flood = load(&served, LEGIT, 1, 201, legit(LEGIT));
    let refused_per_s =
        (flooded.load(Ordering::SeqCst) - flood_started.1) as f64 / flood_started.0.elapsed().as_secs_f64();
    flood_stop.store(true, Ordering::SeqCst);
    for flooder in flooders {
        let _ = flooder.join();
    }
    drop(served);
    figures.push(Figure {
        what: format!("Legitimate native signup, alone (1 connection, each from its own address){of_tree}"),
        value: alone.describe(),
    });
    figures.push(Figure {
        what: format!("**Legitimate native signup under a flood** (6 connections of refused signups from one address, 429 from the rate limit){of_tree}"),
        // (CPU per request is left out here: the Worker's CPU then is mostly the flood's.)
        value: format!(
            "{:.0} signups/s, p50 {:.1} ms, p99 {:.1} ms, {} unexpected answers; the flood meanwhile: {refused_per_s:.0} refusals/s",
            under_flood.per_second, under_flood.p50_ms, under_flood.p99_ms, under_flood.failures
        ),
    });

    if other {
        // (A tree from before the outbox has nothing to send.)
        return Ok(figures);
    }
    println!("==> e-mails through the local queue, consumer and e-mail binding");
    const MAILS: usize = 1000;
    let state = fresh_state(tools, "mail")?;
    let mut seed = String::new();
    for i in 0..MAILS {
        seed.push_str(&format!(
            "INSERT INTO accounts (id, number, campaign_id, email, email_normalized, dialect, created_at_ms) \
             VALUES ('acc_mail{i}', {}, 'demo', 'm{i}@example.com', 'm{i}@example.com', 'native', 0);\n\
             INSERT INTO outbox (account_id, kind, send_at_ms, created_at_ms) VALUES ('acc_mail{i}', 'welcome', 0, 0);\n",
            100_000 + i
        ));
    }
    d1_in(tools, &state, &shipped(), "ACCOUNTS_1", &seed)?;
    let mail_dir = state.join("mail");
    let served = serve_opts(
        tools,
        &script,
        &state,
        &shipped(),
        &[],
        &["--edge", "--mail", mail_dir.to_str().unwrap_or_default()],
    )?;
    let sent = || std::fs::read_dir(&mail_dir).map_or(0, |d| d.count());
    let started = Instant::now();
    // The relay queues up to 100 rows per database and run: ten runs queue them all.
    for _ in 0..MAILS.div_ceil(RELAY_BATCH) {
        ureq::get(&served.url("/cdn-cgi/handler/scheduled")).call().map_err(|e| Failure(format!("cron: {e}")))?;
    }
    while sent() < MAILS && started.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let delivered = sent();
    drop(served);
    figures.push(Figure {
        what: format!("**E-mails delivered through the local queue** ({MAILS} due outbox rows: relay, queue, consumer, e-mail binding, .eml written)"),
        value: format!("{:.0} e-mails/s ({delivered} in {elapsed:.1} s)", delivered as f64 / elapsed),
    });
    Ok(figures)
}

/// A JavaScript peer: the hash it is built with (`PEER_HASH`) and its strength, said beside
/// its figures.
struct Peer {
    hash: &'static str,
    label: &'static str,
}

impl Peer {
    fn bundle(&self) -> PathBuf {
        root().join(format!("target/bench/js-peer-{}.mjs", self.hash))
    }
}

/// The fair peers first (what JavaScript Workers use), the pure-JS argon2id one last.
const PEERS: [Peer; 3] = [
    Peer {
        hash: "scrypt",
        label: "node:crypto scrypt N=16384 r=16 p=1 (32 MiB, native code in workerd; better-auth's default)",
    },
    Peer {
        hash: "pbkdf2",
        label: "WebCrypto PBKDF2-SHA256, 100 000 iterations (no memory cost; the most Workers allow)",
    },
    Peer { hash: "argon2", label: "argon2id 19 MiB × 2 passes in pure JS (@noble/hashes; the Worker's own cost)" },
];

/// The checkout whose Worker the benchmark serves: this one, or `ENLIST_BENCH_TREE`.
fn tree() -> PathBuf {
    std::env::var_os("ENLIST_BENCH_TREE").map(PathBuf::from).unwrap_or_else(root)
}

/// The relay's batch per database and run (edge/src/outbox.rs `RELAY_BATCH`).
const RELAY_BATCH: usize = 100;
