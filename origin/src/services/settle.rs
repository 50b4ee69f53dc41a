//! Settling a charge once the provider has decided, and sending the buyer to the edge's
//! result page. A provider return only names the payment; the outcome comes from asking the
//! provider (`complete`/`sync`), so a buyer cannot forge a success by editing a URL. A
//! provider notification is applied only if its signature verifies; otherwise the origin
//! asks the provider.

use crate::base::db::Tx;
use crate::domain::charges::{self, Charge};
use crate::domain::edge_state;
use crate::domain::links::{self, Link};
use crate::providers::{Outcome, Provider};
use crate::services::{Audience, Services};
use linkpay_shared::result::{self, PaymentResult};
use linkpay_shared::{Currency, Locale};

pub enum Next {
    Result(String),
    /// The link names a return URL: back to the merchant, signed.
    Merchant(crate::domain::return_urls::back::Back),
    BackToProvider(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ReturnError {
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for ReturnError {
    fn from(e: sqlx::Error) -> Self {
        ReturnError::Internal(e.to_string())
    }
}

/// The buyer is back from the provider. `returned` is what a verified return says of a
/// payment that did not go through (the buyer left, or was declined): it stands only while
/// the provider itself still has the payment pending.
pub async fn complete(
    svc: &Services,
    provider: &dyn Provider,
    charge: Charge,
    returned: Option<Outcome>,
) -> Result<Next, ReturnError> {
    // Settled already (by a notification, or an earlier return): nothing left to finish.
    let charge = if charge.status == "pending" {
        let finished = match (finish_pending(svc, provider, &charge).await?, returned) {
            (None, Some(outcome)) => {
                Some(settle(svc, &charge, &outcome, provider.capture_window_secs()).await?)
            }
            (finished, _) => finished,
        };
        match finished {
            Some(settled) => settled,
            None => {
                let provider_ref = charge.provider_ref.as_deref().unwrap_or_default();
                return match provider.page_url(provider_ref) {
                    Some(page) => Ok(Next::BackToProvider(page)),
                    None => Err(ReturnError::Internal(format!(
                        "{} says charge {} is not finished yet",
                        provider.name(),
                        charge.id
                    ))),
                };
            }
        }
    } else {
        charge
    };
    if let Some(back) = crate::domain::return_urls::back::for_charge(
        &svc.db,
        svc.clock.now(),
        &svc.master_keys,
        &charge,
    )
    .await?
    {
        return Ok(Next::Merchant(back));
    }
    Ok(Next::Result(result_url(svc, &charge).await?))
}

/// Asks the provider to finish a pending charge (its `complete`: LINE Pay's confirm, the
/// sandbox's record) and settles what it answers. `None` while the buyer is still at the
/// provider. Used by returns and by the sweeper for buyers who never came back.
pub async fn finish_pending(
    svc: &Services,
    provider: &dyn Provider,
    charge: &Charge,
) -> Result<Option<Charge>, ReturnError> {
    let amount = charge
        .money(charge.amount)
        .ok_or_else(|| ReturnError::Internal(format!("charge {} has a bad amount", charge.id)))?;
    let outcome = provider
        .complete(
            charge.provider_ref.as_deref().unwrap_or_default(),
            amount,
            charge.capture(),
        )
        .await
        .map_err(|e| ReturnError::Internal(e.to_string()))?;
    if outcome == Outcome::Pending {
        return Ok(None);
    }
    Ok(Some(
        settle(svc, charge, &outcome, provider.capture_window_secs()).await?,
    ))
}

/// Applies the provider's outcome to a pending charge, once: the conditional update makes a
/// reload, a second return or a notification racing the return a no-op, and the event is
/// written in the same transaction. `window_secs` caps an authorization's capture window.
pub async fn settle(
    svc: &Services,
    charge: &Charge,
    outcome: &Outcome,
    window_secs: i64,
) -> Result<Charge, sqlx::Error> {
    let now = svc.clock.now();
    let no_card = crate::providers::CardDetails::default();
    // An outcome without a card or money: its status and why.
    let ended = |status, code: &str, message: &str| {
        (
            status,
            Some(code.to_owned()),
            Some(message.to_owned()),
            &no_card,
            0,
            None,
        )
    };
    let (status, code, message, card, captured, capture_before) = match outcome {
        Outcome::Authorized {
            card,
            capture_before,
        } => (
            "authorized",
            None,
            None,
            card,
            0,
            Some((*capture_before).min(now + window_secs)),
        ),
        Outcome::Captured { card, amount } => ("succeeded", None, None, card, *amount, None),
        Outcome::Declined {
            code,
            message,
            card,
        } => (
            "failed",
            Some(code.clone()),
            Some(message.clone()),
            card,
            0,
            None,
        ),
        Outcome::Canceled => ended(
            "failed",
            "payment_canceled",
            "The buyer canceled the payment at the provider.",
        ),
        Outcome::Expired => ended(
            "expired",
            "payment_expired",
            "The buyer did not complete payment in time.",
        ),
        Outcome::Voided => ended(
            "voided",
            "authorization_expired",
            "The provider released the authorization before it was captured.",
        ),
        Outcome::Pending => return Ok(charge.clone()),
    };
    // The buyer's return and the provider's notification both settle, at about the same time:
    // the one that finds the charge settled already on the reader stays off the writer.
    if let Some(now_charge) = charges::get(svc.db.reader(), &charge.id).await?
        && now_charge.status != "pending"
    {
        return Ok(now_charge);
    }
    let audience = Audience::read(&svc.db, charge, status == "succeeded").await?;
    let mut tx = svc.db.begin().await?;
    // RETURNING: the settled row without a read-back; `None` if it was settled meanwhile.
    let changed: Option<Charge> = sqlx::query_as(&format!(
        "UPDATE charges SET status = $1, failure_code = $2, failure_message = $3, card_brand = $4, card_last4 = $5,
                            amount_captured = $6, capture_before = $7, updated_at = $8
          WHERE id = $9 AND status = 'pending'
          RETURNING {}",
        charges::COLUMNS
    ))
    .bind(status)
    .bind(&code)
    .bind(&message)
    .bind(&card.brand)
    .bind(&card.last4)
    .bind(captured)
    .bind(capture_before)
    .bind(now)
    .bind(&charge.id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(settled) = changed else {
        tx.rollback().await?;
        return Ok(charges::get(svc.db.reader(), &charge.id)
            .await?
            .unwrap_or_else(|| charge.clone()));
    };
    // Whether the charge held a use of its link, which leaving `pending` gives back.
    let held = settled.reserved_until.is_some();
    let paid = matches!(status, "succeeded" | "authorized");
    let pushed_state =
        paid && count_payment(&mut tx, svc.clock.now(), &charge.link_id, &charge.id, held).await?;
    if !paid && held {
        links::release_holds(&mut tx, &charge.link_id, 1).await?;
    }
    crate::services::announce(&mut tx, &svc.clock, &audience, "charge.complete", &settled).await?;
    tx.commit().await?;
    svc.outbox.notify_one();
    if pushed_state {
        svc.edge_sync.notify_one();
    }
    tracing::info!(charge = %settled.id, status = %settled.status, "charge settled");
    Ok(settled)
}

/// Counts a completed payment (captured, or authorized for a later capture) against the
/// link's limit; the one that reaches the limit marks the link used and tells the edge. A
/// voided authorization still counts: the merchant chose to void it, and can make a new link.
/// A `held` use (the charge's reservation) becomes the paid one; a charge that failed gives
/// its held use back instead (in `settle`). True if it queued display state for the edge.
async fn count_payment(
    tx: &mut Tx,
    now: i64,
    link_id: &str,
    charge_id: &str,
    held: bool,
) -> Result<bool, sqlx::Error> {
    // A held use becomes a paid one.
    let link: Option<Link> = sqlx::query_as(&format!(
        "UPDATE links SET paid_count = paid_count + 1, held_count = held_count - $2,
                status = CASE WHEN status = 'active' AND usage_limit IS NOT NULL AND paid_count + 1 >= usage_limit
                              THEN 'used' ELSE status END
          WHERE id = $1
          RETURNING {}",
        links::COLUMNS
    ))
    .bind(link_id)
    .bind(i64::from(held))
    .fetch_optional(&mut **tx)
    .await?;
    let Some(link) = link else {
        return Ok(false);
    };
    if let Some(limit) = link.usage_limit
        && link.paid_count > limit
    {
        // Cannot happen while holds outlive provider sessions; if it does, the money moved,
        // so the charge stands and a person must refund it.
        tracing::error!(charge = %charge_id, link = %link_id, limit, paid = link.paid_count, "a link took more payments than its limit; refund the extra charge");
    }
    if link.status == "used" && link.usage_limit == Some(link.paid_count) {
        edge_state::put_link_state(tx, now, &link, "used", None).await?;
        return Ok(true);
    }
    Ok(false)
}

async fn result_url(svc: &Services, charge: &Charge) -> Result<String, ReturnError> {
    let (title, locale, merchant_name): (String, String, String) = sqlx::query_as(
        "SELECT l.title, l.locale, m.name FROM links l JOIN merchants m ON m.id = l.merchant_id WHERE l.id = $1",
    )
    .bind(&charge.link_id)
    .fetch_one(svc.db.reader())
    .await?;
    let outcome = match charge.status.as_str() {
        "succeeded" | "authorized" => result::Outcome::Paid,
        "failed" if charge.failure_code.as_deref() != Some("provider_unavailable") => {
            result::Outcome::Declined
        }
        _ => result::Outcome::Failed,
    };
    let r = PaymentResult {
        charge_id: charge.id.clone(),
        link_id: charge.link_id.clone(),
        outcome,
        amount: charge.amount,
        currency: Currency::from_code(&charge.currency).ok_or_else(|| {
            ReturnError::Internal(format!(
                "charge {} has unknown currency {}",
                charge.id, charge.currency
            ))
        })?,
        title,
        merchant_name,
        failure_code: charge.failure_code.clone(),
        card_brand: charge.card_brand.clone(),
        card_last4: charge.card_last4.clone(),
        locale: Locale::from_tag(&locale).unwrap_or(Locale::En),
        issued_at: svc.clock.now(),
    };
    Ok(format!("{}/r/{}", svc.edge_url, r.seal(&svc.edge_secret)))
}
