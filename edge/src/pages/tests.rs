use super::*;
use crate::amount::AmountProblem;
use crate::branding::Branding;
use crate::state::LinkState;
use linkpay_shared::Currency;
use linkpay_shared::token::{Amount, LinkClaims, Usage};

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
        livemode: false,
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
        .matches(
            "<input class=\"field field-email\" id=\"email-input\" name=\"email\" type=\"email\"",
        )
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
    assert!(html.contains("<button id=\"pay-button\" type=\"submit\">¥1,500 を支払う</button>"));
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
        again
            .html
            .contains("id=\"amount-error\" role=\"alert\">$1.00以上の金額を入力してください。<")
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
        form.contains("id=\"email-input\" name=\"email\" type=\"email\" autocomplete=\"email\"")
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
