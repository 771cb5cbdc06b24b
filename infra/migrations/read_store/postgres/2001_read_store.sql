-- Read-model documents, one row per (collection, id), written only by projections.
-- `position` is the global event position of the batch that last wrote the row.
-- Tables are prefixed `rm_` so the read store can share a database with the event
-- store (`events`, `command_log`).
CREATE TABLE IF NOT EXISTS rm_documents (
    collection TEXT        NOT NULL,
    id         TEXT        NOT NULL,
    projection TEXT        NOT NULL,
    doc        JSONB       NOT NULL,
    position   BIGINT      NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (collection, id)
);

CREATE INDEX IF NOT EXISTS rm_documents_projection ON rm_documents (projection);

-- The lookups the read API makes on every request ("orders of a customer", "products
-- of a category", "product by SKU"). Expressions must match the adapter's SQL exactly.
CREATE INDEX IF NOT EXISTS rm_documents_customer_id ON rm_documents (collection, (doc -> 'customer_id'));
CREATE INDEX IF NOT EXISTS rm_documents_category_id ON rm_documents (collection, (doc -> 'category_id'));
CREATE INDEX IF NOT EXISTS rm_documents_sku ON rm_documents (collection, (doc -> 'sku'));

-- How far each projection has applied the global log; committed in the same
-- transaction as the documents it covers.
CREATE TABLE IF NOT EXISTS rm_checkpoints (
    projection TEXT        PRIMARY KEY,
    position   BIGINT      NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
