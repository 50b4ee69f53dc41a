//! The pay page: a verified link's order with the merchant's payment methods and look, the
//! same page again when what the buyer typed cannot be paid, and the dashboard's preview.

use super::{Layout, Page, Problem, problem, render};
use crate::amount::AmountProblem;
use crate::branding::Branding;
use crate::i18n::{self, Text};
use crate::methods::Method;
use askama::Template;
use linkpay_shared::token::{Amount, LinkClaims, Usage};
use linkpay_shared::{Locale, Money};

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
    /// A test link says so; a live one takes real money and shows nothing extra.
    test_mode: Option<&'static str>,
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
        livemode: false,
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
        test_mode: (!claims.livemode && !preview).then_some(t.test_mode_banner),
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
