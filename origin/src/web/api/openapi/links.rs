//! Payment links: what `POST /v1/links` takes and what the link endpoints answer.
#![allow(dead_code)] // Read by utoipa only.

use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A new payment link. Give `amount` for a fixed price or `custom_amount` for an amount the
/// buyer chooses, not both.
#[derive(ToSchema)]
pub struct CreateLink {
    /// Fixed amount in minor units, 1 to the currency's maximum.
    amount: Option<i64>,
    custom_amount: Option<CustomAmount>,
    /// ISO 4217: JPY, USD, EUR, GBP, THB, SGD, MYR or KRW (case-insensitive).
    currency: String,
    /// Shown on the pay page; 1-100 characters.
    title: String,
    /// 1-300 characters.
    description: Option<String>,
    /// Your order or invoice number, 1-64 characters; searchable.
    reference: Option<String>,
    /// Default true: one completed payment.
    single_use: Option<bool>,
    /// With `single_use: false`: at most this many completed payments (2-1,000,000). Omit for
    /// unlimited.
    usage_limit: Option<i64>,
    /// Unix seconds, in the future and at most 365 days ahead. Default 30 days.
    expires_at: Option<i64>,
    /// `ja` or `en`; default the merchant's.
    locale: Option<String>,
    /// Free text for your own use, 1-100 characters; never shown to the buyer.
    free1: Option<String>,
    free2: Option<String>,
    free3: Option<String>,
    /// Up to 20 keys (1-40 of `A-Z a-z 0-9 _ - .`) with string values of 1-500 characters;
    /// never shown to the buyer.
    metadata: Option<BTreeMap<String, String>>,
    /// One of your return URLs (`ru_…`): buyers go back there after paying, with signed
    /// result fields. Without one they see linkpay's result page.
    return_url: Option<String>,
    /// `automatic` (default): money is taken when the buyer pays. `manual`: it is only
    /// authorized, and you capture it with `POST /v1/charges/{id}/capture` within the
    /// provider's window (30 days for the sandbox and LINE Pay) or it is released.
    capture_method: Option<String>,
    /// The buyer's email: the payment request (with `send`) and the receipt go there.
    customer_email: Option<String>,
    /// The buyer's mobile number in E.164 (`+819012345678`; spaces and hyphens are removed).
    customer_phone: Option<String>,
    /// Used in messages to the buyer; at most 100 characters.
    customer_name: Option<String>,
    /// Send the payment request now: `["email"]`, `["sms"]` or both. Needs the matching
    /// customer field.
    send: Option<Vec<String>>,
}

/// Bounds for an amount the buyer chooses, inclusive, in minor units.
#[derive(ToSchema)]
pub struct CustomAmount {
    /// Default 1.
    minimum: Option<i64>,
    /// Default the currency's maximum.
    maximum: Option<i64>,
}

#[derive(ToSchema)]
pub struct Deactivate {
    /// Shown to buyers who open the link, up to 500 characters.
    message: Option<String>,
}

#[derive(ToSchema)]
pub struct PaymentLink {
    id: String,
    /// Always `payment_link`.
    object: String,
    /// The signed link: the edge verifies it with no database.
    url: String,
    /// `https://<edge>/p/<code>`, short enough for one SMS segment.
    short_url: Option<String>,
    /// `active`, `used` (its limit reached), `expired` or `deactivated`.
    status: String,
    /// Fixed amount in minor units; null when the buyer chooses.
    amount: Option<i64>,
    custom_amount: Option<CustomAmount>,
    currency: String,
    title: String,
    description: Option<String>,
    reference: Option<String>,
    single_use: bool,
    /// 1 for single use; null for unlimited.
    usage_limit: Option<i64>,
    /// Completed payments so far.
    paid_count: i64,
    locale: String,
    expires_at: i64,
    free1: Option<String>,
    free2: Option<String>,
    free3: Option<String>,
    metadata: BTreeMap<String, String>,
    deactivation_message: Option<String>,
    deactivated_at: Option<i64>,
    /// `api`, or `offline` for a link signed with `linkpay link sign` (recorded at its first
    /// checkout).
    source: String,
    /// The return URL (`ru_…`) buyers go back to, if any.
    return_url: Option<String>,
    /// `automatic` or `manual`.
    capture_method: String,
    customer_email: Option<String>,
    customer_phone: Option<String>,
    customer_name: Option<String>,
    livemode: bool,
    /// Unix seconds.
    created: i64,
}

/// A page of links, newest first.
#[derive(ToSchema)]
pub struct LinkList {
    /// Always `list`.
    object: String,
    url: String,
    /// More objects exist past this page: pass the last id as `starting_after`.
    has_more: bool,
    data: Vec<PaymentLink>,
}
