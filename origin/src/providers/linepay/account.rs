//! A merchant's own LINE Pay channel as a provider account: its credentials as stored
//! (sealed), and their check with LINE Pay before anything is saved.

use super::client::{LinePayClient, LinePayError};
use super::config::{LinePayConfig, Terms};
use super::wire::Kind;
use crate::providers::CredentialsError;
use serde_json::{Value, json};

/// The channel's id and secret, from the LINE Pay merchant center (決済連動管理 → 連動キー管理).
#[derive(Clone)]
pub struct Credentials {
    pub channel_id: String,
    pub channel_secret: String,
}

impl Credentials {
    pub fn from_json(v: &Value) -> Option<Credentials> {
        Some(Credentials {
            channel_id: v["channel_id"].as_str()?.to_owned(),
            channel_secret: v["channel_secret"].as_str()?.to_owned(),
        })
    }

    pub fn to_json(&self) -> Value {
        json!({"channel_id": self.channel_id, "channel_secret": self.channel_secret})
    }

    /// The channel at `base_url`, held to `terms`.
    pub fn config(&self, base_url: &str, terms: &Terms) -> LinePayConfig {
        LinePayConfig::new(
            base_url,
            &self.channel_id,
            &self.channel_secret,
            terms.clone(),
        )
    }
}

/// Checks credentials before anything is saved: the payment details of an order that cannot
/// exist answer "no such transaction" (or nothing) to a channel whose id and secret are
/// right, and a header error otherwise. Answers what is shown of the account (nothing secret).
pub async fn check_credentials(
    http: &reqwest::Client,
    base_url: &str,
    creds: &Credentials,
) -> Result<Value, CredentialsError> {
    let id = creds.channel_id.as_str();
    if id.is_empty() || id.len() > 20 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CredentialsError::invalid(
            "channel_id",
            "A LINE Pay channel ID is a number, like 1234567890: copy it from the LINE Pay merchant center.",
        ));
    }
    if creds.channel_secret.trim().is_empty() {
        return Err(CredentialsError::invalid(
            "channel_secret",
            "Give the channel secret key from the LINE Pay merchant center.",
        ));
    }
    let client = LinePayClient::new(http.clone(), &creds.config(base_url, &Terms::default()));
    let shown = json!({"id": id});
    match client.details_of_order("linkpay-credential-check").await {
        Ok(_) => Ok(shown),
        Err(e) if e.kind() == Kind::NotFound => Ok(shown),
        Err(e) if e.kind() == Kind::Auth => Err(CredentialsError::refused(
            "channel_secret",
            "LINE Pay refused this channel ID and secret: check both in the merchant center (sandbox channels are for test mode only).",
        )),
        Err(e) => Err(CredentialsError::unavailable(
            "channel_id",
            "LINE Pay",
            "channel",
            &match e {
                LinePayError::Api { code, .. } => format!("it answered {code}"),
                LinePayError::Transport(_) => "no answer".into(),
            },
        )),
    }
}
