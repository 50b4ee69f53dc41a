//! What the worker does with a request, as plain functions of data (request line, body,
//! settings, clock, nonce), so all of it runs in native unit tests. What needs the runtime is
//! handed back as a [`Step`]: read or write KV, call the origin. The glue does it and passes
//! the result to [`after_read`], [`after_write`] or [`after_checkout`].
//!
//! [`reply`] is the response as data; [`link`] verifies a link and reads what KV says about
//! it; [`pay`] shows its page and starts the checkout; [`kv_write`] lets the origin write KV.

mod kv_write;
mod link;
mod pay;
mod reply;
#[cfg(test)]
mod tests;

pub use kv_write::after_write;
pub use link::{Lookup, after_read};
pub use pay::{Checkout, after_checkout};
pub use reply::Reply;

use crate::config::{Config, ConfigError};
use crate::headers::SELF_ONLY;
use crate::kv::{self, Batch};
use crate::pages::{self, Page, Problem};
use crate::routes::{Route, route};
use link::open_link;
use linkpay_shared::Locale;
use linkpay_shared::result::PaymentResult;
use linkpay_shared::token::LinkClaims;

/// The largest request body the worker reads at all (the KV batch is the biggest there is);
/// the glue answers [`Reply::too_large`] without reading anything bigger.
pub const MAX_BODY_BYTES: usize = kv::MAX_BODY_BYTES;

/// The parts of a request the worker looks at.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub accept_language: Option<&'a str>,
    /// The channel headers (`linkpay-edge-timestamp`, `linkpay-edge-signature`) the origin
    /// signs its calls to `/internal/v1/kv` with.
    pub channel_timestamp: Option<&'a str>,
    pub channel_signature: Option<&'a str>,
    /// The body of a POST (empty for other methods).
    pub body: &'a [u8],
}

#[derive(Debug)]
pub enum Step {
    Done(Reply),
    /// Read [`Lookup::key`] from KV, then pass the value to [`after_read`].
    ReadKv(Lookup),
    /// Apply the batch to KV (deletes and puts, any order: keys are distinct), then answer
    /// with [`after_write`].
    WriteKv(Batch),
    /// Send `request` to the origin, then pass its answer to [`after_checkout`].
    AskOrigin(Checkout),
    /// Log this line (it holds nothing secret), then carry on with the step.
    Log(String, Box<Step>),
}

/// Why KV gave no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KvError {
    /// No `LINKPAY_KV` binding: the worker runs without KV (e.g. workerd in the benchmark).
    Unbound,
    /// The read or write failed; the glue has logged why.
    Failed,
}

/// A link whose token verified.
#[derive(Debug)]
struct Link {
    token: String,
    claims: LinkClaims,
    locale: Locale,
}

#[derive(Debug)]
enum Purpose {
    /// Show the pay page.
    Show,
    /// The buyer pressed Pay, with this in the amount field (if the form had one) and in
    /// the email field.
    Pay {
        typed: Option<String>,
        email: Option<String>,
        method: Option<String>,
    },
}

/// The step that answers with `page`.
fn page(page: Page, nonce: &str, form_action: &str) -> Step {
    Step::Done(Reply::html(page, nonce, form_action))
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
            let problem = pages::problem(Problem::PageNotFound, default_locale, nonce);
            return page(problem, nonce, SELF_ONLY);
        }
        (Route::MethodNotAllowed(allow), _) => {
            let mut reply = Reply::text(405, "Method not allowed".into(), nonce);
            reply.allow = Some(allow);
            return Step::Done(reply);
        }
        (Route::Health, Ok(_)) => return Step::Done(Reply::text(200, "ok".into(), nonce)),
        // The machine endpoints answer in plain text, naming the variable (never its value).
        (Route::Health | Route::KvWrite, Err(e)) => {
            return Step::Done(Reply::text(500, format!("misconfigured: {e}"), nonce));
        }
        (_, Err(e)) => {
            let problem = pages::problem(Problem::Misconfigured(e.variable), default_locale, nonce);
            return page(problem, nonce, SELF_ONLY);
        }
        (_, Ok(cfg)) => cfg,
    };
    let done = |p| page(p, nonce, &cfg.form_action);

    match route {
        Route::PayPage(token) => {
            open_link(cfg, token, req.accept_language, Purpose::Show, now, nonce)
        }
        Route::Pay(token) => {
            let field = |name| crate::form::field(req.body, name);
            let purpose = Purpose::Pay {
                typed: field("amount"),
                email: field("email"),
                method: field("payment_method"),
            };
            open_link(cfg, token, req.accept_language, purpose, now, nonce)
        }
        Route::ShortLink(code) => link::short_link(code, req.accept_language),
        Route::KvWrite => kv_write::kv_write(cfg, req, now, nonce),
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
        Route::Preview(token) => {
            match linkpay_shared::preview::open(&cfg.edge_secret, token, now) {
                Some(p) => {
                    let locale = Locale::from_tag(&p.locale).unwrap_or(default_locale);
                    let mut page = pages::preview(
                        &p.merchant_name,
                        locale,
                        nonce,
                        &p.branding.sanitized(),
                        now,
                    );
                    // Only the dashboard (served by the origin) may show it in a frame.
                    page.csp.frame_ancestors = Some(cfg.origin_url.clone());
                    done(page)
                }
                // Tampered or expired: the dashboard mints a fresh one each time it is shown.
                None => done(pages::problem(Problem::PageNotFound, default_locale, nonce)),
            }
        }
        Route::Health | Route::NotFound | Route::MethodNotAllowed(_) => {
            done(pages::problem(Problem::PageNotFound, default_locale, nonce))
        }
    }
}
