//! What the worker does with a request, as plain functions of data (request line, settings,
//! clock, nonce), so all of it runs in native unit tests. The one step that needs the
//! network, the checkout call to the origin, is handed back as [`Step::AskOrigin`].

use crate::checkout::{self, Next, OriginRequest};
use crate::config::{Config, ConfigError};
use crate::headers::{self, SELF_ONLY};
use crate::pages::{self, Page, Problem};
use crate::routes::{Route, route};
use linkpay_shared::Locale;
use linkpay_shared::result::PaymentResult;
use linkpay_shared::token::TokenError;

/// The parts of a request the worker looks at.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub accept_language: Option<&'a str>,
}

/// A response, before the glue turns it into the runtime's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: Option<&'static str>,
    pub location: Option<String>,
    pub body: String,
    /// Every header every response carries (CSP, framing, referrer, caching, sniffing).
    pub security: [(&'static str, String); 5],
}

impl Reply {
    fn html(page: Page, nonce: &str, form_action: &str) -> Reply {
        Reply {
            status: page.status,
            content_type: Some("text/html; charset=utf-8"),
            location: None,
            body: page.html,
            security: headers::security_headers(nonce, form_action),
        }
    }

    /// The answer when the runtime cannot give us randomness for a nonce (never seen, but a
    /// response must still carry the security headers). No page, so no nonce is needed.
    pub fn no_randomness() -> Reply {
        Reply::text(
            503,
            "Service unavailable, please retry".into(),
            "unavailable",
        )
    }

    fn text(status: u16, body: String, nonce: &str) -> Reply {
        Reply {
            status,
            content_type: Some("text/plain; charset=utf-8"),
            location: None,
            body,
            security: headers::security_headers(nonce, SELF_ONLY),
        }
    }

    fn see_other(location: String, nonce: &str, form_action: &str) -> Reply {
        Reply {
            status: 303,
            content_type: None,
            location: Some(location),
            body: String::new(),
            security: headers::security_headers(nonce, form_action),
        }
    }
}

#[derive(Debug)]
pub enum Step {
    Done(Reply),
    /// Send `request` to the origin, then pass its answer to [`after_checkout`].
    AskOrigin(Checkout),
}

/// A checkout in flight: what to send and what is needed to answer the buyer afterwards.
#[derive(Debug)]
pub struct Checkout {
    pub request: OriginRequest,
    /// For logs: the link id is not a secret, the token is.
    pub link_id: String,
    pub locale: Locale,
    pub form_action: String,
}

/// Handles one request at `now` (unix seconds), with `nonce` for this response's CSP.
pub fn handle(
    req: Incoming<'_>,
    config: &Result<Config, ConfigError>,
    now: i64,
    nonce: &str,
) -> Step {
    let default_locale = Locale::negotiate(req.accept_language, Locale::En);
    let route = route(req.method, req.path);
    let cfg = match (route, config) {
        (Route::NotFound, _) => {
            let page = pages::problem(Problem::PageNotFound, default_locale, nonce);
            return Step::Done(Reply::html(page, nonce, SELF_ONLY));
        }
        (Route::Health, Ok(_)) => return Step::Done(Reply::text(200, "ok".into(), nonce)),
        (Route::Health, Err(e)) => {
            return Step::Done(Reply::text(500, format!("misconfigured: {e}"), nonce));
        }
        (_, Err(e)) => {
            let page = pages::problem(Problem::Misconfigured(e.variable), default_locale, nonce);
            return Step::Done(Reply::html(page, nonce, SELF_ONLY));
        }
        (_, Ok(cfg)) => cfg,
    };
    let done = |page: Page| Step::Done(Reply::html(page, nonce, &cfg.form_action));

    match route {
        Route::PayPage(token) => match cfg.keyring.verify(token.as_bytes(), now) {
            Ok(claims) => {
                let locale = Locale::negotiate(req.accept_language, claims.locale);
                done(pages::pay(&claims, token, locale, nonce))
            }
            Err(e) => done(pages::problem(token_problem(&e), default_locale, nonce)),
        },
        Route::Pay(token) => match cfg.keyring.verify(token.as_bytes(), now) {
            Ok(claims) => {
                let locale = Locale::negotiate(req.accept_language, claims.locale);
                Step::AskOrigin(Checkout {
                    request: checkout::request(cfg, token, locale, None, now),
                    link_id: claims.link_id,
                    locale,
                    form_action: cfg.form_action.clone(),
                })
            }
            Err(e) => done(pages::problem(token_problem(&e), default_locale, nonce)),
        },
        Route::Result(token) => {
            match PaymentResult::open(&cfg.edge_secret, token.as_bytes(), now) {
                Some(result) => {
                    let locale = Locale::negotiate(req.accept_language, result.locale);
                    done(pages::result(&result, locale, nonce))
                }
                None => done(pages::problem(
                    Problem::ResultNotFound,
                    default_locale,
                    nonce,
                )),
            }
        }
        Route::Health | Route::NotFound => {
            done(pages::problem(Problem::PageNotFound, default_locale, nonce))
        }
    }
}

/// The buyer's answer once the origin replied with `(status, body)`, or could not be reached
/// (`None`).
pub fn after_checkout(checkout: &Checkout, answer: Option<(u16, &str)>, nonce: &str) -> Reply {
    let next = match answer {
        Some((status, body)) => checkout::next(status, body),
        None => Next::Problem(Problem::Unavailable),
    };
    match next {
        Next::Redirect(location) => Reply::see_other(location, nonce, &checkout.form_action),
        // Not sent yet: no amount goes to the origin.
        Next::AmountInvalid(_) => Reply::html(
            pages::problem(Problem::Unavailable, checkout.locale, nonce),
            nonce,
            &checkout.form_action,
        ),
        Next::Problem(problem) => Reply::html(
            pages::problem(problem, checkout.locale, nonce),
            nonce,
            &checkout.form_action,
        ),
    }
}

fn token_problem(e: &TokenError) -> Problem {
    match e {
        TokenError::Expired => Problem::Expired,
        _ => Problem::LinkNotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linkpay_shared::result::Outcome;
    use linkpay_shared::token::{Amount, Keyring, LinkClaims, Usage};
    use linkpay_shared::{Currency, Money, SecretKey};

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    const NOW: i64 = 1_800_000_000;

    fn config() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| match name {
            "ORIGIN_URL" => Some("http://127.0.0.1:8080".into()),
            "LINK_KEYS" => Some(format!("k1:{KEY}")),
            "EDGE_SECRET" => Some(KEY.into()),
            _ => None,
        })
    }

    fn token(expires_at: i64) -> String {
        let claims = LinkClaims {
            link_id: "lnk_1".into(),
            merchant_id: "mch_1".into(),
            merchant_name: "Shop".into(),
            amount: Amount::Fixed(Money::new(1500, Currency::Jpy).expect("money")),
            expires_at,
            usage: Usage::SingleUse,
            title: "Tea".into(),
            description: None,
            reference: None,
            locale: Locale::Ja,
            free: Default::default(),
            metadata: Vec::new(),
        };
        Keyring::parse(&format!("k1:{KEY}"))
            .expect("keys")
            .sign(&claims)
            .expect("sign")
    }

    fn run(method: &str, path: &str, lang: Option<&str>) -> Step {
        let req = Incoming {
            method,
            path,
            accept_language: lang,
        };
        handle(req, &config(), NOW, "nonce")
    }

    fn reply(method: &str, path: &str, lang: Option<&str>) -> Reply {
        match run(method, path, lang) {
            Step::Done(r) => r,
            Step::AskOrigin(_) => panic!("unexpected origin call for {method} {path}"),
        }
    }

    fn data_error(r: &Reply) -> &str {
        r.body
            .split("data-error=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("")
    }

    #[test]
    fn pay_page_negotiates_language() {
        let t = token(NOW + 60);
        let r = reply("GET", &format!("/l/{t}"), None);
        assert_eq!(r.status, 200);
        assert!(r.body.contains("<html lang=\"ja\">"));
        assert!(
            r.security[0]
                .1
                .contains("form-action 'self' http://127.0.0.1:8080;")
        );
        let r = reply("GET", &format!("/l/{t}"), Some("en-US,en;q=0.9"));
        assert!(r.body.contains("<html lang=\"en\">"));
        assert!(r.body.contains(">Pay ¥1,500</button>"));
    }

    #[test]
    fn bad_and_expired_links() {
        let t = token(NOW + 60);
        let mut tampered = t.clone().into_bytes();
        tampered[5] ^= 1;
        let tampered = String::from_utf8(tampered).expect("ascii");
        for path in [format!("/l/{tampered}"), "/l/garbage".into()] {
            let r = reply("GET", &path, None);
            assert_eq!((r.status, data_error(&r)), (404, "not_found"), "{path}");
            let r = reply("POST", &format!("{path}/pay"), None);
            assert_eq!((r.status, data_error(&r)), (404, "not_found"), "{path}");
        }
        let old = token(NOW);
        let r = reply("GET", &format!("/l/{old}"), None);
        assert_eq!((r.status, data_error(&r)), (410, "expired"));
        let r = reply("POST", &format!("/l/{old}/pay"), None);
        assert_eq!((r.status, data_error(&r)), (410, "expired"));
    }

    #[test]
    fn pay_asks_the_origin_then_redirects_or_explains() {
        let t = token(NOW + 60);
        let Step::AskOrigin(c) = run("POST", &format!("/l/{t}/pay"), Some("en")) else {
            panic!("expected an origin call");
        };
        assert_eq!(c.link_id, "lnk_1");
        assert_eq!(
            c.request.body,
            format!(r#"{{"token":"{t}","locale":"en"}}"#)
        );

        let r = after_checkout(
            &c,
            Some((201, r#"{"redirect_url":"https://p.example/x"}"#)),
            "n",
        );
        assert_eq!(r.status, 303);
        assert_eq!(r.location.as_deref(), Some("https://p.example/x"));
        assert_eq!(r.security[3], ("cache-control", "no-store".to_owned()));

        let r = after_checkout(&c, None, "n");
        assert_eq!((r.status, data_error(&r)), (502, "unavailable"));
        assert!(r.body.contains("Nothing was charged"));

        let paid = r#"{"error":{"type":"conflict","code":"link_already_paid","message":"m"}}"#;
        let r = after_checkout(&c, Some((409, paid)), "n");
        assert_eq!((r.status, data_error(&r)), (409, "already_paid"));
    }

    #[test]
    fn result_pages_open_only_genuine_tokens() {
        let secret = SecretKey::from_base64url(KEY).expect("key");
        let result = PaymentResult {
            charge_id: "ch_1".into(),
            link_id: "lnk_1".into(),
            outcome: Outcome::Paid,
            amount: 1500,
            currency: Currency::Jpy,
            title: "Tea".into(),
            merchant_name: "Shop".into(),
            failure_code: None,
            card_brand: None,
            card_last4: None,
            locale: Locale::En,
            issued_at: NOW - 10,
        };
        let r = reply("GET", &format!("/r/{}", result.seal(&secret)), None);
        assert_eq!(r.status, 200);
        assert!(r.body.contains("data-outcome=\"paid\""));
        let r = reply("GET", "/r/abc.def", None);
        assert_eq!((r.status, data_error(&r)), (404, "not_found"));
        // A link token is not a result token, even though both are sealed with HMAC.
        let r = reply("GET", &format!("/r/{}", token(NOW + 60)), None);
        assert_eq!(r.status, 404);
    }

    #[test]
    fn even_the_last_resort_answer_is_secured() {
        let r = Reply::no_randomness();
        assert_eq!(r.status, 503);
        assert_eq!(r.security[0].0, "content-security-policy");
        assert!(r.security[0].1.starts_with("default-src 'none';"));
    }

    #[test]
    fn health_unknown_paths_and_misconfiguration() {
        let r = reply("GET", "/healthz", None);
        assert_eq!((r.status, r.body.as_str()), (200, "ok"));
        let r = reply("GET", "/nope", Some("ja"));
        assert_eq!((r.status, data_error(&r)), (404, "not_found"));
        assert!(r.body.contains("<html lang=\"ja\">"));

        let broken = Config::from_lookup(|name| match name {
            "ORIGIN_URL" => Some("http://127.0.0.1:8080".into()),
            "LINK_KEYS" => Some(format!("k1:{KEY}")),
            "EDGE_SECRET" => Some("c2hvcnQ".into()),
            _ => None,
        });
        let req = Incoming {
            method: "GET",
            path: &format!("/l/{}", token(NOW + 60)),
            accept_language: None,
        };
        let Step::Done(r) = handle(req, &broken, NOW, "n") else {
            panic!("no origin call when misconfigured");
        };
        assert_eq!((r.status, data_error(&r)), (500, "misconfigured"));
        assert!(r.body.contains("EDGE_SECRET"));
        assert!(!r.body.contains("c2hvcnQ"));
        let Step::Done(r) = handle(
            Incoming {
                method: "GET",
                path: "/healthz",
                accept_language: None,
            },
            &broken,
            NOW,
            "n",
        ) else {
            panic!("health never calls the origin");
        };
        assert_eq!(r.status, 500);
        assert!(r.body.contains("EDGE_SECRET"));
    }
}
