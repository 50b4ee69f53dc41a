//! The hosted Checkout page: a plain form (card number, expiry, CVC, email) with ids a
//! browser test can drive, a 3-D Secure challenge page with Complete and Fail, and the cancel
//! link to the session's `cancel_url`. A decline shows its message and the session stays
//! open for another card, as Stripe Checkout does.

use super::FakeStripe;
use super::api::{self, Paid};
use super::model::{SessionStatus, display_amount, read_card};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::collections::HashMap;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /checkout/{cs}`
pub async fn show(State((fake,)): State<(FakeStripe,)>, Path(cs): Path<String>) -> Response {
    render(&fake, &cs, None)
}

fn render(fake: &FakeStripe, cs: &str, error: Option<&str>) -> Response {
    let inner = fake.lock();
    let Some((acct, s)) = inner
        .accounts
        .iter()
        .find_map(|a| a.sessions.get(cs).map(|s| (a, s)))
    else {
        return (
            StatusCode::NOT_FOUND,
            Html("<h1 id=\"gone\">Something went wrong</h1>".to_owned()),
        )
            .into_response();
    };
    if s.status != SessionStatus::Open {
        return Html(format!(
            "<h1 id=\"gone\">This Checkout Session is no longer active</h1><p>{}</p>",
            acct.id
        ))
        .into_response();
    }
    let items: String = s
        .line_items
        .iter()
        .map(|l| format!("<li>{} × {}</li>", escape(&l.name), l.quantity))
        .collect();
    let cancel = s
        .cancel_url
        .as_deref()
        .map(|u| format!("<a id=\"cancel\" href=\"{}\">← Back</a>", escape(u)))
        .unwrap_or_default();
    let error = error
        .map(|e| format!("<p id=\"card-error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Fake Stripe Checkout</title></head><body>\
         <p id=\"test-mode\">TEST MODE</p>{cancel}<ul id=\"items\">{items}</ul>\
         <p id=\"total\">{total}</p>{error}\
         <form id=\"payment-form\" method=\"post\" action=\"/checkout/{cs}\">\
         <label for=\"email\">Email</label><input id=\"email\" name=\"email\" value=\"{email}\">\
         <label for=\"cardNumber\">Card number</label><input id=\"cardNumber\" name=\"card_number\" autocomplete=\"off\">\
         <label for=\"cardExpiry\">Expiry</label><input id=\"cardExpiry\" name=\"expiry\" placeholder=\"MM / YY\">\
         <label for=\"cardCvc\">CVC</label><input id=\"cardCvc\" name=\"cvc\">\
         <button id=\"submit\" type=\"submit\">Pay</button></form></body></html>",
        total = display_amount(s.amount_total, &s.currency),
        email = escape(s.customer_email.as_deref().unwrap_or_default()),
    ))
    .into_response()
}

/// `POST /checkout/{cs}`: the buyer pays.
pub async fn pay(
    State((fake,)): State<(FakeStripe,)>,
    Path(cs): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    let paid = {
        let mut inner = fake.lock();
        let now = inner.now();
        let Some(acct) = inner
            .accounts
            .iter()
            .position(|a| a.sessions.contains_key(&cs))
        else {
            return StatusCode::NOT_FOUND.into_response();
        };
        match read_card(&field("card_number"), &field("expiry"), &field("cvc"), now) {
            Ok(card) => api::pay(&mut inner, acct, &cs, card, form.get("email").cloned()),
            Err(message) => Ok(Paid::Again(message.to_owned())),
        }
    };
    fake.deliver();
    answer(&fake, &cs, paid)
}

/// `GET /checkout/{cs}/3ds`
pub async fn challenge_page(Path(cs): Path<String>) -> Response {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>3D Secure test page</title></head><body>\
         <h1>3D Secure 2 Test Page</h1>\
         <form method=\"post\" action=\"/checkout/{cs}/3ds\"><button id=\"test-source-authorize-3ds\" name=\"outcome\" value=\"complete\">Complete</button>\
         <button id=\"test-source-fail-3ds\" name=\"outcome\" value=\"fail\">Fail</button></form></body></html>"
    ))
    .into_response()
}

/// `POST /checkout/{cs}/3ds`
pub async fn challenge(
    State((fake,)): State<(FakeStripe,)>,
    Path(cs): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let passed = form.get("outcome").map(String::as_str) == Some("complete");
    let paid = {
        let mut inner = fake.lock();
        let Some(acct) = inner
            .accounts
            .iter()
            .position(|a| a.sessions.contains_key(&cs))
        else {
            return StatusCode::NOT_FOUND.into_response();
        };
        api::challenge(&mut inner, acct, &cs, passed)
    };
    fake.deliver();
    answer(&fake, &cs, paid)
}

fn answer(fake: &FakeStripe, cs: &str, paid: Result<Paid, super::model::ApiError>) -> Response {
    match paid {
        Ok(Paid::Redirect(url)) => Redirect::to(&url).into_response(),
        Ok(Paid::Again(message)) => render(fake, cs, Some(&message)),
        Err(e) => (StatusCode::BAD_REQUEST, e.error.to_string()).into_response(),
    }
}
