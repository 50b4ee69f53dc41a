//! The people who sign in to the dashboard; each belongs to one merchant.

use crate::base::db::{Backend, Db, Tx};
use crate::base::ids;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: String,
    pub merchant_id: String,
    pub email: String,
    pub password_hash: String,
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn any_exist(db: &Db) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM dashboard_users")
        .fetch_one(db.reader())
        .await?;
    Ok(n > 0)
}

pub async fn by_email(db: &Db, email: &str) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, merchant_id, email, password_hash FROM dashboard_users WHERE email = $1",
    )
    .bind(normalize_email(email))
    .fetch_optional(db.reader())
    .await
}

/// What the first-run set-up did.
pub enum SetUp {
    Done(User),
    /// Someone finished set-up first (another tab, another instance).
    AlreadyDone,
}

/// The first-run set-up: the first user, for the oldest merchant (the demo merchant a fresh
/// database starts with, renamed to the shop's name) or a new one. Checking that no user
/// exists and inserting is one step, even with several instances on one PostgreSQL.
pub async fn set_up(
    db: &Db,
    now: i64,
    shop_name: &str,
    email: &str,
    password_hash: &str,
) -> Result<SetUp, sqlx::Error> {
    let mut tx = db.begin().await?;
    if db.backend() == Backend::Postgres {
        sqlx::query("LOCK TABLE dashboard_users IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM dashboard_users")
        .fetch_one(&mut *tx)
        .await?;
    if count > 0 {
        return Ok(SetUp::AlreadyDone);
    }
    let oldest: Option<(String,)> =
        sqlx::query_as("SELECT id FROM merchants ORDER BY created_at, id LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
    let merchant_id = match oldest {
        Some((id,)) => {
            sqlx::query("UPDATE merchants SET name = $1 WHERE id = $2")
                .bind(shop_name)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            id
        }
        None => {
            crate::domain::merchants::create(&mut tx, now, shop_name, "en")
                .await?
                .0
                .id
        }
    };
    let user = insert(&mut tx, now, &merchant_id, email, password_hash).await?;
    tx.commit().await?;
    Ok(SetUp::Done(user))
}

async fn insert(
    tx: &mut Tx,
    now: i64,
    merchant_id: &str,
    email: &str,
    password_hash: &str,
) -> Result<User, sqlx::Error> {
    let user = User {
        id: ids::new_id("usr"),
        merchant_id: merchant_id.to_owned(),
        email: normalize_email(email),
        password_hash: password_hash.to_owned(),
    };
    sqlx::query(
        "INSERT INTO dashboard_users (id, merchant_id, email, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&user.id)
    .bind(&user.merchant_id)
    .bind(&user.email)
    .bind(&user.password_hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(user)
}
