//! A small metrics registry: labelled counters and one histogram family, rendered in the
//! Prometheus text exposition format (version 0.0.4). No metrics crate needed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// Label values, in the family's label order.
type Labels = Vec<&'static str>;

/// A counter family: one monotonically increasing count per label set.
#[derive(Debug)]
pub struct CounterVec {
    name: &'static str,
    help: &'static str,
    label_names: &'static [&'static str],
    values: Mutex<BTreeMap<Labels, u64>>,
}

impl CounterVec {
    /// A family with these label names.
    pub const fn new(
        name: &'static str,
        help: &'static str,
        label_names: &'static [&'static str],
    ) -> Self {
        CounterVec {
            name,
            help,
            label_names,
            values: Mutex::new(BTreeMap::new()),
        }
    }

    /// Adds `n` to the series `labels` (values in the order of the label names).
    pub fn add(&self, labels: &[&'static str], n: u64) {
        let mut g = self.values.lock().unwrap_or_else(|p| p.into_inner());
        *g.entry(labels.to_vec()).or_insert(0) += n;
    }

    /// Adds one.
    pub fn inc(&self, labels: &[&'static str]) {
        self.add(labels, 1);
    }

    /// The sum of the series whose label values pass `f`.
    pub fn sum_where(&self, f: impl Fn(&[&'static str]) -> bool) -> u64 {
        let g = self.values.lock().unwrap_or_else(|p| p.into_inner());
        g.iter().filter(|(k, _)| f(k)).map(|(_, v)| *v).sum()
    }

    /// The current value of a series (tests).
    #[cfg(test)]
    pub fn get(&self, labels: &[&'static str]) -> u64 {
        let g = self.values.lock().unwrap_or_else(|p| p.into_inner());
        g.get(labels).copied().unwrap_or(0)
    }

    /// Appends the family in text format.
    pub fn render(&self, out: &mut String) {
        let _ = writeln!(out, "# HELP {} {}", self.name, self.help);
        let _ = writeln!(out, "# TYPE {} counter", self.name);
        let g = self.values.lock().unwrap_or_else(|p| p.into_inner());
        for (labels, v) in g.iter() {
            let _ = writeln!(
                out,
                "{}{} {v}",
                self.name,
                label_text(self.label_names, labels, None)
            );
        }
    }
}

/// A histogram family (seconds), fixed buckets.
#[derive(Debug)]
pub struct Histogram {
    name: &'static str,
    help: &'static str,
    bounds: &'static [f64],
    state: Mutex<HistState>,
}

#[derive(Debug, Default)]
struct HistState {
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    /// A histogram with these upper bounds (ascending; `+Inf` is implied).
    pub const fn new(name: &'static str, help: &'static str, bounds: &'static [f64]) -> Self {
        Histogram {
            name,
            help,
            bounds,
            state: Mutex::new(HistState {
                buckets: Vec::new(),
                sum: 0.0,
                count: 0,
            }),
        }
    }

    /// Records one observation.
    pub fn observe(&self, value: f64) {
        let mut g = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if g.buckets.len() != self.bounds.len() {
            g.buckets = vec![0; self.bounds.len()];
        }
        for (i, b) in self.bounds.iter().enumerate() {
            if value <= *b {
                g.buckets[i] += 1;
            }
        }
        g.sum += value;
        g.count += 1;
    }

    /// Appends the histogram in text format (cumulative buckets).
    pub fn render(&self, out: &mut String) {
        let _ = writeln!(out, "# HELP {} {}", self.name, self.help);
        let _ = writeln!(out, "# TYPE {} histogram", self.name);
        let g = self.state.lock().unwrap_or_else(|p| p.into_inner());
        for (i, b) in self.bounds.iter().enumerate() {
            let n = g.buckets.get(i).copied().unwrap_or(0);
            let _ = writeln!(out, "{}_bucket{{le=\"{b}\"}} {n}", self.name);
        }
        let _ = writeln!(out, "{}_bucket{{le=\"+Inf\"}} {}", self.name, g.count);
        let _ = writeln!(out, "{}_sum {}", self.name, g.sum);
        let _ = writeln!(out, "{}_count {}", self.name, g.count);
    }
}

/// Appends a gauge family sampled at scrape time.
pub fn render_gauge(
    out: &mut String,
    name: &str,
    help: &str,
    label_name: Option<&str>,
    series: &[(&str, f64)],
) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    for (label, v) in series {
        match label_name {
            Some(l) => {
                let _ = writeln!(out, "{name}{{{l}=\"{}\"}} {v}", escape(label));
            }
            None => {
                let _ = writeln!(out, "{name} {v}");
            }
        }
    }
}

fn label_text(names: &[&str], values: &[&str], extra: Option<(&str, &str)>) -> String {
    let mut parts: Vec<String> = names
        .iter()
        .zip(values)
        .map(|(n, v)| format!("{n}=\"{}\"", escape(v)))
        .collect();
    if let Some((n, v)) = extra {
        parts.push(format!("{n}=\"{}\"", escape(v)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_render_with_labels() {
        let c = CounterVec::new("x_total", "Things.", &["platform", "reason"]);
        c.inc(&["stripe", "bad_signature"]);
        c.add(&["stripe", "bad_signature"], 2);
        let mut s = String::new();
        c.render(&mut s);
        assert!(s.contains("# TYPE x_total counter"));
        assert!(s.contains("x_total{platform=\"stripe\",reason=\"bad_signature\"} 3"));
        assert_eq!(c.get(&["stripe", "bad_signature"]), 3);
    }

    #[test]
    fn histogram_buckets_are_cumulative() {
        let h = Histogram::new("d_seconds", "Durations.", &[0.1, 1.0]);
        h.observe(0.05);
        h.observe(0.5);
        h.observe(5.0);
        let mut s = String::new();
        h.render(&mut s);
        assert!(s.contains("d_seconds_bucket{le=\"0.1\"} 1"), "{s}");
        assert!(s.contains("d_seconds_bucket{le=\"1\"} 2"), "{s}");
        assert!(s.contains("d_seconds_bucket{le=\"+Inf\"} 3"), "{s}");
        assert!(s.contains("d_seconds_count 3"), "{s}");
    }
}
