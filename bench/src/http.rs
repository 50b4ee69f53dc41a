//! One HTTP/1.1 keep-alive connection (hyper 1, no pool): what each load-generator worker
//! owns. A connection the server closed is reopened before the next request.

use crate::load::{Job, Steps};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HOST, LOCATION};
use hyper::{HeaderMap, Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpStream;

pub struct Conn {
    addr: SocketAddr,
    host: String,
    sender: Option<SendRequest<Full<Bytes>>>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// `Err` describing the reply unless it has `status`.
    pub fn expect(&self, what: &str, status: u16) -> Result<(), String> {
        if self.status.as_u16() == status {
            Ok(())
        } else {
            let mut body = self.text();
            body.truncate(200);
            Err(format!(
                "{what}: expected {status}, got {}: {body}",
                self.status
            ))
        }
    }
}

impl Conn {
    pub fn new(addr: SocketAddr) -> Conn {
        Conn {
            addr,
            host: addr.to_string(),
            sender: None,
        }
    }

    async fn sender(&mut self) -> Result<&mut SendRequest<Full<Bytes>>, String> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = TcpStream::connect(self.addr)
                .await
                .map_err(|e| format!("connect {}: {e}", self.addr))?;
            stream.set_nodelay(true).map_err(|e| e.to_string())?;
            let (sender, conn) = http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| format!("handshake {}: {e}", self.addr))?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            self.sender = Some(sender);
        }
        self.sender
            .as_mut()
            .ok_or_else(|| "no connection".to_owned())
    }

    /// Opens the connection now rather than at the first request.
    pub async fn open(&mut self) -> Result<(), String> {
        self.sender().await.map(drop)
    }

    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> Result<Reply, String> {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, &self.host);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let req = req.body(Full::new(body)).map_err(|e| e.to_string())?;
        let result = self.send(req).await;
        if result.is_err() {
            self.sender = None;
        }
        result
    }

    async fn send(&mut self, req: Request<Full<Bytes>>) -> Result<Reply, String> {
        let sender = self.sender().await?;
        sender.ready().await.map_err(|e| e.to_string())?;
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
        Ok(Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    pub async fn get(&mut self, path: &str) -> Result<Reply, String> {
        self.request(Method::GET, path, &[], Bytes::new()).await
    }
}

/// A free loopback port (the listener is dropped at once; fine on a quiet machine).
pub fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// `GET path`, expecting 200 and a body of exactly `len` bytes. (The pay page's length is
/// fixed: only its CSP nonce changes, and that has a fixed length.)
pub struct GetJob {
    conn: Conn,
    path: Arc<str>,
    len: usize,
}

impl Job for GetJob {
    async fn run(&mut self) -> Result<Steps, String> {
        let r = self.conn.get(&self.path).await?;
        r.expect("GET", 200)?;
        if r.body.len() != self.len {
            return Err(format!(
                "GET {}: body of {} bytes, expected {}",
                self.path,
                r.body.len(),
                self.len
            ));
        }
        Ok(Vec::new())
    }
}

/// `n` workers, each with its own connection.
pub fn get_jobs(addr: SocketAddr, path: &str, len: usize, n: usize) -> Vec<GetJob> {
    let path: Arc<str> = Arc::from(path);
    (0..n)
        .map(|_| GetJob {
            conn: Conn::new(addr),
            path: path.clone(),
            len,
        })
        .collect()
}
