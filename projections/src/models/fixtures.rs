//! What the projectors' tests build their events from: a fixed clock, euros, and a
//! domain event recorded as the store would hand it over.

use chrono::{DateTime, TimeZone, Utc};
use emporium_domain::DomainEvent;
use emporium_domain::money::{Currency, Money};
use emporium_infra::codec::encode;
use emporium_infra::event_store::RecordedEvent;

/// Noon on 1 June 2025, plus `minute` minutes.
pub(crate) fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, minute, 0).unwrap()
}

/// `amount` euro cents.
pub(crate) fn eur(amount: i64) -> Money {
    Money::new(amount, Currency::parse("EUR").unwrap()).unwrap()
}

/// `event` as the first event of `stream`, at position 1.
pub(crate) fn recorded<E: DomainEvent>(stream: String, event: &E) -> RecordedEvent {
    let new = encode(event, Default::default()).unwrap();
    RecordedEvent {
        event_id: new.event_id,
        stream_id: stream,
        stream_version: 1,
        global_position: 1,
        event_type: new.event_type,
        schema_version: new.schema_version,
        data: new.data,
        metadata: new.metadata,
        recorded_at: at(0),
        prev_hash: String::new(),
        hash: String::new(),
    }
}
