//! A campaign is a world of its own, against the real Worker (workerd, its local D1 databases):
//! one person registers for many events, each registration its own account; nothing any route
//! answers about one campaign reveals anything about another; campaigns spread over the account
//! databases; the migration that made uniqueness per campaign keeps every account.

use enlist_e2e::worlds::{created, Worlds, DIALECTS};
use enlist_e2e::{d1_bindings, root, spawn_worker, suite_dir, wrangler, Answer};
use serde_json::{json, Value};

/// An answer with what differs between two people's signups (the address and alias, ids,
/// numbers, keys) masked: what is left is its status and shape.
fn shape(answer: &Answer, person: &str) -> (u16, String) {
    let body = answer.body.replace(person, "PERSON");
    let mut masked = String::new();
    let mut token = String::new();
    for c in body.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() || c == '_' {
            token.push(c);
            continue;
        }
        masked.push_str(if token.bytes().any(|b| b.is_ascii_digit()) { "#" } else { &token });
        token.clear();
        masked.push(c);
    }
    masked.pop();
    (answer.status, masked)
}

/// The same e-mail and alias register in two campaigns through each of the five dialects; in
/// the same campaign, the second is still that dialect's "taken".
#[test]
fn the_same_person_registers_for_two_campaigns_in_every_dialect_and_once_in_each() {
    let worlds = Worlds::new();
    for dialect in DIALECTS {
        let (email, alias) = (format!("ada.{dialect}@example.com"), format!("ada_{dialect}"));
        let first = worlds.sign_up(dialect, 0, &email, &alias);
        assert!(created(dialect, &first), "{dialect}: {} {}", first.status, first.body);
        let second = worlds.sign_up(dialect, 1, &email.to_uppercase(), &alias);
        assert!(created(dialect, &second), "{dialect}, another campaign: {} {}", second.status, second.body);
        let again = worlds.sign_up(dialect, 0, &email, &format!("{alias}_2"));
        assert!(!created(dialect, &again), "{dialect}, the same campaign again: {} {}", again.status, again.body);
        // Campaigns a and b may be on two databases: the rows come from each.
        let mut rows =
            worlds.worker.d1(&format!("SELECT campaign_id FROM accounts WHERE email_normalized = '{email}'"));
        rows.sort_by_key(|r| r["campaign_id"].as_str().map(str::to_owned));
        assert_eq!(rows, [json!({"campaign_id": "a"}), json!({"campaign_id": "b"})], "{dialect}");
    }
}

/// For an address registered only in campaign `a`, a signup through campaign `b`'s credentials
/// is answered exactly as for an address nobody ever used (status and body shape), in all five
/// dialects.
#[test]
fn an_address_of_another_campaign_is_answered_as_one_nobody_used_in_every_dialect() {
    let worlds = Worlds::new();
    for dialect in DIALECTS {
        let (known, fresh) = (format!("known{}", dialect.len()), format!("fresh{}", dialect.len()));
        let registered =
            worlds.sign_up(dialect, 0, &format!("{known}.{dialect}@example.com"), &format!("{known}_{dialect}"));
        assert!(created(dialect, &registered), "{dialect}: {}", registered.body);
        let elsewhere =
            worlds.sign_up(dialect, 1, &format!("{known}.{dialect}@example.com"), &format!("{known}_{dialect}"));
        let unused =
            worlds.sign_up(dialect, 1, &format!("{fresh}.{dialect}@example.com"), &format!("{fresh}_{dialect}"));
        assert_eq!(shape(&elsewhere, &known), shape(&unused, &fresh), "{dialect}");
    }
}

/// With the shipped configuration, signups in 20 new campaigns land in more than one D1
/// database; the admin look-up by e-mail finds the address in every campaign, wherever its
/// database.
#[test]
fn twenty_new_campaigns_spread_over_the_account_databases_and_admin_finds_every_one() {
    let worker = spawn_worker();
    let accounts: Vec<String> = d1_bindings().into_iter().filter(|b| b != "DB").collect();
    assert!(accounts.len() >= 2, "the shipped wrangler.toml binds several account databases: {accounts:?}");
    for n in 0..20 {
        let id = format!("event-{n:02}");
        let key = worker.create_campaign(&id, json!({}));
        let answer = worker.sign_up_in(&id, &key, json!({"email": "Grace@Example.com", "password": "Analytical-1843"}));
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let mut total = 0;
    let mut used = 0;
    for binding in &accounts {
        let count = worker.d1_in(binding, "SELECT COUNT(*) AS n FROM accounts").unwrap()[0]["n"].as_u64().unwrap();
        total += count;
        used += usize::from(count > 0);
    }
    assert_eq!(total, 20, "every new campaign's account is in an account database");
    assert!(used > 1, "the accounts are spread over more than one database");
    let placed = worker.d1_in("DB", "SELECT accounts_db, COUNT(*) AS n FROM campaigns GROUP BY accounts_db").unwrap();
    assert!(placed.len() >= 2, "the directory records where each campaign lives: {placed:?}");

    let found = worker.admin("GET", "/admin/accounts?email=grace%40example.com", None).json();
    let mut campaigns: Vec<String> =
        found["accounts"].as_array().unwrap().iter().map(|a| a["campaign_id"].as_str().unwrap().to_owned()).collect();
    campaigns.sort();
    assert_eq!(campaigns, (0..20).map(|n| format!("event-{n:02}")).collect::<Vec<_>>());
    let one = worker.admin("GET", "/admin/accounts?email=grace%40example.com&campaign=event-07", None).json();
    assert_eq!(one["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(one["accounts"][0]["campaign_id"], "event-07");
}

/// The migration to per-campaign uniqueness on a database made by the migrations before it,
/// holding accounts in several campaigns and in the campaign-less scope: every row and profile
/// is kept, and afterwards the same address may register in another campaign but not twice in
/// one.
#[test]
fn the_migration_to_per_campaign_uniqueness_keeps_every_account() {
    let dir = suite_dir().join(format!("migration-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let migrations = dir.join("migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let mut files: Vec<_> =
        std::fs::read_dir(root().join("edge/migrations")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let (before, after): (Vec<_>, Vec<_>) =
        files.iter().partition(|f| f.file_name().unwrap().to_str().unwrap() < "0005");
    for file in &before {
        std::fs::copy(file, migrations.join(file.file_name().unwrap())).unwrap();
    }
    let config = dir.join("wrangler.toml");
    std::fs::write(
        &config,
        "name = \"migration-test\"\ncompatibility_date = \"2026-04-01\"\n\n[[d1_databases]]\nbinding = \"DB\"\n\
         database_name = \"enlist\"\ndatabase_id = \"00000000-0000-4000-8000-000000000000\"\nmigrations_dir = \"migrations\"\n",
    )
    .unwrap();
    let state = dir.join("state");
    let d1 = |args: &[&str]| {
        let out = wrangler()
            .args(["d1"])
            .args(args)
            .arg("--local")
            .arg("--persist-to")
            .arg(&state)
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let query = |sql: &str| -> Vec<Value> {
        let out = d1(&["execute", "DB", "--json", "--command", sql]);
        serde_json::from_slice::<Value>(&out).unwrap()[0]["results"].as_array().cloned().unwrap_or_default()
    };
    d1(&["migrations", "apply", "DB"]);
    let campaign = |id: &str| {
        format!("INSERT INTO campaigns (id, name, allowed_origins, policy, publishable_key, created_at_ms) VALUES ('{id}', '{id}', '[]', '{{}}', 'pk_{id}', 1);")
    };
    let account = |id: &str, number: u32, campaign: Option<&str>, email: &str| {
        let campaign = campaign.map_or("NULL".to_owned(), |c| format!("'{c}'"));
        format!(
            "INSERT INTO accounts (id, number, campaign_id, email, email_normalized, alias, alias_normalized, dialect, created_at_ms) \
             VALUES ('{id}', {number}, {campaign}, '{email}', '{email}', '{id}', '{id}', 'native', {number}); \
             INSERT INTO profiles (account_id, fields) VALUES ('{id}', '{{\"first_name\":\"{id}\"}}');"
        )
    };
    let seed = [
        campaign("one"),
        campaign("two"),
        account("acc_1", 1001, Some("one"), "ada@example.com"),
        account("acc_2", 1002, Some("two"), "grace@example.com"),
        account("acc_3", 1003, Some("one"), "grace2@example.com"),
        account("acc_4", 1004, None, "hopper@example.com"),
    ]
    .concat();
    d1(&["execute", "DB", "--command", &seed]);
    let before_rows = query("SELECT a.id, a.number, a.campaign_id, a.email, p.fields FROM accounts a JOIN profiles p ON p.account_id = a.id ORDER BY a.id");
    assert_eq!(before_rows.len(), 4);

    for file in &after {
        std::fs::copy(file, migrations.join(file.file_name().unwrap())).unwrap();
    }
    d1(&["migrations", "apply", "DB"]);
    let after_rows = query("SELECT a.id, a.number, a.campaign_id, a.email, p.fields FROM accounts a JOIN profiles p ON p.account_id = a.id ORDER BY a.id");
    assert_eq!(after_rows, before_rows, "every account and profile kept as it was");
    assert_eq!(
        query("SELECT DISTINCT accounts_db FROM campaigns"),
        [json!({"accounts_db": "DB"})],
        "existing campaigns keep their accounts where they are"
    );

    // Now the same address registers in another campaign, and not twice in one.
    d1(&["execute", "DB", "--command", &account("acc_5", 1005, Some("two"), "ada@example.com")]);
    let out = wrangler()
        .args(["d1", "execute", "DB", "--local", "--persist-to"])
        .arg(&state)
        .arg("--config")
        .arg(&config)
        .args(["--command", &account("acc_6", 1006, Some("one"), "ada@example.com")])
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success() && said.contains("UNIQUE constraint failed"), "{said}");
    assert_eq!(
        query("SELECT COUNT(*) AS n FROM accounts WHERE email_normalized = 'ada@example.com'"),
        [json!({"n": 2})]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
