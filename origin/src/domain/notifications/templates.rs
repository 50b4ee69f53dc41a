//! Message templates: the built-in Japanese and English defaults, a merchant's own versions,
//! and rendering them in a sandbox. minijinja has no file or network access; on top of that
//! every render has a fuel budget (no runaway loops), undefined variables are errors, and only
//! the HTML part is auto-escaped (subject, text and SMS are plain text).

use super::{Channel, Kind};
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};
use std::collections::BTreeMap;

/// Instructions one render may run: generous for any message, fatal for a runaway loop.
const FUEL: u64 = 50_000;
pub const MAX_SUBJECT_CHARS: usize = 300;
pub const MAX_BODY_CHARS: usize = 20_000;
pub const MAX_SMS_CHARS: usize = 1_000;

/// The four templates a merchant can edit, each for one kind on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    EmailPaymentRequest,
    EmailReceipt,
    EmailMerchantNotice,
    SmsPaymentRequest,
}

impl Name {
    pub const ALL: [Name; 4] = [
        Name::EmailPaymentRequest,
        Name::EmailReceipt,
        Name::EmailMerchantNotice,
        Name::SmsPaymentRequest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Name::EmailPaymentRequest => "email_payment_request",
            Name::EmailReceipt => "email_receipt",
            Name::EmailMerchantNotice => "email_merchant_notice",
            Name::SmsPaymentRequest => "sms_payment_request",
        }
    }

    pub fn parse(s: &str) -> Option<Name> {
        Name::ALL.into_iter().find(|n| n.as_str() == s)
    }

    pub fn of(kind: Kind, channel: Channel) -> Option<Name> {
        match (kind, channel) {
            (Kind::PaymentRequest, Channel::Email) => Some(Name::EmailPaymentRequest),
            (Kind::Receipt, Channel::Email) => Some(Name::EmailReceipt),
            (Kind::MerchantNotice, Channel::Email) => Some(Name::EmailMerchantNotice),
            (Kind::PaymentRequest, Channel::Sms) => Some(Name::SmsPaymentRequest),
            _ => None,
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Name::EmailPaymentRequest | Name::SmsPaymentRequest => Kind::PaymentRequest,
            Name::EmailReceipt => Kind::Receipt,
            Name::EmailMerchantNotice => Kind::MerchantNotice,
        }
    }

    pub fn channel(self) -> Channel {
        match self {
            Name::SmsPaymentRequest => Channel::Sms,
            _ => Channel::Email,
        }
    }

    /// The variables a template of this name may use.
    pub fn variables(self) -> Vec<&'static str> {
        let mut v = vec![
            "merchant_name",
            "customer_name",
            "title",
            "description",
            "amount",
            "currency",
            "reference",
            "free1",
            "free2",
            "free3",
            "link_id",
        ];
        match self.kind() {
            Kind::PaymentRequest => v.extend(["url", "short_url", "expires_at"]),
            Kind::Receipt => v.extend(["charge_id", "paid_at", "card_brand", "card_last4"]),
            Kind::MerchantNotice => v.extend([
                "charge_id",
                "paid_at",
                "card_brand",
                "card_last4",
                "buyer_email",
            ]),
        }
        v
    }
}

/// One template's parts. SMS templates have only `text` (the message body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub subject: Option<String>,
    pub text: String,
    pub html: Option<String>,
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: Option<String>,
    pub text: String,
    pub html: Option<String>,
}

/// What is wrong with a template, for a 400 naming the part (`subject`, `text` or `html`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub part: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.part, self.message)
    }
}

/// The values a template sees, all strings (an absent optional value is ""), so that
/// `{% if reference %}` works and nothing ever prints as "none".
pub type Vars = BTreeMap<String, String>;

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_debug(true);
    env.set_recursion_limit(20);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env
}

fn parts(t: &Template) -> Vec<(&'static str, &str)> {
    let mut v = Vec::new();
    if let Some(s) = &t.subject {
        v.push(("subject", s.as_str()));
    }
    v.push(("text", t.text.as_str()));
    if let Some(h) = &t.html {
        v.push(("html", h.as_str()));
    }
    v
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn describe(part: &'static str, source: &str, e: &minijinja::Error) -> TemplateError {
    let detail = e.detail().unwrap_or("invalid template").to_owned();
    let at = match (e.range(), e.line()) {
        (Some(r), _) => {
            let (line, col) = line_col(source, r.start);
            format!("line {line}, column {col}")
        }
        (None, Some(line)) => format!("line {line}"),
        (None, None) => "an unknown position".to_owned(),
    };
    let (code, what) = match e.kind() {
        ErrorKind::SyntaxError => ("template_syntax_error", "syntax error"),
        ErrorKind::OutOfFuel => ("template_too_complex", "template runs too long"),
        _ => ("template_invalid", "error"),
    };
    TemplateError {
        part,
        code,
        message: format!("{part}: {what} at {at}: {detail}."),
    }
}

/// Checks a template before it is saved or previewed: lengths, syntax (with line and column),
/// only this kind's variables, and a trial render against sample data (unknown filters and
/// the like only show up then).
pub fn validate(name: Name, t: &Template) -> Result<(), TemplateError> {
    let sms = name.channel() == Channel::Sms;
    if sms && (t.subject.is_some() || t.html.is_some()) {
        let part = if t.subject.is_some() {
            "subject"
        } else {
            "html"
        };
        return Err(TemplateError {
            part,
            code: "parameter_invalid",
            message: format!("SMS templates have only text (the message body); remove {part}."),
        });
    }
    if !sms && (t.subject.is_none() || t.html.is_none()) {
        let part = if t.subject.is_none() {
            "subject"
        } else {
            "html"
        };
        return Err(TemplateError {
            part,
            code: "parameter_missing",
            message: format!("Email templates need subject, text and html; {part} is missing."),
        });
    }
    for (part, source) in parts(t) {
        let max = match part {
            "subject" => MAX_SUBJECT_CHARS,
            _ if sms => MAX_SMS_CHARS,
            _ => MAX_BODY_CHARS,
        };
        let n = source.chars().count();
        if n > max {
            return Err(TemplateError {
                part,
                code: "parameter_invalid",
                message: format!("{part} is {n} characters; the maximum is {max}."),
            });
        }
        if source.trim().is_empty() {
            return Err(TemplateError {
                part,
                code: "parameter_invalid",
                message: format!("{part} must not be blank."),
            });
        }
    }
    let env = environment();
    let allowed = name.variables();
    for (part, source) in parts(t) {
        let tmpl = env
            .template_from_named_str(file_name(part), source)
            .map_err(|e| describe(part, source, &e))?;
        let mut unknown: Vec<String> = tmpl
            .undeclared_variables(false)
            .into_iter()
            .filter(|v| !allowed.contains(&v.as_str()))
            // Built-in functions such as `range` are reported too; they are not variables.
            .filter(|v| !env.globals().any(|(g, _)| g == v))
            .collect();
        unknown.sort();
        if let Some(first) = unknown.first() {
            return Err(TemplateError {
                part,
                code: "template_unknown_variable",
                message: format!(
                    "{part}: unknown variable {first:?}. {} templates can use: {}.",
                    name.as_str(),
                    allowed.join(", ")
                ),
            });
        }
    }
    render(t, &sample(name, "Sample Shop", "en")).map(drop)
}

fn file_name(part: &str) -> &'static str {
    match part {
        "html" => "message.html",
        "subject" => "subject.txt",
        _ => "message.txt",
    }
}

/// Renders every part. A subject is one line: line breaks a template or a value put in it
/// become spaces (a header cannot hold them).
pub fn render(t: &Template, vars: &Vars) -> Result<Rendered, TemplateError> {
    let env = environment();
    let ctx = Value::from(vars.clone());
    let run = |part: &'static str, source: &str| -> Result<String, TemplateError> {
        env.template_from_named_str(file_name(part), source)
            .and_then(|tmpl| tmpl.render(ctx.clone()))
            .map_err(|e| describe(part, source, &e))
    };
    let subject = match &t.subject {
        Some(s) => Some(
            run("subject", s)?
                .split(['\r', '\n'])
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        None => None,
    };
    let text = run("text", &t.text)?;
    let html = match &t.html {
        Some(h) => Some(run("html", h)?),
        None => None,
    };
    Ok(Rendered {
        subject,
        text: text.trim().to_owned(),
        html,
    })
}

/// Sample values for previews and the trial render on save.
pub fn sample(name: Name, merchant_name: &str, locale: &str) -> Vars {
    let ja = locale == "ja";
    let mut v = Vars::new();
    let mut set = |k: &str, val: &str| {
        v.insert(k.to_owned(), val.to_owned());
    };
    set("merchant_name", merchant_name);
    set("customer_name", if ja { "山田 花子" } else { "Jane Smith" });
    set(
        "title",
        if ja {
            "春の新作ワンピース"
        } else {
            "Spring dress"
        },
    );
    set("description", "");
    set("amount", "¥12,800");
    set("currency", "JPY");
    set("reference", "INV-2026-0042");
    set("free1", "");
    set("free2", "");
    set("free3", "");
    set("link_id", "lnk_SAMPLE0000000000000");
    match name.kind() {
        Kind::PaymentRequest => {
            set("url", "https://pay.example.com/l/SAMPLE");
            set("short_url", "https://pay.example.com/p/Ab12Cd34");
            set("expires_at", &super::format_time(1_800_000_000, locale));
        }
        Kind::Receipt | Kind::MerchantNotice => {
            set("charge_id", "ch_SAMPLE00000000000000");
            set("paid_at", &super::format_time(1_790_000_000, locale));
            set("card_brand", "visa");
            set("card_last4", "4242");
            set("buyer_email", "buyer@example.com");
        }
    }
    if name.kind() == Kind::Receipt {
        v.remove("buyer_email");
    }
    v
}

/// The built-in template for a name and locale (`ja`, anything else is English).
pub fn default(name: Name, locale: &str) -> Template {
    let ja = locale == "ja";
    let (subject, text, html): (Option<&str>, &str, Option<&str>) = match (name, ja) {
        (Name::EmailPaymentRequest, true) => (
            Some("【{{ merchant_name }}】お支払いのお願い：{{ title }}"),
            include_str!("defaults/payment_request.ja.txt"),
            Some(include_str!("defaults/payment_request.ja.html")),
        ),
        (Name::EmailPaymentRequest, false) => (
            Some("Payment request from {{ merchant_name }}: {{ title }}"),
            include_str!("defaults/payment_request.en.txt"),
            Some(include_str!("defaults/payment_request.en.html")),
        ),
        (Name::EmailReceipt, true) => (
            Some("【{{ merchant_name }}】お支払いありがとうございました"),
            include_str!("defaults/receipt.ja.txt"),
            Some(include_str!("defaults/receipt.ja.html")),
        ),
        (Name::EmailReceipt, false) => (
            Some("Your receipt from {{ merchant_name }}"),
            include_str!("defaults/receipt.en.txt"),
            Some(include_str!("defaults/receipt.en.html")),
        ),
        (Name::EmailMerchantNotice, true) => (
            Some("入金のお知らせ：{{ title }}（{{ amount }}）"),
            include_str!("defaults/merchant_notice.ja.txt"),
            Some(include_str!("defaults/merchant_notice.ja.html")),
        ),
        (Name::EmailMerchantNotice, false) => (
            Some("Payment received: {{ title }} ({{ amount }})"),
            include_str!("defaults/merchant_notice.en.txt"),
            Some(include_str!("defaults/merchant_notice.en.html")),
        ),
        (Name::SmsPaymentRequest, true) => (
            None,
            "【{{ merchant_name }}】{{ amount }}のお支払いはこちらから：{{ short_url }}",
            None,
        ),
        (Name::SmsPaymentRequest, false) => (
            None,
            "{{ merchant_name }}: please pay {{ amount }} for {{ title }} here: {{ short_url }}",
            None,
        ),
    };
    Template {
        subject: subject.map(str::to_owned),
        text: text.to_owned(),
        html: html.map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_passes_its_own_validation() {
        for name in Name::ALL {
            for locale in ["ja", "en"] {
                let t = default(name, locale);
                assert_eq!(validate(name, &t), Ok(()), "{} {locale}", name.as_str());
                let r = render(&t, &sample(name, "Shop", locale)).expect("renders");
                assert!(!r.text.contains("{{"), "{}", r.text);
            }
        }
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let mut t = default(Name::EmailReceipt, "en");
        t.html = Some("<p>ok</p>\n<p>{{ amount </p>".into());
        let e = validate(Name::EmailReceipt, &t).expect_err("syntax error");
        assert_eq!(e.part, "html");
        assert_eq!(e.code, "template_syntax_error");
        assert!(e.message.contains("line 2, column"), "{}", e.message);
    }

    #[test]
    fn unknown_variables_are_named_with_the_allowed_ones() {
        let mut t = default(Name::EmailReceipt, "en");
        t.text = "Thanks {{ customer_name }}, see {{ short_url }}".into();
        let e = validate(Name::EmailReceipt, &t).expect_err("unknown");
        assert_eq!(e.part, "text");
        assert_eq!(e.code, "template_unknown_variable");
        assert!(e.message.contains("\"short_url\""), "{}", e.message);
        assert!(e.message.contains("card_last4"), "{}", e.message);
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let t = Template {
            subject: Some("{{ title }}\nline two".into()),
            text: "{{ title }}".into(),
            html: Some("<h1>{{ title }}</h1>".into()),
        };
        let mut vars = Vars::new();
        vars.insert("title".into(), "<script>x</script>".into());
        let r = render(&t, &vars).expect("renders");
        assert_eq!(r.text, "<script>x</script>");
        assert_eq!(
            r.html.as_deref(),
            Some("<h1>&lt;script&gt;x&lt;&#x2f;script&gt;</h1>")
        );
        assert_eq!(r.subject.as_deref(), Some("<script>x</script> line two"));
    }

    #[test]
    fn runaway_templates_run_out_of_fuel() {
        let t = Template {
            subject: None,
            text: "{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}{% endfor %}"
                .into(),
            html: None,
        };
        let e = render(&t, &Vars::new()).expect_err("out of fuel");
        assert_eq!(e.code, "template_too_complex");
    }
}
