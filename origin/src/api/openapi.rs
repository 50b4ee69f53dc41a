//! The OpenAPI 3.1 description of `/v1`, generated from the handlers' `#[utoipa::path]`
//! annotations and the schema types below, served at `GET /v1/openapi.json`.
//!
//! Handlers read request bodies field by field (see `params.rs`) and build responses with
//! `json!`, so the schema types here are descriptions, not the code path. The tests at the
//! bottom keep the two from drifting: every route is described, request schemas list exactly
//! the fields the handlers accept, and response schemas exactly the fields they return.

use axum::Json;
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// `GET /v1/openapi.json`, unauthenticated like any public API description.
pub async fn document() -> Json<Value> {
    Json(serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "linkpay API",
        description = "Payment links: create, list and deactivate links, read their charges, \
                       and register webhook endpoints. Money is always an integer in the \
                       currency's minor units (1500 = ¥1,500 or $15.00). Every POST accepts an \
                       Idempotency-Key header. Errors share one shape: {\"error\": {type, code, \
                       message, param}}.",
        license(name = "Apache-2.0")
    ),
    paths(
        super::links::create,
        super::links::list,
        super::links::retrieve,
        super::links::deactivate,
        super::links::charges,
        super::links::qr_svg,
        super::links::qr_png,
        super::charges::list,
        super::branding::retrieve,
        super::branding::update,
        super::batches::create,
        super::batches::list,
        super::batches::retrieve,
        super::batches::results,
        super::batches::sample,
        super::charges::retrieve,
        super::charges::refund,
        super::charges::capture,
        super::charges::void,
        super::charges::list_refunds,
        super::payment_methods::retrieve,
        super::payment_methods::update,
        super::webhook_endpoints::create,
        super::webhook_endpoints::list,
        super::webhook_endpoints::retrieve,
        super::webhook_endpoints::update,
        super::webhook_endpoints::delete,
        super::webhook_endpoints::rotate_secret,
        super::events::list,
        super::events::retrieve,
        super::events::deliveries,
        super::events::resend,
        super::return_urls::create,
        super::return_urls::list,
        super::return_urls::retrieve,
        super::return_urls::delete,
        super::notifications::send_link,
        super::notifications::list,
        super::notifications::retrieve,
        super::notifications::settings::settings_retrieve,
        super::notifications::settings::settings_update,
        super::notifications::templates::templates_list,
        super::notifications::templates::template_retrieve,
        super::notifications::templates::template_save,
        super::notifications::templates::template_delete,
        super::notifications::templates::template_preview,
    ),
    components(schemas(
        CreateLink,
        CustomAmount,
        Deactivate,
        PaymentLink,
        LinkList,
        Charge,
        ChargeList,
        Batch,
        Branding,
        BatchProgress,
        BatchList,
        PaymentMethod,
        Card,
        CaptureCharge,
        RefundCharge,
        Refund,
        RefundList,
        PaymentMethodSettings,
        UpdatePaymentMethodSettings,
        MethodSetting,
        WalletSetting,
        CreateWebhookEndpoint,
        UpdateWebhookEndpoint,
        RotateSecret,
        WebhookEndpoint,
        WebhookEndpointList,
        DeletedWebhookEndpoint,
        Event,
        EventList,
        Delivery,
        Attempt,
        DeliveryList,
        Resend,
        Queued,
        CreateReturnUrl,
        ReturnUrl,
        ReturnUrlList,
        DeletedReturnUrl,
        super::notifications::schema::SendLink,
        super::notifications::schema::Notification,
        super::notifications::schema::NotificationList,
        super::notifications::schema::NotificationSettings,
        super::notifications::schema::KindSetting,
        super::notifications::schema::MerchantNoticeSetting,
        super::notifications::schema::UpdateNotificationSettings,
        super::notifications::schema::NotificationTemplate,
        super::notifications::schema::NotificationTemplateList,
        super::notifications::schema::SaveNotificationTemplate,
        super::notifications::schema::PreviewNotificationTemplate,
        super::notifications::schema::NotificationPreview,
        Error,
        ErrorDetail,
    )),
    modifiers(&BearerAuth),
    security(("secret_key" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "secret_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("sk_test_…")
                    .description(Some("Your secret API key: Authorization: Bearer sk_test_…"))
                    .build(),
            ),
        );
    }
}

/// A new payment link. Give `amount` for a fixed price or `custom_amount` for an amount the
/// buyer chooses, not both.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CreateLink {
    /// Fixed amount in minor units, 1 to the currency's maximum.
    amount: Option<i64>,
    custom_amount: Option<CustomAmount>,
    /// ISO 4217: JPY, USD, EUR, GBP, THB, SGD, MYR or KRW (case-insensitive).
    currency: String,
    /// Shown on the pay page; 1-100 characters.
    title: String,
    /// 1-300 characters.
    description: Option<String>,
    /// Your order or invoice number, 1-64 characters; searchable.
    reference: Option<String>,
    /// Default true: one completed payment.
    single_use: Option<bool>,
    /// With `single_use: false`: at most this many completed payments (2-1,000,000). Omit for
    /// unlimited.
    usage_limit: Option<i64>,
    /// Unix seconds, in the future and at most 365 days ahead. Default 30 days.
    expires_at: Option<i64>,
    /// `ja` or `en`; default the merchant's.
    locale: Option<String>,
    /// Free text for your own use, 1-100 characters; never shown to the buyer.
    free1: Option<String>,
    free2: Option<String>,
    free3: Option<String>,
    /// Up to 20 keys (1-40 of `A-Z a-z 0-9 _ - .`) with string values of 1-500 characters;
    /// never shown to the buyer.
    metadata: Option<BTreeMap<String, String>>,
    /// One of your return URLs (`ru_…`): buyers go back there after paying, with signed
    /// result fields. Without one they see linkpay's result page.
    return_url: Option<String>,
    /// `automatic` (default): money is taken when the buyer pays. `manual`: it is only
    /// authorized, and you capture it with `POST /v1/charges/{id}/capture` within the
    /// provider's window (30 days for the sandbox and LINE Pay) or it is released.
    capture_method: Option<String>,
    /// The buyer's email: the payment request (with `send`) and the receipt go there.
    customer_email: Option<String>,
    /// The buyer's mobile number in E.164 (`+819012345678`; spaces and hyphens are removed).
    customer_phone: Option<String>,
    /// Used in messages to the buyer; at most 100 characters.
    customer_name: Option<String>,
    /// Send the payment request now: `["email"]`, `["sms"]` or both. Needs the matching
    /// customer field.
    send: Option<Vec<String>>,
}

/// Bounds for an amount the buyer chooses, inclusive, in minor units.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CustomAmount {
    /// Default 1.
    minimum: Option<i64>,
    /// Default the currency's maximum.
    maximum: Option<i64>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Deactivate {
    /// Shown to buyers who open the link, up to 500 characters.
    message: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PaymentLink {
    id: String,
    /// Always `payment_link`.
    object: String,
    /// The signed link: the edge verifies it with no database.
    url: String,
    /// `https://<edge>/p/<code>`, short enough for one SMS segment.
    short_url: Option<String>,
    /// `active`, `used` (its limit reached), `expired` or `deactivated`.
    status: String,
    /// Fixed amount in minor units; null when the buyer chooses.
    amount: Option<i64>,
    custom_amount: Option<CustomAmount>,
    currency: String,
    title: String,
    description: Option<String>,
    reference: Option<String>,
    single_use: bool,
    /// 1 for single use; null for unlimited.
    usage_limit: Option<i64>,
    /// Completed payments so far.
    paid_count: i64,
    locale: String,
    expires_at: i64,
    free1: Option<String>,
    free2: Option<String>,
    free3: Option<String>,
    metadata: BTreeMap<String, String>,
    deactivation_message: Option<String>,
    deactivated_at: Option<i64>,
    /// `api`, or `offline` for a link signed with `linkpay link sign` (recorded at its first
    /// checkout).
    source: String,
    /// The return URL (`ru_…`) buyers go back to, if any.
    return_url: Option<String>,
    /// `automatic` or `manual`.
    capture_method: String,
    customer_email: Option<String>,
    customer_phone: Option<String>,
    customer_name: Option<String>,
    livemode: bool,
    /// Unix seconds.
    created: i64,
}

/// One buyer's attempt to pay a link. It carries the link's reference, free fields and
/// metadata as they were when the charge was made.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Charge {
    id: String,
    /// Always `charge`.
    object: String,
    /// The link id.
    link: String,
    amount: i64,
    currency: String,
    /// `pending` (buyer at the provider), `authorized` (manual capture: held, not yet
    /// taken), `capturing`/`voiding` (briefly, while the provider is asked), `succeeded`
    /// (captured; partly refunded charges stay `succeeded`), `refunded` (wholly), `voided`
    /// (`failure_code` `authorization_expired` if released because the window passed),
    /// `failed` or `expired`. See docs/payments.md.
    status: String,
    /// The buyer paid (authorized or captured; true for a refunded charge too).
    paid: bool,
    /// Money was taken: `amount_captured` > 0.
    captured: bool,
    refunded: bool,
    /// Minor units taken from the buyer.
    amount_captured: i64,
    /// Minor units returned to the buyer by refunds that succeeded.
    amount_refunded: i64,
    /// `automatic` or `manual` (from the link).
    capture_method: String,
    /// Unix seconds: capture an authorized charge before this.
    capture_before: Option<i64>,
    failure_code: Option<String>,
    failure_message: Option<String>,
    payment_method: PaymentMethod,
    provider: String,
    reference: Option<String>,
    free1: Option<String>,
    free2: Option<String>,
    free3: Option<String>,
    metadata: BTreeMap<String, String>,
    /// The email the buyer gave on the pay page for the receipt, if any.
    buyer_email: Option<String>,
    livemode: bool,
    created: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PaymentMethod {
    /// `card` or `wallet`.
    r#type: String,
    card: Option<Card>,
}

/// Only the brand and last four digits are ever stored.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Card {
    brand: String,
    last4: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CaptureCharge {
    /// Minor units, at most the authorized amount; default all of it.
    amount: Option<i64>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RefundCharge {
    /// Minor units, at most what is captured and not yet refunded; default all of that.
    amount: Option<i64>,
    /// `duplicate`, `fraudulent` or `requested_by_customer`.
    reason: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Refund {
    /// `re_…`
    id: String,
    /// Always `refund`.
    object: String,
    charge: String,
    amount: i64,
    currency: String,
    /// `pending` (at the provider), `succeeded` or `failed`.
    status: String,
    reason: Option<String>,
    /// Why the provider refused, for a `failed` refund.
    failure_reason: Option<String>,
    created: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RefundList {
    object: String,
    url: String,
    has_more: bool,
    data: Vec<Refund>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MethodSetting {
    enabled: bool,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WalletSetting {
    enabled: bool,
    /// `sandbox` or `linepay`.
    provider: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PaymentMethodSettings {
    /// Always `payment_method_settings`.
    object: String,
    card: MethodSetting,
    wallet: WalletSetting,
    /// The methods pay pages offer, in order.
    enabled: Vec<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UpdatePaymentMethodSettings {
    card: Option<MethodSetting>,
    wallet: Option<WalletSetting>,
}

/// A page of links, newest first.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LinkList {
    /// Always `list`.
    object: String,
    url: String,
    /// More objects exist past this page: pass the last id as `starting_after`.
    has_more: bool,
    data: Vec<PaymentLink>,
}

/// How the merchant's pay pages look. Null fields use linkpay's default look.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Branding {
    /// Shown instead of the shop's name; at most 60 characters.
    display_name: Option<String>,
    /// https only.
    logo_url: Option<String>,
    /// #rrggbb: buttons and accents.
    primary_color: Option<String>,
    /// #rrggbb
    background_color: Option<String>,
    /// #rrggbb
    text_color: Option<String>,
    support_email: Option<String>,
    /// E.164
    support_phone: Option<String>,
    /// https only.
    support_url: Option<String>,
    /// standard, compact or centered
    layout: Option<String>,
    /// en or ja: also the language of new links.
    default_locale: Option<String>,
}

/// Links made together from one CSV file.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Batch {
    /// bat_…
    id: String,
    /// "batch"
    object: String,
    /// How many links (rows) it made.
    row_count: i64,
    /// email, sms or null
    send: Option<String>,
    filename: Option<String>,
    /// sending, or complete when no payment request is still queued
    status: String,
    progress: BatchProgress,
    /// Each row's link and send status as CSV.
    results_url: String,
    livemode: bool,
    created: i64,
}

/// Payment requests of a batch by status.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BatchProgress {
    queued: i64,
    sent: i64,
    failed: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BatchList {
    object: String,
    url: String,
    has_more: bool,
    data: Vec<Batch>,
}

/// A page of charges, newest first.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ChargeList {
    object: String,
    url: String,
    has_more: bool,
    data: Vec<Charge>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CreateWebhookEndpoint {
    /// An absolute http(s) URL on a public address (see docs/webhooks.md on private networks).
    url: String,
    /// Event types to send, or `["*"]` (the default) for all of them.
    enabled_events: Option<Vec<String>>,
    /// For you, at most 500 characters.
    description: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UpdateWebhookEndpoint {
    url: Option<String>,
    enabled_events: Option<Vec<String>>,
    /// An empty string clears it.
    description: Option<String>,
    /// `true` disables the endpoint (pending deliveries are canceled); `false` enables it.
    disabled: Option<bool>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RotateSecret {
    /// Seconds the previous secret keeps signing: default 86400, 0 = stop now, at most 604800.
    expire_previous_in: Option<i64>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WebhookEndpoint {
    /// `we_…`
    id: String,
    object: String,
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

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WebhookEndpointList {
    object: String,
    url: String,
    has_more: bool,
    data: Vec<WebhookEndpoint>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DeletedWebhookEndpoint {
    id: String,
    object: String,
    /// Always true.
    deleted: bool,
}

/// Something that happened, as webhooks carry it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Event {
    /// `evt_…`, also the `webhook-id` of its deliveries.
    id: String,
    object: String,
    /// `link.created`, `link.deactivated`, `link.expired`, `charge.create`, `charge.complete`
    /// or `charge.update`.
    #[schema(rename = "type")]
    kind: String,
    created: i64,
    /// The link or charge as the API shows it at the time of the event.
    data: BTreeMap<String, Value>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EventList {
    object: String,
    url: String,
    has_more: bool,
    data: Vec<Event>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
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
#[allow(dead_code)]
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

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DeliveryList {
    object: String,
    url: String,
    has_more: bool,
    data: Vec<Delivery>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Resend {
    /// `we_…`: an enabled endpoint of yours.
    endpoint: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Queued {
    id: String,
    object: String,
    event: String,
    endpoint: String,
    status: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CreateReturnUrl {
    /// Absolute `https://` URL (http only for localhost and 127.0.0.1), at most 2048
    /// characters, no user name, password or fragment, and none of the signed field names
    /// in its own query.
    url: String,
    /// `get` (default): a 303 redirect with the fields in the query. `post`: a page whose
    /// form posts the fields there by itself.
    method: Option<String>,
    /// For you, at most 200 characters.
    description: Option<String>,
}

/// A registered return URL.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ReturnUrl {
    /// `ru_…`
    id: String,
    /// Always `return_url`.
    object: String,
    url: String,
    /// `get` or `post`.
    method: String,
    description: Option<String>,
    /// `rsec_…`: the key the redirect's `signature` is made with. Shown only in the answer
    /// that creates the return URL.
    secret: Option<String>,
    created: i64,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ReturnUrlList {
    object: String,
    url: String,
    /// Always false: there are 3 at most.
    has_more: bool,
    data: Vec<ReturnUrl>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DeletedReturnUrl {
    id: String,
    object: String,
    /// Always true.
    deleted: bool,
}

/// Every error answer.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Error {
    error: ErrorDetail,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorDetail {
    /// `invalid_request_error`, `authentication_error`, `api_error` …
    r#type: String,
    /// Stable, machine-readable, e.g. `parameter_missing`, `amount_invalid`,
    /// `idempotency_key_reused`, `resource_missing`.
    code: String,
    /// For people: says what is wrong and what to do.
    message: String,
    /// The field at fault, e.g. `amount`, `custom_amount[minimum]`, `metadata[cart]`.
    param: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        serde_json::to_value(ApiDoc::openapi()).expect("serialises")
    }

    fn properties(doc: &Value, schema: &str) -> Vec<String> {
        let mut names: Vec<String> = doc["components"]["schemas"][schema]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("schema {schema} has properties"))
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    }

    fn sorted(list: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn it_is_openapi_3_1_and_describes_every_route() {
        let d = doc();
        assert!(d["openapi"].as_str().expect("version").starts_with("3.1"));
        let paths = d["paths"].as_object().expect("paths");
        for (path, method) in super::super::ROUTES {
            assert!(
                paths
                    .get(*path)
                    .and_then(|p| p.get(method.to_ascii_lowercase()))
                    .is_some(),
                "{method} {path} is not in the OpenAPI document"
            );
        }
    }

    #[test]
    fn request_schemas_list_exactly_the_accepted_fields() {
        let d = doc();
        assert_eq!(
            properties(&d, "CreateLink"),
            sorted(super::super::links::FIELDS)
        );
        assert_eq!(
            properties(&d, "CreateReturnUrl"),
            sorted(super::super::return_urls::FIELDS)
        );
        assert_eq!(
            properties(&d, "CustomAmount"),
            sorted(&["minimum", "maximum"])
        );
    }

    #[test]
    fn response_schemas_list_exactly_the_returned_fields() {
        let d = doc();
        let link = crate::links::Link {
            id: "lnk_1".into(),
            merchant_id: "mch_1".into(),
            livemode: false,
            currency: "JPY".into(),
            amount: Some(1),
            amount_min: None,
            amount_max: None,
            title: "t".into(),
            description: None,
            reference: None,
            usage_limit: Some(1),
            locale: "en".into(),
            expires_at: 1,
            token: "x".into(),
            status: "active".into(),
            paid_count: 0,
            free1: None,
            free2: None,
            free3: None,
            metadata: "{}".into(),
            short_code: None,
            source: "api".into(),
            deactivation_message: None,
            deactivated_at: None,
            created_at: 1,
            return_url_id: None,
            customer_email: None,
            customer_phone: None,
            customer_name: None,
            capture_method: "automatic".into(),
        };
        let keys = |v: Value| {
            let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(
            properties(&d, "PaymentLink"),
            keys(link.to_json("https://e"))
        );
        let charge = crate::charges::Charge {
            id: "ch_1".into(),
            link_id: "lnk_1".into(),
            merchant_id: "mch_1".into(),
            livemode: false,
            amount: 1,
            currency: "JPY".into(),
            status: "pending".into(),
            provider: "sandbox".into(),
            provider_ref: None,
            failure_code: None,
            failure_message: None,
            card_brand: None,
            card_last4: None,
            reference: None,
            free1: None,
            free2: None,
            free3: None,
            metadata: "{}".into(),
            buyer_email: None,
            amount_refunded: 0,
            created_at: 1,
            updated_at: 1,
            payment_method: "card".into(),
            capture_method: "automatic".into(),
            amount_captured: 0,
            amount_refunding: 0,
            capture_before: None,
        };
        assert_eq!(properties(&d, "Charge"), keys(charge.to_json()));
        let ru = crate::return_urls::ReturnUrl {
            id: "ru_1".into(),
            merchant_id: "mch_1".into(),
            url: "https://s".into(),
            method: "get".into(),
            description: None,
            secret: "rsec_x".into(),
            created_at: 1,
        };
        assert_eq!(properties(&d, "ReturnUrl"), keys(ru.to_json(true)));
        let error = json!({"error": {"type": "", "code": "", "message": "", "param": null}});
        assert_eq!(properties(&d, "ErrorDetail"), keys(error["error"].clone()));
    }
}
