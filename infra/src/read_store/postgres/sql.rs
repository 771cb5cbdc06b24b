//! The PostgreSQL read store's statements, one named function each. Batches are
//! written with one `UNNEST` statement per kind of write.

use serde_json::Value;
use sqlx::{PgConnection, PgPool};

/// Documents to upsert, as parallel arrays for `UNNEST`.
#[derive(Debug, Default)]
pub(super) struct Puts {
    collections: Vec<String>,
    ids: Vec<String>,
    docs: Vec<String>,
}

impl Puts {
    /// Adds one document (its JSON text).
    pub(super) fn push(&mut self, collection: String, id: String, doc: String) {
        self.collections.push(collection);
        self.ids.push(id);
        self.docs.push(doc);
    }
}

/// Documents to delete, as parallel arrays for `UNNEST`.
#[derive(Debug, Default)]
pub(super) struct Deletes {
    collections: Vec<String>,
    ids: Vec<String>,
}

impl Deletes {
    /// Adds one key.
    pub(super) fn push(&mut self, collection: String, id: String) {
        self.collections.push(collection);
        self.ids.push(id);
    }
}

/// The document stored under `(collection, id)`.
pub(super) async fn get_document(pool: &PgPool, collection: &str, id: &str) -> Result<Option<Value>, sqlx::Error> {
    sqlx::query_scalar("SELECT doc FROM rm_documents WHERE collection = $1 AND id = $2")
        .bind(collection)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The stored checkpoint of a projection, if any.
pub(super) async fn checkpoint<'c>(
    conn: impl sqlx::PgExecutor<'c>,
    projection: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT position FROM rm_checkpoints WHERE projection = $1")
        .bind(projection)
        .fetch_optional(conn)
        .await
}

/// Moves the checkpoint to `position` if that is past it; `false` when it was not.
pub(super) async fn advance_checkpoint(
    conn: &mut PgConnection,
    projection: &str,
    position: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO rm_checkpoints (projection, position, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (projection) DO UPDATE
             SET position = EXCLUDED.position, updated_at = now()
             WHERE rm_checkpoints.position < EXCLUDED.position",
    )
    .bind(projection)
    .bind(position)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Inserts or replaces documents (keys must be distinct).
pub(super) async fn upsert_documents(
    conn: &mut PgConnection,
    projection: &str,
    puts: &Puts,
    position: i64,
) -> Result<(), sqlx::Error> {
    if puts.ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO rm_documents (collection, id, projection, doc, position)
         SELECT c, i, $4, d::jsonb, $5 FROM UNNEST($1::text[], $2::text[], $3::text[]) AS t(c, i, d)
         ON CONFLICT (collection, id) DO UPDATE
             SET projection = EXCLUDED.projection, doc = EXCLUDED.doc,
                 position = EXCLUDED.position, updated_at = now()",
    )
    .bind(&puts.collections)
    .bind(&puts.ids)
    .bind(&puts.docs)
    .bind(projection)
    .bind(position)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes documents by key, ignoring missing ones.
pub(super) async fn delete_documents(conn: &mut PgConnection, deletes: &Deletes) -> Result<(), sqlx::Error> {
    if deletes.ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "DELETE FROM rm_documents d
         USING UNNEST($1::text[], $2::text[]) AS k(c, i)
         WHERE d.collection = k.c AND d.id = k.i",
    )
    .bind(&deletes.collections)
    .bind(&deletes.ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes every document written by `projection` or in one of `collections`.
pub(super) async fn delete_projection_documents(
    conn: &mut PgConnection,
    projection: &str,
    collections: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM rm_documents WHERE projection = $1 OR collection = ANY($2::text[])")
        .bind(projection)
        .bind(collections)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets a projection's checkpoint.
pub(super) async fn delete_checkpoint(conn: &mut PgConnection, projection: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM rm_checkpoints WHERE projection = $1").bind(projection).execute(conn).await?;
    Ok(())
}
