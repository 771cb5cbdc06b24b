//! The MongoDB read store (cargo feature `mongodb`), on the official driver. It
//! passes the same contract suite as SQLite and PostgreSQL (`tests/tests/read_store.rs`).
//!
//! What the database holds, shaped as a MongoDB user expects:
//! - one MongoDB collection per read-model collection, of the same name (`products`,
//!   `orders`, `catalog_stock`, …), with one record per document: `_id` is the
//!   document's id (a string); the document's own fields sit at the top level exactly
//!   as in its JSON (integers as `Int64`, floats as doubles, keys with `$` or `.` kept
//!   as they are); and one bookkeeping field, `_emporium: {projection, position,
//!   updated_at}`, names the projection that wrote the record, the global position of
//!   the batch that did, and when;
//! - `emporium_checkpoints`: `{_id: projection, position, updated_at}`, one per
//!   projection.
//!
//! Auditors and analysts thus read the read models with any driver or shell
//! (`db.orders.find({customer_id: …})`, `db.products.find()`) and may ignore
//! `_emporium`; reading through the port strips `_id` and `_emporium` and gives back
//! exactly the JSON that was written. Every collection gets an index on each of
//! `customer_id`, `category_id` and `sku` (the lookups the SQL migrations index).
//!
//! Layout:
//! - [`MongoReadStore`]: connecting, and the [`ReadStore`] port over the pieces below;
//! - [`Atomicity`]: transactions where the server has them, else position guards;
//! - `collection_name`: which read-model collection names can be MongoDB collections;
//! - `records`: the record shapes, the reserved fields and the indexes;
//! - `indexes`: collections created with their indexes before their first write;
//! - `writes`: the position-guarded writes and the reset, one named function each;
//! - `query`: [`Query`] to a filter and sort over a collection's records;
//! - `convert`: JSON ⇄ BSON, integers as `Int64`, floats as doubles;
//! - `error`: driver errors as [`ReadStoreError::Driver`].
//!
//! Design:
//! - Names and fields the layout cannot hold are refused, never mangled. Collection
//!   names are free text in the port: one MongoDB or its standard drivers cannot take
//!   (empty; with `$` or NUL; an empty `.`-separated part; a `system.` prefix; a
//!   namespace over 255 bytes) or that is `emporium_checkpoints` fails every operation
//!   with [`ReadStoreError::InvalidQuery`] before anything is written. A document must
//!   be a JSON object with no top-level `_id` or `_emporium…` field (projections write
//!   none), else it is refused as [`ReadStoreError::Json`]; a query on such a field
//!   matches nothing, as in SQL.
//! - Collections are created, with their indexes, the first time this store writes to
//!   them, before and outside the unit of work (once per collection per store and its
//!   clones): index builds cannot run in a transaction on a collection with data, and
//!   servers before 4.4 cannot create a collection inside one. Reads need no
//!   preparation: a collection never written reads as empty.
//! - Atomicity twice over. Where the server has transactions a batch, its
//!   checkpoint check and its checkpoint move commit together, across however many
//!   collections the batch touches; two committers of one position conflict and the
//!   loser, retried, finds the checkpoint moved. Independently of that, every record
//!   carries the position of the batch that wrote it and every write only replaces or
//!   deletes records older than itself, and the checkpoint moves only forward (a
//!   guarded upsert): without transactions a redelivered or replayed batch still
//!   changes nothing, and one interrupted half way is completed by its redelivery.
//! - A reset empties the listed collections and deletes the projection's records
//!   (by `_emporium.projection`) from every other read-model collection, then its
//!   checkpoint, in one unit of work. `listCollections` cannot run in a transaction,
//!   so the collections are listed just before it; one created in between holds
//!   nothing of a projection being reset. `_emporium.projection` is not indexed:
//!   resets are rare, and the index would cost every write.
//! - A document only moves forward in log order: unlike the SQL adapters, a batch
//!   of one projection does not overwrite a document another projection wrote at a
//!   later position.
//! - A database written by the adapter's first, single-collection layout
//!   (`rm_documents`, `rm_checkpoints`) is not read: every checkpoint reads as 0, so
//!   the projections rebuild the read models in this layout by replay; the two old
//!   collections can then be dropped.
//!
//! Where results can differ from the SQL adapters (outside the contract suite): text
//! search matches string values only (SQL also searches a number's or an object's
//! text); sorting on a field holding arrays uses their smallest (largest, when
//! descending) element; integers beyond `i64` are refused; without transactions a
//! query's count and page are two reads.

mod atomicity;
mod collection_name;
mod convert;
mod error;
mod indexes;
mod query;
mod records;
mod writes;

use std::sync::Arc;

use async_trait::async_trait;
use mongodb::bson::{Document, doc};
use mongodb::options::ClientOptions;
use mongodb::{Client, Collection, Database};
use serde_json::Value;

pub use atomicity::Atomicity;

use self::collection_name::CollectionName;
use self::error::mongo;
use self::indexes::PreparedCollections;
use self::records::{CHECKPOINTS, ID_FIELD, read_model_collection, stored_document, without_bookkeeping};
use self::writes::{Batch, Guard, ResetScope};
use super::error::{to_i64, to_u64};
use super::{DocWrite, Page, Query, ReadStore, ReadStoreError};

/// The database used when the URI's path names none.
pub const DEFAULT_DATABASE: &str = "emporium";

/// A [`ReadStore`] in a MongoDB database, one MongoDB collection per read-model
/// collection.
#[derive(Debug, Clone)]
pub struct MongoReadStore {
    client: Client,
    database: Database,
    checkpoints: Collection<Document>,
    prepared: Arc<PreparedCollections>,
    atomicity: Atomicity,
}

/// Marks a batch found at or behind its projection's checkpoint: returned from the
/// unit of work so a transaction is aborted, then answered as `false`.
#[derive(Debug)]
struct Stale;

impl MongoReadStore {
    /// Connects to `uri` (`mongodb://host:port/database?options`; database
    /// [`DEFAULT_DATABASE`] when the path names none), creates the checkpoint
    /// collection, and uses transactions when the server has them.
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
        records::ensure_checkpoints(&db).await.map_err(mongo(format!(
            "creating the read store's checkpoint collection in MongoDB database {database}"
        )))?;
        let atomicity =
            Atomicity::detect(&client).await.map_err(mongo("asking the MongoDB server whether it has transactions"))?;
        Ok(Self { checkpoints: db.collection(CHECKPOINTS), database: db, client, prepared: Arc::default(), atomicity })
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

    /// `collection` as a collection of this store's database.
    fn collection_name(&self, collection: &str) -> Result<CollectionName, ReadStoreError> {
        CollectionName::parse(collection, self.database.name())
    }

    /// Checks and converts `writes`, and prepares the collections they put into.
    async fn prepare(&self, writes: Vec<DocWrite>) -> Result<Batch, ReadStoreError> {
        let batch = Batch::prepare(writes, self.database.name())?;
        self.prepared.prepare(&self.database, batch.put_collections()).await?;
        Ok(batch)
    }

    /// Every read-model collection of the database: collections (not views) whose
    /// names this store could have written, so neither its checkpoints nor MongoDB's
    /// `system.` collections.
    async fn read_model_collections(&self) -> Result<Vec<CollectionName>, ReadStoreError> {
        let names = self
            .database
            .list_collection_names()
            .filter(doc! { "type": "collection" })
            .await
            .map_err(mongo(format!("listing the collections of MongoDB database {}", self.database.name())))?;
        Ok(names.iter().filter_map(|name| self.collection_name(name).ok()).collect())
    }
}

#[async_trait]
impl ReadStore for MongoReadStore {
    async fn get(&self, collection: &str, id: &str) -> Result<Option<Value>, ReadStoreError> {
        let name = self.collection_name(collection)?;
        let record = read_model_collection(&self.database, &name)
            .find_one(doc! { ID_FIELD: id })
            .projection(without_bookkeeping())
            .await
            .map_err(mongo(format!("reading document {collection}/{id}")))?;
        record.map(|record| stored_document(record, collection)).transpose()
    }

    async fn query(&self, collection: &str, query: &Query) -> Result<Page, ReadStoreError> {
        let name = self.collection_name(collection)?;
        let checked = query.checked()?;
        let records = read_model_collection(&self.database, &name);
        let filter = query::filter(&checked);
        let sort = query::sort(&checked);
        let skip = checked.offset.min(i64::MAX as u64);
        let limit = i64::try_from(checked.limit).unwrap_or(i64::MAX);
        // In a transaction the count and the page read one snapshot, so `total`
        // agrees with `items`.
        let (total, found) = self
            .atomicity
            .run(&self.client, (&records, &filter, &sort), |session, context| {
                let (records, filter, sort) = *context;
                Box::pin(async move {
                    let total = records.count_documents(filter.clone()).session(&mut *session).await?;
                    let mut found = Vec::new();
                    // A limit of 0 means "no limit" to MongoDB.
                    if limit > 0 {
                        let mut cursor = records
                            .find(filter.clone())
                            .sort(sort.clone())
                            .skip(skip)
                            .limit(limit)
                            .projection(without_bookkeeping())
                            .session(&mut *session)
                            .await?;
                        while let Some(record) = cursor.next(session).await {
                            found.push(record?);
                        }
                    }
                    Ok((total, found))
                })
            })
            .await
            .map_err(mongo(format!("querying collection {collection}")))?;
        let items = found.into_iter().map(|record| stored_document(record, collection)).collect::<Result<_, _>>()?;
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
        let batch = self.prepare(writes).await?;
        let outcome = self
            .atomicity
            .run(&self.client, (self, projection, &batch), |session, context| {
                let (store, projection, batch) = *context;
                Box::pin(async move {
                    if writes::read_checkpoint(&store.checkpoints, session, projection).await? >= at {
                        return Err(mongodb::error::Error::custom(Stale));
                    }
                    writes::apply(&store.database, session, projection, batch, Guard::Before(at)).await?;
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
        let batch = self.prepare(writes).await?;
        self.atomicity
            .run(&self.client, (self, projection, &batch), |session, context| {
                let (store, projection, batch) = *context;
                Box::pin(async move {
                    let at = writes::read_checkpoint(&store.checkpoints, session, projection).await?;
                    writes::apply(&store.database, session, projection, batch, Guard::UpTo(at)).await
                })
            })
            .await
            .map_err(mongo(format!("writing documents of {projection} outside a batch")))
    }

    async fn reset(&self, projection: &str, collections: &[&str]) -> Result<(), ReadStoreError> {
        let listed = collections.iter().map(|name| self.collection_name(name)).collect::<Result<Vec<_>, _>>()?;
        let others: Vec<CollectionName> =
            self.read_model_collections().await?.into_iter().filter(|name| !listed.contains(name)).collect();
        let scope = ResetScope { projection, listed: &listed, others: &others };
        self.atomicity
            .run(&self.client, (self, &scope), |session, context| {
                let (store, scope) = *context;
                Box::pin(writes::reset(&store.database, &store.checkpoints, session, scope))
            })
            .await
            .map_err(mongo(format!("resetting projection {projection}")))
    }
}
