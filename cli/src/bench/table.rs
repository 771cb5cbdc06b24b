//! The report a scenario prints: a Markdown table (so it pastes into BENCHMARKS.md)
//! with each figure's median and range on both sides, their ratio and the target.

use super::pairs::Samples;
use super::stats::{Spread, Target, paired_ratios, ratio};

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// What is measured, with its unit (e.g. `commands/s @ 32 clients`).
    pub figure: String,
    /// The baseline's runs; empty when the figure has no baseline (then the target
    /// applies to the median itself, e.g. a memory ceiling).
    pub baseline: Vec<f64>,
    /// Emporium's runs.
    pub subject: Vec<f64>,
    /// The target, if it sets one for this figure.
    pub target: Option<Target>,
    /// Why the runs cannot be judged (e.g. the system was overloaded); shown instead
    /// of PASS or MISS, with the target kept as it is.
    pub unjudged: Option<&'static str>,
}

impl Row {
    /// A row comparing figure `name` of both sides, shown as `label`.
    pub fn compare(label: impl Into<String>, name: &str, baseline: &Samples, subject: &Samples) -> Self {
        Self {
            figure: label.into(),
            baseline: baseline.get(name).to_vec(),
            subject: subject.get(name).to_vec(),
            target: None,
            unjudged: None,
        }
    }

    /// The same row with a target.
    pub fn target(mut self, target: Target) -> Self {
        self.target = Some(target);
        self
    }

    /// The median ratio of the two medians; `None` without a baseline.
    fn ratio(&self) -> Option<f64> {
        ratio(Spread::of(&self.subject)?.median, Spread::of(&self.baseline)?.median)
    }

    /// What the target is compared with: the ratio, or the subject's median alone.
    fn measured(&self) -> Option<f64> {
        if self.baseline.is_empty() { Spread::of(&self.subject).map(|s| s.median) } else { self.ratio() }
    }

    /// PASS, MISS, or a dash when there is no target or nothing to compare.
    pub fn verdict(&self) -> &'static str {
        if let Some(reason) = self.unjudged {
            return reason;
        }
        match (self.target, self.measured()) {
            (Some(target), Some(measured)) if target.met_by(measured) => "PASS",
            (Some(_), Some(_)) => "MISS",
            _ => "–",
        }
    }

    fn cells(&self) -> [String; 6] {
        let ratio = match self.ratio() {
            Some(median) => {
                let per_pair = Spread::of(&paired_ratios(&self.subject, &self.baseline));
                match per_pair {
                    Some(p) => format!("{}× ({}–{})", number(median), number(p.min), number(p.max)),
                    None => format!("{}×", number(median)),
                }
            }
            None => "–".to_owned(),
        };
        let target = match self.target {
            Some(target) if self.baseline.is_empty() => match target {
                Target::AtLeast(bound) => format!("≥{}", number(bound)),
                Target::AtMost(bound) => format!("≤{}", number(bound)),
            },
            Some(target) => target.to_string(),
            None => "–".to_owned(),
        };
        [self.figure.clone(), spread(&self.baseline), spread(&self.subject), ratio, target, self.verdict().to_owned()]
    }
}

/// A scenario's whole report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The heading: scenario and its settings.
    pub title: String,
    /// Lines printed under the heading (durability settings, how it was measured).
    pub notes: Vec<String>,
    /// What the baseline column holds.
    pub baseline_label: String,
    /// What the subject column holds.
    pub subject_label: String,
    /// The figures.
    pub rows: Vec<Row>,
}

impl Report {
    /// The report as Markdown.
    pub fn render(&self) -> String {
        let header = [
            "figure".to_owned(),
            format!("{} median (min–max)", self.baseline_label),
            format!("{} median (min–max)", self.subject_label),
            "ratio (per-pair min–max)".to_owned(),
            "target".to_owned(),
            "verdict".to_owned(),
        ];
        let body: Vec<[String; 6]> = self.rows.iter().map(Row::cells).collect();
        let mut widths = header.clone().map(|h| h.chars().count());
        for row in &body {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: &[String; 6]| {
            let padded: Vec<String> = cells.iter().zip(widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
            format!("| {} |\n", padded.join(" | "))
        };
        let mut out = format!("### {}\n\n", self.title);
        for note in &self.notes {
            out.push_str(&format!("- {note}\n"));
        }
        out.push('\n');
        out.push_str(&line(&header));
        out.push_str(&format!("|{}|\n", widths.map(|w| "-".repeat(w + 2)).join("|")));
        for row in &body {
            out.push_str(&line(row));
        }
        out
    }
}

/// `median (min–max)`, or a dash for no runs.
fn spread(values: &[f64]) -> String {
    match Spread::of(values) {
        Some(s) => format!("{} ({}–{})", number(s.median), number(s.min), number(s.max)),
        None => "–".to_owned(),
    }
}

/// A figure to three significant digits or so, with thousands separated.
pub fn number(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 100.0 {
        let whole = value.round() as i64;
        let digits = whole.unsigned_abs().to_string();
        let mut grouped = String::new();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        if whole < 0 { format!("-{grouped}") } else { grouped }
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else if magnitude >= 0.1 || magnitude == 0.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(baseline: &[f64], subject: &[f64], target: Target) -> Row {
        Row {
            figure: "f".into(),
            baseline: baseline.to_vec(),
            subject: subject.to_vec(),
            target: Some(target),
            unjudged: None,
        }
    }

    #[test]
    fn numbers_keep_three_significant_digits_and_group_thousands() {
        assert_eq!(number(11922.4), "11,922");
        assert_eq!(number(1_000_000.0), "1,000,000");
        assert_eq!(number(417.0), "417");
        assert_eq!(number(14.25), "14.2");
        assert_eq!(number(0.29), "0.29");
        assert_eq!(number(0.0812), "0.081");
        assert_eq!(number(-1234.0), "-1,234");
    }

    #[test]
    fn the_ratio_divides_the_medians_not_the_means() {
        // Medians 300 and 1000; the means (433 and 1000) would give 0.43.
        let row = row(&[900.0, 1000.0, 1100.0], &[100.0, 300.0, 900.0], Target::AtLeast(0.8));
        assert_eq!(row.ratio(), Some(0.3));
        assert_eq!(row.verdict(), "MISS");
        assert_eq!(row.cells()[3], "0.30× (0.11–0.82)");
    }

    #[test]
    fn a_lower_is_better_target_passes_at_or_below_its_bound() {
        assert_eq!(row(&[10.0], &[15.0], Target::AtMost(1.5)).verdict(), "PASS");
        assert_eq!(row(&[10.0], &[16.0], Target::AtMost(1.5)).verdict(), "MISS");
    }

    #[test]
    fn an_unjudged_row_keeps_its_target_but_claims_no_pass() {
        let mut row = row(&[100.0], &[10.0], Target::AtMost(5.0));
        row.unjudged = Some("OVERLOADED");
        assert_eq!(row.verdict(), "OVERLOADED");
        assert_eq!(row.cells()[4], "≤5×");
    }

    #[test]
    fn without_a_baseline_the_target_applies_to_the_median_itself() {
        let row = row(&[], &[120.0, 160.0, 140.0], Target::AtMost(150.0));
        assert_eq!(row.verdict(), "PASS");
        assert_eq!(row.cells()[3], "–");
        assert_eq!(row.cells()[4], "≤150");
    }

    #[test]
    fn the_rendered_table_is_markdown_with_one_line_per_figure() {
        let report = Report {
            title: "t".into(),
            notes: vec!["fsync on".into()],
            baseline_label: "raw".into(),
            subject_label: "emporium".into(),
            rows: vec![row(&[100.0], &[250.0], Target::AtLeast(2.0))],
        };
        let text = report.render();
        assert!(text.contains("- fsync on"));
        let table: Vec<&str> = text.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(table.len(), 3);
        assert!(table[2].contains("2.50×") && table[2].contains("≥2×") && table[2].contains("PASS"), "{}", table[2]);
    }
}
