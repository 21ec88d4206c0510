-- The local demo campaign the demo page (index.html) signs up into. Local D1 only: seeded by
-- `cargo xtask dev` and by the end-to-end tests, with {origins} replaced by the JSON array of
-- the origins the page is served from. Its publishable key is public by nature. Its accounts
-- live in the first account database, as a campaign created through the admin API would.
INSERT INTO campaigns (id, name, allowed_origins, policy, publishable_key, accounts_db, created_at_ms)
VALUES ('demo', 'RustFest Lisbon 2027 (demo)', '{origins}', '{}', 'pk_demo_local_only', 'ACCOUNTS_1', 0)
ON CONFLICT (id) DO UPDATE SET allowed_origins = excluded.allowed_origins;
