//! Stripe's bracket notation for form bodies and query strings, decoded into a nested JSON
//! value whose leaves are all strings: `a[b][c]=v` → `{"a":{"b":{"c":"v"}}}`,
//! `items[0][x]=v` → `{"items":{"0":{"x":"v"}}}`, `expand[]=a&expand[]=b` →
//! `{"expand":{"0":"a","1":"b"}}`. Lists stay objects keyed by their index here: only the
//! schema (see `spec.rs`) knows whether `metadata[0]` is a map key or a list position, so it
//! turns them into arrays.

use serde_json::{Map, Value};

/// A body or query string that cannot be read as Stripe's notation; `param` is the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub param: String,
    pub message: String,
}

/// Decodes `application/x-www-form-urlencoded` pairs (percent-decoded first, `+` is a space).
pub fn decode(raw: &[u8]) -> Result<Value, FormError> {
    let mut root = Map::new();
    for (key, value) in url::form_urlencoded::parse(raw) {
        let path = split_key(&key)?;
        insert(&mut root, &key, &path, value.into_owned())?;
    }
    Ok(Value::Object(root))
}

/// `a[b][]` → `["a", "b", ""]`.
fn split_key(key: &str) -> Result<Vec<String>, FormError> {
    let bad = || FormError {
        param: key.to_owned(),
        message: format!("Invalid parameter name: {key}"),
    };
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() || head.contains(']') {
        return Err(bad());
    }
    let mut path = vec![head.to_owned()];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[').ok_or_else(bad)?;
        let close = inner.find(']').ok_or_else(bad)?;
        let segment = &inner[..close];
        if segment.contains('[') {
            return Err(bad());
        }
        path.push(segment.to_owned());
        rest = &inner[close + 1..];
    }
    // `[]` appends, so only the last segment may be empty.
    if path[..path.len() - 1].iter().any(String::is_empty) {
        return Err(bad());
    }
    Ok(path)
}

fn insert(
    node: &mut Map<String, Value>,
    key: &str,
    path: &[String],
    value: String,
) -> Result<(), FormError> {
    let conflict = || FormError {
        param: key.to_owned(),
        message: format!("Invalid parameter: {key} is given both as a value and as a hash"),
    };
    let segment = if path[0].is_empty() {
        // `key[]=`: the next index of this list.
        node.len().to_string()
    } else {
        path[0].clone()
    };
    if path.len() == 1 {
        return match node.get(&segment) {
            Some(Value::Object(_)) => Err(conflict()),
            // A repeated key: the last one wins.
            _ => {
                node.insert(segment, Value::String(value));
                Ok(())
            }
        };
    }
    let child = node
        .entry(segment)
        .or_insert_with(|| Value::Object(Map::new()));
    match child {
        Value::Object(map) => insert(map, key, &path[1..], value),
        _ => Err(conflict()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_brackets_indices_appends_and_percent_escapes() {
        let body = "mode=payment&line_items[0][price_data][currency]=jpy\
                    &line_items[0][price_data][product_data][name]=Tea+set\
                    &line_items[0][quantity]=2&expand%5B0%5D=payment_intent\
                    &payment_method_types[]=card&payment_method_types[]=link\
                    &success_url=https%3A%2F%2Fx.example%2Fok%3Fs%3D%7BCHECKOUT_SESSION_ID%7D";
        assert_eq!(
            decode(body.as_bytes()).expect("decodes"),
            json!({
                "mode": "payment",
                "line_items": {"0": {"price_data": {"currency": "jpy",
                    "product_data": {"name": "Tea set"}}, "quantity": "2"}},
                "expand": {"0": "payment_intent"},
                "payment_method_types": {"0": "card", "1": "link"},
                "success_url": "https://x.example/ok?s={CHECKOUT_SESSION_ID}",
            })
        );
    }

    #[test]
    fn refuses_malformed_keys_and_value_hash_conflicts() {
        for body in [
            "a[b=1",
            "[x]=1",
            "a[][b]=1",
            "a]=1",
            "a=1&a[b]=2",
            "a[b]=1&a=2",
        ] {
            let err = decode(body.as_bytes()).expect_err(body);
            assert!(
                err.param.starts_with('a') || err.param.starts_with('['),
                "{err:?}"
            );
        }
    }
}
