-- Rate limits are counted by Workers' rate-limiting binding (ADDRESS_RATE_LIMITER,
-- CAMPAIGN_RATE_LIMITER in wrangler.toml), no longer by an upsert per attempt here: a flood of
-- refused requests writes nothing to D1.
DROP INDEX IF EXISTS rate_hits_minute;
DROP TABLE IF EXISTS rate_hits;
