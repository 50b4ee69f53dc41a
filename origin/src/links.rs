//! Payment links: what a merchant sells through one URL.

use crate::clock::now;
use crate::db::{Db, Flag};
use crate::ids;
use crate::merchants::Merchant;
use crate::state::AppState;
use linkpay_shared::token::{Amount, LinkClaims, Usage};
use linkpay_shared::{Locale, Money};
use serde_json::{Value, json};

/// Links expire after 30 days unless the merchant says otherwise, and within a year at most,
/// so that a key can be retired a year after rotation without breaking a live link.
pub const DEFAULT_TTL_SECS: i64 = 30 * 86_400;
pub const MAX_TTL_SECS: i64 = 365 * 86_400;

pub struct NewLink {
    pub amount: Money,
    pub title: String,
    pub description: Option<String>,
    pub reference: Option<String>,
    pub single_use: bool,
    pub expires_at: i64,
    pub locale: Locale,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Link {
    pub id: String,
    pub merchant_id: String,
    #[sqlx(try_from = "Flag")]
    pub livemode: bool,
    pub amount: i64,
    pub currency: String,
    pub title: String,
    pub description: Option<String>,
    pub reference: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub single_use: bool,
    pub locale: String,
    pub expires_at: i64,
    pub token: String,
    pub status: String,
    pub paid_count: i64,
    pub created_at: i64,
}

impl Link {
    /// `expired` is derived from the clock rather than stored, so it is never stale.
    pub fn status_at(&self, now: i64) -> &str {
        if self.status == "active" && now >= self.expires_at {
            "expired"
        } else {
            &self.status
        }
    }

    pub fn url(&self, edge_url: &str) -> String {
        format!("{edge_url}/l/{}", self.token)
    }

    pub fn to_json(&self, edge_url: &str) -> Value {
        json!({
            "id": self.id,
            "object": "payment_link",
            "url": self.url(edge_url),
            "status": self.status_at(now()),
            "amount": self.amount,
            "currency": self.currency,
            "title": self.title,
            "description": self.description,
            "reference": self.reference,
            "single_use": self.single_use,
            "locale": self.locale,
            "expires_at": self.expires_at,
            "paid_count": self.paid_count,
            "livemode": self.livemode,
            "created": self.created_at,
        })
    }
}

const COLUMNS: &str = "id, merchant_id, livemode, amount, currency, title, description, reference, \
                       single_use, locale, expires_at, token, status, paid_count, created_at";

/// Signs and stores a new link. The token is minted before the row is written, so a stored
/// link always has a URL that verifies.
pub async fn create(
    state: &AppState,
    merchant: &Merchant,
    livemode: bool,
    new: NewLink,
) -> Result<Link, crate::error::ApiError> {
    let id = ids::new_id("lnk");
    let claims = LinkClaims {
        link_id: id.clone(),
        merchant_id: merchant.id.clone(),
        merchant_name: merchant.name.clone(),
        amount: Amount::Fixed(new.amount),
        expires_at: new.expires_at,
        usage: if new.single_use {
            Usage::SingleUse
        } else {
            Usage::MultiUse
        },
        title: new.title,
        description: new.description,
        reference: new.reference,
        locale: new.locale,
        free: Default::default(),
        metadata: Vec::new(),
    };
    let keys = &state.config.link_keys;
    let token = keys.sign(&claims).map_err(|e| {
        crate::error::ApiError::internal(format_args!("signing a validated link: {e}"))
    })?;
    let link = Link {
        id,
        merchant_id: merchant.id.clone(),
        livemode,
        amount: new.amount.minor(),
        currency: new.amount.currency().code().to_owned(),
        title: claims.title,
        description: claims.description,
        reference: claims.reference,
        single_use: new.single_use,
        locale: claims.locale.tag().to_owned(),
        expires_at: claims.expires_at,
        token,
        status: "active".into(),
        paid_count: 0,
        created_at: now(),
    };
    sqlx::query(&format!(
        "INSERT INTO links ({COLUMNS}, kid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    ))
    .bind(&link.id)
    .bind(&link.merchant_id)
    .bind(i64::from(link.livemode))
    .bind(link.amount)
    .bind(&link.currency)
    .bind(&link.title)
    .bind(&link.description)
    .bind(&link.reference)
    .bind(i64::from(link.single_use))
    .bind(&link.locale)
    .bind(link.expires_at)
    .bind(&link.token)
    .bind(&link.status)
    .bind(link.paid_count)
    .bind(link.created_at)
    .bind(keys.current_kid())
    .execute(state.db.writer())
    .await?;
    Ok(link)
}

pub async fn get(db: &Db, merchant_id: &str, id: &str) -> Result<Option<Link>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM links WHERE id = $1 AND merchant_id = $2"
    ))
    .bind(id)
    .bind(merchant_id)
    .fetch_optional(db.reader())
    .await
}
