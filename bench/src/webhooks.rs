//! The webhook figure: deliveries per second from a backlog, to a receiver in the benchmark
//! that verifies every signature (see docs/benchmarks.md for why it is measured this way).

use crate::load::{self, progress, thousands};
use crate::origin::{CheckoutCtx, Origin};
use crate::receiver::Receiver;
use crate::{Figure, Settings};
use linkpay_shared::webhook::WebhookSecret;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Deliveries per second: fill the outbox with N events while the receiver holds the
/// worker's first batch, then release it and time the drain.
pub async fn run(
    origin: &Origin,
    ctx: &Arc<CheckoutCtx>,
    s: &Settings,
    kind: &str,
    label: &str,
) -> Result<Figure, String> {
    let n = s.webhook_events;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("webhook receiver: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let endpoint = origin
        .api(
            "/v1/webhook_endpoints",
            json!({"url": format!("http://127.0.0.1:{port}/hooks")}),
        )
        .await?;
    let secret = endpoint["secret"]
        .as_str()
        .ok_or("POST /v1/webhook_endpoints: no secret in the answer")?;
    let secret = WebhookSecret::parse(secret).map_err(|e| e.to_string())?;
    let receiver = Receiver::start(listener, secret);

    progress(format!(
        "{label}: {n} checkouts while the receiver holds the first batch…"
    ));
    let fill = load::count(n, origin.checkout_workers(ctx, s.concurrency)).await;
    // Let the last settles' deliveries reach the outbox (they are written with the settle).
    tokio::time::sleep(Duration::from_millis(200)).await;
    let held = receiver.arrived();
    progress(format!(
        "{label}: {n} events waiting ({held} held in flight); releasing the receiver…"
    ));
    let released = receiver.release();
    let counts = receiver
        .wait_for(n, Instant::now() + Duration::from_secs(60))
        .await;
    let drained = counts
        .last_at
        .map(|t| t.saturating_duration_since(released))
        .unwrap_or_default();
    // The held batch was already sent; count only what the worker sent after the release.
    let after = counts.distinct.saturating_sub(held as usize);
    let rate = after as f64 / drained.as_secs_f64().max(1e-9);
    let errors =
        fill.tally.errors + counts.bad_signatures + (n.saturating_sub(counts.distinct)) as u64;
    let mut fig = Figure::new(
        &format!("origin.{}.webhook_deliveries", kind),
        &format!("origin {}: webhook deliveries to a local receiver", kind),
        format!(
            "{} /s ({} of {n} delivered, drained in {:.0} ms), {errors} errors",
            thousands(rate),
            counts.distinct,
            drained.as_secs_f64() * 1000.0
        ),
    )
    .load(format!(
        "backlog of {n} events from {n} checkouts (C={}), drained by the origin's worker; receiver in the bench verifies every signature",
        s.concurrency
    ))
    .with("per_second", json!(rate))
    .with("events", json!(n))
    .with("delivered_distinct", json!(counts.distinct))
    .with("held_before_release", json!(held))
    .with("duplicates", json!(counts.duplicates))
    .with("bad_signatures", json!(counts.bad_signatures))
    .with("drain_ms", json!(drained.as_secs_f64() * 1000.0))
    .with("errors", json!(errors))
    .with("fill_checkouts_per_second", json!(fill.rate()));
    if let Some(e) = &fill.tally.first_error {
        fig = fig.with("first_error", json!(e));
    }
    Ok(fig)
}
