//! `emporium dlq list|replay`: parked (dead-lettered) messages of every consumer, in
//! the read store (projectors) and the state store (process managers).

use std::sync::Arc;

use anyhow::Context;
use emporium_infra::follow::parked;
use emporium_infra::read_store::ReadStore;

use crate::config::{DlqAction, DlqArgs, StoreArgs};
use crate::stores;

/// Runs a dead-letter action.
pub async fn run(args: DlqArgs) -> anyhow::Result<()> {
    match args.action {
        DlqAction::List { store, consumer, json } => {
            let mut entries = Vec::new();
            for (_, documents) in consumer_stores(&store).await? {
                entries.extend(
                    parked::list(documents.as_ref(), consumer.as_deref()).await.context("listing parked messages")?,
                );
            }
            entries.sort_by(|a, b| (a.position, &a.consumer).cmp(&(b.position, &b.consumer)));
            // The two stores may be one database.
            entries.dedup_by(|a, b| a.consumer == b.consumer && a.position == b.position);
            if json {
                for entry in &entries {
                    println!("{}", serde_json::to_string(entry).context("printing a parked message")?);
                }
            } else if entries.is_empty() {
                println!("no parked messages");
            } else {
                println!(
                    "{:<26} {:>10} {:<44} {:<28} {:>8}  reason",
                    "consumer", "position", "stream", "event type", "attempts"
                );
                for e in &entries {
                    let replay = if e.replay_requested { " (replay requested)" } else { "" };
                    println!(
                        "{:<26} {:>10} {:<44} {:<28} {:>8}  {}{replay}",
                        e.consumer, e.position, e.stream_id, e.event_type, e.attempts, e.reason
                    );
                }
            }
            Ok(())
        }
        DlqAction::Replay { store, consumer, position } => {
            let mut marked = 0;
            for (_, documents) in consumer_stores(&store).await? {
                marked += parked::request_replay(documents.as_ref(), consumer.as_deref(), position)
                    .await
                    .context("marking parked messages for replay")?;
            }
            anyhow::ensure!(marked > 0 || (consumer.is_none() && position.is_none()), "no parked message matched");
            println!("{marked} parked message(s) sent back; their consumers retry them within seconds");
            Ok(())
        }
    }
}

/// The stores consumers keep their parked messages in.
async fn consumer_stores(store: &StoreArgs) -> anyhow::Result<Vec<(&'static str, Arc<dyn ReadStore>)>> {
    Ok(vec![("read store", stores::read_store(store).await?), ("state store", stores::state_store(store).await?)])
}
