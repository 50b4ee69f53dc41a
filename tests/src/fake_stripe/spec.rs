//! Requests checked against Stripe's published OpenAPI document (the subset in
//! `tests/data/stripe/openapi-subset.json`): the operation is found by method and path
//! template, and the decoded parameters (all strings, see `form.rs`) are walked along the
//! operation's `application/x-www-form-urlencoded` schema (or its query parameters for a
//! GET). The walk turns them into typed JSON (integers, booleans, arrays) or stops at the
//! first violation, named by its bracketed param as Stripe names it.
//!
//! The walker is written here rather than taken from a JSON Schema crate: form values arrive
//! as strings and must be coerced by the schema (`"1200"` is an integer only because the
//! schema says so), and Stripe's errors name a form param (`line_items[0][quantity]`), not a
//! JSON pointer. Objects that list `properties` are closed, as Stripe's API treats them (it
//! answers `parameter_unknown`), though the document does not say `additionalProperties:
//! false` below the top level.
//!
//! Answers are checked too (`answer_violations`): every field the fake sends must be in the
//! document's response schema with the right type, and every required one present.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const DOCUMENT: &str = include_str!("../../data/stripe/openapi-subset.json");

fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        serde_json::from_str(DOCUMENT).expect("tests/data/stripe/openapi-subset.json is JSON")
    })
}

/// `info.version` of the document: the API version whose shapes the fake speaks.
pub fn version() -> &'static str {
    document()["info"]["version"].as_str().unwrap_or("unknown")
}

/// A request that breaks the document, as Stripe reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub code: Option<&'static str>,
    pub param: String,
    pub message: String,
}

impl Violation {
    fn new(code: Option<&'static str>, param: &str, message: String) -> Violation {
        Violation {
            code,
            param: param.to_owned(),
            message,
        }
    }
}

/// An operation of the document matched by a request.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub template: String,
    pub path_params: BTreeMap<String, String>,
    op: &'static Value,
}

/// The operation for `method path`, with its path parameters.
pub fn find(method: &str, path: &str) -> Option<Operation> {
    let method = method.to_ascii_lowercase();
    let segments: Vec<&str> = path.split('/').collect();
    let paths = document()["paths"].as_object()?;
    for (template, item) in paths {
        let Some(op) = item.get(&method) else {
            continue;
        };
        let parts: Vec<&str> = template.split('/').collect();
        if parts.len() != segments.len() {
            continue;
        }
        let mut params = BTreeMap::new();
        let matched = parts.iter().zip(&segments).all(|(t, s)| {
            match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                Some(name) if !s.is_empty() => {
                    params.insert(name.to_owned(), (*s).to_owned());
                    true
                }
                Some(_) => false,
                None => t == s,
            }
        });
        if matched {
            return Some(Operation {
                id: op["operationId"].as_str().unwrap_or_default().to_owned(),
                template: template.clone(),
                path_params: params,
                op,
            });
        }
    }
    None
}

impl Operation {
    /// Checks the decoded query and body; answers the params, typed, with the query's and
    /// the body's merged (only one of them has any for the operations here).
    pub fn check(&self, query: &Value, body: &Value) -> Result<Value, Violation> {
        let declared = self.op["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for p in declared.iter().filter(|p| p["in"] == "path") {
            let name = p["name"].as_str().unwrap_or_default();
            let value = Value::String(self.path_params.get(name).cloned().unwrap_or_default());
            coerce(&p["schema"], &value, name)?;
        }
        let mut typed = Map::new();
        for (name, value) in query.as_object().into_iter().flatten() {
            let Some(p) = declared
                .iter()
                .find(|p| p["in"] == "query" && p["name"] == *name)
            else {
                return Err(unknown(name));
            };
            typed.insert(name.clone(), coerce(&p["schema"], value, name)?);
        }
        for p in declared
            .iter()
            .filter(|p| p["in"] == "query" && p["required"] == true)
        {
            let name = p["name"].as_str().unwrap_or_default();
            if !typed.contains_key(name) {
                return Err(missing(name));
            }
        }
        let schema =
            &self.op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"];
        match coerce_object(schema, body, "")? {
            Value::Object(fields) => typed.extend(fields),
            _ => unreachable!("coerce_object answers an object"),
        }
        Ok(Value::Object(typed))
    }

    /// What in `body` (a 200 answer) the operation's response schema does not allow.
    pub fn answer_violations(&self, body: &Value) -> Vec<String> {
        let schema = &self.op["responses"]["200"]["content"]["application/json"]["schema"];
        let mut found = Vec::new();
        conforms(schema, body, "", &mut found);
        found
    }
}

fn child(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}[{key}]")
    }
}

fn unknown(param: &str) -> Violation {
    Violation::new(
        Some("parameter_unknown"),
        param,
        format!("Received unknown parameter: {param}"),
    )
}

fn missing(param: &str) -> Violation {
    Violation::new(
        Some("parameter_missing"),
        param,
        format!("Missing required param: {param}."),
    )
}

fn empty(param: &str) -> Violation {
    Violation::new(
        Some("parameter_invalid_empty"),
        param,
        format!(
            "You passed an empty string for '{param}'. We assume empty values are an attempt to \
             unset a parameter; however '{param}' cannot be unset. You should remove '{param}' \
             from your request or supply a non-empty value."
        ),
    )
}

fn allows_empty(schema: &Value) -> bool {
    let enum_has_empty = |s: &Value| {
        s["enum"]
            .as_array()
            .is_some_and(|e| e.iter().any(|v| v == ""))
    };
    enum_has_empty(schema)
        || schema["anyOf"]
            .as_array()
            .is_some_and(|a| a.iter().any(enum_has_empty))
}

/// The form value `v` as the type `schema` gives it.
fn coerce(schema: &Value, v: &Value, param: &str) -> Result<Value, Violation> {
    if v == "" {
        return if allows_empty(schema) {
            Ok(v.clone())
        } else {
            Err(empty(param))
        };
    }
    if let Some(alternatives) = schema["anyOf"].as_array() {
        let mut first_error = None;
        for alt in alternatives.iter().filter(|a| a["enum"] != json!([""])) {
            match coerce(alt, v, param) {
                Ok(typed) => return Ok(typed),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        return Err(first_error.unwrap_or_else(|| empty(param)));
    }
    let text = v.as_str();
    let invalid = |what: &str, code: Option<&'static str>| {
        let shown = text.map_or_else(|| "a hash".to_owned(), |t| t.chars().take(30).collect());
        Err(Violation::new(
            code,
            param,
            format!("Invalid {what}: {shown}"),
        ))
    };
    match schema["type"].as_str() {
        Some("object") => coerce_object(schema, v, param),
        Some("array") => {
            let Some(entries) = v.as_object() else {
                return invalid("array", None);
            };
            let mut indexed = Vec::with_capacity(entries.len());
            for (k, item) in entries {
                let Ok(i) = k.parse::<usize>() else {
                    return invalid("array", None);
                };
                indexed.push((i, item));
            }
            indexed.sort_by_key(|(i, _)| *i);
            let items = indexed
                .into_iter()
                .map(|(i, item)| coerce(&schema["items"], item, &format!("{param}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Array(items))
        }
        Some("integer") => match text.and_then(|t| t.parse::<i64>().ok()) {
            Some(n) => Ok(json!(n)),
            None => invalid("integer", Some("parameter_invalid_integer")),
        },
        Some("number") => match text
            .and_then(|t| t.parse::<f64>().ok())
            .filter(|f| f.is_finite())
        {
            Some(f) => Ok(json!(f)),
            None => invalid("decimal", None),
        },
        Some("boolean") => match text {
            Some("true") => Ok(json!(true)),
            Some("false") => Ok(json!(false)),
            _ => invalid("boolean", None),
        },
        Some("string") => {
            let Some(t) = text else {
                return invalid("string", None);
            };
            if let Some(max) = schema["maxLength"].as_u64()
                && t.chars().count() as u64 > max
            {
                let start: String = t.chars().take(10).collect();
                let message =
                    format!("Invalid string: {start}...; must be at most {max} characters");
                return Err(Violation::new(None, param, message));
            }
            if let Some(allowed) = schema["enum"].as_array()
                && schema["x-stripeBypassValidation"] != true
                && !allowed.iter().any(|a| a == t)
            {
                let names: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
                let message = format!("Invalid {param}: must be one of {}", names.join(", "));
                return Err(Violation::new(None, param, message));
            }
            Ok(v.clone())
        }
        _ => Ok(v.clone()),
    }
}

/// An object: known properties typed, a map's values by `additionalProperties`, the rest
/// unknown; then the required ones.
fn coerce_object(schema: &Value, v: &Value, param: &str) -> Result<Value, Violation> {
    let Some(fields) = v.as_object() else {
        return Err(Violation::new(
            None,
            param,
            format!("Invalid hash: {param}"),
        ));
    };
    let properties = schema["properties"].as_object();
    let extra = &schema["additionalProperties"];
    let mut typed = Map::new();
    for (key, value) in fields {
        let name = child(param, key);
        let coerced = match properties.and_then(|p| p.get(key)) {
            Some(s) => coerce(s, value, &name)?,
            // A map (metadata): an empty value unsets that key.
            None if extra.is_object() && value == "" => value.clone(),
            None if extra.is_object() => coerce(extra, value, &name)?,
            None => return Err(unknown(&name)),
        };
        typed.insert(key.clone(), coerced);
    }
    for required in schema["required"].as_array().into_iter().flatten() {
        let key = required.as_str().unwrap_or_default();
        if !fields.contains_key(key) {
            return Err(missing(&child(param, key)));
        }
    }
    Ok(Value::Object(typed))
}

fn resolve(schema: &Value) -> &Value {
    match schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        Some(name) => &document()["components"]["schemas"][name],
        None => schema,
    }
}

/// Collects where the JSON `v` leaves `schema` (types, enums, unknown and required fields).
fn conforms(schema: &Value, v: &Value, at: &str, found: &mut Vec<String>) {
    let schema = resolve(schema);
    if schema.get("x-trimmedRef").is_some() && schema.get("type").is_none() {
        return;
    }
    if v.is_null() {
        if schema["nullable"] != true {
            found.push(format!("{at}: null, not nullable"));
        }
        return;
    }
    if let Some(alternatives) = schema["anyOf"].as_array() {
        let fits = alternatives.iter().any(|alt| {
            let mut inner = Vec::new();
            conforms(alt, v, at, &mut inner);
            inner.is_empty()
        });
        if !fits {
            found.push(format!("{at}: fits none of anyOf"));
        }
        return;
    }
    let ok = match schema["type"].as_str() {
        Some("object") => v.is_object(),
        Some("array") => v.is_array(),
        Some("integer") => v.is_i64(),
        Some("number") => v.is_number(),
        Some("boolean") => v.is_boolean(),
        Some("string") => v.is_string(),
        _ => true,
    };
    if !ok {
        found.push(format!("{at}: {v} is not {}", schema["type"]));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(v)
    {
        found.push(format!("{at}: {v} not in enum"));
    }
    if let (Some(items), Some(list)) = (schema.get("items"), v.as_array()) {
        for (i, item) in list.iter().enumerate() {
            conforms(items, item, &format!("{at}[{i}]"), found);
        }
    }
    let Some(fields) = v.as_object() else { return };
    let properties = schema["properties"].as_object();
    for (key, value) in fields {
        let name = child(at, key);
        match (
            properties.and_then(|p| p.get(key)),
            &schema["additionalProperties"],
        ) {
            (Some(s), _) => conforms(s, value, &name, found),
            (None, extra) if extra.is_object() => conforms(extra, value, &name, found),
            (None, _) if properties.is_some() => found.push(format!("{name}: not in the schema")),
            (None, _) => {}
        }
    }
    for required in schema["required"].as_array().into_iter().flatten() {
        let key = required.as_str().unwrap_or_default();
        if !fields.contains_key(key) {
            found.push(format!("{}: required, missing", child(at, key)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake_stripe::form;

    fn check(method: &str, path: &str, body: &str) -> Result<Value, Violation> {
        let op = find(method, path).expect("an operation");
        let body = form::decode(body.as_bytes()).expect("decodes");
        op.check(&json!({}), &body)
    }

    #[test]
    fn types_a_valid_session_and_names_each_violation_by_its_param() {
        let ok = "mode=payment&success_url=https://x/ok&line_items[0][quantity]=2\
                  &line_items[0][price_data][currency]=jpy&line_items[0][price_data][unit_amount]=1200\
                  &line_items[0][price_data][product_data][name]=Tea&metadata[k]=v&expand[]=payment_intent";
        let typed = check("POST", "/v1/checkout/sessions", ok).expect("valid");
        assert_eq!(typed["line_items"][0]["quantity"], 2);
        assert_eq!(typed["expand"], json!(["payment_intent"]));

        let cases = [
            (
                "success_url=x&line_items[0][price_data][unit_amount]=12x&line_items[0][price_data][currency]=jpy",
                Some("parameter_invalid_integer"),
                "line_items[0][price_data][unit_amount]",
            ),
            (
                "success_url=x&line_items[0][colour]=red",
                Some("parameter_unknown"),
                "line_items[0][colour]",
            ),
            (
                "success_url=x&surprise=1",
                Some("parameter_unknown"),
                "surprise",
            ),
            ("mode=payment", Some("parameter_missing"), "success_url"),
            (
                "success_url=x&line_items[0][price_data][unit_amount]=1",
                Some("parameter_missing"),
                "line_items[0][price_data][currency]",
            ),
            ("success_url=x&mode=pay", None, "mode"),
            (
                "success_url=x&customer_email=",
                Some("parameter_invalid_empty"),
                "customer_email",
            ),
        ];
        for (body, code, param) in cases {
            let v = check("POST", "/v1/checkout/sessions", body).expect_err(body);
            assert_eq!(
                (v.code, v.param.as_str()),
                (code, param),
                "{body}: {}",
                v.message
            );
        }
        let long = format!("success_url=x&client_reference_id={}", "a".repeat(201));
        assert_eq!(
            check("POST", "/v1/checkout/sessions", &long)
                .expect_err("long")
                .param,
            "client_reference_id"
        );
        let v = check(
            "POST",
            "/v1/refunds",
            "payment_intent=pi_1&refund_application_fee=yes",
        )
        .expect_err("bool");
        assert_eq!(v.param, "refund_application_fee");
    }

    #[test]
    fn matches_path_templates_and_query_parameters() {
        let op = find("GET", "/v1/checkout/sessions/cs_test_1").expect("found");
        assert_eq!(op.path_params["session"], "cs_test_1");
        let query = form::decode(b"expand%5B0%5D=payment_intent").expect("decodes");
        assert_eq!(
            op.check(&query, &json!({})).expect("ok")["expand"][0],
            "payment_intent"
        );
        let bad = form::decode(b"limit=3").expect("decodes");
        assert_eq!(
            op.check(&bad, &json!({})).expect_err("unknown").param,
            "limit"
        );
        assert!(find("GET", "/v1/charges/ch_1").is_none());
        assert!(find("DELETE", "/v1/refunds/re_1").is_none());
    }
}
