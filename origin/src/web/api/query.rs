//! Query-string parameters for list endpoints, read like JSON bodies: every error names its
//! parameter, and unknown parameters are refused.

use crate::base::error::ApiError;
use std::collections::HashMap;

pub const DEFAULT_LIMIT: i64 = 10;
pub const MAX_LIMIT: i64 = 100;

pub struct Query {
    params: HashMap<String, String>,
}

impl Query {
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Query, ApiError> {
        let mut params = HashMap::new();
        for (k, v) in form_urlencoded(raw.unwrap_or("")) {
            if !allowed.contains(&k.as_str()) {
                return Err(ApiError::invalid(
                    &k,
                    "parameter_unknown",
                    format!(
                        "Received unknown parameter: {k}. Allowed: {}.",
                        allowed.join(", ")
                    ),
                ));
            }
            if params.insert(k.clone(), v).is_some() {
                return Err(ApiError::invalid(
                    &k,
                    "parameter_invalid",
                    format!("{k} is given more than once."),
                ));
            }
        }
        Ok(Query { params })
    }

    pub fn string(&self, name: &str) -> Option<String> {
        self.params.get(name).cloned()
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.params
            .get(name)
            .map(|v| {
                v.parse().map_err(|_| {
                    ApiError::invalid(
                        name,
                        "parameter_invalid",
                        format!("{name} must be an integer, got {v:?}."),
                    )
                })
            })
            .transpose()
    }

    /// A parameter that may only take one of `allowed`.
    pub fn one_of(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        let value = self.string(name);
        if let Some(v) = &value
            && !allowed.contains(&v.as_str())
        {
            return Err(ApiError::invalid(
                name,
                "parameter_invalid",
                format!("{name} {v:?} is not one of {}.", allowed.join(", ")),
            ));
        }
        Ok(value)
    }

    /// `limit`: 1..=100, default 10, as in Stripe's API.
    pub fn limit(&self) -> Result<i64, ApiError> {
        let limit = self.int("limit")?.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                "parameter_invalid",
                format!("limit must be between 1 and {MAX_LIMIT}."),
            ));
        }
        Ok(limit)
    }

    /// `starting_after` or `ending_before` (an object id), not both.
    pub fn cursor_id(&self) -> Result<Option<(&'static str, String)>, ApiError> {
        match (self.string("starting_after"), self.string("ending_before")) {
            (Some(_), Some(_)) => Err(ApiError::invalid(
                "ending_before",
                "parameter_invalid",
                "Give starting_after or ending_before, not both.",
            )),
            (Some(id), None) => Ok(Some(("starting_after", id))),
            (None, Some(id)) => Ok(Some(("ending_before", id))),
            (None, None) => Ok(None),
        }
    }
}

fn form_urlencoded(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                // Bytes, not a str slice: the next two bytes may be part of a multibyte char.
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_brackets_and_refuses_unknown_or_repeated() {
        let q = Query::parse(
            Some("created%5Bgte%5D=10&reference=INV+1%2F2&limit=5"),
            &["created[gte]", "reference", "limit"],
        )
        .expect("parse");
        assert_eq!(q.int("created[gte]").expect("int"), Some(10));
        assert_eq!(q.string("reference").as_deref(), Some("INV 1/2"));
        assert_eq!(q.limit().expect("limit"), 5);
        let e = Query::parse(Some("colour=red"), &["limit"])
            .err()
            .expect("unknown");
        assert_eq!(e.param.as_deref(), Some("colour"));
        let e = Query::parse(Some("limit=1&limit=2"), &["limit"])
            .err()
            .expect("repeated");
        assert_eq!(e.param.as_deref(), Some("limit"));
        let q = Query::parse(Some("limit=0"), &["limit"]).expect("parse");
        assert_eq!(
            q.limit().expect_err("range").param.as_deref(),
            Some("limit")
        );
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%e3%81%82"), "あ");
        assert_eq!(percent_decode("%あい"), "%あい");
    }
}
