//! The Twilio connector against a local fake that speaks Twilio's wire format
//! (`linkpay_e2e::fake_twilio`): what goes over the wire, what comes back, and which failures
//! are worth retrying.

use linkpay_e2e::fake_twilio::{Failure, FakeTwilio};
use linkpay_origin::config::Config;
use linkpay_origin::domain::notifications::segments;
use linkpay_origin::services::notify::sms::{self, SmsGateway};

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "f00dfeedf00dfeedf00dfeedf00dfeed";
const FROM: &str = "+15005550006";
const TO: &str = "+819012345678";
const LINK_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

fn config(sms_env: &[(&str, &str)]) -> Result<Config, linkpay_origin::base::env::ConfigError> {
    let mut env: Vec<(String, String)> = vec![
        ("LINKPAY_LINK_KEYS".into(), format!("k1:{LINK_KEY}")),
        ("LINKPAY_EDGE_SECRET".into(), LINK_KEY.into()),
        ("LINKPAY_MASTER_KEYS".into(), format!("m1:{LINK_KEY}")),
    ];
    env.extend(sms_env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::from_lookup(|k| env.iter().find(|(ek, _)| ek == k).map(|(_, v)| v.clone()))
}

/// The gateway as the server builds it: from the environment, through `from_config`.
fn gateway(fake: &FakeTwilio, token: &str, sender: (&str, &str)) -> Box<dyn SmsGateway> {
    let c = config(&[
        ("LINKPAY_SMS_PROVIDER", "twilio"),
        ("LINKPAY_TWILIO_ACCOUNT_SID", SID),
        ("LINKPAY_TWILIO_AUTH_TOKEN", token),
        sender,
        ("LINKPAY_TWILIO_BASE_URL", &fake.base_url),
    ])
    .expect("config");
    assert!(
        !format!("{c:?}").contains(token),
        "the auth token must not be printable"
    );
    sms::gateway(c.sms.as_ref().expect("a gateway"))
}

async fn twilio() -> (FakeTwilio, Box<dyn SmsGateway>) {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    let gw = gateway(&fake, TOKEN, ("LINKPAY_TWILIO_FROM", FROM));
    (fake, gw)
}

#[tokio::test]
async fn no_sms_settings_means_no_gateway() {
    let c = config(&[]).expect("config");
    assert!(c.sms.is_none());
}

#[tokio::test]
async fn half_configured_twilio_stops_start_up_naming_the_variable() {
    let e = config(&[
        ("LINKPAY_SMS_PROVIDER", "twilio"),
        ("LINKPAY_TWILIO_ACCOUNT_SID", SID),
    ])
    .expect_err("config error");
    assert_eq!(e.var, "LINKPAY_TWILIO_AUTH_TOKEN");
    let e = config(&[("LINKPAY_TWILIO_AUTH_TOKEN", TOKEN)]).expect_err("config error");
    assert_eq!(e.var, "LINKPAY_SMS_PROVIDER");
    assert!(!e.to_string().contains(TOKEN));
}

#[tokio::test]
async fn sends_to_from_and_body_and_reads_back_sid_and_segments() {
    let (fake, gw) = twilio().await;
    let body = "Pay 1,500 JPY to Tea House: https://pay.example/s/Ab3dE";
    let sent = gw.send(TO, body).await.expect("sent");
    let got = fake.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, TO);
    assert_eq!(got[0].from.as_deref(), Some(FROM));
    assert_eq!(got[0].messaging_service_sid, None);
    assert_eq!(got[0].body, body);
    assert_eq!(sent.message_id, got[0].sid);
    assert!(sent.message_id.starts_with("SM"), "{}", sent.message_id);
    assert_eq!(sent.segments, Some(1));
}

#[tokio::test]
async fn a_long_japanese_body_arrives_whole_and_both_counts_agree() {
    let (fake, gw) = twilio().await;
    // 105 UTF-16 units, mostly Japanese: UCS-2, over 70, so two parts of at most 67.
    let body = format!(
        "{}https://pay.example/s/Ab3dE",
        "お支払いのお願いです。".repeat(7)
    );
    let ours = segments::count(&body);
    assert_eq!(ours.encoding, segments::Encoding::Ucs2);
    assert_eq!(ours.segments, 2, "{ours:?}");
    let sent = gw.send(TO, &body).await.expect("sent");
    assert_eq!(
        sent.segments,
        Some(ours.segments),
        "Twilio's count and ours"
    );
    assert_eq!(
        fake.messages()[0].body,
        body,
        "form encoding keeps UTF-8 intact"
    );
    let ascii = format!("{}{{x}}", "a".repeat(300));
    let sent = gw.send(TO, &ascii).await.expect("sent");
    assert_eq!(sent.segments, Some(segments::count(&ascii).segments));
    assert_eq!(sent.segments, Some(2));
}

#[tokio::test]
async fn a_messaging_service_replaces_from_and_segments_are_not_known_yet() {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    let service = "MG0123456789abcdef0123456789abcdef";
    let gw = gateway(
        &fake,
        TOKEN,
        ("LINKPAY_TWILIO_MESSAGING_SERVICE_SID", service),
    );
    let sent = gw.send(TO, "hello").await.expect("sent");
    let got = fake.messages();
    assert_eq!(got[0].from, None);
    assert_eq!(got[0].messaging_service_sid.as_deref(), Some(service));
    assert_eq!(
        sent.segments, None,
        "Twilio answers num_segments \"0\" before picking a sender"
    );
}

#[tokio::test]
async fn wrong_credentials_are_permanent_and_say_what_to_check() {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    let wrong = "0badc0de0badc0de0badc0de0badc0de";
    let gw = gateway(&fake, wrong, ("LINKPAY_TWILIO_FROM", FROM));
    let e = gw.send(TO, "hello").await.expect_err("refused");
    assert!(e.permanent);
    assert!(e.message.contains("20003"), "{e}");
    assert!(e.message.contains("LINKPAY_TWILIO_AUTH_TOKEN"), "{e}");
    assert!(!e.message.contains(wrong), "no credentials in errors: {e}");
    assert!(fake.messages().is_empty());
}

#[tokio::test]
async fn invalid_and_unsubscribed_numbers_are_permanent() {
    let (fake, gw) = twilio().await;
    // Twilio's own validation, reached with a number linkpay would have refused earlier.
    let e = gw.send("+0123", "hello").await.expect_err("refused");
    assert!(e.permanent && e.message.contains("21211"), "{e}");
    fake.fail_next(1, Failure::Unsubscribed);
    let e = gw.send(TO, "hello").await.expect_err("refused");
    assert!(e.permanent && e.message.contains("21610"), "{e}");
    assert!(
        e.message
            .contains("https://www.twilio.com/docs/errors/21610"),
        "{e}"
    );
    fake.fail_next(1, Failure::InvalidTo);
    assert!(gw.send(TO, "hello").await.expect_err("refused").permanent);
    fake.fail_next(1, Failure::Unauthorized);
    assert!(gw.send(TO, "hello").await.expect_err("refused").permanent);
    assert!(fake.messages().is_empty());
    assert_eq!(fake.requests(), 4);
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_transient_and_a_retry_gets_through() {
    let (fake, gw) = twilio().await;
    fake.fail_next(1, Failure::RateLimited);
    fake.fail_next(2, Failure::ServerError);
    let e = gw.send(TO, "hello").await.expect_err("429");
    assert!(!e.permanent && e.message.contains("20429"), "{e}");
    for _ in 0..2 {
        let e = gw.send(TO, "hello").await.expect_err("500");
        assert!(!e.permanent && e.message.contains("HTTP 500"), "{e}");
    }
    let sent = gw.send(TO, "hello").await.expect("sent after recovery");
    assert_eq!(fake.messages().len(), 1);
    assert_eq!(fake.messages()[0].sid, sent.message_id);
    assert_eq!(fake.requests(), 4);
}

#[tokio::test]
async fn an_unreachable_gateway_is_transient() {
    let fake = FakeTwilio::start(SID, TOKEN).await;
    // A port nobody listens on: bind, note it, close it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let mut unreachable = fake.clone();
    unreachable.base_url = format!("http://127.0.0.1:{port}");
    let gw = gateway(&unreachable, TOKEN, ("LINKPAY_TWILIO_FROM", FROM));
    let e = gw.send(TO, "hello").await.expect_err("no connection");
    assert!(!e.permanent);
    assert!(e.message.contains("could not reach Twilio"), "{e}");
}
