//! A real origin (router + SQLite file in a temp dir) for tests that drive it in-process.
#![allow(dead_code)] // Each test file uses a different part of this harness.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use linkpay_origin::base::db::Db;
use linkpay_origin::config::Config;
use linkpay_origin::state::AppState;
use linkpay_shared::SecretKey;
use linkpay_shared::channel;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

pub const EDGE_URL: &str = "http://edge.test";
pub const PUBLIC_URL: &str = "http://origin.test";
pub const LINK_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
/// Signs live links in the tests: a key of its own, as a deployment has.
pub const LIVE_LINK_KEY: &str = "bGl2ZS1saW5rLWtleS1mb3ItbGlua3BheS10ZXN0cyE";
pub const EDGE_SECRET: &str = "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1-f4CBgoM";
/// Seals the secrets the test databases keep.
pub const MASTER_KEYS: &str = "m1:bWFzdGVyLWtleS1mb3ItbGlua3BheS10ZXN0cyEhISE";

#[derive(Clone)]
pub struct Origin {
    pub state: AppState,
    pub app: Router,
    pub key: String,
    _dir: Arc<tempfile::TempDir>,
}

pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts the reply is the API's refusal with `status` and `code`.
    pub fn assert_refused(&self, status: StatusCode, code: &str) {
        let refusal = (self.status, self.error_code());
        assert_eq!(refusal, (status, code.to_owned()), "{}", self.text());
    }

    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

impl Origin {
    pub async fn start() -> Origin {
        Origin::start_with(&[]).await
    }

    pub async fn start_with(extra: &[(&str, &str)]) -> Origin {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_url = database_url(&dir).await;
        let keys = format!("k1:{LINK_KEY},l1:{LIVE_LINK_KEY}:live");
        let mut env: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), db_url),
            ("LINKPAY_LINK_KEYS".into(), keys),
            ("LINKPAY_EDGE_SECRET".into(), EDGE_SECRET.into()),
            ("LINKPAY_MASTER_KEYS".into(), MASTER_KEYS.into()),
            ("LINKPAY_EDGE_URL".into(), EDGE_URL.into()),
            ("LINKPAY_PUBLIC_URL".into(), PUBLIC_URL.into()),
            // Test receivers listen on loopback; the SSRF tests switch this back off.
            (
                "LINKPAY_WEBHOOK_ALLOW_PRIVATE_NETWORKS".into(),
                "true".into(),
            ),
        ];
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let config =
            Config::from_lookup(|k| env.iter().rfind(|(ek, _)| ek == k).map(|(_, v)| v.clone()))
                .expect("config");
        let db = Db::open(&config.database_url).await.expect("open db");
        let (_, key) = linkpay_origin::domain::merchants::ensure_demo(
            &db,
            linkpay_origin::base::clock::system_now(),
        )
        .await
        .expect("demo")
        .expect("new db");
        let state = AppState::new(db, config);
        Origin {
            app: linkpay_origin::app(state.clone()),
            state,
            key,
            _dir: Arc::new(dir),
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let resp = self.app.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let location = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = resp
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        Reply {
            status,
            location,
            headers,
            body,
        }
    }

    pub async fn api(&self, method: &str, path: &str, body: Option<&str>) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.key));
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        self.send(
            req.body(Body::from(body.unwrap_or("").to_owned()))
                .expect("request"),
        )
        .await
    }

    /// `POST path` on the API with a JSON `body`.
    pub async fn post(&self, path: &str, body: &str) -> Reply {
        self.api("POST", path, Some(body)).await
    }

    /// `GET path` on the API, a list: answers its `data`, after checking the status is 200.
    pub async fn list_data(&self, path: &str) -> Vec<Value> {
        let r = self.api("GET", path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()["data"].as_array().expect("data").clone()
    }

    /// `GET path` on the API; answers the JSON body, whatever the status.
    pub async fn get_json(&self, path: &str) -> Value {
        self.api("GET", path, None).await.json()
    }

    /// Another handle on the same origin, for concurrent tasks.
    pub fn clone_handle(&self) -> Origin {
        self.clone()
    }

    pub async fn api_with_key(&self, method: &str, path: &str, body: &str, key: &str) -> Reply {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.key))
            .header(header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", key)
            .body(Body::from(body.to_owned()))
            .expect("request");
        self.send(req).await
    }

    /// Another handle on the same origin, as the demo merchant with a new live key.
    pub async fn live(&self) -> Origin {
        let mut tx = self.state.db.begin().await.expect("tx");
        let merchant = self.merchant_id().await;
        let now = self.state.clock.now();
        let key = linkpay_origin::domain::merchants::new_key(&mut tx, now, &merchant, true, None)
            .await
            .expect("live key");
        tx.commit().await.expect("commit");
        Origin {
            key,
            ..self.clone()
        }
    }

    pub async fn merchant_id(&self) -> String {
        let (id,): (String,) = sqlx::query_as("SELECT id FROM merchants")
            .fetch_one(self.state.db.reader())
            .await
            .expect("the demo merchant");
        id
    }

    /// An origin started with `extra` settings, its webhook delivery worker running.
    pub async fn delivering(extra: &[(&str, &str)]) -> Origin {
        let o = Origin::start_with(extra).await;
        tokio::spawn(o.state.deliver_webhooks());
        o
    }

    /// A fresh origin with one link made from `body`: (origin, link id, token).
    pub async fn with_link(body: &str) -> (Origin, String, String) {
        let o = Origin::start().await;
        let (id, token) = o.link(body).await;
        (o, id, token)
    }

    /// Creates a link and returns (id, token).
    pub async fn link(&self, body: &str) -> (String, String) {
        let r = self.api("POST", "/v1/links", Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v = r.json();
        let url = v["url"].as_str().expect("url");
        let token = url
            .strip_prefix(&format!("{EDGE_URL}/l/"))
            .expect("edge url")
            .to_owned();
        (v["id"].as_str().expect("id").to_owned(), token)
    }

    /// What the edge worker sends when a buyer presses Pay.
    pub fn checkout_request(token: &str, ts: i64) -> Request<Body> {
        Origin::checkout_request_for(token, None, ts)
    }

    /// A checkout with the buyer's chosen amount (minor units).
    pub fn checkout_request_for(token: &str, amount: Option<i64>, ts: i64) -> Request<Body> {
        let mut body = serde_json::json!({ "token": token, "locale": "en" });
        if let Some(a) = amount {
            body["amount"] = a.into();
        }
        Origin::signed_checkout(&body, ts)
    }

    /// Any checkout body, signed as the edge signs it.
    pub fn signed_checkout(body: &Value, ts: i64) -> Request<Body> {
        let body = body.to_string();
        let secret = SecretKey::from_base64url(EDGE_SECRET).expect("secret");
        let sig = channel::sign(
            &secret,
            ts,
            "POST",
            "/internal/v1/checkouts",
            body.as_bytes(),
        );
        Request::post("/internal/v1/checkouts")
            .header(header::CONTENT_TYPE, "application/json")
            .header(channel::TIMESTAMP_HEADER, ts.to_string())
            .header(channel::SIGNATURE_HEADER, sig)
            .body(Body::from(body))
            .expect("request")
    }

    pub async fn checkout(&self, token: &str) -> Reply {
        self.send(Origin::checkout_request(token, self.state.clock.now()))
            .await
    }

    /// Checks out, pays on the sandbox page with `card`, follows the return, and answers the
    /// edge result URL the buyer ends on.
    pub async fn pay(&self, token: &str, card: &str) -> String {
        let r = self.checkout(token).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        self.complete(&r, card).await
    }

    pub async fn checkout_amount(&self, token: &str, amount: Option<i64>) -> Reply {
        self.send(Origin::checkout_request_for(
            token,
            amount,
            self.state.clock.now(),
        ))
        .await
    }

    /// Given a successful checkout answer, pays on the sandbox page and follows the return.
    pub async fn complete(&self, r: &Reply, card: &str) -> String {
        let (_, settled) = self.pay_on_sandbox(r, card).await;
        assert_eq!(settled.status, StatusCode::SEE_OTHER, "{}", settled.text());
        settled.location.expect("result location")
    }

    /// Given a successful checkout answer, opens the sandbox card page, pays with `card` and
    /// answers the card page as shown and the origin's reply to the provider's return.
    pub async fn pay_on_sandbox(&self, r: &Reply, card: &str) -> (Reply, Reply) {
        let page = r.json()["redirect_url"]
            .as_str()
            .expect("redirect_url")
            .to_owned();
        let path = page
            .strip_prefix(PUBLIC_URL)
            .expect("sandbox on the origin")
            .to_owned();
        let shown = self
            .send(Request::get(&path).body(Body::empty()).expect("req"))
            .await;
        assert_eq!(shown.status, StatusCode::OK);
        let form = format!("number={}&expiry=12%2F30&cvc=123", card.replace(' ', "+"));
        let posted = self
            .send(
                Request::post(&path)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(form))
                    .expect("req"),
            )
            .await;
        assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.text());
        let back = posted.location.expect("return location");
        let back = back.strip_prefix(PUBLIC_URL).expect("return to origin");
        let settled = self
            .send(Request::get(back).body(Body::empty()).expect("req"))
            .await;
        (shown, settled)
    }

    /// Registers a webhook endpoint (`{"url": …, "enabled_events": …}`); answers it, secret
    /// included.
    pub async fn endpoint(&self, body: Value) -> Value {
        let r = self
            .api("POST", "/v1/webhook_endpoints", Some(&body.to_string()))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(local(path)).body(Body::empty()).expect("req"))
            .await
    }

    pub async fn post_form(&self, path: &str, form: &str) -> Reply {
        self.send(
            Request::post(local(path))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form.to_owned()))
                .expect("req"),
        )
        .await
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql)
            .fetch_one(self.state.db.reader())
            .await
            .expect("count");
        n
    }
}

/// A URL on this origin as a path (absolute and relative redirects alike).
pub fn local(url: &str) -> &str {
    url.strip_prefix(PUBLIC_URL).unwrap_or(url)
}

/// The backend under test: SQLite by default, PostgreSQL with `LINKPAY_TEST_DATABASE=postgres`
/// (scripts/test runs this suite once with each).
pub fn testing_postgres() -> bool {
    std::env::var("LINKPAY_TEST_DATABASE").as_deref() == Ok("postgres")
}

async fn database_url(dir: &tempfile::TempDir) -> String {
    if testing_postgres() {
        linkpay_e2e::fresh_postgres_database().await
    } else {
        format!("sqlite://{}/linkpay.db", dir.path().display())
    }
}

pub fn open_result(url: &str) -> linkpay_shared::result::PaymentResult {
    let token = url
        .strip_prefix(&format!("{EDGE_URL}/r/"))
        .expect("edge result url");
    let secret = SecretKey::from_base64url(EDGE_SECRET).expect("secret");
    linkpay_shared::result::PaymentResult::open(
        &secret,
        token.as_bytes(),
        linkpay_origin::base::clock::system_now(),
    )
    .expect("valid result token")
}

/// A JSON string's text; the test fails where the value is not a string.
pub fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// What `probe` answers once it answers something, polled every 50 ms for up to 15 s.
pub async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..300 {
        if let Some(v) = probe().await {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}
