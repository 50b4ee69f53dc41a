use super::list;
use super::params::Params;
use super::query::Query;
use crate::base::error::ApiError;
use crate::base::qr;
use crate::domain::charges::CaptureMethod;
use crate::domain::links::{
    self, DEFAULT_TTL_SECS, Link, LinkFilter, MAX_DEACTIVATION_MESSAGE_CHARS, MAX_TTL_SECS,
};
use crate::services::links::{Deactivated, NewLink};
use crate::state::AppState;
use crate::web::api::{Authed, Call, JsonReply, StatusReply};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use linkpay_shared::metadata;
use linkpay_shared::token::{
    Amount, MAX_DESCRIPTION_CHARS, MAX_FREE_CHARS, MAX_REFERENCE_CHARS, MAX_TITLE_CHARS,
    MAX_USE_LIMIT, Usage,
};
use linkpay_shared::{Currency, Locale, Money, MoneyError};

/// The dashboard still names the cursor helper here.
pub use super::list::cursor;

pub(crate) const FIELDS: &[&str] = &[
    "amount",
    "custom_amount",
    "currency",
    "title",
    "description",
    "reference",
    "single_use",
    "usage_limit",
    "expires_at",
    "locale",
    "free1",
    "free2",
    "free3",
    "metadata",
    "return_url",
    "capture_method",
    "customer_email",
    "customer_phone",
    "customer_name",
    "send",
];

/// The states a link can be listed by.
pub const STATUSES: &[&str] = &["active", "used", "expired", "deactivated"];

/// `POST /v1/links`
#[utoipa::path(post, path = "/v1/links", operation_id = "links_create", tag = "links",
    summary = "Create a payment link",
    request_body = super::openapi::CreateLink,
    responses(
        (status = 201, description = "Created", body = super::openapi::PaymentLink),
        super::openapi::BadField,
        (status = 401, description = "No or bad API key", body = super::openapi::Error),
        (status = 409, description = "Idempotency-Key reused with another request, or still in use", body = super::openapi::Error),
    ))]
pub async fn create(Call { state, auth }: Call, body: Bytes) -> StatusReply {
    let new = new_link_from(&state, &auth, &body).await?;
    let link =
        crate::services::links::create(&state.services, &auth.merchant, auth.livemode, new).await?;
    tracing::info!(link = %link.id, merchant = %auth.merchant.id, "link created");
    Ok((
        StatusCode::CREATED,
        Json(link.to_json(&state.config.edge_url, state.clock.now())),
    ))
}

/// A link as `POST /v1/links` describes it, checked field by field: every rule of the API
/// (and every error naming its field), for the batch upload too.
pub(crate) async fn new_link_from(
    state: &AppState,
    auth: &Authed,
    body: &[u8],
) -> Result<NewLink, ApiError> {
    let p = Params::parse(body, FIELDS)?;
    let mut new = read_new_link(&p, &auth.merchant.default_locale, state.clock.now())?;
    new.return_url =
        crate::domain::return_urls::for_new_link(&state.db, auth.scope(), p.string("return_url")?)
            .await?;
    new.customer = super::notifications::read_customer(state, auth, &p).await?;
    Ok(new)
}

/// `GET /v1/links/{id}`
#[utoipa::path(get, path = "/v1/links/{id}", operation_id = "links_retrieve", tag = "links", summary = "Retrieve a payment link",
    params(("id" = String, Path, description = "lnk_…")),
    responses(
        (status = 200, description = "The link", body = super::openapi::PaymentLink),
        super::openapi::NoSuchLink,
    ))]
pub async fn retrieve(Call { state, auth }: Call, Path(id): Path<String>) -> JsonReply {
    let link = find(&state, &auth, &id).await?;
    Ok(Json(
        link.to_json(&state.config.edge_url, state.clock.now()),
    ))
}

/// The merchant's link in the key's mode, or a 404.
pub(crate) async fn find(state: &AppState, auth: &Authed, id: &str) -> Result<Link, ApiError> {
    let found = links::get(&state.db, &auth.merchant.id, id).await?;
    auth.in_mode(found, |l| l.livemode, "link", id)
}

const LIST_PARAMS: &[&str] = &[
    "limit",
    "starting_after",
    "ending_before",
    "status",
    "created[gte]",
    "created[lte]",
    "reference",
];

/// `GET /v1/links?status=&created[gte]=&created[lte]=&reference=&limit=&starting_after=`
#[utoipa::path(get, path = "/v1/links", operation_id = "links_list", tag = "links", summary = "List payment links, newest first",
    params(
        ("status" = Option<String>, Query, description = "active, used, expired or deactivated"),
        super::openapi::CreatedRange,
        ("reference" = Option<String>, Query, description = "Exact reference"),
        super::openapi::LinkPage,
    ),
    responses(
        (status = 200, description = "A page of links", body = super::openapi::LinkList),
        super::openapi::BadParam,
    ))]
pub async fn list(Call { state, auth }: Call, RawQuery(raw): RawQuery) -> JsonReply {
    let q = Query::parse(raw.as_deref(), LIST_PARAMS)?;
    let filter = LinkFilter {
        status: q.one_of("status", STATUSES)?,
        created_gte: q.int("created[gte]")?,
        created_lte: q.int("created[lte]")?,
        reference: q.string("reference"),
        ..Default::default()
    };
    let (db, merchant) = (&state.db, &auth.merchant.id);
    let page = list::fetch(
        &q,
        "link",
        async |id| Ok(links::get(db, merchant, id).await?.map(|l| l.created_at)),
        async |cursor, limit| {
            links::list(
                db,
                merchant,
                auth.livemode,
                &filter,
                state.clock.now(),
                cursor,
                limit,
            )
            .await
        },
    )
    .await?;
    Ok(list::page("/v1/links", &page, |l| {
        l.to_json(&state.config.edge_url, state.clock.now())
    }))
}

/// `GET /v1/links/{id}/charges`
#[utoipa::path(get, path = "/v1/links/{id}/charges", operation_id = "links_charges_list", tag = "links", summary = "List a link's charges, newest first",
    params(
        ("id" = String, Path, description = "lnk_…"),
        super::openapi::LinkChargePage,
    ),
    responses(
        (status = 200, description = "A page of charges", body = super::openapi::ChargeList),
        super::openapi::NoSuchLink,
    ))]
pub async fn charges(
    Call { state, auth }: Call,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> JsonReply {
    let q = Query::parse(raw.as_deref(), list::PAGE_PARAMS)?;
    let link = find(&state, &auth, &id).await?;
    let page = list::fetch(
        &q,
        "charge on this link",
        async |charge_id| {
            let charge = crate::domain::charges::get(state.db.reader(), charge_id).await?;
            Ok(charge
                .filter(|c| c.link_id == link.id)
                .map(|c| c.created_at))
        },
        async |cursor, limit| {
            crate::domain::charges::list_for_link(&state.db, &link.id, cursor, limit).await
        },
    )
    .await?;
    let url = format!("/v1/links/{}/charges", link.id);
    Ok(list::page(&url, &page, |c| c.to_json()))
}

/// `GET /v1/links/{id}/qr.svg`
#[utoipa::path(get, path = "/v1/links/{id}/qr.svg", operation_id = "links_qr_svg", tag = "links", summary = "A QR code of the link (SVG)",
    description = "Encodes the short URL where the link has one, else the full URL. Error correction level M, 4-module quiet zone.",
    params(("id" = String, Path, description = "lnk_…")),
    responses(
        (status = 200, description = "image/svg+xml", content_type = "image/svg+xml", body = String),
        super::openapi::NoSuchLink,
    ))]
pub async fn qr_svg(
    Call { state, auth }: Call,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let link = find(&state, &auth, &id).await?;
    let svg = qr::svg(&link.share_url(&state.config.edge_url)).map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

/// `GET /v1/links/{id}/qr.png?scale=8`
#[utoipa::path(get, path = "/v1/links/{id}/qr.png", operation_id = "links_qr_png", tag = "links", summary = "A QR code of the link (PNG)",
    description = "As qr.svg, as a 1-bit PNG with `scale` pixels per module.",
    params(
        ("id" = String, Path, description = "lnk_…"),
        ("scale" = Option<u32>, Query, description = "Pixels per module, 1-32, default 8"),
    ),
    responses(
        (status = 200, description = "image/png", content_type = "image/png", body = Vec<u8>),
        (status = 400, description = "scale out of range", body = super::openapi::Error),
        super::openapi::NoSuchLink,
    ))]
pub async fn qr_png(
    Call { state, auth }: Call,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref(), &["scale"])?;
    let scale = q.int("scale")?.unwrap_or(8);
    if !(1..=32).contains(&scale) {
        return Err(ApiError::invalid(
            "scale",
            "parameter_invalid",
            "scale must be between 1 and 32 pixels per module.",
        ));
    }
    let link = find(&state, &auth, &id).await?;
    let png = qr::png(&link.share_url(&state.config.edge_url), scale as u32)
        .map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}

/// `POST /v1/links/{id}/deactivate` with an optional `{"message": "…"}` for buyers.
#[utoipa::path(post, path = "/v1/links/{id}/deactivate", operation_id = "links_deactivate", tag = "links",
    summary = "Deactivate a link",
    description = "New checkouts are refused at once and the pay page says so within seconds. A payment already at the provider still completes. Deactivating again changes nothing.",
    params(("id" = String, Path, description = "lnk_…")),
    request_body(content = Option<super::openapi::Deactivate>),
    responses(
        (status = 200, description = "The deactivated link", body = super::openapi::PaymentLink),
        super::openapi::NoSuchLink,
        (status = 409, description = "The link is used: it takes no more payments anyway", body = super::openapi::Error),
    ))]
pub async fn deactivate(
    Call { state, auth }: Call,
    Path(id): Path<String>,
    body: Bytes,
) -> JsonReply {
    let message = match Params::parse_optional(&body, &["message"])? {
        Some(p) => p.string("message")?.filter(|m| !m.is_empty()),
        None => None,
    };
    if let Some(m) = &message {
        text("message", m, MAX_DEACTIVATION_MESSAGE_CHARS)?;
    }
    find(&state, &auth, &id).await?;
    match crate::services::links::deactivate(&state.services, &auth.merchant.id, &id, message)
        .await?
    {
        Some(Deactivated::Now(link)) | Some(Deactivated::Already(link)) => Ok(Json(
            link.to_json(&state.config.edge_url, state.clock.now()),
        )),
        Some(Deactivated::Used(_)) => Err(ApiError::conflict(
            StatusCode::CONFLICT,
            "link_used",
            "This link has already taken all its payments; there is nothing to deactivate.",
        )),
        None => Err(ApiError::no_such("link", &id)),
    }
}

fn read_new_link(p: &Params, default_locale: &str, now: i64) -> Result<NewLink, ApiError> {
    let code = p.required("currency", Params::string)?;
    let currency = Currency::from_code(&code).ok_or_else(|| {
        let supported: Vec<&str> = Currency::ALL.iter().map(|c| c.code()).collect();
        ApiError::invalid(
            "currency",
            "currency_unsupported",
            format!(
                "Unsupported currency {code:?}. Supported: {}.",
                supported.join(", ")
            ),
        )
    })?;
    let custom = p.object("custom_amount", &["minimum", "maximum"])?;
    let amount = match (p.int("amount")?, custom) {
        (Some(minor), None) => Amount::Fixed(money("amount", minor, currency)?),
        (None, Some(c)) => {
            let min = c.int("minimum")?.unwrap_or(1);
            let max = c.int("maximum")?.unwrap_or(currency.max_minor());
            money("custom_amount[minimum]", min, currency)?;
            money("custom_amount[maximum]", max, currency)?;
            if min > max {
                return Err(ApiError::unprocessable(
                    "custom_amount[minimum]",
                    "amount_invalid",
                    format!(
                        "custom_amount[minimum] ({min}) is above custom_amount[maximum] ({max})."
                    ),
                ));
            }
            Amount::BuyerChosen { currency, min, max }
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "custom_amount",
                "parameter_invalid",
                "Give either amount (a fixed price) or custom_amount (the buyer chooses), not both.",
            ));
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "amount",
                "parameter_missing",
                "Missing required parameter: amount (or custom_amount for an amount the buyer chooses).",
            ));
        }
    };
    let title = p.required("title", Params::string)?;
    text("title", &title, MAX_TITLE_CHARS)?;
    let optional = |name: &str, max: usize| -> Result<Option<String>, ApiError> {
        let v = p.string(name)?.filter(|s| !s.is_empty());
        if let Some(v) = &v {
            text(name, v, max)?;
        }
        Ok(v)
    };
    let description = optional("description", MAX_DESCRIPTION_CHARS)?;
    let reference = optional("reference", MAX_REFERENCE_CHARS)?;
    let free = [
        optional("free1", MAX_FREE_CHARS)?,
        optional("free2", MAX_FREE_CHARS)?,
        optional("free3", MAX_FREE_CHARS)?,
    ];
    let metadata = p.string_map("metadata")?.unwrap_or_default();
    metadata::validate(&metadata).map_err(|e| {
        let param = e
            .key()
            .map_or_else(|| "metadata".to_owned(), |k| format!("metadata[{k}]"));
        ApiError::invalid(&param, "metadata_invalid", format!("{e}."))
    })?;
    let single_use = p.bool("single_use")?.unwrap_or(true);
    let usage = match (single_use, p.int("usage_limit")?) {
        (true, None) => Usage::SingleUse,
        (true, Some(_)) => {
            return Err(ApiError::invalid(
                "usage_limit",
                "parameter_invalid",
                "usage_limit is for multi-use links: also send \"single_use\": false.",
            ));
        }
        (false, None) => Usage::MultiUse,
        (false, Some(n)) => {
            let n = u32::try_from(n)
                .ok()
                .filter(|n| (2..=MAX_USE_LIMIT).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid(
                        "usage_limit",
                        "parameter_invalid",
                        format!("usage_limit must be between 2 and {MAX_USE_LIMIT} (for one payment use single_use)."),
                    )
                })?;
            Usage::Limited(n)
        }
    };
    let expires_at = p.int("expires_at")?.unwrap_or(now + DEFAULT_TTL_SECS);
    if expires_at <= now {
        return Err(ApiError::unprocessable(
            "expires_at",
            "parameter_invalid",
            "expires_at is in the past: give a future time in unix seconds.",
        ));
    }
    if expires_at > now + MAX_TTL_SECS {
        return Err(ApiError::unprocessable(
            "expires_at",
            "parameter_invalid",
            "expires_at may be at most 365 days from now.",
        ));
    }
    let locale_tag = p
        .string("locale")?
        .unwrap_or_else(|| default_locale.to_owned());
    let locale = match locale_tag.as_str() {
        "ja" => Locale::Ja,
        "en" => Locale::En,
        other => {
            return Err(ApiError::invalid(
                "locale",
                "parameter_invalid",
                format!("locale {other:?} is not supported: use \"ja\" or \"en\"."),
            ));
        }
    };
    let capture_method = match p.string("capture_method")?.as_deref() {
        None | Some("automatic") => CaptureMethod::Automatic,
        Some("manual") => CaptureMethod::Manual,
        Some(other) => {
            return Err(ApiError::invalid(
                "capture_method",
                "parameter_invalid",
                format!(
                    "capture_method {other:?} is not supported: use \"automatic\" or \"manual\"."
                ),
            ));
        }
    };
    Ok(NewLink {
        capture_method,
        amount,
        title,
        description,
        reference,
        usage,
        expires_at,
        locale,
        free,
        metadata,
        return_url: None,
        customer: Default::default(),
    })
}

/// A positive amount within the currency's maximum, or an error naming `param`.
fn money(param: &str, minor: i64, currency: Currency) -> Result<Money, ApiError> {
    Money::new(minor, currency).map_err(|e| {
        let message = match e {
            MoneyError::NotPositive => format!(
                "{param} must be a positive integer in minor units (e.g. 1500 for ¥1,500 or $15.00)."
            ),
            MoneyError::OverMaximum { max, .. } => format!(
                "{param} {minor} exceeds the {currency} maximum of {max} ({}).",
                Money::new(max, currency)
                    .map(|m| m.format(Locale::En))
                    .unwrap_or_default()
            ),
        };
        ApiError::invalid(param, "amount_invalid", message)
    })
}

fn text(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.trim().is_empty() {
        return Err(ApiError::invalid(
            field,
            "parameter_invalid",
            format!("{field} must not be blank."),
        ));
    }
    let n = value.chars().count();
    if n > max {
        return Err(ApiError::invalid(
            field,
            "parameter_invalid",
            format!("{field} is {n} characters; the maximum is {max}."),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            field,
            "parameter_invalid",
            format!("{field} must not contain control characters such as newlines."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
