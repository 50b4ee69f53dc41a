//! Checkout: a buyer on the edge pressed Pay. The edge forwards the link token over the
//! authenticated channel; the origin re-verifies it, claims the link, opens a charge and asks
//! the provider for a page to send the buyer to.
//!
//! Use limits are enforced here, in one write transaction per checkout: a charge on a limited
//! link *holds* a use while its buyer is at the provider, so racing buyers beyond the limit get
//! "in progress" and never reach the provider. A decline or an expired provider session ends
//! the hold; a success counts towards the limit, and the last one marks the link used.
//!
//! The link's `held_count` counts the holds: a checkout claims a use with one conditional
//! update of it, and every change that takes a held charge out of `pending` (settling, a
//! provider that could not start, a lapsed hold) gives the use back in the same transaction.
//!
//! Expiry and deactivation are checked when a checkout starts. A payment that started before
//! the link expired (or was deactivated) is settled normally: the buyer was already at the
//! provider and may have been charged, so refusing it would mean a refund.

use crate::base::db::Tx;
use crate::base::error::ApiError;
use crate::base::ids;
use crate::base::listing::Scope;
use crate::domain::charges::{self, CaptureMethod, Charge};
use crate::domain::links::{self, Link};
use crate::domain::payment_methods::PaymentMethod;
use crate::domain::webhooks::outbox::{self, Subscribers};
use crate::providers::StartPayment;
use crate::services::Services;
use axum::http::StatusCode;
use linkpay_shared::Money;
use linkpay_shared::token::{self, LinkClaims};

pub const PATH: &str = "/internal/v1/checkouts";

/// A live link whose payment method no live provider account serves. The sandbox serves test
/// links only, so a live link never reaches it.
fn live_unavailable(method: &str) -> ApiError {
    ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        ..ApiError::invalid(
            "payment_method",
            "livemode_unavailable",
            format!(
                "This shop cannot take live {method} payments yet, so nothing was charged. The \
                 sandbox takes test payments only; live payments need a live provider account."
            ),
        )
    }
}

/// Longer than any provider's own session (the sandbox's 15 minutes, LINE Pay's 20), so a
/// reservation never lapses while the buyer can still complete payment on the provider's page.
pub const RESERVATION_SECS: i64 = crate::providers::linepay::limits::SESSION_SECS + 5 * 60;

pub fn method_unavailable(method: &str) -> ApiError {
    ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        ..ApiError::invalid(
            "payment_method",
            "payment_method_unavailable",
            format!("This shop does not take {method:?} payments. Choose another payment method."),
        )
    }
}

/// Opens a charge for `amount` on the link the verified `claims` describe, within its use
/// limit, and asks the provider where to send the buyer.
///
/// A limited link (single use, or up to N payments) admits a new charge only while completed
/// payments plus charges still *held* at the provider stay under the limit. A hold lasts
/// `RESERVATION_SECS`, longer than the provider's session, so a lapsed hold can no longer
/// turn into a payment.
pub async fn start(
    svc: &Services,
    claims: &LinkClaims,
    token: &str,
    amount: Money,
    buyer_email: Option<&str>,
    method: PaymentMethod,
) -> Result<String, ApiError> {
    let now = svc.clock.now();
    let scope = Scope {
        merchant_id: &claims.merchant_id,
        livemode: claims.livemode,
    };
    // What can be read is read first, on the reader (one read after another: on PostgreSQL
    // it is the pool every request shares), so that the write transaction below holds
    // SQLite's one writer for its writes only; every statement there is a round trip to the
    // writer's thread that all other writers wait behind. The link's row may be a moment old
    // by the time it is used: a limited link's claim below is what counts, and a link
    // deactivated meanwhile takes one more checkout, as if it had come first.
    let reader = svc.db.reader();
    let settings = crate::domain::payment_methods::get(reader, &claims.merchant_id).await?;
    let subscribers = Subscribers::read(reader, scope).await?;
    let known = links::by_id(reader, &claims.link_id).await?;
    if !settings.allows(method) {
        return Err(method_unavailable(method.as_str()));
    }
    let chosen = svc
        .providers
        .for_payment(scope, method, &settings.wallet_provider)
        .await?;
    let (provider, account_id) = match chosen {
        Some(c) => (c.provider, c.account_id),
        None if claims.livemode => return Err(live_unavailable(method.as_str())),
        None => return Err(method_unavailable(method.as_str())),
    };
    // Sortable, so a link's charges list newest first within a second too.
    let charge_id = ids::new_sortable_id("ch", svc.clock.now_millis());
    let mut tx = svc.db.begin().await?;
    let mut link = known;
    if link.is_none() {
        // First checkout of a link signed offline: record it from the token.
        let kid = token::key_id(token).unwrap_or_default();
        if links::record_offline(&mut tx, &svc.clock, claims, token, &kid, &svc.edge_url).await? {
            tracing::info!(link = %claims.link_id, merchant = %claims.merchant_id, "offline link recorded at its first checkout");
        }
        link = links::by_id(&mut *tx, &claims.link_id).await?;
    }
    // The token must describe this row: same merchant and terms (a genuine token from another
    // deployment sharing a key, or a re-signed offline link with other terms, is refused).
    let link = link
        .filter(|l| {
            l.merchant_id == claims.merchant_id
                && l.livemode == claims.livemode
                && l.amount_terms() == Some(claims.amount)
                && l.usage_limit == claims.usage.limit().map(i64::from)
                && l.expires_at == claims.expires_at
        })
        .ok_or_else(not_found)?;
    match link.status.as_str() {
        "used" => return Err(used(&link)),
        "deactivated" => return Err(deactivated()),
        _ if now >= link.expires_at => return Err(expired()),
        _ => {}
    }
    // A limited link admits a new charge only while completed payments plus uses *held* by
    // buyers at the provider stay under the limit. The row read above may be a moment old;
    // the claim at the end of this transaction is what counts.
    let reserved_until = if let Some(limit) = link.usage_limit {
        let mut room = limit - link.paid_count - link.held_count;
        if room <= 0 && link.paid_count < limit {
            room += release_lapsed(&mut tx, &link.id, now).await?;
        }
        if room <= 0 {
            // Whatever lapsed holds were released stays released.
            tx.commit().await?;
            return Err(full(&link));
        }
        Some(now + RESERVATION_SECS)
    } else {
        None
    };
    let capture = CaptureMethod::parse(&link.capture_method).unwrap_or(CaptureMethod::Automatic);
    let request = StartPayment {
        charge_id: &charge_id,
        amount,
        method,
        capture,
        merchant_name: &claims.merchant_name,
        description: &claims.title,
        return_url: format!("{}/return/{}", svc.public_url, provider.name()),
    };
    // Limits the provider publishes are checked before anything is written or sent.
    provider.check(&request).map_err(|e| match e {
        // The refusal names the field: the amount, or a currency the provider does not take.
        crate::providers::ProviderError::Refused { code, message } => {
            let (param, code) = match code.as_str() {
                "currency" => ("currency", "currency_unsupported"),
                _ => ("amount", "amount_invalid"),
            };
            ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                ..ApiError::invalid(param, code, message)
            }
        }
        other => ApiError::provider(other),
    })?;
    // RETURNING: the event below needs the row, and a read-back would be another round trip.
    let charge: Charge = sqlx::query_as(&format!(
        "INSERT INTO charges (id, link_id, merchant_id, livemode, amount, currency, status, provider,
                              reserved_until, reference, free1, free2, free3, metadata, buyer_email, created_at, updated_at,
                              payment_method, capture_method, provider_account_id)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
         RETURNING {}",
        charges::COLUMNS
    ))
    .bind(&charge_id)
    .bind(&link.id)
    .bind(&link.merchant_id)
    .bind(i64::from(link.livemode))
    .bind(amount.minor())
    .bind(amount.currency().code())
    .bind(provider.name())
    .bind(reserved_until)
    .bind(&link.reference)
    .bind(&link.free1)
    .bind(&link.free2)
    .bind(&link.free3)
    .bind(&link.metadata)
    .bind(buyer_email)
    .bind(now)
    .bind(now)
    .bind(method.as_str())
    .bind(capture.as_str())
    .bind(&account_id)
    .fetch_one(&mut *tx)
    .await?;
    outbox::record_for(
        &mut tx,
        &svc.clock,
        &subscribers,
        "charge.create",
        charge.to_json(),
    )
    .await?;
    // Claimed last, so that on PostgreSQL the link's row is locked only from here to the
    // commit: buyers of a popular link queue on it for one statement, not a transaction.
    if reserved_until.is_some() && !claim(&mut tx, &link.id).await? {
        tx.rollback().await?;
        let now_link = links::by_id(svc.db.reader(), &link.id)
            .await?
            .unwrap_or(link);
        return Err(match now_link.status.as_str() {
            "deactivated" => deactivated(),
            _ => full(&now_link),
        });
    }
    tx.commit().await?;
    svc.outbox.notify_one();

    // Never hold a transaction across a provider call.
    let started = provider.start(request).await;
    match started {
        Ok(s) => {
            sqlx::query("UPDATE charges SET provider_ref = $1, updated_at = $2 WHERE id = $3")
                .bind(&s.provider_ref)
                .bind(svc.clock.now())
                .bind(&charge_id)
                .execute(svc.db.writer())
                .await?;
            tracing::info!(charge = %charge_id, link = %claims.link_id, "checkout started");
            Ok(s.redirect_url)
        }
        Err(e) => {
            // Failing the charge also ends its hold on the link.
            let mut tx = svc.db.begin().await?;
            let failed = sqlx::query(
                "UPDATE charges SET status = 'failed', failure_code = 'provider_unavailable', updated_at = $1
                  WHERE id = $2 AND status = 'pending'",
            )
            .bind(now)
            .bind(&charge_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if failed == 1 && reserved_until.is_some() {
                links::release_holds(&mut tx, &claims.link_id, 1).await?;
            }
            tx.commit().await?;
            Err(ApiError::provider(e))
        }
    }
}

/// Takes one use of a limited link for a new charge's hold, if there is one left.
async fn claim(tx: &mut Tx, link_id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE links SET held_count = held_count + 1
          WHERE id = $1 AND status = 'active' AND paid_count + held_count < usage_limit",
    )
    .bind(link_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Holds that lapsed belong to buyers who left the provider's page: their sessions are over,
/// so the charges can never complete. Expires them and answers how many uses came back.
async fn release_lapsed(tx: &mut Tx, link_id: &str, now: i64) -> Result<i64, sqlx::Error> {
    let lapsed = sqlx::query(
        "UPDATE charges SET status = 'expired', failure_code = 'payment_expired', updated_at = $1
          WHERE link_id = $2 AND status = 'pending' AND reserved_until <= $1",
    )
    .bind(now)
    .bind(link_id)
    .execute(&mut **tx)
    .await?
    .rows_affected() as i64;
    if lapsed > 0 {
        links::release_holds(tx, link_id, lapsed).await?;
    }
    Ok(lapsed)
}

/// No use left: sold out, or every remaining use held by a buyer at the provider.
fn full(link: &Link) -> ApiError {
    match link.usage_limit {
        Some(limit) if link.paid_count >= limit => used(link),
        _ => ApiError::conflict(
            StatusCode::CONFLICT,
            "link_in_progress",
            "Someone is paying this link right now. If that payment does not complete, the link becomes available again.",
        ),
    }
}

fn deactivated() -> ApiError {
    ApiError::conflict(
        StatusCode::GONE,
        "link_deactivated",
        "This payment link has been deactivated by the merchant.",
    )
}

pub fn not_found() -> ApiError {
    ApiError::not_found("link_not_found", "This payment link is not valid.")
}

pub fn expired() -> ApiError {
    ApiError::conflict(
        StatusCode::GONE,
        "link_expired",
        "This payment link has expired.",
    )
}

fn used(link: &Link) -> ApiError {
    if link.single_use() {
        ApiError::conflict(
            StatusCode::CONFLICT,
            "link_already_paid",
            "This payment link has already been paid.",
        )
    } else {
        ApiError::conflict(
            StatusCode::CONFLICT,
            "link_used_up",
            "This payment link has taken all the payments it accepts.",
        )
    }
}
