//! Webhook endpoints: a URL, the events it wants, and the `whsec_` secret deliveries to it are
//! signed with. After a rotation the previous secret keeps signing until it expires.

use crate::base::clock::Clock;
use crate::base::db::{Db, Tx};
use crate::base::ids;
use crate::base::listing::{self, Cursor, Page, Scope, Where};
use crate::base::secrets::MasterKeys;
use linkpay_shared::webhook::WebhookSecret;
use serde_json::{Value, json};

/// Every event type linkpay emits; `enabled_events` names some of these, or `*`.
pub const EVENT_TYPES: &[&str] = &[
    "link.created",
    "link.deactivated",
    "link.expired",
    "charge.create",
    "charge.complete",
    "charge.update",
];

/// How long a rotated-out secret may keep signing, at most.
pub const MAX_ROTATION_OVERLAP_SECS: i64 = 7 * 24 * 3600;

/// The stored secrets are read under names that say they are sealed (`base::secrets`).
pub const COLUMNS: &str = "id, merchant_id, livemode, url, secret AS sealed_secret, enabled, enabled_events, \
     description, disabled_reason, previous_secret AS sealed_previous_secret, \
     previous_secret_expires_at, created_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Endpoint {
    pub id: String,
    pub merchant_id: String,
    /// Only events of this mode are sent to it.
    #[sqlx(try_from = "crate::base::db::Flag")]
    pub livemode: bool,
    pub url: String,
    pub sealed_secret: String,
    pub enabled: i64,
    /// JSON array of event types, or `["*"]`.
    pub enabled_events: String,
    pub description: Option<String>,
    pub disabled_reason: Option<String>,
    pub sealed_previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<i64>,
    pub created_at: i64,
}

impl Endpoint {
    pub fn events(&self) -> Vec<String> {
        serde_json::from_str(&self.enabled_events).unwrap_or_else(|_| vec!["*".into()])
    }

    /// The API object. The secret is never part of it: it is shown once, on creation and
    /// rotation, by [`Endpoint::to_json_with_secret`].
    pub fn to_json(&self, now: i64) -> Value {
        json!({
            "id": self.id,
            "object": "webhook_endpoint",
            "livemode": self.livemode,
            "url": self.url,
            "enabled_events": self.events(),
            "description": self.description,
            "status": if self.enabled == 1 { "enabled" } else { "disabled" },
            "disabled_reason": self.disabled_reason,
            "previous_secret_expires": self.previous_secret_expires_at.filter(|t| *t > now),
            "created": self.created_at,
        })
    }

    /// The API object with the secret that was just made, for its one reveal.
    pub fn to_json_with_secret(&self, now: i64, secret: &str) -> Value {
        let mut v = self.to_json(now);
        v["secret"] = json!(secret);
        v
    }
}

/// Where an endpoint's secrets are sealed for (see [`MasterKeys::seal`]).
pub fn place(id: &str) -> String {
    format!("webhook_endpoints/{id}")
}

/// Does an endpoint with this `enabled_events` JSON want events of type `kind`?
pub fn wants(enabled_events: &str, kind: &str) -> bool {
    serde_json::from_str::<Vec<String>>(enabled_events)
        .map(|list| list.iter().any(|e| e == "*" || e == kind))
        .unwrap_or(true)
}

/// Checks a list of event types. Errors name the index of the first bad entry.
pub fn check_events(list: &[String]) -> Result<(), (usize, String)> {
    if list.is_empty() {
        return Err((
            0,
            "enabled_events must name at least one event type, or \"*\".".into(),
        ));
    }
    for (i, e) in list.iter().enumerate() {
        if e != "*" && !EVENT_TYPES.contains(&e.as_str()) {
            return Err((
                i,
                format!(
                    "{e:?} is not an event type. Known: *, {}.",
                    EVENT_TYPES.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Checks that `url` is an absolute http(s) URL with a host, and answers it parsed.
pub fn check_url(url: &str) -> Result<reqwest::Url, String> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err("url must start with https:// (or http://).".into());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) || url.len() > 2048 {
        return Err("url must be at most 2048 characters, without spaces.".into());
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("url is not a valid URL: {e}."))?;
    // The URL parser reads `https:///path` as host `path`; a merchant meant something else.
    let after_scheme = url.split_once("://").map_or("", |(_, rest)| rest);
    if after_scheme.starts_with('/') || parsed.host_str().is_none_or(str::is_empty) {
        return Err("url must be an absolute URL with a host.".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("url must not carry a user name or password; put credentials in the path or query if you need them.".into());
    }
    Ok(parsed)
}

pub struct NewEndpoint {
    pub url: String,
    pub enabled_events: Vec<String>,
    pub description: Option<String>,
}

/// Registers an endpoint; answers it with its new secret, which only this answer holds in
/// plain text.
pub async fn create(
    db: &Db,
    clock: &Clock,
    keys: &MasterKeys,
    scope: Scope<'_>,
    new: NewEndpoint,
) -> Result<(Endpoint, String), sqlx::Error> {
    let id = ids::new_sortable_id("we", clock.now_millis());
    let secret = new_secret();
    let endpoint = Endpoint {
        sealed_secret: keys.seal(&place(&id), &secret),
        id,
        merchant_id: scope.merchant_id.to_owned(),
        livemode: scope.livemode,
        url: new.url,
        enabled: 1,
        enabled_events: json!(new.enabled_events).to_string(),
        description: new.description,
        disabled_reason: None,
        sealed_previous_secret: None,
        previous_secret_expires_at: None,
        created_at: clock.now(),
    };
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, merchant_id, livemode, url, secret, enabled, enabled_events, description, created_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8)",
    )
    .bind(&endpoint.id)
    .bind(scope.merchant_id)
    .bind(i64::from(scope.livemode))
    .bind(&endpoint.url)
    .bind(&endpoint.sealed_secret)
    .bind(&endpoint.enabled_events)
    .bind(&endpoint.description)
    .bind(endpoint.created_at)
    .execute(db.writer())
    .await?;
    Ok((endpoint, secret))
}

fn new_secret() -> String {
    WebhookSecret::from_random_bytes(ids::random_bytes()).to_whsec()
}

/// The merchant's endpoint with this id, in either mode (the caller checks the mode), unless
/// deleted.
pub async fn get(db: &Db, merchant_id: &str, id: &str) -> Result<Option<Endpoint>, sqlx::Error> {
    let (table, live) = (("webhook_endpoints", COLUMNS), "deleted_at IS NULL");
    crate::base::db::owned_row(db.reader(), table, live, merchant_id, id).await
}

pub async fn list(
    db: &Db,
    scope: Scope<'_>,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Page<Endpoint>, sqlx::Error> {
    let mut filter = Where::owned_by(scope);
    filter.and("deleted_at IS NULL", []);
    listing::page(db, "webhook_endpoints", COLUMNS, filter, cursor, limit).await
}

/// Changes to an endpoint; `None` leaves a field as it is.
#[derive(Default)]
pub struct Update {
    pub url: Option<String>,
    pub enabled_events: Option<Vec<String>>,
    pub description: Option<Option<String>>,
    pub disabled: Option<bool>,
}

/// Applies `update` in one statement. Disabling cancels the endpoint's pending deliveries in
/// the same transaction; enabling again sends only events from then on.
pub async fn update(
    db: &Db,
    now: i64,
    merchant_id: &str,
    id: &str,
    update: Update,
) -> Result<Option<Endpoint>, sqlx::Error> {
    let Some(current) = get(db, merchant_id, id).await? else {
        return Ok(None);
    };
    let (enabled, reason) = match update.disabled {
        Some(true) => (0, Some("merchant".to_owned())),
        Some(false) => (1, None),
        None => (current.enabled, current.disabled_reason.clone()),
    };
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE webhook_endpoints SET url = $1, enabled_events = $2, description = $3, enabled = $4, disabled_reason = $5
          WHERE id = $6 AND deleted_at IS NULL",
    )
    .bind(update.url.unwrap_or(current.url))
    .bind(
        update
            .enabled_events
            .map_or(current.enabled_events, |e| json!(e).to_string()),
    )
    .bind(update.description.unwrap_or(current.description))
    .bind(enabled)
    .bind(reason)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if enabled == 0 {
        cancel_pending(&mut tx, now, id, "endpoint disabled").await?;
    }
    tx.commit().await?;
    get(db, merchant_id, id).await
}

/// Deletes an endpoint: it gets no more deliveries, and its history stays readable from the
/// events it was sent.
pub async fn delete(db: &Db, now: i64, merchant_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE webhook_endpoints SET deleted_at = $1, enabled = 0
          WHERE id = $2 AND merchant_id = $3 AND deleted_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(merchant_id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if done {
        cancel_pending(&mut tx, now, id, "endpoint deleted").await?;
    }
    tx.commit().await?;
    Ok(done)
}

/// Issues a new secret, answered with the endpoint as its one reveal. The previous one keeps
/// signing for `overlap_secs` (0: stops now); it stays sealed as it was, for the same row.
pub async fn rotate_secret(
    db: &Db,
    now: i64,
    keys: &MasterKeys,
    merchant_id: &str,
    id: &str,
    overlap_secs: i64,
) -> Result<Option<(Endpoint, String)>, sqlx::Error> {
    // The old secret keeps signing only with an overlap; otherwise it stops at once.
    let (previous, expires) = if overlap_secs > 0 {
        ("secret", "$4")
    } else {
        ("NULL", "NULL")
    };
    let sql = format!(
        "UPDATE webhook_endpoints SET previous_secret = {previous}, previous_secret_expires_at = {expires}, secret = $1
          WHERE id = $2 AND merchant_id = $3 AND deleted_at IS NULL"
    );
    let secret = new_secret();
    let mut query = sqlx::query(&sql)
        .bind(keys.seal(&place(id), &secret))
        .bind(id)
        .bind(merchant_id);
    if overlap_secs > 0 {
        query = query.bind(now + overlap_secs);
    }
    let done = query.execute(db.writer()).await?.rows_affected();
    if done == 0 {
        return Ok(None);
    }
    Ok(get(db, merchant_id, id).await?.map(|e| (e, secret)))
}

/// Disables an endpoint that answered `410 Gone`: the receiver says it is not coming back.
pub async fn disable_gone(tx: &mut Tx, now: i64, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = 'gone' WHERE id = $1 AND enabled = 1",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    cancel_pending(tx, now, id, "endpoint disabled: it answered 410 Gone").await
}

async fn cancel_pending(
    tx: &mut Tx,
    now: i64,
    endpoint_id: &str,
    why: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'canceled', last_error = $1, locked_until = NULL, updated_at = $2
          WHERE endpoint_id = $3 AND status = 'pending'",
    )
    .bind(why)
    .bind(now)
    .bind(endpoint_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(check_url("https://shop.example.com/hooks").is_ok());
        assert!(check_url("http://127.0.0.1:9000/").is_ok());
        assert!(check_url("ftp://x/").is_err());
        assert!(check_url("https:///path").is_err());
        assert!(check_url("https://a b/").is_err());
        assert!(check_url("shop.example.com").is_err());
        assert!(check_url("https://user:pw@shop.example.com/").is_err());
    }

    #[test]
    fn filters_match_named_events_or_everything() {
        assert!(wants(r#"["*"]"#, "link.created"));
        assert!(wants(r#"["charge.complete"]"#, "charge.complete"));
        assert!(!wants(r#"["charge.complete"]"#, "link.created"));
        assert_eq!(
            check_events(&["charge.complete".into(), "charge.paid".into()])
                .expect_err("charge.paid is unknown")
                .0,
            1
        );
        assert!(check_events(&[]).is_err());
        assert!(check_events(&["*".into()]).is_ok());
    }
}
