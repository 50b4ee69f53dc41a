//! Starts linkpay the way an operator does — the `linkpay` binary on a SQLite file and the
//! worker in workerd through `wrangler dev` — plus Chromium driven over WebDriver, for tests
//! that exercise the whole path. Build first: `scripts/test` does (`cargo build -p
//! linkpay-origin` and `scripts/build-edge`).

pub mod browser;
pub mod fake_gmopg;
pub mod fake_linepay;
pub mod fake_stripe;
pub mod fake_twilio;
pub mod maildev;
pub mod receiver;

use linkpay_shared::SecretKey;
use linkpay_shared::token::Keyring;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

pub const LINK_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
/// Signs live links in the tests: a key of its own, as a deployment has.
pub const LIVE_LINK_KEY: &str = "bGl2ZS1saW5rLWtleS1mb3ItbGlua3BheS10ZXN0cyE";

/// The key ring the worker and the origin share: test key k1 and live key l1.
pub fn link_keys() -> String {
    format!("k1:{LINK_KEY},l1:{LIVE_LINK_KEY}:live")
}
pub const EDGE_SECRET: &str = "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1-f4CBgoM";
/// Seals the secrets the tests' databases keep.
pub const MASTER_KEYS: &str = "m1:bWFzdGVyLWtleS1mb3ItbGlua3BheS10ZXN0cyEhISE";

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repo root")
        .to_path_buf()
}

/// Where tests leave screenshots and logs (ignored by git; CI keeps them as artifacts).
pub fn artifacts() -> PathBuf {
    let dir = repo_root().join("tests/artifacts");
    std::fs::create_dir_all(&dir).expect("create tests/artifacts");
    dir
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The admin URL of the test PostgreSQL server (`scripts/postgres start` prints it).
pub fn postgres_admin_url() -> String {
    std::env::var("LINKPAY_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "LINKPAY_TEST_POSTGRES_URL is not set. scripts/test sets it; by hand: \
             export LINKPAY_TEST_POSTGRES_URL=$(scripts/postgres start | tail -n1)"
        )
    })
}

/// Creates an empty database on the test PostgreSQL server and returns its URL.
pub async fn fresh_postgres_database() -> String {
    use sqlx::Connection;
    let admin = postgres_admin_url();
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {admin}: {e}"));
    let name = format!("linkpay_test_{}", std::process::id()) + &format!("_{}", unique_suffix());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    format!("{base}/{name}")
}

fn unique_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    nanos * 1000 + NEXT.fetch_add(1, Ordering::Relaxed)
}

pub fn keyring() -> Keyring {
    Keyring::parse(&link_keys()).expect("test key ring")
}

pub fn edge_secret() -> SecretKey {
    SecretKey::from_base64url(EDGE_SECRET).expect("test edge secret")
}

/// A running origin and worker. Both processes are killed when this is dropped.
pub struct Stack {
    pub origin_url: String,
    pub edge_url: String,
    pub api_key: String,
    pub http: reqwest::Client,
    origin: OriginProcess,
    _worker: ProcessGroup,
    _dir: tempfile::TempDir,
}

impl Stack {
    pub async fn start(name: &str) -> Stack {
        Stack::start_with(name, &[]).await
    }

    /// As [`Stack::start`], with more (or overriding) environment variables for the origin.
    pub async fn start_with(name: &str, origin_env: &[(&str, &str)]) -> Stack {
        Stack::start_full(name, origin_env, &[]).await
    }

    /// As [`Stack::start_with`], with vars for the worker too (`--var NAME:value`).
    pub async fn start_full(
        name: &str,
        origin_env: &[(&str, &str)],
        worker_vars: &[(&str, &str)],
    ) -> Stack {
        let root = repo_root();
        let wrangler = root.join("node_modules/.bin/wrangler");
        let worker = root.join("edge/build/index.js");
        for (path, how) in [
            (&wrangler, "scripts/install-tools"),
            (&worker, "scripts/build-edge"),
        ] {
            assert!(
                path.exists(),
                "{} is missing: run `{how}` first (scripts/test does all of this)",
                path.display()
            );
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let edge_port = free_port();
        let edge_url = format!("http://127.0.0.1:{edge_port}");
        let logs = artifacts();
        let database_url = format!("sqlite://{}/linkpay.db", dir.path().display());
        let origin = OriginProcess::spawn_with(name, &database_url, &edge_url, origin_env);
        let origin_url = origin.url.clone();

        let worker = spawn_worker(name, dir.path(), edge_port, &origin_url, worker_vars);

        let http = http_client();
        origin.wait_ready(&http).await;
        wait_healthy(
            &http,
            &format!("{edge_url}/healthz"),
            "worker",
            &logs.join(format!("{name}-wrangler.log")),
        )
        .await;
        let api_key = origin.api_key().expect("the origin wrote the demo key");
        Stack {
            origin_url,
            edge_url,
            api_key,
            http,
            origin,
            _worker: worker,
            _dir: dir,
        }
    }

    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        api(
            &self.http,
            &self.origin_url,
            &self.api_key,
            method,
            path,
            body,
        )
        .await
    }

    /// Registers a webhook endpoint for `events` at `url`; its signing secret.
    pub async fn subscribe(
        &self,
        url: &str,
        events: &[&str],
    ) -> linkpay_shared::webhook::WebhookSecret {
        subscribe(&self.http, &self.origin_url, &self.api_key, url, events).await
    }

    /// A GET, redirects not followed.
    pub async fn get(&self, url: impl reqwest::IntoUrl) -> reqwest::Response {
        self.http.get(url).send().await.expect("answered")
    }

    /// The buyer presses Pay on a link's page at the edge, with a buyer-chosen `amount` when
    /// the link takes one; redirects are not followed.
    pub async fn press_pay(&self, link_url: &str, amount: Option<&str>) -> reqwest::Response {
        let mut form = self.http.post(format!("{link_url}/pay"));
        if let Some(amount) = amount {
            form = form.form(&[("amount", amount)]);
        }
        form.send().await.expect("worker answers")
    }

    /// `GET path` on the API: the status and the JSON body.
    pub async fn api_get(&self, path: &str) -> (u16, serde_json::Value) {
        self.api(reqwest::Method::GET, path, None).await
    }

    /// A link's latest charge, through the API (`link` is the link's JSON).
    pub async fn charge_of(&self, link: &serde_json::Value) -> serde_json::Value {
        let id = link["id"].as_str().expect("a link's id");
        let (_, list) = self.api_get(&format!("/v1/links/{id}/charges")).await;
        list["data"][0].clone()
    }

    /// `POST /v1/charges/{charge}/{action}` (capture, void, refund), which must succeed;
    /// answers the charge as the API shows it afterwards.
    pub async fn charge_action(
        &self,
        charge: &str,
        action: &str,
        body: serde_json::Value,
    ) -> serde_json::Value {
        let path = format!("/v1/charges/{charge}/{action}");
        let (status, answer) = self.api(reqwest::Method::POST, &path, Some(body)).await;
        assert_eq!(status, 200, "{path}: {answer}");
        self.api_get(&format!("/v1/charges/{charge}")).await.1
    }

    /// Kills the origin, to show what the edge can do without it.
    pub async fn stop_origin(&mut self) {
        self.origin.child.kill().await.expect("kill origin");
    }

    /// Creates a link through the API and returns its JSON.
    pub async fn create_link(&self, body: serde_json::Value) -> serde_json::Value {
        let (status, link) = self
            .api(reqwest::Method::POST, "/v1/links", Some(body))
            .await;
        assert_eq!(status, 201, "{link}");
        link
    }
}

/// Starts `wrangler dev --local` on `port` with the built worker, the test keys and
/// `origin_url`, keeping its local KV in `dir`. Logs go to tests/artifacts/NAME-wrangler*.log.
fn spawn_worker(
    name: &str,
    dir: &Path,
    edge_port: u16,
    origin_url: &str,
    vars: &[(&str, &str)],
) -> ProcessGroup {
    let root = repo_root();
    let wrangler = root.join("node_modules/.bin/wrangler");
    let logs = artifacts();
    let inspector_port = free_port();
    // Secrets go in a file, not on the command line where `ps` would show them.
    let secrets = dir.join("worker-secrets.env");
    std::fs::write(
        &secrets,
        format!("LINK_KEYS={}\nEDGE_SECRET={EDGE_SECRET}\n", link_keys()),
    )
    .expect("write worker secrets");
    // Miniflare's scratch folders (node's os.tmpdir(), read from TMPDIR) go into the test's
    // folder and are removed with it, instead of piling up in /tmp.
    let scratch = dir.join("tmp");
    std::fs::create_dir_all(&scratch).expect("worker scratch folder");
    Command::new(&wrangler)
        .current_dir(&root)
        .args([
            "dev",
            "--local",
            "--ip",
            "127.0.0.1",
            "--port",
            &edge_port.to_string(),
        ])
        .args([
            "--inspector-port",
            &inspector_port.to_string(),
            "--show-interactive-dev-session=false",
        ])
        // Wrangler's request log prints full URLs, and link tokens live in URLs.
        .args(["--log-level", "warn"])
        .arg("--persist-to")
        .arg(dir.join("wrangler-state"))
        .args(["--var", &format!("ORIGIN_URL:{origin_url}")])
        .args(
            vars.iter()
                .flat_map(|(k, v)| ["--var".to_owned(), format!("{k}:{v}")]),
        )
        .arg("--env-file")
        .arg(&secrets)
        .env("WRANGLER_SEND_METRICS", "false")
        .env("WRANGLER_HIDE_BANNER", "true")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .env("TMPDIR", &scratch)
        .stdin(Stdio::null())
        .stdout(log_file(&logs, &format!("{name}-wrangler.log")))
        .stderr(log_file(&logs, &format!("{name}-wrangler.err.log")))
        // wrangler starts node, which starts workerd: kill the whole group, not the launcher.
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map(ProcessGroup)
        .expect("start wrangler dev")
}

/// The worker alone, for tests that need no origin (`origin_url` may be a closed port).
/// Killed when dropped.
pub struct Worker {
    pub url: String,
    pub http: reqwest::Client,
    _process: ProcessGroup,
    _dir: tempfile::TempDir,
}

impl Worker {
    pub async fn start(name: &str, origin_url: &str) -> Worker {
        let root = repo_root();
        for (path, how) in [
            ("node_modules/.bin/wrangler", "scripts/install-tools"),
            ("edge/build/index.js", "scripts/build-edge"),
        ] {
            assert!(
                root.join(path).exists(),
                "{path} is missing: run `{how}` first"
            );
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let process = spawn_worker(name, dir.path(), port, origin_url, &[]);
        let url = format!("http://127.0.0.1:{port}");
        let http = http_client();
        let log = artifacts().join(format!("{name}-wrangler.log"));
        wait_healthy(&http, &format!("{url}/healthz"), "worker", &log).await;
        Worker {
            url,
            http,
            _process: process,
            _dir: dir,
        }
    }

    /// A signed `POST /internal/v1/kv`, as the origin sends it.
    pub async fn push_kv(&self, body: &serde_json::Value) -> reqwest::Response {
        signed_post(&self.http, &self.url, "/internal/v1/kv", body.to_string()).await
    }
}

/// A JSON `POST {base_url}{path}` signed over the edge channel now, as the edge signs its
/// calls to the origin and the origin its calls to the edge.
pub async fn signed_post(
    http: &reqwest::Client,
    base_url: &str,
    path: &str,
    body: String,
) -> reqwest::Response {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let signature =
        linkpay_shared::channel::sign(&edge_secret(), now, "POST", path, body.as_bytes());
    http.post(format!("{base_url}{path}"))
        .header("content-type", "application/json")
        .header(linkpay_shared::channel::TIMESTAMP_HEADER, now.to_string())
        .header(linkpay_shared::channel::SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await
        .expect("answers")
}

/// A client that does not follow redirects, so tests see each hop.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// Registers a webhook endpoint for `events` at `url` through the API; its signing secret.
pub async fn subscribe(
    http: &reqwest::Client,
    origin_url: &str,
    key: &str,
    url: &str,
    events: &[&str],
) -> linkpay_shared::webhook::WebhookSecret {
    let body = serde_json::json!({ "url": url, "enabled_events": events });
    let path = "/v1/webhook_endpoints";
    let (status, endpoint) = api(
        http,
        origin_url,
        key,
        reqwest::Method::POST,
        path,
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{endpoint}");
    let secret = endpoint["secret"].as_str().expect("secret");
    linkpay_shared::webhook::WebhookSecret::parse(secret).expect("whsec")
}

/// Every id a list endpoint holds, read forwards page by page with `starting_after`.
/// `list` is the first page's path with its query; `get` answers a path with its page.
pub async fn every_id(
    list: &str,
    mut get: impl AsyncFnMut(&str) -> serde_json::Value,
) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut path = list.to_owned();
    loop {
        let page = get(&path).await;
        assert_eq!(page["object"], "list", "{page}");
        let data = page["data"].as_array().expect("data");
        ids.extend(
            data.iter()
                .map(|o| o["id"].as_str().expect("id").to_owned()),
        );
        if !page["has_more"].as_bool().expect("has_more") {
            return ids;
        }
        let last = ids.last().expect("a page with more after it has data");
        path = format!("{list}&starting_after={last}");
    }
}

/// The values of several fields of a JSON object, as one array, to check them in one
/// assertion: `fields(&charge, "status payment_method.type")`. A missing field is null.
pub fn fields(v: &serde_json::Value, names: &str) -> serde_json::Value {
    let at = |name: &str| name.split('.').fold(v, |v, key| &v[key]).clone();
    names.split_whitespace().map(at).collect()
}

/// Where a redirect sends the client.
pub fn location(r: &reqwest::Response) -> String {
    let to = r.headers()[reqwest::header::LOCATION].to_str();
    to.expect("location").to_owned()
}

/// One `/v1` call with a bearer key; answers the status and the JSON body.
pub async fn api(
    http: &reqwest::Client,
    origin_url: &str,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut req = http
        .request(method, format!("{origin_url}{path}"))
        .bearer_auth(key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("origin answers");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

/// The `linkpay` binary, built by `cargo build -p linkpay-origin`.
pub fn linkpay_binary() -> PathBuf {
    let path = repo_root().join("target/debug/linkpay");
    assert!(
        path.exists(),
        "{} is missing: run `cargo build -p linkpay-origin` first (scripts/test does)",
        path.display()
    );
    path
}

/// The environment `linkpay serve` runs with in tests.
pub fn origin_env(database_url: &str, port: u16, edge_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", database_url.to_owned()),
        ("LINKPAY_LISTEN", format!("127.0.0.1:{port}")),
        ("LINKPAY_PUBLIC_URL", format!("http://127.0.0.1:{port}")),
        ("LINKPAY_EDGE_URL", edge_url.to_owned()),
        ("LINKPAY_LINK_KEYS", link_keys()),
        ("LINKPAY_EDGE_SECRET", EDGE_SECRET.to_owned()),
        ("LINKPAY_MASTER_KEYS", MASTER_KEYS.to_owned()),
        ("LINKPAY_WEBHOOK_RETRY_SCHEDULE", "1s,1s,2s".to_owned()),
        // The tests' webhook receivers listen on loopback.
        ("LINKPAY_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true".to_owned()),
    ]
}

/// A `linkpay serve` process; killed when dropped. Logs go to tests/artifacts/NAME-origin*.log.
pub struct OriginProcess {
    pub url: String,
    key_file: PathBuf,
    log: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl OriginProcess {
    /// Starts it without waiting; see [`OriginProcess::wait_ready`].
    pub fn spawn(name: &str, database_url: &str, edge_url: &str) -> OriginProcess {
        OriginProcess::spawn_with(name, database_url, edge_url, &[])
    }

    /// As [`OriginProcess::spawn`], with more (or overriding) environment variables.
    pub fn spawn_with(
        name: &str,
        database_url: &str,
        edge_url: &str,
        extra: &[(&str, &str)],
    ) -> OriginProcess {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let key_file = dir.path().join("demo-key");
        let logs = artifacts();
        let log = logs.join(format!("{name}-origin.err.log"));
        let child = Command::new(linkpay_binary())
            .args(["serve", "--demo-key-file"])
            .arg(&key_file)
            .envs(origin_env(database_url, port, edge_url))
            .envs(extra.iter().copied())
            .stdout(log_file(&logs, &format!("{name}-origin.log")))
            .stderr(log_file(&logs, &format!("{name}-origin.err.log")))
            .kill_on_drop(true)
            .spawn()
            .expect("start linkpay");
        OriginProcess {
            url: format!("http://127.0.0.1:{port}"),
            key_file,
            log,
            child,
            _dir: dir,
        }
    }

    pub async fn wait_ready(&self, http: &reqwest::Client) {
        wait_healthy(http, &format!("{}/healthz", self.url), "origin", &self.log).await;
    }

    /// Kills the process with SIGKILL, as a crash or an OOM kill would, and waits until it
    /// is gone.
    pub async fn kill9(&mut self) {
        self.child.start_kill().expect("SIGKILL");
        self.child.wait().await.expect("reaped");
    }

    /// Saves the OpenAPI document this instance serves (`GET /v1/openapi.json`) at `path`.
    pub async fn save_openapi(&self, http: &reqwest::Client, path: &Path) {
        let text = http
            .get(format!("{}/v1/openapi.json", self.url))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("the OpenAPI document")
            .text()
            .await
            .expect("the OpenAPI document");
        std::fs::write(path, text).expect("save the OpenAPI document");
    }

    /// The demo merchant's key, if this instance is the one that created the demo merchant.
    pub fn api_key(&self) -> Option<String> {
        std::fs::read_to_string(&self.key_file).ok()
    }
}

/// What the edge worker sends when a buyer presses Pay: a signed checkout request.
pub async fn checkout(http: &reqwest::Client, origin_url: &str, token: &str) -> reqwest::Response {
    let body = serde_json::json!({ "token": token, "locale": "en" }).to_string();
    signed_post(http, origin_url, "/internal/v1/checkouts", body).await
}

/// A buyer's whole payment without a browser: checkout, the sandbox card form, the return.
/// Answers where the buyer ends up (the edge's result URL).
pub async fn pay_via_http(
    http: &reqwest::Client,
    origin_url: &str,
    token: &str,
    card: &str,
) -> String {
    let started = checkout(http, origin_url, token).await;
    assert_eq!(started.status().as_u16(), 201);
    let page: serde_json::Value = started.json().await.expect("json");
    let page = page["redirect_url"].as_str().expect("redirect_url");
    finish_payment(http, page, card).await
}

/// The rest of a buyer's payment once a checkout has answered `redirect_url`: the sandbox
/// card form and the return. Answers the edge result URL the buyer ends on.
pub async fn finish_payment(http: &reqwest::Client, redirect_url: &str, card: &str) -> String {
    let form = [("number", card), ("expiry", "12/30"), ("cvc", "123")];
    let posted = http
        .post(redirect_url)
        .form(&form)
        .send()
        .await
        .expect("sandbox answers");
    assert_eq!(posted.status().as_u16(), 303, "sandbox card form");
    let back = location(&posted);
    let settled = http.get(&back).send().await.expect("origin answers");
    assert_eq!(settled.status().as_u16(), 303, "provider return");
    location(&settled)
}

/// A child that leads its own process group; dropping it kills the whole group.
struct ProcessGroup(Child);

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        if let Some(pid) = self.0.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
        }
    }
}

fn log_file(dir: &Path, name: &str) -> Stdio {
    std::fs::File::create(dir.join(name))
        .map(Stdio::from)
        .expect("create log file")
}

async fn wait_healthy(http: &reqwest::Client, url: &str, what: &str, log: &Path) {
    for _ in 0..300 {
        if let Ok(r) = http.get(url).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let tail = std::fs::read_to_string(log).unwrap_or_default();
    let tail: String = tail
        .lines()
        .rev()
        .take(30)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    panic!(
        "the {what} did not become healthy at {url} within 30 s. Last log lines ({}):\n{tail}",
        log.display()
    );
}

/// What `linkpay dashboard setup-code` prints for an origin started by these tests.
pub fn dashboard_setup_code() -> String {
    let out = std::process::Command::new(linkpay_binary())
        .args(["dashboard", "setup-code"])
        .envs(origin_env("sqlite://unused.db", 1, "http://127.0.0.1:1"))
        .output();
    printed(out, "linkpay dashboard setup-code")
}

/// What a command that must succeed printed on stdout, trimmed; its stderr where it failed.
pub fn printed(out: std::io::Result<std::process::Output>, what: &str) -> String {
    let out = out.unwrap_or_else(|e| panic!("run {what}: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what} failed: {stderr}");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}
