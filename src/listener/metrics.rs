//! The listener's counters, served at `GET /metrics` in the Prometheus text
//! format (version 0.0.4): requests by provider and result, and a histogram
//! of processing time.
//!
//! In memory only, reset when the listener restarts (Prometheus handles
//! counter resets). One mutex, held for a few additions per request: far
//! below the cost of the transaction each request commits.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the histogram buckets, in seconds.
pub const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(&'static str, &'static str), u64>,
    /// Cumulative counts per bucket of [`BUCKETS`].
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_secs: f64,
}

/// The counters, shared by every worker.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics::default()
    }

    /// Counts one request. `provider` is "stripe", "paypal" or "none";
    /// `result` a webhook result word, or "ok", "not_found", ...
    pub fn observe(&self, provider: &'static str, result: &'static str, took: Duration) {
        let Ok(mut m) = self.inner.lock() else {
            return;
        };
        *m.requests.entry((provider, result)).or_insert(0) += 1;
        let secs = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                m.buckets[i] += 1;
            }
        }
        m.count += 1;
        m.sum_secs += secs;
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let Ok(m) = self.inner.lock() else {
            return out;
        };
        out.push_str(
            "# HELP tally_webhook_requests_total Requests answered, by provider and result.\n\
             # TYPE tally_webhook_requests_total counter\n",
        );
        for ((provider, result), n) in &m.requests {
            let _ = writeln!(
                out,
                "tally_webhook_requests_total{{provider=\"{provider}\",result=\"{result}\"}} {n}"
            );
        }
        out.push_str(
            "# HELP tally_webhook_duration_seconds Time from request to answer.\n\
             # TYPE tally_webhook_duration_seconds histogram\n",
        );
        for (bound, n) in BUCKETS.iter().zip(m.buckets.iter()) {
            let _ = writeln!(
                out,
                "tally_webhook_duration_seconds_bucket{{le=\"{bound}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "tally_webhook_duration_seconds_bucket{{le=\"+Inf\"}} {}",
            m.count
        );
        let _ = writeln!(out, "tally_webhook_duration_seconds_sum {}", m.sum_secs);
        let _ = writeln!(out, "tally_webhook_duration_seconds_count {}", m.count);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let m = Metrics::new();
        m.observe("stripe", "applied", Duration::from_micros(800));
        m.observe("stripe", "applied", Duration::from_millis(30));
        m.observe("paypal", "rejected", Duration::from_secs(20));
        let text = m.render();
        assert!(
            text.contains(
                "tally_webhook_requests_total{provider=\"stripe\",result=\"applied\"} 2\n"
            )
        );
        assert!(
            text.contains(
                "tally_webhook_requests_total{provider=\"paypal\",result=\"rejected\"} 1\n"
            )
        );
        assert!(text.contains("tally_webhook_duration_seconds_bucket{le=\"0.001\"} 1\n"));
        assert!(text.contains("tally_webhook_duration_seconds_bucket{le=\"0.05\"} 2\n"));
        assert!(text.contains("tally_webhook_duration_seconds_bucket{le=\"10\"} 2\n"));
        assert!(text.contains("tally_webhook_duration_seconds_bucket{le=\"+Inf\"} 3\n"));
        assert!(text.contains("tally_webhook_duration_seconds_count 3\n"));
        assert!(text.contains("# TYPE tally_webhook_duration_seconds histogram\n"));
    }
}
