//! OpenAPI links: from every answer that holds an object, or a list of them, to the
//! operations on that object (`links_create` → `links_retrieve`, `links_send`,
//! `links_deactivate`; `charges_list` → `charges_capture`, `charges_refund` …). Clients and
//! schemathesis's stateful phase follow them. Derived from the paths, so an endpoint added
//! later is linked without a change here.

use super::component_of;
use serde_json::{Map, Value, json};

/// An object's operations: those whose path starts with its retrieve path (`/v1/links/{id}`).
struct Object {
    schema: String,
    path: String,
}

pub fn add(doc: &mut Value) {
    let objects = objects(doc);
    let operations = operations(doc);
    let schemas = doc["components"]["schemas"].clone();
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut() {
            let own_id = op["operationId"].as_str().unwrap_or_default().to_owned();
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            for (status, answer) in responses.iter_mut() {
                if !status.starts_with('2') {
                    continue;
                }
                let schema = &answer["content"]["application/json"]["schema"];
                let Some((object, pointer)) = held_object(schema, &schemas, &objects) else {
                    continue;
                };
                let mut links = Map::new();
                for (path, id) in &operations {
                    if *id != own_id && path.starts_with(&object.path) {
                        links.insert(
                            id.clone(),
                            json!({"operationId": id,
                                   "parameters": {"id": format!("$response.body#{pointer}")}}),
                        );
                    }
                }
                if !links.is_empty() {
                    answer["links"] = Value::Object(links);
                }
            }
        }
    }
}

/// The object an answer's schema holds, directly (`#/id`) or as a list (`#/data/0/id`).
fn held_object<'a>(
    schema: &Value,
    schemas: &Value,
    objects: &'a [Object],
) -> Option<(&'a Object, &'static str)> {
    let name = component_of(schema)?;
    if let Some(o) = objects.iter().find(|o| o.schema == name) {
        return Some((o, "/id"));
    }
    let item = component_of(&schemas[name]["properties"]["data"]["items"])?;
    objects
        .iter()
        .find(|o| o.schema == item)
        .map(|o| (o, "/data/0/id"))
}

/// Each object with a retrieve operation, `GET …/{id}`, and the schema it answers.
fn objects(doc: &Value) -> Vec<Object> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        if !path.ends_with("/{id}") {
            continue;
        }
        if let Some(schema) =
            component_of(&item["get"]["responses"]["200"]["content"]["application/json"]["schema"])
        {
            found.push(Object {
                schema: schema.to_owned(),
                path: path.clone(),
            });
        }
    }
    found
}

/// Every operation taking an `id` in its path, with its path.
fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        if !path.contains("/{id}") {
            continue;
        }
        for op in item.as_object().into_iter().flat_map(Map::values) {
            if let Some(id) = op["operationId"].as_str() {
                found.push((path.clone(), id.to_owned()));
            }
        }
    }
    found
}
