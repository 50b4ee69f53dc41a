//! Return URLs: the merchant's own pages a buyer is sent back to after paying, registered in
//! advance (at most [`MAX_PER_MERCHANT`] in each mode) with a signing secret each. A link names one by id;
//! nothing in a buyer's request can choose the destination, so there is no open redirect.

pub mod back;

use crate::base::db::Db;
use crate::base::error::ApiError;
use crate::base::ids;
use crate::base::listing::Scope;
use crate::base::secrets::MasterKeys;
use axum::http::StatusCode;
use linkpay_shared::redirect::{FIELDS, ReturnSecret, SIGNATURE_FIELD};
use linkpay_shared::token::mode_name;
use serde_json::{Value, json};
use sqlx::{Any, Executor};

pub const MAX_PER_MERCHANT: i64 = 3;
pub const MAX_URL_LEN: usize = 2048;
pub const MAX_DESCRIPTION_CHARS: usize = 200;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReturnUrl {
    pub id: String,
    pub merchant_id: String,
    /// Only links of this mode can name it.
    #[sqlx(try_from = "crate::base::db::Flag")]
    pub livemode: bool,
    pub url: String,
    /// `get` or `post`.
    pub method: String,
    pub description: Option<String>,
    /// The `rsec_` secret as stored: sealed for [`place`].
    #[sqlx(rename = "secret")]
    pub sealed_secret: String,
    pub created_at: i64,
}

const COLUMNS: &str = "id, merchant_id, livemode, url, method, description, secret, created_at";

impl ReturnUrl {
    /// The API object; `secret` is given only in the creation response, its one reveal.
    pub fn to_json(&self, secret: Option<&str>) -> Value {
        let mut v = json!({
            "id": self.id,
            "object": "return_url",
            "livemode": self.livemode,
            "url": self.url,
            "method": self.method,
            "description": self.description,
            "created": self.created_at,
        });
        if let Some(secret) = secret {
            v["secret"] = secret.into();
        }
        v
    }
}

/// Where a return URL's secret is sealed for (see [`MasterKeys::seal`]).
pub fn place(id: &str) -> String {
    format!("return_urls/{id}")
}

/// How the buyer's browser is sent back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn parse(s: &str) -> Option<Method> {
        match s {
            "get" => Some(Method::Get),
            "post" => Some(Method::Post),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
        }
    }
}

/// Checks a return URL: absolute https (http only for a loopback host, or anywhere when
/// `allow_http`), a host, no userinfo or fragment, printable ASCII, at most 2048 characters,
/// and no query parameter of its own that would collide with the signed fields.
pub fn check_url(url: &str, allow_http: bool) -> Result<(), String> {
    if url.len() > MAX_URL_LEN {
        return Err(format!("url must be at most {MAX_URL_LEN} characters."));
    }
    if !url.bytes().all(|b| b.is_ascii_graphic()) || url.contains('\\') {
        return Err("url must be printable ASCII without spaces or backslashes; percent-encode anything else.".into());
    }
    let (https, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (_, Some(rest)) => (false, rest),
        _ => return Err("url must be an absolute URL starting with https://.".into()),
    };
    if url.contains('#') {
        return Err("url must not have a fragment (#…).".into());
    }
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if authority.contains('@') {
        return Err("url must not contain a user name or password.".into());
    }
    let host = host_of(authority).ok_or("url must have a valid host (and port, if any).")?;
    if !https && !allow_http && !is_loopback(host) {
        return Err(
            "url must use https:// (http:// is accepted only for localhost and 127.0.0.1).".into(),
        );
    }
    if let Some((_, query)) = rest.split_once('?') {
        for pair in query.split('&') {
            let name = pair.split('=').next().unwrap_or("");
            if FIELDS.contains(&name) || name == SIGNATURE_FIELD {
                return Err(format!(
                    "url must not have its own {name:?} query parameter: linkpay adds and signs that one."
                ));
            }
        }
    }
    Ok(())
}

/// The host of `host[:port]`, if both are well formed.
fn host_of(authority: &str) -> Option<&str> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (inner, after) = v6.split_once(']')?;
        if inner.parse::<std::net::Ipv6Addr>().is_err() {
            return None;
        }
        (&authority[..inner.len() + 2], after.strip_prefix(':'))
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let good_name = !host.is_empty()
        && (host.starts_with('[')
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'));
    let good_port =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok_and(|n| n > 0));
    (good_name && good_port).then_some(host)
}

fn is_loopback(host: &str) -> bool {
    matches!(
        host.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "[::1]"
    )
}

pub struct NewReturnUrl {
    pub url: String,
    pub method: Method,
    pub description: Option<String>,
}

/// Registers a return URL with a new secret, unless the merchant has the most allowed in this
/// mode. The
/// merchant's row is locked for the count and insert, so two concurrent requests cannot make
/// four on PostgreSQL (SQLite has one writer anyway).
/// Answers the return URL with its new secret, which only this answer holds in plain text.
pub async fn create(
    db: &Db,
    now: i64,
    keys: &MasterKeys,
    scope: Scope<'_>,
    new: NewReturnUrl,
) -> Result<(ReturnUrl, String), ApiError> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE merchants SET name = name WHERE id = $1")
        .bind(scope.merchant_id)
        .execute(&mut *tx)
        .await?;
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM return_urls WHERE merchant_id = $1 AND livemode = $2")
            .bind(scope.merchant_id)
            .bind(i64::from(scope.livemode))
            .fetch_one(&mut *tx)
            .await?;
    if count >= MAX_PER_MERCHANT {
        let mode = mode_name(scope.livemode);
        return Err(ApiError::conflict(
            StatusCode::CONFLICT,
            "return_url_limit_reached",
            &format!(
                "A merchant can register at most {MAX_PER_MERCHANT} return URLs in {mode} mode. Delete one first (DELETE /v1/return_urls/{{id}})."
            ),
        ));
    }
    let id = ids::new_id("ru");
    let secret = ReturnSecret::from_random_bytes(ids::random_bytes())
        .expose()
        .to_owned();
    let created = ReturnUrl {
        sealed_secret: keys.seal(&place(&id), &secret),
        id,
        merchant_id: scope.merchant_id.to_owned(),
        livemode: scope.livemode,
        url: new.url,
        method: new.method.as_str().to_owned(),
        description: new.description,
        created_at: now,
    };
    sqlx::query(&format!(
        "INSERT INTO return_urls ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(&created.id)
    .bind(&created.merchant_id)
    .bind(i64::from(created.livemode))
    .bind(&created.url)
    .bind(&created.method)
    .bind(&created.description)
    .bind(&created.sealed_secret)
    .bind(created.created_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((created, secret))
}

/// The merchant's return URLs in one mode, oldest first.
pub async fn list(db: &Db, scope: Scope<'_>) -> Result<Vec<ReturnUrl>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM return_urls WHERE merchant_id = $1 AND livemode = $2 ORDER BY created_at, id"
    ))
    .bind(scope.merchant_id)
    .bind(i64::from(scope.livemode))
    .fetch_all(db.reader())
    .await
}

/// The merchant's return URL with this id, in either mode (the caller checks the mode);
/// another merchant's is `None`.
pub async fn get<'e>(
    db: impl Executor<'e, Database = Any>,
    merchant_id: &str,
    id: &str,
) -> Result<Option<ReturnUrl>, sqlx::Error> {
    crate::base::db::owned_row(db, ("return_urls", COLUMNS), "TRUE", merchant_id, id).await
}

/// Deletes it; links that name it send their buyers to the edge's result page from now on.
pub async fn delete(db: &Db, merchant_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM return_urls WHERE id = $1 AND merchant_id = $2")
        .bind(id)
        .bind(merchant_id)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Checks the `return_url` a new link names: it must be one of the merchant's own, of the
/// link's mode.
pub async fn for_new_link(
    db: &Db,
    scope: Scope<'_>,
    id: Option<String>,
) -> Result<Option<String>, ApiError> {
    let Some(id) = id else {
        return Ok(None);
    };
    match get(db.reader(), scope.merchant_id, &id).await? {
        Some(r) if r.livemode == scope.livemode => Ok(Some(r.id)),
        Some(r) => Err(ApiError::invalid(
            "return_url",
            "livemode_mismatch",
            format!(
                "Return URL {id} was registered in {} mode; a {} link can only name a return URL of its own mode.",
                mode_name(r.livemode),
                mode_name(scope.livemode)
            ),
        )),
        None => Err(ApiError::not_found(
            "resource_missing",
            format!(
                "No such return URL: {id}. Register one with POST /v1/return_urls and name it by its ru_… id."
            ),
        )
        .with_param("return_url")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_https_with_a_host_and_nothing_ambiguous() {
        for ok in [
            "https://shop.example.com/paid",
            "https://shop.example.com:8443/paid?session=abc&lang=ja",
            "https://shop.example.com",
            "http://127.0.0.1:9000/back",
            "http://localhost/back",
            "http://[::1]:8080/",
            "https://[2001:db8::1]/x",
        ] {
            assert_eq!(check_url(ok, false), Ok(()), "{ok}");
        }
        for bad in [
            "http://shop.example.com/paid",
            "ftp://shop.example.com/",
            "//shop.example.com/",
            "/paid",
            "javascript:alert(1)",
            "https://",
            "https:///paid",
            "https://user:pw@shop.example.com/",
            "https://shop.example.com@evil.example/",
            "https://shop.example.com/paid#top",
            "https://shop.example.com/a b",
            "https://shop.example.com\\@evil.example/",
            "https://shop.example.com:0/",
            "https://shop.example.com:99999/",
            "https://shop.example.com:/",
            "https://shop_example.com/",
            "https://shop.example.com/paid?rc=0",
            "https://shop.example.com/paid?x=1&signature=",
            "https://ショップ.example/",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
        assert!(check_url("http://shop.example.com/paid", true).is_ok());
        let long = format!("https://shop.example.com/{}", "a".repeat(2048));
        assert!(check_url(&long, false).is_err());
    }
}
