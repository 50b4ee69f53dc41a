//! Starts linkpay the way an operator does — the `linkpay` binary on a SQLite file and the
//! worker in workerd through `wrangler dev` — plus Chromium driven over WebDriver, for tests
//! that exercise the whole path. Build first: `scripts/test` does (`cargo build -p
//! linkpay-origin` and `scripts/build-edge`).

pub mod browser;
pub mod receiver;

use linkpay_shared::SecretKey;
use linkpay_shared::token::Keyring;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

pub const LINK_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
pub const EDGE_SECRET: &str = "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1-f4CBgoM";

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

pub fn keyring() -> Keyring {
    Keyring::parse(&format!("k1:{LINK_KEY}")).expect("test key ring")
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
    _origin: Child,
    _worker: ProcessGroup,
    _dir: tempfile::TempDir,
}

impl Stack {
    pub async fn start(name: &str) -> Stack {
        let root = repo_root();
        let linkpay = root.join("target/debug/linkpay");
        let wrangler = root.join("node_modules/.bin/wrangler");
        let worker = root.join("edge/build/index.js");
        for (path, how) in [
            (&linkpay, "cargo build -p linkpay-origin"),
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
        let (origin_port, edge_port, inspector_port) = (free_port(), free_port(), free_port());
        let origin_url = format!("http://127.0.0.1:{origin_port}");
        let edge_url = format!("http://127.0.0.1:{edge_port}");
        let key_file = dir.path().join("demo-key");
        let logs = artifacts();

        let origin = Command::new(&linkpay)
            .args(["serve", "--demo-key-file"])
            .arg(&key_file)
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/linkpay.db", dir.path().display()),
            )
            .env("LINKPAY_LISTEN", format!("127.0.0.1:{origin_port}"))
            .env("LINKPAY_PUBLIC_URL", &origin_url)
            .env("LINKPAY_EDGE_URL", &edge_url)
            .env("LINKPAY_LINK_KEYS", format!("k1:{LINK_KEY}"))
            .env("LINKPAY_EDGE_SECRET", EDGE_SECRET)
            .env("LINKPAY_WEBHOOK_RETRY_SCHEDULE", "1s,1s,2s")
            .stdout(log_file(&logs, &format!("{name}-origin.log")))
            .stderr(log_file(&logs, &format!("{name}-origin.err.log")))
            .kill_on_drop(true)
            .spawn()
            .expect("start linkpay");

        // Secrets go in a file, not on the command line where `ps` would show them.
        let secrets = dir.path().join("worker-secrets.env");
        std::fs::write(
            &secrets,
            format!("LINK_KEYS=k1:{LINK_KEY}\nEDGE_SECRET={EDGE_SECRET}\n"),
        )
        .expect("write worker secrets");
        let worker = Command::new(&wrangler)
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
            .arg(dir.path().join("wrangler-state"))
            .args(["--var", &format!("ORIGIN_URL:{origin_url}")])
            .arg("--env-file")
            .arg(&secrets)
            .env("WRANGLER_SEND_METRICS", "false")
            .env("WRANGLER_HIDE_BANNER", "true")
            .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
            .env("CI", "true")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(log_file(&logs, &format!("{name}-wrangler.log")))
            .stderr(log_file(&logs, &format!("{name}-wrangler.err.log")))
            // wrangler starts node, which starts workerd: kill the whole group, not the launcher.
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map(ProcessGroup)
            .expect("start wrangler dev");

        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        wait_healthy(
            &http,
            &format!("{origin_url}/healthz"),
            "origin",
            &logs.join(format!("{name}-origin.err.log")),
        )
        .await;
        wait_healthy(
            &http,
            &format!("{edge_url}/healthz"),
            "worker",
            &logs.join(format!("{name}-wrangler.log")),
        )
        .await;
        let api_key = std::fs::read_to_string(&key_file).expect("the origin wrote the demo key");
        Stack {
            origin_url,
            edge_url,
            api_key,
            http,
            _origin: origin,
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
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.origin_url))
            .bearer_auth(&self.api_key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("origin answers");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Kills the origin, to show what the edge can do without it.
    pub async fn stop_origin(&mut self) {
        self._origin.kill().await.expect("kill origin");
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
