//! `POST /internal/v1/kv`: the origin, signing like the edge does towards it, writes display
//! state and short links.

use super::{Incoming, KvError, Reply, Step};
use crate::config::Config;
use crate::kv;
use linkpay_shared::channel;

/// Authenticates the origin, then checks what it wants written.
pub(super) fn kv_write(cfg: &Config, req: Incoming<'_>, now: i64, nonce: &str) -> Step {
    let verified = channel::verify(
        &cfg.edge_secret,
        req.channel_timestamp,
        req.channel_signature,
        "POST",
        kv::PATH,
        req.body,
        now,
    );
    if let Err(e) = verified {
        // The reason is for our log only; the caller learns nothing but 401.
        return Step::Log(
            format!("refused a KV write: {e}"),
            Box::new(Step::Done(Reply::text(401, "Unauthorized".into(), nonce))),
        );
    }
    match kv::parse_batch(req.body, now) {
        Ok(batch) => Step::WriteKv(batch),
        Err(e) => Step::Done(Reply::text(400, e.to_string(), nonce)),
    }
}

/// The origin's answer once a batch was written (or not).
pub fn after_write(result: Result<(), KvError>, nonce: &str) -> Reply {
    match result {
        Ok(()) => Reply::no_content(nonce),
        Err(KvError::Unbound) => Reply::text(
            500,
            format!("misconfigured: the {} KV binding is missing", kv::BINDING),
            nonce,
        ),
        // Writes are idempotent: the origin retries the whole batch.
        Err(KvError::Failed) => Reply::text(503, "KV write failed, retry".into(), nonce),
    }
}
