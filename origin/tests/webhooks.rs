//! Webhook delivery to a real HTTP receiver on loopback: signed, retried until it succeeds.

mod common;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::Origin;
use linkpay_shared::webhook::WebhookSecret;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Default)]
struct Receiver {
    /// Answers 500 to this many requests first.
    fail_first: Arc<Mutex<u32>>,
    received: Arc<Mutex<Vec<(HeaderMap, Bytes, StatusCode)>>>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let status = {
        let mut left = r.fail_first.lock().expect("lock");
        if *left > 0 {
            *left -= 1;
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::OK
        }
    };
    r.received
        .lock()
        .expect("lock")
        .push((headers, body, status));
    status
}

async fn start_receiver(fail_first: u32) -> (String, Receiver) {
    let receiver = Receiver {
        fail_first: Arc::new(Mutex::new(fail_first)),
        ..Default::default()
    };
    let app = Router::new()
        .route("/hooks", post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, receiver)
}

async fn wait_for(mut done: impl FnMut() -> bool, what: &str) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_gets_the_signed_event_on_retry() {
    let o = Origin::start_with(&[("LINKPAY_WEBHOOK_RETRY_SCHEDULE", "1s,1s,1s")]).await;
    tokio::spawn(linkpay_origin::webhooks::delivery::run(o.state.clone()));
    let (url, receiver) = start_receiver(2).await;
    let endpoint = o
        .api(
            "POST",
            "/v1/webhook_endpoints",
            Some(&format!(r#"{{"url":"{url}"}}"#)),
        )
        .await
        .json();
    let secret = WebhookSecret::parse(endpoint["secret"].as_str().expect("secret")).expect("whsec");

    let (_, token) = o
        .link(r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#)
        .await;
    let result = common::open_result(&o.pay(&token, "4242424242424242").await);

    let received = receiver.received.clone();
    wait_for(
        || {
            received
                .lock()
                .expect("lock")
                .iter()
                .any(|(_, _, s)| *s == StatusCode::OK)
        },
        "a successful delivery",
    )
    .await;
    let got = receiver.received.lock().expect("lock").clone();
    assert_eq!(got.len(), 3, "two failures, then success");
    let ids: Vec<_> = got
        .iter()
        .map(|(h, _, _)| h["webhook-id"].to_str().expect("id").to_owned())
        .collect();
    assert!(
        ids.iter().all(|i| *i == ids[0]),
        "retries keep the webhook-id"
    );
    for (headers, body, _) in &got {
        let h = |n: &str| headers[n].to_str().expect("header");
        secret
            .verify(
                h("webhook-id"),
                h("webhook-timestamp"),
                h("webhook-signature"),
                body,
                linkpay_origin::clock::now(),
                300,
            )
            .expect("signature verifies");
    }
    let event: serde_json::Value = serde_json::from_slice(&got[2].1).expect("json");
    assert_eq!(event["type"], "charge.complete");
    assert_eq!(
        event["data"]["id"].as_str(),
        Some(result.charge_id.as_str())
    );
    assert_eq!(event["data"]["status"], "succeeded");
    assert_eq!(o.count("SELECT attempts FROM webhook_deliveries").await, 3);
    assert_eq!(
        o.count("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'succeeded'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_charge_is_announced_too_and_retries_stop_after_the_schedule() {
    let o = Origin::start_with(&[("LINKPAY_WEBHOOK_RETRY_SCHEDULE", "1s")]).await;
    tokio::spawn(linkpay_origin::webhooks::delivery::run(o.state.clone()));
    let (url, receiver) = start_receiver(u32::MAX).await;
    o.api(
        "POST",
        "/v1/webhook_endpoints",
        Some(&format!(r#"{{"url":"{url}"}}"#)),
    )
    .await;
    let (_, token) = o
        .link(r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#)
        .await;
    o.pay(&token, "4000000000000002").await;

    let received = receiver.received.clone();
    wait_for(|| received.lock().expect("lock").len() >= 2, "two attempts").await;
    let db = o.state.db.clone();
    let mut failed = 0;
    for _ in 0..100 {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'failed'")
                .fetch_one(db.reader())
                .await
                .expect("q");
        failed = n;
        if failed == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(failed, 1, "gives up after the last scheduled retry");
    let got = receiver.received.lock().expect("lock").clone();
    assert_eq!(got.len(), 2);
    let event: serde_json::Value = serde_json::from_slice(&got[0].1).expect("json");
    assert_eq!(
        (
            event["data"]["status"].as_str(),
            event["data"]["failure_code"].as_str()
        ),
        (Some("failed"), Some("card_declined"))
    );
}
