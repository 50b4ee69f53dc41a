//! A merchant's webhook receiver on loopback that records what arrives and can fail on demand.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct Delivery {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: Bytes,
    pub answered: u16,
}

#[derive(Clone, Default)]
pub struct Receiver {
    fail_first: Arc<Mutex<u32>>,
    pub deliveries: Arc<Mutex<Vec<Delivery>>>,
}

impl Receiver {
    /// Listens on a free loopback port; answers 500 to the first `fail_first` requests.
    pub async fn start(fail_first: u32) -> (String, Receiver) {
        let r = Receiver {
            fail_first: Arc::new(Mutex::new(fail_first)),
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

    pub fn snapshot(&self) -> Vec<Delivery> {
        self.deliveries.lock().expect("lock").clone()
    }
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
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    r.deliveries.lock().expect("lock").push(Delivery {
        id: h("webhook-id"),
        timestamp: h("webhook-timestamp"),
        signature: h("webhook-signature"),
        body,
        answered: status.as_u16(),
    });
    status
}
