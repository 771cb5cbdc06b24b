//! Runs a scenario's baseline and Emporium in alternation, in one sitting, and keeps
//! every run's figures for the report.

/// The figures one run produced, by name, in the order the report lists them.
pub type Figures = Vec<(String, f64)>;

/// Every run's value of each figure, one side of a comparison.
#[derive(Debug, Default, Clone)]
pub struct Samples {
    figures: Vec<(String, Vec<f64>)>,
}

impl Samples {
    /// Adds one run's figures.
    pub fn push(&mut self, run: Figures) {
        for (name, value) in run {
            match self.figures.iter_mut().find(|(known, _)| *known == name) {
                Some((_, values)) => values.push(value),
                None => self.figures.push((name, vec![value])),
            }
        }
    }

    /// Every run's value of `name` (empty when no run reported it).
    pub fn get(&self, name: &str) -> &[f64] {
        self.figures.iter().find(|(known, _)| known == name).map_or(&[], |(_, values)| values.as_slice())
    }
}

/// Whether pair `pair` runs its baseline first. The order flips every pair so that
/// warm-up, caches and drift over the sitting do not favour one side.
pub fn baseline_first(pair: usize) -> bool {
    pair.is_multiple_of(2)
}

/// Runs `pairs` pairs of (baseline, subject), flipping the order each pair; the
/// closures get the pair's index. Progress goes to stderr.
pub async fn alternate(
    pairs: usize,
    mut baseline: impl AsyncFnMut(usize) -> anyhow::Result<Figures>,
    mut subject: impl AsyncFnMut(usize) -> anyhow::Result<Figures>,
) -> anyhow::Result<(Samples, Samples)> {
    let (mut base, mut ours) = (Samples::default(), Samples::default());
    for pair in 0..pairs {
        for side in if baseline_first(pair) { [true, false] } else { [false, true] } {
            let figures = if side { baseline(pair).await? } else { subject(pair).await? };
            let label = if side { "baseline" } else { "emporium" };
            eprintln!("  pair {}/{pairs} {label}: {}", pair + 1, describe(&figures));
            if side { base.push(figures) } else { ours.push(figures) }
        }
    }
    Ok((base, ours))
}

fn describe(figures: &Figures) -> String {
    figures.iter().map(|(name, value)| format!("{name} = {value:.2}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_collect_each_figure_across_runs_in_first_seen_order() {
        let mut samples = Samples::default();
        samples.push(vec![("a".into(), 1.0), ("b".into(), 10.0)]);
        samples.push(vec![("b".into(), 20.0), ("a".into(), 2.0)]);
        assert_eq!(samples.get("a"), &[1.0, 2.0]);
        assert_eq!(samples.get("b"), &[10.0, 20.0]);
        assert!(samples.get("c").is_empty());
    }

    #[test]
    fn the_order_flips_every_pair() {
        let order: Vec<bool> = (0..4).map(baseline_first).collect();
        assert_eq!(order, [true, false, true, false]);
    }

    #[tokio::test]
    async fn alternate_runs_every_pair_and_keeps_the_sides_apart() {
        let log = std::sync::Mutex::new(Vec::new());
        let (base, ours) = alternate(
            3,
            async |pair| {
                log.lock().unwrap().push(format!("b{pair}"));
                Ok(vec![("x".into(), pair as f64)])
            },
            async |pair| {
                log.lock().unwrap().push(format!("e{pair}"));
                Ok(vec![("x".into(), 100.0 + pair as f64)])
            },
        )
        .await
        .unwrap();
        assert_eq!(*log.lock().unwrap(), ["b0", "e0", "e1", "b1", "b2", "e2"]);
        assert_eq!(base.get("x"), &[0.0, 1.0, 2.0]);
        assert_eq!(ours.get("x"), &[100.0, 101.0, 102.0]);
    }
}
