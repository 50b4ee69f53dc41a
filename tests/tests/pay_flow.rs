//! A buyer pays links in Chromium through the real worker, origin and sandbox provider, and
//! the merchant hears about it by a signed webhook.

use linkpay_e2e::Stack;
use linkpay_e2e::browser::Browser;
use linkpay_e2e::receiver::Receiver;
use linkpay_shared::webhook::WebhookSecret;
use serde_json::{Value, json};
use std::time::Duration;

async fn pay_in_browser(b: &Browser, stack: &Stack, url: &str, card: &str, shot: &str) -> String {
    b.open(url).await;
    b.wait_for("#pay-button").await;
    b.screenshot(&format!("{shot}-1-pay-page")).await;
    b.click("#pay-button").await;
    b.wait_for("#card-form").await;
    // Sent to the provider's page.
    b.assert_at(&format!("{}/sandbox/pay/", stack.origin_url))
        .await;
    b.fill_card(card).await;
    b.screenshot(&format!("{shot}-2-sandbox-card-page")).await;
    b.click("#card-submit").await;
    b.wait_for("#result").await;
    b.screenshot(&format!("{shot}-3-result")).await;
    // The result is shown by the edge.
    b.assert_at(&format!("{}/r/", stack.edge_url)).await;
    b.outcome().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buyers_pay_and_decline_in_chromium_and_the_merchant_gets_signed_webhooks() {
    let stack = Stack::start("pay_flow").await;
    // The receiver fails its first request, so one delivery has to be retried.
    let (hook_url, receiver) = Receiver::start(1).await;
    let secret = stack.subscribe(&hook_url, &["charge.complete"]).await;

    let tea = stack.create_link(json!({"amount": 1500, "currency": "JPY", "title": "E2E tea set", "description": "Two cups", "reference": "E2E-1"})).await;
    let book = stack
        .create_link(json!({"amount": 2500, "currency": "USD", "title": "E2E book"}))
        .await;
    let tea_url = tea["url"].as_str().expect("url");

    let b = Browser::start("en-US").await;
    b.open(tea_url).await;
    b.wait_for("#pay-button").await;
    assert_eq!(b.text("#title").await, "E2E tea set");
    assert_eq!(b.text("#amount").await, "¥1,500");
    assert!(b.text("#merchant").await.contains("Demo Shop"));
    assert!(b.text("#description").await.contains("Two cups"));
    assert!(
        b.client
            .find_all(fantoccini::Locator::Css(
                "input[name*=card], input[autocomplete^=cc-]"
            ))
            .await
            .expect("query")
            .is_empty(),
        "no card fields on our page"
    );

    assert_eq!(
        pay_in_browser(&b, &stack, tea_url, "4242 4242 4242 4242", "paid").await,
        "paid"
    );
    assert!(b.text("#result").await.contains("4242"));
    assert_eq!(
        pay_in_browser(
            &b,
            &stack,
            book["url"].as_str().expect("url"),
            "4000 0000 0000 0002",
            "declined"
        )
        .await,
        "declined"
    );

    // The single-use link, paid, says so on the page itself within seconds (the origin pushes
    // its state to the worker's KV); there is no Pay button to press.
    let mut shown = None;
    for _ in 0..50 {
        b.open(tea_url).await;
        let errors = b
            .client
            .find_all(fantoccini::Locator::Css("#error"))
            .await
            .expect("query");
        if let Some(e) = errors.first() {
            shown = e.attr("data-error").await.expect("attr");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(shown.as_deref(), Some("already_paid"));
    assert!(
        b.client
            .find_all(fantoccini::Locator::Css("#pay-button"))
            .await
            .expect("query")
            .is_empty()
    );
    b.screenshot("paid-again-refused").await;
    b.close().await;

    let tea_id = tea["id"].as_str().expect("id");
    let (_, link) = stack.api_get(&format!("/v1/links/{tea_id}")).await;
    assert_eq!(
        (link["status"].as_str(), link["paid_count"].as_i64()),
        (Some("used"), Some(1))
    );

    // Both outcomes reach the merchant, signed; the failed first attempt was retried.
    let mut ok: Vec<Value> = Vec::new();
    for _ in 0..150 {
        let got = receiver.snapshot();
        ok = got
            .iter()
            .filter(|d| d.answered == 200)
            .map(|d| serde_json::from_slice(&d.body).expect("json"))
            .collect();
        if ok.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all = receiver.snapshot();
    assert_eq!(ok.len(), 2, "deliveries: {all:?}");
    assert_eq!(all.len(), 3, "one retried after the receiver's 500");
    for d in &all {
        d.verify(&secret, 300)
            .expect("every delivery's signature verifies");
        assert!(
            d.verify(&WebhookSecret::from_random_bytes([1; 32]), 300)
                .is_err()
        );
    }
    let mut statuses: Vec<(&str, &str)> = ok
        .iter()
        .map(|e| {
            (
                e["data"]["link"].as_str().unwrap_or(""),
                e["data"]["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    statuses.sort();
    let mut want = vec![
        (tea_id, "succeeded"),
        (book["id"].as_str().expect("id"), "failed"),
    ];
    want.sort();
    assert_eq!(statuses, want);
    assert!(ok.iter().all(|e| e["type"] == "charge.complete"));
}
