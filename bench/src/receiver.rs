//! A merchant's webhook receiver on loopback: verifies every delivery's Standard Webhooks
//! signature and counts distinct `webhook-id`s.
//!
//! It starts *holding*: requests are accepted and left unanswered until [`Receiver::release`].
//! The origin's webhook worker sends one batch and waits for it, so every later event piles
//! up in the outbox, due. Releasing answers the held batch and lets the worker drain the
//! backlog at full speed, which is what gets timed.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use linkpay_shared::webhook::{DEFAULT_TOLERANCE_SECS, WebhookSecret};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::{Notify, watch};

pub struct Counts {
    pub distinct: usize,
    /// Deliveries of an id already seen (retries).
    pub duplicates: u64,
    pub bad_signatures: u64,
    pub last_at: Option<Instant>,
}

struct Shared {
    secret: WebhookSecret,
    released: watch::Receiver<bool>,
    seen: Mutex<(HashSet<String>, Option<Instant>)>,
    duplicates: AtomicU64,
    bad: AtomicU64,
    arrived: AtomicU64,
    changed: Notify,
}

pub struct Receiver {
    shared: Arc<Shared>,
    release: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Serves on `listener` (already bound, so its port could be registered first).
    pub fn start(listener: tokio::net::TcpListener, secret: WebhookSecret) -> Receiver {
        let (release, released) = watch::channel(false);
        let shared = Arc::new(Shared {
            secret,
            released,
            seen: Mutex::new((HashSet::new(), None)),
            duplicates: AtomicU64::new(0),
            bad: AtomicU64::new(0),
            arrived: AtomicU64::new(0),
            changed: Notify::new(),
        });
        let app = Router::new()
            .route("/hooks", post(deliver))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            shared,
            release,
            server,
        }
    }

    pub fn arrived(&self) -> u64 {
        self.shared.arrived.load(Ordering::Relaxed)
    }

    /// Starts answering (200 for a good signature).
    pub fn release(&self) -> Instant {
        let at = Instant::now();
        let _ = self.release.send(true);
        at
    }

    pub fn counts(&self) -> Counts {
        let (distinct, last_at) = match self.shared.seen.lock() {
            Ok(seen) => (seen.0.len(), seen.1),
            Err(_) => (0, None),
        };
        Counts {
            distinct,
            duplicates: self.shared.duplicates.load(Ordering::Relaxed),
            bad_signatures: self.shared.bad.load(Ordering::Relaxed),
            last_at,
        }
    }

    /// Waits until `n` distinct deliveries arrived or `deadline` passes.
    pub async fn wait_for(&self, n: usize, deadline: Instant) -> Counts {
        loop {
            let notified = self.shared.changed.notified();
            let counts = self.counts();
            if counts.distinct >= n || Instant::now() >= deadline {
                return counts;
            }
            let _ = tokio::time::timeout_at(deadline.into(), notified).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn deliver(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    shared.arrived.fetch_add(1, Ordering::Relaxed);
    let mut released = shared.released.clone();
    let _ = released.wait_for(|r| *r).await;
    let header = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let id = header("webhook-id");
    let verified = shared.secret.verify(
        id,
        header("webhook-timestamp"),
        header("webhook-signature"),
        &body,
        crate::unix_now(),
        DEFAULT_TOLERANCE_SECS,
    );
    if verified.is_err() || id.is_empty() {
        shared.bad.fetch_add(1, Ordering::Relaxed);
        return StatusCode::BAD_REQUEST;
    }
    let new = match shared.seen.lock() {
        Ok(mut seen) => {
            let new = seen.0.insert(id.to_owned());
            if new {
                seen.1 = Some(Instant::now());
            }
            new
        }
        Err(_) => false,
    };
    if !new {
        shared.duplicates.fetch_add(1, Ordering::Relaxed);
    }
    shared.changed.notify_waiters();
    StatusCode::OK
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Conn;
    use hyper::Method;
    use std::time::Duration;

    #[tokio::test]
    async fn holds_until_released_then_counts_distinct_verified_deliveries() {
        let secret = WebhookSecret::from_random_bytes([7; 32]);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let receiver = Receiver::start(listener, secret.clone());
        let send = |id: &'static str, secret: WebhookSecret| async move {
            let ts = crate::unix_now();
            let body = br#"{"type":"charge.complete"}"#;
            let sig = secret.sign(id, ts, body);
            let ts = ts.to_string();
            Conn::new(addr)
                .request(
                    Method::POST,
                    "/hooks",
                    &[
                        ("webhook-id", id),
                        ("webhook-timestamp", &ts),
                        ("webhook-signature", &sig),
                    ],
                    Bytes::from_static(body),
                )
                .await
                .map(|r| r.status.as_u16())
        };
        let held = tokio::spawn(send("evt_1", secret.clone()));
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(receiver.arrived(), 1);
        assert!(!held.is_finished(), "answered before the release");
        receiver.release();
        assert_eq!(held.await.expect("join"), Ok(200));
        assert_eq!(send("evt_2", secret.clone()).await, Ok(200));
        assert_eq!(send("evt_2", secret.clone()).await, Ok(200));
        let other = WebhookSecret::from_random_bytes([8; 32]);
        assert_eq!(send("evt_3", other).await, Ok(400));
        let counts = receiver
            .wait_for(2, Instant::now() + Duration::from_secs(5))
            .await;
        assert_eq!(
            (counts.distinct, counts.duplicates, counts.bad_signatures),
            (2, 1, 1)
        );
    }
}
