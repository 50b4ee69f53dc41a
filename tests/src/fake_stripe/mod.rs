//! A local stand-in for Stripe's API (v1) and its hosted Checkout page, speaking Stripe's
//! wire format: bearer secret keys, form bodies in bracket notation, JSON answers, Stripe's
//! error shape and status codes, `Idempotency-Key` replays (`Idempotent-Replayed: true`) and
//! conflicts (`idempotency_error`), and webhooks signed `Stripe-Signature: t=…,v1=…`.
//!
//! Every request is checked against Stripe's own published OpenAPI document
//! (`tests/data/stripe/`, see its README): unknown, mistyped and missing parameters are
//! answered as Stripe answers them and recorded (`spec_violations`), so a connector cannot
//! drift from Stripe's API without a test noticing.
//!
//! It keeps accounts with Checkout Sessions, PaymentIntents, charges and refunds under Stripe's
//! rules: a session's PaymentIntent appears when the buyer first submits a card; automatic or
//! manual capture (`requires_capture`, one capture of at most what is capturable, the rest
//! released); cancel only from a cancelable status; partial refunds up to what was captured;
//! expiry of open sessions; minimum amounts (¥50, $0.50, €0.50, £0.30); Stripe's test cards
//! (4242… succeeds, 4000 0025 0000 3155 and 4000 0000 0000 3220 ask for 3-D Secure on a
//! challenge page with Complete and Fail, 4000 0000 0000 0002 and …9995 are declined and the
//! session stays open for another card).
//!
//! Not covered: customers, saved cards and other payment method types, Radar, Connect,
//! currency settlement, rate limits, and Stripe's behaviour wherever its document is silent.
//! The document is of API version 2023-08-16, older than the version Stripe's libraries pin.

mod api;
pub mod form;
pub mod model;
mod objects;
mod page;
pub mod spec;
mod state;

pub use state::{Delivery, RecordedRequest};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use hmac::{Hmac, Mac};
use model::{Account, ApiError, Endpoint, Stored};
use serde_json::{Value, json};
use sha2::Sha256;
use state::Inner;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

#[derive(Clone)]
pub struct FakeStripe {
    base_url: String,
    inner: Arc<Mutex<Inner>>,
}

/// One merchant's Stripe account at the fake.
#[derive(Debug, Clone)]
pub struct FakeAccount {
    pub id: String,
    pub secret_key: String,
}

impl FakeStripe {
    /// Listens on a free loopback port.
    pub async fn start() -> FakeStripe {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake Stripe");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let fake = FakeStripe {
            base_url: base_url.clone(),
            inner: Arc::new(Mutex::new(Inner {
                base_url,
                ..Inner::default()
            })),
        };
        let app = Router::new()
            .route("/v1/{*path}", any(api_call))
            .route("/checkout/{cs}", get(page::show).post(page::pay))
            .route(
                "/checkout/{cs}/3ds",
                get(page::challenge_page).post(page::challenge),
            )
            .with_state((fake.clone(),));
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("fake Stripe");
        });
        fake
    }

    /// What `LINKPAY_STRIPE_API_URL` should be.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().expect("fake Stripe state")
    }

    /// A new account, with a test-mode secret key (or a live-mode one).
    pub fn add_account(&self, live: bool) -> FakeAccount {
        let mut inner = self.lock();
        let n = inner.accounts.len() + 1;
        let mode = if live { "live" } else { "test" };
        let account = Account {
            id: format!("acct_1Fake{n:011}"),
            secret_key: format!("sk_{mode}_51Fake{n:04}{}", "x".repeat(24)),
            created: inner.now(),
            ..Account::default()
        };
        let made = FakeAccount {
            id: account.id.clone(),
            secret_key: account.secret_key.clone(),
        };
        inner.accounts.push(account);
        made
    }

    /// Adds a webhook endpoint to an account, as a merchant does in Stripe's dashboard;
    /// answers its `whsec_` signing secret.
    pub fn register_webhook(&self, account: &FakeAccount, url: &str) -> String {
        let mut inner = self.lock();
        let secret = format!("whsec_fake{}", inner.id("secret"));
        if let Some(a) = inner.accounts.iter_mut().find(|a| a.id == account.id) {
            a.endpoints.push(Endpoint {
                url: url.to_owned(),
                secret: secret.clone(),
            });
        }
        secret
    }

    /// Signed deliveries to endpoints registered at `capture://`, kept instead of sent:
    /// `(body, Stripe-Signature)`, for a test that hands them to an in-process origin.
    pub fn take_captured(&self) -> Vec<(String, String)> {
        std::mem::take(&mut self.lock().captured)
    }

    /// Every request the API was sent.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// Requests that broke Stripe's OpenAPI document: none, in a passing test.
    pub fn spec_violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.lock().deliveries.clone()
    }

    /// The events of an account, newest last.
    pub fn events(&self, account: &FakeAccount) -> Vec<Value> {
        let inner = self.lock();
        inner
            .accounts
            .iter()
            .find(|a| a.id == account.id)
            .map(|a| a.events.clone())
            .unwrap_or_default()
    }

    /// Stripe answers 500 `api_error` to everything until [`FakeStripe::come_back`].
    pub fn go_down(&self) {
        self.lock().down = true;
    }

    pub fn come_back(&self) {
        self.lock().down = false;
    }

    /// The buyer pays a session on Stripe's page and closes the tab before being sent back:
    /// the session completes and its webhooks go out, and nobody follows the redirect.
    pub async fn pay_without_return(&self, session: &str, card: &str) {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let r = client
            .post(format!("{}/checkout/{session}", self.base_url))
            .form(&[("card_number", card), ("expiry", "12 / 34"), ("cvc", "123")])
            .send()
            .await
            .expect("the fake's page answers");
        assert_eq!(r.status().as_u16(), 303, "the card is taken");
        self.settle_deliveries().await;
    }

    /// Waits until every queued event has been sent (or given up on).
    pub async fn settle_deliveries(&self) {
        for _ in 0..200 {
            let busy = {
                let inner = self.lock();
                !inner.outbox.is_empty() || inner.sending > 0
            };
            if !busy {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Sends what is queued, in the background, signed with each endpoint's secret; each is
    /// tried up to three times until it answers 2xx.
    pub(crate) fn deliver(&self) {
        let outgoing = {
            let mut inner = self.lock();
            let outgoing = std::mem::take(&mut inner.outbox);
            if outgoing.is_empty() {
                return;
            }
            inner.sending += 1;
            outgoing
        };
        let fake = self.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            for o in outgoing {
                let body = o.event.to_string();
                if o.url.starts_with("capture://") {
                    let t = fake.lock().now();
                    fake.lock()
                        .captured
                        .push((body.clone(), signature(&body, &o.secret, t)));
                    continue;
                }
                for attempt in 0..3 {
                    let t = fake.lock().now();
                    let header = signature(&body, &o.secret, t);
                    let sent = client
                        .post(&o.url)
                        .header("Content-Type", "application/json; charset=utf-8")
                        .header("Stripe-Signature", header)
                        .body(body.clone())
                        .timeout(Duration::from_secs(10))
                        .send()
                        .await;
                    let status = sent.as_ref().ok().map(|r| r.status().as_u16());
                    fake.lock().deliveries.push(Delivery {
                        url: o.url.clone(),
                        event_id: o.event["id"].as_str().unwrap_or_default().to_owned(),
                        event_type: o.event["type"].as_str().unwrap_or_default().to_owned(),
                        status,
                    });
                    if status.is_some_and(|s| (200..300).contains(&s)) {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100 * (attempt + 1))).await;
                }
            }
            fake.lock().sending -= 1;
        });
    }
}

/// `t=…,v1=…` for `body` at `t`, HMAC-SHA256 keyed with the whole `whsec_…` secret.
pub fn signature(body: &str, secret: &str, t: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(format!("{t}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

fn error(e: ApiError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    json_response(status, &json!({ "error": e.error }))
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Every `/v1/…` request: recorded, authenticated, checked against the document, replayed
/// or refused under its idempotency key, then run.
async fn api_call(
    State((fake,)): State<(FakeStripe,)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let query = uri.query().unwrap_or_default().to_owned();
    let answer = {
        let mut inner = fake.lock();
        run(&mut inner, &method, &path, &query, &headers, &body)
    };
    fake.deliver();
    match answer {
        Ok((body, replayed)) => {
            let mut resp = json_response(StatusCode::OK, &body);
            let h = resp.headers_mut();
            h.insert("Request-Id", HeaderValue::from_static("req_fake"));
            if replayed {
                h.insert("Idempotent-Replayed", HeaderValue::from_static("true"));
            }
            resp
        }
        Err(e) => error(e),
    }
}

fn run(
    inner: &mut Inner,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Value, bool), ApiError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let decoded_query = form::decode(query.as_bytes()).unwrap_or_else(|_| json!({}));
    let decoded_body = form::decode(body).unwrap_or_else(|_| json!({}));
    let mut params = decoded_query.clone();
    if let (Some(p), Some(b)) = (params.as_object_mut(), decoded_body.as_object()) {
        p.extend(b.clone());
    }
    inner.requests.push(RecordedRequest {
        method: method.to_string(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        params,
    });
    if inner.down {
        return Err(ApiError::new(
            500,
            "api_error",
            None,
            None,
            "An unknown error occurred",
        ));
    }
    let key = header("authorization")
        .and_then(|a| a.strip_prefix("Bearer ").map(str::to_owned))
        .unwrap_or_default();
    let Some(acct) = inner.accounts.iter().position(|a| a.secret_key == key) else {
        let shown = if key.len() > 12 {
            format!("{}****{}", &key[..8], &key[key.len() - 4..])
        } else {
            "(none)".into()
        };
        return Err(ApiError::new(
            401,
            "invalid_request_error",
            None,
            None,
            &format!("Invalid API Key provided: {shown}"),
        ));
    };
    let Some(op) = spec::find(method.as_str(), path) else {
        return Err(ApiError::new(
            404,
            "invalid_request_error",
            None,
            None,
            &format!("Unrecognized request URL ({method}: {path})."),
        ));
    };
    let (query, body) = match (form::decode(query.as_bytes()), form::decode(body)) {
        (Ok(q), Ok(b)) => (q, b),
        (Err(e), _) | (_, Err(e)) => {
            inner
                .violations
                .push(format!("{method} {path}: {}", e.message));
            return Err(ApiError::invalid(None, Some(&e.param), &e.message));
        }
    };
    let typed = op.check(&query, &body).map_err(|v| {
        inner
            .violations
            .push(format!("{method} {path}: {} ({})", v.message, v.param));
        ApiError::invalid(v.code, Some(&v.param), &v.message)
    })?;
    let idempotency = header("idempotency-key").filter(|_| method == Method::POST);
    if let Some(k) = &idempotency
        && let Some(stored) = inner.accounts[acct].idempotency.get(k)
    {
        if stored.path == path && stored.params == typed {
            return match stored.status {
                200 => Ok((stored.body.clone(), true)),
                s => Err(ApiError {
                    status: s,
                    error: stored.body["error"].clone(),
                }),
            };
        }
        return Err(ApiError::new(
            400,
            "idempotency_error",
            None,
            None,
            &format!(
                "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{k}' if you meant to execute a different request."
            ),
        ));
    }
    let id = |name: &str| op.path_params.get(name).cloned().unwrap_or_default();
    let result = match op.id.as_str() {
        "GetAccount" => Ok(api::account(&inner.accounts[acct])),
        "GetBalance" => Ok(objects::balance(&inner.accounts[acct])),
        "PostCheckoutSessions" => api::create_session(inner, acct, &typed),
        "GetCheckoutSessionsSession" => api::get_session(inner, acct, &id("session"), &typed),
        "PostCheckoutSessionsSessionExpire" => {
            api::expire_session(inner, acct, &id("session"), &typed)
        }
        "GetPaymentIntentsIntent" => api::get_intent(inner, acct, &id("intent"), &typed),
        "PostPaymentIntentsIntentCapture" => api::capture(inner, acct, &id("intent"), &typed),
        "PostPaymentIntentsIntentCancel" => api::cancel(inner, acct, &id("intent"), &typed),
        "PostRefunds" => api::refund(inner, acct, &typed),
        "GetRefundsRefund" => api::get_refund(inner, acct, &id("refund")),
        other => Err(ApiError::invalid(
            None,
            None,
            &format!("The fake does not do {other}."),
        )),
    };
    if let Ok(answer) = &result {
        for v in op.answer_violations(answer) {
            inner
                .violations
                .push(format!("answer of {method} {path}: {v}"));
        }
    }
    if let Some(k) = idempotency {
        let (status, body) = match &result {
            Ok(b) => (200, b.clone()),
            Err(e) => (e.status, json!({ "error": e.error })),
        };
        // As Stripe: an answer is kept once the request ran, errors included.
        inner.accounts[acct].idempotency.insert(
            k,
            Stored {
                method: method.to_string(),
                path: path.to_owned(),
                params: typed,
                status,
                body,
                request_id: "req_fake".into(),
            },
        );
    }
    result.map(|b| (b, false))
}
