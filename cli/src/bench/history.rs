//! A synthetic shop history for benchmarks: real domain events, encoded as the
//! command side encodes them, appended fast.
//!
//! The shop opens with categories, products with stock and a few coupons; then
//! sessions follow: new customers register (welcome mail, some save a card), carts
//! fill, most are checked out (coupon redeemed, stock reserved and committed,
//! payment requested, authorised and captured, order confirmed and often shipped),
//! a few fail payment and are cancelled, others are abandoned; now and then a price
//! changes, a category is renamed or stock is restocked. Every projector has work,
//! and the events are those the deciders would emit, so projectors accept them.
//!
//! Speed: events are gathered in rounds of a few thousand, one append request per
//! stream per round (a stream's events stay in order), and a round's requests are
//! sent together so the store's group commit writes them in a few transactions.
//! Rounds run one after another, so no stream ever sees its events reordered.

mod shop;

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;
use emporium_domain::DomainEvent;
use emporium_infra::codec::encode;
use emporium_infra::event_store::{AppendRequest, EventMetadata, EventStore, ExpectedVersion, NewEvent};

use self::shop::Shop;

/// Events gathered before a round is appended.
const ROUND_EVENTS: usize = 4096;

/// Appends a synthetic shop history of about `events` events (a session is never
/// cut, so a few more may be written) to `store`, advancing `progress` per round.
pub async fn seed_history(
    store: Arc<dyn EventStore>,
    events: u64,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<u64> {
    let mut shop = Shop::new(events)?;
    let mut round = Round::default();
    let mut written = 0u64;
    shop.open(&mut round)?;
    while written + (round.events as u64) < events {
        shop.session(&mut round)?;
        if round.events >= ROUND_EVENTS {
            written += round.flush(store.as_ref()).await?;
            progress.set_position(written);
        }
    }
    written += round.flush(store.as_ref()).await?;
    progress.set_position(written);
    Ok(written)
}

/// The events of one round, grouped per stream in first-touch order.
#[derive(Default)]
pub(crate) struct Round {
    streams: Vec<(String, Vec<NewEvent>)>,
    index: HashMap<String, usize>,
    events: usize,
}

impl Round {
    /// Adds `event` to the end of `stream_id`.
    pub(crate) fn push<E: DomainEvent>(&mut self, stream_id: String, event: &E) -> anyhow::Result<()> {
        let actor = EventMetadata { actor: Some("bench".to_owned()), ..EventMetadata::default() };
        let encoded = encode(event, actor).with_context(|| format!("encoding {}", event.event_type()))?;
        let slot = match self.index.get(&stream_id) {
            Some(&slot) => slot,
            None => {
                self.index.insert(stream_id.clone(), self.streams.len());
                self.streams.push((stream_id, Vec::new()));
                self.streams.len() - 1
            }
        };
        self.streams[slot].1.push(encoded);
        self.events += 1;
        Ok(())
    }

    /// Appends the round, every stream's request at once; returns how many events.
    async fn flush(&mut self, store: &dyn EventStore) -> anyhow::Result<u64> {
        let count = self.events as u64;
        let requests = std::mem::take(&mut self.streams).into_iter().map(|(stream_id, events)| AppendRequest {
            stream_id,
            expected: ExpectedVersion::Any,
            events,
            command_id: None,
        });
        futures::future::try_join_all(requests.map(|request| store.append(request)))
            .await
            .context("appending a round of the synthetic history")?;
        self.index.clear();
        self.events = 0;
        Ok(count)
    }
}
