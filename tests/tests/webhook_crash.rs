//! Nothing lost: the origin is killed with SIGKILL while 1,000 webhook deliveries are pending
//! and the merchant's receiver is failing. After a restart on the same database, and once the
//! receiver recovers, every event arrives, and every arrival carries a valid signature.

use linkpay_e2e::receiver::Receiver;
use linkpay_e2e::{OriginProcess, api, http_client};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;

const EDGE: &str = "http://edge.invalid";
const LINKS: usize = 1000;
/// Short retries, with enough of them that none runs out while the receiver is down.
const ENV: &[(&str, &str)] = &[
    (
        "LINKPAY_WEBHOOK_RETRY_SCHEDULE",
        "1s,1s,2s,2s,3s,3s,5s,5s,5s,5s,5s,5s,5s,5s",
    ),
    ("LINKPAY_WEBHOOK_TIMEOUT", "1s"),
];

/// Every event id, read back through the events API page by page.
async fn all_event_ids(http: &reqwest::Client, origin: &str, key: &str) -> Vec<String> {
    linkpay_e2e::every_id("/v1/events?limit=100", async |path| {
        let (status, page) = api(http, origin, key, reqwest::Method::GET, path, None).await;
        assert_eq!(status, 200, "{page}");
        page
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_origin_loses_no_webhook() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}/crash.db", dir.path().display());
    let http = http_client();
    let mut first = OriginProcess::spawn_with("webhook_crash_1", &db, EDGE, ENV);
    first.wait_ready(&http).await;
    let key = first.api_key().expect("demo key");

    let (receiver_url, receiver) = Receiver::start(0).await;
    receiver.set_down(true);
    let events = ["link.created"];
    let secret = linkpay_e2e::subscribe(&http, &first.url, &key, &receiver_url, &events).await;

    // 1,000 links, 16 at a time: 1,000 link.created events, each a delivery that fails.
    let mut creators = tokio::task::JoinSet::new();
    for worker in 0..16 {
        let (http, url, key) = (http.clone(), first.url.clone(), key.clone());
        creators.spawn(async move {
            for i in (worker..LINKS).step_by(16) {
                let (status, body) = api(
                    &http,
                    &url,
                    &key,
                    reqwest::Method::POST,
                    "/v1/links",
                    Some(
                        json!({"amount": 100 + i, "currency": "JPY", "title": format!("Item {i}")}),
                    ),
                )
                .await;
                assert_eq!(status, 201, "{body}");
            }
        });
    }
    while let Some(done) = creators.join_next().await {
        done.expect("link creator");
    }
    eprintln!("created {LINKS} links; the receiver is failing");

    // Kill once the worker is busy failing deliveries.
    for _ in 0..600 {
        if receiver.snapshot().len() >= 300 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let failed_before = receiver.snapshot().len();
    assert!(
        failed_before >= 300,
        "only {failed_before} attempts before the kill"
    );
    first.kill9().await;
    eprintln!("killed the origin after {failed_before} failed attempts");
    receiver.set_down(false);

    let second = OriginProcess::spawn_with("webhook_crash_2", &db, EDGE, ENV);
    second.wait_ready(&http).await;
    let events = all_event_ids(&http, &second.url, &key).await;
    assert_eq!(
        events.len(),
        LINKS,
        "one event per link, none lost in the kill"
    );

    let wanted: HashSet<&str> = events.iter().map(String::as_str).collect();
    let mut delivered = HashSet::new();
    for _ in 0..1200 {
        delivered = receiver
            .snapshot()
            .iter()
            .filter(|d| d.answered == 200)
            .map(|d| d.id.clone())
            .collect::<HashSet<_>>();
        if wanted.iter().all(|id| delivered.contains(*id)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let missing: Vec<&&str> = wanted
        .iter()
        .filter(|id| !delivered.contains(**id))
        .take(5)
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {LINKS} events never arrived, e.g. {missing:?}",
        wanted.len() - wanted.iter().filter(|id| delivered.contains(**id)).count()
    );

    let arrivals = receiver.snapshot();
    for d in &arrivals {
        d.verify(&secret, 600)
            .unwrap_or_else(|e| panic!("delivery of {} does not verify: {e}", d.id));
        let body: Value = serde_json::from_slice(&d.body).expect("json");
        assert_eq!(body["type"], "link.created");
        assert!(wanted.contains(d.id.as_str()), "an event nobody recorded");
    }
    eprintln!(
        "all {LINKS} events delivered after the restart ({} requests in all)",
        arrivals.len()
    );
}
