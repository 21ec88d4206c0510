-- An account database (ACCOUNTS_1, ACCOUNTS_2, ...): the accounts of the campaigns placed on
-- it, with their profiles, outbox entries and the secrets minted with them. The same tables as
-- the directory database's (`migrations/`, as of 0005), which keeps the accounts of older
-- campaigns and of the campaign-less scope.
--
-- Uniqueness holds within a scope (`scope`: the campaign's id, '' for none), in UNIQUE
-- indexes, so concurrent signups yield exactly one account; numbers are unique per database.
CREATE TABLE accounts (
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
    created_at_ms    INTEGER NOT NULL,
    scope            TEXT    GENERATED ALWAYS AS (COALESCE(campaign_id, '')) VIRTUAL
) STRICT;

CREATE UNIQUE INDEX accounts_number ON accounts (number);
CREATE UNIQUE INDEX accounts_email_normalized ON accounts (scope, email_normalized);
CREATE UNIQUE INDEX accounts_alias_normalized ON accounts (scope, alias_normalized);
CREATE UNIQUE INDEX accounts_phone_key ON accounts (scope, phone_key);
CREATE UNIQUE INDEX accounts_ext_ref ON accounts (scope, ext_ref_id);
CREATE INDEX accounts_by_email ON accounts (email_normalized);

CREATE TABLE profiles (
    account_id       TEXT    PRIMARY KEY NOT NULL REFERENCES accounts (id),
    fields           TEXT    NOT NULL             -- JSON object: wire field name -> value
) STRICT;

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       TEXT    NOT NULL REFERENCES accounts (id),
    kind             TEXT    NOT NULL,            -- welcome | welcome_if_present | temporary_password
    send_at_ms       INTEGER NOT NULL,
    created_at_ms    INTEGER NOT NULL,
    sent_at_ms       INTEGER
) STRICT;

CREATE INDEX outbox_due ON outbox (sent_at_ms, send_at_ms);

-- Secrets minted with an account (its own API key, a security answer), written in the same
-- batch as the account; argon2id PHC strings only.
CREATE TABLE credentials (
    kind             TEXT    NOT NULL,
    lookup           TEXT    NOT NULL,
    owner_id         TEXT    NOT NULL,
    secret_hash      TEXT    NOT NULL,
    expires_at_ms    INTEGER,
    PRIMARY KEY (kind, lookup)
) STRICT;
