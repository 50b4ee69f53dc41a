//! Batches: up to 300 payment links made at once from one CSV file (the dashboard's upload,
//! `POST /v1/batches`, `linkpay batch create`). Every row is checked before anything is made
//! (`rows`); then all links are created in one transaction, and their payment requests go
//! out through the notifications outbox, whose progress the batch reports.

pub mod decode;
pub mod results;
pub mod rows;

use crate::base::error::ApiError;
use crate::base::ids;
use crate::domain::merchants::Merchant;
use crate::domain::notifications::Channel;
use crate::services::Services;
use crate::services::links::NewLink;
pub use decode::Encoding;
pub use rows::{MAX_ROWS, RowError, rows_with_errors};
use serde_json::{Value, json};

/// The sample file the dashboard and `GET /v1/batches/sample.csv` offer.
pub const SAMPLE_CSV: &str = include_str!("../../../../docs/batch-sample.csv");

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Batch {
    pub id: String,
    pub merchant_id: String,
    #[sqlx(try_from = "crate::base::db::Flag")]
    pub livemode: bool,
    pub row_count: i64,
    pub send: Option<String>,
    pub filename: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, merchant_id, livemode, row_count, send, filename, created_at";

/// How far the payment requests of a batch have got.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
}

impl Progress {
    pub fn done(&self) -> bool {
        self.queued == 0
    }
}

/// Why a file was refused: all of it, row by row; nothing was created.
#[derive(Debug)]
pub enum BatchError {
    File(String),
    Rows(Vec<RowError>),
    Api(ApiError),
}

impl From<ApiError> for BatchError {
    fn from(e: ApiError) -> BatchError {
        BatchError::Api(e)
    }
}

impl From<sqlx::Error> for BatchError {
    fn from(e: sqlx::Error) -> BatchError {
        BatchError::Api(e.into())
    }
}

/// What the uploader chose for the whole file.
#[derive(Debug, Default, Clone, Copy)]
pub struct Choices {
    /// Send each row's payment request by this channel, or make the links only.
    pub send: Option<Channel>,
    /// For rows without a currency column.
    pub currency: Option<linkpay_shared::Currency>,
    /// Detected when not given.
    pub encoding: Option<Encoding>,
}

/// What a batch is made from.
pub struct Upload<'a> {
    pub bytes: &'a [u8],
    pub choices: Choices,
    pub filename: Option<String>,
}

/// Checks every row, then creates all the links and the batch in one transaction. Each row
/// becomes the body of a `POST /v1/links`, which `parse` checks by the API's own rules.
pub async fn create<F: Future<Output = Result<NewLink, ApiError>>>(
    svc: &Services,
    merchant: &Merchant,
    livemode: bool,
    upload: Upload<'_>,
    parse: impl Fn(String) -> F,
) -> Result<Batch, BatchError> {
    let c = upload.choices;
    let (text, encoding) = decode::decode(upload.bytes, c.encoding).map_err(BatchError::File)?;
    let options = rows::Options {
        currency: c.currency,
        send: c.send,
        now: svc.clock.now(),
    };
    let parsed = rows::read(&svc.db, merchant, livemode, &text, &options, parse)
        .await
        .map_err(BatchError::Rows)?;
    let batch = Batch {
        id: ids::new_sortable_id("bat", svc.clock.now_millis()),
        merchant_id: merchant.id.clone(),
        livemode,
        row_count: parsed.len() as i64,
        send: c.send.map(|ch| ch.as_str().to_owned()),
        filename: upload.filename,
        created_at: svc.clock.now(),
    };
    let mut tx = svc.db.begin().await?;
    sqlx::query(
        "INSERT INTO batches (id, merchant_id, livemode, row_count, send, filename, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&batch.id)
    .bind(&batch.merchant_id)
    .bind(i64::from(batch.livemode))
    .bind(batch.row_count)
    .bind(&batch.send)
    .bind(&batch.filename)
    .bind(batch.created_at)
    .execute(&mut *tx)
    .await?;
    for row in parsed {
        let link =
            crate::services::links::create_in(&mut tx, svc, merchant, livemode, row.link, "batch")
                .await?;
        sqlx::query("INSERT INTO batch_rows (batch_id, row_number, link_id) VALUES ($1, $2, $3)")
            .bind(&batch.id)
            .bind(row.row as i64)
            .bind(&link.id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    svc.edge_sync.notify_one();
    svc.outbox.notify_one();
    tracing::info!(batch = %batch.id, merchant = %batch.merchant_id, rows = batch.row_count, encoding = encoding.as_str(), "batch created");
    Ok(batch)
}

pub async fn get(
    db: &crate::base::db::Db,
    merchant_id: &str,
    id: &str,
) -> Result<Option<Batch>, sqlx::Error> {
    let table = ("batches", COLUMNS);
    crate::base::db::owned_row(db.reader(), table, "TRUE", merchant_id, id).await
}

/// The merchant's batches, newest first.
pub async fn list(
    db: &crate::base::db::Db,
    merchant_id: &str,
    livemode: bool,
    limit: i64,
) -> Result<Vec<Batch>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM batches WHERE merchant_id = $1 AND livemode = $2 ORDER BY created_at DESC, id DESC LIMIT {limit}"
    ))
    .bind(merchant_id)
    .bind(i64::from(livemode))
    .fetch_all(db.reader())
    .await
}

/// Counted from the notifications themselves, so it is true whichever instance sends them.
pub async fn progress(db: &crate::base::db::Db, batch: &Batch) -> Result<Progress, sqlx::Error> {
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT n.status, COUNT(*) FROM batch_rows r
           JOIN notifications n ON n.link_id = r.link_id AND n.kind = 'payment_request'
          WHERE r.batch_id = $1 AND n.created_at <= $2
          GROUP BY n.status",
    )
    .bind(&batch.id)
    // Payment requests sent again later are not the batch's.
    .bind(batch.created_at + 60)
    .fetch_all(db.reader())
    .await?;
    let mut p = Progress::default();
    for (status, n) in counts {
        match status.as_str() {
            "sent" => p.sent += n,
            "failed" => p.failed += n,
            _ => p.queued += n,
        }
    }
    Ok(p)
}

impl Batch {
    pub fn to_json(&self, p: Progress) -> Value {
        json!({
            "id": self.id,
            "object": "batch",
            "row_count": self.row_count,
            "send": self.send,
            "filename": self.filename,
            "status": if p.done() { "complete" } else { "sending" },
            "progress": {"queued": p.queued, "sent": p.sent, "failed": p.failed},
            "results_url": format!("/v1/batches/{}/results.csv", self.id),
            "livemode": self.livemode,
            "created": self.created_at,
        })
    }
}
