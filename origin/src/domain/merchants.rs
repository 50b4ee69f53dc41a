//! Merchants and their secret API keys.

use crate::base::db::{Backend, Db, Flag, Tx};
use crate::base::ids;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Merchant {
    pub id: String,
    pub name: String,
    pub default_locale: String,
}

pub fn hash_key(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Creates a merchant and one test-mode secret key in `tx`, returning the key (shown once).
pub async fn create(
    tx: &mut Tx,
    now: i64,
    name: &str,
    locale: &str,
) -> Result<(Merchant, String), sqlx::Error> {
    let merchant = Merchant {
        id: ids::new_id("mch"),
        name: name.to_owned(),
        default_locale: locale.to_owned(),
    };
    sqlx::query(
        "INSERT INTO merchants (id, name, default_locale, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&merchant.id)
    .bind(&merchant.name)
    .bind(&merchant.default_locale)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let key = new_key(tx, now, &merchant.id, false, None).await?;
    Ok((merchant, key))
}

/// A new secret key for the merchant, `sk_live_…` or `sk_test_…`, returned once; only its
/// hash is kept.
pub async fn new_key(
    tx: &mut Tx,
    now: i64,
    merchant_id: &str,
    livemode: bool,
    name: Option<&str>,
) -> Result<String, sqlx::Error> {
    let key = ids::new_secret_key(livemode);
    sqlx::query(
        "INSERT INTO api_keys (id, merchant_id, key_hash, key_prefix, livemode, created_at, name)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(ids::new_id("key"))
    .bind(merchant_id)
    .bind(hash_key(&key))
    .bind(&key[..12])
    .bind(i64::from(livemode))
    .bind(now)
    .bind(name)
    .execute(&mut **tx)
    .await?;
    Ok(key)
}

/// A key as it can be shown after creation: never the key itself.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyInfo {
    pub id: String,
    pub name: Option<String>,
    /// `sk_test_AbCd`: enough to tell keys apart.
    pub key_prefix: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

pub async fn keys(db: &Db, merchant_id: &str) -> Result<Vec<KeyInfo>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, key_prefix, created_at, revoked_at FROM api_keys
          WHERE merchant_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(merchant_id)
    .fetch_all(db.reader())
    .await
}

/// Revokes a key at once; false if it is not the merchant's or was revoked already.
pub async fn revoke_key(
    db: &Db,
    now: i64,
    merchant_id: &str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND merchant_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(merchant_id)
    .execute(db.writer())
    .await?
    .rows_affected()
        == 1)
}

/// On a brand-new database, creates the demo merchant and returns its key; otherwise `None`.
/// Several instances may start at once on one PostgreSQL database: the table lock makes the
/// check and the insert one step, so exactly one demo merchant is made.
pub async fn ensure_demo(db: &Db, now: i64) -> Result<Option<(Merchant, String)>, sqlx::Error> {
    let mut tx = db.begin().await?;
    if db.backend() == Backend::Postgres {
        sqlx::query("LOCK TABLE merchants IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM merchants")
        .fetch_one(&mut *tx)
        .await?;
    if count > 0 {
        return Ok(None);
    }
    let created = create(&mut tx, now, "Demo Shop", "en").await?;
    tx.commit().await?;
    Ok(Some(created))
}

/// The merchant and mode a live, unrevoked secret key belongs to.
pub async fn by_key(db: &Db, key: &str) -> Result<Option<(Merchant, bool)>, sqlx::Error> {
    let row: Option<(String, String, String, Flag)> = sqlx::query_as(
        "SELECT m.id, m.name, m.default_locale, k.livemode
           FROM api_keys k JOIN merchants m ON m.id = k.merchant_id
          WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
    )
    .bind(hash_key(key))
    .fetch_optional(db.reader())
    .await?;
    Ok(row.map(|(id, name, default_locale, livemode)| {
        (
            Merchant {
                id,
                name,
                default_locale,
            },
            livemode.0,
        )
    }))
}
