//! The sandbox provider's own payment records.

use super::PAYMENT_TTL_SECS;
use crate::clock::now;
use crate::db::Db;
use crate::ids;
use linkpay_shared::Money;
use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Payment {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub merchant_name: String,
    pub description: String,
    pub return_url: String,
    pub status: String,
    pub decline_code: Option<String>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub expires_at: i64,
}

impl Payment {
    pub fn status_at(&self, now: i64) -> &str {
        if self.status == "open" && now >= self.expires_at {
            "expired"
        } else {
            &self.status
        }
    }

    /// Where the buyer goes after deciding: the merchant's (here: linkpay's) return URL with
    /// the sandbox's payment id appended.
    pub fn return_to(&self) -> String {
        let sep = if self.return_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{sep}payment_id={}", self.return_url, self.id)
    }
}

pub struct NewPayment<'a> {
    pub amount: Money,
    pub merchant_name: &'a str,
    pub description: &'a str,
    pub return_url: &'a str,
}

pub async fn create(db: &Db, new: NewPayment<'_>) -> Result<Payment, sqlx::Error> {
    let now = now();
    let p = Payment {
        id: ids::new_id("sbpay"),
        amount: new.amount.minor(),
        currency: new.amount.currency().code().to_owned(),
        merchant_name: new.merchant_name.to_owned(),
        description: new.description.to_owned(),
        return_url: new.return_url.to_owned(),
        status: "open".into(),
        decline_code: None,
        card_brand: None,
        card_last4: None,
        expires_at: now + PAYMENT_TTL_SECS,
    };
    sqlx::query(
        "INSERT INTO sandbox_payments (id, amount, currency, merchant_name, description, return_url, status, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8)",
    )
    .bind(&p.id)
    .bind(p.amount)
    .bind(&p.currency)
    .bind(&p.merchant_name)
    .bind(&p.description)
    .bind(&p.return_url)
    .bind(p.expires_at)
    .bind(now)
    .execute(db.writer())
    .await?;
    Ok(p)
}

pub async fn get<'e>(
    db: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<Payment>, sqlx::Error> {
    sqlx::query_as::<Any, Payment>(
        "SELECT id, amount, currency, merchant_name, description, return_url, status, decline_code,
                card_brand, card_last4, expires_at
           FROM sandbox_payments WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Records the buyer's decision once. Returns false if the payment was no longer open (already
/// decided, or expired), so a double submit cannot change a result.
pub async fn decide(
    db: &Db,
    id: &str,
    decline_code: Option<&str>,
    card_brand: &str,
    card_last4: &str,
) -> Result<bool, sqlx::Error> {
    let now = now();
    let status = if decline_code.is_some() {
        "declined"
    } else {
        "succeeded"
    };
    let done = sqlx::query(
        "UPDATE sandbox_payments
            SET status = $1, decline_code = $2, card_brand = $3, card_last4 = $4, completed_at = $5
          WHERE id = $6 AND status = 'open' AND expires_at > $7",
    )
    .bind(status)
    .bind(decline_code)
    .bind(card_brand)
    .bind(card_last4)
    .bind(now)
    .bind(id)
    .bind(now)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Refunds a succeeded payment in full. Answers false when it is not (or no longer)
/// refundable, so two refund calls cannot both succeed.
pub async fn refund(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sandbox_payments SET status = 'refunded' WHERE id = $1 AND status = 'succeeded'",
    )
    .bind(id)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}
