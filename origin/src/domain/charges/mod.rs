//! Charges: one buyer's attempt to pay a link.

pub mod state;

/// Whether the provider takes the money at once or only holds it for a later capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureMethod {
    Automatic,
    Manual,
}

impl CaptureMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            CaptureMethod::Automatic => "automatic",
            CaptureMethod::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<CaptureMethod> {
        match s {
            "automatic" => Some(CaptureMethod::Automatic),
            "manual" => Some(CaptureMethod::Manual),
            _ => None,
        }
    }
}

use crate::base::db::Flag;
use crate::base::listing::Scope;
use crate::domain::charges::state::{Ledger, Status};
use linkpay_shared::{Currency, Money};
use serde_json::{Value, json};
use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Charge {
    pub id: String,
    pub link_id: String,
    pub merchant_id: String,
    #[sqlx(try_from = "Flag")]
    pub livemode: bool,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    pub provider: String,
    pub provider_ref: Option<String>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub reference: Option<String>,
    pub free1: Option<String>,
    pub free2: Option<String>,
    pub free3: Option<String>,
    pub metadata: String,
    /// What the buyer typed in the pay page's email field (checked at checkout).
    pub buyer_email: Option<String>,
    /// Minor units given back to the buyer by refunds that succeeded.
    pub amount_refunded: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// `card` or `wallet`.
    pub payment_method: String,
    /// `automatic` or `manual`.
    pub capture_method: String,
    pub amount_captured: i64,
    /// Held by refunds still at the provider.
    pub amount_refunding: i64,
    /// The end of an authorization's capture window.
    pub capture_before: Option<i64>,
    /// The merchant's provider account it was made through; `None` for the sandbox and the
    /// environment's LINE Pay.
    pub provider_account_id: Option<String>,
    /// Until when the charge holds a use of its limited link; `None` on an unlimited one.
    pub reserved_until: Option<i64>,
}

pub const COLUMNS: &str = "id, link_id, merchant_id, livemode, amount, currency, status, provider, \
    provider_ref, failure_code, failure_message, card_brand, card_last4, reference, free1, free2, \
    free3, metadata, buyer_email, amount_refunded, created_at, updated_at, payment_method, \
    capture_method, amount_captured, amount_refunding, capture_before, provider_account_id, reserved_until";

impl Charge {
    /// Whose data it is, and in which mode.
    pub fn scope(&self) -> Scope<'_> {
        Scope {
            merchant_id: &self.merchant_id,
            livemode: self.livemode,
        }
    }

    /// The money side, for the state machine's rules.
    pub fn ledger(&self) -> Option<Ledger> {
        Some(Ledger {
            status: Status::parse(&self.status)?,
            amount: self.amount,
            captured: self.amount_captured,
            refunded: self.amount_refunded,
            refunding: self.amount_refunding,
            capture_before: self.capture_before,
        })
    }

    /// `minor` units in the charge's currency (`None` for a currency or amount that is not
    /// valid money, which the origin never stores).
    pub fn money(&self, minor: i64) -> Option<Money> {
        Currency::from_code(&self.currency).and_then(|c| Money::new(minor, c).ok())
    }

    pub fn capture(&self) -> CaptureMethod {
        CaptureMethod::parse(&self.capture_method).unwrap_or(CaptureMethod::Automatic)
    }

    pub fn to_json(&self) -> Value {
        let card = match (&self.card_brand, &self.card_last4) {
            (Some(brand), Some(last4)) => json!({"brand": brand, "last4": last4}),
            _ => Value::Null,
        };
        json!({
            "id": self.id,
            "object": "charge",
            "link": self.link_id,
            "amount": self.amount,
            "currency": self.currency,
            "status": self.status,
            "paid": matches!(self.status.as_str(), "authorized" | "capturing" | "succeeded" | "refunded"),
            "captured": self.amount_captured > 0,
            "refunded": self.status == "refunded",
            "amount_captured": self.amount_captured,
            "amount_refunded": self.amount_refunded,
            "capture_method": self.capture_method,
            "capture_before": self.capture_before,
            "failure_code": self.failure_code,
            "failure_message": self.failure_message,
            "payment_method": if self.payment_method == "card" {
                json!({"type": "card", "card": card})
            } else {
                json!({"type": self.payment_method})
            },
            "provider": self.provider,
            "reference": self.reference,
            "free1": self.free1,
            "free2": self.free2,
            "free3": self.free3,
            "buyer_email": self.buyer_email,
            "metadata": serde_json::from_str::<Value>(&self.metadata).unwrap_or_else(|_| json!({})),
            "livemode": self.livemode,
            "created": self.created_at,
        })
    }
}

pub async fn get<'e>(
    db: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<Charge>, sqlx::Error> {
    sqlx::query_as::<Any, Charge>(&format!("SELECT {COLUMNS} FROM charges WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn by_provider_ref<'e>(
    db: impl Executor<'e, Database = Any>,
    provider: &str,
    provider_ref: &str,
) -> Result<Option<Charge>, sqlx::Error> {
    sqlx::query_as::<Any, Charge>(&format!(
        "SELECT {COLUMNS} FROM charges WHERE provider = $1 AND provider_ref = $2"
    ))
    .bind(provider)
    .bind(provider_ref)
    .fetch_optional(db)
    .await
}

/// A link's charges, newest first.
pub async fn list_for_link(
    db: &crate::base::db::Db,
    link_id: &str,
    cursor: Option<crate::base::listing::Cursor>,
    limit: i64,
) -> Result<crate::base::listing::Page<Charge>, sqlx::Error> {
    use crate::base::listing::{SqlValue, Where};
    let mut w = Where::new();
    w.and("link_id = ?", [SqlValue::Text(link_id.to_owned())]);
    crate::base::listing::page(db, "charges", COLUMNS, w, cursor, limit).await
}

/// What a transaction search asks for; every part optional. Times are unix seconds and
/// amounts minor units in `currency`, all inclusive.
#[derive(Default, Clone, Debug, PartialEq)]
pub struct ChargeFilter {
    /// References that start with this.
    pub reference: Option<String>,
    /// The email the buyer gave on the pay page, or the one the link was sent to.
    pub email: Option<String>,
    pub status: Option<String>,
    pub created_gte: Option<i64>,
    pub created_lte: Option<i64>,
    pub currency: Option<String>,
    pub amount_gte: Option<i64>,
    pub amount_lte: Option<i64>,
    pub link_id: Option<String>,
}

/// A merchant's charges matching `filter`, newest first, a page at a time.
pub async fn search(
    db: &crate::base::db::Db,
    merchant_id: &str,
    livemode: bool,
    filter: &ChargeFilter,
    cursor: Option<crate::base::listing::Cursor>,
    limit: i64,
) -> Result<crate::base::listing::Page<Charge>, sqlx::Error> {
    use crate::base::listing::{SqlValue, Where};
    let mut w = Where::owned_by(Scope {
        merchant_id,
        livemode,
    });
    let prefix = filter
        .reference
        .as_deref()
        .map(crate::domain::links::like_prefix);
    w.and_if("reference LIKE ? ESCAPE '\\'", prefix);
    if let Some(e) = &filter.email {
        let e = e.trim().to_lowercase();
        w.and(
            "(LOWER(buyer_email) = ? OR link_id IN (SELECT id FROM links WHERE LOWER(customer_email) = ?))",
            [SqlValue::from(&e), SqlValue::from(e)],
        );
    }
    w.and_if("status = ?", filter.status.as_ref());
    w.and_if("created_at >= ?", filter.created_gte);
    w.and_if("created_at <= ?", filter.created_lte);
    w.and_if("currency = ?", filter.currency.as_ref());
    w.and_if("amount >= ?", filter.amount_gte);
    w.and_if("amount <= ?", filter.amount_lte);
    w.and_if("link_id = ?", filter.link_id.as_ref());
    crate::base::listing::page(db, "charges", COLUMNS, w, cursor, limit).await
}
