//! Refunds, several and partial, up to what was captured. A refund's amount is held on the
//! charge (`amount_refunding`) by the same conditional update that checks it fits, so two
//! concurrent refunds can never add up to more than was captured; the hold becomes
//! `amount_refunded` when the provider confirms, and is released if it refuses.

use super::{OpError, explain, load, money, precheck};
use crate::base::ids;
use crate::domain::charges::state::Ledger;
use crate::domain::charges::{self, Charge};
use crate::domain::webhooks::outbox;
use crate::providers::{Provider, ProviderError};
use crate::services::Services;
use serde_json::{Value, json};
use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Refund {
    pub id: String,
    pub charge_id: String,
    pub merchant_id: String,
    pub amount: i64,
    pub currency: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    pub reason: Option<String>,
    pub failure_message: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, charge_id, merchant_id, amount, currency, status, reason, failure_message, created_at, updated_at";

/// The reasons Stripe's API knows, so merchants' code carries over.
pub const REASONS: [&str; 3] = ["duplicate", "fraudulent", "requested_by_customer"];

impl Refund {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "refund",
            "charge": self.charge_id,
            "amount": self.amount,
            "currency": self.currency,
            "status": self.status,
            "reason": self.reason,
            "failure_reason": self.failure_message,
            "created": self.created_at,
        })
    }
}

pub async fn list_for_charge<'e>(
    db: impl Executor<'e, Database = Any>,
    charge_id: &str,
) -> Result<Vec<Refund>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM refunds WHERE charge_id = $1 ORDER BY created_at, id"
    ))
    .bind(charge_id)
    .fetch_all(db)
    .await
}

/// Refunds `amount` (default: all that is left) of a captured charge.
pub async fn refund(
    svc: &Services,
    merchant_id: &str,
    charge_id: &str,
    amount: Option<i64>,
    reason: Option<&str>,
) -> Result<(Charge, Refund), OpError> {
    let (charge, provider) = load(svc, merchant_id, charge_id).await?;
    let amount =
        amount.unwrap_or(charge.amount_captured - charge.amount_refunded - charge.amount_refunding);
    let check = |l: &Ledger| l.begin_refund(amount);
    precheck(&charge, check)?;
    let now = svc.clock.now();
    // Sortable, so refunds made within one second still list in order.
    let refund_id = ids::new_sortable_id("re", svc.clock.now_millis());
    let mut tx = svc.db.begin().await?;
    let held = sqlx::query(
        "UPDATE charges SET amount_refunding = amount_refunding + $1, updated_at = $2
          WHERE id = $3 AND status = 'succeeded' AND $1 > 0
            AND amount_refunded + amount_refunding + $1 <= amount_captured",
    )
    .bind(amount)
    .bind(now)
    .bind(&charge.id)
    .execute(&mut *tx)
    .await?;
    if held.rows_affected() == 0 {
        drop(tx);
        return Err(explain(svc, &charge.id, check).await);
    }
    sqlx::query(
        "INSERT INTO refunds (id, charge_id, merchant_id, amount, currency, status, reason, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $7)",
    )
    .bind(&refund_id)
    .bind(&charge.id)
    .bind(&charge.merchant_id)
    .bind(amount)
    .bind(&charge.currency)
    .bind(reason)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    send(svc, provider.as_ref(), &charge, &refund_id, amount).await
}

/// Asks the provider for a held refund and records its answer. Safe to repeat: the provider
/// keys refunds by our id, and recording applies once.
pub(super) async fn send(
    svc: &Services,
    provider: &dyn Provider,
    charge: &Charge,
    refund_id: &str,
    amount: i64,
) -> Result<(Charge, Refund), OpError> {
    let provider_ref = charge.provider_ref.clone().unwrap_or_default();
    let answer = provider
        .refund(&provider_ref, refund_id, money(charge, amount)?)
        .await;
    match answer {
        Ok(()) => record(svc, &charge.id, refund_id, amount, None).await,
        Err(ProviderError::Refused { message, .. }) => {
            record(svc, &charge.id, refund_id, amount, Some(&message)).await?;
            Err(OpError::ProviderRefused(message))
        }
        // Unknown whether it happened: the refund stays pending and is asked again later.
        Err(e) => {
            tracing::warn!(charge = %charge.id, refund = %refund_id, error = %e, "refund not confirmed yet; it will be retried");
            Err(OpError::Provider(e))
        }
    }
}

/// Settles a pending refund: done (`failure` None) or refused. Once only.
async fn record(
    svc: &Services,
    charge_id: &str,
    refund_id: &str,
    amount: i64,
    failure: Option<&str>,
) -> Result<(Charge, Refund), OpError> {
    let now = svc.clock.now();
    let mut tx = svc.db.begin().await?;
    let settled = sqlx::query(
        "UPDATE refunds SET status = $1, failure_message = $2, updated_at = $3 WHERE id = $4 AND status = 'pending'",
    )
    .bind(if failure.is_none() { "succeeded" } else { "failed" })
    .bind(failure)
    .bind(now)
    .bind(refund_id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if settled {
        let done = if failure.is_none() { amount } else { 0 };
        sqlx::query(
            "UPDATE charges SET amount_refunding = amount_refunding - $1,
                    amount_refunded = amount_refunded + $2,
                    status = CASE WHEN status = 'succeeded' AND amount_refunded + $2 >= amount_captured
                                  THEN 'refunded' ELSE status END,
                    updated_at = $3
              WHERE id = $4",
        )
        .bind(amount)
        .bind(done)
        .bind(now)
        .bind(charge_id)
        .execute(&mut *tx)
        .await?;
    }
    let charge = charges::get(&mut *tx, charge_id)
        .await?
        .ok_or(OpError::NotFound)?;
    let refund: Refund = sqlx::query_as(&format!("SELECT {COLUMNS} FROM refunds WHERE id = $1"))
        .bind(refund_id)
        .fetch_one(&mut *tx)
        .await?;
    if settled && failure.is_none() {
        let mut data = charge.to_json();
        data["refund"] = refund.to_json();
        outbox::record(&mut tx, &svc.clock, charge.scope(), "charge.update", data).await?;
    }
    tx.commit().await?;
    if settled && failure.is_none() {
        svc.outbox.notify_one();
        tracing::info!(charge = %charge.id, refund = %refund.id, amount, "refund succeeded");
    }
    Ok((charge, refund))
}

/// Refunds still pending a while after they were asked for: a crash or a provider outage
/// interrupted them. Asks again.
pub async fn retry_stale(svc: &Services, older_than: i64) -> Result<usize, OpError> {
    let stale: Vec<Refund> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM refunds WHERE status = 'pending' AND updated_at <= $1 ORDER BY created_at, id LIMIT 100"
    ))
    .bind(older_than)
    .fetch_all(svc.db.reader())
    .await?;
    let mut done = 0;
    for r in stale {
        let Ok((charge, provider)) = load(svc, &r.merchant_id, &r.charge_id).await else {
            continue;
        };
        if send(svc, provider.as_ref(), &charge, &r.id, r.amount)
            .await
            .is_ok()
        {
            done += 1;
        }
    }
    Ok(done)
}
