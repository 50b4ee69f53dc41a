//! `Idempotency-Key` on every `POST /v1/…`, as in Stripe's API: the first response to a key is
//! stored and replayed for the same request; the same key with a different request is a 409.
//!
//! A key is claimed (inserted) before the handler runs, so two concurrent requests with one
//! key cannot both execute: the second gets 409 `idempotency_key_in_use` and may retry. A 5xx
//! answer is not stored (nothing was done, or it is unknown what was), so a retry runs again.
//! A claim left by a crashed process lapses after `CLAIM_SECS` and can then be taken over.

use super::auth::authenticate;
use crate::base::db::Tx;
use crate::base::error::ApiError;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
const MAX_KEY_LEN: usize = 255;
const MAX_BODY_BYTES: usize = 1 << 20;
const CLAIM_SECS: i64 = 60;

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST || !req.headers().contains_key(HEADER) {
        return next.run(req).await;
    }
    match handle(&state, req, next).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

/// What the OpenAPI document says of the header: 1-255 printable ASCII characters, no spaces.
pub fn is_key(k: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic())
}

async fn handle(state: &AppState, req: Request, next: Next) -> Result<Response, ApiError> {
    let key = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|k| is_key(k))
        .ok_or_else(|| {
            ApiError::invalid(
                "Idempotency-Key",
                "idempotency_key_invalid",
                format!("The Idempotency-Key header must be 1-{MAX_KEY_LEN} printable ASCII characters without spaces, e.g. a UUID."),
            )
        })?
        .to_owned();
    let auth = authenticate(state, req.headers()).await?;
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::bad_request("body_too_large", "The request body is over 1 MiB."))?;
    let path = parts.uri.path().to_owned();
    let hash = request_hash(parts.method.as_str(), &path, &body);
    let scope = Scope {
        merchant_id: &auth.merchant.id,
        livemode: i64::from(auth.livemode),
        key: &key,
    };

    match claim(state, &scope, &path, &hash).await? {
        Claim::Replay(status, stored) => {
            let mut resp = (
                StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK),
                [(header::CONTENT_TYPE, "application/json")],
                stored,
            )
                .into_response();
            resp.headers_mut()
                .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
            return Ok(resp);
        }
        Claim::Mismatch => {
            return Err(ApiError::conflict(
                StatusCode::CONFLICT,
                "idempotency_key_reused",
                "This Idempotency-Key was already used with a different request (method, path or body). Use a new key for a new request.",
            )
            .with_param("Idempotency-Key"));
        }
        Claim::InUse => {
            return Err(ApiError::conflict(
                StatusCode::CONFLICT,
                "idempotency_key_in_use",
                "A request with this Idempotency-Key is still being processed. Retry in a moment to get its result.",
            )
            .with_param("Idempotency-Key"));
        }
        Claim::Claimed => {}
    }

    let resp = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (mut parts, body) = resp.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_else(|_| Bytes::new());
    if parts.status.is_server_error() {
        release(state, &scope).await?;
    } else {
        save(state, &scope, parts.status.as_u16(), &body).await?;
    }
    parts
        .headers
        .insert(REPLAYED_HEADER, HeaderValue::from_static("false"));
    Ok(Response::from_parts(parts, Body::from(body)))
}

struct Scope<'a> {
    merchant_id: &'a str,
    livemode: i64,
    key: &'a str,
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;
type QueryAs<'q, T> = sqlx::query::QueryAs<'q, sqlx::Any, T, sqlx::any::AnyArguments<'q>>;

impl<'a> Scope<'a> {
    /// Binds the key's row (merchant, mode, key) as the query's next three values.
    fn bind<'q>(&self, q: Query<'q>) -> Query<'q>
    where
        'a: 'q,
    {
        q.bind(self.merchant_id).bind(self.livemode).bind(self.key)
    }

    fn bind_as<'q, T>(&self, q: QueryAs<'q, T>) -> QueryAs<'q, T>
    where
        'a: 'q,
    {
        q.bind(self.merchant_id).bind(self.livemode).bind(self.key)
    }
}

enum Claim {
    Claimed,
    Replay(i64, String),
    Mismatch,
    InUse,
}

fn request_hash(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(sqlx::FromRow)]
struct Stored {
    request_hash: String,
    status: Option<i64>,
    response: Option<String>,
    locked_until: i64,
}

async fn claim(
    state: &AppState,
    scope: &Scope<'_>,
    path: &str,
    hash: &str,
) -> Result<Claim, sqlx::Error> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let insert = scope.bind(sqlx::query(
        "INSERT INTO idempotency_keys (merchant_id, livemode, key, method, path, request_hash, locked_until, created_at)
         VALUES ($1, $2, $3, 'POST', $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    ));
    if took(insert.bind(path).bind(hash), now, &mut tx).await? {
        tx.commit().await?;
        return Ok(Claim::Claimed);
    }
    let stored: Stored = scope
        .bind_as(sqlx::query_as(
            "SELECT request_hash, status, response, locked_until FROM idempotency_keys
              WHERE merchant_id = $1 AND livemode = $2 AND key = $3",
        ))
        .fetch_one(&mut *tx)
        .await?;
    let outcome = if stored.request_hash != hash {
        Claim::Mismatch
    } else if let (Some(status), Some(response)) = (stored.status, stored.response) {
        Claim::Replay(status, response)
    } else if stored.locked_until > now {
        Claim::InUse
    } else {
        // The first request's process died mid-way: take the claim over (conditionally, so
        // only one of several retries does).
        let take_over = scope.bind(sqlx::query(
            "UPDATE idempotency_keys SET locked_until = $4
              WHERE merchant_id = $1 AND livemode = $2 AND key = $3 AND status IS NULL AND locked_until <= $5",
        ));
        if took(take_over, now, &mut tx).await? {
            Claim::Claimed
        } else {
            Claim::InUse
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// Runs a write that claims the key, with the claim's lease (`now + CLAIM_SECS`) and `now`
/// as its last two parameters; true where it took the key.
async fn took(q: Query<'_>, now: i64, tx: &mut Tx) -> Result<bool, sqlx::Error> {
    let done = q
        .bind(now + CLAIM_SECS)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

async fn save(
    state: &AppState,
    scope: &Scope<'_>,
    status: u16,
    body: &[u8],
) -> Result<(), sqlx::Error> {
    scope
        .bind(sqlx::query(
            "UPDATE idempotency_keys SET status = $4, response = $5
              WHERE merchant_id = $1 AND livemode = $2 AND key = $3",
        ))
        .bind(i64::from(status))
        .bind(String::from_utf8_lossy(body).into_owned())
        .execute(state.db.writer())
        .await?;
    Ok(())
}

async fn release(state: &AppState, scope: &Scope<'_>) -> Result<(), sqlx::Error> {
    scope
        .bind(sqlx::query(
            "DELETE FROM idempotency_keys WHERE merchant_id = $1 AND livemode = $2 AND key = $3 AND status IS NULL",
        ))
        .execute(state.db.writer())
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_hash_covers_method_path_and_body() {
        let h = super::request_hash;
        assert_eq!(h("POST", "/v1/links", b"{}"), h("POST", "/v1/links", b"{}"));
        assert_ne!(
            h("POST", "/v1/links", b"{}"),
            h("POST", "/v1/links", b"{ }")
        );
        assert_ne!(
            h("POST", "/v1/links", b"{}"),
            h("POST", "/v1/links/x", b"{}")
        );
        // The separator keeps "path + body" boundaries unambiguous.
        assert_ne!(h("POST", "/v1/a", b"b"), h("POST", "/v1/ab", b""));
    }
}
