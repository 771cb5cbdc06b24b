//! The MongoDB read store (cargo feature `mongodb`), on the official driver. It
//! passes the same contract suite as SQLite and PostgreSQL (`tests/tests/read_store.rs`).
//!
//! Layout:
//! - [`MongoReadStore`]: connecting, and the [`ReadStore`] port over the pieces below;
//! - [`Atomicity`]: transactions where the server has them, else position guards;
//! - `records`: the two collections, their record shapes and indexes;
//! - `writes`: the position-guarded writes, one named function each;
//! - `query`: [`Query`] to a filter and sort over `doc`;
//! - `convert`: JSON ⇄ BSON, integers as `Int64`, floats as doubles;
//! - `error`: driver errors as [`ReadStoreError::Database`].
//!
//! Design:
//! - One `rm_documents` collection for every read-model collection, keyed by
//!   `_id: {c: collection, i: id}`, rather than one MongoDB collection each: a reset
//!   deletes a projection's documents across all its collections with one
//!   statement; a transaction only ever touches two namespaces that exist before it
//!   starts (servers before 4.4 cannot create one inside a transaction); and
//!   read-model collection names, which are free text, never have to be valid
//!   MongoDB namespaces or stay clear of `rm_checkpoints`. Every query carries the
//!   collection as the prefix of its indexes.
//! - Atomicity twice over. Where the server has transactions a batch, its
//!   checkpoint check and its checkpoint move commit together; two committers of
//!   one position conflict and the loser, retried, finds the checkpoint moved.
//!   Independently of that, every record carries the position of the batch that
//!   wrote it and every write only replaces or deletes records older than itself,
//!   and the checkpoint moves only forward (a guarded upsert): without
//!   transactions a redelivered or replayed batch still changes nothing, and one
//!   interrupted half way is completed by its redelivery.
//! - A document only moves forward in log order: unlike the SQL adapters, a batch
//!   of one projection does not overwrite a document another projection wrote at a
//!   later position.
//!
//! Where results can differ from the SQL adapters (outside the contract suite): text
//! search matches string values only (SQL also searches a number's or an object's
//! text); sorting on a field holding arrays uses their smallest (largest, when
//! descending) element; integers beyond `i64` are refused; without transactions a
//! query's count and page are two reads.

mod atomicity;
mod convert;
mod error;
mod query;
mod records;
mod writes;

use async_trait::async_trait;
use mongodb::bson::{Bson, Document, doc};
use mongodb::options::ClientOptions;
use mongodb::{Client, Collection, Database};
use serde_json::Value;

pub use atomicity::Atomicity;

use self::convert::{in_document, to_json};
use self::error::mongo;
use self::records::{CHECKPOINTS, DOCUMENTS, key};
use self::writes::{Batch, Guard};
use super::error::{to_i64, to_u64};
use super::{DocWrite, Page, Query, ReadStore, ReadStoreError};

/// The database used when the URI's path names none.
pub const DEFAULT_DATABASE: &str = "emporium";

/// A [`ReadStore`] in a MongoDB database.
#[derive(Debug, Clone)]
pub struct MongoReadStore {
    client: Client,
    database: Database,
    documents: Collection<Document>,
    checkpoints: Collection<Document>,
    atomicity: Atomicity,
}

/// Marks a batch found at or behind its projection's checkpoint: returned from the
/// unit of work so a transaction is aborted, then answered as `false`.
#[derive(Debug)]
struct Stale;

impl MongoReadStore {
    /// Connects to `uri` (`mongodb://host:port/database?options`; database
    /// [`DEFAULT_DATABASE`] when the path names none), creates the collections and
    /// indexes, and uses transactions when the server has them.
    pub async fn connect(uri: &str) -> Result<Self, ReadStoreError> {
        // The URI may hold a password: it stays out of every message.
        let options = ClientOptions::parse(uri).await.map_err(mongo("parsing the MongoDB read store URI"))?;
        let database = options.default_database.clone().unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
        let client = Client::with_options(options).map_err(mongo("creating the MongoDB client"))?;
        Self::with_client(client, &database).await
    }

    /// Uses an existing client and the named database.
    pub async fn with_client(client: Client, database: &str) -> Result<Self, ReadStoreError> {
        let db = client.database(database);
        records::ensure_schema(&db).await.map_err(mongo(format!(
            "creating the read store's collections and indexes in MongoDB database {database}"
        )))?;
        let atomicity =
            Atomicity::detect(&client).await.map_err(mongo("asking the MongoDB server whether it has transactions"))?;
        Ok(Self {
            documents: db.collection(DOCUMENTS),
            checkpoints: db.collection(CHECKPOINTS),
            database: db,
            client,
            atomicity,
        })
    }

    /// This store, relying on position guards alone even where the server has
    /// transactions: for tests of the guards, and for servers that advertise
    /// transactions they cannot run.
    pub fn without_transactions(mut self) -> Self {
        self.atomicity = Atomicity::Guards;
        self
    }

    /// Whether units of work run in transactions.
    pub fn atomicity(&self) -> Atomicity {
        self.atomicity
    }

    /// The underlying database (for diagnostics and tests).
    pub fn database(&self) -> &Database {
        &self.database
    }
}

#[async_trait]
impl ReadStore for MongoReadStore {
    async fn get(&self, collection: &str, id: &str) -> Result<Option<Value>, ReadStoreError> {
        let record = self
            .documents
            .find_one(doc! { "_id": key(collection, id) })
            .projection(doc! { "doc": 1 })
            .await
            .map_err(mongo(format!("reading document {collection}/{id}")))?;
        record.map(|record| stored_doc(record, collection, id)).transpose()
    }

    async fn query(&self, collection: &str, query: &Query) -> Result<Page, ReadStoreError> {
        let checked = query.checked()?;
        let filter = query::filter(collection, &checked);
        let sort = query::sort(&checked);
        let skip = checked.offset.min(i64::MAX as u64);
        let limit = i64::try_from(checked.limit).unwrap_or(i64::MAX);
        // In a transaction the count and the page read one snapshot, so `total`
        // agrees with `items`.
        let (total, records) = self
            .atomicity
            .run(&self.client, (&self.documents, &filter, &sort), |session, context| {
                let (documents, filter, sort) = *context;
                Box::pin(async move {
                    let total = documents.count_documents(filter.clone()).session(&mut *session).await?;
                    let mut records = Vec::new();
                    // A limit of 0 means "no limit" to MongoDB.
                    if limit > 0 {
                        let mut cursor = documents
                            .find(filter.clone())
                            .sort(sort.clone())
                            .skip(skip)
                            .limit(limit)
                            .projection(doc! { "doc": 1 })
                            .session(&mut *session)
                            .await?;
                        while let Some(record) = cursor.next(session).await {
                            records.push(record?);
                        }
                    }
                    Ok((total, records))
                })
            })
            .await
            .map_err(mongo(format!("querying collection {collection}")))?;
        let items = records
            .into_iter()
            .map(|record| {
                let id = record_id(&record);
                stored_doc(record, collection, &id)
            })
            .collect::<Result<_, _>>()?;
        Ok(Page { items, total })
    }

    async fn checkpoint(&self, projection: &str) -> Result<u64, ReadStoreError> {
        let record = self
            .checkpoints
            .find_one(writes::checkpoint_filter(projection))
            .await
            .map_err(mongo(format!("reading checkpoint of projection {projection}")))?;
        to_u64(writes::checkpoint_position(record.as_ref()), "checkpoint")
    }

    async fn commit(&self, projection: &str, writes: Vec<DocWrite>, position: u64) -> Result<bool, ReadStoreError> {
        if position == 0 {
            return Ok(false);
        }
        let at = to_i64(position, "checkpoint position")?;
        let batch = Batch::prepare(writes)?;
        let outcome = self
            .atomicity
            .run(&self.client, (self, projection, &batch), |session, context| {
                let (store, projection, batch) = *context;
                Box::pin(async move {
                    if writes::read_checkpoint(&store.checkpoints, session, projection).await? >= at {
                        return Err(mongodb::error::Error::custom(Stale));
                    }
                    writes::apply(&store.documents, session, projection, batch, Guard::Before(at)).await?;
                    // Last, so that without a transaction the checkpoint never covers
                    // writes that did not happen.
                    if !writes::advance_checkpoint(&store.checkpoints, session, projection, at).await? {
                        return Err(mongodb::error::Error::custom(Stale));
                    }
                    Ok(())
                })
            })
            .await;
        match outcome {
            Ok(()) => Ok(true),
            Err(error) if error.get_custom::<Stale>().is_some() => Ok(false),
            Err(error) => {
                Err(mongo(format!("committing batch of projection {projection} at position {position}"))(error))
            }
        }
    }

    async fn write(&self, projection: &str, writes: Vec<DocWrite>) -> Result<(), ReadStoreError> {
        let batch = Batch::prepare(writes)?;
        self.atomicity
            .run(&self.client, (self, projection, &batch), |session, context| {
                let (store, projection, batch) = *context;
                Box::pin(async move {
                    let at = writes::read_checkpoint(&store.checkpoints, session, projection).await?;
                    writes::apply(&store.documents, session, projection, batch, Guard::UpTo(at)).await
                })
            })
            .await
            .map_err(mongo(format!("writing documents of {projection} outside a batch")))
    }

    async fn reset(&self, projection: &str, collections: &[&str]) -> Result<(), ReadStoreError> {
        self.atomicity
            .run(&self.client, (self, projection, collections), |session, context| {
                let (store, projection, collections) = *context;
                Box::pin(writes::reset(&store.documents, &store.checkpoints, session, projection, collections))
            })
            .await
            .map_err(mongo(format!("resetting projection {projection}")))
    }
}

/// The JSON document inside a stored record.
fn stored_doc(mut record: Document, collection: &str, id: &str) -> Result<Value, ReadStoreError> {
    let doc = record.remove("doc").unwrap_or(Bson::Null);
    to_json(doc).map_err(|error| in_document(error, collection, id))
}

/// The document id of a stored record, for messages.
fn record_id(record: &Document) -> String {
    record.get_document("_id").ok().and_then(|key| key.get_str("i").ok()).unwrap_or("?").to_owned()
}
