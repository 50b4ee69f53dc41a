//! Stripe in Chromium, through the real worker and origin and the local Stripe fake: a buyer
//! pays a link on Stripe's hosted page after a 3-D Secure challenge and lands on linkpay's
//! result page; another is declined at Stripe, tries a good card and pays; a third pays and
//! closes the tab, and Stripe's webhook alone finishes the payment.

use linkpay_e2e::Stack;
use linkpay_e2e::browser::Browser;
use linkpay_e2e::fake_stripe::FakeStripe;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

async fn charge_of(stack: &Stack, link: &Value) -> Value {
    let id = link["id"].as_str().expect("id");
    let (_, list) = stack.api_get(&format!("/v1/links/{id}/charges")).await;
    list["data"][0].clone()
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
    let c = charge_of(&stack, &link).await;
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
    assert_eq!(charge_of(&stack, &link).await["status"], "pending");
    b.type_into("#cardNumber", "4242 4242 4242 4242").await;
    b.type_into("#cardExpiry", "12 / 34").await;
    b.type_into("#cardCvc", "123").await;
    b.click("#submit").await;
    b.wait_for("#result").await;
    assert_eq!(b.outcome().await, "paid");

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
        status = charge_of(&stack, &link).await["status"].clone();
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
