//! A local stand-in for LINE Pay's Online API v3, speaking its wire format and checking
//! every request's signature independently of linkpay's own code: `X-LINE-ChannelId`,
//! `X-LINE-Authorization-Nonce` and `X-LINE-Authorization = Base64(HMAC-SHA256(secret,
//! secret + path + (body | query) + nonce))`. A bad or missing signature is answered with
//! `returnCode` `1106` (header error) and counted.
//!
//! It keeps transactions in memory with LINE Pay's rules: confirm once, with the requested
//! amount and currency; capture once, at most the authorized amount, only while authorized;
//! void only an authorization; refunds up to what was captured. Its approval page
//! (`/fake/linepay/pay/{id}`) has approve and cancel links that send the browser to the
//! merchant's confirm or cancel URL, as LINE Pay's page does.
//!
//! Codes it answers (all from LINE Pay's published list): 1106 signature or header, 1150 no
//! such transaction or not in a state for the call, 1152 captured already, 1153 confirm
//! amount differs, 1155 refund of something not captured, 1164 refund above what is left,
//! 1165 refunded or voided already, 1172 confirmed already, and whatever a test queues
//! (`fail_next`), e.g. 9000.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// How long the fake keeps an authorization, as its confirm answer's
/// `authorizationExpireDate` says: shorter than linkpay's default window, so tests can tell
/// which one a charge follows.
pub const AUTHORIZATION_DAYS: i64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Requested; the buyer has not decided.
    Reserved,
    /// Approved on the page; confirm may be called.
    Approved,
    Canceled,
    Authorized,
    Captured,
    Voided,
    /// An authorization past its window.
    Expired,
}

/// One transaction as the fake holds it. Amounts in hundredths of the currency's major
/// unit (cents, satang).
#[derive(Debug, Clone)]
pub struct Transaction {
    pub order_id: String,
    pub currency: String,
    pub amount: i64,
    pub capture: bool,
    pub status: Status,
    pub captured: i64,
    pub refunds: Vec<(u64, i64)>,
    /// Unix seconds, once authorized.
    pub authorization_expires_at: Option<i64>,
    confirm_url: String,
    cancel_url: String,
}

impl Transaction {
    pub fn refunded(&self) -> i64 {
        self.refunds.iter().map(|(_, a)| a).sum()
    }
}

#[derive(Default)]
struct Inner {
    transactions: HashMap<u64, Transaction>,
    next_id: u64,
    requests: u32,
    refused_signatures: u32,
    fail_next: VecDeque<&'static str>,
    lose_next_refund_answer: bool,
}

#[derive(Clone)]
pub struct FakeLinePay {
    /// What `LINKPAY_LINEPAY_BASE_URL` should be.
    pub base_url: String,
    pub channel_id: String,
    secret: String,
    inner: Arc<Mutex<Inner>>,
}

type Shared = (FakeLinePay,);

impl FakeLinePay {
    /// Listens on a free loopback port for one channel.
    pub async fn start(channel_id: &str, secret: &str) -> FakeLinePay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake LINE Pay");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let fake = FakeLinePay {
            base_url,
            channel_id: channel_id.to_owned(),
            secret: secret.to_owned(),
            inner: Arc::new(Mutex::new(Inner {
                // Above 2^53, so an id that went through a double would not match.
                next_id: 2_026_112_201_234_567_891,
                ..Inner::default()
            })),
        };
        let app = Router::new()
            .route("/v3/payments/request", post(request))
            .route("/v3/payments/{id}/confirm", post(confirm))
            .route("/v3/payments/{id}/refund", post(refund))
            .route("/v3/payments/authorizations/{id}/capture", post(capture))
            .route("/v3/payments/authorizations/{id}/void", post(void))
            .route("/v3/payments/requests/{id}/check", get(check))
            .route("/v3/payments", get(details))
            .route("/fake/linepay/pay/{id}", get(page))
            .route("/fake/linepay/pay/{id}/{action}", get(decide))
            .with_state((fake.clone(),));
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("fake LINE Pay");
        });
        fake
    }

    /// Requests that reached the API (signed or not).
    pub fn requests(&self) -> u32 {
        self.inner.lock().expect("lock").requests
    }

    pub fn refused_signatures(&self) -> u32 {
        self.inner.lock().expect("lock").refused_signatures
    }

    pub fn transaction(&self, id: u64) -> Option<Transaction> {
        self.inner
            .lock()
            .expect("lock")
            .transactions
            .get(&id)
            .cloned()
    }

    /// The next API calls answer these return codes instead of doing anything.
    pub fn fail_next(&self, codes: &[&'static str]) {
        self.inner.lock().expect("lock").fail_next.extend(codes);
    }

    /// The next refund is made, but its answer is lost (a 9000 comes back instead), as when
    /// a connection drops after LINE Pay acted.
    pub fn lose_next_refund_answer(&self) {
        self.inner.lock().expect("lock").lose_next_refund_answer = true;
    }

    /// Lets an authorization run out, as its window passing would.
    pub fn expire_authorization(&self, id: u64) {
        let mut inner = self.inner.lock().expect("lock");
        if let Some(t) = inner.transactions.get_mut(&id)
            && t.status == Status::Authorized
        {
            t.status = Status::Expired;
        }
    }

    fn verified(&self, headers: &HeaderMap, path: &str, content: &str) -> bool {
        let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
        let (Some(channel), Some(nonce), Some(sig)) = (
            h("X-LINE-ChannelId"),
            h("X-LINE-Authorization-Nonce"),
            h("X-LINE-Authorization"),
        ) else {
            return false;
        };
        let Ok(sig) = base64::engine::general_purpose::STANDARD.decode(sig) else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.as_bytes()).expect("key");
        mac.update(format!("{}{path}{content}{nonce}", self.secret).as_bytes());
        channel == self.channel_id && !nonce.is_empty() && mac.verify_slice(&sig).is_ok()
    }

    /// Counts the call and checks its signature; answers the refusal if there is one.
    fn admit(&self, headers: &HeaderMap, path: &str, content: &str) -> Option<Response> {
        let mut inner = self.inner.lock().expect("lock");
        inner.requests += 1;
        if !self.verified(headers, path, content) {
            inner.refused_signatures += 1;
            return Some(answer("1106", "Header information error", None));
        }
        inner
            .fail_next
            .pop_front()
            .map(|code| answer(code, "Internal error (queued by the test)", None))
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for unix seconds (days to civil date, proleptic Gregorian).
fn rfc3339(unix: i64) -> String {
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn answer(code: &str, message: &str, info: Option<Value>) -> Response {
    let mut body = json!({"returnCode": code, "returnMessage": message});
    if let Some(info) = info {
        body["info"] = info;
    }
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn ok(info: Option<Value>) -> Response {
    answer("0000", "Success.", info)
}

/// Hundredths of a major unit from a JSON number (`10.5` → 1050).
fn hundredths(v: &Value) -> Option<i64> {
    let f = v.as_f64()? * 100.0;
    let r = f.round();
    ((f - r).abs() < 1e-6).then_some(r as i64)
}

fn major(hundredths: i64) -> Value {
    json!(hundredths as f64 / 100.0)
}

fn parse(body: &Bytes) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

/// What every call on one transaction starts with: the request is admitted (its signature,
/// and any failure the test queued), its body read, and the transaction found.
fn on_transaction(
    fake: &FakeLinePay,
    headers: &HeaderMap,
    path: &str,
    body: &Bytes,
    id: u64,
    then: impl FnOnce(&mut Transaction, &Value) -> Response,
) -> Response {
    if let Some(r) = fake.admit(headers, path, &String::from_utf8_lossy(body)) {
        return r;
    }
    let b = parse(body);
    let mut inner = fake.inner.lock().expect("lock");
    match inner.transactions.get_mut(&id) {
        Some(t) => then(t, &b),
        None => answer("1150", "Transaction record not found", None),
    }
}

async fn request(State((fake,)): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body).into_owned();
    if let Some(r) = fake.admit(&headers, "/v3/payments/request", &text) {
        return r;
    }
    let b = parse(&body);
    let (Some(amount), Some(currency), Some(order_id), Some(confirm_url), Some(cancel_url)) = (
        hundredths(&b["amount"]),
        b["currency"].as_str(),
        b["orderId"].as_str(),
        b["redirectUrls"]["confirmUrl"].as_str(),
        b["redirectUrls"]["cancelUrl"].as_str(),
    ) else {
        return answer("2101", "Parameter error", None);
    };
    let packages: i64 = b["packages"]
        .as_array()
        .map(|p| p.iter().filter_map(|p| hundredths(&p["amount"])).sum())
        .unwrap_or(0);
    if packages != amount || amount <= 0 {
        return answer("1124", "Amount info error", None);
    }
    let mut inner = fake.inner.lock().expect("lock");
    if inner.transactions.values().any(|t| t.order_id == order_id) {
        return answer("1172", "Existing same orderId", None);
    }
    inner.next_id += 1;
    let id = inner.next_id;
    inner.transactions.insert(
        id,
        Transaction {
            order_id: order_id.to_owned(),
            currency: currency.to_owned(),
            amount,
            capture: b["options"]["payment"]["capture"].as_bool().unwrap_or(true),
            status: Status::Reserved,
            captured: 0,
            refunds: Vec::new(),
            authorization_expires_at: None,
            confirm_url: confirm_url.to_owned(),
            cancel_url: cancel_url.to_owned(),
        },
    );
    // The id as a bare JSON number with all 19 digits, as LINE Pay sends it.
    let info: Value = serde_json::from_str(&format!(
        r#"{{"paymentUrl": {{"web": "{}/fake/linepay/pay/{id}", "app": "line://pay/payment/{id}"}},
            "transactionId": {id}, "paymentAccessToken": "187568751124"}}"#,
        fake.base_url
    ))
    .expect("json");
    ok(Some(info))
}

async fn confirm(
    State((fake,)): State<Shared>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/v3/payments/{id}/confirm");
    on_transaction(&fake, &headers, &path, &body, id, |t, b| {
        match t.status {
            Status::Approved => {}
            Status::Reserved | Status::Canceled => {
                return answer("1150", "Not approved by the buyer", None);
            }
            _ => return answer("1172", "Existing same orderId", None),
        }
        if hundredths(&b["amount"]) != Some(t.amount) || b["currency"].as_str() != Some(&t.currency)
        {
            return answer(
                "1153",
                "The payment amount is different than the requested amount",
                None,
            );
        }
        let mut info: Value = serde_json::from_str(&format!(
            r#"{{"orderId": "{}", "transactionId": {id}, "payInfo": [{{"method": "BALANCE", "amount": {}}}]}}"#,
            t.order_id,
            major(t.amount)
        ))
        .expect("json");
        if t.capture {
            t.status = Status::Captured;
            t.captured = t.amount;
        } else {
            t.status = Status::Authorized;
            let expires = unix_now() + AUTHORIZATION_DAYS * 86_400;
            t.authorization_expires_at = Some(expires);
            info["authorizationExpireDate"] = json!(rfc3339(expires));
        }
        ok(Some(info))
    })
}

async fn capture(
    State((fake,)): State<Shared>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/v3/payments/authorizations/{id}/capture");
    on_transaction(&fake, &headers, &path, &body, id, |t, b| {
        match t.status {
            Status::Authorized => {}
            Status::Captured => return answer("1152", "Captured already", None),
            _ => return answer("1150", "No authorization to capture", None),
        }
        match hundredths(&b["amount"]) {
            Some(a) if a > 0 && a <= t.amount && b["currency"].as_str() == Some(&t.currency) => {
                t.status = Status::Captured;
                t.captured = a;
                ok(Some(json!({"transactionId": id, "orderId": t.order_id})))
            }
            _ => answer("1124", "Amount info error", None),
        }
    })
}

async fn void(
    State((fake,)): State<Shared>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/v3/payments/authorizations/{id}/void");
    on_transaction(&fake, &headers, &path, &body, id, |t, _| match t.status {
        Status::Authorized => {
            t.status = Status::Voided;
            ok(None)
        }
        Status::Voided => answer("1165", "Voided already", None),
        _ => answer("1150", "No authorization to void", None),
    })
}

async fn refund(
    State((fake,)): State<Shared>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/v3/payments/{id}/refund");
    if let Some(r) = fake.admit(&headers, &path, &String::from_utf8_lossy(&body)) {
        return r;
    }
    let b = parse(&body);
    let mut inner = fake.inner.lock().expect("lock");
    inner.next_id += 1;
    let refund_id = inner.next_id;
    let Some(t) = inner.transactions.get_mut(&id) else {
        return answer("1150", "Transaction record not found", None);
    };
    if t.status != Status::Captured {
        return answer("1155", "Transaction cannot be refunded", None);
    }
    let left = t.captured - t.refunded();
    if left == 0 {
        return answer("1165", "Refunded already", None);
    }
    let amount = match b.get("refundAmount") {
        None => left,
        Some(v) => match hundredths(v) {
            Some(a) if a > 0 => a,
            _ => return answer("1124", "Amount info error", None),
        },
    };
    if amount > left {
        return answer("1164", "Exceeded refundable amount", None);
    }
    t.refunds.push((refund_id, amount));
    if std::mem::take(&mut inner.lose_next_refund_answer) {
        return answer("9000", "Internal error", None);
    }
    let info: Value = serde_json::from_str(&format!(
        r#"{{"refundTransactionId": {refund_id}, "refundTransactionDate": "2026-11-22T00:00:00Z"}}"#
    ))
    .expect("json");
    ok(Some(info))
}

async fn check(State((fake,)): State<Shared>, Path(id): Path<u64>, headers: HeaderMap) -> Response {
    let path = format!("/v3/payments/requests/{id}/check");
    if let Some(r) = fake.admit(&headers, &path, "") {
        return r;
    }
    let inner = fake.inner.lock().expect("lock");
    let Some(t) = inner.transactions.get(&id) else {
        return answer("1150", "Transaction record not found", None);
    };
    match t.status {
        Status::Reserved => answer("0000", "Reserved transaction.", None),
        Status::Approved => answer("0110", "Authentication completed.", None),
        Status::Canceled => answer("0121", "Canceled by the buyer.", None),
        _ => answer("0123", "Payment completed.", None),
    }
}

async fn details(
    State((fake,)): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = query.unwrap_or_default();
    if let Some(r) = fake.admit(&headers, "/v3/payments", &query) {
        return r;
    }
    let id: Option<u64> = query
        .split('&')
        .find_map(|p| p.strip_prefix("transactionId="))
        .and_then(|v| v.parse().ok());
    let inner = fake.inner.lock().expect("lock");
    let Some((id, t)) = id.and_then(|id| inner.transactions.get(&id).map(|t| (id, t))) else {
        return answer("1150", "Transaction record not found", None);
    };
    let pay_status = match t.status {
        Status::Authorized => "\"AUTHORIZATION\"",
        Status::Voided => "\"VOIDED_AUTHORIZATION\"",
        Status::Expired => "\"EXPIRED_AUTHORIZATION\"",
        _ => "\"CAPTURE\"",
    };
    let paid = if t.status == Status::Captured {
        t.captured
    } else {
        t.amount
    };
    let refunds: Vec<String> = t
        .refunds
        .iter()
        .map(|(rid, a)| {
            format!(
                r#"{{"refundTransactionId": {rid}, "transactionType": "PARTIAL_REFUND", "refundAmount": {}, "refundTransactionDate": "2026-11-22T00:00:00Z"}}"#,
                major(-a)
            )
        })
        .collect();
    let info: Value = serde_json::from_str(&format!(
        r#"[{{"transactionId": {id}, "transactionDate": "2026-11-22T00:00:00Z", "transactionType": "PAYMENT",
             "payStatus": {pay_status}, "orderId": "{}", "currency": "{}",
             "payInfo": [{{"method": "BALANCE", "amount": {}}}], "refundList": [{}]}}]"#,
        t.order_id,
        t.currency,
        major(paid),
        refunds.join(",")
    ))
    .expect("json");
    ok(Some(info))
}

async fn page(State((fake,)): State<Shared>, Path(id): Path<u64>) -> Response {
    if fake.transaction(id).is_none() {
        return (StatusCode::NOT_FOUND, "no such payment").into_response();
    }
    Html(format!(
        "<!doctype html><title>LINE Pay (fake)</title><h1>LINE Pay (fake)</h1>\
         <a id=\"linepay-approve\" href=\"/fake/linepay/pay/{id}/approve\">Pay</a> \
         <a id=\"linepay-cancel\" href=\"/fake/linepay/pay/{id}/cancel\">Cancel</a>"
    ))
    .into_response()
}

/// The buyer's choice on the page: to the merchant's confirm URL (with `transactionId` and
/// `orderId` added, as LINE Pay does) or to its cancel URL.
async fn decide(
    State((fake,)): State<Shared>,
    Path((id, action)): Path<(u64, String)>,
) -> Response {
    let mut inner = fake.inner.lock().expect("lock");
    let Some(t) = inner.transactions.get_mut(&id) else {
        return (StatusCode::NOT_FOUND, "no such payment").into_response();
    };
    if t.status != Status::Reserved {
        return (StatusCode::CONFLICT, "decided already").into_response();
    }
    let to = match action.as_str() {
        "approve" => {
            t.status = Status::Approved;
            let sep = if t.confirm_url.contains('?') {
                '&'
            } else {
                '?'
            };
            format!(
                "{}{sep}transactionId={id}&orderId={}",
                t.confirm_url, t.order_id
            )
        }
        "cancel" => {
            t.status = Status::Canceled;
            t.cancel_url.clone()
        }
        _ => return (StatusCode::NOT_FOUND, "approve or cancel").into_response(),
    };
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}
