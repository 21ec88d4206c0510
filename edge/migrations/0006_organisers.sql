-- The organiser's side: campaigns can be closed (`open`), and every change to one moves its
-- version (`updated_at_ms`), which the Worker reads on each request so a rotated key or a
-- closed campaign holds at once in every isolate. Indexes for what organisers do: page through
-- a campaign's accounts in creation order, and erase an account with everything it owns.
ALTER TABLE campaigns ADD COLUMN open INTEGER NOT NULL DEFAULT 1;
ALTER TABLE campaigns ADD COLUMN updated_at_ms INTEGER NOT NULL DEFAULT 0;

CREATE INDEX accounts_in_campaign ON accounts (scope, created_at_ms, id);
CREATE INDEX outbox_account ON outbox (account_id);
CREATE INDEX credentials_owner ON credentials (owner_id);
