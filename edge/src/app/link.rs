//! Opening a link: verify its token (from the path or a short link), then read its display
//! state and its merchant's settings from KV before anything is shown or paid.

use super::pay::proceed;
use super::{KvError, Link, Purpose, Step, page};
use crate::branding::{self, Branding};
use crate::config::{Config, ConfigError};
use crate::headers::SELF_ONLY;
use crate::kv;
use crate::methods;
use crate::pages::{self, Problem};
use crate::state;
use linkpay_shared::Locale;
use linkpay_shared::token::TokenError;

/// A KV read in flight: the key, and what its value is for.
#[derive(Debug)]
pub struct Lookup {
    pub key: String,
    then: Then,
}

#[derive(Debug)]
enum Then {
    /// The value is the token of a short link's link.
    ShortLink { accept_language: Option<String> },
    /// The value is the display state of a verified link.
    State { link: Box<Link>, purpose: Purpose },
    /// The value is the payment methods of the link's merchant.
    Methods { link: Box<Link>, purpose: Purpose },
}

/// `GET /p/{code}`: first, which token is stored under the code.
pub(super) fn short_link(code: &str, accept_language: Option<&str>) -> Step {
    Step::ReadKv(Lookup {
        key: kv::short_link_key(code),
        then: Then::ShortLink {
            accept_language: accept_language.map(str::to_owned),
        },
    })
}

/// Verifies a link token (from the path or from a short link), then looks up its display
/// state before doing anything for the buyer.
pub(super) fn open_link(
    cfg: &Config,
    token: &str,
    accept_language: Option<&str>,
    purpose: Purpose,
    now: i64,
    nonce: &str,
) -> Step {
    match cfg.keyring.verify(token.as_bytes(), now) {
        Ok(claims) => Step::ReadKv(Lookup {
            key: kv::state_key(&claims.link_id),
            then: Then::State {
                link: Box::new(Link {
                    token: token.to_owned(),
                    locale: Locale::negotiate(accept_language, claims.locale),
                    claims,
                }),
                purpose,
            },
        }),
        Err(e) => {
            let locale = Locale::negotiate(accept_language, Locale::En);
            page(
                pages::problem(token_problem(&e), locale, nonce),
                nonce,
                &cfg.form_action,
            )
        }
    }
}

/// Carries on once KV answered a [`Lookup`]: `Ok(None)` is a key that is not there.
pub fn after_read(
    lookup: Lookup,
    read: Result<Option<String>, KvError>,
    config: &Result<Config, ConfigError>,
    now: i64,
    nonce: &str,
) -> Step {
    // A lookup is only ever made with a good configuration; stay total anyway.
    let cfg = match config {
        Ok(cfg) => cfg,
        Err(e) => {
            let problem = pages::problem(Problem::Misconfigured(e.variable), Locale::En, nonce);
            return page(problem, nonce, SELF_ONLY);
        }
    };
    let done = |p| page(p, nonce, &cfg.form_action);
    match lookup.then {
        Then::ShortLink { accept_language } => {
            let locale = Locale::negotiate(accept_language.as_deref(), Locale::En);
            let problem = match read {
                // The stored token is verified exactly like one in a /l/ path: KV holds no
                // authority of its own, so a retired key's link stays refused.
                Ok(Some(token)) => {
                    let language = accept_language.as_deref();
                    return open_link(cfg, &token, language, Purpose::Show, now, nonce);
                }
                Ok(None) => Problem::ShortLinkNotFound,
                Err(KvError::Unbound) => Problem::Misconfigured(kv::BINDING),
                Err(KvError::Failed) => Problem::Unavailable,
            };
            done(pages::problem(problem, locale, nonce))
        }
        Then::State { link, purpose } => {
            let stored = match read {
                Ok(Some(value)) => value,
                // No state (or no KV at all): the link is as its token says. A failed read
                // shows the page too: KV is for display, the origin enforces at checkout.
                Ok(None) | Err(_) => return read_methods(link, purpose),
            };
            match state::parse(&stored) {
                Ok(state) => done(pages::finished(
                    &state,
                    link.claims.usage,
                    link.locale,
                    nonce,
                )),
                Err(e) => Step::Log(
                    format!("display state of link {} ignored: {e}", link.claims.link_id),
                    Box::new(read_methods(link, purpose)),
                ),
            }
        }
        Then::Methods { link, purpose } => {
            let (offered, look, ignored) = match read {
                Ok(Some(value)) => {
                    let look = branding::from_stored(&value);
                    match methods::parse(&value) {
                        Ok(offered) => (offered, look, None),
                        Err(e) => (
                            methods::DEFAULT.to_vec(),
                            look,
                            Some(format!(
                                "payment methods of merchant {} ignored: {e}",
                                link.claims.merchant_id
                            )),
                        ),
                    }
                }
                // None stored (or KV unreadable): cards and linkpay's look, as the origin has
                // without settings.
                Ok(None) | Err(_) => (methods::DEFAULT.to_vec(), Branding::default(), None),
            };
            let next = proceed(cfg, link, purpose, offered, look, now, nonce);
            match ignored {
                Some(line) => Step::Log(line, Box::new(next)),
                None => next,
            }
        }
    }
}

/// A live link: which payment methods does its merchant offer?
fn read_methods(link: Box<Link>, purpose: Purpose) -> Step {
    Step::ReadKv(Lookup {
        key: kv::methods_key(&link.claims.merchant_id),
        then: Then::Methods { link, purpose },
    })
}

fn token_problem(e: &TokenError) -> Problem {
    match e {
        TokenError::Expired => Problem::Expired,
        _ => Problem::LinkNotFound,
    }
}
