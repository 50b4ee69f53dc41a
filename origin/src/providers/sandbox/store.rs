//! The sandbox provider's own payment records. Every change is one conditional update, so
//! a double submit, a reload or two racing API calls cannot change a decided payment twice.
//!
//! `status`: `open` (buyer on the card or wallet page) → `challenge` (3-D Secure page) →
//! `authorized` (manual capture) → `succeeded` (captured) → `refunded` (wholly); or
//! `declined`, `canceled` (wallet), `voided`. `open`/`challenge` past `expires_at` read as
//! `expired`, and `authorized` past `authorized_until` as `voided` (released).

use super::PAYMENT_TTL_SECS;
use crate::base::db::Db;
use crate::base::ids;
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
    /// `card` or `wallet`.
    pub method: String,
    /// `automatic` or `manual`.
    pub capture_method: String,
    pub amount_captured: i64,
    pub amount_refunded: i64,
    /// For a card that passes 3-D Secure and is then declined: the decline.
    pub after_challenge: Option<String>,
    pub authorized_until: Option<i64>,
}

const COLUMNS: &str = "id, amount, currency, merchant_name, description, return_url, status, \
    decline_code, card_brand, card_last4, expires_at, method, capture_method, amount_captured, \
    amount_refunded, after_challenge, authorized_until";

impl Payment {
    pub fn status_at(&self, now: i64) -> &str {
        match self.status.as_str() {
            "open" | "challenge" if now >= self.expires_at => "expired",
            "authorized" if self.authorized_until.is_some_and(|t| now >= t) => "voided",
            s => s,
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
    pub method: &'a str,
    pub capture_method: &'a str,
    pub merchant_name: &'a str,
    pub description: &'a str,
    pub return_url: &'a str,
}

pub async fn create(db: &Db, now: i64, new: NewPayment<'_>) -> Result<Payment, sqlx::Error> {
    let id = ids::new_id("sbpay");
    // RETURNING: one round trip to the writer instead of an insert and a read-back.
    sqlx::query_as::<Any, Payment>(&format!(
        "INSERT INTO sandbox_payments (id, amount, currency, merchant_name, description, return_url,
                                       status, expires_at, created_at, method, capture_method)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10)
         RETURNING {COLUMNS}",
    ))
    .bind(&id)
    .bind(new.amount.minor())
    .bind(new.amount.currency().code())
    .bind(new.merchant_name)
    .bind(new.description)
    .bind(new.return_url)
    .bind(now + PAYMENT_TTL_SECS)
    .bind(now)
    .bind(new.method)
    .bind(new.capture_method)
    .fetch_one(db.writer())
    .await
}

pub async fn get<'e>(
    db: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<Payment>, sqlx::Error> {
    sqlx::query_as::<Any, Payment>(&format!(
        "SELECT {COLUMNS} FROM sandbox_payments WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// What the buyer's action on a sandbox page comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision<'a> {
    /// Paid: captured now, or authorized for `window_secs` under manual capture.
    Approve {
        window_secs: i64,
    },
    Decline(&'a str),
    /// 3-D Secure first; `then` is the decline that follows a passed challenge, if any.
    Challenge {
        then: Option<&'a str>,
    },
    /// Turned down on the wallet page.
    Cancel,
}

/// Records the buyer's decision on the card or wallet page once, and answers the payment as
/// it now is. `None` if the payment was no longer open (decided already, or expired).
pub async fn decide(
    db: &Db,
    now: i64,
    id: &str,
    decision: Decision<'_>,
    card: Option<(&str, &str)>,
) -> Result<Option<Payment>, sqlx::Error> {
    apply(db, now, id, "open", decision, card).await
}

/// The buyer passed or failed the 3-D Secure challenge. `None` if there was none open.
pub async fn finish_challenge(
    db: &Db,
    now: i64,
    id: &str,
    passed: bool,
    window_secs: i64,
) -> Result<Option<Payment>, sqlx::Error> {
    let Some(p) = get(db.writer(), id).await? else {
        return Ok(None);
    };
    let decision = match (passed, p.after_challenge.as_deref()) {
        (false, _) => Decision::Decline("authentication_failed"),
        (true, Some(code)) => Decision::Decline(code),
        (true, None) => Decision::Approve { window_secs },
    };
    apply(db, now, id, "challenge", decision, None).await
}

async fn apply(
    db: &Db,
    now: i64,
    id: &str,
    from: &str,
    decision: Decision<'_>,
    card: Option<(&str, &str)>,
) -> Result<Option<Payment>, sqlx::Error> {
    let (brand, last4) = card.unzip();
    // $1 is the decision's own value; every statement keeps card details recorded earlier
    // (before a 3-D Secure challenge) and applies only to an open payment in state `from`.
    let (set, value): (&str, Option<String>) = match decision {
        Decision::Approve { window_secs } => (
            "status = CASE WHEN capture_method = 'manual' THEN 'authorized' ELSE 'succeeded' END,
             amount_captured = CASE WHEN capture_method = 'manual' THEN 0 ELSE amount END,
             authorized_until = CASE WHEN capture_method = 'manual' THEN $5 + CAST($1 AS BIGINT) ELSE NULL END,
             completed_at = $5",
            Some(window_secs.to_string()),
        ),
        Decision::Decline(code) => (
            "status = 'declined', decline_code = $1, completed_at = $5",
            Some(code.to_owned()),
        ),
        Decision::Challenge { then } => (
            "status = 'challenge', after_challenge = $1",
            then.map(str::to_owned),
        ),
        Decision::Cancel => (
            "status = 'canceled', decline_code = $1, completed_at = $5",
            Some("payment_canceled".to_owned()),
        ),
    };
    sqlx::query_as::<Any, Payment>(&format!(
        "UPDATE sandbox_payments
            SET {set}, card_brand = COALESCE($2, card_brand), card_last4 = COALESCE($3, card_last4)
          WHERE id = $4 AND expires_at > $5 AND status = $6
          RETURNING {COLUMNS}"
    ))
    .bind(value)
    .bind(brand)
    .bind(last4)
    .bind(id)
    .bind(now)
    .bind(from)
    .fetch_optional(db.writer())
    .await
}

/// Why the sandbox refused a capture, void or refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

fn refuse(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

/// After a conditional update of payment `id`: done if it changed the row; otherwise
/// `why_not` says, from the payment as it is now, whether the call stands anyway (asked
/// twice) or what refuses it.
async fn applied_or(
    db: &Db,
    id: &str,
    changed: u64,
    why_not: impl FnOnce(&Payment) -> Result<(), Refusal>,
) -> Result<Result<(), Refusal>, sqlx::Error> {
    if changed == 1 {
        return Ok(Ok(()));
    }
    Ok(match get(db.writer(), id).await? {
        Some(p) => why_not(&p),
        None => Err(refuse("unknown_payment", format!("No payment {id}."))),
    })
}

/// Captures `amount` (at most what was authorized) of an authorization, once. Capturing the
/// same amount again answers Ok, so a caller that crashed after asking can ask again.
pub async fn capture(
    db: &Db,
    now: i64,
    id: &str,
    amount: i64,
) -> Result<Result<(), Refusal>, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sandbox_payments SET status = 'succeeded', amount_captured = $1
          WHERE id = $2 AND status = 'authorized' AND authorized_until > $3 AND $1 > 0 AND $1 <= amount",
    )
    .bind(amount)
    .bind(id)
    .bind(now)
    .execute(db.writer())
    .await?;
    applied_or(db, id, done.rows_affected(), |p| match p.status_at(now) {
        "succeeded" | "refunded" if p.amount_captured == amount => Ok(()),
        "succeeded" | "refunded" => Err(refuse("already_captured", "Captured already.")),
        "authorized" => Err(refuse(
            "amount_too_large",
            format!("At most {} can be captured.", p.amount),
        )),
        "voided" => Err(refuse(
            "authorization_expired",
            "The authorization has been released.",
        )),
        other => Err(refuse(
            "not_capturable",
            format!("A {other} payment cannot be captured."),
        )),
    })
    .await
}

/// Releases an authorization. Voiding a released one again answers Ok.
pub async fn void(db: &Db, id: &str) -> Result<Result<(), Refusal>, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sandbox_payments SET status = 'voided' WHERE id = $1 AND status = 'authorized'",
    )
    .bind(id)
    .execute(db.writer())
    .await?;
    applied_or(db, id, done.rows_affected(), |p| match p.status.as_str() {
        "voided" => Ok(()),
        "succeeded" | "refunded" => Err(refuse(
            "already_captured",
            "A captured payment cannot be voided; refund it.",
        )),
        other => Err(refuse(
            "not_voidable",
            format!("A {other} payment cannot be voided."),
        )),
    })
    .await
}

/// Refunds `amount` of what was captured, keyed by the caller's `refund_id`: asking twice
/// with the same id refunds once. Refunds never add up to more than was captured.
pub async fn refund(
    db: &Db,
    now: i64,
    id: &str,
    refund_id: &str,
    amount: i64,
) -> Result<Result<(), Refusal>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let known: Option<(i64,)> = sqlx::query_as("SELECT amount FROM sandbox_refunds WHERE id = $1")
        .bind(refund_id)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some((done,)) = known {
        return Ok(if done == amount {
            Ok(())
        } else {
            Err(refuse(
                "refund_mismatch",
                format!("Refund {refund_id} was for {done}."),
            ))
        });
    }
    let done = sqlx::query(
        "UPDATE sandbox_payments
            SET amount_refunded = amount_refunded + $1,
                status = CASE WHEN amount_refunded + $1 >= amount_captured THEN 'refunded' ELSE status END
          WHERE id = $2 AND status = 'succeeded' AND $1 > 0 AND amount_refunded + $1 <= amount_captured",
    )
    .bind(amount)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        drop(tx);
        return Ok(Err(match get(db.writer(), id).await? {
            None => refuse("unknown_payment", format!("No payment {id}.")),
            Some(p) if p.status == "succeeded" || p.status == "refunded" => refuse(
                "amount_too_large",
                format!(
                    "At most {} of this payment is left to refund.",
                    p.amount_captured - p.amount_refunded
                ),
            ),
            Some(p) => refuse(
                "not_refundable",
                format!("A {} payment cannot be refunded.", p.status),
            ),
        }));
    }
    sqlx::query(
        "INSERT INTO sandbox_refunds (id, payment_id, amount, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(refund_id)
    .bind(id)
    .bind(amount)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}
