//! Payment providers behind one interface. Each provider lives in its own module, with its
//! wire format kept apart from its flow logic; the origin talks to all of them through
//! [`Provider`], so adding one touches no other.
//!
//! The origin never takes a result from the buyer's browser: a provider's return and any
//! notification whose signature fails only prompt the origin to ask the provider (`sync`).

pub mod gmopg;
pub mod linepay;
pub mod registry;
pub mod sandbox;
pub mod stripe;

pub use registry::Providers;

use crate::domain::charges::CaptureMethod;
use crate::domain::payment_methods::PaymentMethod;
use async_trait::async_trait;
use axum::http::HeaderMap;
use linkpay_shared::Money;
use std::collections::HashMap;

/// What the origin asks a provider to collect.
pub struct StartPayment<'a> {
    pub charge_id: &'a str,
    pub amount: Money,
    pub method: PaymentMethod,
    pub capture: CaptureMethod,
    pub merchant_name: &'a str,
    pub description: &'a str,
    /// Where the provider sends the buyer back; the provider appends its own reference.
    pub return_url: String,
}

/// The provider has a page for the buyer.
pub struct Started {
    pub provider_ref: String,
    pub redirect_url: String,
}

/// The card the buyer paid with, when the provider says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardDetails {
    pub brand: Option<String>,
    pub last4: Option<String>,
}

/// The provider's account of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The buyer is still at the provider (or on its 3-D Secure or wallet page).
    Pending,
    /// Held for a later capture, until `capture_before` (unix seconds) at the latest.
    Authorized {
        card: CardDetails,
        capture_before: i64,
    },
    /// Captured (wholly or in part of what was authorized).
    Captured { card: CardDetails, amount: i64 },
    Declined {
        code: String,
        message: String,
        card: CardDetails,
    },
    /// The buyer turned the payment down on the provider's page.
    Canceled,
    /// The buyer left, and the provider's session ran out.
    Expired,
    /// An authorization released without capture.
    Voided,
}

/// What a provider's return names: its own payment, or (where the provider adds nothing to
/// the URL, as LINE Pay's cancel URL) our charge. Either way only a key to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnRef {
    Payment(String),
    Charge(String),
}

/// A notification the provider sent on its own, once its signature has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub provider_ref: String,
    /// What it says happened; `None` when it only says to look (the origin then asks the
    /// provider, as Stripe's events are treated).
    pub outcome: Option<Outcome>,
    /// The provider's id for the event, where it has one, so a replay is applied once.
    pub event_id: Option<String>,
}

/// A provider account's credentials refused on save: the field, what to do, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsError {
    pub field: &'static str,
    pub message: String,
    pub problem: CredentialsProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsProblem {
    /// The value's form is wrong (what the OpenAPI document's pattern says).
    Form,
    /// A key of the other mode than the account's.
    Mode,
    /// The provider refused them.
    Refused,
    /// The provider could not be asked (the account may be fine).
    Unavailable,
}

impl CredentialsError {
    fn new(field: &'static str, message: String, problem: CredentialsProblem) -> Self {
        CredentialsError {
            field,
            message,
            problem,
        }
    }

    /// The value's form is wrong.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> CredentialsError {
        CredentialsError::new(field, message.into(), CredentialsProblem::Form)
    }

    /// A key of the other mode.
    pub fn mode(field: &'static str, message: impl Into<String>) -> CredentialsError {
        CredentialsError::new(field, message.into(), CredentialsProblem::Mode)
    }

    /// The provider said no.
    pub fn refused(field: &'static str, message: impl Into<String>) -> CredentialsError {
        CredentialsError::new(field, message.into(), CredentialsProblem::Refused)
    }

    /// `provider` could not be asked about the account's `what` (`why`: no answer, an error).
    pub fn unavailable(field: &'static str, provider: &str, what: &str, why: &str) -> Self {
        let message = format!(
            "{provider} could not be asked about this {what} ({why}); nothing was saved. Try again in a moment."
        );
        CredentialsError::new(field, message, CredentialsProblem::Unavailable)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("provider has no payment {0}")]
    UnknownPayment(String),
    /// The provider refused the request for a reason the caller can act on.
    #[error("{message}")]
    Refused { code: String, message: String },
    /// A notification or return whose signature does not verify; `claimed_ref` is the payment
    /// it claims to be about, which the origin may ask the provider about, and no more.
    #[error("signature does not verify")]
    Unverified { claimed_ref: Option<String> },
    /// Could not reach the provider, or it failed: worth trying again later.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    #[error("provider storage failed: {0}")]
    Storage(#[from] sqlx::Error),
}

impl ProviderError {
    pub fn refused(code: &str, message: impl Into<String>) -> ProviderError {
        ProviderError::Refused {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// One payment provider's flows. Every method is safe to call again after a crash: capture
/// and void of something already done answer `Ok`, and refunds are keyed by `refund_id`.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Stored on charges to say who holds the payment; also the path of its return URL.
    fn name(&self) -> &'static str;

    /// How long this provider holds an authorization for capture.
    fn capture_window_secs(&self) -> i64;

    /// Checks what the provider cannot take before anything is sent (amount limits,
    /// currencies), naming the field.
    fn check(&self, _req: &StartPayment<'_>) -> Result<(), ProviderError> {
        Ok(())
    }

    async fn start(&self, req: StartPayment<'_>) -> Result<Started, ProviderError>;

    /// The provider's page for a payment the buyer has not finished, to send them back to.
    fn page_url(&self, _provider_ref: &str) -> Option<String> {
        None
    }

    /// What a provider's return (its query string) names. Unverified: the origin uses it only
    /// to find the charge, then calls [`Provider::complete`].
    fn return_ref(&self, query: &HashMap<String, String>) -> Option<ReturnRef>;

    /// Checks a return's own signature, where the provider signs it (GMO-PG's check value),
    /// and answers what it says of a payment that did not go through; `complete` still
    /// decides a success. `Unverified` refuses the return.
    fn verify_return(
        &self,
        _query: &HashMap<String, String>,
    ) -> Result<Option<Outcome>, ProviderError> {
        Ok(None)
    }

    /// The buyer came back from the provider: finish whatever the provider needs finished
    /// (LINE Pay's confirm) and answer the provider's own account of the payment.
    async fn complete(
        &self,
        provider_ref: &str,
        amount: Money,
        capture: CaptureMethod,
    ) -> Result<Outcome, ProviderError>;

    async fn capture(&self, provider_ref: &str, amount: Money) -> Result<(), ProviderError>;

    async fn void(&self, provider_ref: &str) -> Result<(), ProviderError>;

    async fn refund(
        &self,
        provider_ref: &str,
        refund_id: &str,
        amount: Money,
    ) -> Result<(), ProviderError>;

    /// The provider's account of the payment, asked for whenever the origin is unsure.
    async fn sync(&self, provider_ref: &str) -> Result<Outcome, ProviderError>;

    /// Checks a notification's signature and reads it; `None` for a genuine notification
    /// about nothing the origin acts on.
    fn verify_notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Option<Notification>, ProviderError>;

    /// The body the provider expects in answer to a notification it sent (GMO-PG: `0`).
    fn notification_ack(&self) -> &'static str {
        ""
    }
}
