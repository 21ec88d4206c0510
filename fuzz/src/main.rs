//! The stable-Rust fuzz driver: mutational fuzzing of every target in `lib.rs`, seeded from
//! the checked-in corpora (`tests/corpus/hostile.jsonl`, `tests/corpus/rules.jsonl`) and the
//! seeds' sample requests, with outcome-signature feedback (an input that makes a target do
//! something new joins its corpus). Panics are caught, the inputs that caused them written to
//! `target/fuzz-crashes/`, and the run fails.
//!
//! `cargo xtask fuzz [--execs N] [--target NAME] [--seed S]` runs it in release mode.

use enlist_fuzz::{Target, TARGETS};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

/// SplitMix64: small, fast, and reproducible from `--seed`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens the decoders care about: structure of JSON, forms and XML, escapes, numbers at the
/// edges, Unicode that folds, and the seeds' field names.
const DICTIONARY: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"&",
    b"=",
    b"%",
    b"%00",
    b"%zz",
    b"+",
    b"<",
    b">",
    b"\\u0000",
    b"\\ud800",
    b"null",
    b"true",
    b"false",
    b"0",
    b"-1",
    b"1e999",
    b"-0",
    b"18446744073709551616",
    b"4294967296",
    b"9999999999999",
    "\u{202e}".as_bytes(),
    "\u{ff21}".as_bytes(),
    "\u{0430}".as_bytes(),
    "é".as_bytes(),
    "İ".as_bytes(),
    "ß".as_bytes(),
    b"\xff\xfe",
    b"\r\n",
    b"\t",
    b" ",
    b"@",
    b".",
    b"..",
    b"-",
    b"_",
    b"/",
    b"+48",
    b"+1",
    b"US",
    b"PL",
    b"pl_PL",
    b"Europe/Warsaw",
    b"http://",
    b"https://",
    b"xn--",
    b"admin",
    b"email",
    b"password",
    b"alias",
    b"country",
    b"campaign",
    b"campaignId",
    b"identityId",
    b"grant_type",
    b"authorization_code",
    b"code",
    b"jsonrpc",
    b"2.0",
    b"method",
    b"add_account",
    b"params",
    b"id",
    b"movedigital.accounts.proxy.createAccount",
    b"username",
    b"eula_agree",
    b"yes",
    b"mobileNumber",
    b"firstName",
    b"country_code",
    b"timezone",
    b"lang",
    b"state",
    b"enlist_trap",
    b"policy",
    b"fields",
];

fn mutate(rng: &mut Rng, input: &[u8], other: &[u8], max_len: usize) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(9) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = rng.next() as u8;
            }
            2 if !out.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 => {
                let token = DICTIONARY[rng.below(DICTIONARY.len())];
                out.splice(at..at, token.iter().copied());
            }
            4 if !out.is_empty() => {
                let start = rng.below(out.len());
                let end = (start + 1 + rng.below(32)).min(out.len());
                let piece = out[start..end].to_vec();
                out.splice(at..at, piece);
            }
            5 if !other.is_empty() => {
                let start = rng.below(other.len());
                let end = (start + 1 + rng.below(64)).min(other.len());
                out.splice(at..at, other[start..end].iter().copied());
            }
            6 => {
                let digits = rng.next().to_string();
                out.splice(at..at, digits.bytes());
            }
            7 if !out.is_empty() => out.truncate(rng.below(out.len())),
            _ => {
                let byte = [b'"', b'&', b'=', b'{', b'}', b'<', b'\0', b'a', b'1', 0x80][rng.below(10)];
                out.insert(at, byte);
            }
        }
    }
    out.truncate(max_len);
    out
}

/// Seed inputs per target from the checked-in corpora and the seeds' samples.
fn seeds(root: &std::path::Path) -> HashMap<&'static str, Vec<Vec<u8>>> {
    let mut seeds: HashMap<&'static str, Vec<Vec<u8>>> = HashMap::new();
    let mut add = |target: &'static str, input: Vec<u8>| seeds.entry(target).or_default().push(input);
    let hostile = std::fs::read_to_string(root.join("tests/corpus/hostile.jsonl")).unwrap_or_default();
    for line in hostile.lines() {
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let target = match entry["route"].as_str().unwrap_or("") {
            "native" => "native",
            "poken" => "poken_create",
            "poken_token" => "poken_token",
            "poken_profile" => "poken_profile",
            "getresponse" => "getresponse",
            "movedigital" => "movedigital",
            "engagement" => "engagement",
            "admin" => "admin",
            _ => continue,
        };
        add(target, decode_base64(entry["body_b64"].as_str().unwrap_or("")));
    }
    let rules = std::fs::read_to_string(root.join("tests/corpus/rules.jsonl")).unwrap_or_default();
    for line in rules.lines() {
        if let Ok(serde_json::Value::Array(pair)) = serde_json::from_str::<serde_json::Value>(line) {
            if let Some(value) = pair.get(1).and_then(|v| v.as_str()) {
                add("rules", value.as_bytes().to_vec());
            }
        }
    }
    for (target, sample) in SAMPLES {
        add(target, sample.as_bytes().to_vec());
    }
    seeds
}

/// Well-formed requests, as the seeds' documents show them.
const SAMPLES: [(&str, &str); 14] = [
    ("native", r#"{"campaign":"demo","email":"ada@example.com","password":"Analytical-1843","alias":"ada","country":"GB","timezone":"Europe/London","lang":"en-GB"}"#),
    ("poken_create", "alias=ada&password=Analytical-1843&email=ada%40example.com&country=gb&response_type=code&campaignId=conf&extRefId=crm-7&sendEmailId=2&sendEmailTimestamp=1700000000&visibility=PUBLIC"),
    ("poken_token", "grant_type=authorization_code&code=pc_abcdefgh.ijklmnopqrstuvwxyz234567"),
    ("poken_profile", "identityId=12&visibility=CONTACTS&timezone=europe%2Fwarsaw&emailRecentCollected=WEEKLY&mobilePhone=%2B48123456789&firstName=Ada"),
    ("getresponse", r#"{"jsonrpc":"2.0","method":"add_account","id":7,"params":["API_KEY",{"password":"12#$qwER","first_name":"John","last_name":"Smith","email":"john@example.com","phone":"+48 123 456 789","country_code":"PL","country":"Poland","city":"Gdansk","street":"Arkonska","zip_code":"80-387","campaign":{"name":"trains","confirmation_subject":"s","confirmation_body":"b","language_code":"pl","optin":"double"}}]}"#),
    ("movedigital", "method=movedigital.accounts.proxy.createAccount&userid=1&sessionid=2&session=3&username=newuser&password=x&confirm_password=x&email=new%40example.com&eula_agree=yes&security_question=Pet%3F&security_answer=Rex&updates=on&ip=3232235777&dob=1990-01-31"),
    ("engagement", r#"{"firstName":"Latha","lastName":"Ganesh","country":"India","mobileNumber":"+919876543210","email":"latha@example.com","state":"","city":"Chennai"}"#),
    ("admin", r#"{"id":"conf","name":"Conference","allowed_origins":["https://conf.example"],"policy":{"fields":{"alias":"required","country":"optional"},"password":{"min_chars":10,"composition":"lower_upper_digit_or_special"}}}"#),
    ("admin", r#"{"name":"Box office","permissions":["accounts:create","owner"],"campaigns":["demo"],"allowed_ips":["203.0.113.9"]}"#),
    ("plumbing", "POST\0/v1/accounts\0poken\0dialect=engagement"),
    ("plumbing", "GET\0/poken/account/create\0Basic YWxhZGRpbjpvcGVuc2VzYW1l\0x=1&dialect=getresponse"),
    ("accept_language", "de-CH, fr;q=0.8, en;q=0.5, *;q=0.1"),
    ("policy", r#"{"fields":{"alias":"required","phone":"optional","state":"optional"},"reserved_aliases":["acme"],"reconciliation_key":"mobile","languages":["en","pl"]}"#),
    ("rules", "+48 123 456 789"),
];

fn decode_base64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text.trim()).unwrap_or_default()
}

struct Options {
    /// Write the seeds as a libFuzzer corpus (first byte: the target's index) and stop.
    dump_seeds: Option<PathBuf>,
    execs: u64,
    target: Option<String>,
    seed: u64,
    max_len: usize,
}

fn options() -> Result<Options, String> {
    let mut options = Options { dump_seeds: None, execs: 10_000_000, target: None, seed: 1, max_len: 4096 };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--execs" => options.execs = value()?.replace('_', "").parse().map_err(|e| format!("--execs: {e}"))?,
            "--dump-seeds" => options.dump_seeds = Some(PathBuf::from(value()?)),
            "--seed" => options.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--max-len" => options.max_len = value()?.parse().map_err(|e| format!("--max-len: {e}"))?,
            "--target" => {
                let name = value()?;
                if !TARGETS.iter().any(|(n, _)| *n == name) {
                    let known: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
                    return Err(format!("no target `{name}`; targets: {}", known.join(", ")));
                }
                options.target = Some(name);
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}` (--execs N, --target NAME, --seed S, --max-len L, --dump-seeds DIR)"
                ))
            }
        }
    }
    Ok(options)
}

fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(why) => {
            eprintln!("enlist-fuzz: {why}");
            return std::process::ExitCode::from(2);
        }
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("fuzz/ is in the workspace").to_path_buf();
    let crashes = root.join("target/fuzz-crashes");
    let all_seeds = seeds(&root);
    if let Some(dir) = &options.dump_seeds {
        let _ = std::fs::create_dir_all(dir);
        let mut written = 0;
        for (index, (name, _)) in TARGETS.iter().enumerate() {
            for (n, seed) in all_seeds.get(name).into_iter().flatten().enumerate() {
                let mut input = vec![index as u8];
                input.extend_from_slice(seed);
                if std::fs::write(dir.join(format!("{name}-{n}")), input).is_ok() {
                    written += 1;
                }
            }
        }
        println!("wrote {written} seeds to {}", dir.display());
        return std::process::ExitCode::SUCCESS;
    }
    let targets: Vec<(&str, Target)> =
        TARGETS.iter().copied().filter(|(name, _)| options.target.as_deref().is_none_or(|t| t == *name)).collect();
    let per_target = options.execs / targets.len() as u64;
    // Caught panics are reported below with their input, not printed as they happen.
    std::panic::set_hook(Box::new(|_| {}));
    let started = Instant::now();
    let mut rng = Rng(options.seed);
    let mut failures = 0;
    let mut executions = 0u64;
    println!("fuzzing {} targets, {per_target} executions each (seed {})", targets.len(), options.seed);
    for (name, target) in targets {
        let target_started = Instant::now();
        let mut corpus: Vec<Vec<u8>> = all_seeds.get(name).cloned().unwrap_or_default();
        corpus.push(Vec::new());
        let mut seen: HashSet<u64> = HashSet::new();
        let mut panics: HashMap<String, Vec<u8>> = HashMap::new();
        for execution in 0..per_target {
            let input = if (execution as usize) < corpus.len() {
                corpus[execution as usize].clone()
            } else {
                let base = &corpus[rng.below(corpus.len())];
                let other = &corpus[rng.below(corpus.len())];
                mutate(&mut rng, base, other, options.max_len)
            };
            match std::panic::catch_unwind(|| target(&input)) {
                Ok(signature) => {
                    if seen.insert(signature) && corpus.len() < 20_000 {
                        corpus.push(input);
                    }
                }
                Err(payload) => {
                    let message = payload
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    panics.entry(message).or_insert(input);
                }
            }
        }
        executions += per_target;
        let seconds = target_started.elapsed().as_secs_f64();
        println!(
            "  {name:<16} {per_target:>10} execs  {:>9.0}/s  {:>6} distinct outcomes  corpus {:>6}  panics {}",
            per_target as f64 / seconds,
            seen.len(),
            corpus.len(),
            panics.len()
        );
        for (n, (message, input)) in panics.into_iter().enumerate() {
            failures += 1;
            let _ = std::fs::create_dir_all(&crashes);
            let path = crashes.join(format!("{name}-{n}.bin"));
            let _ = std::fs::write(&path, &input);
            eprintln!(
                "    PANIC in {name}: {message}\n      input saved to {}: {:?}",
                path.display(),
                String::from_utf8_lossy(&input)
            );
        }
    }
    println!("{executions} executions in {:.0?}, {failures} distinct panics", started.elapsed());
    if failures > 0 {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
