//! Time-driven charge endings: authorizations released after their capture window, and
//! checkouts abandoned at the provider, on a moved clock (the origin's own).

use crate::common::{Origin, open_result};
use axum::http::StatusCode;
use linkpay_e2e::fields;
use linkpay_origin::services::payments::sweep;
use linkpay_shared::result::Outcome;
use serde_json::json;

#[tokio::test]
async fn stale_authorizations_are_released_and_abandoned_checkouts_expire() {
    let o = Origin::start().await;
    let (_, manual) = o
        .link(r#"{"amount":1000,"currency":"JPY","title":"Camera","single_use":false,"capture_method":"manual"}"#)
        .await;
    let result = open_result(&o.pay(&manual, "4242424242424242").await);
    assert_eq!(result.outcome, Outcome::Paid);
    let id = result.charge_id;
    // A buyer who opens the provider's page of an unlimited link and leaves.
    let (_, unlimited) = o
        .link(r#"{"amount":700,"currency":"JPY","title":"Tea","single_use":false}"#)
        .await;
    assert_eq!(o.checkout(&unlimited).await.status, StatusCode::CREATED);
    let abandoned: (String,) = sqlx::query_as("SELECT id FROM charges WHERE amount = 700")
        .fetch_one(o.state.db.reader())
        .await
        .expect("charge");

    assert_eq!(
        sweep::once(&o.state.services).await.expect("sweep"),
        sweep::Swept::default()
    );

    // 26 minutes later every provider's session is over (LINE Pay's lasts 20): it expires.
    o.state.clock.advance(26 * 60);
    let swept = sweep::once(&o.state.services).await.expect("sweep");
    assert_eq!((swept.abandoned, swept.released), (1, 0));
    let c = o.get_json(&format!("/v1/charges/{}", abandoned.0)).await;
    assert_eq!(
        fields(&c, "status failure_code"),
        json!(["expired", "payment_expired"])
    );

    // Past the 30-day window the authorization cannot be captured, and is then released.
    o.state.clock.advance(30 * 86_400);
    let before = o.get_json(&format!("/v1/charges/{id}")).await;
    let r = o.post(&format!("/v1/charges/{id}/capture"), "{}").await;
    assert_eq!(
        (r.status, r.error_code()),
        (StatusCode::CONFLICT, "authorization_expired".to_owned())
    );
    assert_eq!(
        o.get_json(&format!("/v1/charges/{id}")).await,
        before,
        "unchanged"
    );
    let swept = sweep::once(&o.state.services).await.expect("sweep");
    assert_eq!(swept.released, 1);
    let c = o.get_json(&format!("/v1/charges/{id}")).await;
    assert_eq!(
        fields(&c, "status failure_code"),
        json!(["voided", "authorization_expired"])
    );
    let r = o.post(&format!("/v1/charges/{id}/capture"), "{}").await;
    assert_eq!(r.error_code(), "authorization_expired");
    let events = o
        .count("SELECT COUNT(*) FROM events WHERE type = 'charge.update'")
        .await;
    assert_eq!(events, 1, "the release is announced once");
    assert_eq!(
        sweep::once(&o.state.services).await.expect("sweep"),
        sweep::Swept::default(),
        "nothing twice"
    );
}
