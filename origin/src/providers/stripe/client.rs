//! An HTTP client for Stripe's API (v1): one method per call the connector makes, form
//! bodies in Stripe's bracket notation, the API version pinned, an `Idempotency-Key` on every
//! POST. What the answers mean for a charge is decided in `mod.rs`.

use super::wire::{Account, ApiError, ErrorBody, PaymentIntent, Refund, Session};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// The API version the connector was written against (and stripe-python 16.1.0 pins).
pub const API_VERSION: &str = "2026-10-28.endive";
pub const DEFAULT_API_URL: &str = "https://api.stripe.com";

/// Expands a session's PaymentIntent and its latest charge (the card's brand and last 4).
const SESSION_EXPAND: &[(&str, &str)] = &[
    ("expand[0]", "payment_intent"),
    ("expand[1]", "payment_intent.latest_charge"),
];

pub struct StripeClient {
    base_url: String,
    secret_key: String,
    http: reqwest::Client,
}

/// The key never appears in `{:?}`.
impl std::fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum StripeError {
    /// Stripe answered with its error shape.
    #[error("Stripe answered {status}: {}", .error.message.as_deref().unwrap_or("(no message)"))]
    Api { status: u16, error: ApiError },
    /// No usable answer: the network, a timeout, or a body that is not Stripe's.
    #[error("Stripe could not be reached: {0}")]
    Transport(String),
}

impl StripeError {
    pub fn status(&self) -> Option<u16> {
        match self {
            StripeError::Api { status, .. } => Some(*status),
            StripeError::Transport(_) => None,
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            StripeError::Api { error, .. } => error.code.as_deref(),
            StripeError::Transport(_) => None,
        }
    }
}

/// A form body: `(name, value)` pairs in Stripe's bracket notation.
pub type Form = Vec<(String, String)>;

impl StripeClient {
    pub fn new(http: reqwest::Client, base_url: &str, secret_key: &str) -> StripeClient {
        StripeClient {
            base_url: base_url.trim_end_matches('/').to_owned(),
            secret_key: secret_key.to_owned(),
            http,
        }
    }

    /// The shared HTTP client: timeouts, no redirects followed.
    pub fn http() -> reqwest::Client {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            // Stripe's own libraries wait 80 s; a buyer is waiting, so less.
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("linkpay/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a client with static settings")
    }

    /// The account the key belongs to: the credential check on save.
    pub async fn account(&self) -> Result<Account, StripeError> {
        self.get("/v1/account", &[]).await
    }

    pub async fn create_session(&self, form: &Form, key: &str) -> Result<Session, StripeError> {
        self.post("/v1/checkout/sessions", form, key).await
    }

    pub async fn session(&self, id: &str) -> Result<Session, StripeError> {
        self.get(
            &format!("/v1/checkout/sessions/{}", path(id)),
            SESSION_EXPAND,
        )
        .await
    }

    /// Ends an open session, so the buyer can no longer pay on it.
    pub async fn expire_session(&self, id: &str) -> Result<Session, StripeError> {
        let form = expand_form();
        let path = format!("/v1/checkout/sessions/{}/expire", path(id));
        self.post(&path, &form, &format!("linkpay-expire-{id}"))
            .await
    }

    pub async fn capture(
        &self,
        intent: &str,
        amount: i64,
        key: &str,
    ) -> Result<PaymentIntent, StripeError> {
        let form = vec![("amount_to_capture".to_owned(), amount.to_string())];
        let path = format!("/v1/payment_intents/{}/capture", path(intent));
        self.post(&path, &form, key).await
    }

    pub async fn cancel(&self, intent: &str, key: &str) -> Result<PaymentIntent, StripeError> {
        let path = format!("/v1/payment_intents/{}/cancel", path(intent));
        self.post(&path, &Vec::new(), key).await
    }

    pub async fn refund(
        &self,
        intent: &str,
        amount: i64,
        refund_id: &str,
    ) -> Result<Refund, StripeError> {
        let form = vec![
            ("payment_intent".to_owned(), intent.to_owned()),
            ("amount".to_owned(), amount.to_string()),
            ("metadata[linkpay_refund]".to_owned(), refund_id.to_owned()),
        ];
        self.post("/v1/refunds", &form, &format!("linkpay-refund-{refund_id}"))
            .await
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, StripeError> {
        let req = self
            .http
            .get(format!("{}{path}", self.base_url))
            .query(query);
        self.send(req).await
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &Form,
        idempotency_key: &str,
    ) -> Result<T, StripeError> {
        let req = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header("Idempotency-Key", idempotency_key)
            .form(form);
        self.send(req).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, StripeError> {
        let resp = req
            .bearer_auth(&self.secret_key)
            .header("Stripe-Version", API_VERSION)
            .send()
            .await
            .map_err(|e| StripeError::Transport(e.without_url().to_string()))?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| StripeError::Transport(e.to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| {
                StripeError::Transport(format!("an answer that is not Stripe's: {e}"))
            });
        }
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(b) => Err(StripeError::Api {
                status: status.as_u16(),
                error: b.error,
            }),
            Err(_) => Err(StripeError::Transport(format!(
                "HTTP {status} without Stripe's error body"
            ))),
        }
    }
}

fn expand_form() -> Form {
    SESSION_EXPAND
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// An id as one path segment: Stripe's ids are `[A-Za-z0-9_]`, anything else is escaped.
fn path(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}
