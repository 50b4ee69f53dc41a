//! `linkpay-bench`: measures linkpay on this machine and prints the figures beside their
//! targets; writes everything as JSON. See docs/benchmarks.md.
//!
//! Everything runs on 127.0.0.1: workerd with the built worker and an empty worker, a bare
//! axum server (the origin's ceiling), and the release `linkpay` binary on each database.
//! The load generator is this program's own (hyper 1 client, one keep-alive connection per
//! worker); see [`load`].

mod ceiling;
mod edge;
mod http;
mod load;
mod origin;
mod procs;
mod receiver;
mod ticket_drop;
mod webhooks;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clap::{Args, Parser, Subcommand};
use load::{Mode, Stats};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const GENERATOR: &str = "linkpay-bench";
const CLIENT: &str = "hyper 1 client, HTTP/1.1, one keep-alive connection per worker";

#[derive(Parser)]
#[command(
    name = "linkpay-bench",
    version,
    about = "Benchmarks linkpay on this machine: the edge worker in workerd, the origin on SQLite (and PostgreSQL), beside ceilings measured in the same run."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve a bare axum handler (GET / → "ok") on 127.0.0.1:PORT: the origin's ceiling. The
    /// benchmark starts this itself, as a separate process.
    CeilingServer {
        #[arg(long)]
        port: u16,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Smoke test: 1 s warm-up and 1 s per figure, 200 webhook events.
    #[arg(long)]
    quick: bool,
    /// Seconds measured per figure (default 10; 1 with --quick).
    #[arg(long, value_name = "SECONDS")]
    duration: Option<f64>,
    /// Seconds of warm-up before each figure, not recorded (default 5; 1 with --quick).
    #[arg(long, value_name = "SECONDS")]
    warmup: Option<f64>,
    /// Concurrent workers (keep-alive connections) of the closed loops.
    #[arg(long, value_name = "N", default_value_t = 32)]
    concurrency: usize,
    /// Threads of the load generator's runtime (the servers get the rest of the machine).
    #[arg(long, value_name = "N", default_value_t = 1)]
    generator_threads: usize,
    /// Also run the origin figures on this PostgreSQL database (must be empty: the bench
    /// needs the demo merchant's key, which the origin reveals only when it creates it).
    /// Repeatable.
    #[arg(long = "postgres-url", value_name = "URL")]
    postgres_urls: Vec<String>,
    /// Skip the origin figures on SQLite.
    #[arg(long)]
    no_sqlite: bool,
    /// Skip the edge figures (workerd).
    #[arg(long)]
    skip_edge: bool,
    /// Skip the origin figures and their ceiling.
    #[arg(long)]
    skip_origin: bool,
    /// Checkouts (hence webhook events) behind the webhook figure (default 2000; 200 with --quick).
    #[arg(long, value_name = "N")]
    webhook_events: Option<usize>,
    /// Tickets of the ticket-drop link (default 500; 20 with --quick).
    #[arg(long, value_name = "N")]
    drop_tickets: Option<u64>,
    /// Buyers who press Pay at once in the ticket drop (default 2000; 80 with --quick).
    #[arg(long, value_name = "N")]
    drop_buyers: Option<usize>,
    /// The linkpay checkout to measure (holds edge/build, target/release/linkpay, node_modules).
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// The `linkpay` binary to measure, relative to --root unless absolute. `scripts/bench
    /// --quick` passes the debug build: a smoke run checks that everything runs, not speed.
    #[arg(long, value_name = "FILE", default_value = "target/release/linkpay")]
    linkpay: PathBuf,
    /// Where the JSON goes, relative to --root unless absolute.
    #[arg(long, value_name = "FILE", default_value = "target/bench/results.json")]
    out: PathBuf,
}

/// How every figure is measured.
pub struct Settings {
    /// The `linkpay` binary under test (absolute).
    pub linkpay: PathBuf,
    pub warmup: Duration,
    pub duration: Duration,
    pub concurrency: usize,
    pub generator_threads: usize,
    pub cores: usize,
    pub webhook_events: usize,
    /// The ticket drop: tickets, and buyers at once.
    pub drop_tickets: u64,
    pub drop_buyers: usize,
    /// A smoke run: figures that repeat whole processes (edge cold starts) do fewer.
    pub quick: bool,
}

impl Settings {
    /// The load behind a figure, in words: generator, mode, concurrency, duration, cores.
    pub fn describe(&self, st: &Stats) -> String {
        let secs = |d: Duration| format!("{:.0} s", d.as_secs_f64());
        let how = match st.mode {
            Mode::Closed => format!(
                "closed loop, C={}, {} after {} warm-up",
                st.concurrency,
                secs(st.measured),
                secs(st.warmup)
            ),
            Mode::Open { rate } => format!(
                "open loop at {}/s over {} connections, {} after {} warm-up",
                load::thousands(rate),
                st.concurrency,
                secs(st.measured),
                secs(st.warmup)
            ),
            Mode::Count { n } => format!("{n} requests, C={}", st.concurrency),
        };
        format!("{GENERATOR} {how}, {} cores", self.cores)
    }

    fn generator_json(&self, st: &Stats) -> Value {
        json!({
            "name": GENERATOR,
            "client": CLIENT,
            "mode": st.mode.name(),
            "rate_per_second": match st.mode { Mode::Open { rate } => json!(rate), _ => Value::Null },
            "concurrency": st.concurrency,
            "warmup_s": st.warmup.as_secs_f64(),
            "duration_s": st.measured.as_secs_f64(),
            "cores": self.cores,
            "generator_threads": self.generator_threads,
        })
    }
}

/// One line of the report.
pub struct Figure {
    id: String,
    name: String,
    value: String,
    target: Option<(String, bool)>,
    load: String,
    json: Map<String, Value>,
}

impl Figure {
    pub fn new(id: &str, name: &str, value: String) -> Figure {
        Figure {
            id: id.to_owned(),
            name: name.to_owned(),
            value,
            target: None,
            load: String::new(),
            json: Map::new(),
        }
    }

    pub fn from_stats(id: &str, name: &str, st: &Stats, s: &Settings) -> Figure {
        Figure::new(id, name, st.summary())
            .load(s.describe(st))
            .merge(st.json())
            .with("generator", s.generator_json(st))
    }

    pub fn target(mut self, target: &str, met: bool) -> Figure {
        self.target = Some((target.to_owned(), met));
        self
    }

    pub fn load(mut self, load: impl Into<String>) -> Figure {
        self.load = load.into();
        self
    }

    pub fn with(mut self, key: &str, value: Value) -> Figure {
        self.json.insert(key.to_owned(), value);
        self
    }

    pub fn merge(mut self, value: Value) -> Figure {
        if let Value::Object(map) = value {
            self.json.extend(map);
        }
        self
    }

    fn errors(&self) -> u64 {
        self.json.get("errors").and_then(Value::as_u64).unwrap_or(0)
    }

    fn to_json(&self) -> Value {
        let mut map = self.json.clone();
        map.insert("id".into(), json!(self.id));
        map.insert("name".into(), json!(self.name));
        map.insert("display".into(), json!(self.value));
        map.insert("load".into(), json!(self.load));
        map.insert(
            "target".into(),
            self.target.as_ref().map_or(Value::Null, |(t, _)| json!(t)),
        );
        map.insert(
            "met".into(),
            self.target.as_ref().map_or(Value::Null, |(_, m)| json!(m)),
        );
        Value::Object(map)
    }
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// 32 random bytes, base64url: a link key or the edge secret.
pub fn random_key() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Cmd::CeilingServer { port }) = cli.command {
        return ceiling::serve(port);
    }
    let args = cli.run;
    let threads = args.generator_threads.max(1);
    let runtime = if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("linkpay-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut term) => {
                    term.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            code = run(args) => code,
            // Dropping the run stops every child process group.
            _ = tokio::signal::ctrl_c() => interrupted(),
            _ = terminate => interrupted(),
        }
    })
}

fn interrupted() -> ExitCode {
    eprintln!("\nlinkpay-bench: interrupted; stopping the servers it started.");
    ExitCode::from(130)
}

async fn run(args: RunArgs) -> ExitCode {
    let started = Instant::now();
    let started_at = unix_now();
    let secs = |v: Option<f64>, default: f64, quick: f64| {
        Duration::from_secs_f64(
            v.unwrap_or(if args.quick { quick } else { default })
                .max(0.0),
        )
    };
    // Children run in temporary folders, so every path must be absolute.
    let root = match std::fs::canonicalize(&args.root) {
        Ok(root) => root,
        Err(e) => {
            eprintln!("linkpay-bench: --root {}: {e}", args.root.display());
            return ExitCode::FAILURE;
        }
    };
    let s = Settings {
        linkpay: root.join(&args.linkpay),
        warmup: secs(args.warmup, 5.0, 1.0),
        duration: secs(args.duration, 10.0, 1.0).max(Duration::from_millis(200)),
        concurrency: args.concurrency.clamp(1, 4096),
        generator_threads: args.generator_threads.max(1),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        webhook_events: args
            .webhook_events
            .unwrap_or(if args.quick { 200 } else { 2000 })
            .max(1),
        drop_tickets: args
            .drop_tickets
            .unwrap_or(if args.quick { 20 } else { 500 })
            .max(1),
        drop_buyers: args
            .drop_buyers
            .unwrap_or(if args.quick { 80 } else { 2000 })
            .max(1),
        quick: args.quick,
    };
    eprintln!(
        "linkpay-bench: {} warm-up + {} per figure, C={}, {} cores, generator {} thread(s)",
        format_args!("{:.0} s", s.warmup.as_secs_f64()),
        format_args!("{:.0} s", s.duration.as_secs_f64()),
        s.concurrency,
        s.cores,
        s.generator_threads
    );

    let mut figures: Vec<Figure> = Vec::new();
    let mut skipped: Vec<(String, String)> = Vec::new();
    let mut failed = false;

    if !args.skip_edge {
        match edge::run(&root, &s).await {
            Ok(f) => figures.extend(f),
            Err(e) => {
                eprintln!("edge: FAILED: {e}");
                skipped.push(("edge".into(), e));
                failed = true;
            }
        }
    }
    if !args.skip_origin {
        match ceiling::run(&s).await {
            Ok(f) => figures.extend(f),
            Err(e) => {
                eprintln!("ceiling: FAILED: {e}");
                skipped.push(("ceiling".into(), e));
                failed = true;
            }
        }
        let mut databases = Vec::new();
        if !args.no_sqlite {
            databases.push(origin::Database {
                kind: "sqlite",
                url: None,
            });
        }
        for url in &args.postgres_urls {
            databases.push(origin::Database {
                kind: "postgres",
                url: Some(url.clone()),
            });
        }
        for db in &databases {
            match origin::run(&root, db, &s).await {
                Ok(f) => figures.extend(f),
                Err(e) if db.kind == "postgres" => {
                    let url = db.url.as_deref().map(origin::redact).unwrap_or_default();
                    eprintln!("origin postgres: skipped: {url}: {e}");
                    skipped.push((format!("origin postgres ({url})"), e));
                }
                Err(e) => {
                    eprintln!("origin {}: FAILED: {e}", db.kind);
                    skipped.push((format!("origin {}", db.kind), e));
                    failed = true;
                }
            }
        }
    }

    let errors: u64 = figures.iter().map(Figure::errors).sum();
    if !figures.is_empty() {
        figures.push(
            Figure::new(
                "errors",
                "errors under load (all figures above)",
                errors.to_string(),
            )
            .target("0", errors == 0)
            .with("errors", json!(errors))
            .load("non-2xx/3xx answers, wrong pages, timeouts, failed connections, bad webhook signatures"),
        );
    }

    print_table(&figures, &skipped, &s);
    let elapsed = started.elapsed();
    let json = results_json(&root, &s, &args, &figures, &skipped, started_at, elapsed);
    let out = if args.out.is_absolute() {
        args.out.clone()
    } else {
        root.join(&args.out)
    };
    match write_json(&out, &json) {
        Ok(()) => println!(
            "\nResults written to {} ({:.0} s in all).",
            out.display(),
            elapsed.as_secs_f64()
        ),
        Err(e) => {
            eprintln!("linkpay-bench: writing {}: {e}", out.display());
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn print_table(figures: &[Figure], skipped: &[(String, String)], s: &Settings) {
    let header = ["figure", "value", "target", "met?"];
    let rows: Vec<[String; 4]> = figures
        .iter()
        .map(|f| {
            let (target, met) = match &f.target {
                Some((t, m)) => (t.clone(), if *m { "yes" } else { "NO" }.to_owned()),
                None => ("—".into(), String::new()),
            };
            [f.name.clone(), f.value.clone(), target, met]
        })
        .collect();
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].len()])
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1), width(2), width(3)];
    let line = |cells: [&str; 4]| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.chars().count());
            out.push_str(cell);
            if i < 3 {
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out.trim_end().to_owned()
    };
    println!("\nlinkpay benchmark ({} cores, {})", s.cores, CLIENT);
    println!("{}", line(header));
    println!(
        "{}",
        line([
            &"-".repeat(widths[0]),
            &"-".repeat(widths[1]),
            &"-".repeat(widths[2]),
            &"-".repeat(widths[3]),
        ])
    );
    for (f, r) in figures.iter().zip(&rows) {
        println!("{}", line([&r[0], &r[1], &r[2], &r[3]]));
        if !f.load.is_empty() {
            println!("    └ {}", f.load);
        }
    }
    for (what, why) in skipped {
        let first = why.lines().next().unwrap_or_default();
        println!("skipped: {what}: {first}");
    }
}

fn command_line(program: &str, args: &[&str]) -> Option<String> {
    procs::first_line(Path::new(program), args)
}

fn results_json(
    root: &Path,
    s: &Settings,
    args: &RunArgs,
    figures: &[Figure],
    skipped: &[(String, String)],
    started_at: i64,
    elapsed: Duration,
) -> Value {
    let errors: u64 = figures
        .iter()
        .filter(|f| f.id != "errors")
        .map(Figure::errors)
        .sum();
    let git = |a: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(a)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|t| {
        t.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_owned())
    });
    let met = figures
        .iter()
        .filter(|f| f.target.as_ref().is_some_and(|(_, m)| *m))
        .count();
    let missed = figures
        .iter()
        .filter(|f| f.target.as_ref().is_some_and(|(_, m)| !*m))
        .count();
    json!({
        "schema": 1,
        "started_at_unix": started_at,
        "elapsed_s": elapsed.as_secs_f64(),
        "machine": {
            "cores": s.cores,
            "arch": command_line("uname", &["-m"]),
            "kernel": command_line("uname", &["-sr"]),
            "cpu": cpu,
        },
        "git": {
            "commit": git(&["rev-parse", "HEAD"]),
            "dirty": git(&["status", "--porcelain", "--untracked-files=no"]).map(|s| !s.is_empty()),
        },
        "tools": {
            "workerd": edge::workerd_version(root),
            "linkpay": procs::first_line(&s.linkpay, &["--version"]),
            "linkpay_path": s.linkpay.strip_prefix(root).unwrap_or(&s.linkpay).display().to_string(),
            "linkpay_bench": env!("CARGO_PKG_VERSION"),
            "rustc": command_line("rustc", &["--version"]),
        },
        "generator": {
            "name": GENERATOR,
            "client": CLIENT,
            "threads": s.generator_threads,
        },
        "settings": {
            "quick": args.quick,
            "warmup_s": s.warmup.as_secs_f64(),
            "duration_s": s.duration.as_secs_f64(),
            "concurrency": s.concurrency,
            "webhook_events": s.webhook_events,
            "drop_tickets": s.drop_tickets,
            "drop_buyers": s.drop_buyers,
            "postgres_runs": args.postgres_urls.len(),
        },
        "figures": figures.iter().map(Figure::to_json).collect::<Vec<_>>(),
        "skipped": skipped.iter().map(|(what, why)| json!({"what": what, "why": why})).collect::<Vec<_>>(),
        "targets": {"met": met, "missed": missed},
        "errors_total": errors,
    })
}

fn write_json(path: &Path, value: &Value) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| e.to_string())
}
