//! The event store contract, run against SQLite and PostgreSQL alike.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use emporium_infra::event_store::{
    AppendRequest, EventStore, ExpectedVersion, GENESIS_HASH, StoreError, tail, verify_chain,
};
use emporium_tests::stores::{StoreBackend, event};
use futures::StreamExt;

fn request(stream: &str, expected: ExpectedVersion, n: u64) -> AppendRequest {
    AppendRequest {
        stream_id: stream.to_owned(),
        expected,
        events: (0..n).map(|i| event("TestHappened", i)).collect(),
        command_id: None,
    }
}

/// Declares each contract test once per adapter.
macro_rules! contract {
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

contract!(
    appends_with_each_kind_of_expected_version,
    a_wrong_expectation_conflicts_and_writes_nothing,
    an_event_id_appended_twice_is_a_no_op_reporting_the_original_position,
    a_command_id_appended_twice_is_a_no_op,
    reads_a_stream_from_a_version_and_the_log_from_a_position,
    events_round_trip_with_their_envelope,
    the_hash_chain_verifies_and_a_tampered_row_breaks_it,
    a_tail_catches_up_then_follows_new_events,
    of_32_appends_at_the_same_version_exactly_one_succeeds,
    a_tail_under_16_concurrent_writers_sees_every_event_once_in_a_consistent_order,
    an_append_without_events_or_with_a_bad_stream_id_is_refused,
    requests_sharing_a_batch_see_each_other,
    an_atomic_append_writes_every_stream_or_none,
    a_retried_atomic_append_answers_with_its_original_outcomes,
    concurrent_atomic_appends_over_overlapping_streams_never_interleave,
    atomic_appends_racing_at_exact_versions_keep_their_streams_in_step,
    two_writers_on_one_database_take_turns_without_a_gap_or_a_stale_version,
    a_writer_numbers_from_the_stored_head_after_its_tail_was_removed_behind_its_back,
);

async fn appends_with_each_kind_of_expected_version(backend: StoreBackend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let first = store.append(request("order-1", ExpectedVersion::NoStream, 2)).await?;
    assert_eq!((first.stream_version, first.first_position, first.last_position, first.duplicate), (2, 1, 2, false));
    let second = store.append(request("order-1", ExpectedVersion::Exact(2), 1)).await?;
    assert_eq!((second.stream_version, second.first_position), (3, 3));
    let third = store.append(request("order-1", ExpectedVersion::Any, 1)).await?;
    assert_eq!(third.stream_version, 4);
    let other = store.append(request("order-2", ExpectedVersion::Any, 1)).await?;
    assert_eq!((other.stream_version, other.first_position), (1, 5));
    assert_eq!(store.head_position().await?, 5);
    Ok(())
}

async fn a_wrong_expectation_conflicts_and_writes_nothing(backend: StoreBackend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    store.append(request("cart-1", ExpectedVersion::NoStream, 2)).await?;
    for expected in [ExpectedVersion::NoStream, ExpectedVersion::Exact(1), ExpectedVersion::Exact(3)] {
        match store.append(request("cart-1", expected, 1)).await {
            Err(StoreError::Conflict { actual, .. }) => assert_eq!(actual, 2),
            other => panic!("expected a conflict for {expected}, got {other:?}"),
        }
    }
    assert!(matches!(
        store.append(request("cart-9", ExpectedVersion::Exact(1), 1)).await,
        Err(StoreError::Conflict { actual: 0, .. })
    ));
    assert_eq!(store.head_position().await?, 2);
    assert_eq!(store.read_stream("cart-1", 1, 100).await?.len(), 2);
    assert!(store.read_stream("cart-9", 1, 100).await?.is_empty());
    Ok(())
}

async fn an_event_id_appended_twice_is_a_no_op_reporting_the_original_position(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    let store = backend.open().await?;
    store.append(request("payment-0", ExpectedVersion::Any, 1)).await?;
    let original = request("payment-1", ExpectedVersion::NoStream, 2);
    let first = store.append(original.clone()).await?;
    store.append(request("payment-1", ExpectedVersion::Exact(2), 1)).await?;
    // The retry carries a now-stale expectation and must still answer with the first outcome.
    let retry = store.append(original.clone()).await?;
    assert!(retry.duplicate);
    assert_eq!(
        (retry.first_position, retry.last_position, retry.stream_version),
        (first.first_position, first.last_position, 2)
    );
    assert_eq!(store.head_position().await?, 4);
    // Mixing a stored id with a new one is refused.
    let mut mixed = request("payment-1", ExpectedVersion::Any, 1);
    mixed.events.push(original.events[0].clone());
    assert!(matches!(store.append(mixed).await, Err(StoreError::PartialDuplicate { .. })));
    assert_eq!(store.head_position().await?, 4);
    Ok(())
}

async fn a_command_id_appended_twice_is_a_no_op(backend: StoreBackend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let command_id = uuid::Uuid::now_v7();
    let mut first = request("inventory-SKU1", ExpectedVersion::NoStream, 1);
    first.command_id = Some(command_id);
    let outcome = store.append(first).await?;
    // Same command, freshly decided events (new event ids): still nothing new.
    let mut again = request("inventory-SKU1", ExpectedVersion::Exact(1), 1);
    again.command_id = Some(command_id);
    let repeat = store.append(again).await?;
    assert!(repeat.duplicate);
    assert_eq!(repeat.last_position, outcome.last_position);
    assert_eq!(store.head_position().await?, 1);
    assert_eq!(store.command_outcome(command_id).await?.map(|o| o.last_position), Some(1));
    assert_eq!(store.command_outcome(uuid::Uuid::now_v7()).await?, None);
    Ok(())
}

async fn reads_a_stream_from_a_version_and_the_log_from_a_position(backend: StoreBackend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    for i in 0..5 {
        store.append(request("product-a", ExpectedVersion::Any, 1)).await?;
        store.append(request(&format!("product-b{i}"), ExpectedVersion::Any, 1)).await?;
    }
    let from_three = store.read_stream("product-a", 3, 100).await?;
    assert_eq!(from_three.iter().map(|e| e.stream_version).collect::<Vec<_>>(), vec![3, 4, 5]);
    assert_eq!(store.read_stream("product-a", 1, 2).await?.len(), 2);
    let after_four = store.read_all(4, 3).await?;
    assert_eq!(after_four.iter().map(|e| e.global_position).collect::<Vec<_>>(), vec![5, 6, 7]);
    assert!(store.read_all(10, 100).await?.is_empty());
    Ok(())
}

async fn events_round_trip_with_their_envelope(backend: StoreBackend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let mut sent = request("customer-x", ExpectedVersion::NoStream, 1);
    sent.events[0].metadata.correlation_id = Some(uuid::Uuid::now_v7());
    sent.events[0].metadata.traceparent = Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into());
    store.append(sent.clone()).await?;
    let got = &store.read_stream("customer-x", 1, 1).await?[0];
    let want = &sent.events[0];
    assert_eq!((got.event_id, &got.event_type, got.schema_version), (want.event_id, &want.event_type, 1));
    assert_eq!(got.data, want.data);
    assert_eq!(got.metadata, want.metadata);
    assert_eq!(got.category(), "customer");
    assert_eq!(got.prev_hash, GENESIS_HASH);
    assert!((chrono::Utc::now() - got.recorded_at).num_seconds().abs() < 60);
    Ok(())
}

/// Runs `sql` on the store's database over a connection of its own, as an operator
/// (or an attacker) with write access would.
async fn behind_the_stores_back(backend: &StoreBackend, sql: &str) -> anyhow::Result<()> {
    match backend {
        StoreBackend::Sqlite(_) => {
            let path = backend.sqlite_path().expect("sqlite path");
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await?;
            sqlx::query(sql).execute(&pool).await?;
        }
        StoreBackend::Postgres(db) => {
            let pool = sqlx::PgPool::connect(&db.url).await?;
            sqlx::query(sql).execute(&pool).await?;
        }
    }
    Ok(())
}

async fn the_hash_chain_verifies_and_a_tampered_row_breaks_it(backend: StoreBackend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    for i in 0..4 {
        store.append(request(&format!("order-{i}"), ExpectedVersion::Any, 3)).await?;
    }
    let all = store.read_all(0, 100).await?;
    assert_eq!(verify_chain(GENESIS_HASH, &all)?, all[11].hash);
    // Change one payload behind the store's back.
    behind_the_stores_back(&backend, "UPDATE events SET data = '{\"n\": 999}' WHERE global_position = 7").await?;
    let all = store.read_all(0, 100).await?;
    let broken = verify_chain(GENESIS_HASH, &all).expect_err("tampering must break the chain");
    assert_eq!(broken.position, 7);
    Ok(())
}

async fn a_tail_catches_up_then_follows_new_events(backend: StoreBackend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    for _ in 0..600 {
        store.append(request("cart-t", ExpectedVersion::Any, 1)).await?;
    }
    let mut tailing = tail(store.clone(), 100);
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for _ in 0..50 {
                store.append(request("cart-u", ExpectedVersion::Any, 2)).await?;
            }
            anyhow::Ok(())
        })
    };
    let mut expected = 101;
    while expected <= 700 {
        let event = tokio::time::timeout(Duration::from_secs(10), tailing.next()).await?.expect("tail ended")?;
        assert_eq!(event.global_position, expected);
        expected += 1;
    }
    writer.await??;
    // Nothing more arrives.
    assert!(tokio::time::timeout(Duration::from_millis(300), tailing.next()).await.is_err());
    Ok(())
}

async fn of_32_appends_at_the_same_version_exactly_one_succeeds(backend: StoreBackend) -> anyhow::Result<()> {
    let stores = [backend.open().await?, backend.open().await?];
    stores[0].append(request("inventory-HOT", ExpectedVersion::NoStream, 1)).await?;
    let attempts = (0..32).map(|i| {
        let store = stores[i % 2].clone();
        tokio::spawn(async move { store.append(request("inventory-HOT", ExpectedVersion::Exact(1), 1)).await })
    });
    let mut ok = 0;
    for attempt in attempts.collect::<Vec<_>>() {
        match attempt.await? {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(stores[0].read_stream("inventory-HOT", 1, 100).await?.len(), 2);
    Ok(())
}

/// 16 writers over 4 independent store instances (as 4 processes would run) append
/// to shared and private streams while a tail on a fifth instance follows. The tail
/// must see positions 1..=N with no gap and no repeat, and each stream's versions in
/// order. A reader trusting a plain sequence misses events here: positions commit
/// out of order under concurrency.
async fn a_tail_under_16_concurrent_writers_sees_every_event_once_in_a_consistent_order(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    const WRITERS: usize = 16;
    const APPENDS: usize = 60;
    let instances: Vec<Arc<dyn EventStore>> = {
        let mut v = Vec::new();
        for _ in 0..4 {
            v.push(backend.open().await?);
        }
        v
    };
    let reader = backend.open().await?;
    let mut tailing = tail(reader, 0);
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let store = instances[w % instances.len()].clone();
        writers.push(tokio::spawn(async move {
            let mut written = 0u64;
            for i in 0..APPENDS {
                let stream = if i % 3 == 0 { format!("order-shared{}", i % 4) } else { format!("order-w{w}") };
                let size = 1 + (i % 3) as u64;
                match store.append(request(&stream, ExpectedVersion::Any, size)).await {
                    Ok(_) => written += size,
                    Err(e) => return Err(anyhow::anyhow!(e)),
                }
            }
            Ok(written)
        }));
    }
    let mut total = 0;
    for writer in writers {
        total += writer.await??;
    }
    let mut seen_ids = HashSet::new();
    let mut versions: HashMap<String, u64> = HashMap::new();
    for expected in 1..=total {
        let event = tokio::time::timeout(Duration::from_secs(20), tailing.next()).await?.expect("tail ended")?;
        assert_eq!(event.global_position, expected, "gap or reorder in the global log");
        assert!(seen_ids.insert(event.event_id), "event delivered twice");
        let last = versions.entry(event.stream_id.clone()).or_default();
        assert_eq!(event.stream_version, *last + 1, "stream {} out of order", event.stream_id);
        *last = event.stream_version;
    }
    assert!(
        tokio::time::timeout(Duration::from_millis(500), tailing.next()).await.is_err(),
        "more events than were written"
    );
    let all = instances[0].read_all(0, usize::MAX).await?;
    verify_chain(GENESIS_HASH, &all)?;
    Ok(())
}

async fn an_append_without_events_or_with_a_bad_stream_id_is_refused(backend: StoreBackend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    assert!(matches!(store.append(request("order-1", ExpectedVersion::Any, 0)).await, Err(StoreError::Invalid(_))));
    for bad in ["", "order", "-1", "order-"] {
        assert!(
            matches!(store.append(request(bad, ExpectedVersion::Any, 1)).await, Err(StoreError::Invalid(_))),
            "{bad:?}"
        );
    }
    assert_eq!(store.head_position().await?, 0);
    Ok(())
}

/// Concurrent requests land in one group-commit batch, whose lookups are made once
/// for all of them: a command id, an event id or a stream version written by an
/// earlier request of the same batch must count for the later ones, exactly as if
/// they had committed one by one.
async fn requests_sharing_a_batch_see_each_other(backend: StoreBackend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let command_id = uuid::Uuid::now_v7();
    let repeated = request("coupon-SAME", ExpectedVersion::Any, 2);
    let mut sends = Vec::new();
    for i in 0..48 {
        let store = store.clone();
        let append = match i % 3 {
            // The same command, decided anew each time (fresh event ids).
            0 => {
                let mut same_command = request("order-CMD", ExpectedVersion::Any, 1);
                same_command.command_id = Some(command_id);
                same_command
            }
            // The very same events.
            1 => repeated.clone(),
            // One more event on a shared stream, whatever its version.
            _ => request("product-SHARED", ExpectedVersion::Any, 1),
        };
        sends.push(tokio::spawn(async move { store.append(append).await }));
    }
    let mut outcomes = Vec::new();
    for send in sends {
        outcomes.push(send.await??);
    }
    let first_of = |kind: usize| outcomes.iter().skip(kind).step_by(3).copied().collect::<Vec<_>>();
    for kind in [0, 1] {
        let answers = first_of(kind);
        assert_eq!(answers.iter().filter(|o| !o.duplicate).count(), 1, "kind {kind}: {answers:?}");
        let original = answers.iter().find(|o| !o.duplicate).copied();
        for answer in &answers {
            assert_eq!(Some(answer.last_position), original.map(|o| o.last_position), "kind {kind}");
        }
    }
    assert_eq!(store.read_stream("order-CMD", 1, 100).await?.len(), 1);
    assert_eq!(store.read_stream("coupon-SAME", 1, 100).await?.len(), 2);
    let shared = store.read_stream("product-SHARED", 1, 100).await?;
    let versions: Vec<u64> = shared.iter().map(|e| e.stream_version).collect();
    assert_eq!(versions, (1..=16).collect::<Vec<_>>());
    assert_eq!(store.head_position().await?, 1 + 2 + 16);
    let mut appended: Vec<u64> = first_of(2).iter().map(|o| o.stream_version).collect();
    appended.sort_unstable();
    assert_eq!(appended, (1..=16).collect::<Vec<_>>(), "each shared append got its own version");
    Ok(())
}

/// One request of `n` events tagged with the group they belong to.
fn tagged(stream: &str, expected: ExpectedVersion, group: &str, n: u64) -> AppendRequest {
    let mut request = request(stream, expected, n);
    for event in &mut request.events {
        event.data = serde_json::json!({ "group": group });
    }
    request
}

async fn an_atomic_append_writes_every_stream_or_none(backend: StoreBackend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let outcomes = store
        .append_all(vec![
            request("cart-A", ExpectedVersion::NoStream, 1),
            request("coupon-B", ExpectedVersion::NoStream, 2),
            request("order-C", ExpectedVersion::NoStream, 1),
        ])
        .await?;
    let placed: Vec<(u64, u64, u64)> =
        outcomes.iter().map(|o| (o.stream_version, o.first_position, o.last_position)).collect();
    assert_eq!(placed, [(1, 1, 1), (2, 2, 3), (1, 4, 4)], "consecutive positions, in the requests' order");

    // The second stream is stale: nothing is written anywhere.
    let refused = store
        .append_all(vec![
            request("cart-A", ExpectedVersion::Exact(1), 1),
            request("coupon-B", ExpectedVersion::Exact(1), 1),
            request("order-NEW", ExpectedVersion::NoStream, 1),
        ])
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Conflict { stream_id, actual: 2, .. }) if stream_id == "coupon-B"),
        "{refused:?}"
    );
    assert_eq!(store.head_position().await?, 4);
    assert_eq!(store.read_stream("cart-A", 1, 10).await?.len(), 1, "the first stream kept nothing");
    assert!(store.read_stream("order-NEW", 1, 10).await?.is_empty());

    // A bad stream id or one stream twice refuses the call before anything is written.
    for bad in [
        vec![request("cart-A", ExpectedVersion::Exact(1), 1), request("nodash", ExpectedVersion::Any, 1)],
        vec![request("cart-A", ExpectedVersion::Any, 1), request("cart-A", ExpectedVersion::Any, 1)],
        vec![],
    ] {
        assert!(matches!(store.append_all(bad).await, Err(StoreError::Invalid(_))));
    }
    assert_eq!(store.head_position().await?, 4);
    let log = store.read_all(0, 100).await?;
    verify_chain(GENESIS_HASH, &log)?;
    Ok(())
}

async fn a_retried_atomic_append_answers_with_its_original_outcomes(backend: StoreBackend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let mut unit =
        vec![request("cart-R", ExpectedVersion::NoStream, 1), request("order-R", ExpectedVersion::NoStream, 1)];
    for request in &mut unit {
        request.command_id = Some(uuid::Uuid::now_v7());
    }
    let first = store.append_all(unit.clone()).await?;
    // Decided again (fresh event ids), with the same command ids: recognised whole.
    let mut again = unit.clone();
    for request in &mut again {
        request.events = (0..1).map(|i| emporium_tests::stores::event("TestHappened", i)).collect();
    }
    let second = store.append_all(again).await?;
    assert!(second.iter().all(|o| o.duplicate), "{second:?}");
    assert_eq!(
        first.iter().map(|o| o.last_position).collect::<Vec<_>>(),
        second.iter().map(|o| o.last_position).collect::<Vec<_>>()
    );
    // Half a retry would write the other half twice: refused.
    let half = vec![unit[0].clone(), request("order-OTHER", ExpectedVersion::NoStream, 1)];
    assert!(matches!(store.append_all(half).await, Err(StoreError::PartialDuplicate { .. })));
    assert_eq!(store.head_position().await?, 2);
    Ok(())
}

async fn concurrent_atomic_appends_over_overlapping_streams_never_interleave(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let pairs = [("cart-X", "order-Y"), ("order-Y", "coupon-Z"), ("coupon-Z", "cart-X")];
    let mut writers = Vec::new();
    for writer in 0..12 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            for round in 0..10 {
                let group = format!("{writer}-{round}");
                let (first, second) = pairs[(writer + round) % pairs.len()];
                if round % 3 == 0 {
                    // A single append racing the atomic ones on a shared stream.
                    store.append(tagged(first, ExpectedVersion::Any, &format!("single-{group}"), 1)).await?;
                }
                let unit = vec![
                    tagged(first, ExpectedVersion::Any, &group, 2),
                    tagged(second, ExpectedVersion::Any, &group, 1),
                ];
                store.append_all(unit).await?;
            }
            anyhow::Ok(())
        }));
    }
    for writer in writers {
        writer.await??;
    }
    let log = store.read_all(0, 10_000).await?;
    assert_eq!(log.len(), 12 * 10 * 3 + 12 * 4, "every event once");
    let mut seen: HashMap<String, Vec<u64>> = HashMap::new();
    for event in &log {
        seen.entry(event.data["group"].as_str().unwrap_or_default().to_owned())
            .or_default()
            .push(event.global_position);
    }
    for (group, positions) in seen.iter().filter(|(g, _)| !g.starts_with("single-")) {
        assert_eq!(positions.len(), 3, "group {group}");
        assert!(positions.windows(2).all(|w| w[1] == w[0] + 1), "group {group} was interleaved: {positions:?}");
    }
    verify_chain(GENESIS_HASH, &log)?;
    Ok(())
}

async fn atomic_appends_racing_at_exact_versions_keep_their_streams_in_step(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let mut racers = Vec::new();
    for racer in 0..8 {
        let store = store.clone();
        racers.push(tokio::spawn(async move {
            let (mut won, mut lost) = (0, 0);
            while won < 5 {
                let version = store.read_stream("cart-P", 1, 1_000).await?.len() as u64;
                let expected = if version == 0 { ExpectedVersion::NoStream } else { ExpectedVersion::Exact(version) };
                // Both streams move together, so one version speaks for both.
                let unit = vec![
                    tagged("cart-P", expected, &format!("{racer}"), 1),
                    tagged("order-Q", expected, &format!("{racer}"), 1),
                ];
                match store.append_all(unit).await {
                    Ok(_) => won += 1,
                    Err(StoreError::Conflict { .. }) => lost += 1,
                    Err(other) => return Err(other.into()),
                }
            }
            anyhow::Ok(lost)
        }));
    }
    let mut conflicts = 0;
    for racer in racers {
        conflicts += racer.await??;
    }
    let cart = store.read_stream("cart-P", 1, 1_000).await?;
    let order = store.read_stream("order-Q", 1, 1_000).await?;
    assert_eq!((cart.len(), order.len()), (40, 40), "every win wrote both streams, every loss neither");
    for (c, o) in cart.iter().zip(&order) {
        assert_eq!(c.data, o.data, "version {} of both streams came from the same unit", c.stream_version);
        assert_eq!(o.global_position, c.global_position + 1);
    }
    assert!(conflicts > 0, "eight racers at exact versions never met: the race did not happen");
    Ok(())
}

/// Two store instances on one database are two writer processes. Each writer decides
/// a batch on what it knows of the log when it can (PostgreSQL commits such a batch in
/// one round trip, guarded): the other writer's appends make that knowledge stale, and
/// a stale guess must neither skip a position, nor chain onto the wrong hash, nor
/// accept an expected version the stream has moved past.
async fn two_writers_on_one_database_take_turns_without_a_gap_or_a_stale_version(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    let (one, two) = (backend.open().await?, backend.open().await?);
    let (mut version, mut head) = (0, 0);
    for turn in 0..6u64 {
        let (writer, other) = if turn % 2 == 0 { (&one, &two) } else { (&two, &one) };
        // Both know the stream (from their own turns); only the one that wrote last
        // knows where it is now.
        let expected = if version == 0 { ExpectedVersion::NoStream } else { ExpectedVersion::Exact(version) };
        let outcome = writer.append(request("cart-shared", expected, 2)).await?;
        assert_eq!((outcome.stream_version, outcome.first_position), (version + 2, head + 1), "turn {turn}");
        (version, head) = (version + 2, head + 2);
        // The other writer's last sight of the stream is stale: refused.
        if turn > 0 {
            let stale = other.append(request("cart-shared", ExpectedVersion::Exact(version - 2), 1)).await;
            assert!(
                matches!(&stale, Err(StoreError::Conflict { actual, .. }) if *actual == version),
                "turn {turn}: a stale expectation must conflict, got {stale:?}"
            );
        }
        // A stream new to both lands right after the first writer's events.
        let fresh = other.append(request(&format!("order-{turn}"), ExpectedVersion::NoStream, 1)).await?;
        assert_eq!(fresh.first_position, head + 1, "turn {turn}");
        head += 1;
    }
    let all = one.read_all(0, 1000).await?;
    let positions: Vec<u64> = all.iter().map(|e| e.global_position).collect();
    assert_eq!(positions, (1..=18).collect::<Vec<_>>(), "gap-free and in order");
    verify_chain(GENESIS_HASH, &all)?;
    Ok(())
}

/// A writer that knows where the log ended (PostgreSQL decides batches on that) must
/// not trust it over the log: with the last event deleted behind its back (a restore,
/// an operator), its next event takes the freed position and chains onto the stored
/// head. No unique key notices this case; only the guarded commit's head check does.
async fn a_writer_numbers_from_the_stored_head_after_its_tail_was_removed_behind_its_back(
    backend: StoreBackend,
) -> anyhow::Result<()> {
    let store = backend.open().await?;
    store.append(request("order-1", ExpectedVersion::NoStream, 2)).await?;
    store.append(request("order-2", ExpectedVersion::NoStream, 1)).await?;
    behind_the_stores_back(&backend, "DELETE FROM events WHERE global_position = 3").await?;
    // order-1 is a stream this writer knows, so PostgreSQL tries its guess first.
    let next = store.append(request("order-1", ExpectedVersion::Exact(2), 1)).await?;
    assert_eq!((next.first_position, next.stream_version), (3, 3));
    let all = store.read_all(0, 100).await?;
    assert_eq!(all.iter().map(|e| e.global_position).collect::<Vec<_>>(), vec![1, 2, 3]);
    verify_chain(GENESIS_HASH, &all)?;
    Ok(())
}
