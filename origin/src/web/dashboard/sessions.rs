//! Signed-in sessions: a random token in an HttpOnly cookie, stored only as its SHA-256, with
//! an idle expiry pushed forward as it is used and an absolute limit.

use super::users::User;
use crate::base::db::Db;
use crate::domain::merchants::{Merchant, hash_key};

/// A session ends after this long unused…
pub const IDLE_SECS: i64 = 12 * 3600;
/// …and this long after sign-in at most.
pub const ABSOLUTE_SECS: i64 = 7 * 86_400;
/// Sliding the idle expiry costs a write, so it is done at most this often per session.
const SLIDE_EVERY_SECS: i64 = 300;

/// Who is signed in, for the handlers.
#[derive(Clone)]
pub struct Session {
    pub user_id: String,
    pub email: String,
    pub merchant: Merchant,
    /// Every form of this session carries it.
    pub csrf: String,
    /// Whether the session shows and acts on live data (else test data).
    pub livemode: bool,
    token_hash: String,
}

/// A new token for `user`, to go into the cookie.
pub async fn start(db: &Db, now: i64, user: &User) -> Result<String, sqlx::Error> {
    let token = random_token();
    sqlx::query(
        "INSERT INTO dashboard_sessions (token_hash, user_id, csrf_token, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash_key(&token))
    .bind(&user.id)
    .bind(random_token())
    .bind(now)
    .bind(now + IDLE_SECS)
    .execute(db.writer())
    .await?;
    Ok(token)
}

pub async fn find(db: &Db, now: i64, token: &str) -> Result<Option<Session>, sqlx::Error> {
    let token_hash = hash_key(token);
    type Row = (
        String,
        String,
        String,
        i64,
        i64,
        String,
        String,
        String,
        i64,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT u.id, u.email, s.csrf_token, s.created_at, s.expires_at, m.id, m.name, m.default_locale, s.livemode
           FROM dashboard_sessions s
           JOIN dashboard_users u ON u.id = s.user_id
           JOIN merchants m ON m.id = u.merchant_id
          WHERE s.token_hash = $1",
    )
    .bind(&token_hash)
    .fetch_optional(db.reader())
    .await?;
    let Some((user_id, email, csrf, created_at, expires_at, m_id, m_name, m_locale, live)) = row
    else {
        return Ok(None);
    };
    if now >= expires_at || now >= created_at + ABSOLUTE_SECS {
        delete(db, &token_hash).await?;
        return Ok(None);
    }
    let slid = (now + IDLE_SECS).min(created_at + ABSOLUTE_SECS);
    if slid - expires_at >= SLIDE_EVERY_SECS {
        sqlx::query("UPDATE dashboard_sessions SET expires_at = $1 WHERE token_hash = $2")
            .bind(slid)
            .bind(&token_hash)
            .execute(db.writer())
            .await?;
    }
    Ok(Some(Session {
        user_id,
        email,
        merchant: Merchant {
            id: m_id,
            name: m_name,
            default_locale: m_locale,
        },
        csrf,
        livemode: live == 1,
        token_hash,
    }))
}

async fn delete(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM dashboard_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db.writer())
        .await?;
    Ok(())
}

impl Session {
    /// Signs out: the token stops working at once, on every instance.
    pub async fn end(&self, db: &Db) -> Result<(), sqlx::Error> {
        delete(db, &self.token_hash).await
    }

    /// Switches the session between test and live data.
    pub async fn set_mode(&self, db: &Db, livemode: bool) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE dashboard_sessions SET livemode = $1 WHERE token_hash = $2")
            .bind(i64::from(livemode))
            .bind(&self.token_hash)
            .execute(db.writer())
            .await?;
        Ok(())
    }
}

/// 256 random bits, base64url.
pub fn random_token() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(crate::base::ids::random_bytes::<32>())
}
