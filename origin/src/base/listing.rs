//! Listing with Stripe-style cursor pagination (`limit`, `starting_after`, `ending_before`):
//! newest first, ordered by (created, id) so that a page boundary never skips or repeats a row
//! when many objects share a second.

use crate::base::db::Db;

/// A page of results, newest first, and whether there are more beyond it.
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_more: bool,
}

/// Where a page starts: after (older than) or before (newer than) a known object.
pub enum Cursor {
    StartingAfter { created: i64, id: String },
    EndingBefore { created: i64, id: String },
}

/// One merchant's data in one mode. Test and live data never mix: every list and every
/// event fan-out is of one scope, and a key sees only its own mode's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope<'a> {
    pub merchant_id: &'a str,
    pub livemode: bool,
}

/// One place builds `WHERE` clauses with numbered placeholders and their values, so listing
/// queries stay parameterised however many filters are given.
#[derive(Default)]
pub struct Where {
    clauses: Vec<String>,
    pub values: Vec<SqlValue>,
}

#[derive(Clone)]
pub enum SqlValue {
    Int(i64),
    Text(String),
}

impl From<i64> for SqlValue {
    fn from(v: i64) -> SqlValue {
        SqlValue::Int(v)
    }
}

impl From<&str> for SqlValue {
    fn from(v: &str) -> SqlValue {
        SqlValue::Text(v.to_owned())
    }
}

impl From<&String> for SqlValue {
    fn from(v: &String) -> SqlValue {
        SqlValue::Text(v.clone())
    }
}

impl From<String> for SqlValue {
    fn from(v: String) -> SqlValue {
        SqlValue::Text(v)
    }
}

impl Where {
    pub fn new() -> Where {
        Where::default()
    }

    /// Adds a clause; each `?` in it becomes the next `$N`.
    pub fn and(&mut self, clause: &str, values: impl IntoIterator<Item = SqlValue>) {
        let mut out = String::new();
        let mut values = values.into_iter();
        for ch in clause.chars() {
            if ch == '?' {
                let v = values.next().expect("a value for every placeholder");
                self.values.push(v);
                out.push_str(&format!("${}", self.values.len()));
            } else {
                out.push(ch);
            }
        }
        self.clauses.push(out);
    }

    /// The rows of one merchant in one mode (test or live), where every list starts.
    pub fn owned_by(scope: Scope<'_>) -> Where {
        let mut w = Where::new();
        w.and("merchant_id = ?", [scope.merchant_id.into()]);
        w.and("livemode = ?", [i64::from(scope.livemode).into()]);
        w
    }

    /// Adds `clause`, whose one `?` is `value`, when a filter gives a value.
    pub fn and_if<V: Into<SqlValue>>(&mut self, clause: &str, value: Option<V>) {
        if let Some(v) = value {
            self.and(clause, [v.into()]);
        }
    }

    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            "TRUE".into()
        } else {
            self.clauses.join(" AND ")
        }
    }

    pub fn cursor(&mut self, cursor: &Option<Cursor>) {
        match cursor {
            Some(Cursor::StartingAfter { created, id }) => self.and(
                "(created_at < ? OR (created_at = ? AND id < ?))",
                [
                    SqlValue::Int(*created),
                    SqlValue::Int(*created),
                    SqlValue::Text(id.clone()),
                ],
            ),
            Some(Cursor::EndingBefore { created, id }) => self.and(
                "(created_at > ? OR (created_at = ? AND id > ?))",
                [
                    SqlValue::Int(*created),
                    SqlValue::Int(*created),
                    SqlValue::Text(id.clone()),
                ],
            ),
            None => {}
        }
    }
}

/// Runs `SELECT {columns} FROM {table} WHERE … ORDER BY created_at, id` a page at a time.
/// Pages are always returned newest first; `ending_before` reads upwards and flips.
pub async fn page<T>(
    db: &Db,
    table: &str,
    columns: &str,
    mut filter: Where,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Page<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let ascending = matches!(cursor, Some(Cursor::EndingBefore { .. }));
    filter.cursor(&cursor);
    let order = if ascending { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT {columns} FROM {table} WHERE {} ORDER BY created_at {order}, id {order} LIMIT {}",
        filter.sql(),
        limit + 1
    );
    let mut query = sqlx::query_as::<_, T>(&sql);
    for v in filter.values {
        query = match v {
            SqlValue::Int(i) => query.bind(i),
            SqlValue::Text(s) => query.bind(s),
        };
    }
    let mut items = query.fetch_all(db.reader()).await?;
    let has_more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    if ascending {
        items.reverse();
    }
    Ok(Page { items, has_more })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_numbers_placeholders_in_order() {
        let mut w = Where::new();
        w.and("a = ?", [SqlValue::Int(1)]);
        w.and(
            "(b < ? OR c = ?)",
            [SqlValue::Int(2), SqlValue::Text("x".into())],
        );
        assert_eq!(w.sql(), "a = $1 AND (b < $2 OR c = $3)");
        assert_eq!(w.values.len(), 3);
        assert_eq!(Where::new().sql(), "TRUE");
    }
}
