//! Batches in the dashboard: upload a CSV (every error listed by row and column, nothing
//! made), watch the sending (the page refreshes itself while it goes on, no script needed),
//! download the results.

use super::api_calls::authed;
use super::format::{currency_codes, when};
use super::pages::{Chrome, PageError, render};
use super::sessions::Session;
use crate::domain::notifications::Channel;
use crate::services::batch::{self, BatchError, Choices, Encoding, Progress, RowError, Upload};
use crate::state::AppState;
use crate::web::api::batches::{csv_download, results_csv};
use crate::web::dashboard::guard::SignedIn;
use crate::web::dashboard::pages::{PageReply, QueryMap};
use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use linkpay_shared::Currency;
use std::collections::HashMap;

pub struct BatchRow {
    pub id: String,
    pub created: String,
    pub filename: String,
    pub rows: i64,
    pub send: String,
    pub progress: Progress,
}

impl BatchRow {
    fn new(b: &batch::Batch, progress: Progress) -> BatchRow {
        BatchRow {
            id: b.id.clone(),
            created: when(b.created_at),
            filename: b.filename.clone().unwrap_or_default(),
            rows: b.row_count,
            send: b.send.clone().unwrap_or_else(|| "—".into()),
            progress,
        }
    }

    pub fn status(&self) -> &'static str {
        if self.progress.done() {
            "complete"
        } else {
            "sending"
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/batches.html")]
struct ListPage {
    chrome: Chrome,
    batches: Vec<BatchRow>,
}

/// `GET /dashboard/batches`
pub async fn list(SignedIn { state, session }: SignedIn) -> PageReply {
    let mut batches = Vec::new();
    for b in batch::list(&state.db, &session.merchant.id, session.livemode, 50).await? {
        let p = batch::progress(&state.db, &b).await?;
        batches.push(BatchRow::new(&b, p));
    }
    Ok(render(&ListPage {
        chrome: Chrome::new(&session, "batches"),
        batches,
    }))
}

#[derive(Template)]
#[template(path = "dashboard/batch_new.html")]
struct NewPage {
    chrome: Chrome,
    send: String,
    currency: String,
    encoding: String,
    currencies: Vec<&'static str>,
    columns: &'static [&'static str],
    required: &'static [&'static str],
    max_rows: usize,
    problem: Option<String>,
    errors: Vec<RowError>,
}

fn new_page(
    session: &Session,
    send: &str,
    currency: &str,
    encoding: &str,
    problem: Option<String>,
    errors: Vec<RowError>,
) -> NewPage {
    NewPage {
        chrome: Chrome::new(session, "batches"),
        send: send.to_owned(),
        currency: currency.to_owned(),
        encoding: encoding.to_owned(),
        currencies: currency_codes(),
        columns: batch::rows::COLUMNS,
        required: batch::rows::REQUIRED,
        max_rows: batch::MAX_ROWS,
        problem,
        errors,
    }
}

/// `GET /dashboard/batches/new`
pub async fn new_form(session: Session) -> Response {
    render(&new_page(&session, "email", "JPY", "", None, Vec::new()))
}

/// `GET /dashboard/batches/sample.csv`
pub async fn sample(_session: Session) -> Response {
    csv_download("linkpay-batch-sample.csv", batch::SAMPLE_CSV)
}

/// `POST /dashboard/batches`: the upload form (multipart, the guard has checked its token).
pub async fn upload(SignedIn { state, session }: SignedIn, mut form: Multipart) -> PageReply {
    let mut file: Option<(Option<String>, Vec<u8>)> = None;
    let mut fields: HashMap<String, String> = HashMap::new();
    while let Some(field) = form.next_field().await.map_err(|e| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            format!("The upload could not be read: {e}"),
        )
    })? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let filename = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.map_err(|e| {
                PageError::new(
                    StatusCode::BAD_REQUEST,
                    format!("The file could not be read: {e}"),
                )
            })?;
            file = Some((filename, bytes.to_vec()));
        } else {
            let text = field.text().await.unwrap_or_default();
            fields.insert(name, text);
        }
    }
    let get = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let (send, currency, encoding) = (get("send"), get("currency"), get("encoding"));
    let refuse = |problem: Option<String>, errors: Vec<RowError>| {
        (
            StatusCode::BAD_REQUEST,
            render(&new_page(
                &session, &send, &currency, &encoding, problem, errors,
            )),
        )
            .into_response()
    };
    let Some((filename, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(refuse(
            Some("Choose a CSV file to upload.".into()),
            Vec::new(),
        ));
    };
    let choices = Choices {
        send: Channel::parse(&send),
        currency: Currency::from_code(&currency),
        encoding: Encoding::parse(&encoding),
    };
    let upload = Upload {
        bytes: &bytes,
        choices,
        filename,
    };
    let auth = authed(&session);
    let (s, a) = (&state, &auth);
    let parse = |row: String| async move {
        crate::web::api::links::new_link_from(s, a, row.as_bytes()).await
    };
    match batch::create(
        &state.services,
        &auth.merchant,
        auth.livemode,
        upload,
        parse,
    )
    .await
    {
        Ok(b) => {
            tracing::info!(batch = %b.id, user = %session.user_id, "dashboard batch upload");
            Ok(Redirect::to(&format!("/dashboard/batches/{}", b.id)).into_response())
        }
        Err(BatchError::Rows(errors)) => {
            let rows = batch::rows_with_errors(&errors);
            let problem = if rows > 0 {
                format!(
                    "{rows} rows have errors, listed below. Nothing was created: correct the file and upload it again."
                )
            } else {
                "The file cannot be used, as listed below. Nothing was created.".into()
            };
            Ok(refuse(Some(problem), errors))
        }
        Err(BatchError::File(m)) => Ok(refuse(Some(m), Vec::new())),
        Err(BatchError::Api(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "dashboard/batch.html")]
struct BatchPage {
    chrome: Chrome,
    batch: BatchRow,
    rows: Vec<(i64, String, String, String, String)>,
}

async fn find(state: &AppState, session: &Session, id: &str) -> Result<batch::Batch, PageError> {
    let found = batch::get(&state.db, &session.merchant.id, id).await?;
    PageError::in_mode(found, |b| b.livemode, session, "batch")
}

/// `GET /dashboard/batches/{id}`
pub async fn show(SignedIn { state, session }: SignedIn, Path(id): Path<String>) -> PageReply {
    let b = find(&state, &session, &id).await?;
    let progress = batch::progress(&state.db, &b).await?;
    let rows = batch::results::rows(&state.db, &b)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.row,
                r.link.reference.clone().unwrap_or_default(),
                r.link.id.clone(),
                r.send_status,
                r.send_error.unwrap_or_default(),
            )
        })
        .collect();
    Ok(render(&BatchPage {
        chrome: Chrome::new(&session, "batches"),
        batch: BatchRow::new(&b, progress),
        rows,
    }))
}

/// `GET /dashboard/batches/{id}/results.csv?bom=1`
pub async fn results(
    SignedIn { state, session }: SignedIn,
    Path(id): Path<String>,
    Query(q): QueryMap,
) -> PageReply {
    let b = find(&state, &session, &id).await?;
    let bom = q
        .get("bom")
        .is_some_and(|v| v == "1" || v == "on" || v == "true");
    Ok(results_csv(&state, &b, bom).await?)
}
