//! An HTTP client for LINE Pay Online API v3: one method per call, each signed. Amounts in,
//! amounts out; what they mean for a charge is decided in `mod.rs`.

use super::config::LinePayConfig;
use super::signing;
use super::wire::{
    self, Amount, AmountBody, ConfirmInfo, Detail, Envelope, Kind, PaymentRequest, RefundInfo,
    RefundRequest, RequestInfo, RequestStatus, TransactionId,
};
use linkpay_shared::Money;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// LINE Pay asks for read timeouts of 20 s (request) to 60 s (capture).
const TIMEOUT: Duration = Duration::from_secs(60);

pub struct LinePayClient {
    base_url: String,
    channel_id: String,
    channel_secret: String,
    http: reqwest::Client,
}

/// The secret never appears in `{:?}`.
impl std::fmt::Debug for LinePayClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinePayClient")
            .field("base_url", &self.base_url)
            .field("channel_id", &self.channel_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinePayError {
    /// LINE Pay answered with a `returnCode` other than success.
    #[error("LINE Pay returned {code}: {message}")]
    Api {
        kind: Kind,
        code: String,
        message: String,
    },
    /// No usable answer: the network, a timeout, or a body that is not LINE Pay's.
    #[error("LINE Pay could not be reached: {0}")]
    Transport(String),
}

impl LinePayError {
    pub fn kind(&self) -> Kind {
        match self {
            LinePayError::Api { kind, .. } => *kind,
            LinePayError::Transport(_) => Kind::Transient,
        }
    }
}

impl LinePayClient {
    /// A client for one channel over `http` (shared, for its connection pool; each call sets
    /// LINE Pay's own timeout).
    pub fn new(http: reqwest::Client, config: &LinePayConfig) -> LinePayClient {
        LinePayClient {
            base_url: config.base_url.trim_end_matches('/').to_owned(),
            channel_id: config.channel_id.clone(),
            channel_secret: config.channel_secret.clone(),
            http,
        }
    }

    pub async fn request(&self, body: &PaymentRequest<'_>) -> Result<RequestInfo, LinePayError> {
        self.post("/v3/payments/request", body).await
    }

    pub async fn confirm(
        &self,
        id: TransactionId,
        amount: Money,
    ) -> Result<ConfirmInfo, LinePayError> {
        let body = AmountBody::from(amount);
        self.post(&format!("/v3/payments/{id}/confirm"), &body)
            .await
    }

    pub async fn capture(&self, id: TransactionId, amount: Money) -> Result<(), LinePayError> {
        let body = AmountBody::from(amount);
        let path = format!("/v3/payments/authorizations/{id}/capture");
        done(self.send(&path, &body).await?)
    }

    pub async fn void(&self, id: TransactionId) -> Result<(), LinePayError> {
        let path = format!("/v3/payments/authorizations/{id}/void");
        done(self.send(&path, &serde_json::json!({})).await?)
    }

    pub async fn refund(
        &self,
        id: TransactionId,
        amount: Money,
    ) -> Result<RefundInfo, LinePayError> {
        let body = RefundRequest {
            refund_amount: Amount(amount),
        };
        self.post(&format!("/v3/payments/{id}/refund"), &body).await
    }

    /// The payment request's status; its answer is in the return code itself.
    pub async fn check(&self, id: TransactionId) -> Result<RequestStatus, LinePayError> {
        let path = format!("/v3/payments/requests/{id}/check");
        let e: Envelope<serde_json::Value> = self.get(&path, "").await?;
        RequestStatus::from_code(&e.return_code)
            .ok_or_else(|| api_error(e.return_code, e.return_message))
    }

    pub async fn details(&self, id: TransactionId) -> Result<Detail, LinePayError> {
        let query = format!("transactionId={id}");
        let e: Envelope<Vec<Detail>> = self.get("/v3/payments", &query).await?;
        let list = success(e)?;
        list.into_iter()
            .find(|d| d.transaction_id == id)
            .ok_or_else(|| api_error("1150".into(), format!("no details for transaction {id}")))
    }

    /// The payments of an order id (none for an order never requested): the credential check.
    pub async fn details_of_order(&self, order_id: &str) -> Result<Vec<Detail>, LinePayError> {
        let query = format!("orderId={order_id}");
        success(self.get("/v3/payments", &query).await?)
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, LinePayError> {
        success(self.send(path, body).await?)
    }

    async fn send<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<Envelope<T>, LinePayError> {
        let body = serde_json::to_string(body)
            .map_err(|e| LinePayError::Transport(format!("encoding the request: {e}")))?;
        let nonce = signing::nonce();
        let signature = signing::sign(&self.channel_secret, path, &body, &nonce);
        let sent = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(signing::CHANNEL_ID_HEADER, &self.channel_id)
            .header(signing::NONCE_HEADER, &nonce)
            .header(signing::SIGNATURE_HEADER, signature)
            .timeout(TIMEOUT)
            .body(body);
        read(sent).await
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &str,
    ) -> Result<Envelope<T>, LinePayError> {
        let nonce = signing::nonce();
        let signature = signing::sign(&self.channel_secret, path, query, &nonce);
        let url = if query.is_empty() {
            format!("{}{path}", self.base_url)
        } else {
            format!("{}{path}?{query}", self.base_url)
        };
        let sent = self
            .http
            .get(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(signing::CHANNEL_ID_HEADER, &self.channel_id)
            .header(signing::NONCE_HEADER, &nonce)
            .header(signing::SIGNATURE_HEADER, signature)
            .timeout(TIMEOUT);
        read(sent).await
    }
}

async fn read<T: DeserializeOwned>(
    sent: reqwest::RequestBuilder,
) -> Result<Envelope<T>, LinePayError> {
    let response = sent
        .send()
        .await
        .map_err(|e| LinePayError::Transport(e.without_url().to_string()))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| LinePayError::Transport(e.without_url().to_string()))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| LinePayError::Transport(format!("HTTP {status} without a LINE Pay answer")))
}

fn success<T>(e: Envelope<T>) -> Result<T, LinePayError> {
    if e.return_code != "0000" {
        return Err(api_error(e.return_code, e.return_message));
    }
    e.info
        .ok_or_else(|| LinePayError::Transport("a success without info".into()))
}

/// For calls whose success carries nothing (capture, void).
fn done(e: Envelope<serde_json::Value>) -> Result<(), LinePayError> {
    if e.return_code == "0000" {
        Ok(())
    } else {
        Err(api_error(e.return_code, e.return_message))
    }
}

fn api_error(code: String, message: String) -> LinePayError {
    LinePayError::Api {
        kind: wire::classify(&code),
        code,
        message,
    }
}
