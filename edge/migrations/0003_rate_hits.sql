-- Rate-limit counters: attempts per bucket (a client address or a campaign) per one-minute
-- window, counted with an atomic upsert. Old windows are swept as new ones start.
CREATE TABLE rate_hits (
    bucket TEXT    NOT NULL,
    minute INTEGER NOT NULL,
    hits   INTEGER NOT NULL,
    PRIMARY KEY (bucket, minute)
) STRICT, WITHOUT ROWID;

CREATE INDEX rate_hits_minute ON rate_hits (minute);
