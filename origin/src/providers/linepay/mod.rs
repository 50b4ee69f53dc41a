//! LINE Pay Online API v3 as a linkpay provider (the wallet payment method).
//!
//! request → the buyer approves on LINE Pay's page → LINE Pay sends them to our confirmUrl →
//! confirm (which captures, or only authorizes under manual capture) → capture / void →
//! refunds, several and partial. Built to the published API and tested against a local fake
//! that speaks its wire format (`tests/src/fake_linepay.rs`); it has not been run against
//! the live service. See docs/linepay.md.
//!
//! `wire` is the format, `signing` the request signature, `client` the HTTP calls, `limits`
//! the published limits; this module is the flow.

pub mod account;
pub mod client;
pub mod config;
pub mod limits;
pub mod signing;
pub mod wire;

use super::{
    CaptureMethod, CardDetails, Notification, Outcome, Provider, ProviderError, ReturnRef,
    StartPayment, Started,
};
use crate::base::clock::Clock;
use crate::base::db::Db;
use async_trait::async_trait;
use axum::http::HeaderMap;
use client::{LinePayClient, LinePayError};
use linkpay_shared::{Currency, Money};
use std::collections::HashMap;
use std::sync::Arc;
use wire::{Kind, RequestStatus, TransactionId};

pub use config::{LinePayConfig, Terms};

pub const NAME: &str = "linepay";

/// What a return to the confirm or cancel URL names, read without credentials: LINE Pay
/// adds the transaction to the confirm URL; the cancel URL names our charge itself.
pub fn return_ref(query: &HashMap<String, String>) -> Option<ReturnRef> {
    match (query.get("transactionId"), query.get("orderId")) {
        (Some(t), _) => Some(ReturnRef::Payment(t.clone())),
        (None, Some(order)) => Some(ReturnRef::Charge(order.clone())),
        _ => None,
    }
}
pub struct LinePayConnector {
    client: Arc<LinePayClient>,
    config: LinePayConfig,
    db: Db,
    clock: Clock,
}

impl LinePayConnector {
    pub fn new(
        config: &LinePayConfig,
        client: Arc<LinePayClient>,
        db: Db,
        clock: Clock,
    ) -> LinePayConnector {
        LinePayConnector {
            client,
            config: config.clone(),
            db,
            clock,
        }
    }

    /// The provider's account of a payment that has been confirmed.
    async fn confirmed(
        &self,
        id: TransactionId,
        currency: Option<Currency>,
    ) -> Result<Outcome, ProviderError> {
        let d = self.client.details(id).await.map_err(error)?;
        let paid = wire::paid(&d.pay_info, currency.unwrap_or(Currency::Usd));
        Ok(match d.pay_status.as_deref() {
            Some("AUTHORIZATION") => {
                let at = d
                    .transaction_date
                    .as_deref()
                    .and_then(unix_time)
                    .unwrap_or_else(|| self.clock.now());
                Outcome::Authorized {
                    card: CardDetails::default(),
                    capture_before: at + self.config.terms.capture_window_secs,
                }
            }
            Some("VOIDED_AUTHORIZATION") | Some("EXPIRED_AUTHORIZATION") => Outcome::Voided,
            _ => Outcome::Captured {
                card: CardDetails::default(),
                amount: paid,
            },
        })
    }

    fn max_minor(&self, c: Currency) -> Option<i64> {
        self.config.terms.max_minor.get(c.code()).copied()
    }
}

/// Unix seconds of an ISO 8601 time as LINE Pay writes them.
fn unix_time(t: &str) -> Option<i64> {
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

fn transaction(provider_ref: &str) -> Result<TransactionId, ProviderError> {
    provider_ref
        .parse()
        .map_err(|_| ProviderError::UnknownPayment(provider_ref.to_owned()))
}

/// LINE Pay's refusals the merchant can act on are `Refused`; the rest is `Unavailable`.
fn error(e: LinePayError) -> ProviderError {
    match &e {
        LinePayError::Api {
            kind,
            code,
            message,
        } => match kind {
            Kind::Declined | Kind::Invalid | Kind::AlreadyDone => {
                ProviderError::refused(&format!("linepay_{code}"), message.clone())
            }
            Kind::NotFound => ProviderError::UnknownPayment(message.clone()),
            // Credentials or signature refused: say so plainly in the log, not to buyers.
            Kind::Auth => ProviderError::Unavailable(format!(
                "LINE Pay refused our credentials ({code}); check the channel ID and secret (the provider account's, or LINKPAY_LINEPAY_CHANNEL_ID and _SECRET)"
            )),
            Kind::Transient => ProviderError::Unavailable(e.to_string()),
        },
        LinePayError::Transport(_) => ProviderError::Unavailable(e.to_string()),
    }
}

#[async_trait]
impl Provider for LinePayConnector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn capture_window_secs(&self) -> i64 {
        self.config.terms.capture_window_secs
    }

    fn check(&self, req: &StartPayment<'_>) -> Result<(), ProviderError> {
        limits::check(req.amount, req.charge_id, |c| self.max_minor(c))
            .map_err(|e| ProviderError::refused(e.field, e.message))
    }

    async fn start(&self, req: StartPayment<'_>) -> Result<Started, ProviderError> {
        self.check(&req)?;
        let amount = wire::Amount(req.amount);
        let package_name = limits::name(req.merchant_name);
        let product_name = limits::name(req.description);
        let sep = if req.return_url.contains('?') {
            '&'
        } else {
            '?'
        };
        let body = wire::PaymentRequest {
            amount,
            currency: req.amount.currency().code(),
            order_id: req.charge_id,
            packages: vec![wire::Package {
                id: "1",
                amount,
                name: &package_name,
                products: vec![wire::Product {
                    name: &product_name,
                    quantity: 1,
                    price: amount,
                }],
            }],
            redirect_urls: wire::RedirectUrls {
                confirm_url: req.return_url.clone(),
                // LINE Pay adds nothing to the cancel URL, so it names our charge itself.
                cancel_url: format!(
                    "{}{sep}orderId={}&canceled=1",
                    req.return_url, req.charge_id
                ),
            },
            options: wire::Options {
                payment: wire::PaymentOptions {
                    capture: req.capture == CaptureMethod::Automatic,
                },
            },
        };
        let info = self.client.request(&body).await.map_err(error)?;
        Ok(Started {
            provider_ref: info.transaction_id.to_string(),
            redirect_url: info.payment_url.web,
        })
    }

    fn return_ref(&self, query: &HashMap<String, String>) -> Option<ReturnRef> {
        return_ref(query)
    }

    /// Confirms a payment the buyer approved (authorization only under manual capture).
    async fn complete(
        &self,
        provider_ref: &str,
        amount: Money,
        capture: CaptureMethod,
    ) -> Result<Outcome, ProviderError> {
        let id = transaction(provider_ref)?;
        match self.client.check(id).await.map_err(error)? {
            RequestStatus::Authenticated => {}
            _ => return self.sync(provider_ref).await,
        }
        match self.client.confirm(id, amount).await {
            Ok(info) => {
                let paid = wire::paid(&info.pay_info, amount.currency());
                if paid != 0 && paid != amount.minor() {
                    // LINE Pay asks merchants to check this and refund a mismatch; linkpay
                    // records what was paid and says so loudly.
                    tracing::error!(transaction = %id, paid, expected = amount.minor(), "LINE Pay confirmed another amount than requested; refund the difference");
                }
                Ok(match capture {
                    // LINE Pay's own deadline for this authorization, if it gives one, else
                    // the configured window (the charge takes the earlier of the two).
                    CaptureMethod::Manual => Outcome::Authorized {
                        card: CardDetails::default(),
                        capture_before: info
                            .authorization_expire_date
                            .as_deref()
                            .and_then(unix_time)
                            .unwrap_or_else(|| {
                                self.clock.now() + self.config.terms.capture_window_secs
                            }),
                    },
                    CaptureMethod::Automatic => Outcome::Captured {
                        card: CardDetails::default(),
                        amount: if paid == 0 { amount.minor() } else { paid },
                    },
                })
            }
            // Confirmed by an earlier return, or a race: ask what is true.
            Err(e) if e.kind() == Kind::AlreadyDone => {
                self.confirmed(id, Some(amount.currency())).await
            }
            Err(e) if e.kind() == Kind::Declined => Ok(Outcome::Declined {
                code: "payment_failed".into(),
                message: e.to_string(),
                card: CardDetails::default(),
            }),
            Err(e) => Err(error(e)),
        }
    }

    async fn capture(&self, provider_ref: &str, amount: Money) -> Result<(), ProviderError> {
        let id = transaction(provider_ref)?;
        match self.client.capture(id, amount).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == Kind::AlreadyDone => {
                match self.confirmed(id, Some(amount.currency())).await? {
                    Outcome::Captured { amount: done, .. } if done == amount.minor() => Ok(()),
                    _ => Err(error(e)),
                }
            }
            Err(e) => Err(error(e)),
        }
    }

    async fn void(&self, provider_ref: &str) -> Result<(), ProviderError> {
        let id = transaction(provider_ref)?;
        match self.client.void(id).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == Kind::AlreadyDone => match self.confirmed(id, None).await? {
                Outcome::Voided => Ok(()),
                _ => Err(error(e)),
            },
            Err(e) => Err(error(e)),
        }
    }

    /// LINE Pay does not key refunds by the caller's id, so each is recorded before it is
    /// sent, and LINE Pay's refund id once it answers. A retry of one whose answer was lost
    /// asks the payment details first: a refund of that amount there that none of ours has
    /// claimed is this one, and it is not sent again.
    async fn refund(
        &self,
        provider_ref: &str,
        refund_id: &str,
        amount: Money,
    ) -> Result<(), ProviderError> {
        let id = transaction(provider_ref)?;
        let known: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT refund_transaction_id FROM linepay_refunds WHERE refund_id = $1",
        )
        .bind(refund_id)
        .fetch_optional(self.db.writer())
        .await?;
        match known {
            Some((Some(_),)) => return Ok(()),
            Some((None,)) => {
                // Sent before, answer lost: a refund of this amount at LINE Pay that no other
                // of ours has claimed is this one.
                let d = self.client.details(id).await.map_err(error)?;
                for entry in &d.refund_list {
                    let lp_id = entry.refund_transaction_id.to_string();
                    let same = wire::minor_units(&entry.refund_amount, amount.currency())
                        .map(i64::abs)
                        == Some(amount.minor());
                    let (claimed,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM linepay_refunds WHERE refund_transaction_id = $1",
                    )
                    .bind(&lp_id)
                    .fetch_one(self.db.writer())
                    .await?;
                    if same && claimed == 0 {
                        return self.record_refund(refund_id, &lp_id).await;
                    }
                }
            }
            None => {
                sqlx::query(
                    "INSERT INTO linepay_refunds (refund_id, transaction_id, amount, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(refund_id)
                .bind(provider_ref)
                .bind(amount.minor())
                .bind(self.clock.now())
                .execute(self.db.writer())
                .await?;
            }
        }
        let info = self.client.refund(id, amount).await.map_err(error)?;
        self.record_refund(refund_id, &info.refund_transaction_id.to_string())
            .await
    }

    async fn sync(&self, provider_ref: &str) -> Result<Outcome, ProviderError> {
        let id = transaction(provider_ref)?;
        Ok(match self.client.check(id).await.map_err(error)? {
            // Approved but not confirmed is not paid yet: `complete` confirms it.
            RequestStatus::Waiting | RequestStatus::Authenticated => Outcome::Pending,
            RequestStatus::Canceled => Outcome::Canceled,
            RequestStatus::Failed => Outcome::Declined {
                code: "payment_failed".into(),
                message: "LINE Pay could not complete the payment.".into(),
                card: CardDetails::default(),
            },
            RequestStatus::Completed => {
                let currency: Option<(String,)> = sqlx::query_as(
                    "SELECT currency FROM charges WHERE provider = $1 AND provider_ref = $2",
                )
                .bind(NAME)
                .bind(provider_ref)
                .fetch_optional(self.db.reader())
                .await?;
                let currency = currency.and_then(|(c,)| Currency::from_code(&c));
                self.confirmed(id, currency).await?
            }
        })
    }

    /// LINE Pay's online API sends no signed notifications, so nothing claiming to be one
    /// is trusted: the origin asks LINE Pay about the transaction it names.
    fn verify_notification(
        &self,
        _headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Option<Notification>, ProviderError> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Claimed {
            transaction_id: TransactionId,
        }
        Err(ProviderError::Unverified {
            claimed_ref: serde_json::from_slice::<Claimed>(body)
                .ok()
                .map(|c| c.transaction_id.to_string()),
        })
    }
}

impl LinePayConnector {
    async fn record_refund(&self, refund_id: &str, lp_id: &str) -> Result<(), ProviderError> {
        sqlx::query("UPDATE linepay_refunds SET refund_transaction_id = $1 WHERE refund_id = $2")
            .bind(lp_id)
            .bind(refund_id)
            .execute(self.db.writer())
            .await?;
        Ok(())
    }
}
