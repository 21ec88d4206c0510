-- Accounts. Uniqueness lives here, in UNIQUE indexes, so concurrent signups cannot both win.
CREATE TABLE accounts (
    id               TEXT    PRIMARY KEY NOT NULL,
    email            TEXT    NOT NULL,
    email_normalized TEXT    NOT NULL,
    password_hash    TEXT    NOT NULL,
    created_at_ms    INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX accounts_email_normalized ON accounts (email_normalized);
