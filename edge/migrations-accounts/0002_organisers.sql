-- Indexes for what organisers do: page through a campaign's accounts in creation order, and
-- erase an account with everything it owns (as the directory database's 0006).
CREATE INDEX accounts_in_campaign ON accounts (scope, created_at_ms, id);
CREATE INDEX outbox_account ON outbox (account_id);
CREATE INDEX credentials_owner ON credentials (owner_id);
