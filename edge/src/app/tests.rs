use super::*;
use crate::branding::Branding;
use linkpay_shared::channel;
use linkpay_shared::result::Outcome;
use linkpay_shared::token::{Amount, Keyring, LinkClaims, Usage};
use linkpay_shared::{Currency, Money, SecretKey};
use std::collections::HashMap;

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const OLD_KEY: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8";
const LIVE_KEY: &str = "bGl2ZS1saW5rLWtleS1mb3ItbGlua3BheS10ZXN0cyE";
const NOW: i64 = 1_800_000_000;

fn config() -> Result<Config, ConfigError> {
    Config::from_lookup(|name| match name {
        "ORIGIN_URL" => Some("http://127.0.0.1:8080".into()),
        "LINK_KEYS" => Some(format!("k1:{KEY},l1:{LIVE_KEY}:live")),
        "EDGE_SECRET" => Some(KEY.into()),
        _ => None,
    })
}

fn claims(expires_at: i64) -> LinkClaims {
    LinkClaims {
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
        free: [Some("free-one".into()), None, None],
        metadata: vec![("order".into(), "meta-value".into())],
        livemode: false,
    }
}

fn sign(claims: &LinkClaims) -> String {
    Keyring::parse(&format!("k1:{KEY}"))
        .expect("keys")
        .sign(claims)
        .expect("sign")
}

fn token(expires_at: i64) -> String {
    sign(&claims(expires_at))
}

/// A link whose buyer chooses between ¥500 and ¥50,000.
fn chosen_token() -> String {
    let mut c = claims(NOW + 60);
    c.link_id = "lnk_free".into();
    c.amount = Amount::BuyerChosen {
        currency: Currency::Jpy,
        min: 500,
        max: 50_000,
    };
    c.usage = Usage::MultiUse;
    sign(&c)
}

/// The worker with a KV namespace in a map: runs a request through every KV read until
/// the worker answers, asks the origin, or wants to write.
struct Edge {
    kv: HashMap<String, String>,
    kv_error: Option<KvError>,
    reads: Vec<String>,
    logs: Vec<String>,
}

impl Edge {
    fn new() -> Edge {
        Edge {
            kv: HashMap::new(),
            kv_error: None,
            reads: Vec::new(),
            logs: Vec::new(),
        }
    }

    fn with(pairs: &[(&str, &str)]) -> Edge {
        let mut edge = Edge::new();
        for (k, v) in pairs {
            edge.kv.insert((*k).to_owned(), (*v).to_owned());
        }
        edge
    }

    fn run(&mut self, req: Incoming<'_>) -> Step {
        let cfg = config();
        let mut step = handle(req, &cfg, NOW, "nonce");
        loop {
            step = match step {
                Step::ReadKv(lookup) => {
                    self.reads.push(lookup.key.clone());
                    let read = match self.kv_error {
                        Some(e) => Err(e),
                        None => Ok(self.kv.get(&lookup.key).cloned()),
                    };
                    after_read(lookup, read, &cfg, NOW, "nonce")
                }
                Step::Log(line, next) => {
                    self.logs.push(line);
                    *next
                }
                done => return done,
            }
        }
    }

    fn step(&mut self, method: &str, path: &str, lang: Option<&str>, body: &str) -> Step {
        self.run(Incoming {
            method,
            path,
            accept_language: lang,
            channel_timestamp: None,
            channel_signature: None,
            body: body.as_bytes(),
        })
    }

    fn reply(&mut self, method: &str, path: &str, lang: Option<&str>, body: &str) -> Reply {
        match self.step(method, path, lang, body) {
            Step::Done(r) => r,
            other => panic!("expected a reply to {method} {path}, got {other:?}"),
        }
    }

    fn get(&mut self, path: &str) -> Reply {
        self.reply("GET", path, Some("en"), "")
    }

    fn pay(&mut self, token: &str, body: &str) -> Step {
        self.step("POST", &format!("/l/{token}/pay"), Some("en"), body)
    }
}

#[test]
fn the_pay_page_wears_the_merchants_branding_and_nothing_it_could_inject() {
    let stored = r##"{"payment_methods":["card"],"branding":{
        "display_name":"Kissa <script>alert(1)</script>",
        "logo_url":"https://cdn.tanuki.example/logo.png",
        "primary_color":"#0f766e","text_color":"black;}body{display:none",
        "support_email":"help@tanuki.example","layout":"centered"}}"##;
    let mut edge = Edge::with(&[("m:mch_1", stored)]);
    let r = edge.get(&format!("/l/{}", token(NOW + 60)));
    assert_eq!(r.status, 200);
    assert_eq!(
        element(&r, "merchant"),
        "Kissa &#60;script&#62;alert(1)&#60;/script&#62;"
    );
    assert!(
        r.body
            .contains(r#"<img class="logo" id="logo" src="https://cdn.tanuki.example/logo.png""#)
    );
    assert!(
        r.body
            .contains(":root{--accent:#0f766e;--accent-hover:#0f766e;}")
    );
    assert!(
        !r.body.contains("black;}body{"),
        "the bad colour is dropped"
    );
    assert!(r.body.contains(r#"<body class="layout-centered">"#));
    assert!(r.body.contains(r#"href="mailto:help@tanuki.example""#));
    let csp = &r.security[0].1;
    assert!(
        csp.contains("img-src 'self' data: https://cdn.tanuki.example;"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    // Without branding the page is linkpay's own, with no extra image source.
    let plain = Edge::new().get(&format!("/l/{}", token(NOW + 60)));
    assert!(plain.body.contains(r#"<body class="layout-standard">"#));
    assert!(!plain.body.contains("id=\"logo\""));
    assert!(plain.security[0].1.contains("img-src 'self' data:;"));
}

#[test]
fn a_sealed_preview_renders_a_sample_that_only_the_dashboard_may_frame() {
    let secret = linkpay_shared::SecretKey::from_base64url(KEY).expect("key");
    let preview = linkpay_shared::preview::Preview {
        expires_at: NOW + 600,
        merchant_name: "Kissa".into(),
        locale: "ja".into(),
        branding: Branding {
            primary_color: Some("#be123c".into()),
            ..Branding::default()
        },
    };
    let token = linkpay_shared::preview::seal(&secret, &preview);
    let r = Edge::new().get(&format!("/preview/{token}"));
    assert_eq!(r.status, 200);
    assert!(r.body.contains("id=\"preview-banner\""));
    assert!(r.body.contains("--accent:#be123c"));
    assert!(r.body.contains("disabled>"), "the button cannot pay");
    assert!(r.body.contains("サンプルのご注文"));
    assert!(
        r.security[0]
            .1
            .contains("frame-ancestors http://127.0.0.1:8080"),
        "{}",
        r.security[0].1
    );
    let mut tampered = token.into_bytes();
    tampered[5] ^= 1;
    let r = Edge::new().get(&format!(
        "/preview/{}",
        String::from_utf8(tampered).expect("ascii")
    ));
    assert_eq!(r.status, 404);
    assert!(r.security[0].1.contains("frame-ancestors 'none'"));
    let expired = linkpay_shared::preview::seal(
        &secret,
        &linkpay_shared::preview::Preview {
            expires_at: NOW,
            ..preview
        },
    );
    assert_eq!(Edge::new().get(&format!("/preview/{expired}")).status, 404);
}

/// The call to the origin a step asks for; panics if it is not one.
fn asks_origin(step: Step) -> Checkout {
    match step {
        Step::AskOrigin(c) => c,
        _ => panic!("expected an origin call"),
    }
}

fn run(method: &str, path: &str, lang: Option<&str>) -> Step {
    Edge::new().step(method, path, lang, "")
}

fn reply(method: &str, path: &str, lang: Option<&str>) -> Reply {
    Edge::new().reply(method, path, lang, "")
}

fn data_error(r: &Reply) -> &str {
    between(&r.body, "data-error=\"", "\"")
}

/// The text of the first element with this id.
fn element<'a>(r: &'a Reply, id: &str) -> &'a str {
    let after_id = between(&r.body, &format!("id=\"{id}\""), "</");
    after_id.split_once('>').map_or("", |(_, text)| text)
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    s.split_once(start)
        .and_then(|(_, rest)| rest.split(end).next())
        .unwrap_or("")
}

fn state(status: &str, message: Option<&str>) -> String {
    serde_json::json!({ "status": status, "message": message }).to_string()
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
            .contains("form-action 'self' http://127.0.0.1:8080 https://checkout.stripe.com ")
    );
    let r = reply("GET", &format!("/l/{t}"), Some("en-US,en;q=0.9"));
    assert!(r.body.contains("<html lang=\"en\">"));
    assert!(r.body.contains(">Pay ¥1,500</button>"));
    // Free fields and metadata are the merchant's, never the buyer's to read.
    assert!(!r.body.contains("free-one") && !r.body.contains("meta-value"));
}

#[test]
fn a_test_link_says_it_is_test_mode_and_a_live_link_opens_only_under_a_live_key() {
    let r = reply("GET", &format!("/l/{}", token(NOW + 60)), Some("en"));
    assert!(
        element(&r, "test-mode").contains("no real money"),
        "{}",
        r.body
    );
    let mut live = claims(NOW + 60);
    live.livemode = true;
    let signed = |ring: &str| {
        Keyring::parse(ring)
            .expect("keys")
            .sign(&live)
            .expect("sign")
    };
    let r = reply(
        "GET",
        &format!("/l/{}", signed(&format!("l1:{LIVE_KEY}:live"))),
        None,
    );
    assert_eq!(r.status, 200);
    assert!(
        !r.body.contains("id=\"test-mode\""),
        "a live page has no test banner"
    );
    // The test key k1, passed off as a live key, cannot make a live link.
    let forged = signed(&format!("k1:{KEY}:live"));
    let r = reply("GET", &format!("/l/{forged}"), None);
    assert_eq!((r.status, data_error(&r)), (404, "not_found"));
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
fn the_pay_page_offers_the_merchants_methods_and_sends_the_choice() {
    let t = token(NOW + 60);
    let both = r#"{"payment_methods":["card","wallet"]}"#;
    let mut edge = Edge::with(&[("m:mch_1", both)]);
    let r = edge.get(&format!("/l/{t}"));
    assert_eq!(r.status, 200);
    assert!(
        r.body
            .contains("id=\"method-card\" value=\"card\" checked>")
    );
    assert!(r.body.contains("id=\"method-wallet\" value=\"wallet\">"));
    assert_eq!(edge.reads, ["s:lnk_1", "m:mch_1"]);

    let c = asks_origin(edge.pay(&t, "payment_method=wallet"));
    assert!(c.request.body.ends_with(r#","payment_method":"wallet"}"#));
    // The merchant switched the wallet off meanwhile: the page again, wallet still chosen.
    let gone = r#"{"error":{"type":"invalid_request_error","code":"payment_method_unavailable","message":"m","param":"payment_method"}}"#;
    let r = after_checkout(&c, Some((422, gone)), "n");
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("id=\"method-error\" role=\"alert\">This payment method is not available")
    );
    assert!(r.body.contains("value=\"wallet\" checked>"));
    // LINE Pay does not take the link's currency, or not this much: pay another way.
    let currency = r#"{"error":{"type":"invalid_request_error","code":"currency_unsupported","message":"m","param":"currency"}}"#;
    let r = after_checkout(&c, Some((422, currency)), "n");
    assert!(r.body.contains("id=\"method-error\""), "{}", r.body);
    let ceiling = r#"{"error":{"type":"invalid_request_error","code":"amount_invalid","message":"m","param":"amount"}}"#;
    let r = after_checkout(&c, Some((422, ceiling)), "n");
    assert!(r.body.contains("id=\"method-error\""), "{}", r.body);

    // One method: no choice shown, and a choice the page did not offer is refused here.
    let mut cards = Edge::new();
    let r = cards.get(&format!("/l/{t}"));
    assert!(!r.body.contains("payment-methods"));
    let r = match cards.pay(&t, "payment_method=wallet") {
        Step::Done(r) => r,
        other => panic!("expected the page again, got {other:?}"),
    };
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"method-error\""));
    // A broken value falls back to cards, and says so in the log.
    let mut broken = Edge::with(&[("m:mch_1", "nonsense")]);
    assert_eq!(broken.get(&format!("/l/{t}")).status, 200);
    assert!(broken.logs[0].contains("payment methods of merchant mch_1 ignored"));
    // Only a wallet: it is what the buyer pays with.
    let mut wallet = Edge::with(&[("m:mch_1", r#"{"payment_methods":["wallet"]}"#)]);
    let c = asks_origin(wallet.pay(&t, ""));
    assert!(c.request.body.ends_with(r#","payment_method":"wallet"}"#));
}

#[test]
fn pay_asks_the_origin_then_redirects_or_explains() {
    let t = token(NOW + 60);
    let c = asks_origin(run("POST", &format!("/l/{t}/pay"), Some("en")));
    assert_eq!(c.link_id(), "lnk_1");
    assert_eq!(
        c.request.body,
        format!(r#"{{"token":"{t}","locale":"en","payment_method":"card"}}"#)
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
    let used_up = r#"{"error":{"type":"conflict","code":"link_used_up","message":"m"}}"#;
    let r = after_checkout(&c, Some((409, used_up)), "n");
    assert_eq!((r.status, data_error(&r)), (409, "used_up"));
    assert!(r.body.contains("This link is no longer accepting payments"));
    // The edge never sends an amount for a fixed link, so the origin refusing one is a
    // fault, not something the buyer can fix.
    let refused =
        r#"{"error":{"type":"invalid_request","code":"amount_invalid","message":"Too low."}}"#;
    let r = after_checkout(&c, Some((422, refused)), "n");
    assert_eq!((r.status, data_error(&r)), (502, "unavailable"));
}

#[test]
fn the_buyers_email_is_checked_lightly_then_sent_to_the_origin() {
    let t = token(NOW + 60);
    let c = asks_origin(Edge::new().pay(&t, "email=+buyer%2Btea%40example.com+"));
    assert_eq!(
        c.request.body,
        format!(
            r#"{{"token":"{t}","locale":"en","email":"buyer+tea@example.com","payment_method":"card"}}"#
        )
    );
    // An empty field sends no email.
    let c = asks_origin(Edge::new().pay(&t, "email="));
    assert!(!c.request.body.contains("email"));
    // A slip is shown again at once, never sent.
    let Step::Done(r) = Edge::new().pay(&t, "email=buyer%40") else {
        panic!("a bad email never reaches the origin");
    };
    assert_eq!(r.status, 422);
    assert!(r.body.contains("value=\"buyer@\" aria-invalid=\"true\""));
    assert!(element(&r, "email-error").starts_with("Enter an email address"));
    // The origin's closer check comes back the same way.
    let c = asks_origin(Edge::new().pay(&t, "email=a%40localhost"));
    let refused = r#"{"error":{"type":"invalid_request_error","code":"email_invalid","message":"m","param":"email"}}"#;
    let r = after_checkout(&c, Some((422, refused)), "n");
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("value=\"a@localhost\" aria-invalid=\"true\"")
    );
    assert!(element(&r, "email-error").starts_with("Enter an email address"));
}

#[test]
fn fixed_links_ignore_a_posted_amount() {
    let t = token(NOW + 60);
    let c = asks_origin(Edge::new().pay(&t, "amount=1"));
    assert_eq!(
        c.request.body,
        format!(r#"{{"token":"{t}","locale":"en","payment_method":"card"}}"#)
    );
}

#[test]
fn buyer_chosen_links_show_a_field_and_check_it() {
    let t = chosen_token();
    let mut edge = Edge::new();
    let r = edge.get(&format!("/l/{t}"));
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains(
            "<input class=\"field\" id=\"amount-input\" name=\"amount\" type=\"text\" \
         inputmode=\"decimal\" autocomplete=\"off\" maxlength=\"32\" required value=\"\""
        ),
        "{}",
        r.body
    );
    assert_eq!(element(&r, "amount-range"), "Between ¥500 and ¥50,000");
    assert!(
        r.body
            .contains("<label class=\"label\" for=\"amount-input\">Amount (JPY)</label>")
    );
    assert!(r.body.contains(">Pay</button>"));
    assert!(!r.body.contains("id=\"amount-error\""));
    assert!(!r.body.contains("id=\"amount\""));
    let ja = edge.reply("GET", &format!("/l/{t}"), Some("ja"), "");
    assert_eq!(
        element(&ja, "amount-range"),
        "¥500〜¥50,000の範囲でご入力ください"
    );
    assert!(ja.body.contains(">支払う</button>"));

    for (body, error, kept) in [
        ("amount=100", "The minimum amount is ¥500.", "100"),
        (
            "amount=50%2C001",
            "The maximum amount is ¥50,000.",
            "50,001",
        ),
        ("amount=", "Enter the amount to pay.", ""),
        ("", "Enter the amount to pay.", ""),
        (
            "amount=%22%3E%3Cscript%3E",
            "Enter the amount in digits, for example 1500.",
            "&#34;&#62;&#60;script&#62;",
        ),
        (
            "amount=500.5",
            "JPY amounts have no decimal places.",
            "500.5",
        ),
    ] {
        let Step::Done(r) = edge.pay(&t, body) else {
            panic!("{body}: a bad amount never reaches the origin");
        };
        assert_eq!(r.status, 422, "{body}");
        assert_eq!(element(&r, "amount-error"), error, "{body}");
        assert!(
            r.body
                .contains(&format!("required value=\"{kept}\" aria-invalid=\"true\"")),
            "{body}: {}",
            r.body
        );
        assert!(r.body.contains(&format!("action=\"/l/{t}/pay\"")));
        assert!(r.security[0].1.contains("default-src 'none'"));
    }
    let Step::Done(r) = edge.step("POST", &format!("/l/{t}/pay"), Some("ja"), "amount=1") else {
        panic!("a bad amount never reaches the origin");
    };
    assert_eq!(
        element(&r, "amount-error"),
        "¥500以上の金額を入力してください。"
    );

    // Full-width digits from a Japanese keyboard, with a separator.
    let Step::AskOrigin(c) = edge.pay(&t, "amount=%EF%BC%91%2C%EF%BC%95%EF%BC%90%EF%BC%90") else {
        panic!("a good amount goes to the origin");
    };
    assert_eq!(
        c.request.body,
        format!(r#"{{"token":"{t}","locale":"en","amount":1500,"payment_method":"card"}}"#)
    );
    // Should the origin still refuse it, the buyer sees the field again with its reason.
    let refused = r#"{"error":{"type":"invalid_request","code":"amount_invalid","message":"Amounts <b>must</b> be round."}}"#;
    let r = after_checkout(&c, Some((422, refused)), "n");
    assert_eq!(r.status, 422);
    assert_eq!(
        element(&r, "amount-error"),
        "Amounts &#60;b&#62;must&#60;/b&#62; be round."
    );
    assert!(r.body.contains("value=\"１,５００\""), "{}", r.body);
}

#[test]
fn short_links_open_the_pay_page_of_their_token() {
    let t = token(NOW + 60);
    let mut edge = Edge::with(&[("p:Ab3", &t)]);
    let r = edge.get("/p/Ab3");
    assert_eq!(r.status, 200);
    assert_eq!(element(&r, "title"), "Tea");
    assert!(r.body.contains(&format!(
        "<form id=\"pay-form\" method=\"post\" action=\"/l/{t}/pay\">"
    )));
    assert_eq!(edge.reads, ["p:Ab3", "s:lnk_1", "m:mch_1"]);
    let r = edge.reply("HEAD", "/p/Ab3", Some("en"), "");
    assert_eq!(r.status, 200);

    let r = edge.reply("GET", "/p/nope", Some("en"), "");
    assert_eq!((r.status, data_error(&r)), (404, "not_found"));
    assert!(
        r.body
            .contains("There is no payment link at this short address")
    );
    // An invalid code is not looked up at all.
    edge.reads.clear();
    let r = edge.get("/p/a-b");
    assert_eq!((r.status, data_error(&r)), (404, "not_found"));
    assert!(edge.reads.is_empty());

    // What KV holds is verified like a token in a /l/ path.
    let retired = Keyring::parse(&format!("k0:{OLD_KEY}"))
        .expect("keys")
        .sign(&claims(NOW + 60))
        .expect("sign");
    let mut edge = Edge::with(&[
        ("p:retired", &retired),
        ("p:junk", "not a token"),
        ("p:spaced", &format!(" {t}")),
        ("p:old", &token(NOW)),
    ]);
    for code in ["retired", "junk", "spaced"] {
        let r = edge.get(&format!("/p/{code}"));
        assert_eq!((r.status, data_error(&r)), (404, "not_found"), "{code}");
    }
    let r = edge.get("/p/old");
    assert_eq!((r.status, data_error(&r)), (410, "expired"));

    let mut edge = Edge::with(&[("p:Ab3", &t)]);
    edge.kv_error = Some(KvError::Unbound);
    let r = edge.get("/p/Ab3");
    assert_eq!((r.status, data_error(&r)), (500, "misconfigured"));
    assert!(r.body.contains("LINKPAY_KV"));
    edge.kv_error = Some(KvError::Failed);
    let r = edge.get("/p/Ab3");
    assert_eq!((r.status, data_error(&r)), (502, "unavailable"));
}

#[test]
fn display_state_finishes_a_link_before_anything_else() {
    let t = token(NOW + 60);
    let deactivated = state("deactivated", Some("Sold out <b>x</b>"));
    let mut edge = Edge::with(&[("p:Ab3", &t), ("s:lnk_1", &deactivated)]);
    for path in [format!("/l/{t}"), "/p/Ab3".into()] {
        let r = edge.get(&path);
        assert_eq!((r.status, data_error(&r)), (410, "deactivated"), "{path}");
        assert_eq!(
            element(&r, "deactivation-message"),
            "Sold out &#60;b&#62;x&#60;/b&#62;"
        );
        assert!(r.body.contains("Message from the merchant"));
    }
    // Pressing Pay on a page opened before the link was turned off: no origin call.
    let Step::Done(r) = edge.pay(&t, "") else {
        panic!("a finished link never reaches the origin");
    };
    assert_eq!((r.status, data_error(&r)), (410, "deactivated"));

    let long = "x".repeat(600);
    let mut edge = Edge::with(&[("s:lnk_1", &state("deactivated", Some(&long)))]);
    let shown = element(&edge.get(&format!("/l/{t}")), "deactivation-message").to_owned();
    assert_eq!(shown.chars().count(), 500);
    assert!(shown.ends_with("x…"));
    let mut edge = Edge::with(&[("s:lnk_1", &state("deactivated", None))]);
    let r = edge.get(&format!("/l/{t}"));
    assert_eq!(data_error(&r), "deactivated");
    assert!(!r.body.contains("deactivation-message"));

    // "used" reads as paid for a single-use link, as used up for a multi-use one.
    let used = state("used", None);
    let mut edge = Edge::with(&[("s:lnk_1", &used), ("s:lnk_free", &used)]);
    let r = edge.get(&format!("/l/{t}"));
    assert_eq!((r.status, data_error(&r)), (410, "already_paid"));
    let r = edge.get(&format!("/l/{}", chosen_token()));
    assert_eq!((r.status, data_error(&r)), (410, "used_up"));
    let Step::Done(r) = edge.pay(&chosen_token(), "amount=1") else {
        panic!("a finished link never reaches the origin");
    };
    assert_eq!((r.status, data_error(&r)), (410, "used_up"));
    let mut limited = claims(NOW + 60);
    limited.usage = Usage::Limited(3);
    let r = edge.get(&format!("/l/{}", sign(&limited)));
    assert_eq!((r.status, data_error(&r)), (410, "used_up"));

    let mut edge = Edge::with(&[("s:lnk_1", &state("expired", None))]);
    let r = edge.get(&format!("/l/{t}"));
    assert_eq!((r.status, data_error(&r)), (410, "expired"));
}

#[test]
fn display_state_is_never_enforcement() {
    let t = token(NOW + 60);
    for stored in ["{not json", r#"{"status":"paused","message":null}"#] {
        let mut edge = Edge::with(&[("s:lnk_1", stored)]);
        let r = edge.get(&format!("/l/{t}"));
        assert_eq!(r.status, 200, "{stored}");
        assert_eq!(edge.logs.len(), 1);
        assert!(edge.logs[0].starts_with("display state of link lnk_1 ignored"));
        assert!(!edge.logs[0].contains("paused"), "the value is not logged");
        assert!(matches!(edge.pay(&t, ""), Step::AskOrigin(_)), "{stored}");
    }
    for error in [KvError::Unbound, KvError::Failed] {
        let mut edge = Edge::with(&[("s:lnk_1", &state("used", None))]);
        edge.kv_error = Some(error);
        assert_eq!(edge.get(&format!("/l/{t}")).status, 200);
        assert!(matches!(edge.pay(&t, ""), Step::AskOrigin(_)));
    }
}

fn kv_post<'a>(body: &'a str, ts: Option<&'a str>, sig: Option<&'a str>) -> Incoming<'a> {
    Incoming {
        method: "POST",
        path: "/internal/v1/kv",
        accept_language: None,
        channel_timestamp: ts,
        channel_signature: sig,
        body: body.as_bytes(),
    }
}

fn signed(ts: i64, path: &str, body: &str) -> String {
    let secret = SecretKey::from_base64url(KEY).expect("key");
    channel::sign(&secret, ts, "POST", path, body.as_bytes())
}

#[test]
fn the_origin_writes_kv_only_with_a_valid_signature() {
    let body = r#"{"put":[{"key":"p:Ab3","value":"t.k","expiration":1}],"delete":["s:lnk_1"]}"#;
    let now = NOW.to_string();
    let good = signed(NOW, "/internal/v1/kv", body);
    let mut edge = Edge::new();
    let Step::WriteKv(batch) = edge.run(kv_post(body, Some(&now), Some(&good))) else {
        panic!("a signed batch is written");
    };
    assert_eq!(batch.puts[0].key, "p:Ab3");
    assert_eq!(batch.puts[0].expiration, Some(NOW + 61));
    assert_eq!(batch.deletes, ["s:lnk_1"]);

    let stale = (NOW - 301).to_string();
    let stale_sig = signed(NOW - 301, "/internal/v1/kv", body);
    let other_path = signed(NOW, "/internal/v1/checkouts", body);
    let other_body = signed(NOW, "/internal/v1/kv", "{}");
    for (ts, sig) in [
        (None, None),
        (Some(now.as_str()), None),
        (None, Some(good.as_str())),
        (Some(now.as_str()), Some("v1=AAAA")),
        (Some(now.as_str()), Some(other_path.as_str())),
        (Some(now.as_str()), Some(other_body.as_str())),
        (Some(stale.as_str()), Some(stale_sig.as_str())),
    ] {
        let mut edge = Edge::new();
        let Step::Done(r) = edge.run(kv_post(body, ts, sig)) else {
            panic!("nothing is written without a valid signature ({ts:?}, {sig:?})");
        };
        assert_eq!((r.status, r.body.as_str()), (401, "Unauthorized"));
        assert_eq!(r.content_type, Some("text/plain; charset=utf-8"));
        assert_eq!(edge.logs.len(), 1);
        assert!(edge.logs[0].starts_with("refused a KV write: "));
        assert!(!edge.logs[0].contains(&good));
    }

    let bad = r#"{"put":[{"key":"config","value":"x"}]}"#;
    let sig = signed(NOW, "/internal/v1/kv", bad);
    let Step::Done(r) = Edge::new().run(kv_post(bad, Some(&now), Some(&sig))) else {
        panic!("a forbidden key is refused");
    };
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        "entry 0: keys must start with \"p:\", \"s:\" or \"m:\""
    );
}

#[test]
fn the_kv_endpoint_speaks_plain_http() {
    let r = reply("GET", "/internal/v1/kv", None);
    assert_eq!((r.status, r.allow), (405, Some("POST")));
    assert_eq!(r.security[0].0, "content-security-policy");

    assert_eq!(after_write(Ok(()), "n").status, 204);
    assert_eq!(after_write(Ok(()), "n").body, "");
    assert_eq!(after_write(Err(KvError::Failed), "n").status, 503);
    let r = after_write(Err(KvError::Unbound), "n");
    assert_eq!(r.status, 500);
    assert!(r.body.contains("LINKPAY_KV"));

    let broken = Config::from_lookup(|name| match name {
        "ORIGIN_URL" => Some("http://127.0.0.1:8080".into()),
        "LINK_KEYS" => Some(format!("k1:{KEY}")),
        _ => None,
    });
    let Step::Done(r) = handle(kv_post("{}", None, None), &broken, NOW, "n") else {
        panic!("no KV write when misconfigured");
    };
    assert_eq!(r.status, 500);
    assert_eq!(r.body, "misconfigured: EDGE_SECRET is not set");
    assert_eq!(Reply::too_large("n").status, 413);
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
        channel_timestamp: None,
        channel_signature: None,
        body: b"",
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
            channel_timestamp: None,
            channel_signature: None,
            body: b"",
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
