-- The event log. Positions are assigned under a transaction-scoped advisory lock
-- (see infra/src/event_store/postgres.rs), so they become visible in order: no
-- sequence, no gaps.
CREATE TABLE IF NOT EXISTS events (
    global_position BIGINT PRIMARY KEY,
    event_id        UUID        NOT NULL UNIQUE,
    stream_id       TEXT        NOT NULL,
    stream_version  BIGINT      NOT NULL,
    event_type      TEXT        NOT NULL,
    schema_version  INTEGER     NOT NULL,
    data            JSONB       NOT NULL,
    metadata        JSONB       NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL,
    prev_hash       TEXT        NOT NULL,
    hash            TEXT        NOT NULL,
    UNIQUE (stream_id, stream_version)
);

-- One row per handled command: a second command with the same id appends nothing
-- and returns this outcome.
CREATE TABLE IF NOT EXISTS command_log (
    command_id      UUID PRIMARY KEY,
    stream_id       TEXT        NOT NULL,
    stream_version  BIGINT      NOT NULL,
    first_position  BIGINT      NOT NULL,
    last_position   BIGINT      NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL
);
