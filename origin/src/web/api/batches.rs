//! `/v1/batches`: up to 300 payment links from one CSV file, checked whole before any is made.

use super::query::Query;
use crate::base::error::ApiError;
use crate::domain::notifications::Channel;
use crate::services::batch::{self, BatchError, Choices, Encoding, Upload};
use crate::state::AppState;
use crate::web::api::{Authed, Call, JsonReply};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use linkpay_shared::Currency;
use serde_json::{Value, json};

/// The options of an upload, from the query string.
pub fn choices(q: &Query) -> Result<Choices, ApiError> {
    let send = match q.string("send").as_deref() {
        None | Some("") | Some("none") => None,
        Some(s) => Some(Channel::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "send",
                "parameter_invalid",
                format!("send {s:?} must be email, sms or none."),
            )
        })?),
    };
    let currency = match q.string("currency").filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(Currency::from_code(&c.to_ascii_uppercase()).ok_or_else(|| {
            ApiError::invalid(
                "currency",
                "currency_unsupported",
                format!("Unsupported currency {c:?}."),
            )
        })?),
    };
    let encoding = match q.string("encoding").filter(|e| !e.is_empty()) {
        None => None,
        Some(e) => Some(Encoding::parse(&e).ok_or_else(|| {
            ApiError::invalid(
                "encoding",
                "parameter_invalid",
                format!("encoding {e:?} must be utf-8 or shift_jis (or left out to detect it)."),
            )
        })?),
    };
    Ok(Choices {
        send,
        currency,
        encoding,
    })
}

/// `POST /v1/batches?send=email&currency=JPY` with the CSV file as the body.
#[utoipa::path(post, path = "/v1/batches", operation_id = "batches_create", tag = "batches", summary = "Create up to 300 links from a CSV file",
    description = "The body is the CSV file itself (`Content-Type: text/csv`), UTF-8 or Shift_JIS (detected). Every row is checked first; if any is wrong nothing is created and the 400 lists every error by row (the header is row 1) and column. Otherwise all links are created in one transaction and their payment requests are sent in the background. Columns: docs/batch.md.",
    params(
        ("send" = Option<String>, Query, description = "email, sms or none (default)"),
        ("currency" = Option<String>, Query, description = "For rows without a currency column"),
        ("encoding" = Option<String>, Query, description = "utf-8 or shift_jis; default: detected"),
        ("filename" = Option<String>, Query, description = "Shown in the dashboard"),
    ),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 201, description = "The batch", body = super::openapi::Batch),
        (status = 400, description = "The file or some rows are wrong (`errors` lists them); nothing was created", body = super::openapi::Error),
    ))]
pub async fn create(
    Call { state, auth }: Call,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), BatchError> {
    let q = Query::parse(
        raw.as_deref(),
        &["send", "currency", "encoding", "filename"],
    )?;
    let choices = choices(&q)?;
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if json_body {
        return Err(ApiError::bad_request(
            "csv_expected",
            "Send the CSV file itself as the body, with Content-Type: text/csv (see docs/batch.md).",
        )
        .into());
    }
    let (s, a) = (&state, &auth);
    let b = batch::create(
        &state.services,
        &auth.merchant,
        auth.livemode,
        Upload {
            bytes: &body,
            choices,
            filename: q.string("filename"),
        },
        |row| async move { super::links::new_link_from(s, a, row.as_bytes()).await },
    )
    .await?;
    let p = batch::progress(&state.db, &b).await?;
    Ok((StatusCode::CREATED, Json(b.to_json(p))))
}

async fn find(state: &AppState, auth: &Authed, id: &str) -> Result<batch::Batch, ApiError> {
    let found = batch::get(&state.db, &auth.merchant.id, id).await?;
    auth.in_mode(found, |b| b.livemode, "batch", id)
}

/// `GET /v1/batches/{id}`
#[utoipa::path(get, path = "/v1/batches/{id}", operation_id = "batches_retrieve", tag = "batches", summary = "A batch and how far its sending has got",
    params(("id" = String, Path, description = "bat_…")),
    responses(
        (status = 200, description = "The batch", body = super::openapi::Batch),
        super::openapi::NoSuchBatch,
    ))]
pub async fn retrieve(Call { state, auth }: Call, Path(id): Path<String>) -> JsonReply {
    let b = find(&state, &auth, &id).await?;
    let p = batch::progress(&state.db, &b).await?;
    Ok(Json(b.to_json(p)))
}

/// `GET /v1/batches`
#[utoipa::path(get, path = "/v1/batches", operation_id = "batches_list", tag = "batches", summary = "The latest batches, newest first",
    params(("limit" = Option<i64>, Query, description = "1-100, default 10")),
    responses((status = 200, description = "Batches", body = super::openapi::BatchList)))]
pub async fn list(Call { state, auth }: Call, RawQuery(raw): RawQuery) -> JsonReply {
    let q = Query::parse(raw.as_deref(), &["limit"])?;
    let mut data = Vec::new();
    for b in batch::list(&state.db, &auth.merchant.id, auth.livemode, q.limit()?).await? {
        let p = batch::progress(&state.db, &b).await?;
        data.push(b.to_json(p));
    }
    Ok(Json(super::list::json("/v1/batches", data, false)))
}

/// `GET /v1/batches/{id}/results.csv?bom=true`
#[utoipa::path(get, path = "/v1/batches/{id}/results.csv", operation_id = "batches_results_csv", tag = "batches", summary = "Each row's link and send status, as CSV",
    params(
        ("id" = String, Path, description = "bat_…"),
        ("bom" = Option<bool>, Query, description = "Start with a UTF-8 BOM (for Excel)"),
    ),
    responses(
        (status = 200, description = "text/csv: row, reference, link_id, url, amount, currency, customer_email, customer_phone, send_status, send_error", content_type = "text/csv", body = String),
        super::openapi::NoSuchBatch,
    ))]
pub async fn results(
    Call { state, auth }: Call,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref(), &["bom"])?;
    // A boolean, as the document says: `true` or `false`, anything else refused.
    let bom = q.one_of("bom", &["true", "false"])?.as_deref() == Some("true");
    let b = find(&state, &auth, &id).await?;
    results_csv(&state, &b, bom).await
}

/// The results file as a download.
pub async fn results_csv(
    state: &AppState,
    b: &batch::Batch,
    bom: bool,
) -> Result<Response, ApiError> {
    let rows = batch::results::rows(&state.db, b).await?;
    let csv =
        batch::results::csv(&rows, &state.config.edge_url, bom).map_err(ApiError::internal)?;
    Ok(csv_download(&format!("{}-results.csv", b.id), csv))
}

pub fn csv_download(name: &str, body: impl Into<axum::body::Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body.into(),
    )
        .into_response()
}

/// `GET /v1/batches/sample.csv`
#[utoipa::path(get, path = "/v1/batches/sample.csv", operation_id = "batches_sample_csv", tag = "batches", summary = "A sample batch file",
    responses((status = 200, description = "text/csv", content_type = "text/csv", body = String)))]
pub async fn sample(_auth: Authed) -> Response {
    csv_download("linkpay-batch-sample.csv", batch::SAMPLE_CSV)
}

/// A refused upload as the API answers it: every row's errors, and nothing created.
impl IntoResponse for BatchError {
    fn into_response(self) -> Response {
        let (code, message, errors) = match self {
            BatchError::Api(e) => return e.into_response(),
            BatchError::File(m) => ("csv_unreadable", m, Vec::new()),
            BatchError::Rows(errors) => {
                let rows = batch::rows_with_errors(&errors);
                let message = match (errors.first(), rows) {
                    (Some(e), 0) => format!("{} Nothing was created.", e.message),
                    (_, 1) => "1 row has errors; nothing was created. See errors.".to_owned(),
                    _ => format!("{rows} rows have errors; nothing was created. See errors."),
                };
                ("csv_invalid", message, errors)
            }
        };
        let code = if errors.iter().any(|e| e.message.contains("at most 300")) {
            "csv_too_many_rows"
        } else {
            code
        };
        // Any text fits the document's text/csv body: what is wrong in it is refused by rules
        // a schema cannot express, so 422.
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": {
                "type": "invalid_request_error",
                "code": code,
                "message": message,
                "errors": errors,
            }})),
        )
            .into_response()
    }
}
