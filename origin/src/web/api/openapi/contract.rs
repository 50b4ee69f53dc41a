//! What holds for every operation, added to the generated document in one place so that each
//! one says it, today's and those added later: the answers any operation can give (401
//! without a valid key, 400 for bad input, 404 for an id that names nothing, 409 for a
//! reused Idempotency-Key, 500 for a failure of ours), the `Idempotency-Key` header on every
//! POST, request bodies closed to unknown fields (the handlers refuse them), the value lists the server checks (currencies,
//! event types), the webhook events as OpenAPI 3.1 `webhooks`, an example of every request
//! body, and links from each answer to the operations on the object it holds.

use super::{body_rules, component_of, examples, follow, param_rules};
use crate::domain::charges::state::Status;
use crate::domain::webhooks::endpoints::EVENT_TYPES;
use serde_json::{Map, Value, json};

const METHODS: &[&str] = &["get", "post", "delete"];

/// Applies all of it to the document utoipa generated.
pub fn finish(doc: &mut Value) {
    let paths: Vec<String> = doc["paths"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    let mut bodies = Vec::new();
    for path in &paths {
        for method in METHODS {
            let Some(op) = doc["paths"][path].get_mut(*method) else {
                continue;
            };
            answers_of_every_operation(op, path, method);
            query_parameters(op, path);
            files_as_strings(op);
            if let Some(name) = json_body_schema(op) {
                bodies.push(name);
            }
        }
    }
    for name in bodies {
        close(&mut doc["components"]["schemas"], &name);
    }
    value_lists(&mut doc["components"]["schemas"]);
    body_rules::body_fields(&mut doc["components"]["schemas"]);
    doc["webhooks"] = webhooks();
    examples::add(doc);
    follow::add(doc);
}

fn error_answer(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

/// The statuses every operation can answer besides its own, and the idempotency header.
fn answers_of_every_operation(op: &mut Value, path: &str, method: &str) {
    let id = op["operationId"].as_str().unwrap_or_default().to_owned();
    let responses = op["responses"].as_object_mut().expect("responses");
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status)
            .or_insert_with(|| error_answer(description));
    };
    add(
        "401",
        "No valid API key: `Authorization: Bearer sk_test_…` or `sk_live_…` is missing, malformed, unknown or revoked",
    );
    add(
        "400",
        "A parameter or field is wrong (`param` names it), or the object is of the other mode (`livemode_mismatch`); nothing was changed",
    );
    add(
        "500",
        "Something failed on linkpay's side (`internal_error`, type `api_error`): the details are logged, never returned. Nothing is stored for the Idempotency-Key, so a retry runs again",
    );
    if path.contains('{') {
        add("404", "Nothing of yours has this id");
    }
    for (op_id, what) in body_rules::NAMES_BY_FIELD {
        if *op_id == id {
            add("404", what);
        }
    }
    for (op_id, rules) in body_rules::UNPROCESSABLE {
        if *op_id == id {
            add(
                "422",
                &format!(
                    "The request fits this document, but a rule it cannot express refuses it: {rules}. `param` names the field; nothing was changed"
                ),
            );
        }
    }
    if method == "post" {
        add(
            "409",
            "The Idempotency-Key was used with another request (`idempotency_key_reused`), or its first request is still running (`idempotency_key_in_use`)",
        );
        let params = op.get_mut("parameters").and_then(Value::as_array_mut);
        let header = json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "Makes a retry safe: the first answer to this key (for 24 hours, per mode) is answered again with `Idempotent-Replayed: true`. 1-255 printable ASCII characters without spaces, e.g. a UUID.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}
        });
        match params {
            Some(list) => list.push(header),
            None => op["parameters"] = json!([header]),
        }
    }
}

/// Query parameters as the handlers read them (`param_rules`), and the cursor pair as one.
fn query_parameters(op: &mut Value, path: &str) {
    let Some(parameters) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
        return;
    };
    for p in parameters.iter_mut().filter(|p| p["in"] == "query") {
        let name = p["name"].as_str().unwrap_or_default().to_owned();
        if let Some(schema) = param_rules::query_parameter(path, &name) {
            p["schema"] = schema;
        }
    }
    if param_rules::cursor_pair(parameters) {
        let responses = op["responses"].as_object_mut().expect("responses");
        responses
            .entry("404")
            .or_insert_with(|| error_answer("The cursor names nothing of yours"));
    }
}

/// Bodies that are files (a PNG or SVG image, a CSV file) are strings of that media type, the
/// OpenAPI 3.1 way, rather than what utoipa makes of `Vec<u8>` (an array of integers), so
/// generated clients treat them as files.
fn files_as_strings(op: &mut Value) {
    let as_strings = |body: &mut Value| {
        let contents = body.get_mut("content").and_then(Value::as_object_mut);
        for (media, content) in contents.into_iter().flatten() {
            if media != "application/json" {
                content["schema"] = json!({"type": "string", "contentMediaType": media});
            }
        }
    };
    let answers = op.get_mut("responses").and_then(Value::as_object_mut);
    answers
        .into_iter()
        .flatten()
        .for_each(|(_, a)| as_strings(a));
    if let Some(body) = op.get_mut("requestBody") {
        as_strings(body);
    }
}

/// The component a JSON request body refers to, if it has one.
fn json_body_schema(op: &Value) -> Option<String> {
    component_of(&op["requestBody"]["content"]["application/json"]["schema"]).map(str::to_owned)
}

/// Refuses unknown fields in `name` and in the objects it holds, as `Params` does.
fn close(schemas: &mut Value, name: &str) {
    let Some(schema) = schemas.get_mut(name) else {
        return;
    };
    if schema["type"] != "object" || schema.get("additionalProperties").is_some() {
        return;
    }
    schema["additionalProperties"] = Value::Bool(false);
    let nested: Vec<String> = schema["properties"]
        .as_object()
        .map(|p| {
            p.values()
                .filter_map(|v| component_of(v).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for n in nested {
        close(schemas, &n);
    }
}

/// The value lists the server checks, from the constants it checks them with.
fn value_lists(schemas: &mut Value) {
    let values = |list: &[&str]| -> Vec<Value> { list.iter().map(|v| (*v).into()).collect() };
    let mut events = values(EVENT_TYPES);
    set_enum(schemas, "Event", "type", &events, false);
    events.push("*".into());
    for schema in ["CreateWebhookEndpoint", "UpdateWebhookEndpoint"] {
        set_enum(schemas, schema, "enabled_events", &events, true);
    }
    // What an answer's status can be, so that clients can match on it.
    let link_statuses = values(crate::web::api::links::STATUSES);
    set_enum(schemas, "PaymentLink", "status", &link_statuses, false);
    let charge_statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    set_enum(
        schemas,
        "Charge",
        "status",
        &values(&charge_statuses),
        false,
    );
}

/// Gives `schema.property` (or, with `items`, its array's items) an enum.
fn set_enum(schemas: &mut Value, schema: &str, property: &str, values: &[Value], items: bool) {
    let p = &mut schemas[schema]["properties"][property];
    assert!(p.is_object(), "{schema}.{property} is in the document");
    let target = if items { &mut p["items"] } else { p };
    target["enum"] = Value::Array(values.to_vec());
}

/// One webhook per event type: what linkpay POSTs to an endpoint, signed per Standard
/// Webhooks (docs/webhooks.md).
fn webhooks() -> Value {
    let mut hooks = Map::new();
    for event in EVENT_TYPES {
        let object = if event.starts_with("link.") {
            "PaymentLink"
        } else {
            "Charge"
        };
        let header = |name: &str, description: &str| {
            json!({"name": name, "in": "header", "required": true, "description": description,
                   "schema": {"type": "string"}})
        };
        hooks.insert(
            (*event).into(),
            json!({"post": {
                "operationId": format!("webhook_{}", event.replace('.', "_")),
                "summary": format!("The `{event}` event"),
                "description": "Sent to every enabled endpoint of the event's mode that subscribes to it. Verify the signature before trusting the body; answer 2xx within the timeout, or it is retried on the endpoint's schedule.",
                "parameters": [
                    header("webhook-id", "The event's id (`evt_…`): the same on every retry, for deduplication"),
                    header("webhook-timestamp", "Unix seconds when this attempt was signed; refuse it when far from now"),
                    header("webhook-signature", "`v1,<base64 HMAC-SHA256>` of `id.timestamp.body` under the endpoint's secret; during a secret rotation, one signature per secret, separated by spaces"),
                ],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Event"},
                        {"type": "object", "properties": {
                            "type": {"const": event},
                            "data": {"type": "object", "properties": {
                                "object": {"$ref": format!("#/components/schemas/{object}")}
                            }}
                        }}
                    ]
                }}}},
                "responses": {"2XX": {"description": "Received; anything else is retried"}},
                "security": []
            }}),
        );
    }
    Value::Object(hooks)
}
