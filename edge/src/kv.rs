//! The worker's KV namespace (binding `LINKPAY_KV`): what its keys are, and the batch of
//! writes the origin pushes through `POST /internal/v1/kv`.
//!
//! | key              | value                                   | written by         |
//! |------------------|-----------------------------------------|--------------------|
//! | `p:{code}`       | a link token (short link `/p/{code}`)   | origin, via the endpoint |
//! | `s:{link_id}`    | display state JSON, see [`crate::state`] | origin, via the endpoint |
//! | `m:{merchant_id}`| payment methods JSON, see [`crate::methods`] | origin, via the endpoint |
//!
//! The origin may write only these kinds of key: the endpoint is a narrow door, not a
//! general KV proxy. It is authenticated like the edge's calls to the origin, in reverse:
//! the origin signs with `linkpay_shared::channel` over `POST /internal/v1/kv` and the body.

use serde::Deserialize;
use std::fmt;

/// The binding's name in wrangler.toml.
pub const BINDING: &str = "LINKPAY_KV";
/// The internal endpoint, also the path that the channel signature covers.
pub const PATH: &str = "/internal/v1/kv";
/// Puts and deletes together, per request.
pub const MAX_ENTRIES: usize = 100;
/// A link token is at most 3 KiB and a display state is a short sentence; this is ample.
pub const MAX_VALUE_BYTES: usize = 8 * 1024;
/// Keeps a whole batch in one modest allocation.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// KV refuses expirations sooner than this; nearer ones are moved out past it.
pub const MIN_EXPIRATION_SECS: i64 = 60;
/// `now` is the whole second the request came in at. A write moved out to exactly
/// `now + 60` is refused by KV if the next second begins before KV checks it, so nearer
/// expirations get one second more.
const EXPIRATION_SLACK_SECS: i64 = 1;
const MAX_CODE_LEN: usize = 16;
const MAX_LINK_ID_LEN: usize = 64;

pub fn short_link_key(code: &str) -> String {
    format!("p:{code}")
}

pub fn state_key(link_id: &str) -> String {
    format!("s:{link_id}")
}

pub fn methods_key(merchant_id: &str) -> String {
    format!("m:{merchant_id}")
}

/// A short link's code: 1–16 ASCII letters and digits.
pub fn valid_code(code: &str) -> bool {
    (1..=MAX_CODE_LEN).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Link ids as link tokens allow them: 1–64 of `[A-Za-z0-9_]`.
fn valid_link_id(id: &str) -> bool {
    (1..=MAX_LINK_ID_LEN).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// One checked write request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub puts: Vec<Put>,
    pub deletes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Put {
    pub key: String,
    pub value: String,
    /// Unix seconds; at least [`MIN_EXPIRATION_SECS`] from now once checked.
    #[serde(default)]
    pub expiration: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    #[serde(default)]
    put: Vec<Put>,
    #[serde(default)]
    delete: Vec<String>,
}

/// What is wrong with a write request, in words for the origin's log (the answer's body).
/// Never quotes a value: values may be link tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchError {
    TooLarge,
    NotJson(String),
    TooMany(usize),
    ForbiddenKey(usize),
    BadKey(usize),
    ValueTooLarge(usize),
    Duplicate(usize),
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::TooLarge => write!(f, "the body is larger than {MAX_BODY_BYTES} bytes"),
            BatchError::NotJson(e) => write!(
                f,
                "the body must be JSON {{\"put\": [{{\"key\", \"value\", \"expiration\"?}}], \
                 \"delete\": [key]}}: {e}"
            ),
            BatchError::TooMany(n) => write!(
                f,
                "{n} entries: at most {MAX_ENTRIES} puts and deletes together"
            ),
            BatchError::ForbiddenKey(i) => {
                write!(
                    f,
                    "entry {i}: keys must start with \"p:\", \"s:\" or \"m:\""
                )
            }
            BatchError::BadKey(i) => write!(
                f,
                "entry {i}: \"p:\" takes a code of 1-16 letters and digits, \"s:\" a link id \
                 and \"m:\" a merchant id of 1-64 letters, digits and underscores"
            ),
            BatchError::ValueTooLarge(i) => {
                write!(
                    f,
                    "entry {i}: the value is longer than {MAX_VALUE_BYTES} bytes"
                )
            }
            BatchError::Duplicate(i) => {
                write!(
                    f,
                    "entry {i}: the key appears more than once in the request"
                )
            }
        }
    }
}

/// Reads and checks an authenticated write request received at `now` (unix seconds).
/// Entries are numbered from 0, puts first then deletes, in the error messages.
pub fn parse_batch(body: &[u8], now: i64) -> Result<Batch, BatchError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(BatchError::TooLarge);
    }
    // serde would also read a struct from an array, by position; only an object is meant.
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(BatchError::NotJson("expected an object".into()));
    }
    let Body { mut put, delete } = serde_json::from_slice(body)
        // serde's message names the field or the position, and quotes at most a field name
        // or a mistyped scalar: acceptable in an answer to the authenticated origin.
        .map_err(|e| BatchError::NotJson(e.to_string()))?;
    let total = put.len() + delete.len();
    if total > MAX_ENTRIES {
        return Err(BatchError::TooMany(total));
    }
    let keys: Vec<&str> = put
        .iter()
        .map(|p| p.key.as_str())
        .chain(delete.iter().map(String::as_str))
        .collect();
    for (i, key) in keys.iter().enumerate() {
        check_key(key).map_err(|e| e(i))?;
        // Quadratic, but over at most 100 keys; no hashing code in the worker for this.
        if keys[..i].contains(key) {
            return Err(BatchError::Duplicate(i));
        }
    }
    for (i, p) in put.iter_mut().enumerate() {
        if p.value.len() > MAX_VALUE_BYTES {
            return Err(BatchError::ValueTooLarge(i));
        }
        let earliest = now.saturating_add(MIN_EXPIRATION_SECS + EXPIRATION_SLACK_SECS);
        p.expiration = p.expiration.map(|e| e.max(earliest));
    }
    Ok(Batch {
        puts: put,
        deletes: delete,
    })
}

fn check_key(key: &str) -> Result<(), fn(usize) -> BatchError> {
    let ok = if let Some(code) = key.strip_prefix("p:") {
        valid_code(code)
    } else if let Some(id) = key.strip_prefix("s:").or_else(|| key.strip_prefix("m:")) {
        valid_link_id(id)
    } else {
        return Err(BatchError::ForbiddenKey);
    };
    if ok { Ok(()) } else { Err(BatchError::BadKey) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn parse(body: &str) -> Result<Batch, BatchError> {
        parse_batch(body.as_bytes(), NOW)
    }

    #[test]
    fn codes_are_short_and_plain() {
        for ok in ["a", "Ab3", "0123456789abcdef"] {
            assert!(valid_code(ok), "{ok}");
        }
        for bad in [
            "",
            "0123456789abcdefg",
            "a-b",
            "a_b",
            "a.b",
            "ä",
            "a b",
            "a/b",
        ] {
            assert!(!valid_code(bad), "{bad}");
        }
        assert_eq!(short_link_key("Ab3"), "p:Ab3");
        assert_eq!(state_key("lnk_1"), "s:lnk_1");
        assert_eq!(methods_key("mch_1"), "m:mch_1");
        assert!(parse(r#"{"put":[{"key":"m:mch_1","value":"{}"}]}"#).is_ok());
    }

    #[test]
    fn reads_puts_and_deletes() {
        let b = parse(
            r#"{"put":[{"key":"p:Ab3","value":"tok.en"},
                      {"key":"s:lnk_1","value":"{\"status\":\"used\"}","expiration":1800009999}],
                "delete":["s:lnk_2"]}"#,
        )
        .expect("valid");
        assert_eq!(
            b.puts,
            vec![
                Put {
                    key: "p:Ab3".into(),
                    value: "tok.en".into(),
                    expiration: None
                },
                Put {
                    key: "s:lnk_1".into(),
                    value: r#"{"status":"used"}"#.into(),
                    expiration: Some(1_800_009_999)
                },
            ]
        );
        assert_eq!(b.deletes, vec!["s:lnk_2".to_owned()]);
        assert_eq!(parse(r#"{"delete":["p:x"]}"#).expect("valid").puts, vec![]);
        assert_eq!(parse("{}").expect("valid").deletes, Vec::<String>::new());
    }

    #[test]
    fn near_expirations_move_out_past_kv_minimum() {
        for (given, stored) in [
            (NOW, NOW + 61),
            (NOW + 59, NOW + 61),
            (0, NOW + 61),
            (-5, NOW + 61),
            (NOW + 60, NOW + 61),
            (NOW + 61, NOW + 61),
            (NOW + 62, NOW + 62),
        ] {
            let b = parse(&format!(
                r#"{{"put":[{{"key":"p:a","value":"v","expiration":{given}}}]}}"#
            ))
            .expect("valid");
            assert_eq!(b.puts[0].expiration, Some(stored), "{given}");
        }
    }

    #[test]
    fn only_short_links_states_and_payment_methods_may_be_written() {
        for (body, err) in [
            (
                r#"{"put":[{"key":"config","value":"x"}]}"#,
                BatchError::ForbiddenKey(0),
            ),
            (r#"{"delete":["p:a","x:a"]}"#, BatchError::ForbiddenKey(1)),
            (
                r#"{"put":[{"key":"p:a","value":"v"}],"delete":["P:a"]}"#,
                BatchError::ForbiddenKey(1),
            ),
            (r#"{"delete":["p:"]}"#, BatchError::BadKey(0)),
            (r#"{"delete":["p:a-b"]}"#, BatchError::BadKey(0)),
            (r#"{"delete":["s:lnk 1"]}"#, BatchError::BadKey(0)),
            (r#"{"delete":["s:"]}"#, BatchError::BadKey(0)),
            (r#"{"delete":["m:mch 1"]}"#, BatchError::BadKey(0)),
            (r#"{"delete":["M:mch_1"]}"#, BatchError::ForbiddenKey(0)),
        ] {
            let e = parse(body).expect_err(body);
            assert_eq!(e, err, "{body}");
            assert!(e.to_string().starts_with(&format!(
                "entry {}",
                match e {
                    BatchError::ForbiddenKey(i) | BatchError::BadKey(i) => i,
                    _ => usize::MAX,
                }
            )));
        }
    }

    #[test]
    fn malformed_or_oversized_requests_are_refused() {
        for body in [
            "",
            "[]",
            "[[],[]]",
            r#"{"put":{}}"#,
            r#"{"puts":[]}"#,
            r#"{"put":[{"key":"p:a"}]}"#,
            r#"{"put":[{"key":"p:a","value":"v","ttl":60}]}"#,
            r#"{"put":[{"key":"p:a","value":"v","expiration":"soon"}]}"#,
            r#"{"delete":[1]}"#,
        ] {
            assert!(matches!(parse(body), Err(BatchError::NotJson(_))), "{body}");
        }
        let hundred: Vec<String> = (0..100).map(|i| format!("\"s:l{i}\"")).collect();
        let body = format!(r#"{{"delete":[{}]}}"#, hundred.join(","));
        assert_eq!(parse(&body).expect("100 is allowed").deletes.len(), 100);
        let body = format!(
            r#"{{"put":[{{"key":"p:a","value":"v"}}],"delete":[{}]}}"#,
            hundred.join(",")
        );
        assert_eq!(parse(&body), Err(BatchError::TooMany(101)));

        let big = "v".repeat(MAX_VALUE_BYTES + 1);
        let body =
            format!(r#"{{"put":[{{"key":"p:a","value":"v"}},{{"key":"p:b","value":"{big}"}}]}}"#);
        assert_eq!(parse(&body), Err(BatchError::ValueTooLarge(1)));
        assert!(!BatchError::ValueTooLarge(1).to_string().contains(&big));

        let body = r#"{"put":[{"key":"p:a","value":"v"}],"delete":["p:a"]}"#;
        assert_eq!(parse(body), Err(BatchError::Duplicate(1)));

        let huge = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(parse_batch(&huge, NOW), Err(BatchError::TooLarge));
    }
}
