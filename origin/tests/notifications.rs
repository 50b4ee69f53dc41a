//! Notifications end to end: links and payments queue messages in their own transaction, the
//! sender delivers them to a real SMTP server (maildev, started per test) and to a local fake
//! of Twilio, and the template and settings APIs refuse bad input whole.

use crate::common::{self, Origin};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use linkpay_e2e::fake_twilio::{Failure, FakeTwilio};
use linkpay_e2e::maildev::Maildev;
use linkpay_origin::services::notify::sender::send_due;
use serde_json::{Value, json};

const FROM: &str = "Demo Shop <shop@linkpay.test>";
const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "f00dfeedf00dfeedf00dfeedf00dfeed";

fn smtp_env(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("LINKPAY_SMTP_HOST", "127.0.0.1".into()),
        ("LINKPAY_SMTP_PORT", port.to_string()),
        ("LINKPAY_SMTP_TLS", "none".into()),
        ("LINKPAY_EMAIL_FROM", FROM.into()),
        // Retries come due at once, so a test can drive them without waiting.
        ("LINKPAY_NOTIFY_RETRY_SCHEDULE", "0s,0s".into()),
    ]
}

async fn origin(env: &[(&'static str, String)]) -> Origin {
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Origin::start_with(&pairs).await
}

/// Runs the sender until nothing is due.
async fn flush(o: &Origin) {
    let sender = o.state.sender();
    while send_due(&sender).await.expect("send") > 0 {}
}

async fn notifications(o: &Origin, query: &str) -> Vec<Value> {
    o.list_data(&format!("/v1/notifications?{query}")).await
}

#[tokio::test]
async fn a_payment_request_email_arrives_with_headers_both_parts_and_escaped_html() {
    let mail = Maildev::start(None, None).await;
    let o = origin(&smtp_env(mail.smtp_port)).await;
    let (link, _) = o
        .link(
            r#"{"amount":1500,"currency":"USD","title":"<script>alert(1)</script> Tea","locale":"en",
                "customer_email":"buyer@example.com","customer_name":"Ann","send":["email"]}"#,
        )
        .await;
    let queued = notifications(&o, &format!("link={link}")).await;
    assert_eq!(queued.len(), 1, "queued with the link");
    assert_eq!(queued[0]["status"], "pending");
    assert_eq!(queued[0]["kind"], "payment_request");
    assert!(
        mail.emails().await.is_empty(),
        "nothing sent before the worker runs"
    );

    flush(&o).await;
    let emails = mail.emails().await;
    assert_eq!(emails.len(), 1);
    let e = &emails[0];
    assert_eq!(
        e["subject"],
        "Payment request from Demo Shop: <script>alert(1)</script> Tea"
    );
    assert_eq!(e["from"][0]["address"], "shop@linkpay.test");
    assert_eq!(e["from"][0]["name"], "Demo Shop");
    assert_eq!(e["to"][0]["address"], "buyer@example.com");
    let link_json = o.get_json(&format!("/v1/links/{link}")).await;
    let short_url = link_json["short_url"].as_str().expect("short url");
    let text = e["text"].as_str().expect("text part");
    assert!(text.contains("Dear Ann,"), "{text}");
    assert!(text.contains("$15.00"), "{text}");
    assert!(text.contains(short_url), "{text}");
    let html = e["html"].as_str().expect("html part");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; Tea"),
        "{html}"
    );
    assert!(
        !html.contains("<script>"),
        "merchant data must arrive escaped"
    );
    // Auto-escaping also escapes `/`, which an attribute value decodes back.
    assert!(
        html.contains(&format!("href=\"{}\"", short_url.replace('/', "&#x2f;"))),
        "{html}"
    );

    let source = mail.source(e["id"].as_str().expect("id")).await;
    let headers = source
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        headers.contains("content-type: multipart/alternative"),
        "{source}"
    );
    assert!(headers.contains("\r\ndate: "), "{headers}");
    assert!(headers.contains("mime-version: 1.0"), "{headers}");
    let sent = &notifications(&o, &format!("link={link}")).await[0];
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["attempts"], 1);
    let message_id = sent["provider_message_id"].as_str().expect("message id");
    assert_eq!(e["headers"]["message-id"], message_id);
    assert!(message_id.ends_with("@linkpay.test>"), "{message_id}");
    mail.stop().await;
}

#[tokio::test]
async fn japanese_links_get_the_japanese_default_with_an_encoded_subject() {
    let mail = Maildev::start(None, None).await;
    let o = origin(&smtp_env(mail.smtp_port)).await;
    let (link, _) = o
        .link(r#"{"amount":12800,"currency":"JPY","title":"春のワンピース","locale":"ja","customer_email":"hanako@example.jp","customer_name":"山田 花子"}"#)
        .await;
    assert!(
        notifications(&o, "").await.is_empty(),
        "without send nothing is queued"
    );
    let r = o
        .post(&format!("/v1/links/{link}/send"), r#"{"channel":"email"}"#)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["to"], "hanako@example.jp");
    flush(&o).await;
    let emails = mail.emails().await;
    assert_eq!(emails.len(), 1);
    let e = &emails[0];
    let merchant: String = sqlx::query_as::<_, (String,)>("SELECT name FROM merchants")
        .fetch_one(o.state.db.reader())
        .await
        .expect("merchant")
        .0;
    assert_eq!(
        e["subject"],
        format!("【{merchant}】お支払いのお願い：春のワンピース")
    );
    let text = e["text"].as_str().expect("text");
    assert!(text.starts_with("山田 花子 様"), "{text}");
    assert!(text.contains("金額：¥12,800"), "{text}");
    assert!(text.contains("（日本時間）"), "{text}");
    let source = mail.source(e["id"].as_str().expect("id")).await;
    let subject_line = source
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("subject:"))
        .expect("subject header");
    assert!(
        subject_line.is_ascii(),
        "encoded per RFC 2047: {subject_line}"
    );
    assert!(subject_line.contains("=?utf-8?"), "{subject_line}");
    assert!(
        source.to_ascii_lowercase().contains("charset=utf-8"),
        "{source}"
    );
    mail.stop().await;
}

/// A checkout where the buyer typed an email on the pay page.
fn checkout_with_email(token: &str, email: &str) -> Request<Body> {
    let body = json!({"token": token, "locale": "en", "email": email});
    Origin::signed_checkout(&body, linkpay_origin::base::clock::system_now())
}

#[tokio::test]
async fn a_payment_sends_the_receipt_and_the_merchant_notice_and_switched_off_kinds_send_nothing() {
    let mail = Maildev::start(None, None).await;
    let o = origin(&smtp_env(mail.smtp_port)).await;
    let r = o
        .post(
            "/v1/notification_settings",
            r#"{"merchant_notice":{"email":"owner@shop.example"}}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["merchant_notice"]["email"], "owner@shop.example");
    assert_eq!(r.json()["receipt"]["enabled"], true);

    // The pay page's email wins over the link's customer email.
    let (link, token) = o
        .link(r#"{"amount":500,"currency":"USD","title":"Tip","locale":"en","reference":"INV-7","customer_email":"old@example.com"}"#)
        .await;
    let checkout = o
        .send(checkout_with_email(&token, "paid@example.com"))
        .await;
    assert_eq!(checkout.status, StatusCode::CREATED, "{}", checkout.text());
    o.complete(&checkout, "4242 4242 4242 4242").await;
    flush(&o).await;
    let mut emails = mail.emails().await;
    emails.sort_by_key(|e| {
        e["to"][0]["address"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    });
    assert_eq!(emails.len(), 2, "{emails:?}");
    let (notice, receipt) = (&emails[0], &emails[1]);
    assert_eq!(receipt["to"][0]["address"], "paid@example.com");
    assert!(common::text(&receipt["subject"]).starts_with("Your receipt from"));
    let text = receipt["text"].as_str().expect("text");
    assert!(text.contains("Amount paid: $5.00"), "{text}");
    assert!(text.contains("VISA ending in 4242"), "{text}");
    assert!(text.contains("Reference: INV-7"), "{text}");
    assert_eq!(notice["to"][0]["address"], "owner@shop.example");
    assert_eq!(notice["subject"], "Payment received: Tip ($5.00)");
    assert!(common::text(&notice["text"]).contains("paid@example.com"));
    let charge_notes = notifications(&o, &format!("link={link}&status=sent")).await;
    assert_eq!(charge_notes.len(), 2);
    assert!(
        charge_notes
            .iter()
            .all(|n| n["charge"].as_str().is_some_and(|c| c.starts_with("ch_")))
    );

    // Receipts off: the next payment sends only the notice.
    let r = o
        .post(
            "/v1/notification_settings",
            r#"{"receipt":{"enabled":false}}"#,
        )
        .await;
    assert_eq!(r.json()["receipt"]["enabled"], false);
    assert_eq!(
        r.json()["merchant_notice"]["email"],
        "owner@shop.example",
        "others kept"
    );
    let (link2, token2) = o
        .link(
            r#"{"amount":700,"currency":"USD","title":"Tea","customer_email":"buyer@example.com"}"#,
        )
        .await;
    o.pay(&token2, "4242 4242 4242 4242").await;
    flush(&o).await;
    assert_eq!(mail.emails().await.len(), 3);
    let kinds: Vec<Value> = notifications(&o, &format!("link={link2}"))
        .await
        .iter()
        .map(|n| n["kind"].clone())
        .collect();
    assert_eq!(kinds, vec![json!("merchant_notice")]);

    // Payment requests off: asking to send one is refused, and nothing is created.
    o.post(
        "/v1/notification_settings",
        r#"{"payment_request":{"enabled":false}}"#,
    )
    .await;
    let links_before = o.count("SELECT COUNT(*) FROM links").await;
    let r = o.post("/v1/links", r#"{"amount":700,"currency":"USD","title":"Tea","customer_email":"b@example.com","send":["email"]}"#)
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "switched off in the settings"
    );
    assert_eq!(r.error_code(), "notification_kind_disabled");
    assert_eq!(o.count("SELECT COUNT(*) FROM links").await, links_before);
    let r = o
        .post(&format!("/v1/links/{link2}/send"), r#"{"channel":"email"}"#)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    mail.stop().await;
}

#[tokio::test]
async fn an_email_is_retried_after_the_smtp_server_was_down() {
    let port = linkpay_e2e::free_port();
    let o = origin(&smtp_env(port)).await;
    let (link, _) = o
        .link(r#"{"amount":1500,"currency":"JPY","title":"Tea","customer_email":"buyer@example.com","send":["email"]}"#)
        .await;
    let sender = o.state.sender();
    assert_eq!(send_due(&sender).await.expect("send"), 1);
    let n = &notifications(&o, &format!("link={link}")).await[0];
    assert_eq!(n["status"], "pending", "{n}");
    assert_eq!(n["attempts"], 1);
    assert!(
        n["last_error"].as_str().expect("error").starts_with("SMTP"),
        "{n}"
    );

    let mail = Maildev::start(Some(port), None).await;
    flush(&o).await;
    let n = &notifications(&o, &format!("link={link}")).await[0];
    assert_eq!(n["status"], "sent", "{n}");
    assert_eq!(n["attempts"], 2);
    assert_eq!(n["last_error"], Value::Null);
    assert_eq!(mail.emails().await.len(), 1);
    mail.stop().await;
}

#[tokio::test]
async fn smtp_credentials_are_used_and_a_refusal_is_permanent() {
    let mail = Maildev::start(None, Some(("shop", "s3cret-pass"))).await;
    let mut env = smtp_env(mail.smtp_port);
    env.push(("LINKPAY_SMTP_USERNAME", "shop".into()));
    env.push(("LINKPAY_SMTP_PASSWORD", "s3cret-pass".into()));
    let good = origin(&env).await;
    good.link(r#"{"amount":1500,"currency":"JPY","title":"Tea","customer_email":"buyer@example.com","send":["email"]}"#)
        .await;
    flush(&good).await;
    assert_eq!(mail.emails().await.len(), 1);
    assert_eq!(notifications(&good, "status=sent").await.len(), 1);

    env.pop();
    env.push(("LINKPAY_SMTP_PASSWORD", "wrong-pass".into()));
    let bad = origin(&env).await;
    bad.link(r#"{"amount":1500,"currency":"JPY","title":"Tea","customer_email":"buyer@example.com","send":["email"]}"#)
        .await;
    flush(&bad).await;
    let n = &notifications(&bad, "").await[0];
    assert_eq!(n["status"], "failed", "a 535 is not retried: {n}");
    assert_eq!(n["attempts"], 1);
    assert!(
        !n.to_string().contains("wrong-pass"),
        "no password in errors"
    );
    assert_eq!(mail.emails().await.len(), 1);
    mail.stop().await;
}

#[tokio::test]
async fn without_smtp_emails_fail_with_what_to_set() {
    let (o, link, _) = Origin::with_link(r#"{"amount":1500,"currency":"JPY","title":"Tea","customer_email":"buyer@example.com","send":["email"]}"#).await;
    flush(&o).await;
    let n = &notifications(&o, &format!("link={link}")).await[0];
    assert_eq!(n["status"], "failed");
    assert!(
        common::text(&n["last_error"]).contains("LINKPAY_SMTP_HOST"),
        "{n}"
    );
}

#[tokio::test]
async fn sms_payment_requests_go_through_the_gateway_with_their_segments() {
    let twilio = FakeTwilio::start(SID, TOKEN).await;
    let o = origin(&[
        ("LINKPAY_SMS_PROVIDER", "twilio".into()),
        ("LINKPAY_TWILIO_ACCOUNT_SID", SID.into()),
        ("LINKPAY_TWILIO_AUTH_TOKEN", TOKEN.into()),
        ("LINKPAY_TWILIO_FROM", "+15005550006".into()),
        ("LINKPAY_TWILIO_BASE_URL", twilio.base_url.clone()),
        ("LINKPAY_NOTIFY_RETRY_SCHEDULE", "0s".into()),
    ])
    .await;
    let r = o.post("/v1/links", r#"{"amount":1500,"currency":"USD","title":"Tea","locale":"en","customer_phone":"+1 (415) 555-0100","send":["sms"]}"#)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let link = r.json();
    assert_eq!(link["customer_phone"], "+14155550100");
    let id = link["id"].as_str().expect("id");
    let queued = &notifications(&o, &format!("link={id}")).await[0];
    assert_eq!(queued["channel"], "sms");
    assert_eq!(queued["encoding"], "gsm7");
    assert_eq!(queued["segments"], 1);
    // The 429 is transient: the next round sends it.
    twilio.fail_next(1, Failure::RateLimited);
    flush(&o).await;
    let messages = twilio.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].to, "+14155550100");
    assert!(
        messages[0]
            .body
            .contains(link["short_url"].as_str().expect("short"))
    );
    let sent = &notifications(&o, &format!("link={id}")).await[0];
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["attempts"], 2);
    assert_eq!(sent["provider_message_id"], messages[0].sid.as_str());

    // A Japanese link's SMS is UCS-2, and the API says how many segments it takes.
    let (ja, _) = o
        .link(r#"{"amount":1500,"currency":"JPY","title":"お茶","locale":"ja"}"#)
        .await;
    let r = o
        .post(
            &format!("/v1/links/{ja}/send"),
            r#"{"channel":"sms","to":"+81 90-1234-5678"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let n = r.json();
    assert_eq!(n["to"], "+819012345678");
    assert_eq!(n["encoding"], "ucs2");
    let units = n["text"].as_str().expect("text").encode_utf16().count();
    let expected = if units <= 70 { 1 } else { units.div_ceil(67) };
    assert_eq!(n["segments"], expected as i64);
    twilio.fail_next(1, Failure::InvalidTo);
    flush(&o).await;
    let failed = &notifications(&o, &format!("link={ja}")).await[0];
    assert_eq!(
        failed["status"], "failed",
        "an invalid number is not retried"
    );
    assert!(common::text(&failed["last_error"]).contains("SMS gateway"));
}

#[tokio::test]
async fn bad_customer_fields_are_named_and_nothing_is_saved() {
    let o = Origin::start().await;
    let cases = [
        (
            r#""customer_phone":"090-1234-5678""#,
            "customer_phone",
            "phone_invalid",
        ),
        (
            r#""customer_email":"not-an-email""#,
            "customer_email",
            "email_invalid",
        ),
        (r#""send":["sms"]"#, "customer_phone", "parameter_missing"),
        (
            r#""customer_email":"a@b.example","send":["fax"]"#,
            "send",
            "parameter_invalid",
        ),
        (
            r#""customer_name":"x\ny""#,
            "customer_name",
            "parameter_invalid",
        ),
    ];
    for (extra, param, code) in cases {
        let body = format!(r#"{{"amount":100,"currency":"JPY","title":"T",{extra}}}"#);
        let r = o.post("/v1/links", &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.json()["error"]["param"], param, "{body}");
        assert_eq!(r.error_code(), code, "{body}");
    }
    assert_eq!(o.count("SELECT COUNT(*) FROM links").await, 0);
    assert_eq!(o.count("SELECT COUNT(*) FROM notifications").await, 0);
    let (link, _) = o
        .link(r#"{"amount":100,"currency":"JPY","title":"T"}"#)
        .await;
    for (body, param, status) in [
        // The link has no customer email to default to: a conflict with the link's state.
        (r#"{"channel":"email"}"#, "to", StatusCode::CONFLICT),
        (
            r#"{"channel":"pigeon"}"#,
            "channel",
            StatusCode::BAD_REQUEST,
        ),
        (
            r#"{"channel":"sms","to":"12345"}"#,
            "to",
            StatusCode::BAD_REQUEST,
        ),
        (
            r#"{"channel":"email","to":"a@@b"}"#,
            "to",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let r = o.post(&format!("/v1/links/{link}/send"), body).await;
        assert_eq!(r.status, status, "{body}");
        assert_eq!(r.json()["error"]["param"], param, "{body}");
    }
    let r = o
        .post(
            "/v1/notification_settings",
            r#"{"merchant_notice":{"email":"nope"}}"#,
        )
        .await;
    assert_eq!(r.json()["error"]["param"], "merchant_notice[email]");
    assert_eq!(o.count("SELECT COUNT(*) FROM notifications").await, 0);
    assert_eq!(
        o.count("SELECT COUNT(*) FROM notification_settings").await,
        0
    );
}

#[tokio::test]
async fn templates_are_validated_whole_saved_reset_and_previewed() {
    let mail = Maildev::start(None, None).await;
    let o = origin(&smtp_env(mail.smtp_port)).await;
    let path = "/v1/notification_templates/email_payment_request";

    let r = o.api("GET", "/v1/notification_templates", None).await;
    let all = r.json()["data"].as_array().expect("data").clone();
    assert_eq!(all.len(), 8, "4 names in 2 locales");
    assert!(all.iter().all(|t| t["customized"] == false));

    // A syntax error in the HTML, with a good subject: 400 naming html with line and column,
    // and the subject is not saved either.
    let r = o
        .post(
            path,
            r#"{"locale":"en","subject":"New {{ title }}","html":"<p>Hi</p>\n<p>{{ amount </p>"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let e = &r.json()["error"];
    assert_eq!(e["param"], "html");
    assert_eq!(e["code"], "template_syntax_error");
    assert!(
        common::text(&e["message"]).contains("line 2, column"),
        "{e}"
    );
    let r = o
        .post(path, r#"{"locale":"en","text":"Paid {{ card_last4 }}"}"#)
        .await;
    let e = &r.json()["error"];
    assert_eq!(e["param"], "text");
    assert_eq!(e["code"], "template_unknown_variable");
    let message = e["message"].as_str().expect("msg");
    assert!(
        message.contains("\"card_last4\"") && message.contains("short_url"),
        "{message}"
    );
    let r = o.api("GET", &format!("{path}?locale=en"), None).await;
    assert_eq!(r.json()["customized"], false, "nothing saved half");
    assert_eq!(
        o.count("SELECT COUNT(*) FROM notification_templates").await,
        0
    );

    // Preview an unsaved change against sample data, then against a link.
    let r = o
        .post(
            &format!("{path}/preview"),
            r#"{"locale":"en","subject":"Pay {{ amount }} for {{ title }}"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["subject"], "Pay ¥12,800 for Spring dress");
    let (link, _) = o
        .link(r#"{"amount":2500,"currency":"USD","title":"Mug","locale":"en","customer_email":"buyer@example.com"}"#)
        .await;
    let r = o
        .post(
            &format!("{path}/preview"),
            &format!(r#"{{"subject":"Pay {{{{ amount }}}} for {{{{ title }}}}","link":"{link}"}}"#),
        )
        .await;
    assert_eq!(r.json()["subject"], "Pay $25.00 for Mug", "{}", r.text());
    assert_eq!(
        o.count("SELECT COUNT(*) FROM notification_templates").await,
        0
    );
    let r = o
        .post(
            "/v1/notification_templates/sms_payment_request/preview",
            r#"{"locale":"ja"}"#,
        )
        .await;
    assert_eq!(r.json()["encoding"], "ucs2");
    assert!(r.json()["segments"].as_i64().expect("segments") >= 1);

    // Save only the subject: the other parts stay the default, and the next email uses it.
    let r = o
        .post(
            path,
            r#"{"locale":"en","subject":"{{ merchant_name }} asks {{ amount }}"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["customized"], true);
    o.post(&format!("/v1/links/{link}/send"), r#"{"channel":"email"}"#)
        .await;
    flush(&o).await;
    let emails = mail.emails().await;
    assert!(
        emails[0]["subject"]
            .as_str()
            .expect("subject")
            .ends_with(" asks $25.00")
    );
    assert!(common::text(&emails[0]["html"]).contains("Pay now"));

    let r = o.api("DELETE", &format!("{path}?locale=en"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["customized"], false);
    let r = o.api("GET", &format!("{path}?locale=en"), None).await;
    assert_eq!(
        r.json()["subject"],
        "Payment request from {{ merchant_name }}: {{ title }}"
    );

    let r = o
        .api("GET", "/v1/notification_templates/email_nothing", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    mail.stop().await;
}

#[tokio::test]
async fn notifications_are_listed_and_retrieved() {
    let (o, link, _) = Origin::with_link(r#"{"amount":100,"currency":"JPY","title":"T","customer_email":"a@b.example","send":["email"]}"#).await;
    o.post(
        &format!("/v1/links/{link}/send"),
        r#"{"channel":"email","to":"c@d.example"}"#,
    )
    .await;
    let first = notifications(&o, "limit=1").await;
    assert_eq!(first.len(), 1);
    let id = first[0]["id"].as_str().expect("id");
    let r = o.api("GET", &format!("/v1/notifications/{id}"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), first[0]);
    let next = notifications(&o, &format!("starting_after={id}")).await;
    assert_eq!(next.len(), 1);
    let mut to = vec![first[0]["to"].clone(), next[0]["to"].clone()];
    to.sort_by_key(|v| v.to_string());
    assert_eq!(to, vec![json!("a@b.example"), json!("c@d.example")]);
    assert!(notifications(&o, "status=sent").await.is_empty());
    let r = o.api("GET", "/v1/notifications?status=lost", None).await;
    assert_eq!(r.json()["error"]["param"], "status");
    let r = o.api("GET", "/v1/notifications/ntf_nope", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
