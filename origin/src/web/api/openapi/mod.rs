//! The OpenAPI 3.1 description of `/v1`, generated from the handlers' `#[utoipa::path]`
//! annotations and the schema types in the submodules (one per resource), served at
//! `GET /v1/openapi.json`.
//!
//! Handlers read request bodies field by field (see `params.rs`) and build responses with
//! `json!`, so the schema types here are descriptions, not the code path. The tests in
//! `openapi/tests.rs` keep the two from drifting: every route is described, request schemas
//! list exactly the fields the handlers accept, and response schemas exactly the fields they
//! return.

use axum::Json;
use serde_json::Value;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The schema of a list object, `{"object": "list", "url", "has_more", "data": [item, …]}`,
/// as `api/list.rs` builds it.
macro_rules! list_schema {
    ($(#[$attr:meta])* $name:ident of $item:ident) => {
        $(#[$attr])*
        #[derive(utoipa::ToSchema)]
        pub struct $name {
            object: String,
            url: String,
            has_more: bool,
            data: Vec<$item>,
        }
    };
}
pub(crate) use list_schema;

mod batches;
mod body_rules;
mod charges;
mod contract;
mod errors;
mod examples;
mod follow;
mod links;
mod param_rules;
mod params;
mod provider_accounts;
mod responses;
mod return_urls;
mod settings;
mod webhooks;

pub use batches::*;
pub use charges::*;
pub use errors::*;
pub use links::*;
pub use params::*;
pub use provider_accounts::*;
pub use responses::*;
pub use return_urls::*;
pub use settings::*;
pub use webhooks::*;

/// The component a schema refers to, directly or as one of `oneOf` (an optional object).
fn component_of(schema: &Value) -> Option<&str> {
    let direct = schema["$ref"].as_str();
    let optional = schema["oneOf"]
        .as_array()
        .and_then(|alts| alts.iter().find_map(|a| a["$ref"].as_str()));
    direct
        .or(optional)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
}

/// `GET /v1/openapi.json`, unauthenticated like any public API description.
pub async fn document() -> Json<Value> {
    Json(document_json().clone())
}

/// The whole document: what the annotations generate, finished by `contract`. Built once.
pub fn document_json() -> &'static Value {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serialises");
        contract::finish(&mut doc);
        doc
    })
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
        license(name = "Apache-2.0", identifier = "Apache-2.0")
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
        super::provider_accounts::create,
        super::provider_accounts::list,
        super::provider_accounts::retrieve,
        super::provider_accounts::update,
        super::provider_accounts::delete,
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
        UpdateBranding,
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
        ProviderCredentials,
        CreateProviderAccount,
        UpdateProviderAccount,
        ProviderAccount,
        ProviderAccountList,
        DeletedProviderAccount,
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
                    .bearer_format("sk_test_… or sk_live_…")
                    .description(Some("Your secret API key: Authorization: Bearer sk_test_… (test data) or sk_live_… (live data)"))
                    .build(),
            ),
        );
    }
}

#[cfg(test)]
mod docs_check;
#[cfg(test)]
mod tests;
