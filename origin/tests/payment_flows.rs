//! Payment flows through the sandbox provider: 3-D Secure, the wallet page, manual capture,
//! void, partial refunds, and what happens to forged returns and notifications.

use crate::common::{Origin, Reply, local, open_result};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use linkpay_e2e::fields;
use linkpay_origin::base::clock::system_now;
use linkpay_origin::providers::sandbox::notify;
use linkpay_shared::result::Outcome;
use serde_json::{Value, json};

const MANUAL: &str = r#"{"amount":1000,"currency":"JPY","title":"Camera","single_use":false,"capture_method":"manual"}"#;

/// Starts a checkout with `method` and answers the provider page the buyer is sent to.
async fn checkout(o: &Origin, token: &str, method: Option<&str>) -> Reply {
    let mut body = json!({"token": token, "locale": "en"});
    if let Some(m) = method {
        body["payment_method"] = m.into();
    }
    o.send(Origin::signed_checkout(&body, system_now())).await
}

async fn redirect_of(o: &Origin, token: &str, method: Option<&str>) -> String {
    let r = checkout(o, token, method).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["redirect_url"]
        .as_str()
        .expect("redirect")
        .to_owned()
}

/// Posts the card form and answers where the sandbox sends the buyer.
async fn pay_card(o: &Origin, page: &str, card: &str) -> String {
    let form = format!("number={card}&expiry=12%2F30&cvc=123");
    let posted = o.post_form(page, &form).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.text());
    posted.location.expect("location")
}

/// Answers a 3-D Secure challenge or the wallet's page with `form`; answers where the sandbox
/// sends the buyer back to.
async fn decide(o: &Origin, page: &str, form: &str) -> String {
    o.post_form(page, form).await.location.expect("back")
}

/// Follows the provider's return to the origin; answers the edge URL the buyer ends on.
async fn come_back(o: &Origin, return_url: &str) -> String {
    let r = o.get(return_url).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.location.expect("result")
}

/// Comes back from the provider to a result page that says declined, for `code`.
async fn assert_declined(o: &Origin, back: &str, code: &str) {
    let result = open_result(&come_back(o, back).await);
    assert_eq!(
        (result.outcome, result.failure_code.as_deref()),
        (Outcome::Declined, Some(code))
    );
}

async fn charge(o: &Origin, id: &str) -> Value {
    o.get_json(&format!("/v1/charges/{id}")).await
}

async fn sandbox_row(o: &Origin, charge_id: &str) -> (String, i64, i64) {
    sqlx::query_as(
        "SELECT s.status, s.amount_captured, s.amount_refunded FROM sandbox_payments s
           JOIN charges c ON c.provider_ref = s.id WHERE c.id = $1",
    )
    .bind(charge_id)
    .fetch_one(o.state.db.reader())
    .await
    .expect("sandbox payment")
}

#[tokio::test]
async fn three_d_secure_challenges_pass_fail_and_decline_after_passing() {
    let (o, link, token) =
        Origin::with_link(r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#).await;
    // Failed authentication: declined, and the link stays payable.
    let page = redirect_of(&o, &token, None).await;
    let challenge = pay_card(&o, &page, "4000000000003220").await;
    assert!(challenge.starts_with("/sandbox/3ds/"), "{challenge}");
    let shown = o.get(&challenge).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.text().contains("3220"),
        "the challenge names the card"
    );
    // The card page is over once the challenge is open.
    assert_eq!(
        o.get(&page).await.location.as_deref(),
        Some(challenge.as_str())
    );
    let back = decide(&o, &challenge, "result=fail").await;
    assert_declined(&o, &back, "authentication_failed").await;

    // Passed after 4000 0084 0000 1629: declined by the issuer all the same.
    let page = redirect_of(&o, &token, None).await;
    let challenge = pay_card(&o, &page, "4000008400001629").await;
    let back = decide(&o, &challenge, "result=pass").await;
    assert_declined(&o, &back, "card_declined").await;

    // Passed: paid, and a second submit of the challenge changes nothing.
    let page = redirect_of(&o, &token, None).await;
    let challenge = pay_card(&o, &page, "4000000000003220").await;
    let back = decide(&o, &challenge, "result=pass").await;
    let again = o.post_form(&challenge, "result=fail").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let paid = open_result(&come_back(&o, &back).await);
    assert_eq!(paid.outcome, Outcome::Paid);
    let c = charge(&o, &paid.charge_id).await;
    assert_eq!(
        fields(&c, "status payment_method.card.last4"),
        json!(["succeeded", "3220"])
    );
    let l = o.get_json(&format!("/v1/links/{link}")).await;
    assert_eq!(l["status"], "used");
}

#[tokio::test]
async fn the_wallet_is_offered_only_once_enabled_and_its_buyer_approves_or_cancels() {
    let (o, _, token) =
        Origin::with_link(r#"{"amount":2000,"currency":"JPY","title":"Lunch","single_use":false}"#)
            .await;
    let r = checkout(&o, &token, Some("wallet")).await;
    assert_eq!(
        (r.status, r.error_code(), r.json()["error"]["param"].clone()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "payment_method_unavailable".to_owned(),
            json!("payment_method")
        )
    );
    let r = checkout(&o, &token, Some("bitcoin")).await;
    assert_eq!(r.error_code(), "payment_method_unavailable");

    let s = o
        .post(
            "/v1/payment_method_settings",
            r#"{"wallet":{"enabled":true}}"#,
        )
        .await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text());
    assert_eq!(s.json()["enabled"], json!(["card", "wallet"]));
    // The edge hears of it through KV.
    let queued: (String,) = sqlx::query_as("SELECT value FROM edge_sync WHERE key LIKE 'm:%'")
        .fetch_one(o.state.db.reader())
        .await
        .expect("queued for the edge");
    let queued: Value = serde_json::from_str(&queued.0).expect("json");
    assert_eq!(queued["payment_methods"], json!(["card", "wallet"]));
    assert_eq!(
        queued["branding"],
        json!({"layout": "standard"}),
        "linkpay's look"
    );

    // Approve.
    let page = redirect_of(&o, &token, Some("wallet")).await;
    let wallet = o.get(&page).await.location.expect("to the wallet page");
    assert!(wallet.starts_with("/sandbox/wallet/"), "{wallet}");
    assert!(o.get(&wallet).await.text().contains("wallet-approve"));
    let back = decide(&o, &wallet, "action=approve").await;
    let paid = open_result(&come_back(&o, &back).await);
    assert_eq!(paid.outcome, Outcome::Paid);
    let c = charge(&o, &paid.charge_id).await;
    assert_eq!(
        fields(&c, "status payment_method"),
        json!(["succeeded", {"type": "wallet"}])
    );

    // Cancel.
    let page = redirect_of(&o, &token, Some("wallet")).await;
    let wallet = o.get(&page).await.location.expect("to the wallet page");
    let back = decide(&o, &wallet, "action=cancel").await;
    let canceled = open_result(&come_back(&o, &back).await);
    assert_eq!(canceled.failure_code.as_deref(), Some("payment_canceled"));
    assert_eq!(charge(&o, &canceled.charge_id).await["status"], "failed");

    // Settings are checked: one method must stay, and providers must be known.
    for (body, param) in [
        (r#"{"wallet":{"provider":"paypay"}}"#, "wallet[provider]"),
        (r#"{"wallet":{"enabled":"yes"}}"#, "wallet[enabled]"),
    ] {
        let r = o.post("/v1/payment_method_settings", body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.json()["error"]["param"], param, "{body}");
    }
    // Both off would leave buyers no way to pay: a conflict with what the settings become.
    let r = o
        .post(
            "/v1/payment_method_settings",
            r#"{"card":{"enabled":false},"wallet":{"enabled":false}}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert_eq!(r.json()["error"]["param"], "card[enabled]");
    let s = o.get_json("/v1/payment_method_settings").await;
    assert_eq!(
        s["enabled"],
        json!(["card", "wallet"]),
        "nothing saved half"
    );
}

/// Pays a manual-capture link with 4242 and answers the authorized charge's id.
async fn authorize(o: &Origin, token: &str) -> String {
    let page = redirect_of(o, token, None).await;
    let back = pay_card(o, &page, "4242424242424242").await;
    let result = open_result(&come_back(o, &back).await);
    assert_eq!(
        result.outcome,
        Outcome::Paid,
        "an authorization is paid for the buyer"
    );
    result.charge_id
}

#[tokio::test]
async fn manual_capture_then_partial_refunds_up_to_the_captured_amount() {
    let o = Origin::start().await;
    let (_, token) = o.link(MANUAL).await;
    let id = authorize(&o, &token).await;
    let c = charge(&o, &id).await;
    assert_eq!(
        fields(&c, "status captured capture_method"),
        json!(["authorized", false, "manual"])
    );
    let window = c["capture_before"].as_i64().expect("capture_before") - system_now();
    assert!(
        (30 * 86_400 - 60..=30 * 86_400).contains(&window),
        "{window}"
    );
    assert_eq!(sandbox_row(&o, &id).await, ("authorized".into(), 0, 0));

    // Refusals leave the charge as it was.
    let r = o.post(&format!("/v1/charges/{id}/refund"), "{}").await;
    assert_eq!(r.error_code(), "charge_not_refundable");
    let r = o
        .post(&format!("/v1/charges/{id}/capture"), r#"{"amount":1001}"#)
        .await;
    r.assert_refused(StatusCode::CONFLICT, "amount_too_large");
    assert_eq!(r.json()["error"]["param"], "amount");
    let r = o
        .post(&format!("/v1/charges/{id}/capture"), r#"{"amount":0}"#)
        .await;
    assert_eq!(r.error_code(), "amount_invalid");
    assert_eq!(charge(&o, &id).await, c, "unchanged");

    let r = o
        .post(&format!("/v1/charges/{id}/capture"), r#"{"amount":800}"#)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let captured = r.json();
    assert_eq!(
        fields(&captured, "status amount_captured captured"),
        json!(["succeeded", 800, true])
    );
    assert_eq!(sandbox_row(&o, &id).await, ("succeeded".into(), 800, 0));
    for (path, code) in [
        ("capture", "charge_already_captured"),
        ("void", "charge_already_captured"),
    ] {
        let r = o.post(&format!("/v1/charges/{id}/{path}"), "{}").await;
        assert_eq!(
            (r.status, r.error_code()),
            (StatusCode::CONFLICT, code.into()),
            "{path}"
        );
    }

    let refund_path = format!("/v1/charges/{id}/refund");
    let refund = async |body: &str| o.post(&refund_path, body).await;
    let r = refund(r#"{"amount":300,"reason":"requested_by_customer"}"#).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        fields(&r.json(), "amount_refunded status"),
        json!([300, "succeeded"])
    );
    let r = refund(r#"{"amount":501}"#).await;
    r.assert_refused(StatusCode::CONFLICT, "amount_too_large");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("500")
    );
    let r = refund(r#"{"reason":"because"}"#).await;
    assert_eq!(r.json()["error"]["param"], "reason");
    let r = refund("{}").await;
    assert_eq!(r.status, StatusCode::OK, "the rest: {}", r.text());
    assert_eq!(
        fields(&r.json(), "amount_refunded status"),
        json!([800, "refunded"])
    );
    let r = refund(r#"{"amount":1}"#).await;
    assert_eq!(r.error_code(), "charge_already_refunded");
    assert_eq!(sandbox_row(&o, &id).await, ("refunded".into(), 800, 800));

    let refunds = o.get_json(&format!("/v1/charges/{id}/refunds")).await;
    let amounts: Vec<(i64, &str)> = refunds["data"]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| {
            (
                r["amount"].as_i64().unwrap_or(0),
                r["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(amounts, [(300, "succeeded"), (500, "succeeded")]);
    assert_eq!(refunds["data"][0]["reason"], "requested_by_customer");
    // One charge.update for the capture and one per refund.
    assert_eq!(
        o.count("SELECT COUNT(*) FROM events WHERE type = 'charge.update'")
            .await,
        3
    );
}

#[tokio::test]
async fn an_authorization_can_be_voided_whole_and_then_not_captured() {
    let o = Origin::start().await;
    let (_, token) = o.link(MANUAL).await;
    let id = authorize(&o, &token).await;
    let r = o.post(&format!("/v1/charges/{id}/void"), "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "voided");
    assert_eq!(sandbox_row(&o, &id).await.0, "voided");
    let r = o.post(&format!("/v1/charges/{id}/capture"), "{}").await;
    r.assert_refused(StatusCode::CONFLICT, "charge_not_authorized");
    let r = o.post(&format!("/v1/charges/{id}/void"), "{}").await;
    assert_eq!(r.error_code(), "charge_not_authorized");
    assert_eq!(sandbox_row(&o, &id).await, ("voided".into(), 0, 0));
    // An automatic charge has nothing to capture or void.
    let (_, auto) = o
        .link(r#"{"amount":500,"currency":"JPY","title":"Pen"}"#)
        .await;
    let paid = open_result(&o.pay(&auto, "4242424242424242").await).charge_id;
    let r = o.post(&format!("/v1/charges/{paid}/void"), "{}").await;
    assert_eq!(r.error_code(), "charge_already_captured");
    for path in ["capture", "void", "refund"] {
        let r = o.post(&format!("/v1/charges/ch_nope/{path}"), "{}").await;
        assert_eq!(
            (r.status, r.error_code()),
            (StatusCode::NOT_FOUND, "resource_missing".into()),
            "{path}"
        );
    }
    let r = o.api("GET", "/v1/charges/ch_nope/refunds", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = o
        .post(
            "/v1/links",
            r#"{"amount":5,"currency":"JPY","title":"x","capture_method":"later"}"#,
        )
        .await;
    assert_eq!(r.json()["error"]["param"], "capture_method");
}

#[tokio::test]
async fn forged_returns_and_notifications_are_not_trusted() {
    let (o, _, token) =
        Origin::with_link(r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#).await;
    let page = redirect_of(&o, &token, None).await;
    let payment = page.rsplit('/').next().expect("id").to_owned();
    let (charge_id,): (String,) = sqlx::query_as("SELECT id FROM charges WHERE provider_ref = $1")
        .bind(&payment)
        .fetch_one(o.state.db.reader())
        .await
        .expect("charge");

    // A return claiming success while the buyer has not paid: back to the provider's page.
    let r = o
        .get(&format!(
            "/return/sandbox?payment_id={payment}&status=succeeded&sig=forged"
        ))
        .await;
    assert_eq!(r.location.as_deref().map(local), Some(local(&page)));
    assert_eq!(charge(&o, &charge_id).await["status"], "pending");

    // A notification claiming success with a bad signature: refused, and the sandbox asked.
    let body = json!({"payment_id": payment, "status": "succeeded", "amount_captured": 1500,
                      "decline_code": null, "card_brand": "visa", "card_last4": "4242", "authorized_until": null})
        .to_string();
    let forged = notify::sign(b"not the secret", system_now(), body.as_bytes());
    let r = notification(&o, &body, Some(&forged)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = notification(&o, &body, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(charge(&o, &charge_id).await["status"], "pending");
    assert_eq!(
        o.count("SELECT COUNT(*) FROM events WHERE type = 'charge.complete'")
            .await,
        0
    );

    // The buyer pays; the sandbox's signed notification settles the charge before any return.
    let back = pay_card(&o, &page, "4242424242424242").await;
    let secret = notify::secret(&o.state.config.edge_secret);
    let (status, captured): (String, i64) =
        sqlx::query_as("SELECT status, amount_captured FROM sandbox_payments WHERE id = $1")
            .bind(&payment)
            .fetch_one(o.state.db.reader())
            .await
            .expect("payment");
    assert_eq!((status.as_str(), captured), ("succeeded", 1500));
    let genuine = notify::sign(&secret, system_now(), body.as_bytes());
    let r = notification(&o, &body, Some(&genuine)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(charge(&o, &charge_id).await["status"], "succeeded");
    // The return that follows finds it settled, and nothing happens twice.
    assert_eq!(
        open_result(&come_back(&o, &back).await).outcome,
        Outcome::Paid
    );
    assert_eq!(
        o.count("SELECT COUNT(*) FROM events WHERE type = 'charge.complete'")
            .await,
        1
    );
}

async fn notification(o: &Origin, body: &str, sig: Option<&str>) -> Reply {
    let mut req = Request::post("/providers/sandbox/notifications")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(s) = sig {
        req = req.header(notify::SIGNATURE_HEADER, s);
    }
    o.send(req.body(Body::from(body.to_owned())).expect("req"))
        .await
}
