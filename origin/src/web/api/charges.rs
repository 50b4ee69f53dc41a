use super::list;
use super::params::Params;
use super::query::Query;
use crate::base::error::ApiError;
use crate::domain::charges::state::Refusal;
use crate::domain::charges::state::Status;
use crate::domain::charges::{self, Charge, ChargeFilter};
use crate::services::payments::refund::{self as refunds, REASONS};
use crate::services::payments::{OpError, capture};
use crate::state::AppState;
use crate::web::api::{Authed, Call, JsonReply};
use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use linkpay_shared::Currency;

/// A refused operation leaves the charge as it was; the error says why and what to do.
fn op_error(id: &str, e: OpError) -> ApiError {
    match e {
        OpError::NotFound => ApiError::no_such("charge", id),
        OpError::Refused(r) => {
            // Above what is left depends on the charge, so it is a conflict with its state.
            let status = match r {
                Refusal::AmountNotPositive => StatusCode::BAD_REQUEST,
                _ => StatusCode::CONFLICT,
            };
            match r.param() {
                Some(param) => ApiError {
                    status,
                    ..ApiError::invalid(param, r.code(), r.to_string())
                },
                None => ApiError::conflict(status, r.code(), &r.to_string()),
            }
        }
        OpError::ProviderRefused(message) => ApiError {
            status: StatusCode::PAYMENT_REQUIRED,
            kind: "card_error",
            code: "provider_refused",
            message: format!("The provider refused: {message}"),
            param: None,
        },
        OpError::Provider(e) => ApiError::provider(e),
        OpError::Db(e) => e.into(),
    }
}

const LIST_PARAMS: &[&str] = &[
    "limit",
    "starting_after",
    "ending_before",
    "link",
    "status",
    "reference",
    "email",
    "currency",
    "amount[gte]",
    "amount[lte]",
    "created[gte]",
    "created[lte]",
];

/// `GET /v1/charges?…`: the merchant's charges, searched.
#[utoipa::path(get, path = "/v1/charges", operation_id = "charges_list", tag = "charges", summary = "List and search charges, newest first",
    params(
        ("link" = Option<String>, Query, description = "Only this link's charges (lnk_…)"),
        ("status" = Option<String>, Query, description = "pending, authorized, capturing, voiding, succeeded, refunded, failed, expired or voided"),
        ("reference" = Option<String>, Query, description = "References that start with this"),
        ("email" = Option<String>, Query, description = "The buyer's email from the pay page, or the link's customer_email; exact, case-insensitive"),
        ("currency" = Option<String>, Query, description = "ISO 4217; required with amount[gte] or amount[lte]"),
        ("amount[gte]" = Option<i64>, Query, description = "At least this many minor units of currency"),
        ("amount[lte]" = Option<i64>, Query, description = "At most this many minor units of currency"),
        super::openapi::CreatedRange,
        super::openapi::ChargePage,
    ),
    responses(
        (status = 200, description = "A page of charges", body = super::openapi::ChargeList),
        super::openapi::BadParam,
    ))]
pub async fn list(Call { state, auth }: Call, RawQuery(raw): RawQuery) -> JsonReply {
    let q = Query::parse(raw.as_deref(), LIST_PARAMS)?;
    let status = q.string("status");
    if let Some(s) = &status
        && Status::parse(s).is_none()
    {
        return Err(ApiError::invalid(
            "status",
            "parameter_invalid",
            format!("status {s:?} is not a charge status."),
        ));
    }
    let currency = match q.string("currency") {
        Some(c) => Some(
            Currency::from_code(&c)
                .ok_or_else(|| {
                    ApiError::invalid(
                        "currency",
                        "currency_unsupported",
                        format!("Unsupported currency {c:?}."),
                    )
                })?
                .code()
                .to_owned(),
        ),
        None => None,
    };
    let (amount_gte, amount_lte) = (q.int("amount[gte]")?, q.int("amount[lte]")?);
    if currency.is_none() && (amount_gte.is_some() || amount_lte.is_some()) {
        let param = if amount_gte.is_some() {
            "amount[gte]"
        } else {
            "amount[lte]"
        };
        // A rule between parameters, which the document cannot express.
        return Err(ApiError::unprocessable(
            param,
            "parameter_missing",
            "Searching by amount needs currency too: amounts are minor units of one currency.",
        ));
    }
    let filter = ChargeFilter {
        reference: q.string("reference"),
        email: q.string("email"),
        status,
        created_gte: q.int("created[gte]")?,
        created_lte: q.int("created[lte]")?,
        currency,
        amount_gte,
        amount_lte,
        link_id: q.string("link"),
    };
    let (db, merchant) = (&state.db, &auth.merchant.id);
    let page = list::fetch(
        &q,
        "charge",
        async |id| {
            let charge = find_any_mode(&state, &auth, id).await?;
            Ok(charge
                .filter(|c| c.livemode == auth.livemode)
                .map(|c| c.created_at))
        },
        async |cursor, limit| {
            charges::search(db, merchant, auth.livemode, &filter, cursor, limit).await
        },
    )
    .await?;
    Ok(list::page("/v1/charges", &page, |c| c.to_json()))
}

/// The merchant's charge, if it is one.
/// The merchant's charge with this id, in either mode.
async fn find_any_mode(
    state: &AppState,
    auth: &Authed,
    id: &str,
) -> Result<Option<Charge>, ApiError> {
    let charge = charges::get(state.db.reader(), id).await?;
    Ok(charge.filter(|c| c.merchant_id == auth.merchant.id))
}

/// The merchant's charge with this id in the key's mode, or `resource_missing` naming it.
async fn found(state: &AppState, auth: &Authed, id: &str) -> Result<Charge, ApiError> {
    let charge = find_any_mode(state, auth, id).await?;
    auth.in_mode(charge, |c| c.livemode, "charge", id)
}

/// A capture's, void's or refund's answer: the charge as it now stands.
fn reply(id: &str, done: Result<Charge, OpError>) -> JsonReply {
    done.map(|c| Json(c.to_json())).map_err(|e| op_error(id, e))
}

/// `GET /v1/charges/{id}`
#[utoipa::path(get, path = "/v1/charges/{id}", operation_id = "charges_retrieve", tag = "charges", summary = "Retrieve a charge",
    params(("id" = String, Path, description = "ch_…")),
    responses(
        (status = 200, description = "The charge", body = super::openapi::Charge),
        super::openapi::NoSuchCharge,
    ))]
pub async fn retrieve(Call { state, auth }: Call, Path(id): Path<String>) -> JsonReply {
    Ok(Json(found(&state, &auth, &id).await?.to_json()))
}

/// `POST /v1/charges/{id}/capture`
#[utoipa::path(post, path = "/v1/charges/{id}/capture", operation_id = "charges_capture", tag = "charges", summary = "Capture an authorized charge",
    description = "Takes the money of a charge authorized under `capture_method: manual`: all of it, or a smaller `amount` (the rest of the authorization is released). Only once, and only before `capture_before`; the amount cannot change after capture. Announces `charge.update`.",
    params(("id" = String, Path, description = "ch_…")),
    request_body(content = Option<super::openapi::CaptureCharge>, content_type = "application/json"),
    responses(
        (status = 200, description = "The captured charge (`succeeded`)", body = super::openapi::Charge),
        (status = 400, description = "`amount` not positive", body = super::openapi::Error),
        super::openapi::NoSuchCharge,
        (status = 409, description = "`amount` above the authorization (`amount_too_large`), captured already (`charge_already_captured`), window passed (`authorization_expired`), not authorized (`charge_not_authorized`) or busy (`charge_in_progress`)", body = super::openapi::Error),
        super::openapi::ProviderRefused,
        super::openapi::ProviderUnavailable,
    ))]
pub async fn capture(Call { state, auth }: Call, Path(id): Path<String>, body: Bytes) -> JsonReply {
    let amount = match Params::parse_optional(&body, &["amount"])? {
        Some(p) => p.int("amount")?,
        None => None,
    };
    let captured = capture::capture(&state.services, &auth.merchant.id, &id, amount).await;
    reply(&id, captured)
}

/// `POST /v1/charges/{id}/void`
#[utoipa::path(post, path = "/v1/charges/{id}/void", operation_id = "charges_void", tag = "charges", summary = "Void an authorization",
    description = "Releases the whole authorization of a `capture_method: manual` charge that has not been captured. A captured charge cannot be voided: refund it. Announces `charge.update`.",
    params(("id" = String, Path, description = "ch_…")),
    responses(
        (status = 200, description = "The voided charge", body = super::openapi::Charge),
        super::openapi::NoSuchCharge,
        (status = 409, description = "Captured already (`charge_already_captured`) or not authorized (`charge_not_authorized`)", body = super::openapi::Error),
        super::openapi::ProviderRefused,
        super::openapi::ProviderUnavailable,
    ))]
pub async fn void(Call { state, auth }: Call, Path(id): Path<String>, body: Bytes) -> JsonReply {
    Params::parse_optional(&body, &[])?;
    reply(
        &id,
        capture::void(&state.services, &auth.merchant.id, &id).await,
    )
}

/// `POST /v1/charges/{id}/refund`
#[utoipa::path(post, path = "/v1/charges/{id}/refund", operation_id = "charges_refund", tag = "charges", summary = "Refund a charge, in full or in part",
    description = "Returns `amount` (default: all that is left) of a captured charge to the buyer through the provider. Several partial refunds may be made, up to the captured amount; the charge becomes `refunded` when all of it is returned. Announces `charge.update`. Send an Idempotency-Key to retry safely.",
    params(("id" = String, Path, description = "ch_…")),
    request_body(content = Option<super::openapi::RefundCharge>, content_type = "application/json"),
    responses(
        (status = 200, description = "The charge, with `amount_refunded` updated", body = super::openapi::Charge),
        (status = 400, description = "`amount` not positive, or an unknown `reason`", body = super::openapi::Error),
        super::openapi::NoSuchCharge,
        (status = 409, description = "`amount` above what is left (`amount_too_large`), refunded already (`charge_already_refunded`) or not captured (`charge_not_refundable`)", body = super::openapi::Error),
        super::openapi::ProviderRefused,
        super::openapi::ProviderUnavailable,
    ))]
pub async fn refund(Call { state, auth }: Call, Path(id): Path<String>, body: Bytes) -> JsonReply {
    let (amount, reason) = match Params::parse_optional(&body, &["amount", "reason"])? {
        Some(p) => (p.int("amount")?, p.string("reason")?),
        None => (None, None),
    };
    if let Some(r) = &reason
        && !REASONS.contains(&r.as_str())
    {
        return Err(ApiError::invalid(
            "reason",
            "parameter_invalid",
            format!("reason {r:?} is not one of {}.", REASONS.join(", ")),
        ));
    }
    let merchant = &auth.merchant.id;
    let refunded = refunds::refund(&state.services, merchant, &id, amount, reason.as_deref()).await;
    reply(&id, refunded.map(|(c, _)| c))
}

/// `GET /v1/charges/{id}/refunds`
#[utoipa::path(get, path = "/v1/charges/{id}/refunds", operation_id = "charges_refunds_list", tag = "charges", summary = "List a charge's refunds",
    description = "Oldest first. A `pending` refund is at the provider; a `failed` one returned nothing.",
    params(("id" = String, Path, description = "ch_…")),
    responses(
        (status = 200, description = "The refunds", body = super::openapi::RefundList),
        super::openapi::NoSuchCharge,
    ))]
pub async fn list_refunds(Call { state, auth }: Call, Path(id): Path<String>) -> JsonReply {
    found(&state, &auth, &id).await?;
    let data = refunds::list_for_charge(state.db.reader(), &id)
        .await?
        .iter()
        .map(|r| r.to_json())
        .collect();
    let url = format!("/v1/charges/{id}/refunds");
    Ok(Json(list::json(&url, data, false)))
}
