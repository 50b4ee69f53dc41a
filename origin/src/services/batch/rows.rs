//! Reads a batch file's rows into links, checking every row before anything is made. Each
//! row becomes the JSON body `POST /v1/links` takes and goes through the API's own checks,
//! so a CSV row and an API call follow one set of rules; an error names the row (as a
//! spreadsheet numbers it: the header is row 1) and the column.

use crate::base::db::Db;
use crate::base::error::ApiError;
use crate::domain::merchants::Merchant;
use crate::services::links::NewLink;
use linkpay_shared::{Currency, money};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Most data rows one file may have.
pub const MAX_ROWS: usize = 300;

/// The columns a file may have, in the order the sample shows them.
pub const COLUMNS: &[&str] = &[
    "reference",
    "amount",
    "currency",
    "title",
    "description",
    "customer_name",
    "customer_email",
    "customer_phone",
    "expires_at",
    "locale",
    "free1",
    "free2",
    "free3",
];
pub const REQUIRED: &[&str] = &["reference", "amount", "title"];

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RowError {
    /// 0 for the header and the file as a whole.
    pub row: usize,
    /// Empty when the error is about the whole row.
    pub column: String,
    pub message: String,
}

impl RowError {
    fn new(row: usize, column: &str, message: impl Into<String>) -> RowError {
        RowError {
            row,
            column: column.to_owned(),
            message: message.into(),
        }
    }
}

/// A row that passed every check, ready to be created.
pub struct ParsedRow {
    pub row: usize,
    pub reference: String,
    pub link: NewLink,
}

/// How the rows are read: the currency for rows that name none, and what to send.
pub struct Options {
    pub currency: Option<Currency>,
    pub send: Option<crate::domain::notifications::Channel>,
    /// When the file is read: a reference is taken if an active link has it now.
    pub now: i64,
}

/// The header's columns, or every problem with it.
fn header(record: &csv::StringRecord) -> Result<Vec<String>, Vec<RowError>> {
    let names: Vec<String> = record
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let mut errors = Vec::new();
    for n in &names {
        if !COLUMNS.contains(&n.as_str()) {
            errors.push(RowError::new(
                1,
                n,
                format!("Unknown column {n:?}. Columns: {}.", COLUMNS.join(", ")),
            ));
        }
    }
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            errors.push(RowError::new(
                1,
                n,
                format!("The column {n:?} appears twice."),
            ));
        }
    }
    for r in REQUIRED {
        if !names.iter().any(|n| n == r) {
            errors.push(RowError::new(
                1,
                r,
                format!("The required column {r:?} is missing."),
            ));
        }
    }
    if errors.is_empty() {
        Ok(names)
    } else {
        Err(errors)
    }
}

/// `2026-12-31` (the end of that day, UTC) or an RFC 3339 time, as unix seconds.
fn expiry(value: &str) -> Result<i64, String> {
    let day = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = time::Date::parse(value, &day) {
        return Ok(d.midnight().assume_utc().unix_timestamp() + 86_399);
    }
    time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|_| format!("{value:?} is not a date: use YYYY-MM-DD (the end of that day, UTC) or an RFC 3339 time."))
}

/// The API body for one row, or the error in the column it is about.
fn body(row: usize, cells: &HashMap<&str, &str>, options: &Options) -> Result<Value, RowError> {
    let mut m = Map::new();
    let currency = match cells.get("currency") {
        Some(code) => Currency::from_code(&code.to_ascii_uppercase()).ok_or_else(|| {
            RowError::new(row, "currency", format!("Unknown currency {code:?}."))
        })?,
        None => options.currency.ok_or_else(|| {
            RowError::new(row, "currency", "No currency: give one in this row's currency column, or choose one for the whole file.")
        })?,
    };
    let typed = cells.get("amount").copied().unwrap_or_default();
    let minor = money::parse_major(typed, currency).map_err(|e| {
        RowError::new(
            row,
            "amount",
            format!("The amount {typed:?} cannot be used: {e}."),
        )
    })?;
    m.insert("amount".into(), json!(minor));
    m.insert("currency".into(), json!(currency.code()));
    for (k, v) in cells {
        match *k {
            "amount" | "currency" => {}
            "expires_at" => {
                let t = expiry(v).map_err(|e| RowError::new(row, "expires_at", e))?;
                m.insert("expires_at".into(), json!(t));
            }
            _ => {
                m.insert((*k).into(), json!(v));
            }
        }
    }
    if let Some(channel) = options.send {
        m.insert("send".into(), json!([channel.as_str()]));
    }
    Ok(Value::Object(m))
}

/// How many rows of buyers (not the header, not the file as a whole) have errors.
pub fn rows_with_errors(errors: &[RowError]) -> usize {
    let rows: std::collections::BTreeSet<usize> =
        errors.iter().filter(|e| e.row > 1).map(|e| e.row).collect();
    rows.len()
}

/// Every row of `text` as a link, or every error in it. Nothing is created here.
pub async fn read<F: Future<Output = Result<NewLink, ApiError>>>(
    db: &Db,
    merchant: &Merchant,
    livemode: bool,
    text: &str,
    options: &Options,
    parse: impl Fn(String) -> F,
) -> Result<Vec<ParsedRow>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let head = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(vec![RowError::new(
                1,
                "",
                format!("The header cannot be read as CSV: {e}."),
            )]);
        }
        None => {
            return Err(vec![RowError::new(
                0,
                "",
                "The file is empty. Start it with a header row, for example: reference,amount,title",
            )]);
        }
    };
    let names = header(&head)?;
    let mut errors = Vec::new();
    let mut rows: Vec<(usize, csv::StringRecord)> = Vec::new();
    for (i, record) in records.enumerate() {
        let row = i + 2;
        match record {
            // A row of empty cells (trailing lines in a spreadsheet export) is not a buyer.
            Ok(r) if r.iter().all(|c| c.trim().is_empty()) => {}
            Ok(r) => rows.push((row, r)),
            Err(e) => errors.push(RowError::new(
                row,
                "",
                format!("This row cannot be read as CSV: {e}."),
            )),
        }
    }
    if rows.len() > MAX_ROWS {
        return Err(vec![RowError::new(
            0,
            "",
            format!(
                "The file has {} rows of buyers; a batch takes at most {MAX_ROWS}. Split it into several files.",
                rows.len()
            ),
        )]);
    }
    if rows.is_empty() && errors.is_empty() {
        return Err(vec![RowError::new(
            0,
            "",
            "The file has a header but no rows of buyers.",
        )]);
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut parsed = Vec::new();
    for (row, record) in rows {
        if record.len() != names.len() {
            errors.push(RowError::new(
                row,
                "",
                format!(
                    "This row has {} cells; the header has {} columns.",
                    record.len(),
                    names.len()
                ),
            ));
            continue;
        }
        let cells: HashMap<&str, &str> = names
            .iter()
            .map(String::as_str)
            .zip(record.iter().map(str::trim))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let reference = cells
            .get("reference")
            .copied()
            .unwrap_or_default()
            .to_owned();
        if reference.is_empty() {
            errors.push(RowError::new(
                row,
                "reference",
                "Every row needs a reference, so its link can be found again.",
            ));
            continue;
        }
        if let Some(first) = seen.insert(reference.clone(), row) {
            errors.push(RowError::new(
                row,
                "reference",
                format!("The reference {reference:?} is already used in row {first}."),
            ));
            continue;
        }
        let body = match body(row, &cells, options) {
            Ok(b) => b,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match parse(body.to_string()).await {
            Ok(link) => parsed.push(ParsedRow {
                row,
                reference,
                link,
            }),
            Err(e) if e.status.is_server_error() => {
                return Err(vec![RowError::new(row, "", e.message)]);
            }
            Err(e) => errors.push(RowError::new(
                row,
                e.param.as_deref().unwrap_or_default(),
                e.message,
            )),
        }
    }
    match existing_references(db, &merchant.id, livemode, options.now, &parsed).await {
        Ok(used) => errors.extend(used),
        Err(e) => {
            return Err(vec![RowError::new(
                0,
                "",
                crate::base::error::ApiError::from(e).message,
            )]);
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        errors.sort_by_key(|e| e.row);
        Err(errors)
    }
}

/// Rows whose reference an active link of the merchant already has: most often the same
/// file uploaded twice, which would ask every buyer to pay twice.
async fn existing_references(
    db: &Db,
    merchant_id: &str,
    livemode: bool,
    now: i64,
    rows: &[ParsedRow],
) -> Result<Vec<RowError>, sqlx::Error> {
    let mut errors = Vec::new();
    for r in rows {
        let found: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM links WHERE merchant_id = $1 AND livemode = $2 AND reference = $3 AND status = 'active' AND expires_at > $4 LIMIT 1",
        )
        .bind(merchant_id)
        .bind(i64::from(livemode))
        .bind(&r.reference)
        .bind(now)
        .fetch_optional(db.reader())
        .await?;
        if let Some((id,)) = found {
            errors.push(RowError::new(
                r.row,
                "reference",
                format!("The reference {:?} already has an active link ({id}); deactivate it first, or give this row another reference.", r.reference),
            ));
        }
    }
    Ok(errors)
}
