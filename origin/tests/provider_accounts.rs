//! Provider accounts: what is refused before the provider is asked, each refusal naming the
//! account and the field and saving nothing, and a provider that cannot be reached.
//! (Accounts checked with the provider, and payments through them, are in `stripe.rs`.)

use crate::common::Origin;
use axum::http::StatusCode;
use serde_json::json;

async fn accounts(o: &Origin) -> usize {
    o.list_data("/v1/provider_accounts").await.len()
}

#[tokio::test]
async fn bad_fields_are_named_and_nothing_is_saved() {
    // Nothing listens on port 9: a check that got as far as Stripe would fail differently.
    let o = Origin::start_with(&[("LINKPAY_STRIPE_API_URL", "http://127.0.0.1:9")]).await;
    let live = o.live().await;
    let cases = [
        (
            &o,
            json!({"provider": "paypal", "credentials": {"secret_key": "sk_test_1"}}),
            "provider",
            "parameter_invalid",
            StatusCode::BAD_REQUEST,
        ),
        (
            &o,
            json!({"provider": "stripe"}),
            "credentials",
            "parameter_missing",
            StatusCode::BAD_REQUEST,
        ),
        (
            &o,
            json!({"provider": "stripe", "credentials": {}}),
            "credentials[secret_key]",
            "parameter_missing",
            StatusCode::BAD_REQUEST,
        ),
        (
            &o,
            json!({"provider": "stripe", "credentials": {"secret_key": "sk_test_1", "pin": "1"}}),
            "credentials[pin]",
            "parameter_unknown",
            StatusCode::BAD_REQUEST,
        ),
        (
            &o,
            json!({"provider": "stripe", "credentials": {"secret_key": "pk_test_123"}}),
            "credentials[secret_key]",
            "credentials_invalid",
            StatusCode::BAD_REQUEST,
        ),
        // A live Stripe key on a test-mode account, and a test key on a live one.
        (
            &o,
            json!({"provider": "stripe", "credentials": {"secret_key": "sk_live_123"}}),
            "credentials[secret_key]",
            "credentials_invalid",
            StatusCode::CONFLICT,
        ),
        (
            &live,
            json!({"provider": "stripe", "credentials": {"secret_key": "sk_test_123"}}),
            "credentials[secret_key]",
            "credentials_invalid",
            StatusCode::CONFLICT,
        ),
        (
            &o,
            json!({"provider": "stripe", "credentials": {"secret_key": "sk_test_123", "webhook_secret": "secret"}}),
            "credentials[webhook_secret]",
            "credentials_invalid",
            StatusCode::BAD_REQUEST,
        ),
        (
            &o,
            json!({"provider": "stripe", "credentials": {"secret_key": "sk_test_123"}, "payment_methods": ["wallet"]}),
            "payment_methods[0]",
            "parameter_invalid",
            StatusCode::BAD_REQUEST,
        ),
    ];
    // A key of the other mode conflicts with the account's mode: 409.
    for (who, body, param, code, status) in cases {
        let r = who.post("/v1/provider_accounts", &body.to_string()).await;
        r.assert_refused(status, code);
        assert_eq!(r.json()["error"]["param"], param, "{}", r.text());
        assert!(
            !r.text().contains("sk_test_123") && !r.text().contains("sk_live_123"),
            "no key echoed: {}",
            r.text()
        );
    }
    let r = live
        .post("/v1/provider_accounts", &json!({"provider": "stripe", "description": "Tokyo shop", "credentials": {"secret_key": "sk_test_123"}}).to_string())
        .await;
    let message = r.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.starts_with("Tokyo shop: ") && message.contains("live mode"),
        "names the account and the mode: {message}"
    );
    assert_eq!((accounts(&o).await, accounts(&live).await), (0, 0));
}

#[tokio::test]
async fn a_provider_that_cannot_be_reached_saves_nothing_and_says_to_try_again() {
    let o = Origin::start_with(&[("LINKPAY_STRIPE_API_URL", "http://127.0.0.1:9")]).await;
    let r = o
        .post(
            "/v1/provider_accounts",
            &json!({"provider": "stripe", "credentials": {"secret_key": "sk_test_51Unreachable"}})
                .to_string(),
        )
        .await;
    r.assert_refused(StatusCode::BAD_GATEWAY, "provider_unavailable");
    assert_eq!(r.json()["error"]["param"], "credentials[secret_key]");
    assert!(r.text().contains("nothing was saved"), "{}", r.text());
    assert!(!r.text().contains("sk_test_51Unreachable"));
    assert_eq!(accounts(&o).await, 0);
    assert_eq!(o.count("SELECT COUNT(*) FROM provider_accounts").await, 0);
}
