//! `cargo xtask dev`: the whole product on 127.0.0.1 (README, "The two commands").

use crate::proc::{catch_stop_signals, stop_group, stop_requested};
use crate::tools::{ensure_build_tools, Tools};
use crate::{build, fail, root, Failure, Outcome};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const DEFAULT_PORT: u16 = 8787;
/// Signups per minute per client address when RATE_LIMIT_PER_MINUTE is unset; 0 turns it off.
pub const DEFAULT_RATE_LIMIT_PER_MINUTE: &str = "60";

pub fn parse_port(args: &[String]) -> Outcome<u16> {
    match args {
        [] => Ok(DEFAULT_PORT),
        [flag, value] if flag == "--port" => match value.parse::<u16>() {
            Ok(port) if port > 0 => Ok(port),
            _ => fail(format!("--port takes a number from 1 to 65535, not `{value}`")),
        },
        _ => fail("usage: cargo xtask dev [--port N]"),
    }
}

/// Every e-mail the local Worker sends is also written here, as an `.eml` file.
pub fn mail_dir() -> PathBuf {
    root().join(".enlist").join("mail")
}

/// Local state (D1, KV) lives here and survives restarts.
pub fn state_dir() -> PathBuf {
    root().join(".enlist").join("state")
}

pub fn run(port: u16) -> Outcome {
    catch_stop_signals();
    crate::tools::ensure_disk_space(crate::tools::BUILD_FROM_NOTHING_GIB)?;
    let tools = ensure_build_tools()?;
    build::all(&tools)?;
    let state = state_dir();
    apply_migrations(&tools, &state)?;
    seed_demo_campaign(&tools, &state, port)?;
    let env_file = write_dev_vars(port)?;

    println!("==> serving on http://127.0.0.1:{port}/ (local state in {})", state.display());
    println!("==> e-mails the Worker sends are written to {} (.eml files)", mail_dir().display());
    // workerd through Miniflare (edge/serve.mjs), with a front that sets CF-Connecting-IP from
    // the connection as Cloudflare's edge does, so a client cannot claim another address.
    let mut child = tools
        .command("node")
        .current_dir(root())
        .arg("edge/serve.mjs")
        .arg("--script")
        .arg(root().join("edge/build/worker/shim.mjs"))
        .args(["--port", &port.to_string()])
        .arg("--state")
        .arg(&state)
        .arg("--vars")
        .arg(&env_file)
        .arg("--assets")
        .arg(root().join("dist"))
        .arg("--mail")
        .arg(mail_dir())
        .arg("--edge")
        .process_group(0)
        .spawn()
        .map_err(|e| Failure(format!("could not start node edge/serve.mjs: {e}")))?;

    let started = Instant::now();
    let mut announced = false;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return fail(format!(
                "the local runtime exited ({status}); is port {port} free? (`--port N` picks another)"
            ));
        }
        if stop_requested() {
            println!("\n==> stopping the local runtime");
            stop_group(&mut child, Duration::from_secs(10));
            println!("==> stopped; local state kept in {}", state.display());
            return Ok(());
        }
        if !announced && healthy(port) {
            announced = true;
            println!(
                "==> enlist is up after {:.1?}:\n    demo page   http://127.0.0.1:{port}/\n    native API  POST http://127.0.0.1:{port}/v1/accounts\n    Ctrl-C stops everything",
                started.elapsed()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

pub fn apply_migrations(tools: &Tools, state: &Path) -> Outcome {
    for binding in d1_bindings()? {
        crate::proc::step(
            &format!("apply D1 migrations to local state: {binding}"),
            tools
                .wrangler()
                .args(["d1", "migrations", "apply", &binding, "--local"])
                .arg("--persist-to")
                .arg(state)
                // Non-interactive: apply without the confirmation prompt.
                .env("CI", "true"),
        )?;
    }
    Ok(())
}

/// The D1 bindings of `edge/wrangler.toml`: the directory `DB`, then the account databases.
pub fn d1_bindings() -> Outcome<Vec<String>> {
    d1_bindings_of(&root().join("edge/wrangler.toml"))
}

/// The D1 bindings of a wrangler configuration, in order.
pub fn d1_bindings_of(config: &Path) -> Outcome<Vec<String>> {
    let toml = std::fs::read_to_string(config)?;
    // Each block's first line is its binding (the file keeps to that).
    let bindings = toml.split("[[d1_databases]]").skip(1).filter_map(|block| {
        block.lines().find_map(|line| line.trim().strip_prefix("binding = \"")?.strip_suffix('"').map(str::to_owned))
    });
    Ok(bindings.collect())
}

/// The demo page's campaign (`edge/seeds/demo-campaign.sql`), in local D1 only; real
/// campaigns come from `POST /admin/campaigns`.
pub fn seed_demo_campaign(tools: &Tools, state: &Path, port: u16) -> Outcome {
    let template = std::fs::read_to_string(root().join("edge/seeds/demo-campaign.sql"))?;
    let origins = format!(r#"["http://127.0.0.1:{port}","http://localhost:{port}"]"#);
    std::fs::create_dir_all(state)?;
    let seed = state.join("demo-campaign.sql");
    std::fs::write(&seed, template.replace("{origins}", &origins))?;
    crate::proc::step(
        &format!("seed the local demo campaign for port {port}"),
        tools
            .wrangler()
            .args(["d1", "execute", "DB", "--local", "--file"])
            .arg(&seed)
            .arg("--persist-to")
            .arg(state)
            .env("CI", "true"),
    )
}

/// Secrets go to the Worker through an env file, never argv.
fn write_dev_vars(port: u16) -> Outcome<PathBuf> {
    let token = match std::env::var("ADMIN_TOKEN") {
        Ok(token) if !token.trim().is_empty() => token,
        _ => {
            let token = random_token()?;
            println!("==> ADMIN_TOKEN was not set; generated one for this run:\n    ADMIN_TOKEN={token}");
            token
        }
    };
    let rate = std::env::var("RATE_LIMIT_PER_MINUTE").unwrap_or_else(|_| DEFAULT_RATE_LIMIT_PER_MINUTE.to_owned());
    if rate.parse::<u32>().is_err() {
        return fail(format!("RATE_LIMIT_PER_MINUTE must be a whole number (0 turns limiting off), not `{rate}`"));
    }
    let campaign_rate = match std::env::var("CAMPAIGN_RATE_LIMIT_PER_MINUTE") {
        Ok(value) if value.parse::<u32>().is_err() => {
            return fail(format!(
                "CAMPAIGN_RATE_LIMIT_PER_MINUTE must be a whole number (0 turns it off), not `{value}`"
            ))
        }
        Ok(value) => format!("\nCAMPAIGN_RATE_LIMIT_PER_MINUTE={value}"),
        Err(_) => String::new(),
    };
    let dir = root().join(".enlist");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("dev.vars");
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&path)?;
    // The outbox consumer derives temporary passwords with this; stable across runs so queued
    // e-mails stay sendable.
    let outbox_secret = match std::fs::read_to_string(dir.join("outbox.secret")) {
        Ok(secret) if !secret.trim().is_empty() => secret.trim().to_owned(),
        _ => {
            let secret = random_token()?;
            std::fs::write(dir.join("outbox.secret"), &secret)?;
            secret
        }
    };
    writeln!(
        file,
        "ADMIN_TOKEN={token}\nRATE_LIMIT_PER_MINUTE={rate}{campaign_rate}\nOUTBOX_SECRET={outbox_secret}\nREQUIRE_TLS=false\n\
         PUBLIC_URL=http://127.0.0.1:{port}"
    )?;
    Ok(path)
}

fn random_token() -> Outcome<String> {
    let mut bytes = [0u8; 24];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// True when the Worker answers its health route.
pub fn healthy(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.ends_with(b"200")
}
