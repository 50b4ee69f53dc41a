//! A link's display state, pushed by the origin to KV key `s:{link_id}` as
//! `{"status": "used" | "deactivated" | "expired", "message": string | null}`.
//!
//! KV is eventually consistent and is for display only: it lets the edge tell a buyer at once
//! that a link is finished, without asking the origin. The origin still enforces everything
//! at checkout, so a state this worker cannot read is ignored, never treated as a refusal.

use serde::Deserialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Paid (single use) or out of uses (multi use).
    Used,
    /// Turned off by the merchant, with their note to buyers if they left one.
    Deactivated {
        message: Option<String>,
    },
    Expired,
}

/// Why a stored state was ignored. Says nothing of the value itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateError {
    NotJson,
    UnknownStatus,
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StateError::NotJson => "not the expected JSON object",
            StateError::UnknownStatus => "unknown status",
        })
    }
}

#[derive(Deserialize)]
struct Stored {
    status: String,
    #[serde(default)]
    message: Option<String>,
}

pub fn parse(value: &str) -> Result<LinkState, StateError> {
    let stored: Stored = serde_json::from_str(value).map_err(|_| StateError::NotJson)?;
    match stored.status.as_str() {
        "used" => Ok(LinkState::Used),
        "expired" => Ok(LinkState::Expired),
        "deactivated" => Ok(LinkState::Deactivated {
            message: stored.message.filter(|m| !m.trim().is_empty()),
        }),
        _ => Err(StateError::UnknownStatus),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_status() {
        assert_eq!(
            parse(r#"{"status":"used","message":null}"#),
            Ok(LinkState::Used)
        );
        assert_eq!(parse(r#"{"status":"expired"}"#), Ok(LinkState::Expired));
        assert_eq!(
            parse(r#"{"status":"deactivated","message":"Sold out <b>x</b>"}"#),
            Ok(LinkState::Deactivated {
                message: Some("Sold out <b>x</b>".into())
            })
        );
        assert_eq!(
            parse(r#"{"status":"deactivated","message":"  "}"#),
            Ok(LinkState::Deactivated { message: None })
        );
        // Fields a newer origin adds do not hide the state.
        assert_eq!(
            parse(r#"{"status":"used","message":null,"at":1}"#),
            Ok(LinkState::Used)
        );
    }

    #[test]
    fn anything_else_is_ignored() {
        for bad in [
            "",
            "used",
            "null",
            "[]",
            r#"{"message":"x"}"#,
            r#"{"status":1}"#,
            r#"{"status":"deactivated","message":5}"#,
        ] {
            assert_eq!(parse(bad), Err(StateError::NotJson), "{bad}");
        }
        for unknown in [r#"{"status":"paused"}"#, r#"{"status":"USED"}"#] {
            assert_eq!(parse(unknown), Err(StateError::UnknownStatus), "{unknown}");
        }
    }
}
