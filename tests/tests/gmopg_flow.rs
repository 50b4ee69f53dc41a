//! GMO Payment Gateway in Chromium, through the real worker and origin and the local GMO-PG
//! fake: a buyer pays on GMO-PG's page after 3-D Secure and is posted back to the shop's
//! result page; a return whose check value the buyer tampered with changes nothing; a decline
//! ends on the result page too; manual-capture payments are captured in part, refunded in
//! part, or voided; a buyer who pays and closes the tab is settled by GMO-PG's result
//! notification.

use linkpay_e2e::Stack;
use linkpay_e2e::browser::Browser;
use linkpay_e2e::fake_gmopg::FakeGmoPg;
use reqwest::Method;
use serde_json::{Value, json};

/// Opens a link and pays it on GMO-PG's page with a card without 3-D Secure; answers the
/// OrderID.
async fn pay_at_gmopg(b: &Browser, link: &Value) -> String {
    b.open(link["url"].as_str().expect("url")).await;
    b.click("#pay-button").await;
    b.wait_for("#cardNumber").await;
    let order = b.at().await.rsplit('/').next().expect("order").to_owned();
    b.type_into("#cardNumber", "4111111111111111").await;
    b.type_into("#expiry", "12/34").await;
    b.type_into("#securityCode", "123").await;
    b.click("#pay").await;
    b.wait_for("#return").await;
    b.click("#return").await;
    b.wait_for("#result").await;
    order
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
    // The buyer edits the check value of the result before it is posted back: refused.
    let genuine = b.attr("input[name=result]", "value").await.expect("result");
    let (params, _) = genuine.split_once('.').expect("α.γ");
    let forged = format!("{params}.{}", "0".repeat(43));
    b.run(&format!(
        "document.querySelector('input[name=result]').value = '{forged}'"
    ))
    .await;
    b.click("#return").await;
    b.wait_for_text("could not be verified").await;
    b.screenshot("gmopg-2-tampered-return").await;
    assert_eq!(stack.charge_of(&link).await["status"], "pending");
    b.client.back().await.expect("back");
    b.wait_for("#return").await;
    b.run(&format!(
        "document.querySelector('input[name=result]').value = '{genuine}'"
    ))
    .await;
    b.click("#return").await;
    b.wait_for("#result").await;
    b.screenshot("gmopg-3-result").await;
    assert_eq!(b.outcome().await, "paid");
    assert_eq!(stack.charge_of(&link).await["status"], "succeeded");

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
    let c = stack.charge_of(&link).await;
    assert_eq!(
        (c["status"].clone(), c["failure_code"].clone()),
        (json!("failed"), json!("insufficient_funds"))
    );

    // Manual capture: authorized in the browser, captured in part and refunded in part
    // through the API; another authorization is voided.
    let manual = |amount: i64| json!({"amount": amount, "currency": "JPY", "title": "茶器", "capture_method": "manual"});
    let link = stack.create_link(manual(8000)).await;
    let order = pay_at_gmopg(&b, &link).await;
    assert_eq!(b.outcome().await, "paid");
    let c = stack.charge_of(&link).await;
    assert_eq!(c["status"], "authorized", "{c}");
    assert_eq!(fake.transaction(&order).expect("t").status, "AUTH");
    let id = c["id"].as_str().expect("id").to_owned();
    let c = stack
        .charge_action(&id, "capture", json!({"amount": 6000}))
        .await;
    assert_eq!(
        (c["status"].clone(), c["amount_captured"].clone()),
        (json!("succeeded"), json!(6000))
    );
    let t = fake.transaction(&order).expect("t");
    assert_eq!((t.status.as_str(), t.amount), ("SALES", 6000));
    let c = stack
        .charge_action(&id, "refund", json!({"amount": 1500}))
        .await;
    assert_eq!(c["amount_refunded"], 1500, "{c}");
    assert_eq!(
        fake.transaction(&order).expect("t").amount,
        4500,
        "a lower total"
    );
    let link = stack.create_link(manual(2000)).await;
    let order = pay_at_gmopg(&b, &link).await;
    let id = stack.charge_of(&link).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let c = stack.charge_action(&id, "void", json!({})).await;
    assert_eq!(c["status"], "voided", "{c}");
    assert_eq!(fake.transaction(&order).expect("t").status, "VOID");

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
    assert_eq!(stack.charge_of(&link).await["status"], "succeeded");
}
