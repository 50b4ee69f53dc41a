//! Webhook endpoints, the events they are sent and the deliveries.
#![allow(dead_code)] // Read by utoipa only.

use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(ToSchema)]
pub struct CreateWebhookEndpoint {
    /// An absolute http(s) URL on a public address (see docs/webhooks.md on private networks).
    url: String,
    /// Event types to send, or `["*"]` (the default) for all of them.
    enabled_events: Option<Vec<String>>,
    /// For you, at most 500 characters.
    description: Option<String>,
}

#[derive(ToSchema)]
pub struct UpdateWebhookEndpoint {
    url: Option<String>,
    enabled_events: Option<Vec<String>>,
    /// An empty string clears it.
    description: Option<String>,
    /// `true` disables the endpoint (pending deliveries are canceled); `false` enables it.
    disabled: Option<bool>,
}

#[derive(ToSchema)]
pub struct RotateSecret {
    /// Seconds the previous secret keeps signing: default 86400, 0 = stop now, at most 604800.
    expire_previous_in: Option<i64>,
}

#[derive(ToSchema)]
pub struct WebhookEndpoint {
    /// `we_…`
    id: String,
    object: String,
    /// Live or test: it is sent only the events of its own mode.
    livemode: bool,
    url: String,
    enabled_events: Vec<String>,
    description: Option<String>,
    /// `whsec_…`, shown only in the answers that create the endpoint or rotate its secret.
    secret: Option<String>,
    /// `enabled` or `disabled`.
    status: String,
    /// Why it is disabled: `merchant` (you did) or `gone` (it answered 410).
    disabled_reason: Option<String>,
    /// Until when (unix seconds) the previous secret also signs, after a rotation.
    previous_secret_expires: Option<i64>,
    created: i64,
}

list_schema!(WebhookEndpointList of WebhookEndpoint);

#[derive(ToSchema)]
pub struct DeletedWebhookEndpoint {
    id: String,
    object: String,
    /// Always true.
    deleted: bool,
}

/// Something that happened, as webhooks carry it.
#[derive(ToSchema)]
pub struct Event {
    /// `evt_…`, also the `webhook-id` of its deliveries.
    id: String,
    object: String,
    /// `link.created`, `link.deactivated`, `link.expired`, `charge.create`, `charge.complete`
    /// or `charge.update`.
    #[schema(rename = "type")]
    kind: String,
    /// Whether it happened to live or test data.
    livemode: bool,
    created: i64,
    /// The link or charge as the API shows it at the time of the event.
    data: BTreeMap<String, Value>,
}

list_schema!(EventList of Event);

#[derive(ToSchema)]
pub struct Attempt {
    /// Unix seconds.
    attempted: i64,
    /// The receiver's answer, or null when none came (see `error`).
    status_code: Option<i64>,
    error: Option<String>,
    duration_ms: i64,
}

/// One event on its way to one endpoint.
#[derive(ToSchema)]
pub struct Delivery {
    /// `dlv_…`
    id: String,
    object: String,
    event: String,
    endpoint: String,
    url: String,
    /// `pending`, `succeeded`, `failed` (schedule over, or 410) or `canceled` (endpoint
    /// disabled or deleted).
    status: String,
    attempt_count: i64,
    /// When the next attempt is due (unix seconds), while pending.
    next_attempt: Option<i64>,
    last_status_code: Option<i64>,
    last_error: Option<String>,
    attempts: Vec<Attempt>,
}

list_schema!(DeliveryList of Delivery);

#[derive(ToSchema)]
pub struct Resend {
    /// `we_…`: an enabled endpoint of yours.
    endpoint: String,
}

#[derive(ToSchema)]
pub struct Queued {
    id: String,
    object: String,
    event: String,
    endpoint: String,
    status: String,
}
