//! The HTML pages buyers see, rendered from the askama templates in `templates/edge/`.
//!
//! Pure functions from data to [`Page`]; the worker glue only adds headers and sends it.
//! Askama escapes every value, so titles and descriptions from link tokens are safe.

use crate::amount::AmountProblem;
use crate::branding::Branding;
use crate::i18n::{self, Text};
use crate::methods::Method;
use crate::state::LinkState;
use askama::Template;
use linkpay_shared::result::{Outcome, PaymentResult};
use linkpay_shared::token::{Amount, LinkClaims, Usage};
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

/// Everything that can go wrong for a buyer, each with its own page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    LinkNotFound,
    /// `/p/{code}` with no link stored under the code.
    ShortLinkNotFound,
    ResultNotFound,
    PageNotFound,
    Expired,
    AlreadyPaid,
    /// A multi-use link that has taken all the payments it allows.
    UsedUp,
    InProgress,
    Deactivated,
    Unavailable,
    /// The worker's environment is wrong; carries the variable's name (never its value).
    Misconfigured(&'static str),
}

impl Problem {
    pub fn status(self) -> u16 {
        match self {
            Problem::LinkNotFound
            | Problem::ShortLinkNotFound
            | Problem::ResultNotFound
            | Problem::PageNotFound => 404,
            Problem::AlreadyPaid | Problem::UsedUp | Problem::InProgress => 409,
            Problem::Expired | Problem::Deactivated => 410,
            Problem::Misconfigured(_) => 500,
            Problem::Unavailable => 502,
        }
    }

    /// The page's `data-error`, stable for tests and monitoring.
    pub fn code(self) -> &'static str {
        match self {
            Problem::LinkNotFound
            | Problem::ShortLinkNotFound
            | Problem::ResultNotFound
            | Problem::PageNotFound => "not_found",
            Problem::Expired => "expired",
            Problem::AlreadyPaid => "already_paid",
            Problem::UsedUp => "used_up",
            Problem::InProgress => "in_progress",
            Problem::Deactivated => "deactivated",
            Problem::Unavailable => "unavailable",
            Problem::Misconfigured(_) => "misconfigured",
        }
    }

    fn words(self, t: &Text) -> (&'static str, String) {
        let (heading, message) = match self {
            Problem::LinkNotFound => t.link_not_found,
            Problem::ShortLinkNotFound => t.short_link_not_found,
            Problem::ResultNotFound => t.result_not_found,
            Problem::PageNotFound => t.page_not_found,
            Problem::Expired => t.expired,
            Problem::AlreadyPaid => t.already_paid,
            Problem::UsedUp => t.used_up,
            Problem::InProgress => t.in_progress,
            Problem::Deactivated => t.deactivated,
            Problem::Unavailable => t.unavailable,
            Problem::Misconfigured(variable) => {
                let (heading, message) = t.misconfigured;
                return (heading, message.replace("{}", variable));
            }
        };
        (heading, message.to_owned())
    }

    /// Pending buyers can act on it (wait, retry), so it gets the amber tone rather than red.
    fn tone(self) -> &'static str {
        match self {
            Problem::InProgress | Problem::Unavailable => "warn",
            _ => "bad",
        }
    }
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

/// The merchant's support contact as a link: (href, text).
fn support_links(b: &Branding) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(e) = &b.support_email {
        out.push((format!("mailto:{e}"), e.clone()));
    }
    if let Some(p) = &b.support_phone {
        out.push((format!("tel:{p}"), p.clone()));
    }
    if let Some(u) = &b.support_url {
        let shown = u
            .trim_start_matches("https://")
            .trim_end_matches('/')
            .to_owned();
        out.push((u.clone(), shown));
    }
    out
}

#[derive(Template)]
#[template(path = "edge/pay.html")]
struct PayTemplate<'a> {
    layout: Layout<'a>,
    t: &'static Text,
    merchant: &'a str,
    title: &'a str,
    description: Option<&'a str>,
    reference: Option<&'a str>,
    /// The fixed amount, formatted; empty when the buyer chooses.
    amount: String,
    /// The amount field, when the buyer chooses.
    field: Option<AmountField<'a>>,
    /// What the buyer typed as their email, shown again with `email_error`.
    email_value: &'a str,
    email_error: Option<&'static str>,
    expires: String,
    expires_iso: String,
    action: String,
    button: String,
    /// The payment methods offered: radio buttons when there are several.
    methods: Vec<MethodChoice>,
    method_error: Option<&'static str>,
    /// The merchant's logo (an https URL the shared rules accepted).
    logo: Option<&'a str>,
    support: Vec<(String, String)>,
    /// The dashboard's preview: a banner, and a form that cannot be sent.
    preview: Option<&'static str>,
}

struct MethodChoice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

/// The amount input of a buyer-chosen link.
struct AmountField<'a> {
    label: String,
    range: String,
    /// What the buyer typed, shown again with `error` when it could not be paid.
    value: &'a str,
    error: Option<String>,
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

/// The pay page for a verified link. `token` is the verified token: it only ever holds
/// base64url characters and one dot, so it is safe in the form's action path.
pub fn pay(claims: &LinkClaims, token: &str, locale: Locale, nonce: &str, shop: Shop<'_>) -> Page {
    pay_page(claims, token, locale, nonce, None, shop, false)
}

/// What the merchant's settings add to a pay page: the payment methods offered and the look.
#[derive(Debug, Clone, Copy)]
pub struct Shop<'a> {
    pub methods: &'a [Method],
    pub branding: &'a Branding,
}

/// The dashboard's preview: the pay page of a sample order in `branding`, with a banner and
/// no way to pay.
pub fn preview(
    merchant_name: &str,
    locale: Locale,
    nonce: &str,
    branding: &Branding,
    now: i64,
) -> Page {
    let t = i18n::text(locale);
    let currency = if locale == Locale::Ja { "JPY" } else { "USD" };
    let amount =
        linkpay_shared::Currency::from_code(currency).and_then(|c| Money::new(4800, c).ok());
    let Some(amount) = amount else {
        return problem(Problem::PageNotFound, locale, nonce);
    };
    let claims = LinkClaims {
        link_id: "lnk_preview".into(),
        merchant_id: String::new(),
        merchant_name: merchant_name.to_owned(),
        amount: Amount::Fixed(amount),
        expires_at: now + 30 * 86_400,
        usage: Usage::SingleUse,
        title: t.preview_title.to_owned(),
        description: None,
        reference: Some("PREVIEW-1".into()),
        locale,
        free: Default::default(),
        metadata: Vec::new(),
    };
    let shop = Shop {
        methods: &[Method::Card],
        branding,
    };
    pay_page(&claims, "preview", locale, nonce, None, shop, true)
}

/// What the buyer typed into the pay form, to show again.
#[derive(Debug, Clone, Copy, Default)]
pub struct Typed<'a> {
    pub amount: &'a str,
    pub email: &'a str,
    /// The payment method to show selected.
    pub method: Option<Method>,
}

/// Which field could not be used.
#[derive(Debug, Clone, Copy)]
pub enum Rejected<'a> {
    Amount(&'a AmountProblem),
    Email,
    /// The chosen payment method is not offered (any more).
    Method,
}

/// The pay page again, `422`, with what the buyer typed and why it cannot be paid.
pub fn pay_again(
    claims: &LinkClaims,
    token: &str,
    locale: Locale,
    nonce: &str,
    typed: Typed<'_>,
    rejected: Rejected<'_>,
    shop: Shop<'_>,
) -> Page {
    pay_page(
        claims,
        token,
        locale,
        nonce,
        Some((typed, rejected)),
        shop,
        false,
    )
}

fn pay_page(
    claims: &LinkClaims,
    token: &str,
    locale: Locale,
    nonce: &str,
    again: Option<(Typed<'_>, Rejected<'_>)>,
    shop: Shop<'_>,
    preview: bool,
) -> Page {
    let (methods, branding) = (shop.methods, shop.branding);
    let typed = again.map(|(typed, _)| typed).unwrap_or_default();
    let rejected = again.map(|(_, rejected)| rejected);
    let t = i18n::text(locale);
    let (amount, field, button) = match claims.amount {
        Amount::Fixed(money) => {
            let amount = money.format(locale);
            let button = t.pay_button(&amount);
            (amount, None, button)
        }
        Amount::BuyerChosen { currency, min, max } => {
            let bound = |minor| {
                Money::new(minor, currency).map_or_else(|_| minor.to_string(), |m| m.format(locale))
            };
            let field = AmountField {
                label: t.amount_label(currency.code()),
                range: t.amount_range(&bound(min), &bound(max)),
                value: typed.amount,
                error: match rejected {
                    Some(Rejected::Amount(problem)) => Some(problem.message(t, locale)),
                    _ => None,
                },
            };
            (String::new(), Some(field), t.pay_button_plain.to_owned())
        }
    };
    let (expires, expires_iso) = i18n::expiry(locale, claims.expires_at);
    let page_title = format!("{} · {}", t.pay_page_title, claims.title);
    let template = PayTemplate {
        layout: Layout::new(t, nonce, &page_title).branded(branding),
        t,
        merchant: branding
            .display_name
            .as_deref()
            .unwrap_or(&claims.merchant_name),
        logo: branding.logo_url.as_deref(),
        support: support_links(branding),
        preview: preview.then_some(t.preview_banner),
        title: &claims.title,
        description: claims.description.as_deref(),
        reference: claims.reference.as_deref(),
        button,
        amount,
        field,
        email_value: typed.email,
        email_error: matches!(rejected, Some(Rejected::Email)).then_some(t.email_invalid),
        methods: methods
            .iter()
            .map(|m| MethodChoice {
                value: m.as_str(),
                label: match m {
                    Method::Card => t.method_card,
                    Method::Wallet => t.method_wallet,
                },
                checked: typed.method.or(methods.first().copied()) == Some(*m),
            })
            .collect(),
        method_error: matches!(rejected, Some(Rejected::Method)).then_some(t.method_unavailable),
        expires,
        expires_iso,
        action: format!("/l/{token}/pay"),
    };
    let status = if again.is_some() { 422 } else { 200 };
    let mut page = render(status, &template, locale);
    page.csp.img_src = branding
        .logo_url
        .as_deref()
        .and_then(linkpay_shared::branding::url_origin)
        .map(str::to_owned);
    page
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

#[cfg(test)]
mod tests {
    use super::*;
    use linkpay_shared::Currency;
    use linkpay_shared::token::{Amount, Usage};

    const DEFAULT_SHOP: Shop<'static> = Shop {
        methods: crate::methods::DEFAULT,
        branding: &NO_BRANDING,
    };
    static NO_BRANDING: Branding = Branding {
        display_name: None,
        logo_url: None,
        primary_color: None,
        background_color: None,
        text_color: None,
        support_email: None,
        support_phone: None,
        support_url: None,
        layout: linkpay_shared::branding::Layout::Standard,
    };

    fn claims() -> LinkClaims {
        LinkClaims {
            link_id: "lnk_1".into(),
            merchant_id: "mch_1".into(),
            merchant_name: "Kissa <Tanuki> & Co".into(),
            amount: Amount::Fixed(Money::new(1500, Currency::Jpy).expect("money")),
            expires_at: 1_798_731_000,
            usage: Usage::SingleUse,
            title: "Coffee beans \"Blend\" <script>alert(1)</script>".into(),
            description: Some("250 g, whole beans".into()),
            reference: None,
            locale: Locale::Ja,
            free: Default::default(),
            metadata: Vec::new(),
        }
    }

    fn result_of(outcome: Outcome, failure: Option<&str>) -> PaymentResult {
        PaymentResult {
            charge_id: "ch_42".into(),
            link_id: "lnk_1".into(),
            outcome,
            amount: 1500,
            currency: Currency::Usd,
            title: "Lesson <b>".into(),
            merchant_name: "Studio".into(),
            failure_code: failure.map(str::to_owned),
            card_brand: Some("visa".into()),
            card_last4: Some("4242".into()),
            locale: Locale::En,
            issued_at: 0,
        }
    }

    fn assert_safe(html: &str, nonce: &str) {
        assert!(html.starts_with("<!doctype html>"), "{html}");
        assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
        assert!(html.contains(&format!("<style nonce=\"{nonce}\">")));
        assert!(
            !html.contains(" style="),
            "inline style attributes break the CSP"
        );
        // No form fields but a buyer-chosen amount, the buyer's email and the choice of
        // payment method, least of all card fields.
        let inputs = html.matches("<input").count()
            - html
                .matches("<input type=\"radio\" name=\"payment_method\"")
                .count();
        let amount_inputs = html
            .matches("<input class=\"field\" id=\"amount-input\"")
            .count();
        let email_inputs = html
            .matches("<input class=\"field field-email\" id=\"email-input\" name=\"email\" type=\"email\"")
            .count();
        assert_eq!(inputs, amount_inputs + email_inputs, "{html}");
        assert!(amount_inputs <= 1 && email_inputs <= 1);
    }

    #[test]
    fn pay_page_shows_the_link_escaped() {
        let page = pay(&claims(), "tok.en", Locale::Ja, "n0nce", DEFAULT_SHOP);
        assert_eq!(page.status, 200);
        let html = &page.html;
        assert_safe(html, "n0nce");
        assert!(html.contains("<html lang=\"ja\">"));
        assert!(html.contains(
            "<h1 id=\"title\">Coffee beans &#34;Blend&#34; &#60;script&#62;alert(1)&#60;/script&#62;</h1>"
        ), "{html}");
        assert!(
            html.contains("id=\"merchant\">Kissa &#60;Tanuki&#62; &#38; Co<"),
            "{html}"
        );
        assert!(html.contains("id=\"amount\">¥1,500<"));
        assert!(html.contains("id=\"description\">250 g, whole beans<"));
        assert!(!html.contains("id=\"reference\""));
        assert!(html.contains("<form id=\"pay-form\" method=\"post\" action=\"/l/tok.en/pay\">"));
        assert!(
            html.contains("<button id=\"pay-button\" type=\"submit\">¥1,500 を支払う</button>")
        );
        assert!(html.contains("2027年1月1日 00:30（日本時間）"));
    }

    #[test]
    fn pay_page_in_english_with_a_reference() {
        let mut c = claims();
        c.amount = Amount::Fixed(Money::new(1500, Currency::Usd).expect("money"));
        c.reference = Some("INV-7".into());
        c.description = None;
        let html = pay(&c, "t.k", Locale::En, "n", DEFAULT_SHOP).html;
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("id=\"amount\">$15.00<"));
        assert!(html.contains(">Pay $15.00</button>"));
        assert!(html.contains("id=\"reference\">INV-7<"));
        assert!(!html.contains("id=\"description\""));
    }

    #[test]
    fn buyer_chosen_amounts_get_a_field() {
        let mut c = claims();
        c.amount = Amount::BuyerChosen {
            currency: Currency::Usd,
            min: 100,
            max: 1_000_000,
        };
        let page = pay(&c, "t.k", Locale::En, "n", DEFAULT_SHOP);
        assert_eq!(page.status, 200);
        assert_safe(&page.html, "n");
        let html = &page.html;
        assert!(
            html.contains("for=\"amount-input\">Amount (USD)</label>"),
            "{html}"
        );
        assert!(html.contains("id=\"amount-range\">Between $1.00 and $10,000.00<"));
        assert!(html.contains(">Pay</button>"));
        assert!(!html.contains("id=\"amount\""));
        // The field is inside the form, so it is posted with it.
        let form = html
            .split("<form")
            .nth(1)
            .and_then(|f| f.split("</form>").next());
        assert!(form.is_some_and(|f| f.contains("name=\"amount\"")));

        let again = pay_again(
            &c,
            "t.k",
            Locale::Ja,
            "n",
            Typed {
                amount: "0.5\"<x>",
                email: "b@example.com",
                method: None,
            },
            Rejected::Amount(&AmountProblem::BelowMinimum(
                Money::new(100, Currency::Usd).expect("money"),
            )),
            DEFAULT_SHOP,
        );
        assert_eq!(again.status, 422);
        // The email typed with it is kept, and is not the field at fault.
        assert!(again.html.contains("value=\"b@example.com\">"));
        assert!(!again.html.contains("id=\"email-error\""));
        assert_safe(&again.html, "n");
        assert!(
            again
                .html
                .contains("value=\"0.5&#34;&#60;x&#62;\" aria-invalid=\"true\"")
        );
        assert!(
            again.html.contains(
                "id=\"amount-error\" role=\"alert\">$1.00以上の金額を入力してください。<"
            )
        );
        assert!(
            again
                .html
                .contains("id=\"amount-range\">$1.00〜$10,000.00の範囲でご入力ください<")
        );
    }

    #[test]
    fn the_optional_email_field_is_posted_and_shown_again_when_refused() {
        let c = claims();
        let page = pay(&c, "t.k", Locale::En, "n", DEFAULT_SHOP);
        let form = page
            .html
            .split("<form")
            .nth(1)
            .and_then(|f| f.split("</form>").next())
            .unwrap_or_default()
            .to_owned();
        assert!(form.contains(
            "<label class=\"label\" for=\"email-input\">Email for your receipt (optional)</label>"
        ));
        assert!(
            form.contains(
                "id=\"email-input\" name=\"email\" type=\"email\" autocomplete=\"email\""
            )
        );
        let input = form
            .split("id=\"email-input\"")
            .nth(1)
            .and_then(|i| i.split('>').next())
            .unwrap_or_default();
        assert!(
            !input.contains("required"),
            "the email is optional: {input}"
        );
        assert!(!page.html.contains("id=\"email-error\""));
        let typed = Typed {
            amount: "",
            email: "a@b\"<i>",
            method: None,
        };
        let again = pay_again(
            &c,
            "t.k",
            Locale::Ja,
            "n",
            typed,
            Rejected::Email,
            DEFAULT_SHOP,
        );
        assert_eq!(again.status, 422);
        assert_safe(&again.html, "n");
        assert!(again.html.contains(
            "value=\"a@b&#34;&#60;i&#62;\" aria-invalid=\"true\" aria-describedby=\"email-error\">"
        ));
        assert!(
            again
                .html
                .contains("id=\"email-error\" role=\"alert\">name@example.com の形で")
        );
        assert!(
            again
                .html
                .contains("領収書を受け取るメールアドレス（任意）")
        );
    }

    #[test]
    fn finished_links_are_gone() {
        let p = |state: LinkState, usage| finished(&state, usage, Locale::En, "n");
        for (page, code) in [
            (p(LinkState::Used, Usage::SingleUse), "already_paid"),
            (p(LinkState::Used, Usage::MultiUse), "used_up"),
            (p(LinkState::Used, Usage::Limited(5)), "used_up"),
            (p(LinkState::Expired, Usage::MultiUse), "expired"),
            (
                p(LinkState::Deactivated { message: None }, Usage::SingleUse),
                "deactivated",
            ),
        ] {
            assert_eq!(page.status, 410);
            assert_safe(&page.html, "n");
            assert!(
                page.html.contains(&format!("data-error=\"{code}\"")),
                "{code}"
            );
            assert!(!page.html.contains("deactivation-message"));
        }
        let page = p(
            LinkState::Deactivated {
                message: Some("Back in <i>May</i>\nThanks".into()),
            },
            Usage::SingleUse,
        );
        assert!(
            page.html.contains(
                "<p id=\"deactivation-message\">Back in &#60;i&#62;May&#60;/i&#62;\nThanks</p>"
            ),
            "{}",
            page.html
        );
        let ja = finished(&LinkState::Used, Usage::MultiUse, Locale::Ja, "n");
        assert!(ja.html.contains("お支払いの受付は終了しました"));
        assert_eq!(shorten("é".repeat(500).as_str()), "é".repeat(500));
        assert_eq!(shorten(&"é".repeat(501)).chars().count(), 500);
    }

    #[test]
    fn result_pages_per_outcome() {
        let paid = result(&result_of(Outcome::Paid, None), Locale::En, "n");
        assert_eq!(paid.status, 200);
        assert_safe(&paid.html, "n");
        assert!(paid.html.contains("id=\"result\" data-outcome=\"paid\""));
        assert!(paid.html.contains("id=\"charge-id\">ch_42<"));
        assert!(paid.html.contains("Visa •••• 4242"));
        assert!(paid.html.contains("$15.00"));
        assert!(paid.html.contains("Lesson &#60;b&#62;"));
        assert!(!paid.html.contains("id=\"reason\""));

        let declined = result(
            &result_of(Outcome::Declined, Some("insufficient_funds")),
            Locale::En,
            "n",
        );
        assert!(declined.html.contains("data-outcome=\"declined\""));
        assert!(declined.html.contains("id=\"reason\">Insufficient funds.<"));
        assert!(declined.html.contains("try another card"));

        let failed = result(&result_of(Outcome::Failed, None), Locale::Ja, "n");
        assert!(failed.html.contains("data-outcome=\"failed\""));
        assert!(failed.html.contains("<html lang=\"ja\">"));

        let mut bogus = result_of(Outcome::Paid, None);
        bogus.amount = -1;
        assert_eq!(result(&bogus, Locale::En, "n").status, 404);
    }

    #[test]
    fn problem_pages_carry_status_and_code() {
        for (p, status, code) in [
            (Problem::LinkNotFound, 404, "not_found"),
            (Problem::ResultNotFound, 404, "not_found"),
            (Problem::PageNotFound, 404, "not_found"),
            (Problem::Expired, 410, "expired"),
            (Problem::AlreadyPaid, 409, "already_paid"),
            (Problem::UsedUp, 409, "used_up"),
            (Problem::ShortLinkNotFound, 404, "not_found"),
            (Problem::InProgress, 409, "in_progress"),
            (Problem::Deactivated, 410, "deactivated"),
            (Problem::Unavailable, 502, "unavailable"),
            (Problem::Misconfigured("EDGE_SECRET"), 500, "misconfigured"),
        ] {
            for locale in [Locale::En, Locale::Ja] {
                let page = problem(p, locale, "n");
                assert_eq!(page.status, status);
                assert_safe(&page.html, "n");
                assert!(
                    page.html.contains(&format!(
                        "<main class=\"card\" id=\"error\" data-error=\"{code}\">"
                    )),
                    "{}",
                    page.html
                );
            }
        }
        let html = problem(Problem::Unavailable, Locale::En, "n").html;
        assert!(html.contains("We could not reach the payment service. Nothing was charged."));
        let html = problem(Problem::Misconfigured("LINK_KEYS"), Locale::En, "n").html;
        assert!(html.contains("(setting LINK_KEYS)"));
        let html = problem(Problem::AlreadyPaid, Locale::En, "n").html;
        assert!(html.contains("This link has already been paid"));
    }
}
