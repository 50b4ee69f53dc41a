//! The connector to the built-in sandbox provider. The sandbox runs in this process, so the
//! connector calls its API functions directly instead of over HTTP; everything else about it
//! (its own records, hosted pages, return redirect, signed notifications) is what a real
//! redirect provider does.

pub mod cards;
pub mod notify;
pub mod store;

/// How long a buyer has on the hosted page before the payment expires.
pub const PAYMENT_TTL_SECS: i64 = 15 * 60;

use super::{
    CaptureMethod, CardDetails, Notification, Outcome, Provider, ProviderError, ReturnRef,
    StartPayment, Started,
};
use crate::base::clock::Clock;
use crate::base::db::Db;
use async_trait::async_trait;
use axum::http::HeaderMap;
use linkpay_shared::Money;
use std::collections::HashMap;
use store::{NewPayment, Payment, Refusal};

pub const NAME: &str = "sandbox";

#[derive(Clone)]
pub struct SandboxConnector {
    pub db: Db,
    pub clock: Clock,
    /// The sandbox's public base, e.g. `http://127.0.0.1:8080/sandbox`.
    pub base_url: String,
    pub capture_window_secs: i64,
    pub notification_secret: Vec<u8>,
}

impl SandboxConnector {
    /// The connector this origin uses: the sandbox mounted under its own `public_url`,
    /// signing its notifications with a key derived from the edge secret.
    pub fn new(
        db: Db,
        clock: Clock,
        public_url: &str,
        capture_window: std::time::Duration,
        edge_secret: &linkpay_shared::SecretKey,
    ) -> SandboxConnector {
        SandboxConnector {
            db,
            clock,
            base_url: format!("{public_url}/sandbox"),
            capture_window_secs: capture_window.as_secs() as i64,
            notification_secret: notify::secret(edge_secret),
        }
    }

    async fn payment(&self, provider_ref: &str) -> Result<Payment, ProviderError> {
        store::get(self.db.reader(), provider_ref)
            .await?
            .ok_or_else(|| ProviderError::UnknownPayment(provider_ref.to_owned()))
    }
}

fn refused(r: Refusal) -> ProviderError {
    ProviderError::Refused {
        code: r.code.to_owned(),
        message: r.message,
    }
}

/// The sandbox's account of a payment, in the origin's terms.
fn outcome(
    status: &str,
    amount_captured: i64,
    decline_code: Option<String>,
    card: CardDetails,
    authorized_until: Option<i64>,
) -> Outcome {
    match status {
        "authorized" => Outcome::Authorized {
            card,
            capture_before: authorized_until.unwrap_or(0),
        },
        "succeeded" | "refunded" => Outcome::Captured {
            card,
            amount: amount_captured,
        },
        "declined" => {
            let code = decline_code.unwrap_or_else(|| "card_declined".into());
            Outcome::Declined {
                message: crate::providers::sandbox::cards::decline_message(&code).to_owned(),
                code,
                card,
            }
        }
        "canceled" => Outcome::Canceled,
        "expired" => Outcome::Expired,
        "voided" => Outcome::Voided,
        _ => Outcome::Pending,
    }
}

#[async_trait]
impl Provider for SandboxConnector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn capture_window_secs(&self) -> i64 {
        self.capture_window_secs
    }

    async fn start(&self, req: StartPayment<'_>) -> Result<Started, ProviderError> {
        let payment = store::create(
            &self.db,
            self.clock.now(),
            NewPayment {
                amount: req.amount,
                method: req.method.as_str(),
                capture_method: req.capture.as_str(),
                merchant_name: req.merchant_name,
                description: req.description,
                return_url: &req.return_url,
            },
        )
        .await?;
        Ok(Started {
            redirect_url: format!("{}/pay/{}", self.base_url, payment.id),
            provider_ref: payment.id,
        })
    }

    fn page_url(&self, provider_ref: &str) -> Option<String> {
        Some(format!("{}/pay/{provider_ref}", self.base_url))
    }

    fn return_ref(&self, query: &HashMap<String, String>) -> Option<ReturnRef> {
        query.get("payment_id").cloned().map(ReturnRef::Payment)
    }

    /// The sandbox needs nothing finished: its answer is its record.
    async fn complete(
        &self,
        provider_ref: &str,
        _amount: Money,
        _capture: CaptureMethod,
    ) -> Result<Outcome, ProviderError> {
        self.sync(provider_ref).await
    }

    async fn capture(&self, provider_ref: &str, amount: Money) -> Result<(), ProviderError> {
        store::capture(&self.db, self.clock.now(), provider_ref, amount.minor())
            .await?
            .map_err(refused)
    }

    async fn void(&self, provider_ref: &str) -> Result<(), ProviderError> {
        store::void(&self.db, provider_ref).await?.map_err(refused)
    }

    async fn refund(
        &self,
        provider_ref: &str,
        refund_id: &str,
        amount: Money,
    ) -> Result<(), ProviderError> {
        store::refund(
            &self.db,
            self.clock.now(),
            provider_ref,
            refund_id,
            amount.minor(),
        )
        .await?
        .map_err(refused)
    }

    async fn sync(&self, provider_ref: &str) -> Result<Outcome, ProviderError> {
        let p = self.payment(provider_ref).await?;
        let now = self.clock.now();
        Ok(outcome(
            p.status_at(now),
            p.amount_captured,
            p.decline_code.clone(),
            CardDetails {
                brand: p.card_brand.clone(),
                last4: p.card_last4.clone(),
            },
            p.authorized_until,
        ))
    }

    fn verify_notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Option<Notification>, ProviderError> {
        let claimed = serde_json::from_slice::<notify::Body>(body).ok();
        let header = headers
            .get(notify::SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok());
        if notify::verify(&self.notification_secret, header, body, self.clock.now()).is_err() {
            return Err(ProviderError::Unverified {
                claimed_ref: claimed.map(|c| c.payment_id),
            });
        }
        let n = claimed.ok_or_else(|| {
            ProviderError::refused("invalid_notification", "The body is not a notification.")
        })?;
        Ok(Some(Notification {
            outcome: Some(outcome(
                &n.status,
                n.amount_captured,
                n.decline_code,
                CardDetails {
                    brand: n.card_brand,
                    last4: n.card_last4,
                },
                n.authorized_until,
            )),
            provider_ref: n.payment_id,
            event_id: None,
        }))
    }
}
