//! What a merchant does with a charge after the buyer has paid: capture an authorization,
//! void it, refund a capture in part or in full. The rules live in [`crate::domain::charges::state`]; each operation
//! here applies them as a conditional update, so concurrent calls cannot capture twice,
//! refund more than was captured or void a captured charge, whatever their order.
//!
//! The provider is always asked outside a database transaction. While it is being asked the
//! charge says so (`capturing`, `voiding`, or money held in `amount_refunding` by a
//! `pending` refund), and [`sweep`] settles anything a crash left in between by asking the
//! provider.

pub mod capture;
pub mod refund;
pub mod sweep;

use crate::domain::charges::state::{self, Refusal};
use crate::domain::charges::{self, Charge};
use crate::providers::{Provider, ProviderError};
use crate::services::Services;
use linkpay_shared::Money;

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error("no such charge")]
    NotFound,
    #[error("{0}")]
    Refused(Refusal),
    /// The provider refused for its own reasons; the charge is as it was.
    #[error("{0}")]
    ProviderRefused(String),
    #[error(transparent)]
    Provider(ProviderError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The merchant's charge, and the provider that holds it.
async fn load(
    svc: &Services,
    merchant_id: &str,
    charge_id: &str,
) -> Result<(Charge, Box<dyn Provider>), OpError> {
    let charge = charges::get(svc.db.writer(), charge_id)
        .await?
        .filter(|c| c.merchant_id == merchant_id)
        .ok_or(OpError::NotFound)?;
    let provider = svc.providers.for_charge(&charge).await?.ok_or_else(|| {
        OpError::Provider(ProviderError::Unavailable(format!(
            "provider {} (of charge {}) is not configured on this origin",
            charge.provider, charge.id
        )))
    })?;
    Ok((charge, provider))
}

/// Marks an authorized charge `voiding` before the provider is asked, if `and` (which may
/// name the time as `$1`) holds too; false if another call got there first.
async fn claim_void(svc: &Services, id: &str, and: &str) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(&format!(
        "UPDATE charges SET status = 'voiding', updated_at = $1 WHERE id = $2 AND status = 'authorized' AND {and}"
    ))
    .bind(svc.clock.now())
    .bind(id)
    .execute(svc.db.writer())
    .await?;
    Ok(claimed.rows_affected() == 1)
}

fn money(charge: &Charge, minor: i64) -> Result<Money, OpError> {
    charge
        .money(minor)
        .ok_or(OpError::Refused(Refusal::AmountNotPositive))
}

/// Applies the state machine's rule to the charge as read, to refuse early with a reason.
/// (The conditional update that follows is what holds under concurrency.)
fn precheck(
    charge: &Charge,
    check: impl Fn(&state::Ledger) -> Result<state::Ledger, Refusal>,
) -> Result<(), OpError> {
    match charge.ledger().map(|l| check(&l)) {
        Some(Err(r)) => Err(OpError::Refused(r)),
        _ => Ok(()),
    }
}

/// Re-reads a charge whose conditional update did not apply, and says why.
async fn explain(
    svc: &Services,
    charge_id: &str,
    check: impl Fn(&state::Ledger) -> Result<state::Ledger, Refusal>,
) -> OpError {
    match charges::get(svc.db.writer(), charge_id).await {
        Ok(Some(c)) => match precheck(&c, check) {
            Err(refused) => refused,
            // It changed between the read and the update: another call is on it.
            Ok(()) => OpError::Refused(Refusal::InProgress(state::Status::Capturing)),
        },
        Ok(None) => OpError::NotFound,
        Err(e) => OpError::Db(e),
    }
}
