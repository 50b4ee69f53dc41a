//! An HTTP client for GMO Payment Gateway: Link type Plus's URL for the buyer's page (JSON),
//! and the protocol type's server-to-server calls (Windows-31J forms). The shop's password is
//! a field of every request, as GMO-PG's API has it; it never appears in `{:?}` or an error.

use super::wire::{self, LinkUrl};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

pub const TEST_API_URL: &str = "https://pt01.mul-pay.jp";
pub const LIVE_API_URL: &str = "https://p01.mul-pay.jp";

pub struct GmoClient {
    http: reqwest::Client,
    api_url: String,
    pub shop_id: String,
    shop_pass: String,
}

impl std::fmt::Debug for GmoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GmoClient")
            .field("api_url", &self.api_url)
            .field("shop_id", &self.shop_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GmoError {
    /// GMO-PG answered with `(ErrCode, ErrInfo)` pairs.
    #[error("GMO-PG answered {}", describe(.0))]
    Api(Vec<(String, String)>),
    /// No usable answer.
    #[error("GMO-PG could not be reached: {0}")]
    Transport(String),
}

fn describe(errors: &[(String, String)]) -> String {
    errors
        .iter()
        .map(|(code, info)| format!("{code} {info}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl GmoError {
    pub fn has(&self, info: &str) -> bool {
        matches!(self, GmoError::Api(e) if e.iter().any(|(_, i)| i == info))
    }
}

/// An answer's fields.
pub type Answer = HashMap<String, String>;

impl GmoClient {
    pub fn new(http: reqwest::Client, api_url: &str, shop_id: &str, shop_pass: &str) -> GmoClient {
        GmoClient {
            http,
            api_url: api_url.trim_end_matches('/').to_owned(),
            shop_id: shop_id.to_owned(),
            shop_pass: shop_pass.to_owned(),
        }
    }

    pub fn shop_pass(&self) -> &str {
        &self.shop_pass
    }

    pub fn http() -> reqwest::Client {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client with static settings")
    }

    /// Link type Plus, key type: a page for the buyer, for one OrderID. `body` is the request
    /// without `geturlparam`, which is added here.
    pub async fn link_url(&self, mut body: Value) -> Result<LinkUrl, GmoError> {
        body["geturlparam"] =
            serde_json::json!({"ShopID": self.shop_id, "ShopPass": self.shop_pass});
        let req = self
            .http
            .post(format!(
                "{}/payment/GetLinkplusUrlPayment.json",
                self.api_url
            ))
            .header("Content-Type", "application/json;charset=UTF-8")
            .body(body.to_string());
        let (status, bytes) = send(req).await?;
        let errors = wire::link_errors(&bytes);
        if !errors.is_empty() && errors.iter().any(|(c, i)| !c.is_empty() || !i.is_empty()) {
            return Err(GmoError::Api(errors));
        }
        if status.is_server_error() {
            return Err(GmoError::Transport(format!("HTTP {status}")));
        }
        serde_json::from_slice(&bytes)
            .map_err(|_| GmoError::Transport(format!("HTTP {status} without a LinkUrl")))
    }

    /// `SearchTrade.idPass`: the transaction of an OrderID.
    pub async fn search(&self, order_id: &str) -> Result<Answer, GmoError> {
        self.call("SearchTrade", &[("OrderID", order_id.to_owned())])
            .await
    }

    /// `AlterTran.idPass`: `SALES` (with the authorized amount), `VOID`, `RETURN`, `RETURNX`.
    pub async fn alter(
        &self,
        access: (&str, &str),
        job_cd: &str,
        amount: Option<i64>,
    ) -> Result<Answer, GmoError> {
        let mut fields = vec![
            ("AccessID", access.0.to_owned()),
            ("AccessPass", access.1.to_owned()),
            ("JobCd", job_cd.to_owned()),
        ];
        if let Some(a) = amount {
            fields.push(("Amount", a.to_string()));
        }
        self.call("AlterTran", &fields).await
    }

    /// `ChangeTran.idPass`: a new total for the transaction (a fresh authorization).
    pub async fn change(
        &self,
        access: (&str, &str),
        job_cd: &str,
        amount: i64,
    ) -> Result<Answer, GmoError> {
        let fields = [
            ("AccessID", access.0.to_owned()),
            ("AccessPass", access.1.to_owned()),
            ("JobCd", job_cd.to_owned()),
            ("Amount", amount.to_string()),
        ];
        self.call("ChangeTran", &fields).await
    }

    async fn call(&self, api: &str, fields: &[(&str, String)]) -> Result<Answer, GmoError> {
        let mut all = vec![
            ("ShopID", self.shop_id.clone()),
            ("ShopPass", self.shop_pass.clone()),
        ];
        all.extend(fields.iter().cloned());
        let req = self
            .http
            .post(format!("{}/payment/{api}.idPass", self.api_url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(wire::form_body(&all));
        let (status, bytes) = send(req).await?;
        if !status.is_success() {
            return Err(GmoError::Transport(format!("HTTP {status}")));
        }
        let answer = wire::parse_answer(&bytes);
        let errors = wire::errors(&answer);
        if errors.is_empty() {
            Ok(answer)
        } else {
            Err(GmoError::Api(errors))
        }
    }
}

/// Sends a request; its status and body, or `Transport` when there is no answer.
async fn send(req: reqwest::RequestBuilder) -> Result<(reqwest::StatusCode, Vec<u8>), GmoError> {
    let resp = req
        .send()
        .await
        .map_err(|e| GmoError::Transport(e.without_url().to_string()))?;
    let status = resp.status();
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| GmoError::Transport(e.to_string()))?;
    Ok((status, bytes.to_vec()))
}
