-- Stored answers expire: the middleware deletes those older than its time to live.
CREATE INDEX IF NOT EXISTS acct_idempotency_created_at ON acct_idempotency (created_at);
