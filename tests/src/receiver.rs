//! A merchant's webhook receiver on loopback that records what arrives and misbehaves on
//! demand: fails, answers slowly, asks to be retried later, says it is gone, or is down
//! altogether until told to recover.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Delivery {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: Bytes,
    pub answered: u16,
}

impl Delivery {
    /// Checks the delivery's Standard Webhooks signature with `key`, allowing `tolerance_secs`
    /// between its timestamp and the system clock.
    pub fn verify(
        &self,
        key: &linkpay_shared::webhook::WebhookSecret,
        tolerance_secs: i64,
    ) -> Result<(), linkpay_shared::webhook::WebhookError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        key.verify(
            &self.id,
            &self.timestamp,
            &self.signature,
            &self.body,
            now,
            tolerance_secs,
        )
    }
}

/// How the receiver answers one request.
#[derive(Clone, Debug)]
pub enum Answer {
    Status(u16),
    /// A status with a `Retry-After` header (seconds or an HTTP date).
    RetryAfter(u16, String),
    /// `200` after a pause, to make the sender time out.
    Slow(Duration),
}

#[derive(Clone, Default)]
pub struct Receiver {
    script: Arc<Mutex<VecDeque<Answer>>>,
    /// While set, every request the script does not cover gets `500`.
    down: Arc<AtomicBool>,
    pub deliveries: Arc<Mutex<Vec<Delivery>>>,
}

impl Receiver {
    /// Listens on a free loopback port; answers 500 to the first `fail_first` requests.
    pub async fn start(fail_first: u32) -> (String, Receiver) {
        Receiver::scripted(vec![Answer::Status(500); fail_first as usize]).await
    }

    /// Answers the first requests as `script` says, then `200` (or `500` while down).
    pub async fn scripted(script: Vec<Answer>) -> (String, Receiver) {
        let r = Receiver {
            script: Arc::new(Mutex::new(script.into())),
            ..Default::default()
        };
        let app = Router::new()
            .route("/hooks", post(receive))
            .with_state(r.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url, r)
    }

    /// Fails every request (`500`) until [`Receiver::set_down`]`(false)`.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    pub fn snapshot(&self) -> Vec<Delivery> {
        self.deliveries.lock().expect("lock").clone()
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> Response {
    let next = r.script.lock().expect("lock").pop_front();
    let answer = next.unwrap_or(if r.down.load(Ordering::SeqCst) {
        Answer::Status(500)
    } else {
        Answer::Status(200)
    });
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let status = match &answer {
        Answer::Status(s) | Answer::RetryAfter(s, _) => *s,
        Answer::Slow(_) => 200,
    };
    r.deliveries.lock().expect("lock").push(Delivery {
        id: h("webhook-id"),
        timestamp: h("webhook-timestamp"),
        signature: h("webhook-signature"),
        body,
        answered: status,
    });
    let code = StatusCode::from_u16(status).expect("status");
    match answer {
        Answer::Status(_) => code.into_response(),
        Answer::RetryAfter(_, after) => {
            let mut resp = code.into_response();
            resp.headers_mut().insert(
                "retry-after",
                HeaderValue::from_str(&after).expect("header value"),
            );
            resp
        }
        Answer::Slow(pause) => {
            tokio::time::sleep(pause).await;
            code.into_response()
        }
    }
}
