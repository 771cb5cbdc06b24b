//! Command handling against real stores: bounded retry on a hot stream, no
//! overselling, and dedupe by command id.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;

use chrono::Utc;
use emporium_commands::{Command, CommandError, CommandHandler};
use emporium_domain::ids::OrderId;
use emporium_domain::inventory::{Inventory, InventoryCommand, InventoryError};
use emporium_domain::values::{Quantity, Sku};
use emporium_infra::event_store::{AppendOutcome, AppendRequest, EventMetadata, EventStore, RecordedEvent, StoreError};
use emporium_tests::stores::StoreBackend;
use uuid::Uuid;

fn command(sku: &Sku, payload: InventoryCommand) -> Command<InventoryCommand> {
    Command { command_id: Uuid::now_v7(), aggregate_id: sku.to_string(), payload, metadata: EventMetadata::default() }
}

fn receive(sku: &Sku, units: i64) -> Command<InventoryCommand> {
    command(
        sku,
        InventoryCommand::ReceiveStock {
            sku: sku.clone(),
            quantity: Quantity::new(units).expect("quantity"),
            at: Utc::now(),
        },
    )
}

fn reserve(sku: &Sku, units: i64) -> Command<InventoryCommand> {
    command(
        sku,
        InventoryCommand::Reserve {
            sku: sku.clone(),
            order_id: OrderId::from_uuid(Uuid::now_v7()),
            quantity: Quantity::new(units).expect("quantity"),
            at: Utc::now(),
        },
    )
}

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    super::$name(emporium_tests::stores::StoreBackend::sqlite()?).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    super::$name(emporium_tests::stores::StoreBackend::postgres().await?).await
                }
            )*
        }
    };
}

on_both_stores!(
    concurrent_reservations_on_one_sku_all_land_through_retries,
    scarce_stock_is_never_oversold_under_concurrent_reservations,
    the_same_command_id_handled_twice_appends_once_and_returns_the_first_outcome,
    a_refused_command_appends_nothing_and_returns_the_domain_error,
    contention_beyond_the_retry_bound_is_reported_not_hidden,
    a_replica_deciding_on_a_stale_cached_state_ends_up_deciding_on_the_log,
    a_cached_stream_is_not_read_again_and_a_cold_handler_reads_it_once,
);

async fn concurrent_reservations_on_one_sku_all_land_through_retries(backend: StoreBackend) -> anyhow::Result<()> {
    let handler = CommandHandler::new(backend.open().await?, 64);
    let sku = Sku::parse("TEE-RED")?;
    handler.handle::<Inventory>(&receive(&sku, 100)).await?;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (handler, sku) = (handler.clone(), sku.clone());
            tokio::spawn(async move { handler.handle::<Inventory>(&reserve(&sku, 2)).await })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    let (state, version, _) = handler.load::<Inventory>(sku.as_str()).await?;
    assert_eq!((state.available(), state.reserved(), version), (60, 40, 21));
    Ok(())
}

async fn scarce_stock_is_never_oversold_under_concurrent_reservations(backend: StoreBackend) -> anyhow::Result<()> {
    // Two handlers over two store instances, as two processes would contend.
    let handlers = [CommandHandler::new(backend.open().await?, 64), CommandHandler::new(backend.open().await?, 64)];
    let sku = Sku::parse("LAST-FIVE")?;
    handlers[0].handle::<Inventory>(&receive(&sku, 5)).await?;
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let (handler, sku) = (handlers[i % 2].clone(), sku.clone());
            tokio::spawn(async move { handler.handle::<Inventory>(&reserve(&sku, 1)).await })
        })
        .collect();
    let (mut reserved, mut refused) = (0, 0);
    for task in tasks {
        match task.await? {
            Ok(_) => reserved += 1,
            Err(CommandError::Domain(InventoryError::InsufficientStock { requested: 1, available: 0 })) => refused += 1,
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    assert_eq!((reserved, refused), (5, 19));
    let (state, _, _) = handlers[1].load::<Inventory>(sku.as_str()).await?;
    assert_eq!((state.available(), state.reserved()), (0, 5));
    Ok(())
}

async fn the_same_command_id_handled_twice_appends_once_and_returns_the_first_outcome(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let handler = CommandHandler::new(Arc::clone(&store), 8);
    let sku = Sku::parse("MUG")?;
    let command = receive(&sku, 3);
    let first = handler.handle::<Inventory>(&command).await?;
    handler.handle::<Inventory>(&receive(&sku, 1)).await?;
    let again = handler.handle::<Inventory>(&command).await?;
    assert_eq!((first.appended, first.duplicate), (1, false));
    assert_eq!(
        (again.appended, again.duplicate, again.position, again.stream_version),
        (0, true, first.position, first.stream_version)
    );
    assert_eq!(store.head_position().await?, 2);
    let (state, _, _) = handler.load::<Inventory>(sku.as_str()).await?;
    assert_eq!(state.on_hand(), 4);
    Ok(())
}

async fn a_refused_command_appends_nothing_and_returns_the_domain_error(backend: StoreBackend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let handler = CommandHandler::new(Arc::clone(&store), 8);
    let sku = Sku::parse("EMPTY")?;
    let refused = handler.handle::<Inventory>(&reserve(&sku, 1)).await;
    assert!(matches!(
        refused,
        Err(CommandError::Domain(InventoryError::InsufficientStock { requested: 1, available: 0 }))
    ));
    assert_eq!(store.head_position().await?, 0);
    Ok(())
}

async fn contention_beyond_the_retry_bound_is_reported_not_hidden(backend: StoreBackend) -> anyhow::Result<()> {
    let handler = CommandHandler::new(backend.open().await?, 1);
    let sku = Sku::parse("HOT")?;
    handler.handle::<Inventory>(&receive(&sku, 1000)).await?;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (handler, sku) = (handler.clone(), sku.clone());
            tokio::spawn(async move { handler.handle::<Inventory>(&reserve(&sku, 1)).await })
        })
        .collect();
    let (mut ok, mut contended) = (0u64, 0u64);
    for task in tasks {
        match task.await? {
            Ok(_) => ok += 1,
            Err(CommandError::Contention { attempts: 1, .. }) => contended += 1,
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    assert_eq!(ok + contended, 16);
    assert!(ok >= 1);
    let (state, _, _) = handler.load::<Inventory>(sku.as_str()).await?;
    assert_eq!(state.reserved(), ok, "every success is recorded, every contention wrote nothing");
    Ok(())
}

/// Two handlers (two replicas) each cache the stream's state; one of them goes stale
/// when the other writes. Its next command must be decided on the log: a refusal on
/// the stale state is checked against the tail, and an append on it conflicts and is
/// redone, never written over the other replica's events.
async fn a_replica_deciding_on_a_stale_cached_state_ends_up_deciding_on_the_log(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    let (a, b) = (CommandHandler::new(backend.open().await?, 8), CommandHandler::new(backend.open().await?, 8));
    let sku = Sku::parse("STALE")?;
    a.handle::<Inventory>(&receive(&sku, 1)).await?;
    a.handle::<Inventory>(&reserve(&sku, 1)).await?; // a caches: 0 available, version 2
    b.handle::<Inventory>(&receive(&sku, 5)).await?; // a's cache is now behind
    // On a's cached state this is "insufficient stock"; on the log it is fine.
    let reserved = a.handle::<Inventory>(&reserve(&sku, 3)).await?;
    assert_eq!((reserved.appended, reserved.stream_version), (1, 4));
    b.handle::<Inventory>(&receive(&sku, 1)).await?; // behind again
    // On a's cached state this succeeds and would be appended at version 5: it conflicts.
    let received = a.handle::<Inventory>(&receive(&sku, 2)).await?;
    assert_eq!((received.appended, received.stream_version), (1, 6));
    let (state, version, _) = CommandHandler::new(backend.open().await?, 1).load::<Inventory>(sku.as_str()).await?;
    assert_eq!((version, state.on_hand(), state.reserved(), state.available()), (6, 9, 4, 5));
    let refused = a.handle::<Inventory>(&reserve(&sku, 6)).await;
    assert!(matches!(refused, Err(CommandError::Domain(InventoryError::InsufficientStock { available: 5, .. }))));
    Ok(())
}

/// Counts the stream reads of the store it wraps.
struct CountingStore {
    inner: Arc<dyn EventStore>,
    stream_reads: AtomicUsize,
    events_read: AtomicUsize,
}

#[async_trait]
impl EventStore for CountingStore {
    async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, StoreError> {
        self.inner.append(request).await
    }
    async fn append_all(&self, requests: Vec<AppendRequest>) -> Result<Vec<AppendOutcome>, StoreError> {
        self.inner.append_all(requests).await
    }
    async fn read_stream(&self, stream_id: &str, from: u64, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let page = self.inner.read_stream(stream_id, from, max).await?;
        self.stream_reads.fetch_add(1, Ordering::SeqCst);
        self.events_read.fetch_add(page.len(), Ordering::SeqCst);
        Ok(page)
    }
    async fn read_all(&self, after: u64, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.inner.read_all(after, max).await
    }
    async fn head_position(&self) -> Result<u64, StoreError> {
        self.inner.head_position().await
    }
    async fn command_outcome(&self, command_id: Uuid) -> Result<Option<AppendOutcome>, StoreError> {
        self.inner.command_outcome(command_id).await
    }
    fn head_watch(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.head_watch()
    }
}

/// What makes a command on a long stream cost what one on a fresh stream costs: once a
/// handler has the stream's state, it reads nothing before appending; a fresh handler
/// (a restarted process) folds the stream once, then no more.
async fn a_cached_stream_is_not_read_again_and_a_cold_handler_reads_it_once(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    let counting = Arc::new(CountingStore {
        inner: backend.open().await?,
        stream_reads: AtomicUsize::new(0),
        events_read: AtomicUsize::new(0),
    });
    let store: Arc<dyn EventStore> = counting.clone();
    let sku = Sku::parse("LONG")?;
    let warm = CommandHandler::new(Arc::clone(&store), 8);
    for _ in 0..1500 {
        warm.handle::<Inventory>(&receive(&sku, 1)).await?;
    }
    assert_eq!(counting.stream_reads.load(Ordering::SeqCst), 1, "only the first command read the (empty) stream");
    let cold = CommandHandler::new(Arc::clone(&store), 8);
    cold.handle::<Inventory>(&reserve(&sku, 1)).await?;
    assert_eq!(counting.events_read.load(Ordering::SeqCst), 1500, "the cold handler folded the stream once");
    let reads = counting.stream_reads.load(Ordering::SeqCst);
    cold.handle::<Inventory>(&reserve(&sku, 1)).await?;
    warm.handle::<Inventory>(&receive(&sku, 1)).await?; // behind by two: one conflict, one short read
    assert_eq!(counting.stream_reads.load(Ordering::SeqCst), reads + 1);
    assert_eq!(counting.events_read.load(Ordering::SeqCst), 1502);
    let uncached = CommandHandler::with_state_cache(Arc::clone(&store), 8, 0);
    uncached.handle::<Inventory>(&receive(&sku, 1)).await?;
    assert_eq!(counting.events_read.load(Ordering::SeqCst), 1502 + 1503, "without a cache every command folds");
    Ok(())
}

/// The uniqueness use case (`emporium_commands::unique::create`) on a real event
/// store and account store: a key is created once; a claim whose owner never got its
/// event (a request that stopped between claim and append) is adopted, so the key
/// stays bound to one id; a key held by a created aggregate is taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unique_key_is_created_once_and_an_orphaned_claim_is_adopted() -> anyhow::Result<()> {
    use emporium_commands::unique::{Creation, create};
    use emporium_domain::category::{Category, CategoryCommand, CategoryError};
    use emporium_domain::ids::CategoryId;
    use emporium_infra::accounts::sqlite::SqliteAccountStore;
    use emporium_infra::accounts::{AccountStore, ClaimKind};

    let backend = StoreBackend::sqlite()?;
    let handler = CommandHandler::new(backend.open().await?, 8);
    let dir = tempfile::tempdir()?;
    let accounts = SqliteAccountStore::open(&dir.path().join("accounts.db")).await?;
    let new_category = |name: &'static str| {
        move |id: Uuid| CategoryCommand::CreateCategory {
            category_id: CategoryId::from_uuid(id),
            name: name.to_owned(),
            parent_id: None,
            at: Utc::now(),
        }
    };
    let exists = |refusal: &CategoryError| matches!(refusal, CategoryError::AlreadyExists);
    let key = (ClaimKind::CategoryName, "root/shirts");

    // An orphaned claim: the owner's stream was never written.
    let orphan = Uuid::now_v7();
    accounts.claim_unique(key.0, key.1, &orphan.to_string()).await?;
    let first = create::<Category>(
        &handler,
        &accounts,
        key.0,
        key.1,
        Uuid::now_v7(),
        new_category("Shirts"),
        exists,
        EventMetadata::default(),
    )
    .await?;
    let Creation::Created { id, .. } = first else { panic!("an orphaned claim must be adopted, got {first:?}") };
    assert_eq!(id, orphan, "the key stays bound to the id that claimed it first");
    let (state, version, _) = handler.load::<Category>(&orphan.to_string()).await?;
    assert_eq!(version, 1, "the adopted id's stream holds the creation: {state:?}");

    // The key is now held by a created category: a second request is refused and writes nothing.
    let again = Uuid::now_v7();
    let second = create::<Category>(
        &handler,
        &accounts,
        key.0,
        key.1,
        again,
        new_category("Shirts"),
        exists,
        Default::default(),
    )
    .await?;
    assert_eq!(second, Creation::Taken);
    assert_eq!(handler.load::<Category>(&again.to_string()).await?.1, 0, "nothing written for the loser");

    // Another key is created under the candidate itself.
    let candidate = Uuid::now_v7();
    let other = create::<Category>(
        &handler,
        &accounts,
        ClaimKind::CategoryName,
        "root/hats",
        candidate,
        new_category("Hats"),
        exists,
        Default::default(),
    )
    .await?;
    assert!(matches!(other, Creation::Created { id, .. } if id == candidate), "{other:?}");
    Ok(())
}
