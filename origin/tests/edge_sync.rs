//! Display state reaches the worker even when the worker was away: the origin keeps it queued
//! and pushes it, signed, once the worker answers.

use crate::common::{EDGE_SECRET, Origin};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use linkpay_origin::services::edge_sync::{self, Pushed};
use linkpay_shared::{SecretKey, channel};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// A stand-in for the worker's `POST /internal/v1/kv`: checks the channel signature as the
/// worker does, answers 503 while `down`, and keeps what it accepted.
#[derive(Clone, Default)]
struct FakeWorker {
    down: Arc<Mutex<bool>>,
    accepted: Arc<Mutex<Vec<Value>>>,
}

async fn start_fake(worker: FakeWorker) -> String {
    let app = axum::Router::new().route(
        "/internal/v1/kv",
        post(move |headers: HeaderMap, body: Bytes| {
            let worker = worker.clone();
            async move {
                let h = |n| headers.get(n).and_then(|v| v.to_str().ok());
                let secret = SecretKey::from_base64url(EDGE_SECRET).expect("secret");
                let now = linkpay_origin::base::clock::system_now();
                if channel::verify(
                    &secret,
                    h(channel::TIMESTAMP_HEADER),
                    h(channel::SIGNATURE_HEADER),
                    "POST",
                    "/internal/v1/kv",
                    &body,
                    now,
                )
                .is_err()
                {
                    return StatusCode::UNAUTHORIZED;
                }
                if *worker.down.lock().expect("lock") {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                let v: Value = serde_json::from_slice(&body).expect("json");
                worker.accepted.lock().expect("lock").push(v);
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn queued_state_survives_a_worker_outage_and_arrives_signed() {
    let worker = FakeWorker {
        down: Arc::new(Mutex::new(true)),
        ..Default::default()
    };
    let url = start_fake(worker.clone()).await;
    let o = Origin::start_with(&[("LINKPAY_EDGE_URL", &url)]).await;
    let client = reqwest::Client::new();
    let push = async || {
        edge_sync::push_once(&o.state.services, &client)
            .await
            .expect("push")
    };

    let r = o
        .post(
            "/v1/links",
            &json!({"amount": 100, "currency": "JPY", "title": "Tea"}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let link = r.json();
    let code = link["short_url"]
        .as_str()
        .expect("short url")
        .rsplit('/')
        .next()
        .expect("code")
        .to_owned();
    let id = link["id"].as_str().expect("id");
    o.post(
        &format!("/v1/links/{id}/deactivate"),
        r#"{"message":"Closed"}"#,
    )
    .await;

    // The worker is down: nothing is lost, the entries wait with a retry time after the
    // failure.
    let before = o.state.clock.now();
    assert_eq!(push().await, Pushed::Failed);
    assert_eq!(o.count("SELECT COUNT(*) FROM edge_sync").await, 2);
    assert_eq!(
        o.count(&format!(
            "SELECT COUNT(*) FROM edge_sync
              WHERE attempts = 1 AND last_error IS NOT NULL AND next_attempt_at > {before}"
        ))
        .await,
        2
    );
    // Not due yet: a second round sends nothing. The first retry is one second away, so the
    // round looks from a minute earlier: on a slow machine the next second could otherwise
    // begin between the two rounds and make the entries due.
    o.state.clock.advance(-60);
    assert_eq!(push().await, Pushed::Nothing);
    o.state.clock.advance(60);

    // The worker is back and the retry is due.
    *worker.down.lock().expect("lock") = false;
    sqlx::query("UPDATE edge_sync SET next_attempt_at = 0")
        .execute(o.state.db.writer())
        .await
        .expect("make due");
    assert_eq!(push().await, Pushed::Some);
    assert_eq!(o.count("SELECT COUNT(*) FROM edge_sync").await, 0);
    let accepted = worker.accepted.lock().expect("lock").clone();
    assert_eq!(accepted.len(), 1);
    let puts = accepted[0]["put"].as_array().expect("puts");
    let token = link["url"]
        .as_str()
        .expect("url")
        .rsplit('/')
        .next()
        .expect("token");
    assert!(
        puts.iter()
            .any(|p| p["key"] == format!("p:{code}") && p["value"] == token)
    );
    let state = puts
        .iter()
        .find(|p| p["key"] == format!("s:{id}"))
        .expect("state pushed");
    let state: Value = serde_json::from_str(state["value"].as_str().expect("value")).expect("json");
    assert_eq!(state, json!({"status": "deactivated", "message": "Closed"}));
    assert!(puts.iter().all(|p| p["expiration"].as_i64().is_some()));
}
