//! Starting a checkout at the origin: the signed request the worker sends, and what the
//! origin's answer means for the buyer. Pure; the worker glue does the actual fetch.

use crate::config::Config;
use crate::methods::Method;
use crate::pages::Problem;
use linkpay_shared::Locale;
use linkpay_shared::channel::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use serde::{Deserialize, Serialize};

/// The origin's endpoint, also the path that the channel signature covers.
pub const PATH: &str = "/internal/v1/checkouts";

/// How long the worker waits for the origin before showing the "unavailable" page.
pub const TIMEOUT_MS: u32 = 15_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginRequest {
    pub url: String,
    pub body: String,
    pub headers: [(&'static str, String); 3],
}

#[derive(Serialize)]
struct Body<'a> {
    token: &'a str,
    locale: Locale,
    /// The buyer's choice in minor units, already checked against the link's bounds; only
    /// for buyer-chosen links.
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<i64>,
    /// The buyer's email for the receipt, lightly checked; the origin checks it properly.
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    /// `card` or `wallet`, one of the methods the page offered.
    payment_method: &'a str,
}

/// `POST {ORIGIN_URL}/internal/v1/checkouts`, signed over the channel at `now` (unix secs).
pub fn request(
    cfg: &Config,
    token: &str,
    locale: Locale,
    amount: Option<i64>,
    email: Option<&str>,
    payment_method: Method,
    now: i64,
) -> OriginRequest {
    // Two strings and a number always serialize.
    let body = serde_json::to_string(&Body {
        token,
        locale,
        amount,
        email,
        payment_method: payment_method.as_str(),
    })
    .unwrap_or_default();
    let signature = channel::sign(&cfg.edge_secret, now, "POST", PATH, body.as_bytes());
    OriginRequest {
        url: format!("{}{PATH}", cfg.origin_url),
        headers: [
            ("content-type", "application/json".to_owned()),
            (TIMESTAMP_HEADER, now.to_string()),
            (SIGNATURE_HEADER, signature),
        ],
        body,
    }
}

/// What the buyer gets after the origin answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// 303 to the provider's page (or straight to a result page).
    Redirect(String),
    Problem(Problem),
    /// The origin refused the buyer's amount (`422 amount_invalid`), with its message. The
    /// edge checks amounts first, so this means the two disagree about the link's bounds.
    AmountInvalid(String),
    /// The origin refused the buyer's email (`422 email_invalid`).
    EmailInvalid,
    /// The merchant no longer offers the chosen method (`422 payment_method_unavailable`).
    MethodUnavailable,
}

#[derive(Deserialize)]
struct Created {
    redirect_url: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    #[serde(default)]
    message: String,
}

/// Maps the origin's answer to the buyer's next step. Anything unexpected is "unavailable":
/// the buyer is told nothing was charged and may retry, which the origin makes safe.
pub fn next(status: u16, body: &str) -> Next {
    if status == 200 || status == 201 {
        return match serde_json::from_str::<Created>(body) {
            Ok(c) if is_redirect_target(&c.redirect_url) => Next::Redirect(c.redirect_url),
            _ => Next::Problem(Problem::Unavailable),
        };
    }
    if !(400..500).contains(&status) {
        return Next::Problem(Problem::Unavailable);
    }
    let Ok(ErrorBody { error }) = serde_json::from_str::<ErrorBody>(body) else {
        return Next::Problem(Problem::Unavailable);
    };
    Next::Problem(match (status, error.code.as_str()) {
        (422, "amount_invalid") => return Next::AmountInvalid(error.message),
        (422, "email_invalid") => return Next::EmailInvalid,
        // The method's provider does not take this currency: another method may.
        (422, "payment_method_unavailable" | "currency_unsupported") => {
            return Next::MethodUnavailable;
        }
        (_, "link_already_paid") => Problem::AlreadyPaid,
        (_, "link_used_up") => Problem::UsedUp,
        (_, "link_in_progress") => Problem::InProgress,
        (_, "link_expired") => Problem::Expired,
        (_, "link_deactivated") => Problem::Deactivated,
        (_, "link_not_found") => Problem::LinkNotFound,
        _ => Problem::Unavailable,
    })
}

/// An absolute http(s) URL, or a path on this worker (e.g. `/r/<result token>`), with nothing
/// that could split a header.
fn is_redirect_target(url: &str) -> bool {
    let absolute = url.starts_with("https://") || url.starts_with("http://");
    let local_path = url.starts_with('/') && !url.starts_with("//") && !url.starts_with("/\\");
    (absolute || local_path) && url.len() <= 8192 && url.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;
    use linkpay_shared::SecretKey;
    use linkpay_shared::token::Keyring;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    fn config() -> Config {
        Config {
            origin_url: "http://127.0.0.1:8080".into(),
            keyring: Keyring::parse(&format!("k:{KEY}")).expect("keys"),
            edge_secret: SecretKey::from_base64url(KEY).expect("secret"),
            form_action: "'self'".into(),
        }
    }

    #[test]
    fn request_is_signed_for_the_origin() {
        let cfg = config();
        assert_eq!(
            request(
                &cfg,
                "abc.def",
                Locale::En,
                Some(1500),
                None,
                Method::Card,
                1
            )
            .body,
            r#"{"token":"abc.def","locale":"en","amount":1500,"payment_method":"card"}"#
        );
        assert_eq!(
            request(
                &cfg,
                "abc.def",
                Locale::En,
                None,
                Some("b@example.com"),
                Method::Wallet,
                1
            )
            .body,
            r#"{"token":"abc.def","locale":"en","email":"b@example.com","payment_method":"wallet"}"#
        );
        let req = request(
            &cfg,
            "abc.def",
            Locale::Ja,
            None,
            None,
            Method::Card,
            1_700_000_000,
        );
        assert_eq!(req.url, "http://127.0.0.1:8080/internal/v1/checkouts");
        assert_eq!(
            req.body,
            r#"{"token":"abc.def","locale":"ja","payment_method":"card"}"#
        );
        let header = |name: &str| {
            req.headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("content-type"), Some("application/json"));
        assert_eq!(header("linkpay-edge-timestamp"), Some("1700000000"));
        assert_eq!(
            channel::verify(
                &cfg.edge_secret,
                header("linkpay-edge-timestamp"),
                header("linkpay-edge-signature"),
                "POST",
                "/internal/v1/checkouts",
                req.body.as_bytes(),
                1_700_000_010,
            ),
            Ok(())
        );
    }

    #[test]
    fn origin_answers_map_to_pages() {
        let err = |code: &str| {
            format!(r#"{{"error":{{"type":"invalid_request","code":"{code}","message":"m"}}}}"#)
        };
        assert_eq!(
            next(
                201,
                r#"{"redirect_url":"http://127.0.0.1:8080/sandbox/pay/cs_1"}"#
            ),
            Next::Redirect("http://127.0.0.1:8080/sandbox/pay/cs_1".into())
        );
        assert_eq!(
            next(201, r#"{"redirect_url":"/r/abc.def"}"#),
            Next::Redirect("/r/abc.def".into())
        );
        for (status, body, problem) in [
            (409, err("link_already_paid"), Problem::AlreadyPaid),
            (409, err("link_used_up"), Problem::UsedUp),
            (400, err("amount_invalid"), Problem::Unavailable),
            (409, err("link_in_progress"), Problem::InProgress),
            (410, err("link_expired"), Problem::Expired),
            (410, err("link_deactivated"), Problem::Deactivated),
            (404, err("link_not_found"), Problem::LinkNotFound),
            (400, err("something_new"), Problem::Unavailable),
            (401, err("bad_signature"), Problem::Unavailable),
            (500, err("link_expired"), Problem::Unavailable),
            (502, "<html>bad gateway</html>".into(), Problem::Unavailable),
            (404, "not json".into(), Problem::Unavailable),
            (201, "{}".into(), Problem::Unavailable),
            (
                201,
                r#"{"redirect_url":"javascript:alert(1)"}"#.into(),
                Problem::Unavailable,
            ),
            (
                201,
                r#"{"redirect_url":"//evil.example/"}"#.into(),
                Problem::Unavailable,
            ),
            (
                201,
                r#"{"redirect_url":"https://x/\r\nset-cookie: a"}"#.into(),
                Problem::Unavailable,
            ),
            (302, String::new(), Problem::Unavailable),
        ] {
            assert_eq!(
                next(status, &body),
                Next::Problem(problem),
                "{status} {body}"
            );
        }
        assert_eq!(
            next(
                422,
                r#"{"error":{"type":"invalid_request_error","code":"email_invalid","message":"m","param":"email"}}"#
            ),
            Next::EmailInvalid
        );
        assert_eq!(
            next(
                422,
                r#"{"error":{"type":"invalid_request","code":"amount_invalid","message":"Too low."}}"#
            ),
            Next::AmountInvalid("Too low.".into())
        );
    }
}
