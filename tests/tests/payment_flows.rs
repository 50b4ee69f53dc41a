//! Payment flows end to end through the real worker, origin and sandbox provider: 3-D Secure
//! and the wallet in headless Chromium; 3-D Secure failure, wallet cancel, manual capture with
//! partial refunds, void and an expired authorization over HTTP, the buyer's requests going
//! through the worker's pay form as a browser's would.

use linkpay_e2e::Stack;
use linkpay_e2e::browser::Browser;
use linkpay_e2e::fields;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

/// The buyer presses Pay on the worker's page with `form`; answers the provider page URL.
async fn press_pay(stack: &Stack, link: &Value, form: &[(&str, &str)]) -> String {
    let url = link["url"].as_str().expect("url");
    let r = stack
        .http
        .post(format!("{url}/pay"))
        .form(form)
        .send()
        .await
        .expect("worker answers");
    assert_eq!(
        r.status().as_u16(),
        303,
        "{}",
        r.text().await.unwrap_or_default()
    );
    linkpay_e2e::location(&r)
}

/// Follows redirects on the origin until the buyer lands on the worker; answers that URL.
async fn follow(stack: &Stack, mut url: String) -> String {
    for _ in 0..5 {
        if url.starts_with(&stack.edge_url) {
            return url;
        }
        let absolute = if url.starts_with('/') {
            format!("{}{url}", stack.origin_url)
        } else {
            url
        };
        let r = stack.get(&absolute).await;
        assert_eq!(r.status().as_u16(), 303, "{absolute}");
        url = linkpay_e2e::location(&r);
    }
    panic!("too many redirects");
}

/// Posts a sandbox page's form; answers where the sandbox sends the buyer.
async fn submit(stack: &Stack, page: &str, form: &[(&str, &str)]) -> String {
    let page = if page.starts_with('/') {
        format!("{}{page}", stack.origin_url)
    } else {
        page.to_owned()
    };
    let r = stack
        .http
        .post(&page)
        .form(form)
        .send()
        .await
        .expect("sandbox");
    assert_eq!(r.status().as_u16(), 303, "{page}");
    linkpay_e2e::location(&r)
}

/// The result page the buyer sees, by its `data-outcome` and failure text.
async fn result(stack: &Stack, url: &str) -> String {
    assert!(url.starts_with(&format!("{}/r/", stack.edge_url)), "{url}");
    let page = stack.get(url).await.text().await.expect("page");
    page.split("data-outcome=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_owned()
}

async fn enable_wallet(stack: &Stack) {
    let (status, s) = stack
        .api(
            Method::POST,
            "/v1/payment_method_settings",
            Some(json!({"wallet": {"enabled": true}})),
        )
        .await;
    assert_eq!(status, 200, "{s}");
}

/// Waits until the worker's page for `link` offers the wallet (the origin pushes to KV).
async fn wait_for_wallet_choice(stack: &Stack, link: &Value) {
    let url = link["url"].as_str().expect("url");
    for _ in 0..100 {
        let page = stack.get(url).await.text().await.expect("page");
        if page.contains("id=\"method-wallet\"") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the pay page never offered the wallet");
}

/// The buyer came back from the provider to a declined result, and the charge says why.
async fn declined(stack: &Stack, back: String, link: &Value, failure_code: &str) {
    assert_eq!(result(stack, &follow(stack, back).await).await, "declined");
    assert_eq!(stack.charge_of(link).await["failure_code"], failure_code);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_d_secure_and_the_wallet_in_chromium() {
    let stack = Stack::start("payment_flows_browser").await;
    enable_wallet(&stack).await;
    let card = stack
        .create_link(json!({"amount": 3000, "currency": "JPY", "title": "3DS camera strap"}))
        .await;
    let wallet = stack
        .create_link(json!({"amount": 1200, "currency": "JPY", "title": "Wallet lunch"}))
        .await;
    wait_for_wallet_choice(&stack, &wallet).await;

    let b = Browser::start("en-US").await;
    // 3-D Secure, passed.
    b.open(card["url"].as_str().expect("url")).await;
    b.wait_for("#method-card").await;
    b.screenshot("3ds-1-pay-page-with-methods").await;
    b.pay_by_card("4000 0000 0000 3220").await;
    b.wait_for("#challenge-pass").await;
    b.screenshot("3ds-2-challenge").await;
    b.click("#challenge-pass").await;
    b.wait_for("#result").await;
    b.screenshot("3ds-3-result").await;
    assert_eq!(b.outcome().await, "paid");
    let c = stack.charge_of(&card).await;
    assert_eq!(
        fields(&c, "status payment_method.card.last4"),
        json!(["succeeded", "3220"])
    );

    // The wallet, approved.
    b.open(wallet["url"].as_str().expect("url")).await;
    b.wait_for("#method-wallet").await;
    b.click("#method-wallet").await;
    b.click("#pay-button").await;
    b.wait_for("#wallet-approve").await;
    b.screenshot("wallet-1-approve-page").await;
    b.assert_at(&format!("{}/sandbox/wallet/", stack.origin_url))
        .await;
    b.click("#wallet-approve").await;
    b.wait_for("#result").await;
    b.screenshot("wallet-2-result").await;
    assert_eq!(b.outcome().await, "paid");
    let c = stack.charge_of(&wallet).await;
    assert_eq!(
        fields(&c, "status payment_method.type"),
        json!(["succeeded", "wallet"])
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_cancels_captures_refunds_voids_and_expiry_over_http() {
    // A short capture window, so an authorization outlives it within the test.
    let stack = Stack::start_with(
        "payment_flows_http",
        &[("LINKPAY_SANDBOX_CAPTURE_WINDOW", "4s")],
    )
    .await;
    enable_wallet(&stack).await;
    let multi = json!({"amount": 1000, "currency": "JPY", "title": "Flows", "single_use": false});
    let link = stack.create_link(multi.clone()).await;
    wait_for_wallet_choice(&stack, &link).await;

    // 3-D Secure failed.
    let page = press_pay(&stack, &link, &[("payment_method", "card")]).await;
    let challenge = submit(
        &stack,
        &page,
        &[
            ("number", "4000000000003220"),
            ("expiry", "12/30"),
            ("cvc", "123"),
        ],
    )
    .await;
    assert!(challenge.starts_with("/sandbox/3ds/"), "{challenge}");
    let back = submit(&stack, &challenge, &[("result", "fail")]).await;
    declined(&stack, back, &link, "authentication_failed").await;

    // The wallet, canceled.
    let page = press_pay(&stack, &link, &[("payment_method", "wallet")]).await;
    let wallet = follow_once(&stack, &page).await;
    let back = submit(&stack, &wallet, &[("action", "cancel")]).await;
    declined(&stack, back, &link, "payment_canceled").await;

    // Manual capture, then partial refunds.
    let manual = stack.create_link(json!({"amount": 1000, "currency": "JPY", "title": "Manual", "single_use": false, "capture_method": "manual"})).await;
    let id = authorize(&stack, &manual).await;
    let (s, c) = post(&stack, &id, "capture", json!({"amount": 900})).await;
    assert_eq!(
        (s, &c["status"], &c["amount_captured"]),
        (200, &json!("succeeded"), &json!(900))
    );
    let (s, _) = post(&stack, &id, "refund", json!({"amount": 400})).await;
    assert_eq!(s, 200);
    let (s, e) = post(&stack, &id, "refund", json!({"amount": 501})).await;
    assert_eq!((s, &e["error"]["code"]), (409, &json!("amount_too_large")));
    let (s, c) = post(&stack, &id, "refund", json!({"amount": 500})).await;
    assert_eq!(
        (s, &c["status"], &c["amount_refunded"]),
        (200, &json!("refunded"), &json!(900))
    );

    // Void.
    let voided = authorize(&stack, &manual).await;
    let (s, c) = post(&stack, &voided, "void", json!({})).await;
    assert_eq!((s, &c["status"]), (200, &json!("voided")));
    let (s, e) = post(&stack, &voided, "capture", json!({})).await;
    assert_eq!(
        (s, &e["error"]["code"]),
        (409, &json!("charge_not_authorized"))
    );

    // An authorization left past its window: capture is refused, and it is released.
    let stale = authorize(&stack, &manual).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (s, e) = post(&stack, &stale, "capture", json!({})).await;
    assert_eq!(
        (s, &e["error"]["code"]),
        (409, &json!("authorization_expired"))
    );
    let mut status = Value::Null;
    // The sweeper runs every 30 s.
    for _ in 0..80 {
        let (_, c) = stack.api_get(&format!("/v1/charges/{stale}")).await;
        status = c["status"].clone();
        if status == "voided" {
            assert_eq!(c["failure_code"], "authorization_expired");
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(status, "voided", "released by the sweeper");
}

async fn follow_once(stack: &Stack, url: &str) -> String {
    let r = stack.http.get(url).send().await.expect("sandbox");
    assert_eq!(r.status().as_u16(), 303, "{url}");
    linkpay_e2e::location(&r)
}

/// Pays a manual-capture link with 4242 through the worker; answers the authorized charge.
async fn authorize(stack: &Stack, link: &Value) -> String {
    let page = press_pay(stack, link, &[]).await;
    let back = submit(
        stack,
        &page,
        &[
            ("number", "4242424242424242"),
            ("expiry", "12/30"),
            ("cvc", "123"),
        ],
    )
    .await;
    let url = follow(stack, back).await;
    assert_eq!(result(stack, &url).await, "paid");
    let c = stack.charge_of(link).await;
    assert_eq!(c["status"], "authorized");
    c["id"].as_str().expect("id").to_owned()
}

async fn post(stack: &Stack, id: &str, action: &str, body: Value) -> (u16, Value) {
    stack
        .api(
            Method::POST,
            &format!("/v1/charges/{id}/{action}"),
            Some(body),
        )
        .await
}
