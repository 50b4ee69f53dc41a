//! Stripe in Chromium, through the real worker and origin and the local Stripe fake: a buyer
//! pays a link on Stripe's hosted page after a 3-D Secure challenge and lands on linkpay's
//! result page; another is declined at Stripe, tries a good card and pays; manual-capture
//! payments are captured in part, refunded in part, or voided; a return whose session was
//! tampered with changes nothing; a buyer pays and closes the tab, and Stripe's webhook alone
//! finishes the payment.

use linkpay_e2e::Stack;
use linkpay_e2e::browser::Browser;
use linkpay_e2e::fake_stripe::FakeStripe;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

/// Opens a link and pays it on the fake's Checkout page with `card` (no 3-D Secure).
async fn pay_at_stripe(b: &Browser, link: &Value, card: &str) {
    b.open(link["url"].as_str().expect("url")).await;
    b.click("#pay-button").await;
    b.wait_for("#cardNumber").await;
    b.type_into("#cardNumber", card).await;
    b.type_into("#cardExpiry", "12 / 34").await;
    b.type_into("#cardCvc", "123").await;
    b.click("#submit").await;
    b.wait_for("#result").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cards_paid_on_stripes_page_with_3_d_secure_a_decline_and_a_closed_tab() {
    let fake = FakeStripe::start().await;
    // The fake's page is on loopback, not checkout.stripe.com: the worker's form-action must
    // allow it, as it allows Stripe's own page by default.
    let stack = Stack::start_full(
        "stripe_flow",
        &[("LINKPAY_STRIPE_API_URL", fake.base_url())],
        &[("FORM_ACTION_ORIGINS", fake.base_url())],
    )
    .await;
    let account = fake.add_account(false);
    let (status, made) = stack
        .api(
            Method::POST,
            "/v1/provider_accounts",
            Some(json!({"provider": "stripe", "credentials": {"secret_key": account.secret_key}})),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let webhook_url = made["webhook_url"].as_str().expect("webhook_url");
    let path = webhook_url.split_once("/providers/").expect("path").1;
    let secret = fake.register_webhook(&account, &format!("{}/providers/{path}", stack.origin_url));
    let id = made["id"].as_str().expect("id");
    let (status, _) = stack
        .api(
            Method::POST,
            &format!("/v1/provider_accounts/{id}"),
            Some(json!({"credentials": {"webhook_secret": secret}})),
        )
        .await;
    assert_eq!(status, 200);

    let b = Browser::start("en-US").await;
    // 3-D Secure, passed.
    let link = stack
        .create_link(json!({"amount": 3200, "currency": "JPY", "title": "Tea ceremony"}))
        .await;
    b.open(link["url"].as_str().expect("url")).await;
    b.wait_for("#test-mode").await;
    b.click("#pay-button").await;
    b.wait_for("#cardNumber").await;
    b.assert_at(&format!("{}/checkout/cs_test_", fake.base_url()))
        .await;
    b.screenshot("stripe-1-checkout-page").await;
    b.type_into("#cardNumber", "4000 0000 0000 3220").await;
    b.type_into("#cardExpiry", "12 / 34").await;
    b.type_into("#cardCvc", "123").await;
    b.click("#submit").await;
    b.wait_for("#test-source-authorize-3ds").await;
    b.screenshot("stripe-2-3ds-challenge").await;
    b.click("#test-source-authorize-3ds").await;
    b.wait_for("#result").await;
    b.screenshot("stripe-3-result").await;
    assert_eq!(b.outcome().await, "paid");
    let c = stack.charge_of(&link).await;
    assert_eq!(
        (
            c["status"].clone(),
            c["payment_method"]["card"]["last4"].clone()
        ),
        (json!("succeeded"), json!("3220")),
        "{c}"
    );

    // Declined at Stripe; the buyer tries another card on the same page.
    let link = stack
        .create_link(json!({"amount": 1200, "currency": "JPY", "title": "Green tea"}))
        .await;
    b.open(link["url"].as_str().expect("url")).await;
    b.click("#pay-button").await;
    b.wait_for("#cardNumber").await;
    b.type_into("#cardNumber", "4000 0000 0000 0002").await;
    b.type_into("#cardExpiry", "12 / 34").await;
    b.type_into("#cardCvc", "123").await;
    b.click("#submit").await;
    b.wait_for("#card-error").await;
    b.screenshot("stripe-4-declined-at-stripe").await;
    assert_eq!(stack.charge_of(&link).await["status"], "pending");
    b.type_into("#cardNumber", "4242 4242 4242 4242").await;
    b.type_into("#cardExpiry", "12 / 34").await;
    b.type_into("#cardCvc", "123").await;
    b.click("#submit").await;
    b.wait_for("#result").await;
    assert_eq!(b.outcome().await, "paid");

    // Manual capture: authorized in the browser, then captured in part and refunded in part
    // through the API; another authorization is voided.
    let manual = |amount: i64| json!({"amount": amount, "currency": "USD", "title": "Tea set", "capture_method": "manual"});
    let link = stack.create_link(manual(4550)).await;
    pay_at_stripe(&b, &link, "4242 4242 4242 4242").await;
    assert_eq!(b.outcome().await, "paid");
    let c = stack.charge_of(&link).await;
    assert_eq!(c["status"], "authorized", "{c}");
    let id = c["id"].as_str().expect("id");
    let c = stack
        .charge_action(id, "capture", json!({"amount": 4000}))
        .await;
    assert_eq!(
        (c["status"].clone(), c["amount_captured"].clone()),
        (json!("succeeded"), json!(4000))
    );
    let c = stack
        .charge_action(id, "refund", json!({"amount": 1250}))
        .await;
    assert_eq!(c["amount_refunded"], 1250, "{c}");
    let sent = fake.requests();
    let capture = sent
        .iter()
        .find(|r| r.path.ends_with("/capture"))
        .expect("captured at Stripe");
    assert_eq!(capture.params["amount_to_capture"], "4000", "cents, exact");
    let refund = sent
        .iter()
        .find(|r| r.path == "/v1/refunds")
        .expect("refunded at Stripe");
    assert_eq!(refund.params["amount"], "1250");
    for r in [capture, refund] {
        assert!(
            r.headers.iter().any(|(n, _)| n == "idempotency-key"),
            "{r:?}"
        );
    }
    let link = stack.create_link(manual(900)).await;
    pay_at_stripe(&b, &link, "4242 4242 4242 4242").await;
    let id = stack.charge_of(&link).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let c = stack.charge_action(&id, "void", json!({})).await;
    assert_eq!(c["status"], "voided", "{c}");
    assert!(fake.requests().iter().any(|r| r.path.ends_with("/cancel")));

    // Stripe's returns are not signed: the session they name is asked of Stripe. A buyer who
    // edits the return to name another session, or one nobody paid, changes nothing.
    let link = stack
        .create_link(json!({"amount": 600, "currency": "JPY", "title": "Hojicha"}))
        .await;
    b.open(link["url"].as_str().expect("url")).await;
    b.click("#pay-button").await;
    b.wait_for("#cardNumber").await;
    let session = b.at().await.rsplit('/').next().expect("session").to_owned();
    let forged = format!("{}/return/stripe?session_id={session}x", stack.origin_url);
    b.open(&forged).await;
    assert!(b.text("body").await.contains("not known here"));
    // The return names the real session, unpaid: Stripe is asked, the session is expired so
    // it can no longer be paid, and the buyer is told nothing was charged.
    b.open(&format!(
        "{}/return/stripe?session_id={session}",
        stack.origin_url
    ))
    .await;
    b.wait_for("#result").await;
    b.screenshot("stripe-5-unpaid-return").await;
    assert_ne!(b.outcome().await, "paid");
    let c = stack.charge_of(&link).await;
    assert_eq!(
        (c["status"].clone(), c["failure_code"].clone()),
        (json!("failed"), json!("payment_canceled")),
        "{c}"
    );
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.path == format!("/v1/checkout/sessions/{session}/expire"))
    );

    // Paid, then the tab closed before the redirect: the webhook finishes it.
    let link = stack
        .create_link(json!({"amount": 800, "currency": "JPY", "title": "Matcha"}))
        .await;
    b.open(link["url"].as_str().expect("url")).await;
    b.click("#pay-button").await;
    b.wait_for("#cardNumber").await;
    let page = b.at().await;
    let session = page.rsplit('/').next().expect("session").to_owned();
    b.close().await;
    fake.pay_without_return(&session, "4242424242424242").await;
    let mut status = Value::Null;
    for _ in 0..100 {
        status = stack.charge_of(&link).await["status"].clone();
        if status == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "succeeded", "finished by Stripe's webhook alone");
    let delivered: Vec<Option<u16>> = fake
        .deliveries()
        .iter()
        .filter(|d| d.event_type == "checkout.session.completed")
        .map(|d| d.status)
        .collect();
    assert!(delivered.iter().all(|s| *s == Some(200)), "{delivered:?}");
    assert_eq!(fake.spec_violations(), Vec::<String>::new());
}
