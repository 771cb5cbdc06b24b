//! The SQLite read store's statements, one named function each.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

/// The document text stored under `(collection, id)`.
pub(super) async fn get_document(pool: &SqlitePool, collection: &str, id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT doc FROM rm_documents WHERE collection = ? AND id = ?")
        .bind(collection)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The stored checkpoint of a projection, if any.
pub(super) async fn checkpoint<'c>(
    conn: impl sqlx::SqliteExecutor<'c>,
    projection: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT position FROM rm_checkpoints WHERE projection = ?")
        .bind(projection)
        .fetch_optional(conn)
        .await
}

/// Moves the checkpoint to `position` if that is past it; `false` when it was not.
pub(super) async fn advance_checkpoint(
    conn: &mut SqliteConnection,
    projection: &str,
    position: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO rm_checkpoints (projection, position, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (projection) DO UPDATE
             SET position = excluded.position, updated_at = excluded.updated_at
             WHERE excluded.position > rm_checkpoints.position",
    )
    .bind(projection)
    .bind(position)
    .bind(chrono::Utc::now().timestamp_micros())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Rows per multi-row upsert: 5 parameters each, far below SQLite's 32,766.
pub(super) const UPSERT_ROWS: usize = 128;

/// Inserts or replaces documents `(collection, id, doc text)` (distinct keys) in one
/// statement: one round trip to SQLite's thread for many rows.
pub(super) async fn upsert_documents(
    conn: &mut SqliteConnection,
    projection: &str,
    docs: &[(String, String, String)],
    position: i64,
) -> Result<(), sqlx::Error> {
    let mut insert =
        QueryBuilder::<Sqlite>::new("INSERT INTO rm_documents (collection, id, projection, doc, position) ");
    insert.push_values(docs, |mut row, (collection, id, doc)| {
        row.push_bind(collection).push_bind(id).push_bind(projection).push_bind(doc).push_bind(position);
    });
    insert.push(
        " ON CONFLICT (collection, id) DO UPDATE
             SET projection = excluded.projection, doc = excluded.doc, position = excluded.position",
    );
    insert.build().execute(conn).await?;
    Ok(())
}

/// Deletes one document if it exists.
pub(super) async fn delete_document(
    conn: &mut SqliteConnection,
    collection: &str,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM rm_documents WHERE collection = ? AND id = ?")
        .bind(collection)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes every document written by `projection` or in one of `collections`
/// (a JSON array of names).
pub(super) async fn delete_projection_documents(
    conn: &mut SqliteConnection,
    projection: &str,
    collections: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM rm_documents
         WHERE projection = ? OR collection IN (SELECT value FROM json_each(?))",
    )
    .bind(projection)
    .bind(collections)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets a projection's checkpoint.
pub(super) async fn delete_checkpoint(conn: &mut SqliteConnection, projection: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM rm_checkpoints WHERE projection = ?").bind(projection).execute(conn).await?;
    Ok(())
}
