//! Full refunds: the smallest real change to a settled charge, announced as `charge.update`.
//! The provider is asked first, outside any transaction; its refund is conditional, so of
//! two concurrent refunds only one succeeds there. The charge and its event then change in
//! one transaction.

use crate::charges::{self, Charge};
use crate::clock::now;
use crate::outbox;
use crate::providers::sandbox::SandboxConnector;
use crate::providers::{Provider, ProviderError};
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    #[error("no such charge")]
    NotFound,
    #[error("the charge is refunded already")]
    AlreadyRefunded,
    #[error("only a succeeded charge can be refunded; this one is {0}")]
    NotRefundable(String),
    #[error(transparent)]
    Provider(ProviderError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub async fn refund_in_full(
    state: &AppState,
    merchant_id: &str,
    charge_id: &str,
) -> Result<Charge, RefundError> {
    let charge = charges::get(state.db.reader(), charge_id)
        .await?
        .filter(|c| c.merchant_id == merchant_id)
        .ok_or(RefundError::NotFound)?;
    match charge.status.as_str() {
        "succeeded" => {}
        "refunded" => return Err(RefundError::AlreadyRefunded),
        other => return Err(RefundError::NotRefundable(other.to_owned())),
    }
    let provider_ref = charge.provider_ref.clone().unwrap_or_default();
    match SandboxConnector::for_state(state)
        .refund(&provider_ref)
        .await
    {
        Ok(()) => {}
        // Refunded at the provider already: by a concurrent call, or by one that crashed
        // before recording it. Recording it below is right either way.
        Err(ProviderError::NotRefundable(_)) => {}
        Err(e) => return Err(RefundError::Provider(e)),
    }
    let mut tx = state.db.begin().await?;
    let changed = sqlx::query(
        "UPDATE charges SET status = 'refunded', amount_refunded = amount, updated_at = $1
          WHERE id = $2 AND status = 'succeeded'",
    )
    .bind(now())
    .bind(&charge.id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    let refunded = charges::get(&mut *tx, &charge.id)
        .await?
        .ok_or(RefundError::NotFound)?;
    if !changed {
        return Err(RefundError::AlreadyRefunded);
    }
    outbox::record(&mut tx, merchant_id, "charge.update", refunded.to_json()).await?;
    tx.commit().await?;
    state.outbox.notify_one();
    tracing::info!(charge = %refunded.id, amount = refunded.amount, "charge refunded");
    Ok(refunded)
}
