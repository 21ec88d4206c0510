-- Idempotency keys of native signups, reserved atomically: of overlapping requests with one
-- key, the one whose INSERT lands runs; the others wait for, then replay, its answer. KV
-- could not decide a race like this (it has no atomic insert).
CREATE TABLE idempotency (
    key            TEXT    PRIMARY KEY, -- 'native:<campaign>:<the client''s key>'
    reserved_at_ms INTEGER NOT NULL,
    reply          TEXT                 -- the first answer (JSON), NULL while its request runs
) STRICT;

CREATE INDEX idempotency_reserved_at ON idempotency (reserved_at_ms);
