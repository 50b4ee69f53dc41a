//! Debian's Chromium, headless, driven through chromedriver (WebDriver).

use fantoccini::{Client, ClientBuilder, Locator};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

pub struct Browser {
    pub client: Client,
    _driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// `lang` sets the browser's Accept-Language, e.g. "en-US" or "ja".
    pub async fn start(lang: &str) -> Browser {
        for bin in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
            assert!(
                std::path::Path::new(bin).exists(),
                "{bin} is missing: run scripts/install-tools (apt-get install chromium chromium-driver)"
            );
        }
        let port = crate::free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-quic", "--window-size=480,900",
                    format!("--lang={lang}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": { "intl.accept_languages": lang }
            }
        });
        let caps = match caps {
            serde_json::Value::Object(m) => m,
            _ => unreachable!("a JSON object literal"),
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..50 {
            match ClientBuilder::new(connector.clone())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Browser {
                        client,
                        _driver: driver,
                        _profile: profile,
                    };
                }
                Err(e) => last_error = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("could not start Chromium through chromedriver: {last_error}");
    }

    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("open");
    }

    /// Where the browser is now.
    pub async fn at(&self) -> String {
        self.client.current_url().await.expect("url").to_string()
    }

    /// The page shown is under `prefix`.
    pub async fn assert_at(&self, prefix: &str) {
        let at = self.at().await;
        assert!(at.starts_with(prefix), "at {at}, not under {prefix}");
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        let found = self.client.find(Locator::Css(css)).await;
        found.unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.find(css).await.attr(name).await.expect("attr")
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.expect("type");
    }

    /// The result page's outcome (`data-outcome`: paid, declined, …).
    pub async fn outcome(&self) -> String {
        self.attr("#result", "data-outcome")
            .await
            .expect("data-outcome")
    }

    /// Types a card into the sandbox's card form (expiry 12/30, CVC 123), without submitting.
    pub async fn fill_card(&self, number: &str) {
        self.type_into("#number", number).await;
        self.type_into("#expiry", "12/30").await;
        self.type_into("#cvc", "123").await;
    }

    /// On a pay page: presses Pay, then pays on the sandbox's card form with `number`.
    pub async fn pay_by_card(&self, number: &str) {
        self.click("#pay-button").await;
        self.wait_for("#card-form").await;
        self.fill_card(number).await;
        self.click("#card-submit").await;
    }

    /// Waits until an element matching `css` is present (after a navigation).
    pub async fn wait_for(&self, css: &str) {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("waiting for {css}: {e}"));
    }

    /// Waits until the page says `needle`: after a navigation that leaves no element of its
    /// own to wait for (an element found on the page being left goes stale under the reader).
    pub async fn wait_for_text(&self, needle: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let source = self.client.source().await.unwrap_or_default();
            if source.contains(needle) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "waiting for {needle:?} in the page: {source}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs `script` in the page, as a buyer could from the developer tools (to tamper with
    /// what a provider's page posts back).
    pub async fn run(&self, script: &str) {
        self.client
            .execute(script, Vec::new())
            .await
            .expect("script");
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(crate::artifacts().join(format!("{name}.png")), png)
            .expect("save screenshot");
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
