//! Webhooks against the real Worker: a receiver on 127.0.0.1 that fails once gets the new
//! account twice with the same `webhook-id`; the signature is checked by an independent
//! implementation (Python's `hmac`), the body holds no secret, and the delivery log shows both
//! attempts' outcome.

use enlist_e2e::{spawn_worker, Worker, ADMIN_TOKEN};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the receiver got: its headers (lower-case names) and body.
#[derive(Clone, Debug)]
struct Received {
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or_default()
    }
}

/// A webhook receiver on 127.0.0.1 answering `statuses` in turn (then 200).
fn receiver(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/hooks/enlist", listener.local_addr().unwrap().port());
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&got);
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            loop {
                line.clear();
                reader.read_line(&mut line).unwrap();
                let Some((name, value)) = line.trim_end().split_once(':') else { break };
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
            let length: usize =
                headers.iter().find(|(n, _)| n == "content-length").map_or(0, |(_, v)| v.parse().unwrap());
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            seen.lock().unwrap().push(Received { headers, body: String::from_utf8(body).unwrap() });
            let status = statuses.get(n).copied().unwrap_or(200);
            let answer = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (url, got)
}

/// Standard Webhooks' check, by Python's own `hmac` and `base64` (not the Worker's code).
fn python_signature(secret: &str, id: &str, timestamp: &str, body: &str) -> String {
    let script = "import base64,hmac,hashlib,sys\n\
                  key=base64.b64decode(sys.argv[1].removeprefix('whsec_'))\n\
                  msg=(sys.argv[2]+'.'+sys.argv[3]+'.').encode()+sys.stdin.buffer.read()\n\
                  print('v1,'+base64.b64encode(hmac.new(key,msg,hashlib.sha256).digest()).decode())";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script, secret, id, timestamp])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn wait_for(got: &Arc<Mutex<Vec<Received>>>, count: usize) -> Vec<Received> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = got.lock().unwrap().clone();
        if now.len() >= count || Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn set_webhook(worker: &Worker, campaign: &str, url: &str) -> Value {
    let answer = worker.admin("PATCH", &format!("/admin/campaigns/{campaign}"), Some(json!({"webhook": {"url": url}})));
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

#[test]
fn a_receiver_that_fails_once_gets_the_account_twice_with_one_id_and_a_valid_signature() {
    let worker = spawn_worker();
    let key = worker.create_campaign("hooked", json!({}));
    let (url, got) = receiver(vec![500]);
    let patched = set_webhook(&worker, "hooked", &url);
    let secret = patched["webhook"]["secret"].as_str().expect("the secret, shown once").to_owned();
    assert!(secret.starts_with("whsec_"), "{patched}");
    // Shown once: reading the campaign again shows the URL only.
    let read = worker.admin("GET", "/admin/campaigns/hooked", None).json();
    assert_eq!(read["webhook"], json!({"url": url}));
    assert!(!worker.admin("GET", "/admin/campaigns", None).body.contains(&secret));

    let created =
        worker.sign_up_in("hooked", &key, json!({"email": "hooked@example.com", "password": "Analytical-1843"}));
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let deliveries = wait_for(&got, 2);
    assert_eq!(deliveries.len(), 2, "a failure, then the retry: {deliveries:?}");
    let (first, second) = (&deliveries[0], &deliveries[1]);
    assert!(first.header("webhook-id").starts_with("msg_"), "{first:?}");
    assert_eq!(first.header("webhook-id"), second.header("webhook-id"), "the same id on every retry");
    assert_eq!(first.header("content-type"), "application/json");
    for delivery in [first, second] {
        let expected = python_signature(
            &secret,
            delivery.header("webhook-id"),
            delivery.header("webhook-timestamp"),
            &delivery.body,
        );
        assert_eq!(delivery.header("webhook-signature"), expected, "signature of {delivery:?}");
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let timestamp: i64 = delivery.header("webhook-timestamp").parse().unwrap();
        assert!((now - timestamp).abs() < 120, "a current Unix timestamp: {timestamp}");
    }
    let event: Value = serde_json::from_str(&second.body).unwrap();
    assert_eq!(event["type"], "account.created");
    assert_eq!(event["data"]["id"], id.as_str());
    assert_eq!(event["data"]["email"], "hooked@example.com");
    assert_eq!(event["data"]["campaign_id"], "hooked");
    assert!(event["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
    for delivery in &deliveries {
        for secret_text in [secret.as_str(), secret.trim_start_matches("whsec_"), ADMIN_TOKEN, "Analytical-1843"] {
            assert!(!delivery.body.contains(secret_text), "a secret in the body: {}", delivery.body);
        }
        assert!(!delivery.body.contains("password"), "{}", delivery.body);
    }
    // The signing secret is nowhere at rest: D1 keeps a salt.
    assert!(!String::from_utf8_lossy(&worker.state_bytes()).contains(secret.trim_start_matches("whsec_")));

    // The delivery log: one delivery, sent after two attempts, the receiver's last status.
    let deadline = Instant::now() + Duration::from_secs(10);
    let log = loop {
        let log = worker.admin("GET", "/admin/campaigns/hooked/webhook/deliveries", None).json();
        if log["deliveries"][0]["sent_at"].is_string() || Instant::now() > deadline {
            break log;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let entry = &log["deliveries"][0];
    assert_eq!(log["deliveries"].as_array().unwrap().len(), 1, "{log}");
    assert_eq!(entry["webhook_id"], first.header("webhook-id"));
    assert_eq!(entry["account_id"], id.as_str());
    assert_eq!(entry["attempts"], 2);
    assert_eq!(entry["last_status"], 200);
    // Another campaign's log shows nothing of this one.
    worker.create_campaign("quiet", json!({}));
    let quiet = worker.admin("GET", "/admin/campaigns/quiet/webhook/deliveries", None).json();
    assert_eq!(quiet["deliveries"], json!([]));
}

/// The webhook setting's refusals (422 naming `webhook.url`) change nothing; `null` removes it.
#[test]
fn webhook_settings_are_checked_and_removable() {
    let worker = spawn_worker();
    worker.create_campaign("hooks", json!({}));
    for bad in [
        json!({"url": "ftp://example.com/"}),
        json!({"url": "http://example.com/"}),
        json!({"uri": "https://e.example/"}),
        json!("https://e.example/"),
    ] {
        let answer = worker.admin("PATCH", "/admin/campaigns/hooks", Some(json!({"webhook": bad})));
        assert_eq!(answer.status, 422, "{bad}: {}", answer.body);
        assert!(answer.json()["detail"].as_str().unwrap().starts_with("webhook"), "{}", answer.body);
    }
    assert_eq!(worker.admin("GET", "/admin/campaigns/hooks", None).json()["webhook"], Value::Null);
    set_webhook(&worker, "hooks", "https://hooks.example.com/enlist");
    let removed = worker.admin("PATCH", "/admin/campaigns/hooks", Some(json!({"webhook": null})));
    assert_eq!(removed.status, 200);
    assert_eq!(removed.json()["webhook"], Value::Null);
}
