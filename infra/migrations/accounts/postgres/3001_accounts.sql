-- The account store: state kept beside the event log and never in it. Tables are
-- prefixed `acct_` so the store can share a database with the event and read stores.

-- One login per customer: the address it signs in with and the Argon2id PHC string.
CREATE TABLE IF NOT EXISTS acct_credentials (
    customer_id   UUID        PRIMARY KEY,
    email         TEXT        NOT NULL UNIQUE,
    password_hash TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Single-use tokens by the SHA-256 (hex) of their secret.
CREATE TABLE IF NOT EXISTS acct_tokens (
    token_hash  TEXT        PRIMARY KEY,
    kind        TEXT        NOT NULL,
    customer_id UUID        NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS acct_tokens_customer ON acct_tokens (customer_id, kind);
CREATE INDEX IF NOT EXISTS acct_tokens_expiry ON acct_tokens (expires_at);

-- "This key of this kind belongs to that owner" (a SKU, a coupon code).
CREATE TABLE IF NOT EXISTS acct_unique_claims (
    kind       TEXT        NOT NULL,
    key        TEXT        NOT NULL,
    owner      TEXT        NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, key)
);

-- The first answer to each `Idempotency-Key`, per caller scope.
CREATE TABLE IF NOT EXISTS acct_idempotency (
    scope        TEXT        NOT NULL,
    key          TEXT        NOT NULL,
    request_hash TEXT        NOT NULL,
    status       SMALLINT    NOT NULL,
    headers      JSONB       NOT NULL,
    body         BYTEA       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
