//! Keeping charges honest over time, on every origin instance (each step is a conditional
//! update, so two instances sweeping at once do each thing once):
//! - authorizations past their capture window are released (`voided`, `authorization_expired`);
//! - charges whose buyer left the provider's page are settled by asking the provider, so an
//!   abandoned checkout ends `expired` even on a link without a use limit;
//! - captures, voids and refunds that a crash or an outage interrupted are finished.

use super::capture::{finish, resolve};
use crate::domain::charges::state::Status;
use crate::domain::charges::{self, Charge};
use crate::services::Services;
use crate::services::checkout::RESERVATION_SECS;

/// An operation at the provider that has not finished after this long was interrupted.
pub const STALE_SECS: i64 = 60;

/// What one sweep did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub released: usize,
    pub abandoned: usize,
    pub resumed: usize,
    pub refunds_retried: usize,
}

/// Authorizations past their capture window, as of `$1`.
const LAPSED: &str = "status = 'authorized' AND capture_before <= $1";
/// Charges whose buyer went to the provider before `$1` and did not come back.
const ABANDONED: &str = "status = 'pending' AND created_at <= $1";
/// Operations at the provider started before `$1`.
const INTERRUPTED: &str = "status IN ('capturing', 'voiding') AND updated_at <= $1";

pub async fn once(svc: &Services) -> Result<Swept, super::OpError> {
    let now = svc.clock.now();
    let (left, stale) = (now - RESERVATION_SECS, now - STALE_SECS);
    let mut swept = Swept::default();
    for c in select(svc, LAPSED, now).await? {
        swept.released += usize::from(release(svc, &c).await?);
    }
    for c in select(svc, ABANDONED, left).await? {
        swept.abandoned += usize::from(abandon(svc, &c).await?);
    }
    for c in select(svc, INTERRUPTED, stale).await? {
        swept.resumed += usize::from(resume(svc, &c).await);
    }
    swept.refunds_retried = super::refund::retry_stale(svc, stale).await?;
    Ok(swept)
}

/// Finishes an interrupted capture or void with what the provider says happened.
async fn resume(svc: &Services, c: &Charge) -> bool {
    match svc.providers.for_charge(c).await {
        Ok(Some(p)) => resolve(svc, p.as_ref(), &c.id).await.is_ok(),
        _ => false,
    }
}

async fn select(svc: &Services, condition: &str, at: i64) -> Result<Vec<Charge>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM charges WHERE {condition} ORDER BY updated_at LIMIT 100",
        charges::COLUMNS
    ))
    .bind(at)
    .fetch_all(svc.db.reader())
    .await
}

/// Releases an authorization whose window has passed. The provider is asked to void it; if
/// it cannot be reached, its own window lapses the hold anyway, so the charge is released
/// either way.
async fn release(svc: &Services, c: &Charge) -> Result<bool, super::OpError> {
    if !super::claim_void(svc, &c.id, "capture_before <= $1").await? {
        return Ok(false);
    }
    if let Some(p) = svc.providers.for_charge(c).await?
        && let Err(e) = p.void(c.provider_ref.as_deref().unwrap_or_default()).await
    {
        tracing::info!(charge = %c.id, error = %e, "provider did not void an expired authorization; its window has lapsed it");
    }
    finish(
        svc,
        c,
        Status::Voiding,
        Status::Voided,
        0,
        Some("authorization_expired"),
    )
    .await?;
    tracing::info!(charge = %c.id, "released an authorization past its capture window");
    Ok(true)
}

/// A charge still pending after the provider's session is over: finish it as a return would
/// (a buyer who approved at LINE Pay and never came back has paid), else settle it as the
/// provider says (normally `expired`).
async fn abandon(svc: &Services, c: &Charge) -> Result<bool, super::OpError> {
    let provider = svc.providers.for_charge(c).await?;
    let (Some(p), Some(_)) = (provider, &c.provider_ref) else {
        // The provider never opened a session: nothing can complete.
        let settled =
            crate::services::settle::settle(svc, c, &crate::providers::Outcome::Expired, 0).await?;
        return Ok(settled.status != "pending");
    };
    match crate::services::settle::finish_pending(svc, p.as_ref(), c).await {
        Ok(settled) => Ok(settled.is_some()),
        Err(e) => {
            tracing::warn!(charge = %c.id, error = %e, "could not settle an abandoned checkout with its provider");
            Ok(false)
        }
    }
}
