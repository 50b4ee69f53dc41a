//! The sandbox's hosted card page. Plain HTML forms, no JavaScript.

use super::cards::{CardInput, CardOutcome, TEST_CARDS};
use super::store::{self, Payment};
use crate::clock::now;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use linkpay_shared::{Currency, Locale, Money};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "sandbox/pay.html")]
struct PayPage<'a> {
    payment: &'a Payment,
    amount: String,
    cards: Vec<(String, &'static str)>,
    error: Option<(&'static str, &'static str)>,
    expiry: String,
}

#[derive(Template)]
#[template(path = "sandbox/message.html")]
struct MessagePage<'a> {
    heading: &'a str,
    message: &'a str,
    continue_url: Option<String>,
}

#[derive(Deserialize)]
pub struct CardForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    expiry: String,
    #[serde(default)]
    cvc: String,
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../../templates/sandbox/sandbox.css"),
    )
}

pub async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match load(&state, &id).await {
        Ok(p) => render_form(&p, None, String::new(), StatusCode::OK),
        Err(page) => page,
    }
}

pub async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<CardForm>,
) -> Response {
    let payment = match load(&state, &id).await {
        Ok(p) => p,
        Err(page) => return page,
    };
    let today = time::OffsetDateTime::now_utc();
    let card = match CardInput::parse(
        &form.number,
        &form.expiry,
        &form.cvc,
        (today.year(), today.month() as u8),
    ) {
        Ok(card) => card,
        Err(e) => {
            return render_form(
                &payment,
                Some((e.field, e.message)),
                form.expiry,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let Some(outcome) = card.outcome() else {
        let e = (
            "number",
            "This is the sandbox: use one of the test cards listed below.",
        );
        return render_form(
            &payment,
            Some(e),
            form.expiry,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let decline = match outcome {
        CardOutcome::Approve => None,
        CardOutcome::Decline(code) => Some(code),
    };
    match store::decide(&state.db, &payment.id, decline, card.brand(), &card.last4()).await {
        Ok(true) => {
            tracing::info!(payment = %payment.id, brand = card.brand(), outcome = ?outcome, "sandbox payment decided");
            Redirect::to(&payment.return_to()).into_response()
        }
        // Already decided or expired meanwhile: send the buyer on; the merchant asks us the truth.
        Ok(false) => Redirect::to(&payment.return_to()).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "sandbox storage");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The sandbox could not record this payment. Nothing was charged.",
                None,
            )
        }
    }
}

async fn load(state: &AppState, id: &str) -> Result<Payment, Response> {
    let payment = match store::get(state.db.reader(), id).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            return Err(message(
                StatusCode::NOT_FOUND,
                "Payment not found",
                "This sandbox payment does not exist.",
                None,
            ));
        }
        Err(e) => {
            tracing::error!(error = %e, "sandbox storage");
            return Err(message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Please try again.",
                None,
            ));
        }
    };
    match payment.status_at(now()) {
        "open" => Ok(payment),
        "expired" => Err(message(
            StatusCode::GONE,
            "Payment session expired",
            "This payment took too long and has expired. Nothing was charged.",
            Some(payment.return_to()),
        )),
        _ => Err(message(
            StatusCode::CONFLICT,
            "Payment already completed",
            "This payment has already been decided.",
            Some(payment.return_to()),
        )),
    }
}

/// The card number is never written back into the page, even after an error.
fn render_form(
    payment: &Payment,
    error: Option<(&'static str, &'static str)>,
    expiry: String,
    status: StatusCode,
) -> Response {
    let amount = Currency::from_code(&payment.currency)
        .and_then(|c| Money::new(payment.amount, c).ok())
        .map(|m| m.format(Locale::En))
        .unwrap_or_else(|| format!("{} {}", payment.amount, payment.currency));
    let cards = TEST_CARDS
        .iter()
        .map(|(n, _, what)| {
            (
                n.as_bytes()
                    .chunks(4)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(" "),
                *what,
            )
        })
        .collect();
    let page = PayPage {
        payment,
        amount,
        cards,
        error,
        expiry,
    };
    html(status, page.render())
}

fn message(
    status: StatusCode,
    heading: &str,
    message: &str,
    continue_url: Option<String>,
) -> Response {
    html(
        status,
        MessagePage {
            heading,
            message,
            continue_url,
        }
        .render(),
    )
}

fn html(status: StatusCode, rendered: Result<String, askama::Error>) -> Response {
    match rendered {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}
