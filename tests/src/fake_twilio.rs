//! A local stand-in for Twilio's Programmable Messaging API, speaking its wire format:
//! `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth, a form body of
//! `To`, `From` or `MessagingServiceSid`, and `Body`; 201 with a Message resource, or Twilio's
//! error object `{code, message, more_info, status}`. It records accepted messages and can be
//! told to fail the next requests the ways Twilio does.
//!
//! Its `num_segments` is a simple model (7-bit for ASCII, UTF-16 units otherwise, ceiling
//! division): right for ASCII and Japanese bodies, independent of linkpay's own counter so
//! tests can compare the two.

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// A message Twilio accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub sid: String,
    pub to: String,
    pub from: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub body: String,
    pub num_segments: u32,
}

/// Ways to make the next requests fail, each with Twilio's status and error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// 400, 21211: invalid `To`.
    InvalidTo,
    /// 400, 21610: the recipient replied STOP.
    Unsubscribed,
    /// 401, 20003: credentials refused.
    Unauthorized,
    /// 429, 20429: too many requests.
    RateLimited,
    /// 500, 20500: Twilio's own failure.
    ServerError,
}

impl Failure {
    fn answer(self) -> Response {
        match self {
            Failure::InvalidTo => error(400, 21211, "The 'To' number is not a valid phone number."),
            Failure::Unsubscribed => error(400, 21610, "Attempt to send to unsubscribed recipient"),
            Failure::Unauthorized => error(401, 20003, "Authenticate"),
            Failure::RateLimited => error(429, 20429, "Too Many Requests"),
            Failure::ServerError => error(500, 20500, "An internal server error has occurred"),
        }
    }
}

#[derive(Default)]
struct Inner {
    failures: VecDeque<Failure>,
    messages: Vec<Message>,
    requests: u32,
}

#[derive(Clone)]
pub struct FakeTwilio {
    /// What `LINKPAY_TWILIO_BASE_URL` should be.
    pub base_url: String,
    pub account_sid: String,
    auth_token: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakeTwilio {
    /// Listens on a free loopback port for one account.
    pub async fn start(account_sid: &str, auth_token: &str) -> FakeTwilio {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake Twilio");
        let fake = FakeTwilio {
            base_url: format!("http://{}", listener.local_addr().expect("addr")),
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            inner: Arc::default(),
        };
        let app = Router::new()
            .route(
                "/2010-04-01/Accounts/{sid}/Messages.json",
                post(create_message),
            )
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        fake
    }

    /// The next `n` requests get `failure` instead of being looked at.
    pub fn fail_next(&self, n: u32, failure: Failure) {
        let mut inner = self.inner.lock().expect("lock");
        inner
            .failures
            .extend(std::iter::repeat_n(failure, n as usize));
    }

    /// Messages accepted so far, oldest first.
    pub fn messages(&self) -> Vec<Message> {
        self.inner.lock().expect("lock").messages.clone()
    }

    /// Requests received so far, failed ones included.
    pub fn requests(&self) -> u32 {
        self.inner.lock().expect("lock").requests
    }
}

fn error(status: u16, code: u32, message: &str) -> Response {
    let body = serde_json::json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
    });
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn authorized(headers: &HeaderMap, fake: &FakeTwilio) -> bool {
    let Some(encoded) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
        return false;
    };
    decoded == format!("{}:{}", fake.account_sid, fake.auth_token).as_bytes()
}

fn e164(s: &str) -> bool {
    s.strip_prefix('+').is_some_and(|d| {
        (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0')
    })
}

fn num_segments(body: &str) -> u32 {
    let (units, single, part) = if body.is_ascii() {
        let ext = body.chars().filter(|c| "^{}\\[~]|".contains(*c)).count();
        (body.len() + ext, 160, 153)
    } else {
        (body.encode_utf16().count(), 70, 67)
    };
    if units <= single {
        1
    } else {
        units.div_ceil(part) as u32
    }
}

async fn create_message(
    State(fake): State<FakeTwilio>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let next_failure = {
        let mut inner = fake.inner.lock().expect("lock");
        inner.requests += 1;
        inner.failures.pop_front()
    };
    if let Some(failure) = next_failure {
        return failure.answer();
    }
    if !authorized(&headers, &fake) {
        return error(401, 20003, "Authenticate");
    }
    if sid != fake.account_sid {
        return error(404, 20404, "The requested resource was not found");
    }
    let Ok(Form(form)) = form else {
        return error(400, 21602, "Message body is required.");
    };
    let field = |k: &str| form.get(k).filter(|v| !v.is_empty()).cloned();
    let Some(to) = field("To") else {
        return error(400, 21604, "A 'To' phone number is required.");
    };
    if !e164(&to) {
        return error(
            400,
            21211,
            &format!("The 'To' number {to} is not a valid phone number."),
        );
    }
    let (from, service) = (field("From"), field("MessagingServiceSid"));
    if from.is_none() && service.is_none() {
        return error(400, 21603, "A 'From' phone number is required.");
    }
    if service.as_deref().is_some_and(|s| !s.starts_with("MG")) {
        return error(400, 21701, "The Messaging Service Sid is invalid.");
    }
    let Some(body) = field("Body") else {
        return error(400, 21602, "Message body is required.");
    };
    if body.chars().count() > 1600 {
        return error(
            400,
            21617,
            "The concatenated message body exceeds the 1600 character limit.",
        );
    }
    let mut inner = fake.inner.lock().expect("lock");
    let message_sid = format!("SM{:032x}", inner.messages.len() + 1);
    // Through a Messaging Service, Twilio has not picked a sender yet: "0" segments, "accepted".
    let (status, segments) = match service {
        Some(_) => ("accepted", 0),
        None => ("queued", num_segments(&body)),
    };
    let resource = serde_json::json!({
        "account_sid": fake.account_sid,
        "api_version": "2010-04-01",
        "body": body,
        "direction": "outbound-api",
        "error_code": null,
        "error_message": null,
        "from": from,
        "messaging_service_sid": service,
        "num_media": "0",
        "num_segments": segments.to_string(),
        "price": null,
        "sid": message_sid,
        "status": status,
        "to": to,
        "uri": format!("/2010-04-01/Accounts/{}/Messages/{message_sid}.json", fake.account_sid),
    });
    inner.messages.push(Message {
        sid: message_sid,
        to,
        from,
        messaging_service_sid: service,
        body,
        num_segments: segments,
    });
    (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json")],
        resource.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::num_segments;

    #[test]
    fn segment_model() {
        assert_eq!(num_segments(&"a".repeat(160)), 1);
        assert_eq!(num_segments(&"a".repeat(161)), 2);
        assert_eq!(num_segments(&"{".repeat(80)), 1);
        assert_eq!(num_segments(&"あ".repeat(70)), 1);
        assert_eq!(num_segments(&"あ".repeat(71)), 2);
    }
}
