use super::list;
use super::params::Params;
use super::query::Query;
use crate::base::error::ApiError;
use crate::domain::webhooks::endpoints::EVENT_TYPES;
use crate::domain::webhooks::events::{self, Event, EventFilter, Resend};
use crate::state::AppState;
use crate::web::api::{Authed, Call, JsonReply, StatusReply};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use serde_json::json;

const LIST_PARAMS: &[&str] = &[
    "type",
    "created[gte]",
    "created[lte]",
    "limit",
    "starting_after",
    "ending_before",
];

/// `GET /v1/events`
#[utoipa::path(get, path = "/v1/events", operation_id = "events_list", tag = "events",
    summary = "List events, newest first",
    params(
        ("type" = Option<String>, Query, description = "Only events of this type, e.g. charge.complete"),
        super::openapi::CreatedRange,
        super::openapi::EventPage,
    ),
    responses(
        (status = 200, description = "A page of events", body = super::openapi::EventList),
        super::openapi::BadParam,
    ))]
pub async fn list(Call { state, auth }: Call, RawQuery(raw): RawQuery) -> JsonReply {
    let q = Query::parse(raw.as_deref(), LIST_PARAMS)?;
    let kind = q.string("type");
    if let Some(k) = &kind
        && !EVENT_TYPES.contains(&k.as_str())
    {
        return Err(ApiError::invalid(
            "type",
            "parameter_invalid",
            format!(
                "type {k:?} is not an event type. Known: {}.",
                EVENT_TYPES.join(", ")
            ),
        ));
    }
    let filter = EventFilter {
        kind,
        created_gte: q.int("created[gte]")?,
        created_lte: q.int("created[lte]")?,
    };
    let (db, merchant) = (&state.db, &auth.merchant.id);
    let page = list::fetch(
        &q,
        "event",
        async |id| {
            let found = events::get(db, merchant, id).await?;
            Ok(found
                .filter(|e| e.livemode == auth.livemode)
                .map(|e| e.created_at))
        },
        async |cursor, limit| events::list(db, auth.scope(), &filter, cursor, limit).await,
    )
    .await?;
    Ok(list::page("/v1/events", &page, Event::to_json))
}

/// `GET /v1/events/{id}`
#[utoipa::path(get, path = "/v1/events/{id}", operation_id = "events_retrieve", tag = "events",
    summary = "Retrieve an event",
    params(("id" = String, Path, description = "evt_…")),
    responses(
        (status = 200, description = "The event", body = super::openapi::Event),
        super::openapi::NoSuchEvent,
    ))]
pub async fn retrieve(Call { state, auth }: Call, Path(id): Path<String>) -> JsonReply {
    Ok(Json(find(&state, &auth, &id).await?.to_json()))
}

/// `GET /v1/events/{id}/deliveries`
#[utoipa::path(get, path = "/v1/events/{id}/deliveries", operation_id = "events_deliveries_list", tag = "events",
    summary = "An event's webhook deliveries, each with every attempt",
    params(("id" = String, Path, description = "evt_…")),
    responses(
        (status = 200, description = "Every delivery of the event", body = super::openapi::DeliveryList),
        super::openapi::NoSuchEvent,
    ))]
pub async fn deliveries(Call { state, auth }: Call, Path(id): Path<String>) -> JsonReply {
    find(&state, &auth, &id).await?;
    let data = events::deliveries(&state.db, &id).await?;
    let url = format!("/v1/events/{id}/deliveries");
    Ok(Json(list::json(&url, data, false)))
}

/// `POST /v1/events/{id}/resend`
#[utoipa::path(post, path = "/v1/events/{id}/resend", operation_id = "events_resend", tag = "events",
    summary = "Send an event again to one endpoint",
    description = "Queues a new delivery, due now, with its own retries. The endpoint must be enabled; its event filter is not applied (you asked for this one).",
    params(("id" = String, Path, description = "evt_…")),
    request_body = super::openapi::Resend,
    responses(
        (status = 202, description = "Queued", body = super::openapi::Queued),
        (status = 400, description = "`endpoint` is missing or names no endpoint of yours", body = super::openapi::Error),
        super::openapi::NoSuchEvent,
        (status = 409, description = "The endpoint is disabled (`endpoint_disabled`)", body = super::openapi::Error),
    ))]
pub async fn resend(
    Call { state, auth }: Call,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusReply {
    let p = Params::parse(&body, &["endpoint"])?;
    let endpoint = p.required("endpoint", Params::string)?;
    let event = find(&state, &auth, &id).await?;
    match events::resend(&state.db, &state.clock, &event, &endpoint).await? {
        Resend::Queued(delivery) => {
            state.services.outbox.notify_one();
            tracing::info!(event = %id, endpoint = %endpoint, %delivery, "event queued again");
            Ok((
                StatusCode::ACCEPTED,
                Json(json!({"object": "webhook_delivery", "id": delivery, "event": id, "endpoint": endpoint, "status": "pending"})),
            ))
        }
        Resend::NoSuchEndpoint => Err(ApiError::not_found(
            "resource_missing",
            format!("No such webhook endpoint in this mode: {endpoint}"),
        )
        .with_param("endpoint")),
        Resend::EndpointDisabled => Err(ApiError::conflict(
            StatusCode::CONFLICT,
            "endpoint_disabled",
            "That endpoint is disabled. Enable it (POST /v1/webhook_endpoints/{id} with disabled: false) and resend.",
        )
        .with_param("endpoint")),
    }
}

async fn find(state: &AppState, auth: &Authed, id: &str) -> Result<Event, ApiError> {
    let found = events::get(&state.db, &auth.merchant.id, id).await?;
    auth.in_mode(found, |e| e.livemode, "event", id)
}
