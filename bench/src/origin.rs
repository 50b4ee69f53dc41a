//! The origin figures, once per database: the release binary `linkpay serve` started as a
//! child with its own database, then link creations, full sandbox checkouts (max rate, then
//! a fixed rate at half of it), 300 links end to end, and webhook deliveries.

use crate::http::{Conn, Reply, free_port, loopback};
use crate::load::{self, Job, Steps, progress, thousands};
use crate::procs::Proc;
use crate::{Figure, Settings, random_key};
use bytes::Bytes;
use hyper::Method;
use linkpay_shared::SecretKey;
use linkpay_shared::channel;
use linkpay_shared::token::Keyring;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) const CHECKOUT_PATH: &str = "/internal/v1/checkouts";
/// Where result pages live; nothing needs to listen there, the bench only checks redirects.
pub(crate) const EDGE_URL: &str = "http://127.0.0.1:8787";
const CARD_FORM: &str = "number=4242424242424242&expiry=12%2F30&cvc=123";
pub const BATCH_LINKS: usize = 300;
const STEPS: usize = 6;

/// A database to run the origin on.
pub struct Database {
    /// `sqlite` or `postgres`.
    pub kind: &'static str,
    /// `None`: a new SQLite file in a temporary folder.
    pub url: Option<String>,
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

pub(crate) struct Origin {
    pub(crate) addr: SocketAddr,
    pub(crate) public_url: String,
    pub(crate) api_key: String,
    keyring: Keyring,
    pub(crate) edge_secret: SecretKey,
    pub(crate) proc: Proc,
}

/// The secrets an origin is started with; instances sharing a database share them too.
pub(crate) struct Keys {
    link_keys: String,
    edge_secret: String,
    master_key: String,
}

impl Keys {
    pub(crate) fn random() -> Result<Keys, String> {
        Ok(Keys {
            link_keys: format!("bench:{}", random_key()?),
            edge_secret: random_key()?,
            master_key: random_key()?,
        })
    }
}

/// Starts the origin. `Err` says why it did not come up (with the end of its log).
/// `api_key`: the demo merchant's key when another instance already created it.
pub(crate) async fn start(
    binary: &Path,
    dir: &Path,
    db: &Database,
    keys: &Keys,
    api_key: Option<&str>,
) -> Result<Origin, String> {
    if !binary.is_file() {
        return Err(format!(
            "{} is missing: cargo build --release -p linkpay-origin (scripts/bench does).",
            binary.display()
        ));
    }
    let port = free_port()?;
    let addr = loopback(port);
    let public_url = format!("http://{addr}");
    let database_url = match &db.url {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", dir.join("linkpay.db").display()),
    };
    let key_file = dir.join("demo-secret-key");
    let mut cmd = Command::new(binary);
    cmd.arg("serve")
        .arg("--demo-key-file")
        .arg(&key_file)
        .current_dir(dir)
        .env("LINKPAY_LISTEN", addr.to_string())
        .env("DATABASE_URL", &database_url)
        .env("LINKPAY_PUBLIC_URL", &public_url)
        .env("LINKPAY_EDGE_URL", EDGE_URL)
        .env("LINKPAY_LINK_KEYS", &keys.link_keys)
        .env("LINKPAY_EDGE_SECRET", &keys.edge_secret)
        .env("LINKPAY_MASTER_KEYS", format!("bench:{}", keys.master_key))
        // A failed delivery comes back quickly; the receiver holds a batch for up to 30 s.
        .env("LINKPAY_WEBHOOK_RETRY_SCHEDULE", "2s,2s,2s")
        .env("LINKPAY_WEBHOOK_TIMEOUT", "30s")
        // The benchmark's webhook receiver listens on loopback, which the SSRF guard refuses
        // by default.
        .env("LINKPAY_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")
        // The default filter, set so a LINKPAY_LOG in the caller's shell changes nothing.
        .env("LINKPAY_LOG", "info,sqlx=warn");
    let mut proc = Proc::spawn(
        &format!("the origin on {}", db.kind),
        cmd,
        &dir.join("origin.log"),
    )?;
    proc.wait_ready(Duration::from_secs(30), || async move {
        Conn::new(addr)
            .get("/healthz")
            .await
            .is_ok_and(|r| r.status == 200)
    })
    .await?;
    let api_key = match api_key {
        Some(key) => Ok(key.to_owned()),
        None => std::fs::read_to_string(&key_file).map(|k| k.trim().to_owned()),
    }
    .map_err(|_| {
        "the origin did not write the demo merchant's key: the database already had one. \
             Give the benchmark an empty database."
            .to_owned()
    })?;
    Ok(Origin {
        addr,
        public_url,
        api_key,
        keyring: Keyring::parse(&keys.link_keys)?,
        edge_secret: SecretKey::from_base64url(&keys.edge_secret)?,
        proc,
    })
}

/// `POST /v1/links`, expecting 201. With `keyring`, the returned link's token must also
/// verify (created *and* signed, end to end).
#[derive(Clone)]
struct LinkJob {
    auth: Arc<str>,
    addr: SocketAddr,
    body: Bytes,
    keyring: Option<Keyring>,
}

struct LinkWorker {
    conn: Conn,
    auth: Arc<str>,
    body: Bytes,
    keyring: Option<Keyring>,
}

impl LinkJob {
    fn workers(&self, n: usize) -> Vec<LinkWorker> {
        (0..n)
            .map(|_| LinkWorker {
                conn: Conn::new(self.addr),
                auth: self.auth.clone(),
                body: self.body.clone(),
                keyring: self.keyring.clone(),
            })
            .collect()
    }
}

impl Job for LinkWorker {
    async fn run(&mut self) -> Result<Steps, String> {
        let r = self
            .conn
            .request(
                Method::POST,
                "/v1/links",
                &[
                    ("authorization", &self.auth),
                    ("content-type", "application/json"),
                ],
                self.body.clone(),
            )
            .await?;
        r.expect("POST /v1/links", 201)?;
        if let Some(keyring) = &self.keyring {
            let link: Value = serde_json::from_slice(&r.body).map_err(|e| e.to_string())?;
            let token = link["url"]
                .as_str()
                .and_then(|u| u.rsplit_once("/l/"))
                .map(|(_, t)| t)
                .ok_or("POST /v1/links: no url in the answer")?;
            keyring
                .verify(token.as_bytes(), crate::unix_now())
                .map_err(|e| format!("the new link's token does not verify: {e}"))?;
        }
        Ok(Vec::new())
    }
}

/// One whole sandbox checkout, as a buyer's browser and the edge would drive it.
pub(crate) struct CheckoutWorker {
    conn: Conn,
    ctx: Arc<CheckoutCtx>,
    /// `{"token": …, "locale": "en"}` for this worker's link.
    body: Bytes,
}

pub(crate) struct CheckoutCtx {
    edge_secret: SecretKey,
    /// One per link: see [`Origin::checkout_ctx`].
    bodies: Vec<Bytes>,
    public_url: String,
    result_prefix: String,
}

impl CheckoutCtx {
    fn path<'a>(&self, what: &str, url: Option<&'a str>) -> Result<&'a str, String> {
        url.and_then(|u| u.strip_prefix(self.public_url.as_str()))
            .ok_or_else(|| format!("{what}: expected a URL on {}, got {url:?}", self.public_url))
    }
}

/// The edge's half of Pay: the signed `POST /internal/v1/checkouts` with `body`.
pub(crate) async fn post_checkout(
    conn: &mut Conn,
    edge_secret: &SecretKey,
    body: &Bytes,
) -> Result<Reply, String> {
    let ts = crate::unix_now();
    let signature = channel::sign(edge_secret, ts, "POST", CHECKOUT_PATH, body);
    let ts = ts.to_string();
    conn.request(
        Method::POST,
        CHECKOUT_PATH,
        &[
            ("content-type", "application/json"),
            (channel::TIMESTAMP_HEADER, &ts),
            (channel::SIGNATURE_HEADER, &signature),
        ],
        body.clone(),
    )
    .await
}

/// The buyer's test card on the sandbox's page at `pay_path`; the answer must be its 303.
pub(crate) async fn post_card(conn: &mut Conn, pay_path: &str) -> Result<Reply, String> {
    let r = conn
        .request(
            Method::POST,
            pay_path,
            &[("content-type", "application/x-www-form-urlencoded")],
            Bytes::from_static(CARD_FORM.as_bytes()),
        )
        .await?;
    r.expect("POST sandbox card form", 303)?;
    Ok(r)
}

impl Job for CheckoutWorker {
    async fn run(&mut self) -> Result<Steps, String> {
        let ctx = self.ctx.clone();
        let t0 = Instant::now();
        // 1. The edge forwards Pay: signed POST /internal/v1/checkouts.
        let r = post_checkout(&mut self.conn, &ctx.edge_secret, &self.body).await?;
        r.expect("POST /internal/v1/checkouts", 201)?;
        let created: Value = serde_json::from_slice(&r.body).map_err(|e| e.to_string())?;
        let pay_path = ctx
            .path("redirect_url", created["redirect_url"].as_str())?
            .to_owned();
        let t1 = Instant::now();
        // 2. The buyer's browser opens the sandbox's card page.
        let r = self.conn.get(&pay_path).await?;
        r.expect("GET sandbox page", 200)?;
        let t2 = Instant::now();
        // 3. The buyer submits the test card.
        let r = post_card(&mut self.conn, &pay_path).await?;
        let return_path = ctx.path("sandbox redirect", r.location())?.to_owned();
        let t3 = Instant::now();
        // 4. Back on the origin: sync with the provider, settle, record the event.
        let r = self.conn.get(&return_path).await?;
        r.expect("GET /return/sandbox", 303)?;
        if !r
            .location()
            .is_some_and(|l| l.starts_with(&ctx.result_prefix))
        {
            return Err(format!(
                "GET /return/sandbox: expected a redirect to {}…, got {:?}",
                ctx.result_prefix,
                r.location()
            ));
        }
        let t4 = Instant::now();
        Ok(vec![
            ("1 POST /internal/v1/checkouts", t1 - t0),
            ("2 GET sandbox page", t2 - t1),
            ("3 POST card form", t3 - t2),
            ("4 GET /return/sandbox (settle)", t4 - t3),
        ])
    }
}

impl Origin {
    pub(crate) fn auth(&self) -> String {
        format!("Bearer {}", self.api_key)
    }

    pub(crate) async fn api(&self, path: &str, body: Value) -> Result<Value, String> {
        let auth = self.auth();
        let r = Conn::new(self.addr)
            .request(
                Method::POST,
                path,
                &[
                    ("authorization", &auth),
                    ("content-type", "application/json"),
                ],
                Bytes::from(body.to_string()),
            )
            .await?;
        r.expect(&format!("POST {path}"), 201)?;
        serde_json::from_slice(&r.body).map_err(|e| format!("POST {path}: {e}"))
    }

    fn link_job(&self, verify: bool) -> LinkJob {
        LinkJob {
            auth: Arc::from(self.auth()),
            addr: self.addr,
            body: Bytes::from(
                json!({"amount": 1500, "currency": "JPY", "title": "Tea set", "reference": "BENCH-1"})
                    .to_string(),
            ),
            keyring: verify.then(|| self.keyring.clone()),
        }
    }

    /// Multi-use links, so checkouts never wait on each other's reservation; one per worker,
    /// like many buyers on many links. (All workers on one link would measure that link's row
    /// instead: on PostgreSQL every charge takes a key-share lock on its link and every
    /// payment updates its `paid_count`.)
    async fn checkout_ctx(&self, links: usize) -> Result<Arc<CheckoutCtx>, String> {
        let mut bodies = Vec::with_capacity(links);
        for _ in 0..links.max(1) {
            let link = self
                .api(
                    "/v1/links",
                    json!({"amount": 1500, "currency": "JPY", "title": "Tea set", "single_use": false}),
                )
                .await?;
            let token = link["url"]
                .as_str()
                .and_then(|u| u.rsplit_once("/l/"))
                .map(|(_, t)| t.to_owned())
                .ok_or("POST /v1/links: no url in the answer")?;
            bodies.push(Bytes::from(
                json!({"token": token, "locale": "en"}).to_string(),
            ));
        }
        Ok(Arc::new(CheckoutCtx {
            edge_secret: self.edge_secret.clone(),
            bodies,
            public_url: self.public_url.clone(),
            result_prefix: format!("{EDGE_URL}/r/"),
        }))
    }

    pub(crate) fn checkout_workers(&self, ctx: &Arc<CheckoutCtx>, n: usize) -> Vec<CheckoutWorker> {
        (0..n)
            .map(|i| CheckoutWorker {
                conn: Conn::new(self.addr),
                ctx: ctx.clone(),
                body: ctx.bodies[i % ctx.bodies.len()].clone(),
            })
            .collect()
    }
}

/// All figures for one database. `Err` when the origin could not be started on it.
pub async fn run(root: &Path, db: &Database, s: &Settings) -> Result<Vec<Figure>, String> {
    let kind = db.kind;
    let shown = db
        .url
        .as_deref()
        .map(redact)
        .unwrap_or_else(|| "a new SQLite file".into());
    progress(format!(
        "origin {kind}: starting {} serve on {shown}…",
        s.linkpay.strip_prefix(root).unwrap_or(&s.linkpay).display()
    ));
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let keys = Keys::random()?;
    let mut origin = start(&s.linkpay, dir.path(), db, &keys, None).await?;
    let step = |i: usize, what: &str| format!("origin {kind}: {what} {i}/{STEPS}");
    let c = s.concurrency;
    let mut figures = Vec::new();

    // 1. Link creations through the API.
    let links = load::closed(
        &step(1, "link creations"),
        s.warmup,
        s.duration,
        origin.link_job(false).workers(c),
    )
    .await;
    let mut fig = Figure::from_stats(
        &format!("origin.{kind}.link_creations"),
        &format!("origin {kind}: link creations POST /v1/links"),
        &links,
        s,
    );
    if kind == "sqlite" {
        fig = fig.target("≥ 5,000/s", links.rate() >= 5000.0);
    }
    figures.push(fig);

    // 2. Full sandbox checkouts at the maximum rate for C workers.
    let ctx = origin.checkout_ctx(c).await?;
    let checkouts = load::closed(
        &step(2, "checkouts"),
        s.warmup,
        s.duration,
        origin.checkout_workers(&ctx, c),
    )
    .await;
    let max_rate = checkouts.rate();
    let mut fig = Figure::from_stats(
        &format!("origin.{kind}.checkouts"),
        &format!("origin {kind}: full sandbox checkouts (4 requests each)"),
        &checkouts,
        s,
    );
    fig = match kind {
        "sqlite" => fig.target("≥ 2,000/s", max_rate >= 2000.0),
        _ => fig.target("≥ 1,500/s", max_rate >= 1500.0),
    };
    figures.push(fig);

    // 3. The same sequence at a fixed rate of half that maximum.
    let half = (max_rate / 2.0).max(1.0);
    let paced = load::open(
        &step(3, "checkouts at half the max rate"),
        half,
        s.warmup.min(Duration::from_secs(2)),
        s.duration,
        origin.checkout_workers(&ctx, c),
    )
    .await;
    let p99 = paced.percentile_ms(99.0);
    let mut fig = Figure::from_stats(
        &format!("origin.{kind}.checkouts_half_rate"),
        &format!(
            "origin {kind}: checkouts at {}/s (half the max)",
            thousands(half)
        ),
        &paced,
        s,
    );
    if kind == "sqlite" {
        fig = fig.target("p99 ≤ 10 ms", p99 <= 10.0 && paced.tally.errors == 0);
    }
    figures.push(fig);

    // 4. 300 links end to end: created, signed, and the token verified.
    progress(format!(
        "{}: {BATCH_LINKS} × POST /v1/links (no batch endpoint yet)…",
        step(4, "300 links")
    ));
    let batch = load::count(BATCH_LINKS, origin.link_job(true).workers(c)).await;
    let sequential = load::count(BATCH_LINKS, origin.link_job(true).workers(1)).await;
    for (stats, how) in [
        (&batch, format!("{c} at a time")),
        (&sequential, "one at a time".into()),
    ] {
        figures.push(
            Figure::new(
                &format!(
                    "origin.{kind}.links_300_{}",
                    if stats.concurrency == 1 {
                        "sequential"
                    } else {
                        "concurrent"
                    }
                ),
                &format!("origin {kind}: 300 links end to end, {how}"),
                format!(
                    "{:.0} ms total, {} links/s, {} errors",
                    stats.measured.as_secs_f64() * 1000.0,
                    thousands(stats.rate()),
                    stats.tally.errors
                ),
            )
            .load(
                s.describe(stats) + "; 300 separate POST /v1/links, there is no batch endpoint yet",
            )
            .with("total_ms", json!(stats.measured.as_secs_f64() * 1000.0))
            .merge(stats.json()),
        );
    }

    // 5. Webhook deliveries.
    figures
        .push(crate::webhooks::run(&origin, &ctx, s, kind, &step(5, "webhook deliveries")).await?);

    // 6. A ticket drop: one limited link, every buyer at once.
    figures.push(crate::ticket_drop::run(&origin, db, &keys, s, &step(6, "ticket drop")).await?);

    if let Some(status) = origin.proc.exited() {
        return Err(format!("the origin exited during the run ({status})"));
    }
    let log = std::fs::read_to_string(dir.path().join("origin.log")).unwrap_or_default();
    let errors = log.lines().filter(|l| l.contains(" ERROR ")).count();
    if errors > 0 {
        progress(format!(
            "origin {kind}: warning: the origin logged {errors} ERROR lines, e.g. {}",
            log.lines()
                .find(|l| l.contains(" ERROR "))
                .unwrap_or_default()
        ));
    }
    Ok(figures)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://bench:s3cret@127.0.0.1:5432/db"),
            "postgres://bench:***@127.0.0.1:5432/db"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1:54329/db"),
            "postgres://postgres@127.0.0.1:54329/db"
        );
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }
}
