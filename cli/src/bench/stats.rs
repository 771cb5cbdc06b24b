//! The arithmetic of a report: median and spread of repeated runs, ratios, and how a
//! ratio compares with its target.

/// The median and the range of one figure over repeated runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// The middle value (the mean of the two middle ones for an even count).
    pub median: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
}

impl Spread {
    /// The spread of `samples`; `None` when there are none or one is not a number.
    pub fn of(samples: &[f64]) -> Option<Self> {
        if samples.is_empty() || samples.iter().any(|s| s.is_nan()) {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let middle = sorted.len() / 2;
        let median =
            if sorted.len().is_multiple_of(2) { (sorted[middle - 1] + sorted[middle]) / 2.0 } else { sorted[middle] };
        Some(Self { median, min: sorted[0], max: sorted[sorted.len() - 1] })
    }
}

/// `subject / baseline`, or `None` when the baseline is zero (nothing to compare with).
pub fn ratio(subject: f64, baseline: f64) -> Option<f64> {
    (baseline != 0.0 && baseline.is_finite() && subject.is_finite()).then(|| subject / baseline)
}

/// The per-run ratios of paired runs (run `i` of the subject against run `i` of the baseline).
pub fn paired_ratios(subject: &[f64], baseline: &[f64]) -> Vec<f64> {
    subject.iter().zip(baseline).filter_map(|(s, b)| ratio(*s, *b)).collect()
}

/// What a ratio must reach: the targets, never lowered here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// Higher is better: the ratio must be at least this (throughput).
    AtLeast(f64),
    /// Lower is better: the ratio must be at most this (latency, time, memory).
    AtMost(f64),
}

impl Target {
    /// Whether `ratio` meets the target.
    pub fn met_by(self, ratio: f64) -> bool {
        match self {
            Self::AtLeast(bound) => ratio >= bound,
            Self::AtMost(bound) => ratio <= bound,
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::AtLeast(bound) => write!(f, "≥{bound}×"),
            Self::AtMost(bound) => write!(f, "≤{bound}×"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_odd_count_is_the_middle_value_whatever_the_order() {
        let spread = Spread::of(&[9.0, 1.0, 5.0]).unwrap();
        assert_eq!(spread, Spread { median: 5.0, min: 1.0, max: 9.0 });
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_two_middle_values() {
        let spread = Spread::of(&[4.0, 1.0, 10.0, 2.0]).unwrap();
        assert_eq!(spread, Spread { median: 3.0, min: 1.0, max: 10.0 });
    }

    #[test]
    fn a_single_run_is_its_own_median_and_range() {
        assert_eq!(Spread::of(&[7.5]).unwrap(), Spread { median: 7.5, min: 7.5, max: 7.5 });
    }

    #[test]
    fn no_runs_or_a_nan_give_no_spread() {
        assert_eq!(Spread::of(&[]), None);
        assert_eq!(Spread::of(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn the_ratio_is_subject_over_baseline() {
        assert_eq!(ratio(250.0, 1000.0), Some(0.25));
        assert_eq!(ratio(3.0, 0.0), None);
    }

    #[test]
    fn paired_ratios_divide_run_by_run() {
        assert_eq!(paired_ratios(&[2.0, 9.0, 4.0], &[1.0, 3.0, 8.0]), vec![2.0, 3.0, 0.5]);
    }

    #[test]
    fn targets_compare_in_their_own_direction_and_include_the_bound() {
        assert!(Target::AtLeast(2.0).met_by(2.0));
        assert!(!Target::AtLeast(2.0).met_by(1.99));
        assert!(Target::AtMost(1.5).met_by(1.5));
        assert!(!Target::AtMost(1.5).met_by(1.51));
        assert!(Target::AtMost(1.5).met_by(0.9));
    }
}
