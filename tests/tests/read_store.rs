//! The read store contract, run against SQLite, PostgreSQL and MongoDB alike (and
//! SQLite behind the document cache `serve` puts in front of it):
//! documents, every query feature, and checkpoints committed atomically with their
//! batch. MongoDB's own guarantees (position guards that hold without transactions,
//! literal text search, a layout other MongoDB clients read as plain collections) are
//! tested at the end.

use std::path::PathBuf;
use std::sync::Arc;

use emporium_infra::read_store::mongodb::{Atomicity, MongoReadStore};
use emporium_infra::read_store::postgres::PostgresReadStore;
use emporium_infra::read_store::sqlite::SqliteReadStore;
use emporium_infra::read_store::{
    CachedReadStore, DocWrite, MAX_LIMIT, Query, ReadStore, ReadStoreError, SortDirection,
};
use emporium_tests::mongo::TestMongo;
use emporium_tests::postgres::TestDatabase;
use mongodb::bson::doc;
use serde_json::{Value, json};
use sqlx::Connection;

/// Where a test's documents live; `open` can be called again to reopen the same data.
enum Backend {
    Sqlite(tempfile::TempDir),
    /// SQLite behind a [`CachedReadStore`].
    CachedSqlite(tempfile::TempDir),
    Postgres(TestDatabase),
    Mongo(TestMongo),
}

impl Backend {
    fn sqlite() -> anyhow::Result<Self> {
        Ok(Self::Sqlite(tempfile::tempdir()?))
    }

    fn cached_sqlite() -> anyhow::Result<Self> {
        Ok(Self::CachedSqlite(tempfile::tempdir()?))
    }

    async fn postgres() -> anyhow::Result<Self> {
        Ok(Self::Postgres(TestDatabase::create().await?))
    }

    /// A fresh MongoDB database, or `None` when the test is skipped (said loudly).
    async fn mongo(test: &str) -> anyhow::Result<Option<Self>> {
        Ok(TestMongo::create(test).await?.map(Self::Mongo))
    }

    fn sqlite_path(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join("nested").join("read.db")
    }

    async fn open(&self) -> anyhow::Result<Arc<dyn ReadStore>> {
        Ok(match self {
            Self::Sqlite(dir) => Arc::new(SqliteReadStore::open(Self::sqlite_path(dir)).await?),
            Self::CachedSqlite(dir) => {
                let inner: Arc<dyn ReadStore> = Arc::new(SqliteReadStore::open(Self::sqlite_path(dir)).await?);
                Arc::new(CachedReadStore::new(inner, 100))
            }
            Self::Postgres(db) => Arc::new(PostgresReadStore::connect(&db.url).await?),
            Self::Mongo(db) => Arc::new(MongoReadStore::connect(&db.uri).await?),
        })
    }

    /// Makes any write of a document with id `poison` fail inside the database, so a
    /// batch can fail half-way through (MongoDB: a collection validator).
    async fn install_poison_trigger(&self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite(dir) | Self::CachedSqlite(dir) => {
                let url = format!("sqlite://{}", Self::sqlite_path(dir).display());
                let mut conn = sqlx::SqliteConnection::connect(&url).await?;
                sqlx::query(
                    "CREATE TRIGGER poison BEFORE INSERT ON rm_documents WHEN NEW.id = 'poison'
                     BEGIN SELECT RAISE(ABORT, 'poisoned document'); END",
                )
                .execute(&mut conn)
                .await?;
            }
            Self::Postgres(db) => {
                let mut conn = sqlx::PgConnection::connect(&db.url).await?;
                sqlx::query(
                    "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN IF NEW.id = 'poison' THEN RAISE EXCEPTION 'poisoned document'; END IF; RETURN NEW; END $$",
                )
                .execute(&mut conn)
                .await?;
                sqlx::query(
                    "CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON rm_documents
                     FOR EACH ROW EXECUTE FUNCTION poison()",
                )
                .execute(&mut conn)
                .await?;
            }
            Self::Mongo(db) => install_poison_validator(db).await?,
        }
        Ok(())
    }
}

/// Declares each contract test once per adapter.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    super::$name(super::Backend::sqlite()?).await
                }
            )*
        }
        mod cached_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    super::$name(super::Backend::cached_sqlite()?).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    super::$name(super::Backend::postgres().await?).await
                }
            )*
        }
        mod mongo {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    match super::Backend::mongo(concat!("mongo::", stringify!($name))).await? {
                        Some(backend) => super::$name(backend).await,
                        None => Ok(()),
                    }
                }
            )*
        }
    };
}

contract!(
    a_put_document_reads_back_and_a_deleted_one_is_gone,
    a_missing_document_reads_as_none_and_collections_are_separate,
    several_writes_to_one_document_in_a_batch_apply_in_order,
    equality_filters_match_strings_numbers_and_booleans_by_type_and_value,
    numeric_ranges_include_both_bounds_and_skip_non_numbers,
    text_search_is_a_case_insensitive_substring_match_over_any_listed_field,
    sorting_orders_numbers_numerically_and_strings_by_text_in_both_directions,
    offset_and_limit_page_through_matches_while_total_counts_them_all,
    limits_above_one_hundred_are_capped,
    nested_fields_can_be_filtered_ranged_and_sorted,
    filters_ranges_and_search_combine,
    field_names_that_are_not_snake_case_are_refused,
    the_checkpoint_is_zero_until_a_batch_is_committed_and_then_its_position,
    a_batch_at_an_older_or_equal_position_is_ignored,
    a_batch_that_fails_half_way_leaves_neither_documents_nor_checkpoint,
    concurrent_commits_of_the_same_position_apply_exactly_once,
    reset_removes_a_projections_documents_and_checkpoint_and_nothing_else,
    documents_and_checkpoints_survive_reopening_the_store,
);

/// Commits `docs` into `collection` as projection `test` at the next position.
async fn seed(store: &Arc<dyn ReadStore>, collection: &str, docs: &[Value]) -> anyhow::Result<()> {
    let position = store.checkpoint("test").await? + 1;
    let writes =
        docs.iter().map(|d| DocWrite::put(collection, d["id"].as_str().unwrap_or_default(), d.clone())).collect();
    assert!(store.commit("test", writes, position).await?);
    Ok(())
}

/// The ids of a page's items, in order.
fn ids(items: &[Value]) -> Vec<&str> {
    items.iter().map(|d| d["id"].as_str().unwrap_or("?")).collect()
}

async fn ids_of(store: &Arc<dyn ReadStore>, collection: &str, query: Query) -> anyhow::Result<Vec<String>> {
    let page = store.query(collection, &query).await?;
    Ok(ids(&page.items).into_iter().map(str::to_owned).collect())
}

async fn a_put_document_reads_back_and_a_deleted_one_is_gone(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let doc = json!({"id": "p-1", "name": "Kettle", "price": {"amount": 2599, "currency": "EUR"}, "tags": ["a", "b"], "note": "héllo \"q\""});
    assert!(store.commit("test", vec![DocWrite::put("products", "p-1", doc.clone())], 1).await?);
    assert_eq!(store.get("products", "p-1").await?, Some(doc));
    assert!(store.commit("test", vec![DocWrite::delete("products", "p-1")], 2).await?);
    assert_eq!(store.get("products", "p-1").await?, None);
    // Deleting a document that does not exist is not an error.
    assert!(store.commit("test", vec![DocWrite::delete("products", "nope")], 3).await?);
    Ok(())
}

async fn a_missing_document_reads_as_none_and_collections_are_separate(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    assert_eq!(store.get("products", "x").await?, None);
    seed(&store, "products", &[json!({"id": "x", "kind": "product"})]).await?;
    seed(&store, "orders", &[json!({"id": "x", "kind": "order"})]).await?;
    assert_eq!(store.get("products", "x").await?, Some(json!({"id": "x", "kind": "product"})));
    assert_eq!(store.get("orders", "x").await?, Some(json!({"id": "x", "kind": "order"})));
    assert_eq!(store.query("products", &Query::new()).await?.total, 1);
    assert_eq!(store.query("carts", &Query::new()).await?.total, 0);
    Ok(())
}

async fn several_writes_to_one_document_in_a_batch_apply_in_order(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let writes = vec![
        DocWrite::put("c", "1", json!({"v": 1})),
        DocWrite::put("c", "2", json!({"v": 2})),
        DocWrite::delete("c", "1"),
        DocWrite::put("c", "2", json!({"v": 3})),
        DocWrite::put("c", "3", json!({"v": 4})),
        DocWrite::delete("c", "3"),
        DocWrite::put("c", "3", json!({"v": 5})),
    ];
    assert!(store.commit("test", writes, 1).await?);
    assert_eq!(store.get("c", "1").await?, None);
    assert_eq!(store.get("c", "2").await?, Some(json!({"v": 3})));
    assert_eq!(store.get("c", "3").await?, Some(json!({"v": 5})));
    Ok(())
}

async fn equality_filters_match_strings_numbers_and_booleans_by_type_and_value(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    seed(
        &store,
        "things",
        &[
            json!({"id": "a", "status": "paid", "count": 1, "flag": true, "code": "1"}),
            json!({"id": "b", "status": "PAID", "count": 2, "flag": false, "code": 1}),
            json!({"id": "c", "status": "paid", "count": 1.0, "flag": 1, "code": {"x": 1}}),
            json!({"id": "d", "count": 1.5}),
        ],
    )
    .await?;
    let sorted = |q: Query| q.sort("id", SortDirection::Asc);
    assert_eq!(ids_of(&store, "things", sorted(Query::new().filter("status", "paid"))).await?, ["a", "c"]);
    assert_eq!(ids_of(&store, "things", sorted(Query::new().filter("count", 1))).await?, ["a", "c"]);
    assert_eq!(ids_of(&store, "things", sorted(Query::new().filter("count", 1.5))).await?, ["d"]);
    assert_eq!(ids_of(&store, "things", sorted(Query::new().filter("flag", true))).await?, ["a"]);
    assert_eq!(ids_of(&store, "things", sorted(Query::new().filter("flag", false))).await?, ["b"]);
    // A string never equals a number, and the reverse.
    assert_eq!(ids_of(&store, "things", sorted(Query::new().filter("code", "1"))).await?, ["a"]);
    assert_eq!(ids_of(&store, "things", sorted(Query::new().filter("code", 1))).await?, ["b"]);
    // Several filters must all hold.
    let both = Query::new().filter("status", "paid").filter("flag", true);
    assert_eq!(ids_of(&store, "things", both).await?, ["a"]);
    // A value that looks like SQL is just a value.
    assert_eq!(store.query("things", &Query::new().filter("status", "' OR 1=1 --")).await?.total, 0);
    Ok(())
}

async fn numeric_ranges_include_both_bounds_and_skip_non_numbers(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    seed(
        &store,
        "things",
        &[
            json!({"id": "a", "n": 5}),
            json!({"id": "b", "n": 10}),
            json!({"id": "c", "n": 12.5}),
            json!({"id": "d", "n": 20}),
            json!({"id": "e", "n": "15"}),
            json!({"id": "f"}),
            json!({"id": "g", "n": true}),
        ],
    )
    .await?;
    let sorted = |q: Query| q.sort("n", SortDirection::Asc);
    assert_eq!(
        ids_of(&store, "things", sorted(Query::new().range("n", Some(10.0), Some(20.0)))).await?,
        ["b", "c", "d"]
    );
    assert_eq!(ids_of(&store, "things", sorted(Query::new().range("n", Some(10.5), None))).await?, ["c", "d"]);
    assert_eq!(ids_of(&store, "things", sorted(Query::new().range("n", None, Some(10.0)))).await?, ["a", "b"]);
    assert_eq!(ids_of(&store, "things", sorted(Query::new().range("n", None, None))).await?, ["a", "b", "c", "d"]);
    assert_eq!(store.query("things", &Query::new().range("n", Some(21.0), None)).await?.total, 0);
    Ok(())
}

async fn text_search_is_a_case_insensitive_substring_match_over_any_listed_field(
    backend: Backend,
) -> anyhow::Result<()> {
    let store = backend.open().await?;
    seed(
        &store,
        "products",
        &[
            json!({"id": "a", "name": "Red Running SHOE", "description": "light", "sku": "RUN-1"}),
            json!({"id": "b", "name": "Boot", "description": "Waterproof shoe for hiking", "sku": "BOOT-1"}),
            json!({"id": "c", "name": "Kettle", "description": "Steel", "sku": "SHOE-RACK"}),
            json!({"id": "d", "name": "100% cotton_shirt", "description": null}),
        ],
    )
    .await?;
    let search = |text: &str| Query::new().search(text, ["name", "description"]).sort("id", SortDirection::Asc);
    assert_eq!(ids_of(&store, "products", search("shoe")).await?, ["a", "b"]);
    assert_eq!(ids_of(&store, "products", search("ShOe")).await?, ["a", "b"]);
    assert_eq!(ids_of(&store, "products", search("unning")).await?, ["a"]);
    assert_eq!(ids_of(&store, "products", search("WATERPROOF")).await?, ["b"]);
    // `%` and `_` are literal characters, not patterns.
    assert_eq!(ids_of(&store, "products", search("0% c")).await?, ["d"]);
    assert_eq!(ids_of(&store, "products", search("n_s")).await?, ["d"]);
    assert_eq!(ids_of(&store, "products", search("_")).await?, ["d"]);
    assert!(ids_of(&store, "products", search("zzz")).await?.is_empty());
    // Fields not listed are not searched.
    assert_eq!(ids_of(&store, "products", Query::new().search("shoe", ["sku"])).await?, ["c"]);
    // Empty text searches nothing, i.e. matches everything.
    assert_eq!(store.query("products", &Query::new().search("", ["name"])).await?.total, 4);
    Ok(())
}

async fn sorting_orders_numbers_numerically_and_strings_by_text_in_both_directions(
    backend: Backend,
) -> anyhow::Result<()> {
    let store = backend.open().await?;
    seed(
        &store,
        "things",
        &[
            json!({"id": "a", "price": 300, "name": "cherry"}),
            json!({"id": "b", "price": 5, "name": "apple"}),
            json!({"id": "c", "price": 40, "name": "banana"}),
            json!({"id": "d", "price": 2.5, "name": "date"}),
            json!({"id": "e", "price": 40, "name": "elder"}),
        ],
    )
    .await?;
    let by = |field: &str, direction| Query::new().sort(field, direction);
    assert_eq!(ids_of(&store, "things", by("price", SortDirection::Asc)).await?, ["d", "b", "c", "e", "a"]);
    // Ties are broken by id ascending in both directions, so pages are stable.
    assert_eq!(ids_of(&store, "things", by("price", SortDirection::Desc)).await?, ["a", "c", "e", "b", "d"]);
    assert_eq!(ids_of(&store, "things", by("name", SortDirection::Asc)).await?, ["b", "c", "a", "d", "e"]);
    assert_eq!(ids_of(&store, "things", by("name", SortDirection::Desc)).await?, ["e", "d", "a", "c", "b"]);
    // Without a sort key documents come in id order.
    assert_eq!(ids_of(&store, "things", Query::new()).await?, ["a", "b", "c", "d", "e"]);
    Ok(())
}

async fn offset_and_limit_page_through_matches_while_total_counts_them_all(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let docs: Vec<Value> = (0..25).map(|i| json!({"id": format!("d{i:02}"), "n": i, "even": i % 2 == 0})).collect();
    seed(&store, "things", &docs).await?;
    let evens = |offset, limit| Query::new().filter("even", true).sort("n", SortDirection::Asc).page(offset, limit);
    let first = store.query("things", &evens(0, 5)).await?;
    assert_eq!((ids(&first.items), first.total), (vec!["d00", "d02", "d04", "d06", "d08"], 13));
    let last = store.query("things", &evens(10, 5)).await?;
    assert_eq!((ids(&last.items), last.total), (vec!["d20", "d22", "d24"], 13));
    let beyond = store.query("things", &evens(100, 5)).await?;
    assert_eq!((beyond.items.len(), beyond.total), (0, 13));
    let none = store.query("things", &evens(0, 0)).await?;
    assert_eq!((none.items.len(), none.total), (0, 13));
    // The default page is twenty documents.
    let default = store.query("things", &Query::new()).await?;
    assert_eq!((default.items.len(), default.total), (20, 25));
    Ok(())
}

async fn limits_above_one_hundred_are_capped(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let docs: Vec<Value> = (0..130).map(|i| json!({"id": format!("d{i:03}")})).collect();
    seed(&store, "things", &docs).await?;
    let page = store.query("things", &Query::new().page(0, 1_000)).await?;
    assert_eq!((page.items.len() as u64, page.total), (MAX_LIMIT, 130));
    let rest = store.query("things", &Query::new().page(100, u64::MAX)).await?;
    assert_eq!(rest.items.len(), 30);
    Ok(())
}

async fn nested_fields_can_be_filtered_ranged_and_sorted(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    seed(
        &store,
        "products",
        &[
            json!({"id": "a", "price": {"amount": 1999, "currency": "EUR"}}),
            json!({"id": "b", "price": {"amount": 250, "currency": "EUR"}}),
            json!({"id": "c", "price": {"amount": 9900, "currency": "USD"}}),
        ],
    )
    .await?;
    let q = Query::new().range("price.amount", Some(250.0), Some(9000.0)).sort("price.amount", SortDirection::Desc);
    assert_eq!(ids_of(&store, "products", q).await?, ["a", "b"]);
    assert_eq!(ids_of(&store, "products", Query::new().filter("price.currency", "USD")).await?, ["c"]);
    Ok(())
}

async fn filters_ranges_and_search_combine(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    seed(
        &store,
        "products",
        &[
            json!({"id": "a", "category_id": "shoes", "name": "Trail Runner", "price": 120, "discontinued": false}),
            json!({"id": "b", "category_id": "shoes", "name": "Road Runner", "price": 80, "discontinued": false}),
            json!({"id": "c", "category_id": "shoes", "name": "Runner Classic", "price": 60, "discontinued": true}),
            json!({"id": "d", "category_id": "hats", "name": "Runner Cap", "price": 20, "discontinued": false}),
            json!({"id": "e", "category_id": "shoes", "name": "Sandal", "price": 30, "discontinued": false}),
        ],
    )
    .await?;
    let q = Query::new()
        .filter("category_id", "shoes")
        .filter("discontinued", false)
        .range("price", Some(50.0), None)
        .search("runner", ["name"])
        .sort("price", SortDirection::Asc)
        .page(0, 10);
    let page = store.query("products", &q).await?;
    assert_eq!((ids(&page.items), page.total), (vec!["b", "a"], 2));
    Ok(())
}

async fn field_names_that_are_not_snake_case_are_refused(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    seed(&store, "things", &[json!({"id": "a", "Name": "x"})]).await?;
    let bad = [
        Query::new().filter("Name", "x"),
        Query::new().filter("name') OR 1=1 --", "x"),
        Query::new().range("n; DROP TABLE rm_documents", Some(1.0), None),
        Query::new().search("x", ["name", "doc->>'id'"]),
        Query::new().sort("$.id", SortDirection::Asc),
        Query::new().sort("", SortDirection::Asc),
    ];
    for query in bad {
        let result = store.query("things", &query).await;
        assert!(matches!(result, Err(ReadStoreError::InvalidField { .. })), "{query:?} gave {result:?}");
    }
    assert!(matches!(
        store.query("things", &Query::new().search("x", Vec::<String>::new())).await,
        Err(ReadStoreError::InvalidQuery(_))
    ));
    // The table is still there.
    assert_eq!(store.query("things", &Query::new()).await?.total, 1);
    Ok(())
}

async fn the_checkpoint_is_zero_until_a_batch_is_committed_and_then_its_position(
    backend: Backend,
) -> anyhow::Result<()> {
    let store = backend.open().await?;
    assert_eq!(store.checkpoint("catalog").await?, 0);
    // Position 0 means "nothing applied", so committing it is a no-op.
    assert!(!store.commit("catalog", vec![DocWrite::put("c", "1", json!({}))], 0).await?);
    assert_eq!(store.get("c", "1").await?, None);
    assert!(store.commit("catalog", vec![], 7).await?);
    assert_eq!(store.checkpoint("catalog").await?, 7);
    assert_eq!(store.checkpoint("orders").await?, 0);
    Ok(())
}

async fn a_batch_at_an_older_or_equal_position_is_ignored(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    assert!(store.commit("p", vec![DocWrite::put("c", "1", json!({"v": "new"}))], 10).await?);
    for position in [10, 9, 1] {
        let redelivered = vec![DocWrite::put("c", "1", json!({"v": "old"})), DocWrite::put("c", "2", json!({}))];
        assert!(!store.commit("p", redelivered, position).await?, "position {position}");
    }
    assert_eq!(store.get("c", "1").await?, Some(json!({"v": "new"})));
    assert_eq!(store.get("c", "2").await?, None);
    assert_eq!(store.checkpoint("p").await?, 10);
    // Another projection's checkpoint does not guard this one.
    assert!(store.commit("q", vec![DocWrite::put("d", "1", json!({}))], 3).await?);
    assert!(store.commit("p", vec![DocWrite::put("c", "1", json!({"v": "newer"}))], 11).await?);
    assert_eq!(store.get("c", "1").await?, Some(json!({"v": "newer"})));
    Ok(())
}

async fn a_batch_that_fails_half_way_leaves_neither_documents_nor_checkpoint(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    assert!(store.commit("p", vec![DocWrite::put("c", "keep", json!({"v": 1}))], 1).await?);
    backend.install_poison_trigger().await?;
    let batch = vec![
        DocWrite::put("c", "keep", json!({"v": 2})),
        DocWrite::put("c", "new", json!({"v": 2})),
        DocWrite::put("c", "poison", json!({})),
    ];
    let failed = store.commit("p", batch, 2).await;
    assert!(matches!(failed, Err(ReadStoreError::Database { .. } | ReadStoreError::Driver { .. })), "{failed:?}");
    assert_eq!(store.checkpoint("p").await?, 1);
    assert_eq!(store.get("c", "keep").await?, Some(json!({"v": 1})));
    assert_eq!(store.get("c", "new").await?, None);
    // The same position can be retried once the cause is gone.
    assert!(store.commit("p", vec![DocWrite::put("c", "new", json!({"v": 2}))], 2).await?);
    assert_eq!(store.checkpoint("p").await?, 2);
    Ok(())
}

async fn concurrent_commits_of_the_same_position_apply_exactly_once(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.commit("p", vec![DocWrite::put("c", "1", json!({"writer": i}))], 5).await
        }));
    }
    let mut applied = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        if task.await?? {
            applied.push(i);
        }
    }
    assert_eq!(applied.len(), 1, "applied by {applied:?}");
    assert_eq!(store.get("c", "1").await?, Some(json!({"writer": applied[0]})));
    assert_eq!(store.checkpoint("p").await?, 5);
    Ok(())
}

async fn reset_removes_a_projections_documents_and_checkpoint_and_nothing_else(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    store
        .commit(
            "catalog",
            vec![DocWrite::put("products", "1", json!({})), DocWrite::put("categories", "1", json!({}))],
            4,
        )
        .await?;
    store.commit("orders", vec![DocWrite::put("orders", "1", json!({}))], 3).await?;
    store.reset("catalog", &["products", "categories"]).await?;
    assert_eq!(store.checkpoint("catalog").await?, 0);
    assert_eq!(store.get("products", "1").await?, None);
    assert_eq!(store.get("categories", "1").await?, None);
    assert_eq!(store.query("products", &Query::new()).await?.total, 0);
    assert_eq!(store.checkpoint("orders").await?, 3);
    assert!(store.get("orders", "1").await?.is_some());
    // After a reset the projection starts again from position 1.
    assert!(store.commit("catalog", vec![DocWrite::put("products", "2", json!({}))], 1).await?);
    Ok(())
}

async fn documents_and_checkpoints_survive_reopening_the_store(backend: Backend) -> anyhow::Result<()> {
    {
        let store = backend.open().await?;
        store.commit("p", vec![DocWrite::put("c", "1", json!({"v": 1}))], 42).await?;
    }
    let reopened = backend.open().await?;
    assert_eq!(reopened.checkpoint("p").await?, 42);
    assert_eq!(reopened.get("c", "1").await?, Some(json!({"v": 1})));
    Ok(())
}

/// The cache never answers with a document older than a checkpoint already visible:
/// readers hammer one document (filling the cache from reads that race the commits)
/// while each of them checks that what it gets is at least the checkpoint it read first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_cache_never_answers_older_than_a_visible_checkpoint() -> anyhow::Result<()> {
    let backend = Backend::cached_sqlite()?;
    let store = backend.open().await?;
    store.commit("p", vec![DocWrite::put("c", "1", json!({"v": 1}))], 1).await?;
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..4 {
        let (store, done) = (store.clone(), done.clone());
        readers.push(tokio::spawn(async move {
            let mut checked = 0u64;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let visible = store.checkpoint("p").await?;
                let doc = store.get("c", "1").await?.ok_or_else(|| anyhow::anyhow!("the document vanished"))?;
                let v = doc["v"].as_u64().unwrap_or(0);
                anyhow::ensure!(v >= visible, "read v={v} after checkpoint {visible} was visible");
                checked += 1;
            }
            anyhow::Ok(checked)
        }));
    }
    for position in 2..=300u64 {
        store.commit("p", vec![DocWrite::put("c", "1", json!({"v": position}))], position).await?;
        let doc = store.get("c", "1").await?;
        assert_eq!(doc, Some(json!({"v": position})), "the writer's own read after commit {position}");
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    for reader in readers {
        let checked = reader.await??;
        assert!(checked > 0, "a reader never ran while the commits did");
    }
    Ok(())
}

/// Makes MongoDB refuse any record of a document with id `poison` in collection `c`
/// (which must exist: the tests commit to it first).
async fn install_poison_validator(db: &TestMongo) -> anyhow::Result<()> {
    let validator = doc! { "collMod": "c", "validator": { "_id": { "$ne": "poison" } } };
    db.database().await?.run_command(validator).await?;
    Ok(())
}

/// MongoDB's own guarantees, beyond the contract: the position guards hold with and
/// without transactions, text search treats regex syntax as text, and each read-model
/// collection is a plain MongoDB collection of its own that any client can read.
mod mongo_only {
    use std::future::Future;

    use anyhow::Context;
    use mongodb::bson::Document;

    use super::*;

    /// Runs `body` twice, each time on a fresh database: with the server's
    /// transactions, then on position guards alone.
    async fn in_both_modes<F, Fut>(test: &str, body: F) -> anyhow::Result<()>
    where
        F: Fn(MongoReadStore, Arc<TestMongo>) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        for guards_only in [false, true] {
            let Some(db) = TestMongo::create(test).await? else {
                return Ok(());
            };
            // Held here too, so the database (and the server) outlive the body.
            let db = Arc::new(db);
            let mut store = MongoReadStore::connect(&db.uri).await?;
            if guards_only {
                store = store.without_transactions();
            }
            let atomicity = store.atomicity();
            body(store, db.clone()).await.with_context(|| format!("with {atomicity:?}"))?;
        }
        Ok(())
    }

    /// The position stored with a document's record (`_emporium.position`).
    async fn stored_position(db: &TestMongo, collection: &str, id: &str) -> anyhow::Result<i64> {
        let record = db
            .database()
            .await?
            .collection::<Document>(collection)
            .find_one(doc! { "_id": id })
            .await?
            .context("no such record")?;
        Ok(record.get_document("_emporium")?.get_i64("position")?)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_adapter_uses_transactions_on_secantusdb() -> anyhow::Result<()> {
        let Some(db) = TestMongo::create("mongo_only::the_adapter_uses_transactions_on_secantusdb").await? else {
            return Ok(());
        };
        let store = MongoReadStore::connect(&db.uri).await?;
        if db.started_here {
            assert_eq!(store.atomicity(), Atomicity::Transactions);
        }
        assert_eq!(store.without_transactions().atomicity(), Atomicity::Guards);
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_redelivered_batch_changes_nothing_with_or_without_transactions() -> anyhow::Result<()> {
        in_both_modes(
            "mongo_only::a_redelivered_batch_changes_nothing_with_or_without_transactions",
            |store, _db| async move {
                assert!(store.commit("p", vec![DocWrite::put("c", "b", json!({"v": "four"}))], 4).await?);
                let batch = vec![DocWrite::put("c", "a", json!({"v": "five"})), DocWrite::delete("c", "b")];
                assert!(store.commit("p", batch, 5).await?);
                // The same position again (a lost acknowledgement), even with other content.
                let again =
                    vec![DocWrite::put("c", "a", json!({"v": "again"})), DocWrite::put("c", "b", json!({"v": "back"}))];
                assert!(!store.commit("p", again, 5).await?);
                assert_eq!(store.get("c", "a").await?, Some(json!({"v": "five"})));
                assert_eq!(store.get("c", "b").await?, None);
                assert_eq!(store.checkpoint("p").await?, 5);
                Ok(())
            },
        )
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_older_than_the_last_one_changes_nothing_with_or_without_transactions() -> anyhow::Result<()> {
        in_both_modes(
            "mongo_only::a_batch_older_than_the_last_one_changes_nothing_with_or_without_transactions",
            |store, _db| async move {
                assert!(store.commit("p", vec![DocWrite::put("c", "a", json!({"v": "ten"}))], 10).await?);
                let older = vec![DocWrite::put("c", "a", json!({"v": "seven"})), DocWrite::put("c", "n", json!({}))];
                assert!(!store.commit("p", older, 7).await?);
                assert_eq!(store.get("c", "a").await?, Some(json!({"v": "ten"})));
                assert_eq!(store.get("c", "n").await?, None);
                assert_eq!(store.checkpoint("p").await?, 10);
                Ok(())
            },
        )
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_replayed_batch_never_overwrites_newer_documents_even_past_a_lost_checkpoint() -> anyhow::Result<()> {
        in_both_modes(
            "mongo_only::a_replayed_batch_never_overwrites_newer_documents_even_past_a_lost_checkpoint",
            |store, db| async move {
                assert!(store.commit("p", vec![DocWrite::put("c", "a", json!({"v": "ten"}))], 10).await?);
                // The checkpoint is lost (say, restored from an older backup), so the
                // checkpoint check lets old batches through: the records' guards hold.
                db.database()
                    .await?
                    .collection::<Document>("emporium_checkpoints")
                    .delete_one(doc! { "_id": "p" })
                    .await?;
                let replayed = vec![
                    DocWrite::put("c", "a", json!({"v": "seven"})),
                    DocWrite::put("c", "n", json!({"v": "seven"})),
                ];
                assert!(store.commit("p", replayed, 7).await?);
                assert_eq!(store.get("c", "a").await?, Some(json!({"v": "ten"})));
                assert_eq!(store.get("c", "n").await?, Some(json!({"v": "seven"})));
                assert_eq!(stored_position(&db, "c", "a").await?, 10);
                // A replayed delete does not remove the newer document either.
                assert!(store.commit("p", vec![DocWrite::delete("c", "a")], 8).await?);
                assert_eq!(store.get("c", "a").await?, Some(json!({"v": "ten"})));
                assert_eq!(store.checkpoint("p").await?, 8);
                Ok(())
            },
        )
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn numbers_keep_their_kind_and_odd_keys_and_dollar_strings_read_back_unchanged() -> anyhow::Result<()> {
        let test = "mongo_only::numbers_keep_their_kind_and_odd_keys_and_dollar_strings_read_back_unchanged";
        let Some(db) = TestMongo::create(test).await? else {
            return Ok(());
        };
        let store = MongoReadStore::connect(&db.uri).await?;
        let doc = json!({
            "int": 1, "float": 1.0, "max": i64::MAX, "min": i64::MIN, "tiny": 1e-300,
            "price": "$5", "root": "$$ROOT", "a.b": 1, "nested": {"$set": {"x": "$x"}, "list": [1, 1.5, "$y"]}
        });
        assert!(store.commit("p", vec![DocWrite::put("c", "odd", doc.clone())], 1).await?);
        let back = store.get("c", "odd").await?.context("document missing")?;
        assert_eq!(back, doc);
        assert!(back["int"].is_i64() && back["float"].is_f64() && back["nested"]["list"][0].is_i64());
        // Integers and doubles compare as numbers in filters and ranges.
        assert_eq!(store.query("c", &Query::new().filter("float", 1)).await?.total, 1);
        assert_eq!(store.query("c", &Query::new().range("max", Some(9.2e18), None)).await?.total, 1);
        // A document integer beyond i64 is refused, not rounded.
        let too_big = store.commit("p", vec![DocWrite::put("c", "big", json!({"n": u64::MAX}))], 2).await;
        assert!(matches!(too_big, Err(ReadStoreError::OutOfRange { .. })), "{too_big:?}");
        assert_eq!(store.checkpoint("p").await?, 1);
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn regex_metacharacters_in_a_text_search_are_literal() -> anyhow::Result<()> {
        let Some(db) = TestMongo::create("mongo_only::regex_metacharacters_in_a_text_search_are_literal").await? else {
            return Ok(());
        };
        let store: Arc<dyn ReadStore> = Arc::new(MongoReadStore::connect(&db.uri).await?);
        let names = [
            ("dot", "a.c"),
            ("abc", "abc"),
            ("group", "(x)"),
            ("x", "x"),
            ("plus", "a+b"),
            ("aab", "aab"),
            ("class", "[t]"),
            ("t", "t"),
            ("digit", "\\d"),
            ("d1", "d1"),
            ("anchors", "^$"),
            ("alt", "a|b"),
            ("star", "2*3=6"),
            ("slash", "a/b"),
        ];
        let docs: Vec<Value> = names.iter().map(|(id, name)| json!({"id": id, "name": name})).collect();
        seed(&store, "things", &docs).await?;
        let search = |text: &str| Query::new().search(text, ["name"]).sort("id", SortDirection::Asc).page(0, 100);
        for (text, expected) in [
            ("a.c", vec!["dot"]),
            (".", vec!["dot"]),
            ("(x)", vec!["group"]),
            ("a+b", vec!["plus"]),
            ("[t]", vec!["class"]),
            ("\\d", vec!["digit"]),
            ("^$", vec!["anchors"]),
            ("a|b", vec!["alt"]),
            ("*", vec!["star"]),
            ("a/b", vec!["slash"]),
            (".*", vec![]),
            ("^a", vec![]),
        ] {
            assert_eq!(ids_of(&store, "things", search(text)).await?, expected, "searching {text:?}");
        }
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn write_keeps_the_checkpoint_and_its_documents_take_the_checkpoints_position() -> anyhow::Result<()> {
        in_both_modes(
            "mongo_only::write_keeps_the_checkpoint_and_its_documents_take_the_checkpoints_position",
            |store, db| async move {
                assert!(store.commit("p", vec![DocWrite::put("c", "a", json!({"v": 1}))], 4).await?);
                let marks = vec![
                    DocWrite::put("c", "a", json!({"v": 2})),
                    DocWrite::put("c", "b", json!({})),
                    DocWrite::delete("c", "x"),
                ];
                store.write("p", marks).await?;
                assert_eq!(store.checkpoint("p").await?, 4);
                assert_eq!(store.get("c", "a").await?, Some(json!({"v": 2})));
                assert_eq!(store.get("c", "b").await?, Some(json!({})));
                assert_eq!((stored_position(&db, "c", "a").await?, stored_position(&db, "c", "b").await?), (4, 4));
                // The batch at the checkpoint stays applied once: its redelivery changes nothing…
                assert!(!store.commit("p", vec![DocWrite::put("c", "a", json!({"v": 1}))], 4).await?);
                assert_eq!(store.get("c", "a").await?, Some(json!({"v": 2})));
                // …and the next batch overwrites what the write left.
                assert!(store.commit("p", vec![DocWrite::put("c", "a", json!({"v": 3}))], 5).await?);
                assert_eq!(store.get("c", "a").await?, Some(json!({"v": 3})));
                // A document written later in the log by another projection is left alone.
                assert!(store.commit("q", vec![DocWrite::put("c", "z", json!({"by": "q"}))], 9).await?);
                store.write("p", vec![DocWrite::put("c", "z", json!({"by": "p"}))]).await?;
                assert_eq!(store.get("c", "z").await?, Some(json!({"by": "q"})));
                // A projection without a checkpoint writes at position 0.
                store.write("fresh", vec![DocWrite::put("f", "1", json!({"v": 1}))]).await?;
                assert_eq!(store.checkpoint("fresh").await?, 0);
                assert_eq!(stored_position(&db, "f", "1").await?, 0);
                assert!(store.commit("fresh", vec![DocWrite::put("f", "1", json!({"v": 2}))], 1).await?);
                assert_eq!(store.get("f", "1").await?, Some(json!({"v": 2})));
                Ok(())
            },
        )
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn without_transactions_a_batch_failing_half_way_is_completed_by_its_redelivery() -> anyhow::Result<()> {
        let test = "mongo_only::without_transactions_a_batch_failing_half_way_is_completed_by_its_redelivery";
        let Some(db) = TestMongo::create(test).await? else {
            return Ok(());
        };
        let store = MongoReadStore::connect(&db.uri).await?.without_transactions();
        assert!(store.commit("p", vec![DocWrite::put("c", "keep", json!({"v": 1}))], 1).await?);
        install_poison_validator(&db).await?;
        let batch = || {
            vec![
                DocWrite::put("c", "keep", json!({"v": 2})),
                DocWrite::put("c", "new", json!({"v": 2})),
                DocWrite::put("c", "poison", json!({})),
            ]
        };
        let failed = store.commit("p", batch(), 2).await;
        assert!(matches!(failed, Err(ReadStoreError::Database { .. } | ReadStoreError::Driver { .. })), "{failed:?}");
        // The checkpoint did not move, so the batch will be delivered again.
        assert_eq!(store.checkpoint("p").await?, 1);
        db.database().await?.run_command(doc! { "collMod": "c", "validator": {} }).await?;
        assert!(store.commit("p", batch(), 2).await?);
        assert_eq!(store.get("c", "keep").await?, Some(json!({"v": 2})));
        assert_eq!(store.get("c", "new").await?, Some(json!({"v": 2})));
        assert_eq!(store.get("c", "poison").await?, Some(json!({})));
        assert_eq!(store.checkpoint("p").await?, 2);
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_committed_document_reads_back_through_the_plain_driver_with_its_fields_at_the_top_level()
    -> anyhow::Result<()> {
        let test =
            "mongo_only::a_committed_document_reads_back_through_the_plain_driver_with_its_fields_at_the_top_level";
        let Some(db) = TestMongo::create(test).await? else {
            return Ok(());
        };
        let store = MongoReadStore::connect(&db.uri).await?;
        let product = json!({
            "id": "p1", "name": "Kettle", "category_id": "c1", "sku": "K-1",
            "price": {"amount": 2599, "currency": "EUR"}, "rating": 4.5, "tags": ["steel"]
        });
        let order = json!({"id": "o1", "customer_id": "cu1", "total": 2599});
        let writes =
            vec![DocWrite::put("products", "p1", product.clone()), DocWrite::put("orders", "o1", order.clone())];
        assert!(store.commit("catalog", writes, 7).await?);

        let mongo = db.database().await?;
        let products = mongo.collection::<Document>("products");
        let record = products.find_one(doc! { "_id": "p1" }).await?.context("no record p1 in products")?;
        assert_eq!(record.get_str("_id")?, "p1");
        assert_eq!((record.get_str("name")?, record.get_str("sku")?), ("Kettle", "K-1"));
        assert_eq!(record.get_document("price")?.get_i64("amount")?, 2599);
        assert_eq!(record.get_f64("rating")?, 4.5);
        let bookkeeping = record.get_document("_emporium")?;
        assert_eq!(bookkeeping.get_i64("position")?, 7);
        assert_eq!(bookkeeping.get_str("projection")?, "catalog");
        assert!(bookkeeping.get_datetime("updated_at").is_ok());
        // Nothing but the id, the document's own fields and the bookkeeping.
        let mut fields: Vec<&str> = record.keys().map(String::as_str).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["_emporium", "_id", "category_id", "id", "name", "price", "rating", "sku", "tags"]);
        // The lookups an analyst would write, on the indexes the SQL migrations have.
        assert_eq!(products.count_documents(doc! { "category_id": "c1" }).await?, 1);
        let orders = mongo.collection::<Document>("orders");
        assert_eq!(orders.count_documents(doc! { "customer_id": "cu1" }).await?, 1);
        for collection in [&products, &orders] {
            let mut indexes = collection.list_index_names().await?;
            indexes.sort_unstable();
            assert_eq!(indexes, ["_id_", "category_id", "customer_id", "sku"], "{}", collection.name());
        }
        let checkpoint = mongo
            .collection::<Document>("emporium_checkpoints")
            .find_one(doc! { "_id": "catalog" })
            .await?
            .context("no checkpoint record")?;
        assert_eq!(checkpoint.get_i64("position")?, 7);
        // Through the port, exactly the JSON written; reads create no collection.
        assert_eq!(store.get("products", "p1").await?, Some(product));
        assert_eq!(store.query("orders", &Query::new()).await?.items, [order]);
        assert_eq!(store.query("carts", &Query::new()).await?.total, 0);
        let mut collections = mongo.list_collection_names().await?;
        collections.sort_unstable();
        assert_eq!(collections, ["emporium_checkpoints", "orders", "products"]);
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn collection_names_mongodb_cannot_take_are_refused_before_anything_is_written() -> anyhow::Result<()> {
        let test = "mongo_only::collection_names_mongodb_cannot_take_are_refused_before_anything_is_written";
        let Some(db) = TestMongo::create(test).await? else {
            return Ok(());
        };
        let store = MongoReadStore::connect(&db.uri).await?;
        let too_long = "x".repeat(255);
        let refused = [
            "",
            "system.views",
            "system.x",
            "emporium_checkpoints",
            "a$b",
            ".hidden",
            "trailing.",
            "a..b",
            "nul\0",
            &too_long,
        ];
        fn is_refusal<T>(result: &Result<T, ReadStoreError>) -> bool {
            matches!(result, Err(ReadStoreError::InvalidQuery(_)))
        }
        for name in refused {
            let put =
                store.commit("p", vec![DocWrite::put("ok", "1", json!({})), DocWrite::put(name, "1", json!({}))], 1);
            assert!(is_refusal(&put.await), "put into {name:?}");
            assert!(is_refusal(&store.commit("p", vec![DocWrite::delete(name, "1")], 1).await), "delete in {name:?}");
            assert!(is_refusal(&store.write("p", vec![DocWrite::put(name, "1", json!({}))]).await), "write {name:?}");
            assert!(is_refusal(&store.get(name, "1").await), "get from {name:?}");
            assert!(is_refusal(&store.query(name, &Query::new()).await), "query {name:?}");
            assert!(is_refusal(&store.reset("p", &["ok", name]).await), "reset {name:?}");
        }
        assert_eq!(store.checkpoint("p").await?, 0);
        assert_eq!(db.database().await?.list_collection_names().await?, ["emporium_checkpoints"]);
        // The names our projections use are plain MongoDB collection names.
        let ours = ["products", "catalog_stock", "parked_messages", "saga_order_fulfilment"];
        let writes = ours.iter().map(|name| DocWrite::put(*name, "1", json!({"in": name}))).collect();
        assert!(store.commit("p", writes, 1).await?);
        for name in ours {
            assert_eq!(store.get(name, "1").await?, Some(json!({"in": name})));
        }
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn documents_with_a_top_level_id_or_bookkeeping_field_are_refused_and_such_fields_match_nothing()
    -> anyhow::Result<()> {
        let test =
            "mongo_only::documents_with_a_top_level_id_or_bookkeeping_field_are_refused_and_such_fields_match_nothing";
        let Some(db) = TestMongo::create(test).await? else {
            return Ok(());
        };
        let store = MongoReadStore::connect(&db.uri).await?;
        for bad in
            [json!({"_id": "other"}), json!({"_emporium": {"position": 99}}), json!({"_emporium_x": 1}), json!([1])]
        {
            let result = store.commit("p", vec![DocWrite::put("c", "a", bad.clone())], 1).await;
            assert!(matches!(result, Err(ReadStoreError::Json { .. })), "{bad} gave {result:?}");
        }
        assert_eq!(store.checkpoint("p").await?, 0);
        // Nested, those names are the document's own.
        let nested = json!({"id": "a", "ref": {"_id": "x", "_emporium": 1}});
        assert!(
            store
                .commit(
                    "p",
                    vec![DocWrite::put("c", "a", nested.clone()), DocWrite::put("c", "b", json!({"id": "b"}))],
                    1
                )
                .await?
        );
        assert_eq!(store.get("c", "a").await?, Some(nested));
        let store: Arc<dyn ReadStore> = Arc::new(store);
        // As in SQL, where documents have no such fields: nothing matches them, and
        // sorting on them leaves id order.
        assert_eq!(store.query("c", &Query::new().filter("_id", "a")).await?.total, 0);
        assert_eq!(store.query("c", &Query::new().range("_emporium.position", None, None)).await?.total, 0);
        assert_eq!(store.query("c", &Query::new().search("a", ["_id"])).await?.total, 0);
        let by_position = Query::new().sort("_emporium.position", SortDirection::Desc);
        assert_eq!(ids_of(&store, "c", by_position).await?, ["a", "b"]);
        assert_eq!(store.query("c", &Query::new().filter("ref._id", "x")).await?.total, 1);
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reset_empties_the_listed_collections_and_takes_the_projections_documents_from_the_others()
    -> anyhow::Result<()> {
        in_both_modes(
            "mongo_only::reset_empties_the_listed_collections_and_takes_the_projections_documents_from_the_others",
            |store, db| async move {
                assert!(
                    store
                        .commit(
                            "p",
                            vec![DocWrite::put("mine", "p1", json!({})), DocWrite::put("shared", "p1", json!({}))],
                            3
                        )
                        .await?
                );
                assert!(
                    store
                        .commit(
                            "q",
                            vec![DocWrite::put("mine", "q1", json!({})), DocWrite::put("shared", "q1", json!({}))],
                            4
                        )
                        .await?
                );
                // A collection someone wrote by hand, without bookkeeping, reads through the port too.
                let notes = db.database().await?.collection::<Document>("notes");
                notes.insert_one(doc! { "_id": "n1", "text": "by hand" }).await?;
                assert_eq!(store.get("notes", "n1").await?, Some(json!({"text": "by hand"})));

                store.reset("p", &["mine"]).await?;
                assert_eq!(store.query("mine", &Query::new()).await?.total, 0);
                assert_eq!(store.get("shared", "p1").await?, None);
                assert_eq!(store.get("shared", "q1").await?, Some(json!({})));
                assert_eq!(notes.count_documents(doc! {}).await?, 1);
                assert_eq!((store.checkpoint("p").await?, store.checkpoint("q").await?), (0, 4));
                // The rebuild starts again from position 1.
                assert!(store.commit("p", vec![DocWrite::put("shared", "p1", json!({"v": 2}))], 1).await?);
                assert_eq!(store.get("shared", "p1").await?, Some(json!({"v": 2})));
                Ok(())
            },
        )
        .await
    }
}
