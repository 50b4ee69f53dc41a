//! Provider accounts of the session's mode, through the API's handlers: connect a Stripe
//! account, a GMO-PG shop or a LINE Pay channel (credentials are checked with the provider
//! before anything is saved), set the signing secret of the webhook endpoint added at Stripe
//! for the account's webhook URL, disconnect.

use super::resource::{self, Field, Input, Resource, Row, RowForm, Spec, data, text};
use crate::state::AppState;
use crate::web::api;
use crate::web::dashboard::api_calls::{body, call};
use crate::web::dashboard::format::when;
use crate::web::dashboard::guard::SignedIn;
use crate::web::dashboard::pages::PageReply;
use crate::web::dashboard::pages::{FormData, PageError};
use crate::web::dashboard::sessions::Session;
use axum::Router;
use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;
use serde_json::json;

const BASE: &str = "/dashboard/settings/provider-accounts";

pub struct ProviderAccounts;

impl Resource for ProviderAccounts {
    fn spec() -> Spec {
        Spec {
            title: "Provider accounts",
            intro: "Your own account at a payment provider takes this mode's payments (live mode: real money; without one, test payments go to the built-in sandbox and live ones cannot be taken). Stripe: give its secret key (sk_test_… in test mode, sk_live_… in live mode), add the webhook URL as an endpoint in Stripe's dashboard, and paste that endpoint's signing secret here. GMO Payment Gateway: give the shop ID, password and Link type Plus 設定ID (a test-site shop in test mode), and set the webhook URL as the shop's result notification URL. LINE Pay takes this mode's wallet payments: give the channel ID and secret key (a sandbox channel in test mode). Credentials are checked with the provider, stored encrypted and never shown again.",
            base: BASE,
            columns: &[
                "Provider",
                "Account",
                "Serves",
                "Webhook URL",
                "Webhook secret",
                "Connected",
            ],
            create_label: "Connect an account",
            remove_label: "Disconnect",
            secret_label: "",
        }
    }

    async fn rows(state: &AppState, session: &Session) -> Result<Vec<Row>, PageError> {
        let limit = RawQuery(Some("limit=100".into()));
        let axum::Json(list) = api::provider_accounts::list(call(state, session), limit).await?;
        let mut rows = Vec::new();
        for a in data(&list) {
            let id = text(&a["id"]);
            let account = &a["account"];
            let name = [
                text(&a["description"]),
                text(&account["display_name"]),
                text(&account["id"]),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
            let serves = a["payment_methods"]
                .as_array()
                .map(|m| m.iter().map(text).collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            let stripe = a["provider"] == "stripe";
            let has_secret = crate::domain::provider_accounts::by_id(&state.db, &id)
                .await?
                .and_then(|acc| acc.credentials(&state.services.master_keys).ok())
                .is_some_and(|c| c["webhook_secret"].is_string());
            let secret = match (stripe, has_secret) {
                _ if a["webhook_url"].is_null() => "not needed: linkpay asks LINE Pay",
                (false, _) => "not needed: notifications carry the shop password",
                (true, true) => "set",
                (true, false) => "not set: webhooks are refused",
            };
            rows.push(Row {
                cells: vec![
                    text(&a["provider"]),
                    name,
                    if serves.is_empty() {
                        "nothing".into()
                    } else {
                        serves
                    },
                    if a["webhook_url"].is_null() {
                        "none (LINE Pay sends no notifications)".into()
                    } else {
                        text(&a["webhook_url"])
                    },
                    secret.into(),
                    a["created"].as_i64().map(when).unwrap_or_default(),
                ],
                removable: true,
                update: stripe.then_some(RowForm {
                    action: "webhook-secret",
                    field: "webhook_secret",
                    label: "Webhook signing secret (whsec_…)",
                    button: "Save",
                }),
                id,
            });
        }
        Ok(rows)
    }

    fn fields(typed: &FormData) -> Vec<Field> {
        let kept = |name| typed.get(name).unwrap_or_default();
        vec![
            Field {
                name: "provider",
                label: "Provider",
                input: Input::Select(vec![
                    ("stripe".into(), "Stripe".into()),
                    ("gmopg".into(), "GMO Payment Gateway".into()),
                    ("linepay".into(), "LINE Pay (wallet)".into()),
                ]),
                value: typed.get("provider").unwrap_or("stripe").to_owned(),
            },
            // Secrets typed are never put back into the form.
            Field::text(
                "secret_key",
                "Stripe: secret key (sk_test_… / sk_live_…)",
                "sk_test_…",
                "",
            ),
            Field::text(
                "webhook_secret",
                "Stripe: webhook signing secret (optional now)",
                "whsec_…",
                "",
            ),
            Field::text(
                "shop_id",
                "GMO-PG: shop ID (ショップID)",
                "tshop00012345",
                kept("shop_id"),
            ),
            Field::text("shop_pass", "GMO-PG: shop password", "", ""),
            Field::text(
                "config_id",
                "GMO-PG: Link type Plus 設定ID",
                "linkpay",
                kept("config_id"),
            ),
            Field::text(
                "channel_id",
                "LINE Pay: channel ID",
                "1234567890",
                kept("channel_id"),
            ),
            Field::text("channel_secret", "LINE Pay: channel secret key", "", ""),
            Field::description(typed),
        ]
    }
}

pub fn routes() -> Router<AppState> {
    resource::routes::<ProviderAccounts>(post(create), post(delete)).route(
        &format!("{BASE}/{{id}}/webhook-secret"),
        post(webhook_secret),
    )
}

/// `POST /dashboard/settings/provider-accounts`
pub async fn create(SignedIn { state, session }: SignedIn, form: FormData) -> PageReply {
    let provider = form.get("provider").unwrap_or("stripe");
    let mut credentials = json!({});
    for f in api::provider_credentials::fields(provider) {
        if let Some(v) = form.get(f) {
            credentials[*f] = v.into();
        }
    }
    let method = crate::domain::provider_accounts::method_of(provider).as_str();
    let req = resource::with_description(
        json!({"provider": provider, "credentials": credentials, "payment_methods": [method]}),
        &form,
    );
    let made = api::provider_accounts::create(call(&state, &session), body(&req)).await;
    if made.is_ok() {
        tracing::info!(user = %session.user_id, "provider account connected from the dashboard");
    }
    resource::created::<ProviderAccounts>(&state, &session, &form, made).await
}

/// `POST /dashboard/settings/provider-accounts/{id}/webhook-secret`
pub async fn webhook_secret(
    SignedIn { state, session }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> PageReply {
    let req =
        json!({"credentials": {"webhook_secret": form.get("webhook_secret").unwrap_or_default()}});
    match api::provider_accounts::update(call(&state, &session), Path(id), body(&req)).await {
        Ok(_) => Ok(Redirect::to(BASE).into_response()),
        Err(e) => {
            resource::page::<ProviderAccounts>(
                &state,
                &session,
                &FormData(Vec::new()),
                None,
                Some(e.into()),
            )
            .await
        }
    }
}

/// `POST /dashboard/settings/provider-accounts/{id}/delete`
pub async fn delete(SignedIn { state, session }: SignedIn, Path(id): Path<String>) -> PageReply {
    let _deleted = api::provider_accounts::delete(call(&state, &session), Path(id)).await?;
    Ok(resource::removed::<ProviderAccounts>())
}
