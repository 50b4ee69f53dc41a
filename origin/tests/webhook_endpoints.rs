//! Webhook endpoints managed by API, the events they receive, and how delivery treats
//! receivers that fail, stall, ask for time, or are gone — against real HTTP receivers.

use crate::common::{self, Origin, eventually};
use axum::http::StatusCode;
use linkpay_e2e::fields;
use linkpay_e2e::receiver::{Answer, Receiver};
use linkpay_origin::base::clock::system_now;
use linkpay_shared::webhook::WebhookSecret;
use serde_json::{Value, json};
use std::time::Duration;

fn secret(endpoint: &Value) -> WebhookSecret {
    WebhookSecret::parse(endpoint["secret"].as_str().expect("secret")).expect("whsec")
}

async fn new_link(o: &Origin) -> String {
    o.link(r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#)
        .await
        .0
}

async fn deliveries(o: &Origin, event: &str) -> Vec<Value> {
    o.list_data(&format!("/v1/events/{event}/deliveries")).await
}

#[tokio::test]
async fn endpoints_are_created_listed_updated_disabled_and_deleted() {
    let o = Origin::start().await;
    let created = o.endpoint(json!({"url": "https://shop.example/hooks", "enabled_events": ["charge.complete", "link.created"], "description": "orders"}),
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("we_"));
    assert!(common::text(&created["secret"]).starts_with("whsec_"));
    assert_eq!(
        created["enabled_events"],
        json!(["charge.complete", "link.created"])
    );
    assert_eq!(created["status"], "enabled");

    let got = o.get_json(&format!("/v1/webhook_endpoints/{id}")).await;
    assert!(got.get("secret").is_none(), "the secret is shown once");
    assert_eq!(got["description"], "orders");
    let default = o.endpoint(json!({"url": "https://other.example/h"})).await;
    assert_eq!(default["enabled_events"], json!(["*"]));
    let list = o.get_json("/v1/webhook_endpoints?limit=1").await;
    assert_eq!(list["data"][0]["id"], default["id"], "newest first");
    assert_eq!(list["has_more"], true);
    assert!(list["data"][0].get("secret").is_none());

    // A wrong event name is refused by its position, and nothing changes.
    let r = o
        .post(
            &format!("/v1/webhook_endpoints/{id}"),
            r#"{"url":"https://shop.example/v2","enabled_events":["link.created","charge.paid"]}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["param"], "enabled_events[1]");
    assert!(common::text(&r.json()["error"]["message"]).contains("charge.paid"));
    let unchanged = o.get_json(&format!("/v1/webhook_endpoints/{id}")).await;
    assert_eq!(unchanged["url"], "https://shop.example/hooks");

    let updated = o.post(&format!("/v1/webhook_endpoints/{id}"), r#"{"url":"https://shop.example/v2","enabled_events":["*"],"description":"","disabled":true}"#)
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text());
    let updated = updated.json();
    assert_eq!(
        fields(
            &updated,
            "url enabled_events description status disabled_reason"
        ),
        json!([
            "https://shop.example/v2",
            ["*"],
            null,
            "disabled",
            "merchant"
        ])
    );
    let enabled = o
        .post(
            &format!("/v1/webhook_endpoints/{id}"),
            r#"{"disabled":false}"#,
        )
        .await
        .json();
    assert_eq!(
        fields(&enabled, "status disabled_reason"),
        json!(["enabled", null])
    );

    let r = o
        .api("DELETE", &format!("/v1/webhook_endpoints/{id}"), None)
        .await;
    assert_eq!(
        r.json(),
        json!({"id": id, "object": "webhook_endpoint", "deleted": true})
    );
    for (method, path) in [
        ("GET", format!("/v1/webhook_endpoints/{id}")),
        ("DELETE", format!("/v1/webhook_endpoints/{id}")),
        ("POST", format!("/v1/webhook_endpoints/{id}/rotate_secret")),
    ] {
        let r = o.api(method, &path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
}

#[tokio::test]
async fn urls_into_private_networks_are_refused_unless_allowed() {
    let o = Origin::start_with(&[("LINKPAY_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "false")]).await;
    // Not the shape the document gives: 400.
    for url in ["ftp://shop.example/hooks", "https:///hooks"] {
        let r = o
            .post("/v1/webhook_endpoints", &json!({ "url": url }).to_string())
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{url}: {}", r.text());
        assert_eq!(r.json()["error"]["param"], "url", "{url}");
    }
    for (url, says) in [
        ("http://localhost:9000/hooks", "loopback"),
        ("http://api.localhost/hooks", "loopback"),
        ("http://127.0.0.1:9000/hooks", "loopback"),
        ("http://10.0.0.5/hooks", "private"),
        ("http://192.168.1.20/hooks", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://100.64.1.1/hooks", "carrier-grade"),
        ("http://0.0.0.0/hooks", "unspecified"),
        ("http://[::1]/hooks", "loopback"),
        ("http://[fd00::1]/hooks", "unique local"),
        ("http://[::ffff:127.0.0.1]/hooks", "loopback"),
    ] {
        let r = o
            .post("/v1/webhook_endpoints", &json!({ "url": url }).to_string())
            .await;
        // A URL of the right shape whose host is private: 422.
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            r.text()
        );
        assert_eq!(r.json()["error"]["param"], "url", "{url}");
        let message = r.json()["error"]["message"]
            .as_str()
            .expect("message")
            .to_owned();
        assert!(message.contains(says), "{url}: {message}");
    }
    assert_eq!(
        o.count("SELECT COUNT(*) FROM webhook_endpoints").await,
        0,
        "nothing refused was saved"
    );
    // A public address is fine, and an update is checked the same way.
    let ok = o
        .endpoint(json!({"url": "https://203.0.113.10/hooks"}))
        .await;
    let r = o
        .post(
            &format!("/v1/webhook_endpoints/{}", ok["id"].as_str().expect("id")),
            r#"{"url":"http://127.0.0.1/hooks"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["param"], "url");
}

/// A URL that was fine when registered may point inside later (DNS rebinding), so the sender
/// checks again: here the stored URLs point at a live loopback receiver, which gets nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_to_private_addresses_are_refused_at_send_time_too() {
    let o = Origin::delivering(&[
        ("LINKPAY_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "false"),
        ("LINKPAY_WEBHOOK_RETRY_SCHEDULE", "1h"),
    ])
    .await;
    let (url, receiver) = Receiver::start(0).await;
    let ok = o
        .endpoint(json!({"url": "https://203.0.113.10/hooks"}))
        .await;
    let by_name = o
        .endpoint(json!({"url": "https://203.0.113.11/hooks"}))
        .await;
    // As if DNS now answered with a loopback address: once literally, once by name.
    for (e, target) in [
        (&ok, url.clone()),
        (&by_name, url.replace("127.0.0.1", "localhost")),
    ] {
        sqlx::query("UPDATE webhook_endpoints SET url = $1 WHERE id = $2")
            .bind(&target)
            .bind(e["id"].as_str().expect("id"))
            .execute(o.state.db.writer())
            .await
            .expect("update");
    }
    new_link(&o).await;
    let errors: Vec<String> = eventually("both attempts", async || {
        let rows: Vec<(Option<String>,)> = sqlx::query_as("SELECT error FROM webhook_attempts")
            .fetch_all(o.state.db.reader())
            .await
            .expect("attempts");
        (rows.len() == 2).then(|| rows.into_iter().map(|r| r.0.unwrap_or_default()).collect())
    })
    .await;
    for e in &errors {
        assert!(
            e.contains("refused") || e.contains("non-public"),
            "attempt error says why: {e}"
        );
    }
    assert!(receiver.snapshot().is_empty(), "nothing reached loopback");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_endpoint_gets_the_events_it_asked_for_and_the_events_api_lists_them() {
    let o = Origin::delivering(&[]).await;
    let (all_url, all) = Receiver::start(0).await;
    let (created_url, created_only) = Receiver::start(0).await;
    let e_all = o.endpoint(json!({ "url": all_url })).await;
    o.endpoint(json!({ "url": created_url, "enabled_events": ["link.created"] }))
        .await;
    let link = new_link(&o).await;
    let r = o
        .api("POST", &format!("/v1/links/{link}/deactivate"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);

    eventually("two events at the catch-all endpoint", async || {
        (all.snapshot().len() == 2).then_some(())
    })
    .await;
    let kinds = |r: &Receiver| -> Vec<String> {
        r.snapshot()
            .iter()
            .map(|d| {
                let v: Value = serde_json::from_slice(&d.body).expect("json");
                v["type"].as_str().expect("type").to_owned()
            })
            .collect()
    };
    let mut got = kinds(&all);
    got.sort();
    assert_eq!(got, ["link.created", "link.deactivated"]);
    assert_eq!(kinds(&created_only), ["link.created"]);
    let key = secret(&e_all);
    for d in all.snapshot() {
        d.verify(&key, 300).expect("signed");
    }

    let list = o.get_json("/v1/events").await;
    let data = list["data"].as_array().expect("data");
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["type"], "link.deactivated", "newest first");
    assert_eq!(data[0]["data"]["id"], link.as_str());
    assert_eq!(data[0]["data"]["status"], "deactivated");
    let first_page = o.get_json("/v1/events?limit=1").await;
    assert_eq!(first_page["has_more"], true);
    let newest = first_page["data"][0]["id"].as_str().expect("id").to_owned();
    let second = o
        .get_json(&format!("/v1/events?limit=1&starting_after={newest}"))
        .await;
    assert_eq!(second["data"][0]["type"], "link.created");
    assert_eq!(second["has_more"], false);
    let filtered = o.get_json("/v1/events?type=link.created").await;
    assert_eq!(filtered["data"].as_array().expect("data").len(), 1);
    let r = o.api("GET", "/v1/events?type=link.paid", None).await;
    assert_eq!(
        (r.status, r.json()["error"]["param"].clone()),
        (StatusCode::BAD_REQUEST, json!("type"))
    );
    let one = o.get_json(&format!("/v1/events/{newest}")).await;
    assert_eq!(one["id"], newest.as_str());
    assert_eq!(one["object"], "event");
    // The webhook body is the event the API shows.
    let sent = all
        .snapshot()
        .into_iter()
        .find(|d| d.id == newest)
        .expect("sent");
    let body: Value = serde_json::from_slice(&sent.body).expect("json");
    assert_eq!(body["data"], one["data"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn during_a_rotation_both_secrets_sign_and_afterwards_only_the_new_one() {
    let o = Origin::delivering(&[]).await;
    let (url, receiver) = Receiver::start(0).await;
    let created = o.endpoint(json!({ "url": url })).await;
    let id = created["id"].as_str().expect("id");
    let old = secret(&created);

    let r = o
        .post(
            &format!("/v1/webhook_endpoints/{id}/rotate_secret"),
            r#"{"expire_previous_in":3600}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let rotated = r.json();
    assert_ne!(rotated["secret"], created["secret"]);
    assert!(rotated["previous_secret_expires"].as_i64().expect("until") > system_now() + 3500);
    let new = secret(&rotated);
    new_link(&o).await;
    let d = eventually("a delivery", async || receiver.snapshot().pop()).await;
    assert_eq!(d.signature.split(' ').count(), 2, "{}", d.signature);
    for key in [&old, &new] {
        d.verify(key, 300)
            .expect("each secret verifies during the overlap");
    }

    let r = o
        .post(
            &format!("/v1/webhook_endpoints/{id}/rotate_secret"),
            r#"{"expire_previous_in":0}"#,
        )
        .await;
    let newest = secret(&r.json());
    new_link(&o).await;
    let d = eventually("a second delivery", async || {
        let all = receiver.snapshot();
        (all.len() == 2).then(|| all[1].clone())
    })
    .await;
    assert_eq!(d.signature.split(' ').count(), 1);
    d.verify(&newest, 300).expect("the new secret verifies");
    assert!(
        d.verify(&new, 300).is_err(),
        "a secret rotated out with no overlap no longer signs"
    );

    let r = o
        .post(
            &format!("/v1/webhook_endpoints/{id}/rotate_secret"),
            r#"{"expire_previous_in":604801}"#,
        )
        .await;
    assert_eq!(r.json()["error"]["param"], "expire_previous_in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_410_disables_the_endpoint_and_resend_works_once_it_is_enabled_again() {
    let o = Origin::delivering(&[("LINKPAY_WEBHOOK_RETRY_SCHEDULE", "1s,1s")]).await;
    let (url, receiver) = Receiver::scripted(vec![Answer::Status(410)]).await;
    let created = o.endpoint(json!({ "url": url })).await;
    let id = created["id"].as_str().expect("id").to_owned();
    new_link(&o).await;
    let disabled = eventually("the endpoint disabled", async || {
        let e = o.get_json(&format!("/v1/webhook_endpoints/{id}")).await;
        (e["status"] == "disabled").then_some(e)
    })
    .await;
    assert_eq!(disabled["disabled_reason"], "gone");
    let event = o.get_json("/v1/events").await["data"][0]["id"]
        .as_str()
        .expect("event")
        .to_owned();
    let d = deliveries(&o, &event).await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["status"], "failed", "no retry after 410");
    assert_eq!(d[0]["attempts"][0]["status_code"], 410);

    // A disabled endpoint gets no new deliveries, and cannot be resent to.
    new_link(&o).await;
    assert_eq!(o.count("SELECT COUNT(*) FROM webhook_deliveries").await, 1);
    let resend = |endpoint: String| {
        let o = o.clone_handle();
        let event = event.clone();
        async move {
            o.post(
                &format!("/v1/events/{event}/resend"),
                &json!({ "endpoint": endpoint }).to_string(),
            )
            .await
        }
    };
    let r = resend(id.clone()).await;
    assert_eq!(
        (r.status, r.error_code()),
        (StatusCode::CONFLICT, "endpoint_disabled".to_owned())
    );
    let r = resend("we_nope".into()).await;
    assert_eq!(r.json()["error"]["param"], "endpoint");

    o.post(
        &format!("/v1/webhook_endpoints/{id}"),
        r#"{"disabled":false}"#,
    )
    .await;
    let r = resend(id.clone()).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    eventually("the resent event", async || {
        receiver
            .snapshot()
            .iter()
            .any(|d| d.id == event && d.answered == 200)
            .then_some(())
    })
    .await;
    let d = deliveries(&o, &event).await;
    assert_eq!(d.len(), 2);
    assert!(d.iter().any(|d| d["status"] == "succeeded"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured_and_a_stalled_receiver_times_out() {
    let o = Origin::delivering(&[
        ("LINKPAY_WEBHOOK_RETRY_SCHEDULE", "1s,1s"),
        ("LINKPAY_WEBHOOK_TIMEOUT", "300ms"),
    ])
    .await;
    let (slow_url, slow) = Receiver::scripted(vec![Answer::Slow(Duration::from_secs(3))]).await;
    let (busy_url, _busy) = Receiver::scripted(vec![Answer::RetryAfter(503, "7200".into())]).await;
    let e_slow = o.endpoint(json!({ "url": slow_url })).await;
    o.endpoint(json!({ "url": busy_url })).await;
    new_link(&o).await;
    let event = o.get_json("/v1/events").await["data"][0]["id"]
        .as_str()
        .expect("event")
        .to_owned();
    let d = eventually("the slow endpoint's retry to succeed", async || {
        let d = deliveries(&o, &event).await;
        d.iter()
            .all(|d| d["attempt_count"].as_i64() >= Some(1))
            .then_some(d.clone())
            .filter(|d| {
                d.iter()
                    .any(|d| d["endpoint"] == e_slow["id"] && d["status"] == "succeeded")
            })
    })
    .await;
    for delivery in &d {
        let first = &delivery["attempts"][0];
        if delivery["endpoint"] == e_slow["id"] {
            assert_eq!(first["error"], "timed out");
            assert!(first["duration_ms"].as_i64().expect("ms") < 2500);
            assert_eq!(delivery["attempts"][1]["status_code"], 200);
        } else {
            assert_eq!(first["status_code"], 503);
            let next = delivery["next_attempt"].as_i64().expect("pending");
            let at = first["attempted"].as_i64().expect("attempted");
            assert!(next - at >= 7200, "Retry-After 7200 beats the 1s schedule");
            assert_eq!(delivery["status"], "pending");
        }
    }
    assert!(slow.snapshot().len() >= 2);
}

#[tokio::test]
async fn an_expired_link_is_announced_once_even_when_two_instances_sweep() {
    let o = Origin::start().await;
    o.endpoint(json!({"url": "https://shop.example/hooks"}))
        .await;
    let link = new_link(&o).await;
    let later = system_now() + 400 * 24 * 3600;
    let other = o.clone_handle();
    let (a, b) = tokio::join!(
        linkpay_origin::services::webhooks::expiry::announce_expired(&o.state.services, later),
        linkpay_origin::services::webhooks::expiry::announce_expired(&other.state.services, later),
    );
    assert_eq!(a.expect("sweep") + b.expect("sweep"), 1);
    assert_eq!(
        linkpay_origin::services::webhooks::expiry::announce_expired(&o.state.services, later)
            .await
            .expect("sweep"),
        0
    );
    let events = o.get_json("/v1/events?type=link.expired").await;
    assert_eq!(events["data"].as_array().expect("data").len(), 1);
    assert_eq!(events["data"][0]["data"]["id"], link.as_str());
    assert_eq!(
        o.count("SELECT COUNT(*) FROM webhook_deliveries d JOIN events e ON e.id = d.event_id WHERE e.type = 'link.expired'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_refund_is_announced_as_charge_update_once() {
    let o = Origin::delivering(&[]).await;
    let (url, receiver) = Receiver::start(0).await;
    let e = o
        .endpoint(json!({ "url": url, "enabled_events": ["charge.update"] }))
        .await;
    let (_, token) = o
        .link(r#"{"amount":1500,"currency":"JPY","title":"Tea","single_use":false}"#)
        .await;
    let paid = common::open_result(&o.pay(&token, "4242424242424242").await).charge_id;
    let declined = common::open_result(&o.pay(&token, "4000000000000002").await).charge_id;

    // Two refunds at once: the provider refunds once, and one event says so.
    let refund = |id: String| {
        let o = o.clone_handle();
        async move {
            o.api("POST", &format!("/v1/charges/{id}/refund"), None)
                .await
        }
    };
    let (a, b) = tokio::join!(refund(paid.clone()), refund(paid.clone()));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let (ok, conflict) = if a.status == StatusCode::OK {
        (a, b)
    } else {
        (b, a)
    };
    assert_eq!(conflict.error_code(), "charge_already_refunded");
    let charge = ok.json();
    assert_eq!(
        fields(&charge, "status refunded amount_refunded paid"),
        json!(["refunded", true, 1500, true])
    );
    assert_eq!(
        o.count("SELECT COUNT(*) FROM sandbox_payments WHERE status = 'refunded'")
            .await,
        1
    );

    let d = eventually("the charge.update webhook", async || {
        receiver.snapshot().pop()
    })
    .await;
    let body: Value = serde_json::from_slice(&d.body).expect("json");
    assert_eq!(body["type"], "charge.update");
    assert_eq!(body["data"]["id"], paid.as_str());
    assert_eq!(body["data"]["status"], "refunded");
    d.verify(&secret(&e), 300).expect("signed");
    assert_eq!(
        o.count("SELECT COUNT(*) FROM events WHERE type = 'charge.update'")
            .await,
        1
    );

    let r = refund(declined).await;
    assert_eq!(
        (r.status, r.error_code()),
        (StatusCode::CONFLICT, "charge_not_refundable".to_owned())
    );
    let r = refund("ch_missing".into()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
