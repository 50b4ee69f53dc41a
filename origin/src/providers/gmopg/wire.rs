//! GMO Payment Gateway's formats: the protocol type's form bodies and `Key=Value&Key=Value`
//! answers (Windows-31J, HTTP 200 even on errors, errors as pipe-separated `ErrCode`/`ErrInfo`
//! lists), Link type Plus's JSON, and the `result` the buyer's browser brings back
//! (`base64url(JSON) "." hex(SHA-256(that text ‖ ShopPass))`). See docs/providers/gmo-pg.md
//! for what the public documentation leaves open and how each point is read here.

use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use subtle::ConstantTimeEq;

/// A protocol-type answer, `Key=Value&…`, decoded from Windows-31J. A value is everything up
/// to the next `&` (the card flow's values are ids, amounts and dates).
pub fn parse_answer(body: &[u8]) -> HashMap<String, String> {
    let (text, _, _) = encoding_rs::SHIFT_JIS.decode(body);
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// A form body, its values in Windows-31J as GMO-PG reads them.
pub fn form_body(fields: &[(&str, String)]) -> Vec<u8> {
    let mut out = String::new();
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(v);
        out.extend(url::form_urlencoded::byte_serialize(&bytes));
    }
    out.into_bytes()
}

/// The `(ErrCode, ErrInfo)` pairs of an answer; empty when it succeeded.
pub fn errors(answer: &HashMap<String, String>) -> Vec<(String, String)> {
    let split = |k: &str| -> Vec<String> {
        answer
            .get(k)
            .map(|v| {
                v.split('|')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (codes, infos) = (split("ErrCode"), split("ErrInfo"));
    let n = codes.len().max(infos.len());
    (0..n)
        .map(|i| {
            (
                codes.get(i).cloned().unwrap_or_default(),
                infos.get(i).cloned().unwrap_or_default(),
            )
        })
        .collect()
}

/// Link type Plus's error answer: usually an array of `{errCode, errInfo}`, by one client's
/// reading a single object; both are read.
pub fn link_errors(body: &[u8]) -> Vec<(String, String)> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct E {
        err_code: Option<String>,
        err_info: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Shape {
        Many(Vec<E>),
        One(E),
    }
    let list = match serde_json::from_slice::<Shape>(body) {
        Ok(Shape::Many(v)) => v,
        Ok(Shape::One(e)) => vec![e],
        Err(_) => Vec::new(),
    };
    list.into_iter()
        .map(|e| {
            (
                e.err_code.unwrap_or_default(),
                e.err_info.unwrap_or_default(),
            )
        })
        .collect()
}

/// Link type Plus's answer with the buyer's page.
#[derive(Debug, Deserialize)]
pub struct LinkUrl {
    #[serde(rename = "OrderID")]
    pub order_id: String,
    #[serde(rename = "LinkUrl")]
    pub link_url: String,
}

/// The result the buyer's browser brings back, after its check value verified.
#[derive(Debug, Default, Deserialize)]
pub struct ReturnResult {
    #[serde(default)]
    pub transactionresult: TransactionResult,
}

#[derive(Debug, Default, Deserialize)]
pub struct TransactionResult {
    #[serde(rename = "OrderID", default)]
    pub order_id: String,
    /// `PAYSUCCESS`, `PAYSTART` (the buyer left), `ERROR`, `EXPIRED`, …
    #[serde(rename = "Result", default)]
    pub result: String,
    #[serde(rename = "ErrCode", default)]
    pub err_code: String,
    #[serde(rename = "ErrInfo", default)]
    pub err_info: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResultError {
    #[error("the result is not two parts joined by a dot")]
    Malformed,
    #[error("the result's check value does not match")]
    Mismatch,
    #[error("the result's parameter set is not base64url JSON")]
    NotJson,
}

/// The OrderID a result names, unverified: only to find the charge and its account.
pub fn claimed_order(result: &str) -> Option<String> {
    let (alpha, _) = result.split_once('.')?;
    decode(alpha).ok().map(|r| r.transactionresult.order_id)
}

/// Checks a result's check value with the shop's password, then reads it.
pub fn verify_result(result: &str, shop_pass: &str) -> Result<ReturnResult, ResultError> {
    let (alpha, gamma) = result
        .trim()
        .split_once('.')
        .ok_or(ResultError::Malformed)?;
    let expected = check_value(alpha, shop_pass);
    if !bool::from(
        expected
            .as_bytes()
            .ct_eq(gamma.to_ascii_lowercase().as_bytes()),
    ) {
        return Err(ResultError::Mismatch);
    }
    decode(alpha)
}

/// `hex(SHA-256(alpha ‖ ShopPass))`, lower case.
pub fn check_value(alpha: &str, shop_pass: &str) -> String {
    let mut h = Sha256::new();
    h.update(alpha.as_bytes());
    h.update(shop_pass.as_bytes());
    linkpay_shared::hex::encode(&h.finalize())
}

fn decode(alpha: &str) -> Result<ReturnResult, ResultError> {
    let trimmed = alpha.trim_end_matches('=');
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed))
        .map_err(|_| ResultError::NotJson)?;
    serde_json::from_slice(&bytes).map_err(|_| ResultError::NotJson)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_value_is_sha256_of_the_text_and_the_password() {
        // {"k":"v"} and ShopPass "testpass", worked out independently of this code.
        assert_eq!(
            check_value("eyJrIjoidiJ9", "testpass"),
            "d8dc7f63ee4e6bd9fa9c8787358204e488deebd37d8d401a9d9d0d8977f0aa6b"
        );
        let json = r#"{"transactionresult":{"OrderID":"o-1","Result":"PAYSUCCESS"}}"#;
        let alpha = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
        let result = format!("{alpha}.{}", check_value(&alpha, "pw"));
        let read = verify_result(&result, "pw").expect("verifies");
        assert_eq!(read.transactionresult.order_id, "o-1");
        assert_eq!(claimed_order(&result).as_deref(), Some("o-1"));
        assert_eq!(
            verify_result(&result, "other").expect_err("wrong password"),
            ResultError::Mismatch
        );
        let tampered = format!("{}.{}", &alpha[1..], check_value(&alpha, "pw"));
        assert_eq!(
            verify_result(&tampered, "pw").expect_err("tampered"),
            ResultError::Mismatch
        );
        assert_eq!(
            verify_result("no-dot", "pw").expect_err("malformed"),
            ResultError::Malformed
        );
    }

    #[test]
    fn answers_and_their_error_lists_are_read() {
        let a = parse_answer(b"ErrCode=E01|G02&ErrInfo=E01040010|42G020000");
        assert_eq!(
            errors(&a),
            vec![
                ("E01".to_owned(), "E01040010".to_owned()),
                ("G02".to_owned(), "42G020000".to_owned())
            ]
        );
        let ok = parse_answer(b"OrderID=o-1&Status=AUTH&Amount=1200&Approve= 019292");
        assert!(errors(&ok).is_empty());
        assert_eq!(ok["Approve"], "019292");
        assert_eq!(
            link_errors(br#"[{"errCode":"E01","errInfo":"E01040010"}]"#),
            vec![("E01".to_owned(), "E01040010".to_owned())]
        );
        assert_eq!(
            link_errors(br#"{"errCode":"E01","errInfo":"E01010001"}"#).len(),
            1
        );
        let body = form_body(&[("OrderID", "o 1".into()), ("ClientField1", "テスト".into())]);
        let text = String::from_utf8(body).expect("ascii");
        assert!(
            text.starts_with("OrderID=o+1&ClientField1=%83e%83X%83g"),
            "{text}"
        );
    }
}
