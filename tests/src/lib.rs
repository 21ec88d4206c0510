//! Helpers for the end-to-end tests: the real Worker under workerd (`edge/serve.mjs`, local
//! D1 and KV), one fresh state folder per Worker, stopped when the handle drops.
//!
//! `cargo xtask test` builds the Worker and the demo page, installs wrangler, and then runs
//! these tests; they refuse to run against a missing build rather than test something stale.

use serde_json::Value;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub mod webdriver;

/// The admin token the test Worker runs with.
pub const ADMIN_TOKEN: &str = "e2e-admin-token-not-a-real-secret";
/// The outbox secret the test Worker derives temporary passwords with.
pub const OUTBOX_SECRET: &str = "e2e-outbox-secret";
/// The local demo campaign every test Worker is seeded with (`edge/seeds/demo-campaign.sql`).
pub const DEMO_CAMPAIGN: &str = "demo";
pub const DEMO_KEY: &str = "pk_demo_local_only";

/// Where every Worker of a test run keeps its state and log, and where the run's secrets are
/// listed for the leak dump after the whole suite (`tests/tests/suite_leaks.rs`).
pub fn suite_dir() -> PathBuf {
    root().join("target/e2e")
}

/// The list of every secret the suite has sent or been given, one per line.
pub fn secrets_file() -> PathBuf {
    suite_dir().join("secrets.txt")
}

/// Adds a secret (a password typed into a page, say) to the run's list.
pub fn remember_secret(secret: &str) {
    use std::io::Write;
    let secret = secret.trim();
    // Short or numeric values (error codes, ids) would match by chance and are not secrets.
    if secret.chars().count() < 8 || secret.chars().all(|c| c.is_ascii_digit()) || secret.contains('\n') {
        return;
    }
    let _ = std::fs::create_dir_all(suite_dir());
    if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(secrets_file()) {
        // One write per line: appends from parallel tests do not interleave.
        let _ = file.write_all(format!("{secret}\n").as_bytes());
    }
}

/// Field names whose values are secrets, in any of the dialects' bodies, requests and answers.
const SECRET_FIELDS: [&str; 13] = [
    "password",
    "confirm_password",
    "security_answer",
    "securityAnswer",
    "api_key",
    "bearer",
    "session",
    "access_token",
    "code",
    "token",
    "ADMIN_TOKEN",
    "OUTBOX_SECRET",
    // A webhook's signing secret (shown once by PATCH /admin/campaigns/{id}).
    "secret",
];

/// Whether `value` under `key` is a secret. `code` is both an OAuth code (random letters and
/// digits) and a problem code (`required`, `email.invalid`): only the former is a secret.
fn is_secret_field(key: &str, value: &str) -> bool {
    SECRET_FIELDS.contains(&key)
        && (key != "code"
            || (value.bytes().any(|b| b.is_ascii_digit())
                && value.bytes().any(|b| b.is_ascii_alphabetic())
                && !value.contains('.')))
}

/// Finds secret values in a JSON, form-encoded or XML body and remembers them.
pub fn remember_secrets_in(body: &[u8]) {
    let Ok(text) = std::str::from_utf8(body) else { return };
    if let Ok(json) = serde_json::from_str::<Value>(text) {
        fn walk(value: &Value) {
            match value {
                Value::Object(map) => {
                    for (key, value) in map {
                        match value {
                            // A campaign policy names fields (`"password": "required"`), not secrets.
                            _ if key == "policy" => {}
                            Value::String(s) if is_secret_field(key, s) => remember_secret(s),
                            _ => walk(value),
                        }
                    }
                }
                Value::Array(items) => items.iter().for_each(walk),
                _ => {}
            }
        }
        walk(&json);
    } else if text.trim_start().starts_with('<') {
        for field in SECRET_FIELDS {
            for piece in text.split(&format!("<{field}>")).skip(1) {
                let value = piece.split('<').next().unwrap_or_default();
                if is_secret_field(field, value) {
                    remember_secret(value);
                }
            }
        }
    } else {
        for (key, value) in form_urlencoded::parse(text.as_bytes()) {
            if is_secret_field(&key, &value) {
                remember_secret(&value);
            }
        }
    }
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is in the workspace").to_path_buf()
}

/// wrangler as the tests run it (`ENLIST_WRANGLER`, else the project's own), from `edge/`.
pub fn wrangler() -> Command {
    let program = std::env::var_os("ENLIST_WRANGLER")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("node_modules/.bin/wrangler"));
    assert!(program.exists(), "wrangler is not installed at {}: run `cargo xtask test`", program.display());
    let mut cmd = Command::new(program);
    cmd.current_dir(root().join("edge")).env("WRANGLER_SEND_METRICS", "false").env("CI", "true");
    cmd
}

/// A running Worker on 127.0.0.1 with its own local D1/KV state.
pub struct Worker {
    child: Child,
    pub base: String,
    state: PathBuf,
    log: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

/// One Worker for every test of a test binary that asks for it (each test then works in its
/// own campaign): started on first use, stopped when the binary exits.
pub fn shared_worker() -> &'static Worker {
    static WORKER: std::sync::OnceLock<Worker> = std::sync::OnceLock::new();
    static GROUP: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);
    extern "C" fn stop_group() {
        let group = GROUP.load(Ordering::SeqCst);
        if group > 0 {
            // SAFETY: kill(2) on the process group the shared Worker was started in.
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
    }
    WORKER.get_or_init(|| {
        let worker = spawn_worker();
        GROUP.store(worker.child.id() as i32, Ordering::SeqCst);
        // SAFETY: registers a plain function with no captured state, run at process exit.
        unsafe { libc::atexit(stop_group) };
        worker
    })
}

/// Starts the Worker with migrations applied to a fresh state folder (plain HTTP allowed, as
/// in local development).
pub fn spawn_worker() -> Worker {
    spawn_worker_with(&[("REQUIRE_TLS", "false")])
}

/// Like [`spawn_worker`], with these Worker variables instead of the local-dev ones.
pub fn spawn_worker_with(vars: &[(&str, &str)]) -> Worker {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let state =
        root().join("target/e2e").join(format!("{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_dir_all(&state);
    std::fs::create_dir_all(&state).expect("create the state folder");
    spawn_worker_on(state, vars)
}

/// The D1 bindings of `edge/wrangler.toml` (the directory `DB`, then the account databases),
/// each of which gets its migrations applied before a local Worker starts.
pub fn d1_bindings() -> Vec<String> {
    let toml = std::fs::read_to_string(root().join("edge/wrangler.toml")).expect("edge/wrangler.toml");
    // Each block's first line is its binding (the file keeps to that).
    let bindings = toml.split("[[d1_databases]]").skip(1).filter_map(|block| {
        block.lines().find_map(|line| line.trim().strip_prefix("binding = \"")?.strip_suffix('"').map(str::to_owned))
    });
    bindings.collect()
}

/// Starts the Worker on an existing state folder (a restart after [`Worker::kill_hard`]);
/// migrations and the demo seed are re-applied, which leaves existing data as it is.
pub fn spawn_worker_on(state: PathBuf, vars: &[(&str, &str)]) -> Worker {
    remember_secret(ADMIN_TOKEN);
    remember_secret(OUTBOX_SECRET);
    let built = root().join("edge/build/worker/shim.mjs");
    assert!(built.exists(), "the Worker is not built ({}): run `cargo xtask test`", built.display());

    for binding in d1_bindings() {
        let migrate = wrangler()
            .args(["d1", "migrations", "apply", &binding, "--local", "--persist-to"])
            .arg(&state)
            .output()
            .expect("run wrangler");
        assert!(migrate.status.success(), "{binding} migrations failed:\n{}", String::from_utf8_lossy(&migrate.stderr));
    }

    // The port is chosen here and bound by node a moment later: another process (a workerd of
    // a test running beside this one takes ports the same way) may take it in between. Then
    // the runtime exits with EADDRINUSE at once, and the Worker starts again on another port,
    // seeded for that port's origin (the seed updates the demo campaign's origins).
    for attempt in 1..=3 {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let template = std::fs::read_to_string(root().join("edge/seeds/demo-campaign.sql")).expect("the demo seed");
        let seed = state.join("seed.sql");
        std::fs::write(&seed, template.replace("{origins}", &format!(r#"["{base}"]"#))).expect("write the seed");
        let seeded = wrangler()
            .args(["d1", "execute", "DB", "--local", "--file"])
            .arg(&seed)
            .arg("--persist-to")
            .arg(&state)
            .output()
            .expect("run wrangler");
        assert!(seeded.status.success(), "seeding failed:\n{}", String::from_utf8_lossy(&seeded.stderr));
        // Secrets through an env file, as `cargo xtask dev` does: never on a command line.
        let env_file = state.join("dev.vars");
        // The outbox retries at once here (OUTBOX_RETRY_SECONDS=0): tests wait for queues, not
        // for back-off; verification links point at this Worker.
        let mut env = format!(
            "ADMIN_TOKEN={ADMIN_TOKEN}\nRATE_LIMIT_PER_MINUTE=0\nCAMPAIGN_RATE_LIMIT_PER_MINUTE=0\nOUTBOX_SECRET={OUTBOX_SECRET}\n\
             PUBLIC_URL={base}\nOUTBOX_RETRY_SECONDS=0\n"
        );
        for (name, value) in vars {
            env.push_str(&format!("{name}={value}\n"));
        }
        std::fs::write(&env_file, env).expect("write dev.vars");
        let log = state.join("wrangler.log");
        let log_file = std::fs::File::create(&log).expect("create the log");
        // Under workerd through Miniflare, with the front that sets CF-Connecting-IP from the TCP
        // peer as Cloudflare's edge does (`edge/serve.mjs`); not `wrangler dev`, whose proxy
        // answers POSTs it lost on a loopback connection under load with a false 503.
        let child = Command::new("node")
            .current_dir(root())
            .arg("edge/serve.mjs")
            .arg("--script")
            .arg(&built)
            .args(["--port", &port.to_string()])
            .arg("--state")
            .arg(&state)
            .arg("--vars")
            .arg(&env_file)
            .arg("--assets")
            .arg(root().join("dist"))
            .arg("--mail")
            .arg(state.join("mail"))
            .arg("--edge")
            .env("WRANGLER_SEND_METRICS", "false")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log handle"))
            .stderr(log_file)
            .process_group(0)
            .spawn()
            .expect("start node edge/serve.mjs");
        let mut worker = Worker { child, base, state: state.clone(), log };
        match worker.wait_until_ready() {
            Ok(()) => return worker,
            Err(tail) if tail.contains("EADDRINUSE") && attempt < 3 => continue,
            Err(tail) => panic!("the local runtime exited:\n{tail}"),
        }
    }
    unreachable!("the last attempt returns or panics")
}

impl Worker {
    /// Every byte the Worker's local state holds (D1's and KV's files), for leak checks.
    /// The resident anonymous memory (KiB: heaps, not mapped files such as the local D1
    /// databases) of the workerd processes serving this Worker, from `/proc/<pid>/status`
    /// (`RssAnon`) of every workerd in its process group.
    /// (A function, so another thread can call it.)
    pub fn runtime_rss_kib_reader(&self) -> impl Fn() -> u64 + Send + 'static {
        let group = self.child.id() as i32;
        move || {
            let mut total = 0;
            for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
                let Some((head, rest)) = stat.rsplit_once(") ") else { continue };
                let in_group = rest.split_whitespace().nth(2).and_then(|g| g.parse::<i32>().ok()) == Some(group);
                if !in_group || !head.ends_with("workerd") {
                    continue;
                }
                let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
                let rss = status.lines().find_map(|l| l.strip_prefix("RssAnon:")).unwrap_or_default();
                total += rss.trim().trim_end_matches("kB").trim().parse::<u64>().unwrap_or(0);
            }
            total
        }
    }

    pub fn state_bytes(&self) -> Vec<u8> {
        fn walk(dir: &Path, out: &mut Vec<u8>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() && path.file_name().is_some_and(|n| n == "mail") {
                    // The e-mails sent (local copies of what left): not what the Worker keeps.
                    continue;
                } else if path.is_dir() {
                    walk(&path, out);
                } else if path.file_name().is_some_and(|n| n != "wrangler.log" && n != "dev.vars") {
                    out.extend(std::fs::read(&path).unwrap_or_default());
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.state, &mut out);
        out
    }

    /// The e-mails the Worker sent so far (its e-mail binding's messages, as `.eml` files
    /// under `<state>/mail/`), oldest first.
    pub fn mails(&self) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.state.join("mail"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files.iter().map(|f| std::fs::read_to_string(f).unwrap_or_default()).collect()
    }

    /// The e-mails sent to `address` (its `To:` header), waiting up to `within` for at least
    /// `count` of them.
    pub fn mails_to(&self, address: &str, count: usize, within: Duration) -> Vec<String> {
        let deadline = std::time::Instant::now() + within;
        loop {
            let to = format!("To: <{address}>");
            let found: Vec<String> = self.mails().into_iter().filter(|m| m.lines().any(|l| l == to)).collect();
            if found.len() >= count || std::time::Instant::now() > deadline {
                return found;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs the Worker's cron handler now (the outbox relay), as Cloudflare does every minute.
    pub fn run_cron(&self) {
        let answer = ureq::get(&self.url("/cdn-cgi/handler/scheduled?cron=*+*+*+*+*")).call();
        assert!(answer.is_ok(), "the scheduled handler failed: {answer:?}");
    }

    /// Kills the runtime with SIGKILL (no shutdown of any kind) and returns its state folder.
    pub fn kill_hard(mut self) -> PathBuf {
        let group = -(self.child.id() as libc::pid_t);
        // SAFETY: kill(2) on the process group this handle started.
        unsafe { libc::kill(group, libc::SIGKILL) };
        let _ = self.child.wait();
        self.state.clone()
    }

    /// Calls the admin API with the test admin token.
    pub fn admin(&self, method: &str, path: &str, body: Option<serde_json::Value>) -> Answer {
        let request = ureq::request(method, &self.url(path))
            .timeout(Duration::from_secs(30))
            .set("authorization", &format!("Bearer {ADMIN_TOKEN}"));
        let result = match body {
            Some(body) => {
                remember_secrets_in(body.to_string().as_bytes());
                request.send_json(body)
            }
            None => request.call(),
        };
        match result {
            Ok(response) | Err(ureq::Error::Status(_, response)) => Answer::read(response),
            Err(e) => panic!("{method} {path} failed: {e}"),
        }
    }

    /// Creates a campaign through the admin API and returns its publishable key.
    pub fn create_campaign(&self, id: &str, policy: serde_json::Value) -> String {
        let answer =
            self.admin("POST", "/admin/campaigns", Some(serde_json::json!({"id": id, "name": id, "policy": policy})));
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.json()["publishable_key"].as_str().expect("a key").to_owned()
    }

    /// POSTs a native signup into the demo campaign (`campaign` added to `fields`).
    pub fn sign_up(&self, fields: serde_json::Value) -> Answer {
        self.sign_up_in(DEMO_CAMPAIGN, DEMO_KEY, fields)
    }

    /// A native signup into `campaign` with its publishable key.
    pub fn sign_up_in(&self, campaign: &str, key: &str, fields: serde_json::Value) -> Answer {
        let mut body = fields;
        body["campaign"] = campaign.into();
        post_with(
            &self.url("/v1/accounts"),
            Some("application/json"),
            body.to_string().as_bytes(),
            &[("x-publishable-key", key)],
        )
    }

    /// Waits for `/healthz`; `Err` with the log's tail when the runtime exited first.
    fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("({status})\n{}", self.log_tail()));
            }
            if let Ok(response) = ureq::get(&self.url("/healthz")).timeout(Duration::from_secs(2)).call() {
                if response.status() == 200 {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!("the Worker did not answer /healthz within 90 s:\n{}", self.log_tail());
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The Worker's log so far (wrangler's and workerd's output).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn log_tail(&self) -> String {
        let text = self.log_text();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Rows from every local D1 database (the directory and each account database), read the
    /// way the Worker's own storage is: through wrangler, one process per database at once.
    /// The rows are concatenated; a database without the table asked about is skipped (the
    /// account databases have no `campaigns` or `operators`), and a count (one column named
    /// `n` per database) comes back as one row, their sum.
    pub fn d1(&self, sql: &str) -> Vec<Value> {
        let answers: Vec<Result<Vec<Value>, String>> = std::thread::scope(|scope| {
            let asks: Vec<_> =
                d1_bindings().into_iter().map(|binding| scope.spawn(move || self.d1_in(&binding, sql))).collect();
            asks.into_iter().map(|ask| ask.join().expect("a d1 query thread")).collect()
        });
        let mut rows = Vec::new();
        for answer in answers {
            match answer {
                Ok(found) => rows.extend(found),
                Err(why) if why.contains("no such table") => {}
                Err(why) => panic!("{why}"),
            }
        }
        let counts = rows.iter().all(|r| r.as_object().is_some_and(|o| o.len() == 1 && o.contains_key("n")));
        if counts && rows.len() > 1 {
            return vec![serde_json::json!({"n": rows.iter().filter_map(|r| r["n"].as_u64()).sum::<u64>()})];
        }
        rows
    }

    /// Rows from one local D1 database, by its binding (`DB`, `ACCOUNTS_1`, ...).
    pub fn d1_in(&self, binding: &str, sql: &str) -> Result<Vec<Value>, String> {
        let out = wrangler()
            .args(["d1", "execute", binding, "--local", "--json", "--command", sql, "--persist-to"])
            .arg(&self.state)
            .output()
            .expect("run wrangler d1 execute");
        if !out.status.success() {
            return Err(format!(
                "d1 execute on {binding} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let parsed: Value = serde_json::from_slice(&out.stdout).expect("d1 execute --json prints JSON");
        Ok(parsed[0]["results"].as_array().cloned().unwrap_or_default())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let group = -(self.child.id() as libc::pid_t);
        // SAFETY: kill(2) on the process group this handle started.
        unsafe { libc::kill(group, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && !matches!(self.child.try_wait(), Ok(Some(_))) {
            std::thread::sleep(Duration::from_millis(50));
        }
        // SAFETY: as above; the group may already be gone.
        unsafe { libc::kill(group, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// Serves `html` at every path on a second loopback origin (a host page that embeds the widget
/// cross-origin), until the process ends. Returns the origin.
pub fn serve_page(html: String) -> String {
    serve_page_with(html, "")
}

/// [`serve_page`] with extra response header lines (`"content-security-policy: ...\r\n"`).
pub fn serve_page_with(html: String, headers: &str) -> String {
    use std::io::{BufRead, BufReader, Write};
    let headers = headers.to_owned();
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let origin = format!("http://{}", listener.local_addr().expect("an address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            // Read the request head, then answer with the page.
            while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
                line.clear();
            }
            let mut stream = reader.into_inner();
            let head = format!("HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n{headers}connection: close\r\n\r\n", html.len());
            let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(html.as_bytes()));
        }
    });
    origin
}

/// Standard base64 (RFC 4648) to bytes; panics on anything else.
pub fn decode_base64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text.trim()).expect("standard base64")
}

/// An `Authorization: Basic` value (RFC 7617).
pub fn basic_auth(user: &str, password: &str) -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

/// The Basic credential of an operator's `credentials` (as the admin API returned them).
pub fn operator_basic(credentials: &serde_json::Value) -> String {
    basic_auth(
        credentials["basic"]["user"].as_str().expect("a user"),
        credentials["basic"]["password"].as_str().expect("a password"),
    )
}

/// An HTTP answer: status and body, whatever the status.
/// With `ENLIST_RECORD_ANSWERS=<file>`, every answer the suite reads is appended to that file
/// as one line (path, status, the headers that matter, body), with what differs from run to
/// run (ids, keys, generated secrets, numbers, ports) replaced by placeholders: two runs of the
/// suite, sorted, then diff line by line, so a rebuild of the edge can show that what clients
/// see did not move.
fn record(url: &str, answer: &Answer) {
    let Some(file) = std::env::var_os("ENLIST_RECORD_ANSWERS") else { return };
    static PLACEHOLDERS: std::sync::OnceLock<Vec<(regex_lite::Regex, &'static str)>> = std::sync::OnceLock::new();
    let placeholders = PLACEHOLDERS.get_or_init(|| {
        [
            (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
            (r"acc_[0-9a-z]{26}", "acc_ID"),
            (r"op_[0-9a-z]+", "op_ID"),
            (r"(pk|gr|en|pt|sk)_[0-9a-z]{8,}", "${1}_KEY"),
            (r"p[ca]_[0-9a-z]{12}", "pX_ID"),
            (r"\x22sessionid\x22:\x22[0-9a-z]+\x22", "\x22sessionid\x22:\x22S\x22"),
            (r"\$argon2id\$[^\x22<&]*", "PHC"),
            (r"[0-9a-z]{32}", "TOKEN"),
            (r"\b\d{7,13}\b", "NUMBER"),
            (r"(strict|mistakes)-(chromium|firefox)", "$1-ENGINE"),
        ]
        .into_iter()
        .map(|(pattern, with)| (regex_lite::Regex::new(pattern).expect("a valid pattern"), with))
        .collect()
    });
    let path = url.split_once("://").map_or(url, |(_, rest)| rest.split_once('/').map_or("", |(_, p)| p));
    // The test that asked (cargo names a test's thread after it); requests from threads a test
    // spawned (the races, the crash test) are `-`: their winners differ from run to run.
    let asker = std::thread::current().name().unwrap_or("-").to_owned();
    let mut line = format!(
        "{asker} /{path} {} {} acao={:?} allow={:?} retry-after={} {}",
        answer.status,
        answer.content_type,
        answer.header_acao,
        answer.allow,
        answer.retry_after.is_some(),
        answer.body.replace('\n', "\\n")
    );
    for (pattern, with) in placeholders {
        line = pattern.replace_all(&line, *with).into_owned();
    }
    use std::io::Write;
    if let Ok(mut out) = std::fs::OpenOptions::new().create(true).append(true).open(file) {
        let _ = out.write_all(format!("{line}\n").as_bytes());
    }
}

/// Runs each named page test (`fn name(engine: Engine)`) in every browser: tests
/// `in_chromium::name` and `in_firefox::name`.
#[macro_export]
macro_rules! in_each_browser {
    ($($name:ident),+ $(,)?) => {
        mod in_chromium {
            $(
                #[test]
                fn $name() {
                    super::$name($crate::webdriver::Engine::Chromium);
                }
            )+
        }
        mod in_firefox {
            $(
                #[test]
                fn $name() {
                    super::$name($crate::webdriver::Engine::Firefox);
                }
            )+
        }
    };
}

/// The widget's files as a page loads them: `/embed.js`, then the content-named files it names
/// (`/w/enlist-widget.<hash>.js`, its wasm, its stylesheet).
pub fn widget_files(worker: &Worker) -> Vec<String> {
    let embed = get(&worker.url("/embed.js"));
    assert_eq!(embed.status, 200, "embed.js is served");
    let mut files = vec!["/embed.js".to_owned()];
    let mut rest = embed.body.as_str();
    while let Some(at) = rest.find("w/") {
        let name: String = rest[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-'))
            .collect();
        if name.matches('.').count() == 2 && !files.contains(&format!("/{name}")) {
            files.push(format!("/{name}"));
        }
        rest = &rest[at + 2..];
    }
    assert_eq!(files.len(), 4, "embed.js names the glue, the wasm and the stylesheet: {files:?}");
    files
}

pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub allow: Option<String>,
    /// `Access-Control-Allow-Origin`.
    pub header_acao: Option<String>,
    pub retry_after: Option<String>,
    pub body: String,
}

impl Answer {
    fn read(response: ureq::Response) -> Answer {
        Answer::try_read(response).expect("a text body")
    }

    /// Like `read`, but a body cut short (the Worker killed mid-answer) is an `Err`: no answer.
    fn try_read(response: ureq::Response) -> Result<Answer, String> {
        let status = response.status();
        let allow = response.header("allow").map(str::to_owned);
        let header_acao = response.header("access-control-allow-origin").map(str::to_owned);
        let content_type = response.header("content-type").unwrap_or_default().to_owned();
        let retry_after = response.header("retry-after").map(str::to_owned);
        let url = response.get_url().to_owned();
        let body = response.into_string().map_err(|e| format!("the body: {e}"))?;
        remember_secrets_in(body.as_bytes());
        let answer = Answer { status, content_type, allow, header_acao, retry_after, body };
        record(&url, &answer);
        Ok(answer)
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// POSTs `body` with `content_type` (none if `None`) and returns the answer, 4xx/5xx included.
pub fn post(url: &str, content_type: Option<&str>, body: &[u8]) -> Answer {
    post_with(url, content_type, body, &[])
}

/// Like [`post_with`], but a failed connection, or an answer cut short, is an `Err` rather
/// than a panic.
pub fn try_post(url: &str, content_type: &str, body: &[u8], headers: &[(&str, &str)]) -> Result<Answer, String> {
    remember_secrets_in(body);
    let mut request = ureq::post(url).timeout(Duration::from_secs(30)).set("content-type", content_type);
    for (name, value) in headers {
        request = request.set(name, value);
    }
    match request.send_bytes(body) {
        Ok(response) | Err(ureq::Error::Status(_, response)) => Answer::try_read(response),
        Err(e) => Err(e.to_string()),
    }
}

/// Like [`post`], with extra headers.
pub fn post_with(url: &str, content_type: Option<&str>, body: &[u8], headers: &[(&str, &str)]) -> Answer {
    remember_secrets_in(body);
    let mut request = ureq::post(url).timeout(Duration::from_secs(30));
    if let Some(ct) = content_type {
        request = request.set("content-type", ct);
    }
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let response = match request.send_bytes(body) {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("POST {url} failed: {e}"),
    };
    Answer::read(response)
}

pub fn get(url: &str) -> Answer {
    get_with(url, &[])
}

/// Like [`get`], with extra headers.
pub fn get_with(url: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = ureq::get(url).timeout(Duration::from_secs(30));
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let response = match request.call() {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("GET {url} failed: {e}"),
    };
    Answer::read(response)
}

/// Two campaigns and their operators, and a signup through any dialect: the end-to-end tests of
/// campaigns (`tests/campaigns.rs`) and of the organiser's side (`tests/organisers.rs`).
pub mod worlds {
    use crate::{operator_basic, post_with, spawn_worker, Answer, Worker};
    use serde_json::{json, Value};

    /// Two campaigns, `a` and `b`, each with a publishable key and an operator allowed everything
    /// in it.
    pub struct Worlds {
        pub worker: Worker,
        pub keys: [String; 2],
        pub operators: [Value; 2],
    }

    impl Default for Worlds {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Worlds {
        pub fn new() -> Self {
            let worker = spawn_worker();
            let mut keys = Vec::new();
            let mut operators = Vec::new();
            for id in ["a", "b"] {
                keys.push(worker.create_campaign(id, json!({"fields": {"alias": "optional"}})));
                let permissions = json!(["accounts:create", "accounts:update", "owner"]);
                let body = json!({"name": "Box office", "permissions": permissions, "campaigns": [id]});
                let answer = worker.admin("POST", "/admin/operators", Some(body));
                assert_eq!(answer.status, 201, "{}", answer.body);
                operators.push(answer.json()["credentials"].clone());
            }
            Self { worker, keys: keys.try_into().unwrap(), operators: operators.try_into().unwrap() }
        }

        /// Signs `email` and `alias` up into campaign `world` (0: `a`, 1: `b`) through `dialect`.
        pub fn sign_up(&self, dialect: &str, world: usize, email: &str, alias: &str) -> Answer {
            let (worker, operator, campaign) = (&self.worker, &self.operators[world], ["a", "b"][world]);
            let form = Some("application/x-www-form-urlencoded");
            match dialect {
                "native" => worker.sign_up_in(
                    campaign,
                    &self.keys[world],
                    json!({"email": email, "alias": alias, "password": "Analytical-1843"}),
                ),
                "poken" => post_with(
                    &worker.url("/poken/account/create"),
                    form,
                    format!(
                        "campaignId={campaign}&alias={alias}&password=Analytical-1843&email={}&extRefId=crm-{alias}",
                        email.replace('@', "%40")
                    )
                    .as_bytes(),
                    &[("authorization", &format!("Bearer {}", operator["bearer"].as_str().unwrap()))],
                ),
                "getresponse" => {
                    // The seed's own `add_account` example, with this person's address.
                    let fields = json!({
                        "password": "12#$qwER", "first_name": "John", "last_name": "Doe", "email": email,
                        "company_name": "Implix", "phone": "+48111111111", "country_code": "PL", "country": "Poland",
                        "city": "Gdańsk", "state": "pomorskie", "street": "Żabiańska", "zip_code": "24-213",
                        "campaign": {"name": "trains", "description": "Fani pociągów.",
                                     "confirmation_subject": "CONFIRMATION_SUBJECT_ID",
                                     "confirmation_body": "CONFIRMATION_BODY_ID", "language_code": "PL", "optin": "single"}
                    });
                    let call = json!({"jsonrpc": "2.0", "method": "add_account", "id": 7,
                        "params": [operator["api_key"], fields]});
                    post_with(&worker.url("/getresponse"), Some("application/json"), call.to_string().as_bytes(), &[])
                }
                "movedigital" => {
                    let md = &operator["movedigital"];
                    let body = format!(
                        "method=movedigital.accounts.proxy.createAccount&userid={}&sessionid={}&session={}\
                         &username={alias}&password=x&confirm_password=x&email={}&eula_agree=yes",
                        md["userid"].as_str().unwrap(),
                        md["sessionid"].as_str().unwrap(),
                        md["session"].as_str().unwrap(),
                        email.replace('@', "%40")
                    );
                    post_with(&worker.url("/movedigital/services/rest/"), form, body.as_bytes(), &[])
                }
                "engagement" => post_with(
                    &worker.url("/engagement/users"),
                    Some("application/json"),
                    json!({"firstName": "Latha", "lastName": "Ganesh", "country": "India", "email": email})
                        .to_string()
                        .as_bytes(),
                    &[("authorization", &operator_basic(operator))],
                ),
                other => panic!("no dialect {other}"),
            }
        }
    }

    pub const DIALECTS: [&str; 5] = ["native", "poken", "getresponse", "movedigital", "engagement"];

    pub fn created(dialect: &str, answer: &Answer) -> bool {
        match dialect {
            "getresponse" => answer.json()["result"].is_object(),
            "movedigital" => answer.body.contains("stat=\"ok\""),
            _ => matches!(answer.status, 200 | 201),
        }
    }
}

/// POSTs from the loopback address `source` (127.0.0.2, 127.0.0.3, ... are all this machine),
/// so the local edge front sees another client address: HTTP/1.1 by hand over a socket bound
/// to `source` before it connects (what a client library does not offer). The answer's status
/// and body.
pub fn post_from(
    source: std::net::Ipv4Addr,
    url: &str,
    content_type: &str,
    body: &[u8],
    headers: &[(&str, &str)],
) -> (u16, String) {
    use std::io::{Read, Write};
    use std::os::fd::FromRawFd;
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (authority, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let target: std::net::SocketAddrV4 = authority.parse().expect("host:port");
    let sockaddr = |ip: std::net::Ipv4Addr, port: u16| libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr { s_addr: u32::from(ip).to_be() },
        sin_zero: [0; 8],
    };
    let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: a fresh socket, bound and connected with valid sockaddr_in values, then owned by
    // the TcpStream (which closes it).
    let mut stream = unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0, "socket");
        let local = sockaddr(source, 0);
        assert_eq!(libc::bind(fd, (&local as *const libc::sockaddr_in).cast(), len), 0, "bind {source}");
        let remote = sockaddr(*target.ip(), target.port());
        assert_eq!(libc::connect(fd, (&remote as *const libc::sockaddr_in).cast(), len), 0, "connect {target}");
        std::net::TcpStream::from_raw_fd(fd)
    };
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("a timeout");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send the request");
    stream.write_all(body).expect("send the body");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read the answer");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}
