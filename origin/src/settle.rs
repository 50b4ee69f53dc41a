//! Settling a charge once the provider has decided, and sending the buyer to the edge's
//! result page. A provider return only names the payment; the outcome comes from asking the
//! provider (`sync`), so a buyer cannot forge a success by editing a URL.

use crate::charges::{self, Charge};
use crate::clock::now;
use crate::db::Tx;
use crate::edge_sync;
use crate::links::{self, Link};
use crate::outbox;
use crate::providers::sandbox::SandboxConnector;
use crate::providers::{Outcome, Provider};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use linkpay_shared::result::{self, PaymentResult};
use linkpay_shared::{Currency, Locale};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct SandboxReturn {
    payment_id: String,
}

/// `GET /return/sandbox?payment_id=…`: the sandbox sends the buyer here after its page.
pub async fn sandbox_return(
    State(state): State<AppState>,
    Query(q): Query<SandboxReturn>,
) -> Response {
    let connector = SandboxConnector::for_state(&state);
    match complete(&state, &connector, &q.payment_id).await {
        Ok(Next::Result(url)) | Ok(Next::BackToProvider(url)) => Redirect::to(&url).into_response(),
        Ok(Next::Merchant(back)) => back.into_response(),
        Err(ReturnError::UnknownPayment) => (
            StatusCode::NOT_FOUND,
            "This payment is not known here. Nothing was charged by this request.",
        )
            .into_response(),
        Err(ReturnError::Internal(e)) => {
            tracing::error!(error = %e, payment = %q.payment_id, "settling a provider return");
            (StatusCode::BAD_GATEWAY, "We could not confirm this payment with the provider yet. Reload this page in a moment.")
                .into_response()
        }
    }
}

pub enum Next {
    Result(String),
    /// The link names a return URL: back to the merchant, signed.
    Merchant(crate::return_urls::back::Back),
    BackToProvider(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ReturnError {
    #[error("unknown payment")]
    UnknownPayment,
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for ReturnError {
    fn from(e: sqlx::Error) -> Self {
        ReturnError::Internal(e.to_string())
    }
}

pub async fn complete<P: Provider>(
    state: &AppState,
    provider: &P,
    provider_ref: &str,
) -> Result<Next, ReturnError> {
    let charge = charges::by_provider_ref(state.db.reader(), P::NAME, provider_ref)
        .await?
        .ok_or(ReturnError::UnknownPayment)?;
    let outcome = provider
        .sync(provider_ref)
        .await
        .map_err(|e| ReturnError::Internal(e.to_string()))?;
    if outcome == Outcome::Pending {
        return Ok(Next::BackToProvider(format!(
            "{}/sandbox/pay/{provider_ref}",
            state.config.public_url
        )));
    }
    let charge = settle(state, &charge, &outcome).await?;
    if let Some(back) = crate::return_urls::back::for_charge(state, &charge).await? {
        return Ok(Next::Merchant(back));
    }
    Ok(Next::Result(result_url(state, &charge).await?))
}

/// Applies the provider's outcome to a pending charge, once: the conditional update makes a
/// reload or a second return a no-op, and the event is written in the same transaction.
pub async fn settle(
    state: &AppState,
    charge: &Charge,
    outcome: &Outcome,
) -> Result<Charge, sqlx::Error> {
    let now = now();
    let (status, code, message, brand, last4) = match outcome {
        Outcome::Succeeded {
            card_brand,
            card_last4,
        } => (
            "succeeded",
            None,
            None,
            Some(card_brand.clone()),
            Some(card_last4.clone()),
        ),
        Outcome::Declined {
            code,
            message,
            card_brand,
            card_last4,
        } => (
            "failed",
            Some(code.clone()),
            Some(message.clone()),
            card_brand.clone(),
            card_last4.clone(),
        ),
        Outcome::Expired => (
            "expired",
            Some("payment_expired".into()),
            Some("The buyer did not complete payment in time.".into()),
            None,
            None,
        ),
        Outcome::Pending => return Ok(charge.clone()),
    };
    let mut tx = state.db.begin().await?;
    let changed = sqlx::query(
        "UPDATE charges SET status = $1, failure_code = $2, failure_message = $3, card_brand = $4, card_last4 = $5, updated_at = $6
          WHERE id = $7 AND status = 'pending'",
    )
    .bind(status)
    .bind(&code)
    .bind(&message)
    .bind(&brand)
    .bind(&last4)
    .bind(now)
    .bind(&charge.id)
    .execute(&mut *tx)
    .await?;
    let pushed_state = changed.rows_affected() == 1
        && status == "succeeded"
        && count_payment(&mut tx, &charge.link_id, &charge.id).await?;
    let settled = charges::get(&mut *tx, &charge.id)
        .await?
        .unwrap_or_else(|| charge.clone());
    if changed.rows_affected() == 1 {
        outbox::record(
            &mut tx,
            &settled.merchant_id,
            "charge.complete",
            settled.to_json(),
        )
        .await?;
        if settled.status == "succeeded" {
            crate::notify::outbox::on_charge_succeeded(&mut tx, &settled).await?;
        }
    }
    tx.commit().await?;
    if changed.rows_affected() == 1 {
        state.outbox.notify_one();
        if pushed_state {
            state.edge_sync.notify_one();
        }
        tracing::info!(charge = %settled.id, status = %settled.status, "charge settled");
    }
    Ok(settled)
}

/// Counts a completed payment against the link's limit; the one that reaches the limit marks
/// the link used and tells the edge. A failed charge needs nothing here: its hold on the link
/// ended when it left `pending`.
/// True if it queued display state for the edge.
async fn count_payment(tx: &mut Tx, link_id: &str, charge_id: &str) -> Result<bool, sqlx::Error> {
    let link: Option<Link> = sqlx::query_as(&format!(
        "UPDATE links SET paid_count = paid_count + 1,
                status = CASE WHEN status = 'active' AND usage_limit IS NOT NULL AND paid_count + 1 >= usage_limit
                              THEN 'used' ELSE status END
          WHERE id = $1
          RETURNING {}",
        links::COLUMNS
    ))
    .bind(link_id)
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
        edge_sync::put_link_state(tx, &link, "used", None).await?;
        return Ok(true);
    }
    Ok(false)
}

async fn result_url(state: &AppState, charge: &Charge) -> Result<String, ReturnError> {
    let (title, locale, merchant_name): (String, String, String) = sqlx::query_as(
        "SELECT l.title, l.locale, m.name FROM links l JOIN merchants m ON m.id = l.merchant_id WHERE l.id = $1",
    )
    .bind(&charge.link_id)
    .fetch_one(state.db.reader())
    .await?;
    let outcome = match charge.status.as_str() {
        "succeeded" => result::Outcome::Paid,
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
        issued_at: now(),
    };
    Ok(format!(
        "{}/r/{}",
        state.config.edge_url,
        r.seal(&state.config.edge_secret)
    ))
}
