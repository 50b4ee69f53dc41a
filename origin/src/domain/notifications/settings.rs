//! A merchant's notification settings: which kinds are sent and where merchant notices go.
//! Without a saved row every kind is on and there is no notice address.

use super::Kind;
use crate::base::db::Flag;
use serde_json::{Value, json};
use sqlx::{Any, Executor};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub payment_request: bool,
    pub receipt: bool,
    pub merchant_notice: bool,
    pub notice_email: Option<String>,
    pub updated_at: Option<i64>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            payment_request: true,
            receipt: true,
            merchant_notice: true,
            notice_email: None,
            updated_at: None,
        }
    }
}

impl Settings {
    pub fn enabled(&self, kind: Kind) -> bool {
        match kind {
            Kind::PaymentRequest => self.payment_request,
            Kind::Receipt => self.receipt,
            Kind::MerchantNotice => self.merchant_notice,
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "object": "notification_settings",
            "payment_request": {"enabled": self.payment_request},
            "receipt": {"enabled": self.receipt},
            "merchant_notice": {"enabled": self.merchant_notice, "email": self.notice_email},
            "updated": self.updated_at,
        })
    }
}

type Row = (Flag, Flag, Flag, Option<String>, i64);

pub async fn get<'e>(
    db: impl Executor<'e, Database = Any>,
    merchant_id: &str,
) -> Result<Settings, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT payment_request_enabled, receipt_enabled, merchant_notice_enabled, notice_email, updated_at
           FROM notification_settings WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .fetch_optional(db)
    .await?;
    Ok(match row {
        Some((p, r, m, email, updated)) => Settings {
            payment_request: p.into(),
            receipt: r.into(),
            merchant_notice: m.into(),
            notice_email: email,
            updated_at: Some(updated),
        },
        None => Settings::default(),
    })
}

/// Saves all settings in one statement.
pub async fn save<'e>(
    db: impl Executor<'e, Database = Any>,
    now: i64,
    merchant_id: &str,
    s: &Settings,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notification_settings
            (merchant_id, payment_request_enabled, receipt_enabled, merchant_notice_enabled, notice_email, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (merchant_id) DO UPDATE SET
            payment_request_enabled = excluded.payment_request_enabled,
            receipt_enabled = excluded.receipt_enabled,
            merchant_notice_enabled = excluded.merchant_notice_enabled,
            notice_email = excluded.notice_email,
            updated_at = excluded.updated_at",
    )
    .bind(merchant_id)
    .bind(i64::from(s.payment_request))
    .bind(i64::from(s.receipt))
    .bind(i64::from(s.merchant_notice))
    .bind(&s.notice_email)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}
