//! The LINE Pay connector against a local fake that speaks LINE Pay's wire format and checks
//! every signature (tests/src/fake_linepay.rs), through a real origin: request → approval
//! page → confirm, capture, void, partial refunds, cancel, limits, refused signatures,
//! provider errors, the capture window and untrusted returns and notifications.

use crate::common::{Origin, Reply, local, open_result};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use linkpay_e2e::fake_linepay::{FakeLinePay, Status};
use linkpay_e2e::fields;
use linkpay_origin::base::clock::system_now;
use linkpay_origin::providers::linepay::client::{LinePayClient, LinePayError};
use linkpay_origin::providers::linepay::wire::Kind;
use linkpay_origin::providers::linepay::{LinePayConfig, Terms};
use linkpay_shared::result::Outcome;
use serde_json::{Value, json};

const CHANNEL: &str = "1656946528";
const SECRET: &str = "a-test-channel-secret";

async fn origin(fake: &FakeLinePay, secret: &str, extra: &[(&str, &str)]) -> Origin {
    let mut env = vec![
        ("LINKPAY_LINEPAY_CHANNEL_ID", CHANNEL),
        ("LINKPAY_LINEPAY_CHANNEL_SECRET", secret),
        ("LINKPAY_LINEPAY_BASE_URL", fake.base_url.as_str()),
    ];
    env.extend_from_slice(extra);
    let o = Origin::start_with(&env).await;
    let r = o
        .post(
            "/v1/payment_method_settings",
            r#"{"wallet":{"enabled":true,"provider":"linepay"}}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    o
}

async fn setup(extra: &[(&str, &str)]) -> (Origin, FakeLinePay) {
    let fake = FakeLinePay::start(CHANNEL, SECRET).await;
    let o = origin(&fake, SECRET, extra).await;
    (o, fake)
}

/// `setup` with no extra settings, and one link made from `body`: (origin, fake, link id,
/// token).
async fn setup_link(body: &str) -> (Origin, FakeLinePay, String, String) {
    let (o, fake) = setup(&[]).await;
    let (link, token) = o.link(body).await;
    (o, fake, link, token)
}

async fn checkout(o: &Origin, token: &str) -> Reply {
    let body = json!({"token": token, "locale": "en", "payment_method": "wallet"});
    o.send(Origin::signed_checkout(&body, system_now())).await
}

/// Starts a LINE Pay checkout; answers the approval page and the transaction id.
async fn start(o: &Origin, token: &str) -> (String, u64) {
    let r = checkout(o, token).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let page = r.json()["redirect_url"].as_str().expect("url").to_owned();
    let id = page
        .rsplit('/')
        .next()
        .and_then(|i| i.parse().ok())
        .expect("id");
    (page, id)
}

/// The buyer presses approve or cancel on LINE Pay's page; answers where LINE Pay sends them.
async fn decide(page: &str, action: &str) -> String {
    let r = linkpay_e2e::http_client()
        .get(format!("{page}/{action}"))
        .send()
        .await
        .expect("fake LINE Pay");
    assert_eq!(r.status().as_u16(), 303);
    r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

async fn come_back(o: &Origin, url: &str) -> Reply {
    o.get(local(url)).await
}

async fn charge_of(o: &Origin, link: &str) -> Value {
    o.get_json(&format!("/v1/links/{link}/charges")).await["data"][0].clone()
}

async fn charge_id_of(o: &Origin, link: &str) -> String {
    let charge = charge_of(o, link).await;
    charge["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn approve_confirm_then_partial_refunds() {
    let (o, fake, link, token) =
        setup_link(r#"{"amount":2550,"currency":"USD","title":"Lunch set","single_use":false}"#)
            .await;
    let (page, id) = start(&o, &token).await;
    let t = fake.transaction(id).expect("requested");
    assert_eq!(
        (t.amount, t.currency.as_str(), t.capture),
        (2550, "USD", true)
    );
    let back = decide(&page, "approve").await;
    assert!(back.contains(&format!("transactionId={id}")), "{back}");
    let done = come_back(&o, &back).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    let result = open_result(&done.location.expect("result"));
    assert_eq!(result.outcome, Outcome::Paid);
    let c = charge_of(&o, &link).await;
    assert_eq!(
        fields(&c, "status amount_captured provider payment_method.type"),
        json!(["succeeded", 2550, "linepay", "wallet"])
    );
    let (stored,): (String,) = sqlx::query_as("SELECT provider_ref FROM charges WHERE id = $1")
        .bind(c["id"].as_str())
        .fetch_one(o.state.db.reader())
        .await
        .expect("ref");
    assert_eq!(stored, id.to_string(), "all 19 digits kept");
    assert_eq!(fake.transaction(id).expect("tx").status, Status::Captured);

    // A second return (a reload) confirms nothing twice.
    let again = come_back(&o, &back).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);

    let path = format!("/v1/charges/{}/refund", c["id"].as_str().expect("id"));
    assert_eq!(
        o.post(&path, r#"{"amount":1000}"#).await.status,
        StatusCode::OK
    );
    let r = o.post(&path, r#"{"amount":1551}"#).await;
    assert_eq!(r.error_code(), "amount_too_large");
    let r = o.post(&path, "{}").await;
    assert_eq!(
        (r.status, &r.json()["status"]),
        (StatusCode::OK, &json!("refunded"))
    );
    assert_eq!(
        o.post(&path, r#"{"amount":1}"#).await.error_code(),
        "charge_already_refunded"
    );
    let t = fake.transaction(id).expect("tx");
    assert_eq!(
        t.refunds.iter().map(|(_, a)| *a).collect::<Vec<_>>(),
        [1000, 1550]
    );
    assert_eq!(fake.refused_signatures(), 0, "every call was signed right");
}

#[tokio::test]
async fn manual_capture_void_and_cancel() {
    let (o, fake, link, token) = setup_link(r#"{"amount":100000,"currency":"THB","title":"Tour","single_use":false,"capture_method":"manual"}"#).await;
    // Authorize, then capture less than authorized.
    let (page, id) = start(&o, &token).await;
    assert!(
        !fake.transaction(id).expect("tx").capture,
        "capture=false was asked"
    );
    let back = decide(&page, "approve").await;
    assert_eq!(come_back(&o, &back).await.status, StatusCode::SEE_OTHER);
    let c = charge_of(&o, &link).await;
    assert_eq!(c["status"], "authorized");
    let t = fake.transaction(id).expect("tx");
    assert_eq!(t.status, Status::Authorized);
    // LINE Pay's own deadline (20 days in the fake) wins over the 30-day window.
    assert_eq!(c["capture_before"].as_i64(), t.authorization_expires_at);
    let cid = c["id"].as_str().expect("id").to_owned();
    let r = o
        .post(&format!("/v1/charges/{cid}/capture"), r#"{"amount":80000}"#)
        .await;
    assert_eq!(
        (r.status, &r.json()["amount_captured"]),
        (StatusCode::OK, &json!(80000)),
        "{}",
        r.text()
    );
    let t = fake.transaction(id).expect("tx");
    assert_eq!((t.status, t.captured), (Status::Captured, 80000));

    // Authorize, then void.
    let (page, id) = start(&o, &token).await;
    come_back(&o, &decide(&page, "approve").await).await;
    let cid = charge_id_of(&o, &link).await;
    let r = o.post(&format!("/v1/charges/{cid}/void"), "{}").await;
    assert_eq!(
        (r.status, &r.json()["status"]),
        (StatusCode::OK, &json!("voided")),
        "{}",
        r.text()
    );
    assert_eq!(fake.transaction(id).expect("tx").status, Status::Voided);

    // Cancel on LINE Pay's page: LINE Pay adds nothing to the cancel URL; ours names the charge.
    let (page, id) = start(&o, &token).await;
    let back = decide(&page, "cancel").await;
    let done = come_back(&o, &back).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    let result = open_result(&done.location.expect("result"));
    assert_eq!(result.failure_code.as_deref(), Some("payment_canceled"));
    assert_eq!(fake.transaction(id).expect("tx").status, Status::Canceled);
    assert_eq!(charge_of(&o, &link).await["status"], "failed");
}

#[tokio::test]
async fn published_limits_are_enforced_before_any_call() {
    let (o, fake, _, yen) = setup_link(r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#).await;
    let r = checkout(&o, &yen).await;
    assert_eq!(
        (r.status, r.error_code(), r.json()["error"]["param"].clone()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "currency_unsupported".into(),
            json!("currency")
        )
    );
    let (_, big) = o
        .link(r#"{"amount":100001,"currency":"USD","title":"Big"}"#)
        .await;
    let r = checkout(&o, &big).await;
    assert_eq!(
        (r.error_code(), r.json()["error"]["param"].clone()),
        ("amount_invalid".into(), json!("amount"))
    );
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("$1,000.00")
    );
    assert_eq!(fake.requests(), 0, "nothing reached LINE Pay");
    assert_eq!(
        o.count("SELECT COUNT(*) FROM charges").await,
        0,
        "nothing saved half"
    );
    // The same links still take cards.
    let body = json!({"token": yen, "locale": "en", "payment_method": "card"});
    assert_eq!(
        o.send(Origin::signed_checkout(&body, system_now()))
            .await
            .status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_line_pay_and_never_shown() {
    let fake = FakeLinePay::start(CHANNEL, SECRET).await;
    let o = origin(&fake, "not-the-secret", &[]).await;
    let (link, token) = o
        .link(r#"{"amount":500,"currency":"USD","title":"Pen"}"#)
        .await;
    let r = checkout(&o, &token).await;
    r.assert_refused(StatusCode::BAD_GATEWAY, "provider_unavailable");
    assert!(!r.text().contains("not-the-secret"));
    assert_eq!(fake.refused_signatures(), 1);
    assert_eq!(
        charge_of(&o, &link).await["failure_code"],
        "provider_unavailable"
    );
    // The failed charge gave its hold on the single-use link back: the next buyer is not told
    // that someone is paying.
    checkout(&o, &token)
        .await
        .assert_refused(StatusCode::BAD_GATEWAY, "provider_unavailable");

    // The client says why, without the secret.
    let config = LinePayConfig::new(&fake.base_url, CHANNEL, "not-the-secret", Terms::default());
    let client = LinePayClient::new(reqwest::Client::new(), &config);
    let e = client
        .details("2026112201234567892".parse().expect("id"))
        .await
        .expect_err("refused");
    assert!(
        matches!(&e, LinePayError::Api { kind: Kind::Auth, code, .. } if code == "1106"),
        "{e:?}"
    );
    assert!(!format!("{e} {e:?} {client:?}").contains("not-the-secret"));
}

#[tokio::test]
async fn provider_errors_leave_the_charge_as_it_was() {
    let (o, fake, link, token) = setup_link(r#"{"amount":3000,"currency":"USD","title":"Bag","single_use":false,"capture_method":"manual"}"#).await;
    let (page, id) = start(&o, &token).await;
    come_back(&o, &decide(&page, "approve").await).await;
    let cid = charge_id_of(&o, &link).await;
    fake.fail_next(&["9000"]);
    let r = o.post(&format!("/v1/charges/{cid}/capture"), "{}").await;
    r.assert_refused(StatusCode::BAD_GATEWAY, "provider_unavailable");
    assert_eq!(
        charge_of(&o, &link).await["status"],
        "authorized",
        "asked LINE Pay, still authorized"
    );
    let r = o.post(&format!("/v1/charges/{cid}/capture"), "{}").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // A refund whose answer is lost is not sent twice: the retry asks LINE Pay first. One
    // refused outright comes first, so only the lost one's amount can match.
    fake.fail_next(&["9000"]);
    let r = o
        .post(&format!("/v1/charges/{cid}/refund"), r#"{"amount":500}"#)
        .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    fake.lose_next_refund_answer();
    let r = o
        .post(&format!("/v1/charges/{cid}/refund"), r#"{"amount":1000}"#)
        .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert_eq!(
        charge_of(&o, &link).await["amount_refunded"],
        0,
        "not confirmed yet"
    );
    let retried = linkpay_origin::services::payments::refund::retry_stale(
        &o.state.services,
        system_now() + 1,
    )
    .await
    .expect("retry");
    assert_eq!(retried, 2);
    let c = charge_of(&o, &link).await;
    assert_eq!(c["amount_refunded"], 1500);
    let held = o
        .count(&format!(
            "SELECT amount_refunding FROM charges WHERE id = '{cid}'"
        ))
        .await;
    assert_eq!(held, 0);
    let refunds: Vec<i64> = fake
        .transaction(id)
        .expect("tx")
        .refunds
        .iter()
        .map(|(_, a)| *a)
        .collect();
    assert_eq!(refunds, [1000, 500], "the lost one was not sent again");
    assert_eq!(
        o.count("SELECT COUNT(*) FROM linepay_refunds WHERE refund_transaction_id IS NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn the_capture_window_and_untrusted_returns() {
    let (o, fake) = setup(&[("LINKPAY_LINEPAY_CAPTURE_WINDOW", "1s")]).await;
    let (link, token) = o
        .link(r#"{"amount":1200,"currency":"USD","title":"Hat","single_use":false,"capture_method":"manual"}"#)
        .await;

    // A return before the buyer approved: LINE Pay says "not yet", nothing is confirmed.
    let (page, id) = start(&o, &token).await;
    let forged = format!("/return/linepay?transactionId={id}&orderId=x");
    let r = o.get(&forged).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.text());
    assert_eq!(fake.transaction(id).expect("tx").status, Status::Reserved);
    assert_eq!(charge_of(&o, &link).await["status"], "pending");
    // A "notification" saying it was paid: LINE Pay sends none, so it is not believed.
    let r = o
        .send(
            Request::post("/providers/linepay/notifications")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"transactionId": id, "status": "PAID"}).to_string(),
                ))
                .expect("req"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(charge_of(&o, &link).await["status"], "pending");
    let r = o
        .get("/return/linepay?transactionId=1234567890123456789")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Authorized, then the 1-second window passes: capture is refused, the sweeper releases.
    come_back(&o, &decide(&page, "approve").await).await;
    let cid = charge_id_of(&o, &link).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = o.post(&format!("/v1/charges/{cid}/capture"), "{}").await;
    r.assert_refused(StatusCode::CONFLICT, "authorization_expired");
    assert_eq!(
        fake.transaction(id).expect("tx").status,
        Status::Authorized,
        "capture never sent"
    );
    let swept = linkpay_origin::services::payments::sweep::once(&o.state.services)
        .await
        .expect("sweep");
    assert_eq!(swept.released, 1);
    assert_eq!(
        fake.transaction(id).expect("tx").status,
        Status::Voided,
        "released at LINE Pay too"
    );
    let c = charge_of(&o, &link).await;
    assert_eq!(
        fields(&c, "status failure_code"),
        json!(["voided", "authorization_expired"])
    );
}

/// A merchant's own LINE Pay channel as a provider account, with no channel in the
/// environment: checked with LINE Pay on save, then serving the wallet of its mode (a sandbox
/// channel in test mode, a live one in live mode), refunds through it, and after it is
/// disconnected the test-mode wallet is the sandbox's again.
#[tokio::test]
async fn a_merchants_own_channel_takes_the_wallet_payments_of_its_mode() {
    let fake = FakeLinePay::start(CHANNEL, SECRET).await;
    let test = Origin::start_with(&[
        ("LINKPAY_LINEPAY_TEST_API_URL", fake.base_url.as_str()),
        ("LINKPAY_LINEPAY_LIVE_API_URL", fake.base_url.as_str()),
    ])
    .await;
    let wallet = r#"{"wallet":{"enabled":true}}"#;
    assert_eq!(
        test.post("/v1/payment_method_settings", wallet)
            .await
            .status,
        StatusCode::OK
    );
    let connect = |id: &str, secret: &str| {
        json!({"provider": "linepay", "description": "Bangkok channel",
               "credentials": {"channel_id": id, "channel_secret": secret}})
        .to_string()
    };
    let r = test
        .post("/v1/provider_accounts", &connect("LINE-1", SECRET))
        .await;
    r.assert_refused(StatusCode::BAD_REQUEST, "credentials_invalid");
    assert_eq!(r.json()["error"]["param"], "credentials[channel_id]");
    assert_eq!(
        fake.requests(),
        0,
        "a malformed id is refused before any call"
    );
    let r = test
        .post("/v1/provider_accounts", &connect(CHANNEL, "not-the-secret"))
        .await;
    r.assert_refused(StatusCode::UNPROCESSABLE_ENTITY, "credentials_invalid");
    assert_eq!(r.json()["error"]["param"], "credentials[channel_secret]");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Bangkok channel: LINE Pay refused"))
    );
    assert!(!r.text().contains("not-the-secret"));
    assert_eq!(fake.refused_signatures(), 1);
    let r = test
        .post(
            "/v1/provider_accounts",
            &json!({"provider": "linepay", "payment_methods": ["card"],
                    "credentials": {"channel_id": CHANNEL, "channel_secret": SECRET}})
            .to_string(),
        )
        .await;
    assert_eq!(
        r.json()["error"]["param"],
        "payment_methods[0]",
        "{}",
        r.text()
    );
    assert!(test.list_data("/v1/provider_accounts").await.is_empty());

    let r = test
        .post("/v1/provider_accounts", &connect(CHANNEL, SECRET))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        fields(
            &r.json(),
            "provider payment_methods webhook_url account.id livemode"
        ),
        json!(["linepay", ["wallet"], null, CHANNEL, false])
    );
    assert!(!r.text().contains(SECRET));
    let account = r.json()["id"].as_str().expect("id").to_owned();

    // Test mode: the wallet goes to the merchant's channel, not the sandbox.
    let (link, token) = test
        .link(r#"{"amount":1200,"currency":"USD","title":"Mango sticky rice"}"#)
        .await;
    let (page, id) = start(&test, &token).await;
    assert!(page.starts_with(&fake.base_url), "{page}");
    let done = come_back(&test, &decide(&page, "approve").await).await;
    assert_eq!(
        open_result(&done.location.expect("result")).outcome,
        Outcome::Paid
    );
    let c = charge_of(&test, &link).await;
    assert_eq!(
        fields(&c, "status provider livemode"),
        json!(["succeeded", "linepay", false])
    );
    let (through,): (Option<String>,) =
        sqlx::query_as("SELECT provider_account_id FROM charges WHERE id = $1")
            .bind(c["id"].as_str())
            .fetch_one(test.state.db.reader())
            .await
            .expect("charge");
    assert_eq!(through.as_deref(), Some(account.as_str()));
    let refund = format!("/v1/charges/{}/refund", c["id"].as_str().expect("id"));
    let r = test.post(&refund, r#"{"amount":200}"#).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(fake.transaction(id).expect("tx").refunds.len(), 1);

    // Live mode: no live account yet, so nothing is charged; then a live channel serves it.
    let live = test.live().await;
    let (_, token) = live
        .link(r#"{"amount":900,"currency":"USD","title":"Pad thai"}"#)
        .await;
    let r = checkout(&live, &token).await;
    r.assert_refused(StatusCode::UNPROCESSABLE_ENTITY, "livemode_unavailable");
    let r = live
        .post("/v1/provider_accounts", &connect(CHANNEL, SECRET))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["livemode"], true);
    let (link, token) = live
        .link(r#"{"amount":900,"currency":"USD","title":"Pad thai"}"#)
        .await;
    let (page, _) = start(&live, &token).await;
    let done = come_back(&live, &decide(&page, "approve").await).await;
    assert_eq!(
        open_result(&done.location.expect("result")).outcome,
        Outcome::Paid
    );
    assert_eq!(
        fields(&charge_of(&live, &link).await, "status livemode"),
        json!(["succeeded", true])
    );

    // Disconnected: test-mode wallets go to the sandbox again.
    let r = test
        .api("DELETE", &format!("/v1/provider_accounts/{account}"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let (_, token) = test
        .link(r#"{"amount":300,"currency":"USD","title":"Tea"}"#)
        .await;
    let r = checkout(&test, &token).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let page = r.json()["redirect_url"].as_str().expect("url").to_owned();
    assert!(!page.starts_with(&fake.base_url), "{page}");
    assert_eq!(
        fake.refused_signatures(),
        1,
        "every other call was signed right"
    );
}
