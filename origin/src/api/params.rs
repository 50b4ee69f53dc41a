//! Reads a JSON request body field by field, so every error names the field it is about and
//! unknown fields are refused (a misspelt optional field must not be silently ignored).

use crate::error::ApiError;
use serde_json::{Map, Value};

pub struct Params {
    fields: Map<String, Value>,
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
        Ok(Params { fields })
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
            ApiError::invalid(
                name,
                "parameter_missing",
                format!("Missing required parameter: {name}."),
            )
        })
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.as_i64().ok_or_else(|| {
                    ApiError::invalid(name, "parameter_invalid", format!("{name} must be an integer (money is in minor units, e.g. 1500 for ¥1,500 or $15.00)."))
                })
            })
            .transpose()
    }

    pub fn string(&self, name: &str) -> Result<Option<String>, ApiError> {
        self.get(name)
            .map(|v| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    ApiError::invalid(
                        name,
                        "parameter_invalid",
                        format!("{name} must be a string."),
                    )
                })
            })
            .transpose()
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.get(name)
            .map(|v| {
                v.as_bool().ok_or_else(|| {
                    ApiError::invalid(
                        name,
                        "parameter_invalid",
                        format!("{name} must be true or false."),
                    )
                })
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
