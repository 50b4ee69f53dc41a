//! Charges and their refunds.
#![allow(dead_code)] // Read by utoipa only.

use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One buyer's attempt to pay a link. It carries the link's reference, free fields and
/// metadata as they were when the charge was made.
#[derive(ToSchema)]
pub struct Charge {
    id: String,
    /// Always `charge`.
    object: String,
    /// The link id.
    link: String,
    amount: i64,
    currency: String,
    /// `pending` (buyer at the provider), `authorized` (manual capture: held, not yet
    /// taken), `capturing`/`voiding` (briefly, while the provider is asked), `succeeded`
    /// (captured; partly refunded charges stay `succeeded`), `refunded` (wholly), `voided`
    /// (`failure_code` `authorization_expired` if released because the window passed),
    /// `failed` or `expired`. See docs/payments.md.
    status: String,
    /// The buyer paid (authorized or captured; true for a refunded charge too).
    paid: bool,
    /// Money was taken: `amount_captured` > 0.
    captured: bool,
    refunded: bool,
    /// Minor units taken from the buyer.
    amount_captured: i64,
    /// Minor units returned to the buyer by refunds that succeeded.
    amount_refunded: i64,
    /// `automatic` or `manual` (from the link).
    capture_method: String,
    /// Unix seconds: capture an authorized charge before this.
    capture_before: Option<i64>,
    failure_code: Option<String>,
    failure_message: Option<String>,
    payment_method: PaymentMethod,
    provider: String,
    reference: Option<String>,
    free1: Option<String>,
    free2: Option<String>,
    free3: Option<String>,
    metadata: BTreeMap<String, String>,
    /// The email the buyer gave on the pay page for the receipt, if any.
    buyer_email: Option<String>,
    livemode: bool,
    created: i64,
}

list_schema!(
    /// A page of charges, newest first.
    ChargeList of Charge
);

#[derive(ToSchema)]
pub struct PaymentMethod {
    /// `card` or `wallet`.
    r#type: String,
    card: Option<Card>,
}

/// Only the brand and last four digits are ever stored.
#[derive(ToSchema)]
pub struct Card {
    brand: String,
    last4: String,
}

#[derive(ToSchema)]
pub struct CaptureCharge {
    /// Minor units, at most the authorized amount; default all of it.
    amount: Option<i64>,
}

#[derive(ToSchema)]
pub struct RefundCharge {
    /// Minor units, at most what is captured and not yet refunded; default all of that.
    amount: Option<i64>,
    /// `duplicate`, `fraudulent` or `requested_by_customer`.
    reason: Option<String>,
}

#[derive(ToSchema)]
pub struct Refund {
    /// `re_…`
    id: String,
    /// Always `refund`.
    object: String,
    charge: String,
    amount: i64,
    currency: String,
    /// `pending` (at the provider), `succeeded` or `failed`.
    status: String,
    reason: Option<String>,
    /// Why the provider refused, for a `failed` refund.
    failure_reason: Option<String>,
    created: i64,
}

list_schema!(RefundList of Refund);
