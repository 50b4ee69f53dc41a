//! The load generator: workers that each own a keep-alive connection and run a [`Job`] (one
//! request, or a whole checkout sequence) over and over.
//!
//! - [`closed`]: C workers, each starting its next job when the last one finished, for a
//!   fixed time after a warm-up. Gives the maximum rate at concurrency C.
//! - [`open`]: jobs are due at a fixed rate whatever the server does; a job's latency is
//!   counted from when it was *due*, so a slow server cannot hide its queue by slowing the
//!   generator down (no coordinated omission).
//! - [`count`]: exactly N jobs shared by C workers, timed from first to last.
//!
//! Every completed job's latency goes into a histogram (µs, 3 significant digits). Every job
//! is bounded by [`JOB_TIMEOUT`] and every loop by its end time or count.

use hdrhistogram::Histogram;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A job that takes longer than this counts as an error.
pub const JOB_TIMEOUT: Duration = Duration::from_secs(10);

/// Named parts of one job, for the per-step breakdown (empty for single requests).
pub type Steps = Vec<(&'static str, Duration)>;

pub trait Job: Send + 'static {
    /// One unit of work. `Err` when the server answered anything but what was expected.
    fn run(&mut self) -> impl Future<Output = Result<Steps, String>> + Send;
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    Closed,
    Open { rate: f64 },
    Count { n: usize },
}

impl Mode {
    pub fn name(&self) -> &'static str {
        match self {
            Mode::Closed => "closed loop",
            Mode::Open { .. } => "open loop (fixed rate)",
            Mode::Count { .. } => "fixed count",
        }
    }
}

pub fn histogram() -> Histogram<u64> {
    // 1 µs .. 60 s at 3 significant digits: the bounds are constants, so this cannot fail.
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("constant, valid bounds")
}

/// What some workers counted.
pub struct Tally {
    pub ok: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// Microseconds.
    pub latency: Histogram<u64>,
    pub steps: Vec<(&'static str, Histogram<u64>)>,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            ok: 0,
            errors: 0,
            first_error: None,
            latency: histogram(),
            steps: Vec::new(),
        }
    }

    fn record(&mut self, latency: Duration, steps: Steps) {
        self.ok += 1;
        self.latency.saturating_record(micros(latency));
        for (name, d) in steps {
            let i = match self.steps.iter().position(|(n, _)| *n == name) {
                Some(i) => i,
                None => {
                    self.steps.push((name, histogram()));
                    self.steps.len() - 1
                }
            };
            self.steps[i].1.saturating_record(micros(d));
        }
    }

    fn error(&mut self, e: String) {
        self.errors += 1;
        self.first_error.get_or_insert(e);
    }

    fn add(&mut self, other: Tally) {
        self.ok += other.ok;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        let _ = self.latency.add(&other.latency);
        for (name, h) in other.steps {
            match self.steps.iter_mut().find(|(n, _)| *n == name) {
                Some((_, mine)) => {
                    let _ = mine.add(&h);
                }
                None => self.steps.push((name, h)),
            }
        }
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX).max(1)
}

pub struct Stats {
    pub mode: Mode,
    pub concurrency: usize,
    pub warmup: Duration,
    /// The measured window (closed and open loops) or the wall time (fixed count).
    pub measured: Duration,
    pub tally: Tally,
}

impl Stats {
    /// Completed jobs per second in the measured window.
    pub fn rate(&self) -> f64 {
        self.tally.ok as f64 / self.measured.as_secs_f64().max(1e-9)
    }

    pub fn percentile_ms(&self, p: f64) -> f64 {
        ms(&self.tally.latency, p)
    }

    /// Adds another round of the same measurement (same mode and concurrency).
    pub fn add_round(&mut self, other: Stats) {
        self.measured += other.measured;
        self.warmup += other.warmup;
        self.tally.add(other.tally);
    }

    pub fn summary(&self) -> String {
        format!(
            "{} /s, p50 {} ms, p99 {} ms, {} errors",
            thousands(self.rate()),
            round_ms(self.percentile_ms(50.0)),
            round_ms(self.percentile_ms(99.0)),
            self.tally.errors
        )
    }

    pub fn json(&self) -> serde_json::Value {
        let steps: serde_json::Map<String, serde_json::Value> = self
            .tally
            .steps
            .iter()
            .map(|(name, h)| {
                (
                    (*name).to_owned(),
                    serde_json::json!({
                        "p50_ms": ms(h, 50.0), "p99_ms": ms(h, 99.0), "mean_ms": h.mean() / 1000.0,
                    }),
                )
            })
            .collect();
        serde_json::json!({
            "per_second": self.rate(),
            "completed": self.tally.ok,
            "errors": self.tally.errors,
            "first_error": self.tally.first_error,
            "p50_ms": self.percentile_ms(50.0),
            "p90_ms": self.percentile_ms(90.0),
            "p99_ms": self.percentile_ms(99.0),
            "max_ms": self.tally.latency.max() as f64 / 1000.0,
            "mean_ms": self.tally.latency.mean() / 1000.0,
            "measured_s": self.measured.as_secs_f64(),
            "steps": steps,
        })
    }
}

pub fn ms(h: &Histogram<u64>, p: f64) -> f64 {
    if h.is_empty() {
        return 0.0;
    }
    h.value_at_quantile(p / 100.0) as f64 / 1000.0
}

pub fn round_ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// `12345.6` → `12,346`.
pub fn thousands(v: f64) -> String {
    let n = v.round() as i64;
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

pub fn progress(msg: impl AsRef<str>) {
    eprintln!("  {}", msg.as_ref());
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

async fn bounded<J: Job>(job: &mut J) -> Result<Steps, String> {
    tokio::time::timeout(JOB_TIMEOUT, job.run())
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {} s", JOB_TIMEOUT.as_secs())))
}

/// Runs `work` on every job at once, each as its own task with the count of jobs taken so
/// far (shared by all), and adds up what they tallied.
async fn on_workers<J, W, F>(jobs: Vec<J>, work: W) -> Tally
where
    W: Fn(J, Arc<AtomicU64>) -> F,
    F: Future<Output = Tally> + Send + 'static,
{
    let taken = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = jobs
        .into_iter()
        .map(|job| tokio::spawn(work(job, taken.clone())))
        .collect();
    let mut total = Tally::new();
    for h in handles {
        match h.await {
            Ok(t) => total.add(t),
            Err(e) => total.error(format!("a load worker failed: {e}")),
        }
    }
    total
}

/// Closed loop: one job per worker at a time, for `warmup` (not recorded) then `duration`.
/// Jobs that complete inside the measured window are counted, whenever they started.
pub async fn closed<J: Job>(
    label: &str,
    warmup: Duration,
    duration: Duration,
    jobs: Vec<J>,
) -> Stats {
    let concurrency = jobs.len();
    let start = Instant::now();
    let from = start + warmup;
    let until = from + duration;
    if warmup.is_zero() {
        progress(format!("{label}: measuring ({})…", secs(duration)));
    } else {
        progress(format!("{label}: warming up ({})…", secs(warmup)));
        let label = label.to_owned();
        tokio::spawn(async move {
            tokio::time::sleep_until(from.into()).await;
            progress(format!("{label}: measuring ({})…", secs(duration)));
        });
    }
    let tally = on_workers(jobs, |mut job, _| async move {
        let mut t = Tally::new();
        loop {
            let t0 = Instant::now();
            if t0 >= until {
                break;
            }
            let result = bounded(&mut job).await;
            let t1 = Instant::now();
            match result {
                Ok(steps) if t1 >= from && t1 <= until => t.record(t1 - t0, steps),
                Ok(_) => {}
                Err(e) => {
                    t.error(e);
                    // Do not spin on a refused connection.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
        t
    })
    .await;
    Stats {
        mode: Mode::Closed,
        concurrency,
        warmup,
        measured: duration,
        tally,
    }
}

/// Open loop: jobs due every `1/rate` s for `warmup + duration`, taken by whichever worker is
/// free. Latency runs from the due time, so queueing (in the server or for a free worker)
/// is counted. The step "waiting to be sent" shows how late the generator itself was.
pub async fn open<J: Job>(
    label: &str,
    rate: f64,
    warmup: Duration,
    duration: Duration,
    jobs: Vec<J>,
) -> Stats {
    let concurrency = jobs.len();
    let rate = rate.max(1.0);
    progress(format!(
        "{label}: {} jobs/s for {} after {} warm-up…",
        thousands(rate),
        secs(duration),
        secs(warmup)
    ));
    let start = Instant::now() + Duration::from_millis(20);
    let from = start + warmup;
    let until = from + duration;
    let tally = on_workers(jobs, |mut job, next| async move {
        let mut t = Tally::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let due = start + Duration::from_secs_f64(i as f64 / rate);
            if due >= until {
                break;
            }
            tokio::time::sleep_until(due.into()).await;
            let sent = Instant::now();
            let result = bounded(&mut job).await;
            let done = Instant::now();
            match result {
                Ok(mut steps) if due >= from => {
                    steps.insert(0, ("waiting to be sent", sent - due));
                    t.record(done - due, steps);
                }
                Ok(_) => {}
                Err(e) => t.error(e),
            }
        }
        t
    })
    .await;
    Stats {
        mode: Mode::Open { rate },
        concurrency,
        warmup,
        measured: duration,
        tally,
    }
}

/// Exactly `n` jobs over the workers; `measured` is the wall time from first to last.
pub async fn count<J: Job>(n: usize, jobs: Vec<J>) -> Stats {
    let concurrency = jobs.len();
    let start = Instant::now();
    let tally = on_workers(jobs, |mut job, next| async move {
        let mut t = Tally::new();
        while next.fetch_add(1, Ordering::Relaxed) < n as u64 {
            let t0 = Instant::now();
            match bounded(&mut job).await {
                Ok(steps) => t.record(t0.elapsed(), steps),
                Err(e) => t.error(e),
            }
        }
        t
    })
    .await;
    Stats {
        mode: Mode::Count { n },
        concurrency,
        warmup: Duration::ZERO,
        measured: start.elapsed(),
        tally,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::get_jobs;

    async fn ceiling() -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, crate::ceiling::app()).await });
        addr
    }

    #[tokio::test]
    async fn closed_open_and_counted_loops_record_every_answer() {
        let addr = ceiling().await;
        let closed = closed(
            "test",
            Duration::from_millis(50),
            Duration::from_millis(200),
            get_jobs(addr, "/", 2, 4),
        )
        .await;
        assert_eq!(closed.tally.errors, 0, "{:?}", closed.tally.first_error);
        assert!(closed.tally.ok > 10);
        assert_eq!(closed.tally.latency.len(), closed.tally.ok);

        let open = open(
            "test",
            200.0,
            Duration::ZERO,
            Duration::from_millis(500),
            get_jobs(addr, "/", 2, 4),
        )
        .await;
        assert_eq!(open.tally.errors, 0);
        // 100 jobs were due in the window; allow for the edges.
        assert!((95..=101).contains(&open.tally.ok), "{}", open.tally.ok);

        let counted = count(37, get_jobs(addr, "/", 2, 5)).await;
        assert_eq!((counted.tally.ok, counted.tally.errors), (37, 0));
    }

    #[tokio::test]
    async fn wrong_answers_are_errors() {
        let addr = ceiling().await;
        // "ok" is 2 bytes, not 3; and nothing is served at /missing.
        let wrong_len = count(3, get_jobs(addr, "/", 3, 1)).await;
        let missing = count(3, get_jobs(addr, "/missing", 2, 1)).await;
        assert_eq!((wrong_len.tally.ok, wrong_len.tally.errors), (0, 3));
        assert_eq!((missing.tally.ok, missing.tally.errors), (0, 3));
        assert!(missing.tally.first_error.is_some_and(|e| e.contains("404")));
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(999.5), "1,000");
        assert_eq!(round_ms(0.1234), "0.12");
        assert_eq!(round_ms(12.34), "12.3");
        assert_eq!(round_ms(123.4), "123");
    }
}
