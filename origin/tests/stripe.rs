//! Stripe, through a real origin and the local fake that speaks Stripe's wire format and
//! checks every request against Stripe's OpenAPI document (tests/src/fake_stripe): accounts
//! connected in each mode, payment on Stripe's hosted page, 3-D Secure, declines, manual
//! capture, void and partial refunds, a payment finished only by webhook, forged and replayed
//! webhooks and returns, and Stripe being down.

use crate::common::{Origin, PUBLIC_URL, Reply};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use linkpay_e2e::fake_stripe::{FakeAccount, FakeStripe};
use serde_json::{Value, json};

struct Shop {
    o: Origin,
    fake: FakeStripe,
    account: FakeAccount,
    /// Our provider account (`pa_…`).
    id: String,
    webhook_secret: String,
}

/// An origin whose merchant has a Stripe account of the mode connected for cards, its
/// webhooks captured by the fake for the test to hand over.
async fn shop(live: bool) -> Shop {
    let fake = FakeStripe::start().await;
    let base = Origin::start_with(&[("LINKPAY_STRIPE_API_URL", fake.base_url())]).await;
    let o = if live { base.live().await } else { base };
    let account = fake.add_account(live);
    let r = o
        .post(
            "/v1/provider_accounts",
            &json!({"provider": "stripe", "description": "Tea shop",
                    "credentials": {"secret_key": account.secret_key}})
            .to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let made = r.json();
    assert_eq!(
        made["account"]["id"],
        account.id.as_str(),
        "Stripe said whose key it is"
    );
    assert_eq!(
        (made["livemode"].clone(), made["payment_methods"].clone()),
        (json!(live), json!(["card"]))
    );
    assert!(
        !r.text().contains(&account.secret_key),
        "the key is never shown"
    );
    let id = made["id"].as_str().expect("id").to_owned();
    assert_eq!(
        made["webhook_url"],
        format!("{PUBLIC_URL}/providers/stripe/accounts/{id}/webhooks")
    );
    let webhook_secret = fake.register_webhook(&account, "capture://linkpay");
    let r = o
        .post(
            &format!("/v1/provider_accounts/{id}"),
            &json!({"credentials": {"webhook_secret": webhook_secret}}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    Shop {
        o,
        fake,
        account,
        id,
        webhook_secret,
    }
}

/// Checks out a new link; answers (charge id, Stripe's page URL, session id).
async fn checkout(s: &Shop, link: Value) -> (String, String, String) {
    let (link_id, token) = s.o.link(&link.to_string()).await;
    let r = s.o.checkout(&token).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let page = r.json()["redirect_url"].as_str().expect("page").to_owned();
    assert!(
        page.starts_with(s.fake.base_url()),
        "sent to Stripe's page: {page}"
    );
    let session = page.rsplit('/').next().expect("session").to_owned();
    let charges = s.o.list_data(&format!("/v1/links/{link_id}/charges")).await;
    (text(&charges[0]["id"]), page, session)
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Types `card` on Stripe's page; answers the status and where the browser is sent.
async fn type_card(page: &str, card: &str) -> (u16, Option<String>, String) {
    let r = no_redirects()
        .post(page)
        .form(&[
            ("card_number", card),
            ("expiry", "12 / 34"),
            ("cvc", "123"),
            ("email", "buyer@example.com"),
        ])
        .send()
        .await
        .expect("Stripe's page answers");
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, location, r.text().await.unwrap_or_default())
}

/// The browser follows Stripe's redirect back to the origin.
async fn come_back(o: &Origin, url: &str) -> Reply {
    let path = url.strip_prefix(PUBLIC_URL).expect("back to the origin");
    o.get(path).await
}

async fn charge(o: &Origin, id: &str) -> Value {
    o.get_json(&format!("/v1/charges/{id}")).await
}

/// Hands the webhooks the fake signed to the origin, as Stripe would deliver them.
async fn deliver(s: &Shop) -> Vec<StatusCode> {
    s.fake.settle_deliveries().await;
    let mut answers = Vec::new();
    for (body, signature) in s.fake.take_captured() {
        answers.push(webhook(s, &body, &signature).await.status);
    }
    answers
}

async fn webhook(s: &Shop, body: &str, signature: &str) -> Reply {
    let req = Request::post(format!("/providers/stripe/accounts/{}/webhooks", s.id))
        .header(header::CONTENT_TYPE, "application/json")
        .header("Stripe-Signature", signature)
        .body(Body::from(body.to_owned()))
        .expect("request");
    s.o.send(req).await
}

/// Every request the connector sent was Stripe's own API, authenticated with the account's
/// key, version pinned, every POST with an idempotency key of ours.
fn assert_well_formed(s: &Shop) {
    assert_eq!(s.fake.spec_violations(), Vec::<String>::new());
    for r in s.fake.requests() {
        let h = |n: &str| {
            r.headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            h("authorization"),
            Some(format!("Bearer {}", s.account.secret_key)),
            "{} {}",
            r.method,
            r.path
        );
        assert_eq!(h("stripe-version").as_deref(), Some("2026-10-28.endive"));
        if r.method == "POST" {
            let key = h("idempotency-key").unwrap_or_default();
            assert!(
                key.starts_with("linkpay-"),
                "{} {}: {key:?}",
                r.method,
                r.path
            );
        }
    }
}

#[tokio::test]
async fn a_card_paid_on_stripes_page_settles_from_what_stripe_says_in_either_mode() {
    for live in [false, true] {
        let s = shop(live).await;
        for (amount, currency, minor_at_stripe) in [(1500, "JPY", 1500), (1999, "USD", 1999)] {
            let (id, page, session) = checkout(
                &s,
                json!({"amount": amount, "currency": currency, "title": "Tea"}),
            )
            .await;
            let sent = s.fake.requests();
            let create = sent
                .iter()
                .rev()
                .find(|r| r.path == "/v1/checkout/sessions")
                .expect("a session");
            let price = &create.params["line_items"]["0"]["price_data"];
            assert_eq!(
                price["unit_amount"],
                minor_at_stripe.to_string(),
                "exact minor units"
            );
            assert_eq!(price["currency"], currency.to_ascii_lowercase());
            assert_eq!(create.params["client_reference_id"], id.as_str());
            let (status, back, _) = type_card(&page, "4242 4242 4242 4242").await;
            assert_eq!(status, 303);
            let back = back.expect("success_url");
            assert!(back.contains(&format!("session_id={session}")), "{back}");
            let done = come_back(&s.o, &back).await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
            let c = charge(&s.o, &id).await;
            assert_eq!(
                (
                    c["status"].clone(),
                    c["livemode"].clone(),
                    c["amount"].clone(),
                    c["payment_method"]["card"]["last4"].clone()
                ),
                (
                    json!("succeeded"),
                    json!(live),
                    json!(amount),
                    json!("4242")
                ),
                "{c}"
            );
        }
        assert_eq!(
            deliver(&s)
                .await
                .iter()
                .filter(|st| **st != StatusCode::OK)
                .count(),
            0
        );
        assert_well_formed(&s);
    }
}

#[tokio::test]
async fn three_d_secure_then_manual_capture_partial_refunds_and_a_void() {
    let s = shop(false).await;
    let manual = json!({"amount": 1500, "currency": "JPY", "title": "Camera strap", "capture_method": "manual"});
    let (id, page, _) = checkout(&s, manual.clone()).await;
    let (status, challenge, _) = type_card(&page, "4000 0000 0000 3220").await;
    assert_eq!(status, 303);
    let challenge = challenge.expect("to the 3-D Secure page");
    assert!(challenge.ends_with("/3ds"), "{challenge}");
    let r = no_redirects()
        .post(&challenge)
        .form(&[("outcome", "complete")])
        .send()
        .await
        .expect("challenge");
    let back = r.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert_eq!(come_back(&s.o, &back).await.status, StatusCode::SEE_OTHER);
    let c = charge(&s.o, &id).await;
    assert_eq!(
        (
            c["status"].clone(),
            c["payment_method"]["card"]["last4"].clone()
        ),
        (json!("authorized"), json!("3220")),
        "{c}"
    );

    let capture =
        s.o.post(&format!("/v1/charges/{id}/capture"), r#"{"amount": 1000}"#)
            .await;
    assert_eq!(capture.status, StatusCode::OK, "{}", capture.text());
    for part in [300, 200] {
        let r =
            s.o.post(
                &format!("/v1/charges/{id}/refund"),
                &json!({"amount": part}).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let over =
        s.o.post(&format!("/v1/charges/{id}/refund"), r#"{"amount": 600}"#)
            .await;
    assert_eq!(over.status, StatusCode::CONFLICT, "{}", over.text());
    let c = charge(&s.o, &id).await;
    assert_eq!(
        (c["amount_captured"].clone(), c["amount_refunded"].clone()),
        (json!(1000), json!(500)),
        "{c}"
    );
    let refunds: Vec<i64> = s
        .fake
        .requests()
        .iter()
        .filter(|r| r.path == "/v1/refunds")
        .map(|r| {
            r.params["amount"]
                .as_str()
                .unwrap_or_default()
                .parse()
                .unwrap_or(0)
        })
        .collect();
    assert_eq!(refunds, [300, 200], "only the two refunds reached Stripe");

    let (void_id, page, _) = checkout(&s, manual).await;
    let (status, back, _) = type_card(&page, "4242424242424242").await;
    assert_eq!(status, 303);
    come_back(&s.o, &back.expect("back")).await;
    let voided = s.o.post(&format!("/v1/charges/{void_id}/void"), "{}").await;
    assert_eq!(voided.status, StatusCode::OK, "{}", voided.text());
    assert_eq!(charge(&s.o, &void_id).await["status"], "voided");
    let cancels = s
        .fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/cancel"))
        .count();
    assert_eq!(cancels, 1);
    assert_well_formed(&s);
}

#[tokio::test]
async fn a_decline_shown_at_stripe_then_leaving_fails_the_charge_with_its_code() {
    let s = shop(false).await;
    let (id, page, session) = checkout(
        &s,
        json!({"amount": 2400, "currency": "JPY", "title": "Tea set"}),
    )
    .await;
    let (status, _, html) = type_card(&page, "4000 0000 0000 9995").await;
    assert_eq!(status, 200, "the buyer stays on Stripe's page");
    assert!(html.contains("id=\"card-error\""), "{html}");
    assert_eq!(
        charge(&s.o, &id).await["status"],
        "pending",
        "they may still try another card"
    );
    // They give up: Stripe's back link.
    let cancel = format!("{PUBLIC_URL}/return/stripe?charge={id}&canceled=1");
    assert_eq!(come_back(&s.o, &cancel).await.status, StatusCode::SEE_OTHER);
    let c = charge(&s.o, &id).await;
    assert_eq!(
        (c["status"].clone(), c["failure_code"].clone()),
        (json!("failed"), json!("insufficient_funds")),
        "{c}"
    );
    let expired = s
        .fake
        .requests()
        .iter()
        .any(|r| r.path == format!("/v1/checkout/sessions/{session}/expire"));
    assert!(
        expired,
        "the session is closed at Stripe, so it can no longer be paid"
    );
    assert_well_formed(&s);
}

#[tokio::test]
async fn a_payment_finished_only_by_webhook_and_forged_or_replayed_ones_change_nothing() {
    let s = shop(false).await;
    let (id, _, session) = checkout(
        &s,
        json!({"amount": 1800, "currency": "JPY", "title": "Matcha"}),
    )
    .await;
    s.fake
        .pay_without_return(&session, "4242424242424242")
        .await;
    assert_eq!(
        charge(&s.o, &id).await["status"],
        "pending",
        "nobody came back"
    );
    s.fake.settle_deliveries().await;
    let captured = s.fake.take_captured();
    let (body, signature) = captured
        .iter()
        .find(|(b, _)| b.contains("\"checkout.session.completed\""))
        .cloned()
        .expect("a completed event");
    // Tampered: the same signature over another body.
    let forged = body.replace("1800", "18000");
    assert_eq!(
        webhook(&s, &forged, &signature).await.status,
        StatusCode::BAD_REQUEST
    );
    // Signed with another secret.
    let other = linkpay_e2e::fake_stripe::signature(&body, "whsec_other", now());
    assert_eq!(
        webhook(&s, &body, &other).await.status,
        StatusCode::BAD_REQUEST
    );
    // Genuine, but more than five minutes old: a replay.
    let old = linkpay_e2e::fake_stripe::signature(&body, &s.webhook_secret, now() - 301);
    assert_eq!(
        webhook(&s, &body, &old).await.status,
        StatusCode::BAD_REQUEST
    );
    // The refusals asked Stripe and settled what Stripe says, never what the body says.
    let c = charge(&s.o, &id).await;
    assert_eq!(
        (c["status"].clone(), c["amount"].clone()),
        (json!("succeeded"), json!(1800))
    );
    // The genuine delivery, twice: applied once.
    assert_eq!(webhook(&s, &body, &signature).await.status, StatusCode::OK);
    assert_eq!(webhook(&s, &body, &signature).await.status, StatusCode::OK);
    assert_eq!(s.o.count("SELECT COUNT(*) FROM provider_events").await, 1);
    let events = s.o.list_data("/v1/events?type=charge.complete").await;
    assert_eq!(events.len(), 1, "the merchant hears of it once");
    // Another account's webhook URL cannot touch this account's charges.
    let stranger = s.o.send(
        Request::post("/providers/stripe/accounts/pa_nobody/webhooks")
            .header("Stripe-Signature", &signature)
            .body(Body::from(body.clone()))
            .expect("request"),
    );
    assert_eq!(stranger.await.status, StatusCode::NOT_FOUND);
    assert_well_formed(&s);
}

fn now() -> i64 {
    linkpay_origin::base::clock::system_now()
}

#[tokio::test]
async fn a_return_only_names_a_session_and_is_never_taken_at_its_word() {
    let s = shop(false).await;
    // A made-up session is nobody's payment.
    let forged = format!("{PUBLIC_URL}/return/stripe?session_id=cs_test_forged123");
    assert_eq!(come_back(&s.o, &forged).await.status, StatusCode::NOT_FOUND);
    // A "canceled" return for a session the buyer did pay: Stripe's word stands.
    let (id, _, session) = checkout(
        &s,
        json!({"amount": 900, "currency": "JPY", "title": "Tea"}),
    )
    .await;
    s.fake
        .pay_without_return(&session, "4242424242424242")
        .await;
    let cancel = format!("{PUBLIC_URL}/return/stripe?charge={id}&canceled=1");
    assert_eq!(come_back(&s.o, &cancel).await.status, StatusCode::SEE_OTHER);
    assert_eq!(charge(&s.o, &id).await["status"], "succeeded");
    // A success return for a session nobody paid: nothing is paid.
    let (unpaid, _, unpaid_session) = checkout(
        &s,
        json!({"amount": 900, "currency": "JPY", "title": "Tea"}),
    )
    .await;
    let early = format!("{PUBLIC_URL}/return/stripe?session_id={unpaid_session}");
    come_back(&s.o, &early).await;
    let c = charge(&s.o, &unpaid).await;
    assert_ne!(c["status"], "succeeded", "{c}");
    assert_well_formed(&s);
}

#[tokio::test]
async fn stripe_down_fails_the_checkout_at_once_and_charges_nothing() {
    let s = shop(false).await;
    s.fake.go_down();
    let (link_id, token) =
        s.o.link(r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#)
            .await;
    let r = s.o.checkout(&token).await;
    r.assert_refused(StatusCode::BAD_GATEWAY, "provider_unavailable");
    assert!(r.text().contains("Nothing was charged"), "{}", r.text());
    let charges = s.o.list_data(&format!("/v1/links/{link_id}/charges")).await;
    assert_eq!(
        (
            charges.len(),
            charges[0]["status"].clone(),
            charges[0]["failure_code"].clone()
        ),
        (1, json!("failed"), json!("provider_unavailable")),
        "ended failed, never left pending"
    );
    // Back up: the link can be paid.
    s.fake.come_back();
    let r = s.o.checkout(&token).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // Connecting a new account while Stripe is down saves nothing.
    s.fake.go_down();
    let other = s.fake.add_account(false);
    let r =
        s.o.post(
            "/v1/provider_accounts",
            &json!({"provider": "stripe", "credentials": {"secret_key": other.secret_key}})
                .to_string(),
        )
        .await;
    r.assert_refused(StatusCode::BAD_GATEWAY, "provider_unavailable");
    assert_eq!(s.o.list_data("/v1/provider_accounts").await.len(), 1);
}

#[tokio::test]
async fn a_wrong_key_is_refused_by_stripe_naming_the_account_and_field() {
    let s = shop(false).await;
    let r =
        s.o.post(
            "/v1/provider_accounts",
            &json!({"provider": "stripe", "description": "Osaka shop",
                    "credentials": {"secret_key": "sk_test_51NotAKeyStripeKnows000000"}})
            .to_string(),
        )
        .await;
    r.assert_refused(StatusCode::UNPROCESSABLE_ENTITY, "credentials_invalid");
    let e = &r.json()["error"];
    assert_eq!(e["param"], "credentials[secret_key]");
    assert!(
        text(&e["message"]).starts_with("Osaka shop: Stripe refused"),
        "{e}"
    );
    assert!(!r.text().contains("NotAKey"), "the key is not echoed");
    assert_eq!(s.o.list_data("/v1/provider_accounts").await.len(), 1);
}
