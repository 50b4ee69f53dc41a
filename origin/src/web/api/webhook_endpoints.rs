use super::list;
use super::params::Params;
use super::query::Query;
use crate::base::error::ApiError;
use crate::domain::webhooks::endpoints::{
    self, Endpoint, MAX_ROTATION_OVERLAP_SECS, NewEndpoint, Update,
};
use crate::domain::webhooks::ssrf;
use crate::state::AppState;
use crate::web::api::{Authed, Call, JsonReply, StatusReply};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use serde_json::json;

const MAX_DESCRIPTION_CHARS: usize = 500;
/// Seconds the old secret keeps signing after a rotation unless the merchant says otherwise.
const DEFAULT_ROTATION_OVERLAP_SECS: i64 = 24 * 3600;

/// `POST /v1/webhook_endpoints`. The answer holds the signing secret; it is not shown again.
#[utoipa::path(post, path = "/v1/webhook_endpoints", operation_id = "webhook_endpoints_create", tag = "webhooks",
    summary = "Register a webhook endpoint",
    request_body = super::openapi::CreateWebhookEndpoint,
    responses(
        (status = 201, description = "Created; the secret is shown only here", body = super::openapi::WebhookEndpoint),
        (status = 400, description = "A field is wrong (the URL is not http(s), or points into a private network); `param` names it", body = super::openapi::Error),
    ))]
pub async fn create(Call { state, auth }: Call, body: Bytes) -> StatusReply {
    let p = Params::parse(&body, &["url", "enabled_events", "description"])?;
    let url = p.required("url", Params::string)?;
    check_url(&state, &url).await?;
    let enabled_events = read_events(&p)?.unwrap_or_else(|| vec!["*".into()]);
    let description = read_description(&p)?.flatten();
    let (created, secret) = endpoints::create(
        &state.db,
        &state.clock,
        &state.services.master_keys,
        auth.scope(),
        NewEndpoint {
            url,
            enabled_events,
            description,
        },
    )
    .await?;
    tracing::info!(endpoint = %created.id, merchant = %auth.merchant.id, "webhook endpoint created");
    Ok((
        StatusCode::CREATED,
        Json(created.to_json_with_secret(state.clock.now(), &secret)),
    ))
}

/// `GET /v1/webhook_endpoints`
#[utoipa::path(get, path = "/v1/webhook_endpoints", operation_id = "webhook_endpoints_list", tag = "webhooks",
    summary = "List webhook endpoints, newest first",
    params(
        super::openapi::EndpointPage,
    ),
    responses(
        (status = 200, description = "A page of endpoints, without secrets", body = super::openapi::WebhookEndpointList),
        (status = 400, description = "A parameter is wrong", body = super::openapi::Error),
    ))]
pub async fn list(Call { state, auth }: Call, RawQuery(raw): RawQuery) -> JsonReply {
    let q = Query::parse(raw.as_deref(), list::PAGE_PARAMS)?;
    let (db, merchant) = (&state.db, &auth.merchant.id);
    let page = list::fetch(
        &q,
        "webhook endpoint",
        async |id| {
            let found = endpoints::get(db, merchant, id).await?;
            Ok(found
                .filter(|e| e.livemode == auth.livemode)
                .map(|e| e.created_at))
        },
        async |cursor, limit| endpoints::list(db, auth.scope(), cursor, limit).await,
    )
    .await?;
    Ok(list::page("/v1/webhook_endpoints", &page, |e| {
        e.to_json(state.clock.now())
    }))
}

/// `GET /v1/webhook_endpoints/{id}`
#[utoipa::path(get, path = "/v1/webhook_endpoints/{id}", operation_id = "webhook_endpoints_retrieve", tag = "webhooks",
    summary = "Retrieve a webhook endpoint",
    params(("id" = String, Path, description = "we_…")),
    responses(
        (status = 200, description = "The endpoint, without its secret", body = super::openapi::WebhookEndpoint),
        super::openapi::NoSuchEndpoint,
    ))]
pub async fn retrieve(Call { state, auth }: Call, Path(id): Path<String>) -> JsonReply {
    let e = find(&state, &auth, &id).await?;
    Ok(Json(e.to_json(state.clock.now())))
}

/// `POST /v1/webhook_endpoints/{id}`
#[utoipa::path(post, path = "/v1/webhook_endpoints/{id}", operation_id = "webhook_endpoints_update", tag = "webhooks",
    summary = "Update a webhook endpoint",
    description = "Change its URL, event filter or description, or disable (`disabled: true`) and re-enable it. Disabling cancels its pending deliveries; an endpoint disabled because it answered 410 is re-enabled the same way.",
    params(("id" = String, Path, description = "we_…")),
    request_body = super::openapi::UpdateWebhookEndpoint,
    responses(
        (status = 200, description = "The updated endpoint", body = super::openapi::WebhookEndpoint),
        super::openapi::BadField,
        super::openapi::NoSuchEndpoint,
    ))]
pub async fn update(Call { state, auth }: Call, Path(id): Path<String>, body: Bytes) -> JsonReply {
    let p = Params::parse(&body, &["url", "enabled_events", "description", "disabled"])?;
    let url = p.string("url")?;
    if let Some(url) = &url {
        check_url(&state, url).await?;
    }
    let update = Update {
        url,
        enabled_events: read_events(&p)?,
        description: read_description(&p)?,
        disabled: p.bool("disabled")?,
    };
    find(&state, &auth, &id).await?;
    let e = endpoints::update(&state.db, state.clock.now(), &auth.merchant.id, &id, update)
        .await?
        .ok_or_else(|| missing(&id))?;
    tracing::info!(endpoint = %id, status = %e.to_json(state.clock.now())["status"], "webhook endpoint updated");
    Ok(Json(e.to_json(state.clock.now())))
}

/// `DELETE /v1/webhook_endpoints/{id}`
#[utoipa::path(delete, path = "/v1/webhook_endpoints/{id}", operation_id = "webhook_endpoints_delete", tag = "webhooks",
    summary = "Delete a webhook endpoint",
    description = "It gets no more deliveries; pending ones are canceled. Its past deliveries stay visible on the events.",
    params(("id" = String, Path, description = "we_…")),
    responses(
        (status = 200, description = "Deleted", body = super::openapi::DeletedWebhookEndpoint),
        super::openapi::NoSuchEndpoint,
    ))]
pub async fn delete(Call { state, auth }: Call, Path(id): Path<String>) -> JsonReply {
    find(&state, &auth, &id).await?;
    if !endpoints::delete(&state.db, state.clock.now(), &auth.merchant.id, &id).await? {
        return Err(missing(&id));
    }
    tracing::info!(endpoint = %id, "webhook endpoint deleted");
    Ok(Json(
        json!({"id": id, "object": "webhook_endpoint", "deleted": true}),
    ))
}

/// `POST /v1/webhook_endpoints/{id}/rotate_secret`
#[utoipa::path(post, path = "/v1/webhook_endpoints/{id}/rotate_secret", operation_id = "webhook_endpoints_rotate_secret", tag = "webhooks",
    summary = "Rotate an endpoint's signing secret",
    description = "Answers the new secret, once. Until `expire_previous_in` seconds have passed (default 86400, 0 = at once, at most 604800) every delivery carries two signatures, one per secret, so the receiver can switch over without missing an event.",
    params(("id" = String, Path, description = "we_…")),
    request_body(content = Option<super::openapi::RotateSecret>),
    responses(
        (status = 200, description = "The endpoint with its new secret", body = super::openapi::WebhookEndpoint),
        (status = 400, description = "`expire_previous_in` is out of range", body = super::openapi::Error),
        super::openapi::NoSuchEndpoint,
    ))]
pub async fn rotate_secret(
    Call { state, auth }: Call,
    Path(id): Path<String>,
    body: Bytes,
) -> JsonReply {
    let overlap = match Params::parse_optional(&body, &["expire_previous_in"])? {
        Some(p) => p.int("expire_previous_in")?,
        None => None,
    }
    .unwrap_or(DEFAULT_ROTATION_OVERLAP_SECS);
    find(&state, &auth, &id).await?;
    if !(0..=MAX_ROTATION_OVERLAP_SECS).contains(&overlap) {
        return Err(ApiError::invalid(
            "expire_previous_in",
            "parameter_invalid",
            format!(
                "expire_previous_in must be 0 to {MAX_ROTATION_OVERLAP_SECS} seconds (7 days)."
            ),
        ));
    }
    let (e, secret) = endpoints::rotate_secret(
        &state.db,
        state.clock.now(),
        &state.services.master_keys,
        &auth.merchant.id,
        &id,
        overlap,
    )
    .await?
    .ok_or_else(|| missing(&id))?;
    tracing::info!(endpoint = %id, overlap, "webhook secret rotated");
    Ok(Json(e.to_json_with_secret(state.clock.now(), &secret)))
}

/// A URL of the wrong shape breaks the OpenAPI document's pattern (400); one of the right
/// shape that the URL parser or the private-network rule refuses is 422.
async fn check_url(state: &AppState, url: &str) -> Result<(), ApiError> {
    let shaped = url.len() <= 2048 && crate::base::url::shape::is_webhook_url(url);
    let parsed = endpoints::check_url(url).map_err(|m| {
        if shaped {
            ApiError::unprocessable("url", "url_invalid", m)
        } else {
            ApiError::invalid("url", "url_invalid", m)
        }
    })?;
    if !shaped {
        return Err(ApiError::invalid(
            "url",
            "url_invalid",
            "url must be http(s)://host[:port][/path]: a host of letters, digits, dots and hyphens (or [IPv6]), a port from 1 to 65535, printable ASCII after it.",
        ));
    }
    if !state.config.webhook_allow_private_networks {
        ssrf::check_host(&parsed)
            .await
            .map_err(|m| ApiError::unprocessable("url", "url_invalid", m))?;
    }
    Ok(())
}

fn read_events(p: &Params) -> Result<Option<Vec<String>>, ApiError> {
    let Some(list) = p.string_list("enabled_events")? else {
        return Ok(None);
    };
    endpoints::check_events(&list).map_err(|(i, m)| {
        ApiError::invalid(&format!("enabled_events[{i}]"), "parameter_invalid", m)
    })?;
    Ok(Some(list))
}

/// `Some(None)` clears the description (an empty string).
fn read_description(p: &Params) -> Result<Option<Option<String>>, ApiError> {
    let Some(d) = p.string("description")? else {
        return Ok(None);
    };
    if d.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ApiError::invalid(
            "description",
            "parameter_invalid",
            format!("description must be at most {MAX_DESCRIPTION_CHARS} characters."),
        ));
    }
    Ok(Some((!d.is_empty()).then_some(d)))
}

fn missing(id: &str) -> ApiError {
    ApiError::no_such("webhook endpoint", id)
}

/// The merchant's endpoint in the key's mode.
async fn find(state: &AppState, auth: &Authed, id: &str) -> Result<Endpoint, ApiError> {
    let found = endpoints::get(&state.db, &auth.merchant.id, id).await?;
    auth.in_mode(found, |e| e.livemode, "webhook endpoint", id)
}
