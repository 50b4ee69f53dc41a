//! The CSV download of a transaction search, in the columns merchants' bookkeeping expects.
//! Amounts are written as people read them (`1500`, `15.00`), exactly, never through a float;
//! times are UTC. An optional UTF-8 BOM makes spreadsheet software read Japanese correctly.

use crate::domain::charges::Charge;
use linkpay_shared::{Currency, money};

pub const HEADER: &[&str] = &[
    "charge_id",
    "link_id",
    "reference",
    "amount",
    "currency",
    "result",
    "failure_code",
    "amount_refunded",
    "free1",
    "free2",
    "free3",
    "email",
    "payment_method",
    "processing_type",
    "created",
];

/// The amount in major units, exactly (`2400`, `15.05`).
fn major(minor: i64, currency: &str) -> String {
    Currency::from_code(currency)
        .map_or_else(|| minor.to_string(), |c| money::format_major(minor, c))
}

/// `authorize_and_capture` for charges captured at payment, `authorize_only` for those the
/// merchant captures later.
pub fn processing_type(c: &Charge) -> &'static str {
    if c.capture_method == "manual" {
        "authorize_only"
    } else {
        "authorize_and_capture"
    }
}

pub fn payment_method(c: &Charge) -> String {
    match (&c.card_brand, &c.card_last4) {
        (Some(brand), Some(last4)) if c.payment_method == "card" => format!("card {brand} {last4}"),
        _ => c.payment_method.clone(),
    }
}

/// The CSV of `charges`, `emails` giving each one's email (the buyer's, else the link's).
pub fn write(charges: &[(Charge, Option<String>)], bom: bool) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for (c, email) in charges {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        w.write_record([
            c.id.clone(),
            c.link_id.clone(),
            opt(&c.reference),
            major(c.amount, &c.currency),
            c.currency.clone(),
            c.status.clone(),
            opt(&c.failure_code),
            major(c.amount_refunded, &c.currency),
            opt(&c.free1),
            opt(&c.free2),
            opt(&c.free3),
            opt(email),
            payment_method(c),
            processing_type(c).to_owned(),
            crate::base::clock::rfc3339(c.created_at),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
