//! GMO Payment Gateway in Chromium, through the real worker and origin and the local GMO-PG
//! fake: a buyer pays on GMO-PG's page after 3-D Secure and is posted back to the shop's
//! result page; a decline ends on the result page too; a buyer who pays and closes the tab is
//! settled by GMO-PG's result notification.

use linkpay_e2e::Stack;
use linkpay_e2e::browser::Browser;
use linkpay_e2e::fake_gmopg::FakeGmoPg;
use reqwest::Method;
use serde_json::{Value, json};

async fn charge_of(stack: &Stack, link: &Value) -> Value {
    let id = link["id"].as_str().expect("id");
    let (_, list) = stack.api_get(&format!("/v1/links/{id}/charges")).await;
    list["data"][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cards_paid_on_gmo_pgs_page_a_decline_and_a_closed_tab() {
    let fake = FakeGmoPg::start().await;
    let stack = Stack::start_full(
        "gmopg_flow",
        &[("LINKPAY_GMOPG_TEST_API_URL", &fake.base_url)],
        &[("FORM_ACTION_ORIGINS", &fake.base_url)],
    )
    .await;
    let shop = fake.add_shop();
    let (status, made) = stack
        .api(
            Method::POST,
            "/v1/provider_accounts",
            Some(json!({"provider": "gmopg", "credentials": {
                "shop_id": shop.shop_id, "shop_pass": shop.shop_pass, "config_id": shop.config_id}})),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let webhook_url = made["webhook_url"]
        .as_str()
        .expect("webhook_url")
        .to_owned();
    let path = webhook_url
        .split_once("/providers/")
        .expect("path")
        .1
        .to_owned();
    fake.set_notify_url(&shop, &format!("{}/providers/{path}", stack.origin_url));

    let b = Browser::start("ja").await;
    let link = stack
        .create_link(
            json!({"amount": 5400, "currency": "JPY", "title": "茶道体験", "locale": "ja"}),
        )
        .await;
    b.open(link["url"].as_str().expect("url")).await;
    b.click("#pay-button").await;
    b.wait_for("#cardNumber").await;
    b.assert_at(&format!(
        "{}/v1/plus/{}/checkout/",
        fake.base_url, shop.shop_id
    ))
    .await;
    b.screenshot("gmopg-1-card-page").await;
    b.type_into("#cardNumber", "4000000000000101").await;
    b.type_into("#expiry", "12/34").await;
    b.type_into("#securityCode", "123").await;
    b.click("#pay").await;
    b.wait_for("#tds-complete").await;
    b.click("#tds-complete").await;
    b.wait_for("#return").await;
    b.click("#return").await;
    b.wait_for("#result").await;
    b.screenshot("gmopg-2-result").await;
    assert_eq!(b.outcome().await, "paid");
    assert_eq!(charge_of(&stack, &link).await["status"], "succeeded");

    let link = stack
        .create_link(json!({"amount": 1100, "currency": "JPY", "title": "煎茶"}))
        .await;
    b.open(link["url"].as_str().expect("url")).await;
    b.click("#pay-button").await;
    b.wait_for("#cardNumber").await;
    b.type_into("#cardNumber", "4000000000009995").await;
    b.click("#pay").await;
    b.wait_for("#return").await;
    b.click("#return").await;
    b.wait_for("#result").await;
    assert_eq!(b.outcome().await, "declined");
    let c = charge_of(&stack, &link).await;
    assert_eq!(
        (c["status"].clone(), c["failure_code"].clone()),
        (json!("failed"), json!("insufficient_funds"))
    );

    // Paid, tab closed: GMO-PG's notification (which the fake keeps; delivered here as GMO-PG
    // would post it) settles it.
    let link = stack
        .create_link(json!({"amount": 700, "currency": "JPY", "title": "抹茶"}))
        .await;
    b.open(link["url"].as_str().expect("url")).await;
    b.click("#pay-button").await;
    b.wait_for("#cardNumber").await;
    let order = b.at().await.rsplit('/').next().expect("order").to_owned();
    b.close().await;
    fake.take_notifications();
    fake.pay_without_return(&order, "4111111111111111");
    for body in fake.take_notifications() {
        let r = stack
            .http
            .post(format!("{}/providers/{path}", stack.origin_url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("origin answers");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.text().await.expect("body"), "0");
    }
    assert_eq!(charge_of(&stack, &link).await["status"], "succeeded");
}
