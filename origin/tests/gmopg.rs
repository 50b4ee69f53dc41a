//! GMO Payment Gateway through a real origin and the local fake of its Link type Plus and
//! protocol APIs (tests/src/fake_gmopg.rs): a shop connected (its id and password checked
//! with GMO-PG), a card paid on GMO-PG's page and confirmed by SearchTrade, 3-D Secure, a
//! decline, manual capture of part, partial and whole refunds, a void, a return whose check
//! value was tampered with, a payment finished only by the result notification, a forged
//! notification, GMO-PG down, and yen only.

use crate::common::{Origin, PUBLIC_URL, Reply};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use linkpay_e2e::fake_gmopg::{FakeGmoPg, FakeShop};
use serde_json::{Value, json};

struct Shop {
    o: Origin,
    fake: FakeGmoPg,
    shop: FakeShop,
    id: String,
}

async fn shop() -> Shop {
    let fake = FakeGmoPg::start().await;
    let o = Origin::start_with(&[("LINKPAY_GMOPG_TEST_API_URL", &fake.base_url)]).await;
    let shop = fake.add_shop();
    let creds = |pass: &str| {
        json!({"provider": "gmopg", "description": "Kyoto shop",
               "credentials": {"shop_id": shop.shop_id, "shop_pass": pass, "config_id": shop.config_id}})
        .to_string()
    };
    let wrong = o
        .post("/v1/provider_accounts", &creds("not-the-password"))
        .await;
    wrong.assert_refused(StatusCode::UNPROCESSABLE_ENTITY, "credentials_invalid");
    assert_eq!(wrong.json()["error"]["param"], "credentials[shop_pass]");
    assert!(text(&wrong.json()["error"]["message"]).starts_with("Kyoto shop: GMO-PG refused"));
    assert!(!wrong.text().contains("not-the-password"));
    let r = o
        .post("/v1/provider_accounts", &creds(&shop.shop_pass))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["account"]["id"], shop.shop_id.as_str());
    assert!(!r.text().contains(&shop.shop_pass));
    let id = text(&r.json()["id"]);
    fake.set_notify_url(
        &shop,
        &format!("{PUBLIC_URL}/providers/gmopg/accounts/{id}/webhooks"),
    );
    Shop { o, fake, shop, id }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// Checks out a link; answers (charge id, GMO-PG's page, OrderID).
async fn checkout(s: &Shop, link: Value) -> (String, String, String) {
    let (link_id, token) = s.o.link(&link.to_string()).await;
    let r = s.o.checkout(&token).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let page = text(&r.json()["redirect_url"]);
    assert!(page.starts_with(&s.fake.base_url), "{page}");
    let order = page.rsplit('/').next().expect("order").to_owned();
    let charges = s.o.list_data(&format!("/v1/links/{link_id}/charges")).await;
    (text(&charges[0]["id"]), page, order)
}

/// The buyer types a card on GMO-PG's page; answers the `result` their browser brings back.
async fn pay(s: &Shop, page: &str, order: &str, card: &str) -> String {
    let r = reqwest::Client::new()
        .post(page)
        .form(&[("card", card), ("expiry", "12/34"), ("cvc", "123")])
        .send()
        .await
        .expect("GMO-PG's page answers");
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.expect("page");
    assert!(
        html.contains(&format!("action=\"{PUBLIC_URL}/return/gmopg\"")),
        "{html}"
    );
    s.fake.result(order).expect("a result for the browser")
}

/// The browser posts the result back to the origin.
async fn come_back(o: &Origin, result: &str) -> Reply {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("result", result)
        .finish();
    o.send(
        Request::post("/return/gmopg")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .expect("request"),
    )
    .await
}

async fn charge(o: &Origin, id: &str) -> Value {
    o.get_json(&format!("/v1/charges/{id}")).await
}

async fn notify(s: &Shop, body: &str) -> Reply {
    s.o.send(
        Request::post(format!("/providers/gmopg/accounts/{}/webhooks", s.id))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_owned()))
            .expect("request"),
    )
    .await
}

#[tokio::test]
async fn a_card_paid_at_gmo_pg_is_confirmed_by_search_and_a_tampered_return_changes_nothing() {
    let s = shop().await;
    let (id, page, order) = checkout(
        &s,
        json!({"amount": 3300, "currency": "JPY", "title": "抹茶セット"}),
    )
    .await;
    assert_eq!(order.len(), 25, "the charge id without its prefix");
    let created = s
        .fake
        .requests()
        .into_iter()
        .find(|r| r.starts_with("GetLinkplusUrlPayment"))
        .expect("asked");
    assert!(
        created.contains("\"Amount\":3300") && created.contains("\"JobCd\":\"CAPTURE\""),
        "{created}"
    );
    let result = pay(&s, &page, &order, "4111 1111 1111 1111").await;
    // Tampered: another check value, or the parameter set changed under the same value.
    let (alpha, gamma) = result.split_once('.').expect("α.γ");
    let forged_gamma = format!("{alpha}.{}", "0".repeat(gamma.len()));
    let forged_alpha = format!("{}A.{gamma}", &alpha[..alpha.len() - 1]);
    for forged in [forged_gamma, forged_alpha] {
        let r = come_back(&s.o, &forged).await;
        assert!(
            r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::NOT_FOUND,
            "{}: {}",
            r.status,
            r.text()
        );
        assert_eq!(
            charge(&s.o, &id).await["status"],
            "pending",
            "nothing changed"
        );
    }
    let r = come_back(&s.o, &result).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let c = charge(&s.o, &id).await;
    assert_eq!(
        (
            c["status"].clone(),
            c["amount"].clone(),
            c["provider"].clone()
        ),
        (json!("succeeded"), json!(3300), json!("gmopg")),
        "{c}"
    );
    assert!(
        s.fake
            .requests()
            .iter()
            .any(|r| r.starts_with("SearchTrade.idPass") && r.contains(&order))
    );
}

#[tokio::test]
async fn three_d_secure_manual_capture_of_part_refunds_and_a_void() {
    let s = shop().await;
    let manual =
        json!({"amount": 1500, "currency": "JPY", "title": "Tea", "capture_method": "manual"});
    let (id, page, order) = checkout(&s, manual.clone()).await;
    // 3-D Secure: the challenge, passed.
    let r = reqwest::Client::new()
        .post(&page)
        .form(&[("card", "4000000000000101")])
        .send()
        .await
        .expect("page");
    assert!(r.text().await.expect("html").contains("tds-complete"));
    reqwest::Client::new()
        .post(format!("{page}/3ds"))
        .form(&[("outcome", "complete")])
        .send()
        .await
        .expect("3ds");
    let result = s.fake.result(&order).expect("result");
    assert_eq!(come_back(&s.o, &result).await.status, StatusCode::SEE_OTHER);
    assert_eq!(charge(&s.o, &id).await["status"], "authorized");
    assert_eq!(s.fake.transaction(&order).expect("t").status, "AUTH");

    let r =
        s.o.post(&format!("/v1/charges/{id}/capture"), r#"{"amount": 1000}"#)
            .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let t = s.fake.transaction(&order).expect("t");
    assert_eq!(
        (t.status.as_str(), t.amount),
        ("SALES", 1000),
        "ChangeTran to 1000, then SALES"
    );
    let r =
        s.o.post(&format!("/v1/charges/{id}/refund"), r#"{"amount": 300}"#)
            .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        s.fake.transaction(&order).expect("t").amount,
        700,
        "a lower total"
    );
    let r =
        s.o.post(&format!("/v1/charges/{id}/refund"), r#"{"amount": 700}"#)
            .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        s.fake.transaction(&order).expect("t").status,
        "RETURN",
        "the rest returned"
    );
    let c = charge(&s.o, &id).await;
    assert_eq!(
        (c["amount_captured"].clone(), c["amount_refunded"].clone()),
        (json!(1000), json!(1000)),
        "{c}"
    );

    let (void_id, page, order) = checkout(&s, manual).await;
    let result = pay(&s, &page, &order, "4111111111111111").await;
    come_back(&s.o, &result).await;
    let r = s.o.post(&format!("/v1/charges/{void_id}/void"), "{}").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(s.fake.transaction(&order).expect("t").status, "VOID");
    assert_eq!(charge(&s.o, &void_id).await["status"], "voided");
}

#[tokio::test]
async fn a_decline_and_a_buyer_who_leaves_end_the_charge() {
    let s = shop().await;
    let (id, page, order) = checkout(
        &s,
        json!({"amount": 2000, "currency": "JPY", "title": "Tea"}),
    )
    .await;
    let result = pay(&s, &page, &order, "4000000000009995").await;
    assert_eq!(come_back(&s.o, &result).await.status, StatusCode::SEE_OTHER);
    let c = charge(&s.o, &id).await;
    assert_eq!(
        (c["status"].clone(), c["failure_code"].clone()),
        (json!("failed"), json!("insufficient_funds")),
        "{c}"
    );

    let (left, page, order) = checkout(
        &s,
        json!({"amount": 2000, "currency": "JPY", "title": "Tea"}),
    )
    .await;
    reqwest::get(format!("{page}/cancel"))
        .await
        .expect("cancel");
    let result = s.fake.result(&order).expect("result");
    assert_eq!(come_back(&s.o, &result).await.status, StatusCode::SEE_OTHER);
    let c = charge(&s.o, &left).await;
    assert_eq!(
        (c["status"].clone(), c["failure_code"].clone()),
        (json!("failed"), json!("payment_canceled")),
        "{c}"
    );
}

#[tokio::test]
async fn the_result_notification_alone_finishes_a_payment_and_a_forged_one_is_refused() {
    let s = shop().await;
    let (id, _, order) = checkout(
        &s,
        json!({"amount": 1200, "currency": "JPY", "title": "Tea"}),
    )
    .await;
    s.fake.pay_without_return(&order, "4111111111111111");
    let sent = s.fake.take_notifications();
    assert_eq!(sent.len(), 1);
    let forged = sent[0].replace(&format!("ShopPass={}", s.shop.shop_pass), "ShopPass=guess");
    let r = notify(&s, &forged).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let r = notify(&s, &sent[0]).await;
    assert_eq!(
        (r.status, r.text()),
        (StatusCode::OK, "0".to_owned()),
        "GMO-PG wants 0"
    );
    assert_eq!(charge(&s.o, &id).await["status"], "succeeded");
    // GMO-PG's connectivity check.
    let check = format!(
        "ShopID={}&ShopPass={}&ErrInfo=E00000000",
        s.shop.shop_id, s.shop.shop_pass
    );
    let r = notify(&s, &check).await;
    assert_eq!((r.status, r.text()), (StatusCode::OK, "0".to_owned()));
}

#[tokio::test]
async fn gmo_pg_down_fails_the_checkout_at_once_and_other_currencies_are_refused() {
    let s = shop().await;
    s.fake.go_down();
    let (link_id, token) =
        s.o.link(r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#)
            .await;
    let r = s.o.checkout(&token).await;
    r.assert_refused(StatusCode::BAD_GATEWAY, "provider_unavailable");
    let charges = s.o.list_data(&format!("/v1/links/{link_id}/charges")).await;
    assert_eq!(charges[0]["status"], "failed", "never left pending");
    s.fake.come_back();
    let (_, token) =
        s.o.link(r#"{"amount":1500,"currency":"USD","title":"Tea"}"#)
            .await;
    let r = s.o.checkout(&token).await;
    r.assert_refused(StatusCode::UNPROCESSABLE_ENTITY, "currency_unsupported");
    assert!(r.text().contains("yen"), "{}", r.text());
}
