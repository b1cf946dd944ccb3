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
    fn show(self, v: f64) -> String {
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

#[derive(Default)]
pub struct Report {
    intro: String,
    sections: Vec<(String, Vec<Row>)>,
}

impl Report {
    pub fn new(intro: String) -> Report {
        Report { intro, ..Default::default() }
    }

    pub fn section(&mut self, title: &str) {
        self.sections.push((title.to_string(), Vec::new()));
    }

    pub fn row(&mut self, label: impl Into<String>, samples: Samples, unit: Unit, target: Target) {
        let label = label.into();
        eprintln!(
            "  {label}: {} ({} .. {})",
            unit.show(samples.median()),
            unit.show(samples.min()),
            unit.show(samples.max())
        );
        let rows = &mut self.sections.last_mut().expect("a section first").1;
        rows.push(Row { label, samples, unit, target });
    }

    pub fn markdown(&self, notes: &str) -> String {
        let mut out = self.intro.clone();
        for (title, rows) in &self.sections {
            let _ = write!(
                out,
                "\n## {title}\n\n| Figure | Median | Spread (rounds) | Target | Met |\n|---|---:|---:|---:|:-:|\n"
            );
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
        }
        out + "\n" + notes
    }
}
