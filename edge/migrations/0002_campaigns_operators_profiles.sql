-- Campaigns, operators and their credentials, account profiles and the outbox.
-- Secrets are PHC strings (argon2id) only; look-up keys are the non-secret halves.

CREATE TABLE campaigns (
    id               TEXT    PRIMARY KEY NOT NULL,
    name             TEXT    NOT NULL,
    allowed_origins  TEXT    NOT NULL,            -- JSON array of origins
    policy           TEXT    NOT NULL,            -- JSON policy (shared::Policy)
    publishable_key  TEXT    NOT NULL UNIQUE,     -- not a secret: it sits in the page
    created_at_ms    INTEGER NOT NULL
) STRICT;

CREATE TABLE operators (
    id               TEXT    PRIMARY KEY NOT NULL,
    number           INTEGER NOT NULL UNIQUE,     -- MoveDigital's numeric userid
    name             TEXT    NOT NULL,
    permissions      TEXT    NOT NULL,            -- JSON array
    campaigns        TEXT    NOT NULL,            -- JSON array, first = default campaign
    allowed_ips      TEXT    NOT NULL,            -- JSON array, empty = any address
    created_at_ms    INTEGER NOT NULL
) STRICT;

CREATE TABLE credentials (
    kind             TEXT    NOT NULL,            -- api_key | basic | movedigital | bearer | account_token
    lookup           TEXT    NOT NULL,            -- the non-secret half
    owner_id         TEXT    NOT NULL,            -- operator or account id
    secret_hash      TEXT    NOT NULL,            -- argon2id PHC string
    expires_at_ms    INTEGER,
    PRIMARY KEY (kind, lookup)
) STRICT;

-- Accounts, rebuilt: e-mail and password become optional (Engagement with a mobile
-- reconciliation key has neither), and the columns the dialects need arrive. Uniqueness stays
-- in UNIQUE indexes (SQLite lets NULLs repeat), so races yield exactly one account.
CREATE TABLE accounts_v2 (
    id               TEXT    PRIMARY KEY NOT NULL,
    number           INTEGER NOT NULL,            -- the numeric id Poken, MoveDigital, Engagement show
    campaign_id      TEXT,
    email            TEXT,
    email_normalized TEXT,
    alias            TEXT,
    alias_normalized TEXT,
    phone            TEXT,
    phone_key        TEXT,                        -- set only when the phone is the reconciliation key
    ext_ref_id       TEXT,
    password_hash    TEXT,                        -- argon2id PHC string
    dialect          TEXT    NOT NULL,
    controller_id    TEXT,                        -- operator that created it (MoveDigital proxy...)
    claimed_at_ms    INTEGER,                     -- first sign-in by its owner (Poken "new account")
    created_at_ms    INTEGER NOT NULL
) STRICT;

INSERT INTO accounts_v2 (id, number, email, email_normalized, password_hash, dialect, created_at_ms)
    SELECT id, 1000 + rowid, email, email_normalized, password_hash, 'native', created_at_ms FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_v2 RENAME TO accounts;

CREATE UNIQUE INDEX accounts_number ON accounts (number);
CREATE UNIQUE INDEX accounts_email_normalized ON accounts (email_normalized);
CREATE UNIQUE INDEX accounts_alias_normalized ON accounts (alias_normalized);
CREATE UNIQUE INDEX accounts_phone_key ON accounts (campaign_id, phone_key);
CREATE UNIQUE INDEX accounts_ext_ref ON accounts (campaign_id, ext_ref_id);

CREATE TABLE profiles (
    account_id       TEXT    PRIMARY KEY NOT NULL REFERENCES accounts (id),
    fields           TEXT    NOT NULL             -- JSON object: wire field name -> value
) STRICT;

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       TEXT    NOT NULL REFERENCES accounts (id),
    kind             TEXT    NOT NULL,            -- welcome | temporary_password | confirmation
    send_at_ms       INTEGER NOT NULL,
    created_at_ms    INTEGER NOT NULL,
    sent_at_ms       INTEGER
) STRICT;

CREATE INDEX outbox_due ON outbox (sent_at_ms, send_at_ms);
