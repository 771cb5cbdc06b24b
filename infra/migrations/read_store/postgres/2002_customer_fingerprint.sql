-- The payments projector joins payments and saved methods on `customer_fingerprint`
-- (once per payment requested and per card saved); without an index each lookup read
-- the whole collection. The expression must match the adapter's SQL exactly.
CREATE INDEX IF NOT EXISTS rm_documents_customer_fingerprint
    ON rm_documents (collection, (doc -> 'customer_fingerprint'));
