//! The first request on a fresh isolate: what a buyer who lands on a cold worker waits for.
//!
//! Each round starts a new workerd process with the usual config, waits until it answers on
//! the *empty* worker's socket (so the linkpay worker and the JS peer have not been touched:
//! each runs in its own isolate), leaves it idle so start-up work in the background is done,
//! then times one `GET /l/<token>` to each, from opening the connection to the last byte of
//! the body. Which of the two goes first alternates between rounds; each has its own KV
//! service, so neither warms the other's. Nothing here would not exist in production: no
//! compile cache, no V8 flags.

use super::{Ready, start};
use crate::http::Conn;
use crate::load::progress;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

/// First-request latencies in milliseconds, one per workerd process.
#[derive(Default)]
pub struct Cold {
    pub linkpay: Vec<f64>,
    pub peer: Vec<f64>,
}

/// Median and range, for the table.
pub fn describe(ms: &[f64]) -> (f64, String) {
    let mut v = ms.to_vec();
    v.sort_by(f64::total_cmp);
    let median = if v.is_empty() {
        f64::NAN
    } else if v.len() % 2 == 1 {
        v[v.len() / 2]
    } else {
        (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
    };
    let (lo, hi) = (v.first().copied(), v.last().copied());
    let range = match (lo, hi) {
        (Some(lo), Some(hi)) => format!("{lo:.1}–{hi:.1} ms"),
        _ => "no rounds".to_owned(),
    };
    (median, range)
}

/// What each round checks the first answer against: path and exact body length.
pub struct Target<'a> {
    pub path: &'a str,
    pub len: usize,
}

/// `rounds` fresh workerd processes, `idle` each before the first requests.
pub async fn measure(
    root: &Path,
    keys: (&str, &str),
    linkpay: Target<'_>,
    peer: Target<'_>,
    rounds: usize,
    idle: Duration,
) -> Result<Cold, String> {
    let mut cold = Cold::default();
    for round in 0..rounds {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let edge = start(root, dir.path(), keys.0, keys.1, Ready::EmptyWorkerOnly).await?;
        tokio::time::sleep(idle).await;
        let first = |addr, t: &Target<'_>| first_request(addr, t.path.to_owned(), t.len);
        if round % 2 == 0 {
            cold.linkpay.push(first(edge.pay_addr, &linkpay).await?);
            cold.peer.push(first(edge.peer_addr, &peer).await?);
        } else {
            cold.peer.push(first(edge.peer_addr, &peer).await?);
            cold.linkpay.push(first(edge.pay_addr, &linkpay).await?);
        }
        progress(format!(
            "edge: fresh workerd {}/{rounds}: first request linkpay {:.1} ms, JS peer {:.1} ms",
            round + 1,
            cold.linkpay[round],
            cold.peer[round]
        ));
        drop(edge);
    }
    Ok(cold)
}

/// Milliseconds from connecting to the whole body of a `GET path` answered 200 with `len` bytes.
async fn first_request(addr: SocketAddr, path: String, len: usize) -> Result<f64, String> {
    let started = Instant::now();
    let reply = Conn::new(addr).get(&path).await?;
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    reply.expect("edge: first GET /l/<token> on a fresh isolate", 200)?;
    if reply.body.len() != len {
        return Err(format!(
            "edge: first GET /l/<token> on a fresh isolate: {} bytes, expected {len}",
            reply.body.len()
        ));
    }
    Ok(elapsed)
}
