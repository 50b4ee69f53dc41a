//! What the fake holds: its accounts, every request it was sent, what broke Stripe's
//! document, and the events waiting to be delivered.

use super::model::Account;
use super::objects;
use serde_json::Value;

/// A request as it reached the fake.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Lower-case names, in the order received.
    pub headers: Vec<(String, String)>,
    /// The decoded parameters (every leaf a string), query and body merged.
    pub params: Value,
}

/// One attempt to deliver an event.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub url: String,
    pub event_id: String,
    pub event_type: String,
    /// The receiver's status, or `None` when it could not be reached.
    pub status: Option<u16>,
}

/// An event to send: to whom, and what, signed when sent.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub url: String,
    pub secret: String,
    pub event: Value,
}

#[derive(Default)]
pub struct Inner {
    pub base_url: String,
    pub accounts: Vec<Account>,
    pub requests: Vec<RecordedRequest>,
    pub violations: Vec<String>,
    pub deliveries: Vec<Delivery>,
    pub outbox: Vec<Outgoing>,
    /// Deliveries to `capture://` endpoints: `(body, Stripe-Signature)`.
    pub captured: Vec<(String, String)>,
    pub down: bool,
    /// Delivery tasks still running.
    pub sending: usize,
    /// Seconds added to the real clock (tests move time on).
    pub clock_offset: i64,
    pub next: u64,
}

impl Inner {
    pub fn now(&self) -> i64 {
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        real + self.clock_offset
    }

    /// A new id such as `pi_3Fake0000000001…`.
    pub fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}_3Fake{:016}{:08x}", self.next, std::process::id())
    }

    /// An event about a session, to every endpoint of the account.
    pub fn emit(&mut self, acct: usize, kind: &str, session: &str) {
        let base = self.base_url.clone();
        let a = &self.accounts[acct];
        let Some(s) = a.sessions.get(session) else {
            return;
        };
        let object = objects::session(a, s, &base, &[]);
        self.queue(acct, kind, object);
    }

    pub fn emit_intent(&mut self, acct: usize, kind: &str, intent: &str) {
        let a = &self.accounts[acct];
        let Some(pi) = a.intents.get(intent) else {
            return;
        };
        let object = objects::payment_intent(a, pi, &[]);
        self.queue(acct, kind, object);
    }

    pub fn emit_charge(&mut self, acct: usize, kind: &str, charge: &str) {
        let a = &self.accounts[acct];
        let Some(c) = a.charges.get(charge) else {
            return;
        };
        let object = objects::charge(a, c);
        self.queue(acct, kind, object);
    }

    fn queue(&mut self, acct: usize, kind: &str, object: Value) {
        let id = self.id("evt");
        let now = self.now();
        let event = objects::event(&self.accounts[acct], &id, kind, now, object);
        self.accounts[acct].events.push(event.clone());
        for e in self.accounts[acct].endpoints.clone() {
            self.outbox.push(Outgoing {
                url: e.url,
                secret: e.secret,
                event: event.clone(),
            });
        }
    }
}
