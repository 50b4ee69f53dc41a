//! The HTML pages buyers see, rendered from the askama templates in `templates/edge/`.
//!
//! Pure functions from data to [`Page`]; the worker glue only adds headers and sends it.
//! Askama escapes every value, so titles and descriptions from link tokens are safe.
//!
//! [`pay`] is the pay page (and the dashboard's preview of it); [`problem`] says what can go
//! wrong for a buyer; the result and error pages are here.

mod pay;
mod problem;
#[cfg(test)]
mod tests;

pub use pay::{Rejected, Shop, Typed, pay, pay_again, preview};
pub use problem::Problem;

use crate::branding::Branding;
use crate::i18n::{self, Text};
use crate::state::LinkState;
use askama::Template;
use linkpay_shared::result::{Outcome, PaymentResult};
use linkpay_shared::token::Usage;
use linkpay_shared::{Locale, Money};

/// Most characters of a merchant's deactivation note that the page shows.
pub const MAX_NOTE_CHARS: usize = 500;

/// A rendered HTML page and the status it goes out with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub status: u16,
    pub html: String,
    /// What this page adds to the CSP (the logo's host, the preview's framer).
    pub csp: crate::headers::Extra,
}

/// What every page's layout needs.
struct Layout<'a> {
    lang: &'static str,
    nonce: &'a str,
    title: &'a str,
    brand: &'static str,
    /// The merchant's colours as CSS custom properties (checked `#rrggbb` values only).
    theme: String,
    /// `standard`, `compact` or `centered`: a class on `<body>`.
    layout: &'static str,
}

impl<'a> Layout<'a> {
    fn new(t: &'static Text, nonce: &'a str, title: &'a str) -> Layout<'a> {
        Layout {
            lang: t.lang,
            nonce,
            title,
            brand: t.brand_note,
            theme: String::new(),
            layout: "standard",
        }
    }

    fn branded(mut self, b: &Branding) -> Layout<'a> {
        self.theme = b.css();
        self.layout = b.layout.as_str();
        self
    }
}

#[derive(Template)]
#[template(path = "edge/result.html")]
struct ResultTemplate<'a> {
    layout: Layout<'a>,
    t: &'static Text,
    outcome: &'static str,
    heading: &'static str,
    reason: Option<&'static str>,
    body: &'static str,
    amount: String,
    merchant: &'a str,
    title: &'a str,
    card: Option<String>,
    charge_id: &'a str,
}

#[derive(Template)]
#[template(path = "edge/error.html")]
struct ErrorTemplate<'a> {
    layout: Layout<'a>,
    code: &'static str,
    tone: &'static str,
    heading: &'static str,
    message: String,
    note_label: &'static str,
    /// The merchant's own words (a deactivated link's note), escaped like every value.
    note: Option<String>,
}

/// The page for a link whose display state says it is finished: `410 Gone` whatever the state,
/// since the link will not take a payment again. `usage` tells a paid single-use link from a
/// multi-use one that took all its payments.
pub fn finished(state: &LinkState, usage: Usage, locale: Locale, nonce: &str) -> Page {
    let (problem, note) = match state {
        LinkState::Used if usage == Usage::SingleUse => (Problem::AlreadyPaid, None),
        LinkState::Used => (Problem::UsedUp, None),
        LinkState::Expired => (Problem::Expired, None),
        LinkState::Deactivated { message } => {
            (Problem::Deactivated, message.as_deref().map(shorten))
        }
    };
    let mut page = error_page(problem, locale, nonce, note);
    // (A page that failed to render keeps its 500.)
    if page.status == problem.status() {
        page.status = 410;
    }
    page
}

/// At most [`MAX_NOTE_CHARS`] characters, the last an ellipsis when something was cut.
fn shorten(note: &str) -> String {
    if note.chars().count() <= MAX_NOTE_CHARS {
        return note.to_owned();
    }
    let mut short: String = note.chars().take(MAX_NOTE_CHARS - 1).collect();
    short.push('…');
    short
}

/// The result page for an opened result token. A result whose amount is not valid money is
/// treated as not found: the origin never seals one.
pub fn result(r: &PaymentResult, locale: Locale, nonce: &str) -> Page {
    let Ok(money) = Money::new(r.amount, r.currency) else {
        return problem(Problem::ResultNotFound, locale, nonce);
    };
    let t = i18n::text(locale);
    let (outcome, heading, reason, body) = match r.outcome {
        Outcome::Paid => ("paid", t.paid_heading, None, t.paid_body),
        Outcome::Declined => (
            "declined",
            t.declined_heading,
            Some(t.decline_reason(r.failure_code.as_deref())),
            t.try_another_card,
        ),
        Outcome::Failed => ("failed", t.failed_heading, None, t.failed_body),
    };
    let template = ResultTemplate {
        layout: Layout::new(t, nonce, heading),
        t,
        outcome,
        heading,
        reason,
        body,
        amount: money.format(locale),
        merchant: &r.merchant_name,
        title: &r.title,
        card: Text::card(r.card_brand.as_deref(), r.card_last4.as_deref()),
        charge_id: &r.charge_id,
    };
    render(200, &template, locale)
}

pub fn problem(problem: Problem, locale: Locale, nonce: &str) -> Page {
    error_page(problem, locale, nonce, None)
}

fn error_page(problem: Problem, locale: Locale, nonce: &str, note: Option<String>) -> Page {
    let t = i18n::text(locale);
    let (heading, message) = problem.words(t);
    let template = ErrorTemplate {
        layout: Layout::new(t, nonce, heading),
        code: problem.code(),
        tone: problem.tone(),
        heading,
        message,
        note_label: t.merchant_message,
        note,
    };
    render(problem.status(), &template, locale)
}

fn render(status: u16, template: &impl Template, locale: Locale) -> Page {
    match template.render() {
        Ok(html) => Page {
            status,
            html,
            csp: Default::default(),
        },
        // Rendering only fails if a value's Display fails, which ours never do; still, never
        // answer with half a page.
        Err(_) => Page {
            csp: Default::default(),
            status: 500,
            html: format!(
                "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><title>Error</title>\
                 <main id=\"error\" data-error=\"internal\"><h1>Error</h1></main></html>",
                locale.tag()
            ),
        },
    }
}
