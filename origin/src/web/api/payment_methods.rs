//! `GET/POST /v1/payment_method_settings`: which payment methods the pay pages offer.

use super::params::Params;
use crate::base::error::ApiError;
use crate::domain::payment_methods;
use crate::web::api::{Call, JsonReply};
use axum::Json;
use axum::body::Bytes;

/// `GET /v1/payment_method_settings`
#[utoipa::path(get, path = "/v1/payment_method_settings", operation_id = "payment_method_settings_retrieve", tag = "payment methods",
    summary = "Retrieve payment method settings",
    responses((status = 200, description = "The settings", body = super::openapi::PaymentMethodSettings)))]
pub async fn retrieve(Call { state, auth }: Call) -> JsonReply {
    let s = payment_methods::get(state.db.reader(), &auth.merchant.id).await?;
    Ok(Json(s.to_json()))
}

/// `POST /v1/payment_method_settings` with any of
/// `{"card": {"enabled": b}, "wallet": {"enabled": b, "provider": "sandbox"}}`.
#[utoipa::path(post, path = "/v1/payment_method_settings", operation_id = "payment_method_settings_update", tag = "payment methods",
    summary = "Enable or disable payment methods",
    description = "Fields not given keep their value. At least one method stays enabled. `wallet.provider` is `sandbox` (the built-in wallet page) or `linepay` when this origin has LINE Pay credentials. Pay pages show the change within seconds (it is pushed to the edge).",
    request_body = super::openapi::UpdatePaymentMethodSettings,
    responses(
        (status = 200, description = "The settings", body = super::openapi::PaymentMethodSettings),
        super::openapi::BadField,
    ))]
pub async fn update(Call { state, auth }: Call, body: Bytes) -> JsonReply {
    let p = Params::parse(&body, &["card", "wallet"])?;
    let mut s = payment_methods::get(state.db.reader(), &auth.merchant.id).await?;
    if let Some(on) = p.enabled("card")? {
        s.card = on;
    }
    if let Some(wallet) = p.object("wallet", &["enabled", "provider"])? {
        if let Some(on) = wallet.bool("enabled")? {
            s.wallet = on;
        }
        if let Some(provider) = wallet.string("provider")? {
            if auth.livemode && provider == crate::providers::sandbox::NAME {
                return Err(ApiError::invalid(
                    "wallet[provider]",
                    "livemode_mismatch",
                    "The sandbox takes test payments only, and this request was made with a live key (sk_live_…). Live payments go through your live provider accounts (/v1/provider_accounts).",
                ));
            }
            let known = state.services.providers.wallet_providers();
            match known.iter().find(|(name, _)| *name == provider) {
                Some((_, true)) => s.wallet_provider = provider,
                Some((_, false)) => {
                    return Err(ApiError::state(
                        "wallet[provider]",
                        "provider_not_configured",
                        format!(
                            "{provider} is not set up on this origin: see docs/{provider}.md for the settings it needs."
                        ),
                    ));
                }
                None => {
                    let names: Vec<&str> = known.iter().map(|(n, _)| *n).collect();
                    return Err(ApiError::invalid(
                        "wallet[provider]",
                        "parameter_invalid",
                        format!(
                            "wallet provider {provider:?} is not one of {}.",
                            names.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    // The settings as they would be after this request: a conflict with what is stored.
    if s.enabled().is_empty() {
        return Err(ApiError::state(
            "card[enabled]",
            "parameter_invalid",
            "At least one payment method must stay enabled, or buyers could not pay.",
        ));
    }
    let mut tx = state.db.begin().await?;
    payment_methods::put(&mut tx, state.clock.now(), &auth.merchant.id, &s).await?;
    crate::domain::edge_state::queue_merchant(&mut tx, state.clock.now(), &auth.merchant.id)
        .await?;
    tx.commit().await?;
    state.services.edge_sync.notify_one();
    Ok(Json(s.to_json()))
}
