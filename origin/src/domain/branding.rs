//! A merchant's pay-page branding: stored here, checked by `linkpay_shared::branding`'s
//! rules, and pushed to the edge with the payment methods in one KV value per merchant
//! (`m:{merchant_id}`), so a pay page still costs one KV read.

use crate::base::db::Tx;
use linkpay_shared::branding::{Branding, Layout};
use sqlx::{Any, Executor};

type Row = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

pub async fn get<'e>(
    db: impl Executor<'e, Database = Any>,
    merchant_id: &str,
) -> Result<Branding, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT display_name, logo_url, primary_color, background_color, text_color,
                support_email, support_phone, support_url, layout
           FROM merchant_branding WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .fetch_optional(db)
    .await?;
    Ok(match row {
        Some((
            display_name,
            logo_url,
            primary_color,
            background_color,
            text_color,
            support_email,
            support_phone,
            support_url,
            layout,
        )) => Branding {
            display_name,
            logo_url,
            primary_color,
            background_color,
            text_color,
            support_email,
            support_phone,
            support_url,
            layout: Layout::parse(&layout).unwrap_or_default(),
        },
        None => Branding::default(),
    })
}

/// Saves a branding that passed its checks, and the merchant's default locale, in the
/// caller's transaction (which then queues the edge's copy: `edge_state::queue_merchant`).
pub async fn save(
    tx: &mut Tx,
    now: i64,
    merchant_id: &str,
    b: &Branding,
    default_locale: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO merchant_branding (merchant_id, display_name, logo_url, primary_color,
            background_color, text_color, support_email, support_phone, support_url, layout, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (merchant_id) DO UPDATE SET display_name = $2, logo_url = $3,
            primary_color = $4, background_color = $5, text_color = $6, support_email = $7,
            support_phone = $8, support_url = $9, layout = $10, updated_at = $11",
    )
    .bind(merchant_id)
    .bind(&b.display_name)
    .bind(&b.logo_url)
    .bind(&b.primary_color)
    .bind(&b.background_color)
    .bind(&b.text_color)
    .bind(&b.support_email)
    .bind(&b.support_phone)
    .bind(&b.support_url)
    .bind(b.layout.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE merchants SET default_locale = $1 WHERE id = $2")
        .bind(default_locale)
        .bind(merchant_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A URL at the edge that renders the pay page in `branding` (saved or not) with sample
/// data, for the dashboard's preview. It works for ten minutes.
pub fn preview_url(
    edge_url: &str,
    now: i64,
    edge_secret: &linkpay_shared::SecretKey,
    merchant_name: &str,
    locale: &str,
    branding: &Branding,
) -> String {
    let p = linkpay_shared::preview::Preview {
        expires_at: now + linkpay_shared::preview::TTL_SECS,
        merchant_name: merchant_name.to_owned(),
        locale: locale.to_owned(),
        branding: branding.clone(),
    };
    format!(
        "{}/preview/{}",
        edge_url,
        linkpay_shared::preview::seal(edge_secret, &p)
    )
}
