//! A batch's results as CSV: each row of the file, the link made for it, and how sending its
//! payment request went. Written with the `csv` crate (quoting is never done by hand), with
//! an optional UTF-8 BOM for spreadsheet software.

use super::Batch;
use crate::base::db::Db;
use crate::domain::links::Link;
use linkpay_shared::{Currency, money};

pub const HEADER: &[&str] = &[
    "row",
    "reference",
    "link_id",
    "url",
    "amount",
    "currency",
    "customer_email",
    "customer_phone",
    "send_status",
    "send_error",
];

/// One row of the results: the link, and its payment request's status and error.
pub struct ResultRow {
    pub row: i64,
    pub link: Link,
    /// `not_requested`, `queued`, `sent` or `failed`.
    pub send_status: String,
    pub send_error: Option<String>,
}

pub async fn rows(db: &Db, batch: &Batch) -> Result<Vec<ResultRow>, sqlx::Error> {
    let numbered: Vec<(i64, String)> = sqlx::query_as(
        "SELECT row_number, link_id FROM batch_rows WHERE batch_id = $1 ORDER BY row_number",
    )
    .bind(&batch.id)
    .fetch_all(db.reader())
    .await?;
    let mut out = Vec::with_capacity(numbered.len());
    for (row, link_id) in numbered {
        let Some(link) = crate::domain::links::by_id(db.reader(), &link_id).await? else {
            continue;
        };
        let sent: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT status, last_error FROM notifications
              WHERE link_id = $1 AND kind = 'payment_request' AND created_at <= $2
              ORDER BY created_at, id LIMIT 1",
        )
        .bind(&link.id)
        .bind(batch.created_at + 60)
        .fetch_optional(db.reader())
        .await?;
        let (send_status, send_error) = match sent {
            None => ("not_requested".to_owned(), None),
            Some((s, e)) if s == "pending" => ("queued".to_owned(), e),
            Some((s, e)) => (s, e),
        };
        out.push(ResultRow {
            row,
            link,
            send_status,
            send_error,
        });
    }
    Ok(out)
}

pub fn csv(rows: &[ResultRow], edge_url: &str, bom: bool) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for r in rows {
        let l = &r.link;
        let amount = match (l.amount, Currency::from_code(&l.currency)) {
            (Some(a), Some(c)) => money::format_major(a, c),
            _ => String::new(),
        };
        w.write_record([
            r.row.to_string(),
            l.reference.clone().unwrap_or_default(),
            l.id.clone(),
            l.share_url(edge_url),
            amount,
            l.currency.clone(),
            l.customer_email.clone().unwrap_or_default(),
            l.customer_phone.clone().unwrap_or_default(),
            r.send_status.clone(),
            r.send_error.clone().unwrap_or_default(),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
