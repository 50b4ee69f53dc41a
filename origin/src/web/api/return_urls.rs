use super::list;
use super::params::Params;
use crate::base::error::ApiError;
use crate::domain::return_urls::{self, MAX_DESCRIPTION_CHARS, Method, NewReturnUrl, ReturnUrl};
use crate::state::AppState;
use crate::web::api::{Authed, Call, JsonReply, StatusReply};
use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use serde_json::json;

pub(crate) const FIELDS: &[&str] = &["url", "method", "description"];

/// `POST /v1/return_urls` with `{"url": "https://…", "method": "get"|"post", "description"}`.
/// The answer holds the signing secret; it is not shown again.
#[utoipa::path(post, path = "/v1/return_urls", operation_id = "return_urls_create", tag = "return_urls",
    summary = "Register a return URL",
    description = "Buyers of a link that names this return URL are sent back to it after paying, with signed result fields (see docs/redirects.md). At most 3 per merchant in each mode; only links of its mode can name it.",
    request_body = super::openapi::CreateReturnUrl,
    responses(
        (status = 201, description = "Created; the secret is shown only here", body = super::openapi::ReturnUrl),
        super::openapi::BadField,
        (status = 409, description = "The merchant already has 3 return URLs (`return_url_limit_reached`)", body = super::openapi::Error),
    ))]
pub async fn create(Call { state, auth }: Call, body: Bytes) -> StatusReply {
    let p = Params::parse(&body, FIELDS)?;
    let url = p.required("url", Params::string)?;
    check_url(&url, state.config.return_urls_allow_http)?;
    let method = match p.string("method")? {
        None => Method::Get,
        Some(m) => Method::parse(&m).ok_or_else(|| {
            ApiError::invalid(
                "method",
                "parameter_invalid",
                format!("method {m:?} must be \"get\" (a 303 redirect) or \"post\" (an auto-submitted form)."),
            )
        })?,
    };
    let description = p.string("description")?.filter(|d| !d.is_empty());
    if let Some(d) = &description
        && d.chars().count() > MAX_DESCRIPTION_CHARS
    {
        return Err(ApiError::invalid(
            "description",
            "parameter_invalid",
            format!("description must be at most {MAX_DESCRIPTION_CHARS} characters."),
        ));
    }
    let (created, secret) = return_urls::create(
        &state.db,
        state.clock.now(),
        &state.services.master_keys,
        auth.scope(),
        NewReturnUrl {
            url,
            method,
            description,
        },
    )
    .await?;
    tracing::info!(return_url = %created.id, merchant = %auth.merchant.id, "return URL registered");
    Ok((StatusCode::CREATED, Json(created.to_json(Some(&secret)))))
}

/// `GET /v1/return_urls`
#[utoipa::path(get, path = "/v1/return_urls", operation_id = "return_urls_list", tag = "return_urls",
    summary = "List return URLs, oldest first",
    responses((status = 200, description = "All of the merchant's return URLs (3 at most)", body = super::openapi::ReturnUrlList)))]
pub async fn list(Call { state, auth }: Call) -> JsonReply {
    let data = return_urls::list(&state.db, auth.scope())
        .await?
        .iter()
        .map(|r| r.to_json(None))
        .collect();
    Ok(Json(list::json("/v1/return_urls", data, false)))
}

/// `GET /v1/return_urls/{id}`
#[utoipa::path(get, path = "/v1/return_urls/{id}", operation_id = "return_urls_retrieve", tag = "return_urls",
    summary = "Retrieve a return URL",
    params(("id" = String, Path, description = "ru_…")),
    responses(
        (status = 200, description = "The return URL, without its secret", body = super::openapi::ReturnUrl),
        super::openapi::NoSuchReturnUrl,
    ))]
pub async fn retrieve(Call { state, auth }: Call, Path(id): Path<String>) -> JsonReply {
    Ok(Json(find(&state, &auth, &id).await?.to_json(None)))
}

/// `DELETE /v1/return_urls/{id}`
#[utoipa::path(delete, path = "/v1/return_urls/{id}", operation_id = "return_urls_delete", tag = "return_urls",
    summary = "Delete a return URL",
    description = "Links that name it send their buyers to linkpay's own result page from now on.",
    params(("id" = String, Path, description = "ru_…")),
    responses(
        (status = 200, description = "Deleted", body = super::openapi::DeletedReturnUrl),
        super::openapi::NoSuchReturnUrl,
    ))]
pub async fn delete(Call { state, auth }: Call, Path(id): Path<String>) -> JsonReply {
    find(&state, &auth, &id).await?;
    if !return_urls::delete(&state.db, &auth.merchant.id, &id).await? {
        return Err(missing(&id));
    }
    tracing::info!(return_url = %id, merchant = %auth.merchant.id, "return URL deleted");
    Ok(Json(
        json!({"id": id, "object": "return_url", "deleted": true}),
    ))
}

fn missing(id: &str) -> ApiError {
    ApiError::no_such("return URL", id)
}

/// The merchant's return URL in the key's mode.
async fn find(state: &AppState, auth: &Authed, id: &str) -> Result<ReturnUrl, ApiError> {
    let found = return_urls::get(state.db.reader(), &auth.merchant.id, id).await?;
    auth.in_mode(found, |r| r.livemode, "return URL", id)
}

/// A URL of the wrong shape breaks the OpenAPI document's pattern (400); one of the right
/// shape that another rule refuses (a query parameter linkpay signs) is 422.
fn check_url(url: &str, allow_http: bool) -> Result<(), ApiError> {
    use crate::base::url::shape;
    let shaped = url.len() <= return_urls::MAX_URL_LEN
        && (shape::is_return_url(url)
            || (allow_http && shape::is_return_url(&url.replacen("http://", "https://", 1))));
    match (return_urls::check_url(url, allow_http), shaped) {
        (Ok(()), true) => Ok(()),
        (Err(m), true) => Err(ApiError::unprocessable("url", "url_invalid", m)),
        (Err(m), false) => Err(ApiError::invalid("url", "url_invalid", m)),
        (Ok(()), false) => Err(ApiError::invalid(
            "url",
            "url_invalid",
            "url must be https://host[:port][/path][?query]: a host of letters, digits, dots and hyphens (or [IPv6]), a port from 1 to 65535, printable ASCII after it.",
        )),
    }
}
