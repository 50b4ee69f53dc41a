//! The secrets the database keeps, and keeping them sealed (`base::secrets`): at start-up,
//! sealing what a linkpay from before sealing stored in plain text, and on `linkpay secrets
//! rotate`, re-sealing everything under the current master key so older keys can be dropped.
//!
//! Each row is rewritten only if it still holds what was read (compare and set), so this is
//! safe while other instances run, and running it again does nothing more.

use crate::base::db::Db;
use crate::base::secrets::{self, MasterKeys, OpenError};
use crate::domain::{provider_accounts, return_urls, webhooks::endpoints};

/// Where a row's values are sealed for, from its id.
type Place = fn(&str) -> String;

/// Every column that holds a sealed secret, with where its rows' values are sealed for.
const SEALED: &[(&str, &str, Place)] = &[
    ("webhook_endpoints", "secret", endpoints::place),
    ("webhook_endpoints", "previous_secret", endpoints::place),
    ("return_urls", "secret", return_urls::place),
    ("provider_accounts", "credentials", provider_accounts::place),
];

/// What to (re-)seal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reseal {
    /// Only values stored in plain text (start-up).
    Plain,
    /// Everything not sealed under the current key, plain text included (rotation).
    NotCurrent,
}

#[derive(Debug, thiserror::Error)]
pub enum ResealError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    /// A value that no key given opens: the message names the row, never a secret.
    #[error("{table}.{column} of {id}: {problem}")]
    Open {
        table: &'static str,
        column: &'static str,
        id: String,
        problem: OpenError,
    },
}

/// Seals what `which` asks for; answers how many values it rewrote.
pub async fn reseal(db: &Db, keys: &MasterKeys, which: Reseal) -> Result<u64, ResealError> {
    let mut rewritten = 0;
    for &(table, column, place) in SEALED {
        let rows: Vec<(String, String)> = sqlx::query_as(&format!(
            "SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY id"
        ))
        .fetch_all(db.reader())
        .await?;
        for (id, stored) in rows {
            let plain = if !secrets::is_sealed(&stored) {
                stored.clone()
            } else if which == Reseal::NotCurrent && !keys.is_current(&stored) {
                keys.open(&place(&id), &stored)
                    .map_err(|problem| ResealError::Open {
                        table,
                        column,
                        id: id.clone(),
                        problem,
                    })?
            } else {
                continue;
            };
            let done = sqlx::query(&format!(
                "UPDATE {table} SET {column} = $1 WHERE id = $2 AND {column} = $3"
            ))
            .bind(keys.seal(&place(&id), &plain))
            .bind(&id)
            .bind(&stored)
            .execute(db.writer())
            .await?;
            rewritten += done.rows_affected();
        }
    }
    Ok(rewritten)
}
