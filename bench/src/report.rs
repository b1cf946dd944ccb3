//! docs/benchmarks.md: the machine, the commands, then one row per figure
//! with its median over the rounds, the spread (lowest to highest round) and
//! the target it is held to.

use crate::stats::Samples;
use std::fmt::Write;

#[derive(Clone, Copy)]
pub enum Unit {
    PerSec,
    MiBPerSec,
    Ms,
    /// Seconds, shown in microseconds.
    Micros,
    Secs,
    MiB,
    KiB,
    Percent,
}

impl Unit {
    pub fn show(self, v: f64) -> String {
        match self {
            Unit::PerSec => format!("{} /s", thousands(v)),
            Unit::MiBPerSec => format!("{} MiB/s", thousands(v / 1048576.0)),
            Unit::Ms => format!("{v:.2} ms"),
            Unit::Micros => format!("{:.1} µs", v * 1e6),
            Unit::Secs => format!("{v:.2} s"),
            Unit::MiB => format!("{v:.0} MiB"),
            Unit::KiB => format!("{:.0} KiB", v / 1024.0),
            Unit::Percent => format!("{:.0}%", v * 100.0),
        }
    }
}

/// `v` rounded, with commas between thousands.
pub fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What a figure is held to.
#[derive(Clone, Copy)]
pub enum Target {
    None,
    Below(f64),
    Above(f64),
}

struct Row {
    label: String,
    samples: Samples,
    unit: Unit,
    target: Target,
}

/// A section's table: the standard rows, or one the section lays out itself.
enum Body {
    Rows(Vec<Row>),
    Text(String),
}

#[derive(Default)]
pub struct Report {
    intro: String,
    sections: Vec<(String, Body)>,
}

impl Report {
    pub fn new(intro: String) -> Report {
        Report { intro, ..Default::default() }
    }

    pub fn section(&mut self, title: &str) {
        self.sections.push((title.to_string(), Body::Rows(Vec::new())));
    }

    /// A section written by its part, in Markdown.
    pub fn text(&mut self, title: &str, markdown: String) {
        eprintln!("{markdown}");
        self.sections.push((title.to_string(), Body::Text(markdown)));
    }

    pub fn row(&mut self, label: impl Into<String>, samples: Samples, unit: Unit, target: Target) {
        let label = label.into();
        eprintln!(
            "  {label}: {} ({} .. {})",
            unit.show(samples.median()),
            unit.show(samples.min()),
            unit.show(samples.max())
        );
        let Some((_, Body::Rows(rows))) = self.sections.last_mut() else { panic!("a section of rows first") };
        rows.push(Row { label, samples, unit, target });
    }

    pub fn markdown(&self, notes: &str) -> String {
        let mut out = self.intro.clone();
        for (title, body) in &self.sections {
            let _ = write!(out, "\n## {title}\n\n{}", body.markdown());
        }
        out + "\n" + notes
    }

    /// The report of a run of some parts only, laid into the full report
    /// `old`: each section replaces the one of the same title (or follows
    /// the others), under a line saying when it was run (`stamp`); the
    /// rest of `old` stays as it was, but for the notes, which are read anew.
    pub fn merged(&self, old: &str, notes: &str, stamp: &str) -> String {
        let notes_heading = notes.lines().find(|l| l.starts_with("## ")).map(|h| format!("\n{h}\n"));
        let body = notes_heading.and_then(|h| old.find(&h)).map_or(old, |at| &old[..at]);
        let mut out = body.trim_end().to_string() + "\n";
        for (title, body) in &self.sections {
            let section = format!("\n## {title}\n\n_{stamp}_\n\n{}", body.markdown());
            let heading = format!("\n## {title}\n");
            match out.find(&heading) {
                Some(at) => {
                    let end = out[at + 1..].find("\n## ").map_or(out.len(), |next| at + 1 + next);
                    out.replace_range(at..end, &section);
                }
                None => out += &section,
            }
        }
        out + "\n" + notes
    }
}

/// The body of the section `title` of a written report, if it has one.
pub fn section(report: &str, title: &str) -> Option<String> {
    let heading = format!("\n## {title}\n\n");
    let start = report.find(&heading)? + heading.len();
    let end = report[start..].find("\n## ").map_or(report.len(), |next| start + next + 1);
    Some(report[start..end].to_string())
}

impl Body {
    fn markdown(&self) -> String {
        let rows = match self {
            Body::Rows(rows) => rows,
            Body::Text(text) => return text.clone(),
        };
        let mut out = "| Figure | Median | Spread (rounds) | Target | Met |\n|---|---:|---:|---:|:-:|\n".to_string();
        for r in rows {
            let m = r.samples.median();
            let (target, met) = match r.target {
                Target::None => (String::new(), ""),
                Target::Below(t) => (format!("< {}", r.unit.show(t)), if m < t { "yes" } else { "**no**" }),
                Target::Above(t) => (format!("> {}", r.unit.show(t)), if m > t { "yes" } else { "**no**" }),
            };
            let spread = if r.samples.0.len() > 1 {
                format!("{} – {}", r.unit.show(r.samples.min()), r.unit.show(r.samples.max()))
            } else {
                "one measurement".into()
            };
            let _ = writeln!(out, "| {} | {} | {} | {} | {} |", r.label, r.unit.show(m), spread, target, met);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_is_read_up_to_the_next() {
        let report = "# B\n\n## A\n\na\n\n## Lighthouse\n\n| x |\n\n## Notes\n\nn\n";
        assert_eq!(section(report, "Lighthouse").as_deref(), Some("| x |\n\n"));
        assert_eq!(section(report, "Notes").as_deref(), Some("n\n"));
        assert_eq!(section(report, "C"), None);
    }

    #[test]
    fn a_partial_run_replaces_its_sections_only() {
        let old = "# Benchmarks\n\n## Machine\n\n- old\n\n## A\n\nold a\n\n## B\n\nold b\n\n## Notes\n\nold notes\n";
        let mut report = Report::new("# Benchmarks\n".into());
        report.text("B", "new b\n".into());
        report.text("C", "new c\n".into());
        let merged = report.merged(old, "## Notes\n\nnew notes\n", "today");
        assert_eq!(
            merged,
            "# Benchmarks\n\n## Machine\n\n- old\n\n## A\n\nold a\n\n## B\n\n_today_\n\nnew b\n\n## C\n\n_today_\n\nnew c\n\n## Notes\n\nnew notes\n"
        );
    }
}
