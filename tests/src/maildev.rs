//! A real SMTP server for email tests: the npm package maildev (pinned in package.json),
//! started as a process on free loopback ports, read back through its REST API.

use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

pub struct Maildev {
    pub smtp_port: u16,
    pub web_url: String,
    child: Child,
    _mail_dir: tempfile::TempDir,
    http: reqwest::Client,
}

impl Maildev {
    /// Starts maildev on `smtp_port` (or a free one), with SMTP AUTH when `auth` is given.
    pub async fn start(smtp_port: Option<u16>, auth: Option<(&str, &str)>) -> Maildev {
        let bin = crate::repo_root().join("node_modules/.bin/maildev");
        assert!(
            bin.exists(),
            "{} is missing: run scripts/install-tools (npm ci) first",
            bin.display()
        );
        let smtp_port = smtp_port.unwrap_or_else(crate::free_port);
        let web_port = crate::free_port();
        let mail_dir = tempfile::tempdir().expect("maildev folder");
        let mut cmd = Command::new(bin);
        cmd.args(["--smtp", &smtp_port.to_string()])
            .args(["--web", &web_port.to_string()])
            .args(["--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--silent"])
            .arg("--mail-directory")
            .arg(mail_dir.path());
        if let Some((user, pass)) = auth {
            cmd.args(["--incoming-user", user, "--incoming-pass", pass]);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start maildev");
        let m = Maildev {
            smtp_port,
            web_url: format!("http://127.0.0.1:{web_port}"),
            child,
            _mail_dir: mail_dir,
            http: reqwest::Client::new(),
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let web = m
                .http
                .get(format!("{}/api/healthz", m.web_url))
                .send()
                .await;
            let smtp = tokio::net::TcpStream::connect(("127.0.0.1", smtp_port)).await;
            if web.is_ok_and(|r| r.status().is_success()) && smtp.is_ok() {
                return m;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "maildev did not start within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every email received, oldest first, as maildev parsed it (`subject`, `from`, `to`,
    /// `headers`, `text`, `html`, `id` …).
    pub async fn emails(&self) -> Vec<serde_json::Value> {
        let r = self.api("/api/email").await;
        r.json().await.expect("maildev JSON")
    }

    /// The raw message as received (RFC 5322 source).
    pub async fn source(&self, id: &str) -> String {
        let r = self.api(&format!("/api/email/{id}/source")).await;
        r.text().await.expect("source")
    }

    /// A GET on maildev's web API.
    async fn api(&self, path: &str) -> reqwest::Response {
        let url = format!("{}{path}", self.web_url);
        self.http.get(url).send().await.expect("maildev API")
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
