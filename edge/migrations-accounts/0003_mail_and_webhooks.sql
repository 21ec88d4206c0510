-- E-mail through Queues, verification (double opt-in) and webhooks (as the directory
-- database's 0008).
--
-- An account's language (the messages it is sent and the pages it is shown) and when its
-- owner verified its e-mail address.
ALTER TABLE accounts ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
ALTER TABLE accounts ADD COLUMN email_verified_at_ms INTEGER;

-- The outbox is drained through a queue: a row is enqueued when it is written (or, for a send
-- time beyond the queue's longest delay, by the scheduled relay), claimed by one delivery at a
-- time (claimed_at_ms is the claim's lease), and ends sent (sent_at_ms) or dead (dead_at_ms,
-- parked by the dead-letter queue). kind 'webhook' rows are webhook deliveries: webhook_id
-- stays the same on every retry, last_status is the receiver's last HTTP status.
ALTER TABLE outbox ADD COLUMN enqueued_at_ms INTEGER;
ALTER TABLE outbox ADD COLUMN claimed_at_ms INTEGER;
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN last_status INTEGER;
ALTER TABLE outbox ADD COLUMN dead_at_ms INTEGER;
ALTER TABLE outbox ADD COLUMN webhook_id TEXT;
CREATE INDEX outbox_open ON outbox (sent_at_ms, dead_at_ms, send_at_ms);

-- One-time verification links, one per account: only the SHA-256 of its token is kept,
-- written by the outbox consumer when it sends the e-mail (the token is derived from the
-- Worker's OUTBOX_SECRET, which only the Worker holds). A used or expired link is kept so
-- that following it again says so; erasing the account removes it.
CREATE TABLE verifications (
    account_id       TEXT    PRIMARY KEY NOT NULL REFERENCES accounts (id),
    token_hash       TEXT    UNIQUE,
    expires_at_ms    INTEGER NOT NULL,
    used_at_ms       INTEGER
) STRICT;
