//! Two `linkpay serve` instances on one PostgreSQL database, as behind a load balancer:
//! single use and use limits still hold with checkouts spread across both, and every queued
//! webhook delivery is sent by exactly one of them.

use linkpay_e2e::receiver::Receiver;
use linkpay_e2e::{
    OriginProcess, api, checkout, finish_payment, fresh_postgres_database, http_client,
    pay_via_http,
};
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

const EDGE: &str = "http://edge.invalid";

async fn count(db: &str, sql: &str) -> i64 {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(db).await.expect("connect");
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&mut conn).await.expect(sql);
    n
}

/// The token at the end of a link's `url`.
fn token_of(link: &serde_json::Value) -> String {
    let url = link["url"].as_str().expect("url");
    url.rsplit('/').next().expect("token").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_postgres_safely() {
    let db = fresh_postgres_database().await;
    // Started together on an empty database: exactly one demo merchant results.
    let a = OriginProcess::spawn("scale_out_a", &db, EDGE);
    let b = OriginProcess::spawn("scale_out_b", &db, EDGE);
    let http = http_client();
    a.wait_ready(&http).await;
    b.wait_ready(&http).await;
    assert_eq!(count(&db, "SELECT COUNT(*) FROM merchants").await, 1);
    let key = a
        .api_key()
        .or_else(|| b.api_key())
        .expect("one instance wrote the demo key");
    assert!(
        a.api_key().is_none() || b.api_key().is_none(),
        "only one instance created the merchant"
    );
    let instances = [a.url.as_str(), b.url.as_str()];
    let post = async |instance: usize, path: &str, body: serde_json::Value| {
        let url = instances[instance];
        api(&http, url, &key, reqwest::Method::POST, path, Some(body)).await
    };

    // 1. Fifty buyers race for one single-use link through both instances.
    let (status, link) = post(
        0,
        "/v1/links",
        json!({"amount": 1500, "currency": "JPY", "title": "Race"}),
    )
    .await;
    assert_eq!(status, 201, "{link}");
    let token = token_of(&link);
    let mut racers = tokio::task::JoinSet::new();
    for i in 0..50 {
        let (http, url, token) = (http.clone(), instances[i % 2].to_owned(), token.clone());
        racers.spawn(async move {
            let r = checkout(&http, &url, &token).await;
            let status = r.status().as_u16();
            (status, r.json::<serde_json::Value>().await.expect("json"))
        });
    }
    let mut by_status: HashMap<u16, usize> = HashMap::new();
    while let Some(r) = racers.join_next().await {
        let (status, body) = r.expect("task");
        if status == 409 {
            assert_eq!(body["error"]["code"], "link_in_progress");
        }
        *by_status.entry(status).or_default() += 1;
    }
    assert_eq!(by_status, HashMap::from([(201, 1), (409, 49)]));
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM sandbox_payments").await,
        1,
        "one provider call"
    );

    // 2. Thirty payments through both instances; both run webhook workers on the same queue.
    let (hook, receiver) = Receiver::start(0).await;
    let (status, _) = post(
        1,
        "/v1/webhook_endpoints",
        json!({ "url": hook, "enabled_events": ["charge.complete"] }),
    )
    .await;
    assert_eq!(status, 201);
    let (_, multi) = post(
        0,
        "/v1/links",
        json!({"amount": 500, "currency": "USD", "title": "Tips", "single_use": false}),
    )
    .await;
    let multi = token_of(&multi);
    let payments = 30;
    for i in 0..payments {
        let result = pay_via_http(&http, instances[i % 2], &multi, "4242424242424242").await;
        assert!(result.starts_with(&format!("{EDGE}/r/")), "{result}");
    }
    for _ in 0..200 {
        if receiver.snapshot().len() >= payments {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Give a double claim time to show itself before counting.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got = receiver.snapshot();
    let mut ids: Vec<&str> = got.iter().map(|d| d.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), payments, "every event delivered");
    assert_eq!(got.len(), payments, "no event delivered twice");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'succeeded' AND attempts = 1"
        )
        .await,
        payments as i64
    );

    // 3. A link limited to 4 payments, 24 buyers at once across both instances: buyers told
    // "in progress" retry until they pay or hear the link is used up. Exactly 4 pay.
    let limit = 4;
    let (_, limited) = post(1, "/v1/links", json!({"amount": 900, "currency": "JPY", "title": "Seats", "single_use": false, "usage_limit": limit})).await;
    let limited_id = limited["id"].as_str().expect("id").to_owned();
    let limited = token_of(&limited);
    let mut buyers = tokio::task::JoinSet::new();
    for i in 0..limit + 20 {
        let (http, url, token) = (http.clone(), instances[i % 2].to_owned(), limited.clone());
        buyers.spawn(async move {
            loop {
                let r = checkout(&http, &url, &token).await;
                let status = r.status().as_u16();
                let body: serde_json::Value = r.json().await.expect("json");
                match (status, body["error"]["code"].as_str()) {
                    (201, _) => {
                        let page = body["redirect_url"].as_str().expect("redirect_url");
                        finish_payment(&http, page, "4242424242424242").await;
                        return true;
                    }
                    (409, Some("link_in_progress")) => {
                        tokio::time::sleep(Duration::from_millis(10)).await
                    }
                    (409, Some("link_used_up")) => return false,
                    other => panic!("unexpected checkout answer {other:?}: {body}"),
                }
            }
        });
    }
    let mut paid = 0;
    while let Some(r) = buyers.join_next().await {
        paid += usize::from(r.expect("buyer"));
    }
    assert_eq!(paid, limit);
    assert_eq!(
        count(
            &db,
            &format!("SELECT COUNT(*) FROM charges WHERE link_id = '{limited_id}' AND status = 'succeeded'")
        )
        .await,
        limit as i64
    );
}
