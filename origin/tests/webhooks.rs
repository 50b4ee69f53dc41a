//! Webhook delivery to a real HTTP receiver on loopback: signed, retried until it succeeds.

use crate::common;

use crate::common::{Origin, eventually};
use linkpay_e2e::receiver::Receiver;
use linkpay_shared::webhook::WebhookSecret;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_gets_the_signed_event_on_retry() {
    let o = Origin::delivering(&[("LINKPAY_WEBHOOK_RETRY_SCHEDULE", "1s,1s,1s")]).await;
    let (url, receiver) = Receiver::start(2).await;
    let endpoint = o
        .endpoint(serde_json::json!({"url": url, "enabled_events": ["charge.complete"]}))
        .await;
    let secret = WebhookSecret::parse(endpoint["secret"].as_str().expect("secret")).expect("whsec");

    let (_, token) = o
        .link(r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#)
        .await;
    let result = common::open_result(&o.pay(&token, "4242424242424242").await);

    let answered = async || {
        receiver
            .snapshot()
            .iter()
            .any(|d| d.answered == 200)
            .then_some(())
    };
    eventually("a successful delivery", answered).await;
    let got = receiver.snapshot();
    assert_eq!(got.len(), 3, "two failures, then success");
    assert!(
        got.iter().all(|d| d.id == got[0].id),
        "retries keep the webhook-id"
    );
    for d in &got {
        d.verify(&secret, 300).expect("signature verifies");
    }
    let event: serde_json::Value = serde_json::from_slice(&got[2].body).expect("json");
    assert_eq!(event["type"], "charge.complete");
    assert_eq!(
        event["data"]["id"].as_str(),
        Some(result.charge_id.as_str())
    );
    assert_eq!(event["data"]["status"], "succeeded");
    // The sender records the answer a moment after the receiver has given it.
    let recorded = "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'succeeded'";
    eventually("the success recorded", async || {
        (o.count(recorded).await == 1).then_some(())
    })
    .await;
    assert_eq!(o.count("SELECT attempts FROM webhook_deliveries").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_charge_is_announced_too_and_retries_stop_after_the_schedule() {
    let o = Origin::delivering(&[("LINKPAY_WEBHOOK_RETRY_SCHEDULE", "1s")]).await;
    let (url, receiver) = Receiver::start(0).await;
    receiver.set_down(true);
    o.endpoint(serde_json::json!({"url": url, "enabled_events": ["charge.complete"]}))
        .await;
    let (_, token) = o
        .link(r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#)
        .await;
    o.pay(&token, "4000000000000002").await;

    let two = async || (receiver.snapshot().len() >= 2).then_some(());
    eventually("two attempts", two).await;
    // Gives up after the last scheduled retry.
    let failed = "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'failed'";
    eventually("the delivery failed", async || {
        (o.count(failed).await == 1).then_some(())
    })
    .await;
    let got = receiver.snapshot();
    assert_eq!(got.len(), 2);
    let event: serde_json::Value = serde_json::from_slice(&got[0].body).expect("json");
    assert_eq!(
        (
            event["data"]["status"].as_str(),
            event["data"]["failure_code"].as_str()
        ),
        (Some("failed"), Some("card_declined"))
    );
}
