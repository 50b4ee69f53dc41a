//! The edge figures: the built worker run by workerd directly (no wrangler proxy), beside a
//! hand-written JavaScript peer doing the same job (bench/peer/worker.js) and an empty worker
//! in the same workerd process, measured with the same generator in the same run; the first
//! request on a fresh isolate ([`cold`]); and the size of the worker's .wasm.

mod cold;

use crate::http::{Conn, free_port, get_jobs, loopback};
use crate::load::{self, progress};
use crate::procs::{Proc, first_line};
use crate::{Figure, Settings, random_key};
use linkpay_shared::token::{Amount, Keyring, LinkClaims, Usage};
use linkpay_shared::{Currency, Locale, Money};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const COMPATIBILITY_DATE: &str = "2026-04-26";
const EMPTY_WORKER: &str = "export default { fetch() { return new Response(\"ok\") } }\n";
/// Stands in for the KV namespace: workerd sends a binding's reads to this service, and a 404
/// is a miss. Every pay page reads its link's display state, so the figure includes that call
/// (locally; Cloudflare serves KV reads from a cache near the buyer).
const EMPTY_KV: &str =
    "export default { fetch() { return new Response(null, { status: 404 }) } }\n";
/// The JavaScript peer, relative to the checkout.
const PEER: &str = "bench/peer/worker.js";

/// The workerd binary that npm installed with wrangler.
pub fn workerd_binary(root: &Path) -> Result<PathBuf, String> {
    [
        "node_modules/workerd/bin/workerd",
        "node_modules/@cloudflare/workerd-linux-64/bin/workerd",
    ]
    .iter()
    .map(|p| root.join(p))
    .find(|p| p.is_file())
    .ok_or_else(|| {
        "workerd is not in node_modules (it comes with wrangler). Run scripts/install-tools --no-browser."
            .to_owned()
    })
}

pub fn workerd_version(root: &Path) -> Option<String> {
    first_line(&workerd_binary(root).ok()?, &["--version"])
}

/// What worker-build left in edge/build: the entry module first, then every other module.
fn worker_modules(build: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let entry = build.join("index.js");
    if !entry.is_file() {
        return Err(format!(
            "{} is missing: build the worker first (scripts/build-edge).",
            entry.display()
        ));
    }
    let mut modules = vec![("index.js".to_owned(), entry)];
    let mut stack = vec![build.to_owned()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path
                .strip_prefix(build)
                .map_err(|e| e.to_string())?
                .to_string_lossy()
                .into_owned();
            let is_module = [".js", ".mjs", ".wasm"]
                .iter()
                .any(|ext| name.ends_with(ext));
            if is_module && name != "index.js" {
                modules.push((name, path));
            }
        }
    }
    modules[1..].sort();
    Ok(modules)
}

fn capnp_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

struct Edge {
    pay_addr: std::net::SocketAddr,
    peer_addr: std::net::SocketAddr,
    empty_addr: std::net::SocketAddr,
    _workerd: Proc,
}

/// What "workerd is up" is checked with.
#[derive(Clone, Copy, PartialEq)]
enum Ready {
    /// linkpay's /healthz and the empty worker: for the warm figures.
    Healthz,
    /// The empty worker alone, leaving linkpay's and the peer's isolates untouched.
    EmptyWorkerOnly,
}

/// Writes the config into `dir` (with copies of the modules) and starts workerd.
async fn start(
    root: &Path,
    dir: &Path,
    link_keys: &str,
    edge_secret: &str,
    ready: Ready,
) -> Result<Edge, String> {
    let modules = worker_modules(&root.join("edge/build"))?;
    let mut declared = Vec::new();
    for (name, path) in &modules {
        let copy = dir.join("linkpay").join(name);
        if let Some(parent) = copy.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::copy(path, &copy).map_err(|e| format!("copying {}: {e}", path.display()))?;
        let kind = if name.ends_with(".wasm") {
            "wasm"
        } else {
            "esModule"
        };
        declared.push(format!(
            "    (name = {}, {kind} = embed {}),",
            capnp_string(name),
            capnp_string(&format!("linkpay/{name}"))
        ));
    }
    std::fs::write(dir.join("empty.js"), EMPTY_WORKER).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("kv.js"), EMPTY_KV).map_err(|e| e.to_string())?;
    let peer = root.join(PEER);
    std::fs::copy(&peer, dir.join("peer.js")).map_err(|e| format!("{}: {e}", peer.display()))?;
    let (pay_port, peer_port, empty_port) = (free_port()?, free_port()?, free_port()?);
    let config = format!(
        r#"using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "linkpay", worker = .linkpayWorker),
    (name = "peer", worker = .peerWorker),
    (name = "empty", worker = .emptyWorker),
    (name = "kv", worker = .kvWorker),
    (name = "kvPeer", worker = .kvWorker),
  ],
  sockets = [
    (name = "linkpay", address = "127.0.0.1:{pay_port}", http = (), service = "linkpay"),
    (name = "peer", address = "127.0.0.1:{peer_port}", http = (), service = "peer"),
    (name = "empty", address = "127.0.0.1:{empty_port}", http = (), service = "empty"),
  ],
);

const linkpayWorker :Workerd.Worker = (
  modules = [
{modules}
  ],
  compatibilityDate = "{COMPATIBILITY_DATE}",
  bindings = [
    # The pay page never calls the origin; nothing listens here.
    (name = "ORIGIN_URL", text = "http://127.0.0.1:9"),
    (name = "LINK_KEYS", text = {link_keys}),
    (name = "EDGE_SECRET", text = {edge_secret}),
    (name = "LINKPAY_KV", kvNamespace = "kv"),
  ],
);

# Its own KV service, so that a first request to one worker does not warm the other's.
const peerWorker :Workerd.Worker = (
  modules = [ (name = "peer.js", esModule = embed "peer.js") ],
  compatibilityDate = "{COMPATIBILITY_DATE}",
  bindings = [
    (name = "ORIGIN_URL", text = "http://127.0.0.1:9"),
    (name = "LINK_KEYS", text = {link_keys}),
    (name = "LINKPAY_KV", kvNamespace = "kvPeer"),
  ],
);

const kvWorker :Workerd.Worker = (
  modules = [ (name = "kv.js", esModule = embed "kv.js") ],
  compatibilityDate = "{COMPATIBILITY_DATE}",
);

const emptyWorker :Workerd.Worker = (
  modules = [ (name = "empty.js", esModule = embed "empty.js") ],
  compatibilityDate = "{COMPATIBILITY_DATE}",
);
"#,
        modules = declared.join("\n"),
        link_keys = capnp_string(link_keys),
        edge_secret = capnp_string(edge_secret),
    );
    let config_path = dir.join("config.capnp");
    std::fs::write(&config_path, config).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(workerd_binary(root)?);
    cmd.arg("serve").arg(&config_path).current_dir(dir);
    let mut workerd = Proc::spawn("workerd", cmd, &dir.join("workerd.log"))?;
    let (pay_addr, empty_addr) = (loopback(pay_port), loopback(empty_port));
    workerd
        .wait_ready(Duration::from_secs(20), || async move {
            let ok = |r: Result<crate::http::Reply, String>| r.is_ok_and(|r| r.status == 200);
            ok(Conn::new(empty_addr).get("/").await)
                && (ready == Ready::EmptyWorkerOnly
                    || ok(Conn::new(pay_addr).get("/healthz").await))
        })
        .await?;
    Ok(Edge {
        pay_addr,
        peer_addr: loopback(peer_port),
        empty_addr,
        _workerd: workerd,
    })
}

pub fn wasm_size(root: &Path) -> Result<(u64, u64, String), String> {
    let build = root.join("edge/build");
    let (name, path) = worker_modules(&build)?
        .into_iter()
        .find(|(n, _)| n.ends_with(".wasm"))
        .ok_or_else(|| format!("no .wasm under {}", build.display()))?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes).map_err(|e| e.to_string())?;
    let gz = gz.finish().map_err(|e| e.to_string())?;
    Ok((
        bytes.len() as u64,
        gz.len() as u64,
        format!("edge/build/{name}"),
    ))
}

/// The page without its CSP nonce (22 characters after `nonce="`), to compare two workers'.
fn without_nonce(page: &str) -> String {
    match page.find("nonce=\"") {
        Some(i) => format!(
            "{}{}",
            &page[..i],
            page.get(i + 7 + 22..).unwrap_or_default()
        ),
        None => page.to_owned(),
    }
}

pub async fn run(root: &Path, s: &Settings) -> Result<Vec<Figure>, String> {
    progress("edge: starting workerd with the linkpay worker, the JS peer and an empty worker…");
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let link_keys = format!("bench:{}", random_key()?);
    let edge_secret = random_key()?;
    let edge = start(root, dir.path(), &link_keys, &edge_secret, Ready::Healthz).await?;

    let keyring = Keyring::parse(&link_keys)?;
    let amount = Money::new(1500, Currency::Jpy).map_err(|e| e.to_string())?;
    let claims = LinkClaims {
        link_id: "lnk_bench".into(),
        merchant_id: "mch_bench".into(),
        merchant_name: "Bench Tea Shop".into(),
        amount: Amount::Fixed(amount),
        expires_at: crate::unix_now() + 24 * 3600,
        usage: Usage::MultiUse,
        title: "Tea set".into(),
        description: Some("Two cups and a pot".into()),
        reference: Some("BENCH-1".into()),
        locale: Locale::En,
        free: Default::default(),
        metadata: Vec::new(),
        livemode: false,
    };
    let token = keyring.sign(&claims).map_err(|e| e.to_string())?;
    let path = format!("/l/{token}");

    // The page must be the real pay page before it is worth timing.
    let page = Conn::new(edge.pay_addr).get(&path).await?;
    page.expect("edge: GET /l/<token>", 200)?;
    let html = page.text();
    let shown = amount.format(Locale::En);
    if !html.contains(&shown) || !html.contains("Tea set") {
        return Err(format!(
            "edge: the pay page does not show {shown} and the title; it starts:\n{}",
            html.chars().take(300).collect::<String>()
        ));
    }
    // The peer must do the same job: the same page, byte for byte but for the nonce.
    let peer_page = Conn::new(edge.peer_addr).get(&path).await?;
    peer_page.expect("edge: the JS peer's GET /l/<token>", 200)?;
    if without_nonce(&peer_page.text()) != without_nonce(&html) {
        return Err(format!(
            "edge: the JS peer ({PEER}) answers a different page than the worker; it starts:\n{}",
            peer_page.text().chars().take(300).collect::<String>()
        ));
    }
    progress(format!(
        "edge: pay page answers 200 with {shown} ({} bytes); the JS peer's page is the same",
        page.body.len()
    ));
    let page_len = page.body.len();

    // Four targets: the pay page, the same worker's /healthz (the workers-rs floor: the wasm
    // entry and the security headers, no token and no template), the JS peer's pay page and
    // the empty worker. Two rounds each, alternating, so drift on a shared machine hits all
    // alike.
    let half = s.duration / 2;
    let c = s.concurrency;
    let targets = [
        ("edge: pay page", edge.pay_addr, path.as_str(), page_len),
        ("edge: linkpay /healthz", edge.pay_addr, "/healthz", 2),
        (
            "edge: JS peer pay page",
            edge.peer_addr,
            path.as_str(),
            page_len,
        ),
        ("edge: empty worker", edge.empty_addr, "/", 2),
    ];
    let mut rounds: Vec<load::Stats> = Vec::new();
    for (label, addr, path, len) in targets {
        let jobs = get_jobs(addr, path, len, c);
        rounds.push(load::closed(label, s.warmup, half, jobs).await);
    }
    for ((label, addr, path, len), stats) in targets.into_iter().zip(rounds.iter_mut()) {
        let jobs = get_jobs(addr, path, len, c);
        let label = format!("{label} (round 2)");
        stats.add_round(load::closed(&label, Duration::ZERO, half, jobs).await);
    }
    drop(edge);
    let [pay, healthz, peer, empty]: [load::Stats; 4] = rounds
        .try_into()
        .map_err(|_| "edge: four measurements expected".to_owned())?;

    // Fresh processes for the cold starts: fewer and shorter in a smoke run.
    let (processes, idle) = if s.quick {
        (2, Duration::from_millis(500))
    } else {
        (7, Duration::from_secs(2))
    };
    progress(format!(
        "edge: first requests on fresh isolates, {processes} workerd processes…"
    ));
    let target = || cold::Target {
        path: &path,
        len: page_len,
    };
    let cold = cold::measure(
        root,
        (&link_keys, &edge_secret),
        target(),
        target(),
        processes,
        idle,
    )
    .await?;

    let mut figures = vec![
        Figure::from_stats("edge.pay_page", "edge: pay page GET /l/<token>", &pay, s)
            .with("page_bytes", json!(page_len)),
        Figure::from_stats(
            "edge.linkpay_healthz",
            "edge: linkpay worker GET /healthz (wasm floor)",
            &healthz,
            s,
        ),
        Figure::from_stats(
            "edge.js_peer",
            "edge: JS peer pay page GET /l/<token>",
            &peer,
            s,
        ),
        Figure::from_stats(
            "edge.empty_worker",
            "edge: empty worker GET / (ceiling)",
            &empty,
            s,
        ),
    ];
    let same_run = "rows above: same workerd, same run, same settings";
    let vs_peer = pay.rate() / peer.rate().max(1e-9);
    figures.push(
        Figure::new(
            "edge.ratio_peer",
            "edge: pay page / JS peer",
            format!("{vs_peer:.2}×"),
        )
        .target("≥ 1.5×", vs_peer >= 1.5)
        .load(format!("pay page and JS peer {same_run}"))
        .with("value", json!(vs_peer)),
    );
    let ratio = pay.rate() / empty.rate().max(1e-9);
    figures.push(
        Figure::new(
            "edge.ratio",
            "edge: pay page / empty worker",
            format!("{:.1} %", ratio * 100.0),
        )
        .target("≥ 60 %", ratio >= 0.60)
        .load(format!("pay page and empty worker {same_run}"))
        .with("value", json!(ratio * 100.0))
        .with("unit", json!("%")),
    );
    let how = format!(
        "{processes} fresh workerd processes, {:.1} s idle, first GET /l/<token> incl. connect",
        idle.as_secs_f64()
    );
    for (id, name, ms, target) in [
        (
            "edge.cold_start",
            "edge: first request, fresh isolate",
            &cold.linkpay,
            true,
        ),
        (
            "edge.cold_start_peer",
            "edge: JS peer first request, fresh isolate",
            &cold.peer,
            false,
        ),
    ] {
        let (median, range) = cold::describe(ms);
        let mut f = Figure::new(id, name, format!("median {median:.1} ms ({range})"))
            .load(how.clone())
            .with("median_ms", json!(median))
            .with("samples_ms", json!(ms));
        if target {
            f = f.target("≤ 3 ms (median)", median <= 3.0);
        }
        figures.push(f);
    }
    let (raw, gz, wasm_path) = wasm_size(root)?;
    figures.push(
        Figure::new(
            "edge.wasm_size",
            "edge: worker .wasm size",
            format!(
                "{:.1} KB raw, {:.1} KB gzipped",
                raw as f64 / 1000.0,
                gz as f64 / 1000.0
            ),
        )
        .target("≤ 80 KB gzipped", gz <= 80_000)
        .load(format!("{wasm_path}, gzip -9 (1 KB = 1000 bytes)"))
        .with("raw_bytes", json!(raw))
        .with("gzip_bytes", json!(gz)),
    );
    Ok(figures)
}
