-- The payments projector joins payments and saved methods on `customer_fingerprint`
-- (once per payment requested and per card saved). Without an index each lookup read
-- the whole collection, so projecting, and rebuilding, grew with the square of the
-- payments. The expression must match the adapter's SQL exactly.
CREATE INDEX IF NOT EXISTS rm_documents_customer_fingerprint
    ON rm_documents (collection, json_extract(doc, '$.customer_fingerprint'));
