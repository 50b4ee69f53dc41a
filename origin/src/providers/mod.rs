//! Payment providers behind one interface. Each provider lives in its own module; its wire
//! format stays inside that module.

pub mod sandbox;

use linkpay_shared::Money;

/// What the origin asks a provider to collect.
pub struct StartPayment<'a> {
    pub charge_id: &'a str,
    pub amount: Money,
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

/// The provider's account of a payment, asked for by `sync`. The buyer's browser never decides
/// a result: a return from the provider only prompts the origin to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pending,
    Succeeded {
        card_brand: String,
        card_last4: String,
    },
    Declined {
        code: String,
        message: String,
        card_brand: Option<String>,
        card_last4: Option<String>,
    },
    Expired,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("provider has no payment {0}")]
    UnknownPayment(String),
    /// The provider will not refund it: not paid, or refunded already.
    #[error("provider cannot refund payment {0}")]
    NotRefundable(String),
    #[error("provider storage failed: {0}")]
    Storage(#[from] sqlx::Error),
}

#[allow(async_fn_in_trait)] // Used with static dispatch only; no Send bound needed beyond the concrete types.
pub trait Provider {
    /// Stored on charges to say who holds the payment.
    const NAME: &'static str;
    async fn start(&self, req: StartPayment<'_>) -> Result<Started, ProviderError>;
    async fn sync(&self, provider_ref: &str) -> Result<Outcome, ProviderError>;
    /// Returns the whole payment to the buyer. Partial refunds, capture and void come with
    /// the full charge state machine.
    async fn refund(&self, provider_ref: &str) -> Result<(), ProviderError>;
}
