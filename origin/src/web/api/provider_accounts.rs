//! `/v1/provider_accounts`: the merchant's own accounts at payment providers, one mode each
//! (the key's), and which payment methods each serves. Credentials are checked with the
//! provider before anything is saved, stored sealed, and never shown again.

use super::list;
use super::params::Params;
use super::provider_credentials;
use super::query::Query;
use crate::base::error::ApiError;
use crate::domain::payment_methods::PaymentMethod;
use crate::domain::provider_accounts::{self, NewAccount, PROVIDERS, ProviderAccount};
use crate::state::AppState;
use crate::web::api::{Authed, Call, JsonReply, StatusReply};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use serde_json::{Value, json};

pub(crate) const MAX_DESCRIPTION_CHARS: usize = 200;
pub(crate) const FIELDS: &[&str] = &["provider", "credentials", "description", "payment_methods"];
pub(crate) const UPDATE_FIELDS: &[&str] = &["credentials", "description", "payment_methods"];
/// Every credential field of every provider, as the OpenAPI document lists them.
#[cfg(test)]
pub(crate) fn credential_fields() -> Vec<&'static str> {
    let mut all = provider_credentials::STRIPE.to_vec();
    all.extend_from_slice(provider_credentials::GMOPG);
    all.extend_from_slice(provider_credentials::LINEPAY);
    all
}

/// `POST /v1/provider_accounts` with `{"provider": "stripe" | "gmopg" | "linepay", "credentials": {...},
/// "description", "payment_methods": ["card"]}`.
#[utoipa::path(post, path = "/v1/provider_accounts", operation_id = "provider_accounts_create", tag = "provider accounts",
    summary = "Connect a provider account",
    description = "Checks the credentials with the provider (Stripe: reading the account the secret key belongs to; GMO-PG: searching an order that cannot exist; LINE Pay: the payment details of such an order) and saves the account in the key's mode only if they work; a test key connects test accounts (sk_test_…, a GMO-PG test-site shop, a LINE Pay sandbox channel), a live key live ones. `payment_methods` moves those methods of this mode to the new account. The credentials are stored sealed and never shown again. Add `webhook_url` as an endpoint at the provider, then set `credentials[webhook_secret]` with an update.",
    request_body = super::openapi::CreateProviderAccount,
    responses(
        (status = 201, description = "Connected", body = super::openapi::ProviderAccount),
        (status = 400, description = "A field is wrong, or the provider refused the credentials (`credentials_invalid`); `param` names the field. Nothing was saved.", body = super::openapi::Error),
        (status = 502, description = "The provider could not be asked (`provider_unavailable`). Nothing was saved.", body = super::openapi::Error),
    ))]
pub async fn create(Call { state, auth }: Call, body: Bytes) -> StatusReply {
    let p = Params::parse(&body, FIELDS)?;
    let provider = p.required("provider", Params::string)?;
    if !PROVIDERS.contains(&provider.as_str()) {
        return Err(ApiError::invalid(
            "provider",
            "parameter_invalid",
            format!(
                "provider {provider:?} is not one linkpay connects accounts for: {}.",
                PROVIDERS.join(", ")
            ),
        ));
    }
    let description = read_description(&p)?.flatten();
    let methods = read_methods(&p, &provider)?
        .unwrap_or_else(|| vec![provider_accounts::method_of(&provider)]);
    let given = p.required("credentials", |p, n| {
        p.object(n, provider_credentials::fields(&provider))
    })?;
    let who = description
        .clone()
        .unwrap_or_else(|| format!("the new {} account", provider_credentials::label(&provider)));
    let accounts = state.services.providers.accounts();
    let (credentials, details) =
        provider_credentials::read(accounts, &provider, &given, None, auth.livemode, &who).await?;
    let id = provider_accounts::new_id(&state.clock);
    let account = provider_accounts::create(
        &state.db,
        &state.clock,
        &accounts.master_keys,
        auth.scope(),
        NewAccount {
            id,
            provider: &provider,
            description,
            details: details.unwrap_or_default(),
            credentials,
            methods: methods.clone(),
        },
    )
    .await?;
    tracing::info!(account = %account.id, merchant = %auth.merchant.id, livemode = auth.livemode, provider = %provider, "provider account connected");
    Ok((
        StatusCode::CREATED,
        Json(object(&state, &account, &methods)),
    ))
}

/// `GET /v1/provider_accounts`
#[utoipa::path(get, path = "/v1/provider_accounts", operation_id = "provider_accounts_list", tag = "provider accounts",
    summary = "List provider accounts of the key's mode, newest first",
    params(super::openapi::EndpointPage),
    responses(
        (status = 200, description = "A page of accounts, without credentials", body = super::openapi::ProviderAccountList),
        (status = 400, description = "A parameter is wrong", body = super::openapi::Error),
    ))]
pub async fn list(Call { state, auth }: Call, RawQuery(raw): RawQuery) -> JsonReply {
    let q = Query::parse(raw.as_deref(), list::PAGE_PARAMS)?;
    let db = &state.db;
    let page = list::fetch(
        &q,
        "provider account",
        async |id| {
            let found = provider_accounts::by_id(db, id).await?;
            let mine = found.filter(|a| a.scope() == auth.scope());
            Ok(mine.map(|a| a.created_at))
        },
        async |cursor, limit| provider_accounts::list(db, auth.scope(), cursor, limit).await,
    )
    .await?;
    let mut data = Vec::new();
    for a in &page.items {
        let methods = provider_accounts::methods_of(db, &a.id).await?;
        data.push(object(&state, a, &methods));
    }
    Ok(Json(list::json(
        "/v1/provider_accounts",
        data,
        page.has_more,
    )))
}

/// `GET /v1/provider_accounts/{id}`
#[utoipa::path(get, path = "/v1/provider_accounts/{id}", operation_id = "provider_accounts_retrieve", tag = "provider accounts",
    summary = "Retrieve a provider account",
    params(("id" = String, Path, description = "pa_…")),
    responses(
        (status = 200, description = "The account, without credentials", body = super::openapi::ProviderAccount),
        (status = 404, description = "No such provider account", body = super::openapi::Error),
    ))]
pub async fn retrieve(Call { state, auth }: Call, Path(id): Path<String>) -> JsonReply {
    let a = find(&state, &auth, &id).await?;
    let methods = provider_accounts::methods_of(&state.db, &a.id).await?;
    Ok(Json(object(&state, &a, &methods)))
}

/// `POST /v1/provider_accounts/{id}` with any of `description`, `payment_methods`,
/// `credentials` (checked again before they replace the stored ones).
#[utoipa::path(post, path = "/v1/provider_accounts/{id}", operation_id = "provider_accounts_update", tag = "provider accounts",
    summary = "Update a provider account",
    description = "`payment_methods` sets exactly which methods of this mode the account serves. `credentials` may give a new `secret_key` (checked with the provider) and the `webhook_secret` from the provider's webhook endpoint; fields not given keep their value.",
    params(("id" = String, Path, description = "pa_…")),
    request_body = super::openapi::UpdateProviderAccount,
    responses(
        (status = 200, description = "The account", body = super::openapi::ProviderAccount),
        (status = 400, description = "A field is wrong or the provider refused the credentials; nothing was changed", body = super::openapi::Error),
        (status = 404, description = "No such provider account", body = super::openapi::Error),
    ))]
pub async fn update(Call { state, auth }: Call, Path(id): Path<String>, body: Bytes) -> JsonReply {
    let p = Params::parse(&body, UPDATE_FIELDS)?;
    let account = find(&state, &auth, &id).await?;
    let description = read_description(&p)?;
    let methods = read_methods(&p, &account.provider)?;
    let accounts = state.services.providers.accounts();
    let mut update = provider_accounts::Update {
        description,
        ..Default::default()
    };
    if let Some(given) = p.object(
        "credentials",
        provider_credentials::fields(&account.provider),
    )? {
        let stored = account
            .credentials(&accounts.master_keys)
            .map_err(|problem| {
                ApiError::internal(format_args!(
                    "{problem}: its stored credentials cannot be opened"
                ))
            })?;
        let who = account.description.clone().unwrap_or_else(|| {
            format!(
                "{} account {id}",
                provider_credentials::label(&account.provider)
            )
        });
        let (credentials, details) = provider_credentials::read(
            accounts,
            &account.provider,
            &given,
            Some(&stored),
            account.livemode,
            &who,
        )
        .await?;
        update.credentials = Some(credentials);
        update.details = details;
    }
    provider_accounts::update(
        &state.db,
        &accounts.master_keys,
        &account,
        update,
        methods.as_deref(),
    )
    .await?;
    let a = find(&state, &auth, &id).await?;
    let methods = provider_accounts::methods_of(&state.db, &a.id).await?;
    tracing::info!(account = %id, "provider account updated");
    Ok(Json(object(&state, &a, &methods)))
}

/// `DELETE /v1/provider_accounts/{id}`
#[utoipa::path(delete, path = "/v1/provider_accounts/{id}", operation_id = "provider_accounts_delete", tag = "provider accounts",
    summary = "Disconnect a provider account",
    description = "It serves no payment method from now on. Charges already made through it keep using it for their captures, refunds and webhooks.",
    params(("id" = String, Path, description = "pa_…")),
    responses(
        (status = 200, description = "Disconnected", body = super::openapi::DeletedProviderAccount),
        (status = 404, description = "No such provider account", body = super::openapi::Error),
    ))]
pub async fn delete(Call { state, auth }: Call, Path(id): Path<String>) -> JsonReply {
    let account = find(&state, &auth, &id).await?;
    provider_accounts::delete(&state.db, state.clock.now(), &account).await?;
    tracing::info!(account = %id, "provider account disconnected");
    Ok(Json(
        json!({"id": id, "object": "provider_account", "deleted": true}),
    ))
}

/// The merchant's account in the key's mode.
async fn find(state: &AppState, auth: &Authed, id: &str) -> Result<ProviderAccount, ApiError> {
    let found = provider_accounts::by_id(&state.db, id).await?;
    let mine = found.filter(|a| a.merchant_id == auth.merchant.id);
    auth.in_mode(mine, |a| a.livemode, "provider account", id)
}

fn object(state: &AppState, a: &ProviderAccount, methods: &[PaymentMethod]) -> Value {
    let url = format!(
        "{}/providers/{}/accounts/{}/webhooks",
        state.config.public_url, a.provider, a.id
    );
    let sends_webhooks = a.provider != crate::providers::linepay::NAME;
    a.to_json(methods, sends_webhooks.then_some(url.as_str()))
}

/// `Some(None)` clears the description (an empty string).
fn read_description(p: &Params) -> Result<Option<Option<String>>, ApiError> {
    let Some(d) = p.string("description")? else {
        return Ok(None);
    };
    if d.chars().count() > MAX_DESCRIPTION_CHARS || d.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "description",
            "parameter_invalid",
            format!("description must be at most {MAX_DESCRIPTION_CHARS} characters on one line."),
        ));
    }
    Ok(Some((!d.is_empty()).then_some(d)))
}

/// The payment methods an account of `provider` is to serve: the one method it can (cards
/// for Stripe and GMO-PG, the wallet for LINE Pay), or none.
fn read_methods(p: &Params, provider: &str) -> Result<Option<Vec<PaymentMethod>>, ApiError> {
    let Some(list) = p.string_list("payment_methods")? else {
        return Ok(None);
    };
    let serves = provider_accounts::method_of(provider);
    let mut methods = Vec::new();
    for (i, m) in list.iter().enumerate() {
        if PaymentMethod::parse(m) != Some(serves) {
            return Err(ApiError::invalid(
                &format!("payment_methods[{i}]"),
                "parameter_invalid",
                format!(
                    "A {} account serves {} payments only, so payment_methods can only name \"{}\".",
                    provider_credentials::label(provider),
                    serves.as_str(),
                    serves.as_str()
                ),
            ));
        }
        methods.push(serves);
    }
    methods.dedup();
    Ok(Some(methods))
}
