//! Capturing and voiding an authorization, and settling one that a crash or a provider
//! error left `capturing` or `voiding`.

use super::{OpError, explain, load, money, precheck};
use crate::domain::charges::state::{Ledger, Refusal, Status};
use crate::domain::charges::{self, Charge};
use crate::providers::{Outcome, Provider, ProviderError};
use crate::services::{Audience, Services};

/// Captures `amount` (default: all) of an authorized charge, within its capture window.
pub async fn capture(
    svc: &Services,
    merchant_id: &str,
    charge_id: &str,
    amount: Option<i64>,
) -> Result<Charge, OpError> {
    let (charge, provider) = load(svc, merchant_id, charge_id).await?;
    let amount = amount.unwrap_or(charge.amount);
    let now = svc.clock.now();
    let check = |l: &Ledger| l.begin_capture(amount, now);
    precheck(&charge, check)?;
    let claimed = sqlx::query(
        "UPDATE charges SET status = 'capturing', updated_at = $1
          WHERE id = $2 AND status = 'authorized' AND capture_before > $1 AND $3 > 0 AND $3 <= amount",
    )
    .bind(now)
    .bind(&charge.id)
    .bind(amount)
    .execute(svc.db.writer())
    .await?;
    if claimed.rows_affected() == 0 {
        return Err(explain(svc, &charge.id, check).await);
    }
    let provider_ref = charge.provider_ref.clone().unwrap_or_default();
    match provider
        .capture(&provider_ref, money(&charge, amount)?)
        .await
    {
        Ok(()) => {
            finish(
                svc,
                &charge,
                Status::Capturing,
                Status::Succeeded,
                amount,
                None,
            )
            .await
        }
        Err(e) => Err(recover(svc, provider.as_ref(), &charge, e).await),
    }
}

/// Releases a whole authorization.
pub async fn void(svc: &Services, merchant_id: &str, charge_id: &str) -> Result<Charge, OpError> {
    let (charge, provider) = load(svc, merchant_id, charge_id).await?;
    let check = |l: &Ledger| l.begin_void();
    precheck(&charge, check)?;
    if !super::claim_void(svc, &charge.id, "TRUE").await? {
        return Err(explain(svc, &charge.id, check).await);
    }
    let provider_ref = charge.provider_ref.clone().unwrap_or_default();
    match provider.void(&provider_ref).await {
        Ok(()) => finish(svc, &charge, Status::Voiding, Status::Voided, 0, None).await,
        Err(e) => Err(recover(svc, provider.as_ref(), &charge, e).await),
    }
}

/// Records what the provider did, once, with its `charge.update` event.
pub(super) async fn finish(
    svc: &Services,
    charge: &Charge,
    from: Status,
    to: Status,
    captured: i64,
    failure_code: Option<&str>,
) -> Result<Charge, OpError> {
    let audience = Audience::read(&svc.db, charge, to == Status::Succeeded).await?;
    let mut tx = svc.db.begin().await?;
    let changed = sqlx::query(
        "UPDATE charges SET status = $1, amount_captured = CASE WHEN $1 = 'succeeded' THEN $2 ELSE amount_captured END,
                            failure_code = COALESCE($3, failure_code), updated_at = $4
          WHERE id = $5 AND status = $6",
    )
    .bind(to.as_str())
    .bind(captured)
    .bind(failure_code)
    .bind(svc.clock.now())
    .bind(&charge.id)
    .bind(from.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    let charge = charges::get(&mut *tx, &charge.id)
        .await?
        .ok_or(OpError::NotFound)?;
    if changed {
        crate::services::announce(&mut tx, &svc.clock, &audience, "charge.update", &charge).await?;
    }
    tx.commit().await?;
    if changed {
        svc.outbox.notify_one();
        tracing::info!(charge = %charge.id, status = %charge.status, captured = charge.amount_captured, "charge updated");
    }
    Ok(charge)
}

/// A capture or void the provider did not confirm: ask it what is true now and record that.
/// Answers the error to give the caller.
async fn recover(
    svc: &Services,
    provider: &dyn Provider,
    charge: &Charge,
    e: ProviderError,
) -> OpError {
    if let Err(err) = resolve(svc, provider, &charge.id).await {
        tracing::warn!(charge = %charge.id, error = %err, "could not settle a capture or void yet; the sweeper will retry");
    }
    match e {
        ProviderError::Refused { code, .. } if code == "authorization_expired" => {
            OpError::Refused(Refusal::AuthorizationExpired)
        }
        ProviderError::Refused { message, .. } => OpError::ProviderRefused(message),
        other => OpError::Provider(other),
    }
}

/// Settles a charge left `capturing` or `voiding` by asking the provider. Anything else is
/// left alone.
pub async fn resolve(
    svc: &Services,
    provider: &dyn Provider,
    charge_id: &str,
) -> Result<(), OpError> {
    let Some(charge) = charges::get(svc.db.writer(), charge_id).await? else {
        return Ok(());
    };
    let from = match charge.status.as_str() {
        "capturing" => Status::Capturing,
        "voiding" => Status::Voiding,
        _ => return Ok(()),
    };
    let outcome = provider
        .sync(charge.provider_ref.as_deref().unwrap_or_default())
        .await
        .map_err(OpError::Provider)?;
    match outcome {
        Outcome::Captured { amount, .. } => {
            finish(svc, &charge, from, Status::Succeeded, amount, None).await?;
        }
        Outcome::Voided => {
            // Released because its window passed, or voided by the merchant.
            let lapsed = charge.capture_before.is_some_and(|t| svc.clock.now() >= t);
            let code = lapsed.then_some("authorization_expired");
            finish(svc, &charge, from, Status::Voided, 0, code).await?;
        }
        Outcome::Authorized { .. } => {
            // Nothing happened at the provider: the authorization stands, quietly.
            sqlx::query("UPDATE charges SET status = 'authorized', updated_at = $1 WHERE id = $2 AND status = $3")
                .bind(svc.clock.now())
                .bind(&charge.id)
                .bind(from.as_str())
                .execute(svc.db.writer())
                .await?;
        }
        other => {
            tracing::error!(charge = %charge.id, outcome = ?other, "provider reports an unexpected state for an authorization");
        }
    }
    Ok(())
}
