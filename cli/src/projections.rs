//! `emporium projections status|rebuild`: operators' view of the read models.

use std::sync::Arc;

use anyhow::Context;
use emporium_infra::event_store::EventStore;
use emporium_infra::read_store::ReadStore;
use emporium_projections::{self as projections, Projector, models, status};

use crate::config::{ProjectionsAction, ProjectionsArgs};
use crate::stores;

/// Runs a projections action.
pub async fn run(args: ProjectionsArgs) -> anyhow::Result<()> {
    match args.action {
        ProjectionsAction::Status(store) => {
            let events = stores::event_store(&store).await?;
            let reads = stores::read_store(&store).await?;
            let rows = status(events.as_ref(), reads.as_ref(), &models::all()).await.context("reading checkpoints")?;
            println!("{:<20} {:>12} {:>12} {:>10}", "projection", "checkpoint", "head", "lag");
            for row in rows {
                println!("{:<20} {:>12} {:>12} {:>10}", row.name, row.checkpoint, row.head, row.lag);
            }
            Ok(())
        }
        ProjectionsAction::Rebuild { store, names } => {
            let projectors = named(&names)?;
            let events = stores::event_store(&store).await?;
            let reads = stores::read_store(&store).await?;
            for (name, position) in rebuild_all(events, reads, &projectors, true).await? {
                println!("rebuilt {name} up to position {position}");
            }
            Ok(())
        }
    }
}

/// Rebuilds `projectors` from the whole log in one pass, behind a progress bar
/// (hidden unless `bars`); returns the position each reached. `emporium bench
/// rebuild` times this very function.
pub async fn rebuild_all(
    events: Arc<dyn EventStore>,
    reads: Arc<dyn ReadStore>,
    projectors: &[Arc<dyn Projector>],
    bars: bool,
) -> anyhow::Result<Vec<(&'static str, u64)>> {
    let head = events.head_position().await.context("reading the head position")?;
    let bar = if bars { indicatif::ProgressBar::new(head) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("rebuilding [{bar:40}] {pos}/{len} events ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let position = projections::rebuild_all(events, reads, projectors, |p| bar.set_position(p.min(head)))
        .await
        .context("rebuilding the read models")?;
    bar.finish_and_clear();
    Ok(projectors.iter().map(|p| (p.name(), position)).collect())
}

/// The projectors `names` names (all when empty); an unknown name is an error that
/// lists the known ones.
pub fn named(names: &[String]) -> anyhow::Result<Vec<Arc<dyn Projector>>> {
    if names.is_empty() {
        return Ok(models::all());
    }
    names
        .iter()
        .map(|name| {
            models::by_name(name).with_context(|| {
                let known: Vec<_> = models::all().iter().map(|p| p.name().to_owned()).collect();
                format!("no projection named {name:?}; known: {}", known.join(", "))
            })
        })
        .collect()
}
