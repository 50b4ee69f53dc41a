//! Reads a JSON request body field by field, so every error names the field it is about and
//! unknown fields are refused (a misspelt optional field must not be silently ignored).

use crate::base::error::ApiError;
use serde_json::{Map, Value};

pub struct Params {
    fields: Map<String, Value>,
    /// Set for a nested object, so errors name `outer[field]`.
    prefix: Option<String>,
}

impl Params {
    pub fn parse(body: &[u8], allowed: &[&str]) -> Result<Params, ApiError> {
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(
                "invalid_json",
                format!("The request body is not valid JSON ({e}). Send Content-Type: application/json with a JSON object."),
            )
        })?;
        let Value::Object(fields) = value else {
            return Err(ApiError::bad_request(
                "invalid_json",
                "The request body must be a JSON object.",
            ));
        };
        if let Some(unknown) = fields.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(ApiError::invalid(
                unknown,
                "parameter_unknown",
                format!(
                    "Received unknown parameter: {unknown}. Allowed: {}.",
                    allowed.join(", ")
                ),
            ));
        }
        Ok(Params {
            fields,
            prefix: None,
        })
    }

    /// For endpoints whose body is optional: an empty body, or JSON `null`, is no body
    /// (`None`). Anything else must be a JSON object: whitespace alone is not JSON.
    pub fn parse_optional(body: &[u8], allowed: &[&str]) -> Result<Option<Params>, ApiError> {
        if body.is_empty() || body.trim_ascii() == b"null" {
            Ok(None)
        } else {
            Params::parse(body, allowed).map(Some)
        }
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).filter(|v| !v.is_null())
    }

    pub fn required<T>(
        &self,
        name: &str,
        read: impl Fn(&Params, &str) -> Result<Option<T>, ApiError>,
    ) -> Result<T, ApiError> {
        read(self, name)?.ok_or_else(|| {
            let param = self.param(name);
            ApiError::invalid(
                &param,
                "parameter_missing",
                format!("Missing required parameter: {param}."),
            )
        })
    }

    /// An integer. JSON Schema counts `1500.0` as the integer 1500, and so does this; `1500.5`
    /// is refused.
    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.as_i64().or_else(|| whole(v)).ok_or_else(|| {
                    let param = self.param(name);
                    ApiError::invalid(&param, "parameter_invalid", format!("{param} must be an integer (money is in minor units, e.g. 1500 for ¥1,500 or $15.00)."))
                })
            })
            .transpose()
    }

    pub fn string(&self, name: &str) -> Result<Option<String>, ApiError> {
        self.get(name)
            .map(|v| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    let param = self.param(name);
                    ApiError::invalid(
                        &param,
                        "parameter_invalid",
                        format!("{param} must be a string."),
                    )
                })
            })
            .transpose()
    }

    /// The field as a JSON object, if given; anything else is refused as not `an object…`.
    fn object_fields(
        &self,
        name: &str,
        an_object: &str,
    ) -> Result<Option<&Map<String, Value>>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(fields)) => Ok(Some(fields)),
            Some(_) => Err(ApiError::invalid(
                name,
                "parameter_invalid",
                format!("{name} must be {an_object}."),
            )),
        }
    }

    /// A nested object, read with its own field list so its errors name `name[field]`.
    pub fn object(&self, name: &str, allowed: &[&str]) -> Result<Option<Params>, ApiError> {
        let Some(fields) = self.object_fields(name, "an object")? else {
            return Ok(None);
        };
        if let Some(unknown) = fields.keys().find(|k| !allowed.contains(&k.as_str())) {
            let param = format!("{name}[{unknown}]");
            return Err(ApiError::invalid(
                &param,
                "parameter_unknown",
                format!(
                    "Received unknown parameter: {param}. Allowed: {}.",
                    allowed.join(", ")
                ),
            ));
        }
        Ok(Some(Params {
            fields: fields.clone(),
            prefix: Some(name.to_owned()),
        }))
    }

    /// An on/off setting, `{name: {"enabled": true|false}}`: its new position, if given.
    pub fn enabled(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.object(name, &["enabled"])? {
            Some(o) => o.bool("enabled"),
            None => Ok(None),
        }
    }

    /// A flat object of string values, such as metadata, in key order.
    pub fn string_map(&self, name: &str) -> Result<Option<Vec<(String, String)>>, ApiError> {
        let Some(fields) = self.object_fields(name, "an object of string values")? else {
            return Ok(None);
        };
        let mut pairs = Vec::with_capacity(fields.len());
        for (k, v) in fields {
            let Value::String(s) = v else {
                return Err(ApiError::invalid(
                    &format!("{name}[{k}]"),
                    "parameter_invalid",
                    format!("{name}[{k}] must be a string."),
                ));
            };
            pairs.push((k.clone(), s.clone()));
        }
        pairs.sort();
        Ok(Some(pairs))
    }

    /// Whether the field is present at all, even as null (null can mean "remove").
    pub fn has(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }

    /// An array of strings, such as `send: ["email", "sms"]`; errors name the element, like
    /// `enabled_events[2]`.
    pub fn string_list(&self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let param = self.param(name);
        let Value::Array(items) = v else {
            return Err(ApiError::invalid(
                &param,
                "parameter_invalid",
                format!("{param} must be an array of strings."),
            ));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_str().map(str::to_owned).ok_or_else(|| {
                    ApiError::invalid(
                        &format!("{param}[{i}]"),
                        "parameter_invalid",
                        format!("{param}[{i}] must be a string."),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// The parameter's full name in errors: `custom_amount[minimum]` inside an object.
    pub fn param(&self, name: &str) -> String {
        match &self.prefix {
            Some(p) => format!("{p}[{name}]"),
            None => name.to_owned(),
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.get(name)
            .map(|v| {
                v.as_bool().ok_or_else(|| {
                    let param = self.param(name);
                    ApiError::invalid(
                        &param,
                        "parameter_invalid",
                        format!("{param} must be true or false."),
                    )
                })
            })
            .transpose()
    }
}

/// A number with no fraction, within i64 (below 2^63 exactly).
fn whole(v: &Value) -> Option<i64> {
    let f = v.as_f64()?;
    (f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64).then_some(f as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_integers_as_in_json_schema() {
        let p = Params::parse(br#"{"a":1500.0,"b":1500.5,"c":1e300}"#, &["a", "b", "c"])
            .expect("parse");
        assert_eq!(p.int("a").expect("whole"), Some(1500));
        assert!(p.int("b").is_err());
        assert!(p.int("c").is_err(), "beyond i64");
        assert!(
            Params::parse_optional(b" null ", &[])
                .expect("null")
                .is_none()
        );
        assert!(Params::parse_optional(b"", &[]).expect("empty").is_none());
        // What the OpenAPI document calls a JSON body, as schemathesis checks it.
        assert!(
            Params::parse_optional(b"\r", &[]).is_err(),
            "whitespace is no JSON"
        );
    }

    #[test]
    fn errors_name_the_field() {
        let p = Params::parse(
            br#"{"amount":"12","title":5,"ok":true}"#,
            &["amount", "title", "ok", "x"],
        )
        .expect("parse");
        assert_eq!(
            p.int("amount").expect_err("an error").param.as_deref(),
            Some("amount")
        );
        assert_eq!(
            p.string("title").expect_err("an error").param.as_deref(),
            Some("title")
        );
        assert_eq!(p.bool("ok").expect("bool"), Some(true));
        let missing = p.required("x", Params::string).expect_err("an error");
        assert_eq!(
            (missing.code, missing.param.as_deref()),
            ("parameter_missing", Some("x"))
        );
        let unknown = Params::parse(br#"{"amout":1}"#, &["amount"])
            .err()
            .expect("unknown");
        assert_eq!(unknown.param.as_deref(), Some("amout"));
        assert_eq!(
            Params::parse(b"amount=1", &[])
                .err()
                .expect("not json")
                .code,
            "invalid_json"
        );
        assert_eq!(
            Params::parse(b"[1]", &[]).err().expect("not object").code,
            "invalid_json"
        );
    }
}
