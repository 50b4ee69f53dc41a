//! Test and live data never mix: every list shows only its key's mode, an object of the other
//! mode is refused with a 400 that names the mode, and events reach only endpoints of their
//! own mode.

use crate::common::{Origin, Reply};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use linkpay_e2e::fake_linepay::FakeLinePay;
use serde_json::{Value, json};

/// One of everything a merchant can list, made with `o`'s key; answers (path, id) pairs.
async fn make_one_of_each(o: &Origin, tag: &str) -> Vec<(&'static str, String)> {
    let link = o
        .post(
            "/v1/links",
            &json!({"amount": 1200, "currency": "JPY", "title": format!("{tag} tea"),
                    "customer_email": "buyer@example.com", "send": ["email"]})
            .to_string(),
        )
        .await;
    assert_eq!(link.status, StatusCode::CREATED, "{}", link.text());
    let link = id(&link);
    let ru = o
        .post("/v1/return_urls", r#"{"url":"https://shop.example/paid"}"#)
        .await;
    assert_eq!(ru.status, StatusCode::CREATED, "{}", ru.text());
    let we = o
        .post(
            "/v1/webhook_endpoints",
            r#"{"url":"http://127.0.0.1:9/hooks"}"#,
        )
        .await;
    assert_eq!(we.status, StatusCode::CREATED, "{}", we.text());
    let batch = o
        .send(
            Request::post("/v1/batches")
                .header(header::AUTHORIZATION, format!("Bearer {}", o.key))
                .header(header::CONTENT_TYPE, "text/csv")
                .body(Body::from(format!(
                    "reference,amount,currency,title\n{tag}-1,500,JPY,{tag} batch\n"
                )))
                .expect("request"),
        )
        .await;
    assert_eq!(batch.status, StatusCode::CREATED, "{}", batch.text());
    let notifications = o.list_data(&format!("/v1/notifications?link={link}")).await;
    assert_eq!(notifications.len(), 1, "the payment request is queued");
    let events = o.list_data("/v1/events?type=link.created").await;
    let account = o
        .post(
            "/v1/provider_accounts",
            &json!({"provider": "linepay", "description": format!("{tag} channel"),
                    "credentials": {"channel_id": CHANNEL, "channel_secret": SECRET}})
            .to_string(),
        )
        .await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.text());
    vec![
        ("/v1/provider_accounts", id(&account)),
        ("/v1/links", link),
        ("/v1/return_urls", id(&ru)),
        ("/v1/webhook_endpoints", id(&we)),
        ("/v1/batches", id(&batch)),
        ("/v1/notifications", text(&notifications[0]["id"])),
        ("/v1/events", text(&events[0]["id"])),
    ]
}

fn id(r: &Reply) -> String {
    text(&r.json()["id"])
}

fn text(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

/// A LINE Pay channel (a fake that checks its signatures) stands in for both modes' provider.
const CHANNEL: &str = "1656946528";
const SECRET: &str = "a-test-channel-secret";

#[tokio::test]
async fn every_list_shows_only_its_keys_mode_and_the_other_modes_objects_are_refused() {
    let fake = FakeLinePay::start(CHANNEL, SECRET).await;
    let test = Origin::start_with(&[
        ("LINKPAY_LINEPAY_TEST_API_URL", fake.base_url.as_str()),
        ("LINKPAY_LINEPAY_LIVE_API_URL", fake.base_url.as_str()),
    ])
    .await;
    let live = test.live().await;
    assert!(live.key.starts_with("sk_live_"), "{}", live.key);
    let made_in_test = make_one_of_each(&test, "test").await;
    let made_in_live = make_one_of_each(&live, "live").await;
    // A test charge too, paid on the sandbox.
    let (_, token) = test
        .link(r#"{"amount":900,"currency":"JPY","title":"Paid in test"}"#)
        .await;
    test.pay(&token, "4242424242424242").await;
    let charges = test.list_data("/v1/charges").await;
    assert_eq!(charges.len(), 1);
    let mut made_in_test = made_in_test;
    made_in_test.push(("/v1/charges", text(&charges[0]["id"])));

    for (me, mine, theirs, live_key) in [
        (&test, &made_in_test, &made_in_live, false),
        (&live, &made_in_live, &made_in_test, true),
    ] {
        for path in [
            "/v1/links",
            "/v1/charges",
            "/v1/events",
            "/v1/webhook_endpoints",
            "/v1/return_urls",
            "/v1/batches",
            "/v1/notifications",
            "/v1/provider_accounts",
        ] {
            let data = me.list_data(path).await;
            for item in &data {
                assert_eq!(
                    item["livemode"], live_key,
                    "{path} with a live={live_key} key: {item}"
                );
            }
            let ids: Vec<&str> = data.iter().filter_map(|i| i["id"].as_str()).collect();
            for (p, id) in mine.iter().filter(|(p, _)| *p == path) {
                assert!(ids.contains(&id.as_str()), "{p}: own {id} is listed");
            }
            for (p, id) in theirs.iter().filter(|(p, _)| *p == path) {
                assert!(
                    !ids.contains(&id.as_str()),
                    "{p}: the other mode's {id} is not listed"
                );
            }
        }
        for (path, id) in theirs {
            let r = me.api("GET", &format!("{path}/{id}"), None).await;
            r.assert_refused(StatusCode::BAD_REQUEST, "livemode_mismatch");
            let (object_mode, key_mode) = if live_key {
                ("test", "live")
            } else {
                ("live", "test")
            };
            let message = text(&r.json()["error"]["message"]);
            assert!(
                message.contains(&format!("exists in {object_mode} mode"))
                    && message.contains(&format!("a {key_mode} key")),
                "{message}"
            );
        }
    }
    // Another merchant's id is a plain 404, not a mode error.
    test.api("GET", "/v1/links/lnk_nobody", None)
        .await
        .assert_refused(StatusCode::NOT_FOUND, "resource_missing");
}

#[tokio::test]
async fn events_go_only_to_endpoints_of_their_own_mode() {
    let test = Origin::start().await;
    let live = test.live().await;
    let hooks = r#"{"url":"http://127.0.0.1:9/hooks"}"#;
    let test_endpoint = id(&test.post("/v1/webhook_endpoints", hooks).await);
    let live_endpoint = id(&live.post("/v1/webhook_endpoints", hooks).await);
    for (o, own, other) in [
        (&test, &test_endpoint, &live_endpoint),
        (&live, &live_endpoint, &test_endpoint),
    ] {
        o.link(r#"{"amount":800,"currency":"JPY","title":"Tea"}"#)
            .await;
        let events = o.list_data("/v1/events?type=link.created").await;
        assert_eq!(events.len(), 1, "one link.created in this mode");
        let event = text(&events[0]["id"]);
        let deliveries = o.list_data(&format!("/v1/events/{event}/deliveries")).await;
        let to: Vec<&str> = deliveries
            .iter()
            .filter_map(|d| d["endpoint"].as_str())
            .collect();
        assert_eq!(
            to,
            [own.as_str()],
            "delivered to its own mode's endpoint only"
        );
        // Nor can it be resent to the other mode's endpoint.
        o.post(
            &format!("/v1/events/{event}/resend"),
            &json!({ "endpoint": other }).to_string(),
        )
        .await
        .assert_refused(StatusCode::NOT_FOUND, "resource_missing");
    }
}

#[tokio::test]
async fn a_link_names_only_a_return_url_of_its_own_mode_and_each_mode_has_its_own_limit() {
    let test = Origin::start().await;
    let live = test.live().await;
    let mut test_urls = Vec::new();
    for i in 0..3 {
        let body = json!({ "url": format!("https://shop.example/paid/{i}") }).to_string();
        let r = test.post("/v1/return_urls", &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        test_urls.push(id(&r));
    }
    test.post("/v1/return_urls", r#"{"url":"https://shop.example/4"}"#)
        .await
        .assert_refused(StatusCode::CONFLICT, "return_url_limit_reached");
    // Test mode's three do not count against live mode's.
    let live_url = live
        .post("/v1/return_urls", r#"{"url":"https://shop.example/live"}"#)
        .await;
    assert_eq!(live_url.status, StatusCode::CREATED, "{}", live_url.text());
    let body =
        json!({"amount": 500, "currency": "JPY", "title": "Tea", "return_url": test_urls[0]});
    let r = live.post("/v1/links", &body.to_string()).await;
    r.assert_refused(StatusCode::BAD_REQUEST, "livemode_mismatch");
    assert_eq!(r.json()["error"]["param"], "return_url");
}

#[tokio::test]
async fn a_live_link_never_reaches_the_sandbox_and_nothing_is_charged() {
    let test = Origin::start().await;
    let live = test.live().await;
    let (link, token) = live
        .link(r#"{"amount":1500,"currency":"JPY","title":"Live tea"}"#)
        .await;
    assert_eq!(
        linkpay_shared::token::key_id(&token).as_deref(),
        Some("l1"),
        "signed with the live key"
    );
    let r = live.checkout(&token).await;
    r.assert_refused(StatusCode::UNPROCESSABLE_ENTITY, "livemode_unavailable");
    let message = text(&r.json()["error"]["message"]);
    assert!(
        message.contains("nothing was charged") && message.contains("test payments only"),
        "{message}"
    );
    assert_eq!(test.count("SELECT COUNT(*) FROM charges").await, 0);
    assert_eq!(test.count("SELECT COUNT(*) FROM sandbox_payments").await, 0);
    let l = live.get_json(&format!("/v1/links/{link}")).await;
    assert_eq!(
        (l["livemode"].clone(), l["status"].clone()),
        (json!(true), json!("active"))
    );
}

#[tokio::test]
async fn an_offline_link_carries_its_mode_and_a_test_key_cannot_sign_a_live_one() {
    use crate::common::{LINK_KEY, LIVE_LINK_KEY};
    use linkpay_shared::token::{Amount, Keyring, LinkClaims, Usage};
    use linkpay_shared::{Currency, Locale, Money};
    let o = Origin::start().await;
    let claims = |id: &str, livemode: bool| LinkClaims {
        link_id: id.into(),
        merchant_id: String::new(),
        merchant_name: String::new(),
        amount: Amount::Fixed(Money::new(700, Currency::Jpy).expect("money")),
        expires_at: o.state.clock.now() + 3600,
        usage: Usage::SingleUse,
        title: "Offline".into(),
        description: None,
        reference: None,
        locale: Locale::En,
        free: [None, None, None],
        metadata: Vec::new(),
        livemode,
    };
    let merchant = o.merchant_id().await;
    let with_merchant = |mut c: LinkClaims| {
        c.merchant_id = merchant.clone();
        c
    };
    // Offline and live, signed with the live key: recorded as live, and refused the sandbox.
    let ring = Keyring::parse(&format!("l1:{LIVE_LINK_KEY}:live")).expect("ring");
    let live = ring
        .sign(&with_merchant(claims("lnk_off_live", true)))
        .expect("sign");
    o.checkout(&live)
        .await
        .assert_refused(StatusCode::UNPROCESSABLE_ENTITY, "livemode_unavailable");
    // Offline and test: paid on the sandbox, recorded as a test link.
    let ring = Keyring::parse(&format!("k1:{LINK_KEY}")).expect("ring");
    let test_token = ring
        .sign(&with_merchant(claims("lnk_off_test", false)))
        .expect("sign");
    o.pay(&test_token, "4242424242424242").await;
    let l = o.get_json("/v1/links/lnk_off_test").await;
    assert_eq!(
        (l["livemode"].clone(), l["source"].clone()),
        (json!(false), json!("offline"))
    );
    // The test key k1 passed off as a live key: the origin's ring knows k1 is a test key.
    let forged = Keyring::parse(&format!("k1:{LINK_KEY}:live"))
        .expect("ring")
        .sign(&with_merchant(claims("lnk_off_forged", true)))
        .expect("sign");
    let r = o.checkout(&forged).await;
    r.assert_refused(StatusCode::BAD_REQUEST, "livemode_mismatch");
    assert!(text(&r.json()["error"]["message"]).contains("claims live mode"));
    assert_eq!(
        o.count("SELECT COUNT(*) FROM links WHERE id LIKE 'lnk_off_%'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_live_key_cannot_choose_the_sandbox() {
    let test = Origin::start().await;
    let live = test.live().await;
    let body = r#"{"wallet":{"enabled":true,"provider":"sandbox"}}"#;
    let r = live.post("/v1/payment_method_settings", body).await;
    r.assert_refused(StatusCode::BAD_REQUEST, "livemode_mismatch");
    assert_eq!(r.json()["error"]["param"], "wallet[provider]");
    assert!(text(&r.json()["error"]["message"]).contains("test payments only"));
    assert_eq!(
        test.post("/v1/payment_method_settings", body).await.status,
        StatusCode::OK
    );
}
