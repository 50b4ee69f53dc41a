//! The rules of query parameters, written into the document from the constants the handlers
//! check them with, so that the two cannot drift: ranges, patterns and value lists, and the
//! cursor pair that may not be given together. Body fields are in `body_rules`.

use crate::domain::charges::state::Status;
use crate::domain::webhooks::endpoints::EVENT_TYPES;
use crate::web::api::query::MAX_LIMIT;
use linkpay_shared::Currency;
use serde_json::{Value, json};

/// A pattern matching exactly `words`, whatever the case of their letters, with `-` and `_`
/// interchangeable: what `eq_ignore_ascii_case`-style parsers accept.
pub fn any_case(words: &[&str]) -> String {
    let alternatives: Vec<String> = words
        .iter()
        .map(|w| {
            w.chars()
                .map(|c| match c {
                    'a'..='z' | 'A'..='Z' => {
                        format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
                    }
                    '-' | '_' => "[-_]".into(),
                    c => regex_escape(c),
                })
                .collect()
        })
        .collect();
    format!("^(?:{})$", alternatives.join("|"))
}

fn regex_escape(c: char) -> String {
    if "\\^$.|?*+()[]{}/".contains(c) {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

/// ISO 4217 codes linkpay takes, in any case (`Currency::from_code`).
pub fn currency() -> Value {
    let codes: Vec<&str> = Currency::ALL.iter().map(|c| c.code()).collect();
    json!({"type": "string", "pattern": any_case(&codes),
           "description": format!("ISO 4217, any case: {}", codes.join(", "))})
}

fn one_of(values: &[&str]) -> Value {
    json!({"type": "string", "enum": values})
}

/// What the query parameter `name` of the operation at `path` is (`None`: as generated).
pub fn query_parameter(path: &str, name: &str) -> Option<Value> {
    let charge_statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let batch = path.starts_with("/v1/batches");
    Some(match name {
        "limit" => json!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 10}),
        // A batch's currency and encoding may be left empty, meaning "not given".
        "currency" if batch => or_empty(currency()),
        "currency" => currency(),
        "encoding" => or_empty(json!({"type": "string",
            "pattern": any_case(crate::services::batch::decode::Encoding::NAMES)})),
        // Empty means not given, like "none".
        "send" => json!({"type": "string", "pattern": "^(?:email|sms|none)?$"}),
        "type" => one_of(EVENT_TYPES),
        "scale" => json!({"type": "integer", "minimum": 1, "maximum": 32, "default": 8}),
        "locale" => one_of(&["ja", "en"]),
        "status" if path.starts_with("/v1/links") => one_of(crate::web::api::links::STATUSES),
        "status" if path.starts_with("/v1/notifications") => {
            one_of(crate::web::api::notifications::STATUSES)
        }
        "status" => one_of(&charge_statuses),
        _ => return None,
    })
}

/// `schema`, or an empty string.
fn or_empty(mut schema: Value) -> Value {
    let pattern = schema["pattern"].as_str().unwrap_or("^$").to_owned();
    schema["pattern"] = format!("{pattern}|^$").into();
    schema
}

/// Replaces `starting_after` and `ending_before` with one exploded object parameter that
/// holds at most one of them: the document's way of saying "not both" (the names on the
/// wire stay the same). Whether the operation has them.
pub fn cursor_pair(parameters: &mut Vec<Value>) -> bool {
    let cursor_of = |p: &Value| {
        let n = p["name"].as_str().unwrap_or_default();
        n == "starting_after" || n == "ending_before"
    };
    let described: Vec<Value> = parameters
        .iter()
        .filter(|p| cursor_of(p))
        .cloned()
        .collect();
    if described.is_empty() {
        return false;
    }
    parameters.retain(|p| !cursor_of(p));
    let mut properties = serde_json::Map::new();
    for p in &described {
        properties.insert(
            p["name"].as_str().unwrap_or_default().to_owned(),
            json!({"type": "string", "minLength": 1, "maxLength": 64,
                   "pattern": "^[a-z]+_[A-Za-z0-9]+$",
                   "description": p["description"]}),
        );
    }
    parameters.push(json!({
        "name": "cursor",
        "in": "query",
        "style": "form",
        "explode": true,
        "required": false,
        "description": "`starting_after` (the page after this id) or `ending_before` (the page before it), not both: sent as those two query parameters.",
        "schema": {"type": "object", "properties": properties, "maxProperties": 1,
                   "additionalProperties": false}
    }));
    true
}
