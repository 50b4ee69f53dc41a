//! What every list endpoint shares: the cursor parameters (`starting_after`, `ending_before`)
//! resolved to a position in the list, and the Stripe-style list object they answer.

use super::query::Query;
use crate::base::error::ApiError;
use crate::base::listing::{Cursor, Page};
use axum::Json;
use serde_json::{Value, json};

/// The query parameters of a list that has no filters.
pub const PAGE_PARAMS: &[&str] = &["limit", "starting_after", "ending_before"];

/// `{"object": "list", "url", "has_more", "data"}`, the answer of every list endpoint.
pub fn json(url: &str, data: Vec<Value>, has_more: bool) -> Value {
    json!({"object": "list", "url": url, "has_more": has_more, "data": data})
}

/// A page of objects as the list object, each rendered by `to_json`.
pub fn page<T>(url: &str, page: &Page<T>, to_json: impl FnMut(&T) -> Value) -> Json<Value> {
    Json(json(
        url,
        page.items.iter().map(to_json).collect(),
        page.has_more,
    ))
}

/// The cursor `param` (`starting_after` or `ending_before`) names, at the object's creation
/// time.
pub fn cursor(param: &str, created: i64, id: String) -> Cursor {
    if param == "ending_before" {
        Cursor::EndingBefore { created, id }
    } else {
        Cursor::StartingAfter { created, id }
    }
}

/// The query's cursor, if it has one. `created_at` looks up when the object the cursor names
/// was created, or `None` when the merchant has no such `what`: a 404 `resource_missing`
/// naming the parameter, as for any id that names nothing.
pub async fn query_cursor(
    q: &Query,
    what: &str,
    created_at: impl AsyncFnOnce(&str) -> Result<Option<i64>, ApiError>,
) -> Result<Option<Cursor>, ApiError> {
    let Some((param, id)) = q.cursor_id()? else {
        return Ok(None);
    };
    match created_at(&id).await? {
        Some(created) => Ok(Some(cursor(param, created, id))),
        None => Err(ApiError::no_such(what, &id).with_param(param)),
    }
}

/// The page of a list the query asks for: its cursor as `query_cursor` finds it (with
/// `created_at`), then `fetch(cursor, limit)`.
pub async fn fetch<T>(
    q: &Query,
    what: &str,
    created_at: impl AsyncFnOnce(&str) -> Result<Option<i64>, ApiError>,
    fetch: impl AsyncFnOnce(Option<Cursor>, i64) -> Result<Page<T>, sqlx::Error>,
) -> Result<Page<T>, ApiError> {
    let cursor = query_cursor(q, what, created_at).await?;
    Ok(fetch(cursor, q.limit()?).await?)
}
