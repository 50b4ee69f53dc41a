//! docs/api.md against the document, so the readable reference cannot drift from the exact
//! one: every operation is described there and nothing else is, each section names every
//! field its operation's body accepts, and the table of operations and the statuses each can
//! answer is the document's own (rewritten by `LINKPAY_BLESS=1 cargo test -p linkpay-origin
//! --lib docs_check`).

use super::{component_of, document_json};
use std::collections::BTreeSet;

const API_MD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/api.md");
const BEGIN: &str =
    "<!-- operations: begin (generated from the OpenAPI document by the origin's tests) -->";
const END: &str = "<!-- operations: end -->";
const METHODS: &[&str] = &["GET", "POST", "DELETE"];
/// Named in api.md but not operations of the document: the document itself, and the Stripe
/// call that checks a Stripe key.
const NOT_OPERATIONS: &[(&str, &str)] = &[("GET", "/v1/openapi.json"), ("GET", "/v1/account")];

struct Operation {
    method: String,
    path: String,
    id: String,
    statuses: Vec<String>,
    fields: Vec<String>,
    /// The error codes its 422 answer names: what api.md must call 422 too.
    unprocessable: Vec<String>,
}

fn operations() -> Vec<Operation> {
    let doc = document_json();
    let schemas = &doc["components"]["schemas"];
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let body = &op["requestBody"]["content"]["application/json"]["schema"];
            let fields = component_of(body)
                .and_then(|n| schemas[n]["properties"].as_object())
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            ops.push(Operation {
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                id: op["operationId"].as_str().unwrap_or_default().to_owned(),
                statuses: op["responses"]
                    .as_object()
                    .expect("responses")
                    .keys()
                    .cloned()
                    .collect(),
                fields,
                unprocessable: quoted(op["responses"]["422"]["description"].as_str().unwrap_or(""))
                    .filter(|q| {
                        q.contains('_') && q.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                    })
                    .map(str::to_owned)
                    .collect(),
            });
        }
    }
    ops.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    ops
}

/// The generated table.
fn table(ops: &[Operation]) -> String {
    let mut out = String::from("| operation | operationId | answers |\n| --- | --- | --- |\n");
    for op in ops {
        out.push_str(&format!(
            "| `{} {}` | `{}` | {} |\n",
            op.method,
            op.path,
            op.id,
            op.statuses.join(", ")
        ));
    }
    out
}

/// What the text puts between backquotes.
fn quoted(text: &str) -> impl Iterator<Item = &str> {
    text.split('`').skip(1).step_by(2)
}

/// Every `METHOD /v1/…` the text names, as (method, path), with any query or
/// `[?optional]` part left off.
fn named_operations(text: &str) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for q in quoted(text) {
        let Some((method, rest)) = q.split_once(' ') else {
            continue;
        };
        if METHODS.contains(&method) && rest.starts_with("/v1/") {
            let path = rest.split(['?', '[', ' ']).next().unwrap_or(rest);
            found.insert((method.to_owned(), path.to_owned()));
        }
    }
    found
}

/// The prose of api.md in sections (`##` and `###` headings), without the generated part.
fn sections(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("## ") || line.starts_with("### ") || out.is_empty() {
            out.push(String::new());
        }
        let current = out.last_mut().expect("a section");
        current.push_str(line);
        current.push('\n');
    }
    out
}

fn prose(text: &str) -> String {
    match (text.find(BEGIN), text.find(END)) {
        (Some(b), Some(e)) => format!("{}{}", &text[..b], &text[e + END.len()..]),
        _ => text.to_owned(),
    }
}

#[test]
fn docs_api_md_follows_the_document() {
    let text = std::fs::read_to_string(API_MD).expect("docs/api.md");
    let ops = operations();

    let expected = format!("{BEGIN}\n{}{END}", table(&ops));
    let generated = match (text.find(BEGIN), text.find(END)) {
        (Some(b), Some(e)) if b < e => &text[b..e + END.len()],
        _ => panic!("docs/api.md has no {BEGIN} … {END} part"),
    };
    if generated != expected {
        if std::env::var_os("LINKPAY_BLESS").is_some() {
            std::fs::write(API_MD, text.replace(generated, &expected)).expect("write api.md");
        } else {
            panic!(
                "docs/api.md's table of operations differs from the document: run \
                 LINKPAY_BLESS=1 cargo test -p linkpay-origin --lib docs_check, and read the diff"
            );
        }
    }

    let prose = prose(&text);
    let documented: BTreeSet<(String, String)> = ops
        .iter()
        .map(|o| (o.method.clone(), o.path.clone()))
        .collect();
    let mut named = named_operations(&prose);
    for (method, path) in NOT_OPERATIONS {
        named.remove(&((*method).to_owned(), (*path).to_owned()));
    }
    let unknown: Vec<_> = named.difference(&documented).collect();
    assert!(
        unknown.is_empty(),
        "docs/api.md names operations the document does not have: {unknown:?}"
    );
    let missing: Vec<_> = documented.difference(&named).collect();
    assert!(
        missing.is_empty(),
        "docs/api.md does not describe: {missing:?}"
    );

    // The section that first names an operation describes its body's fields.
    let sections = sections(&prose);
    for op in &ops {
        let key = (op.method.clone(), op.path.clone());
        let section = sections
            .iter()
            .find(|s| named_operations(s).contains(&key))
            .expect("named above");
        // An error the document answers 422 is called 422 here too (`422 credentials_invalid`).
        for q in quoted(section) {
            if let Some((status, code)) = q.split_once(' ')
                && op.unprocessable.iter().any(|c| c == code)
                && status.len() == 3
                && status.bytes().all(|b| b.is_ascii_digit())
            {
                assert_eq!(
                    status, "422",
                    "docs/api.md: `{} {}` answers `{code}` with 422, not {status}",
                    op.method, op.path
                );
            }
        }
        for field in &op.fields {
            let mentioned = [
                format!("`{field}`"),
                format!("\"{field}\""),
                format!("`{field}["),
            ]
            .iter()
            .any(|form| section.contains(form.as_str()));
            assert!(
                mentioned,
                "docs/api.md: the section on `{} {}` does not mention its field `{field}`",
                op.method, op.path
            );
        }
    }
}
