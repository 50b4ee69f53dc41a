//! The sandbox's hosted pages: the card form, the 3-D Secure challenge and the wallet's
//! approve/cancel page. Plain HTML forms, no JavaScript.

use crate::providers::sandbox::cards::{CardInput, CardOutcome, TEST_CARDS};
use crate::providers::sandbox::notify;
use crate::providers::sandbox::store::{self, Decision, Payment};
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

#[derive(Template)]
#[template(path = "sandbox/challenge.html")]
struct ChallengePage<'a> {
    id: &'a str,
    merchant_name: &'a str,
    amount: String,
    last4: &'a str,
}

#[derive(Template)]
#[template(path = "sandbox/wallet.html")]
struct WalletPage<'a> {
    id: &'a str,
    merchant_name: &'a str,
    description: &'a str,
    amount: String,
}

#[derive(Deserialize)]
pub struct ChoiceForm {
    #[serde(default)]
    result: String,
    #[serde(default)]
    action: String,
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
        include_str!("../../../../templates/sandbox/sandbox.css"),
    )
}

pub async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match load(&state, &id, "open").await {
        Ok(p) if p.method == "wallet" => {
            Redirect::to(&format!("/sandbox/wallet/{id}")).into_response()
        }
        Ok(p) => render_form(&p, None, String::new(), StatusCode::OK),
        Err(page) => page,
    }
}

pub async fn show_challenge(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match load(&state, &id, "challenge").await {
        Ok(p) => html(
            StatusCode::OK,
            ChallengePage {
                id: &p.id,
                merchant_name: &p.merchant_name,
                amount: amount(&p),
                last4: p.card_last4.as_deref().unwrap_or("????"),
            }
            .render(),
        ),
        Err(page) => page,
    }
}

pub async fn submit_challenge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<ChoiceForm>,
) -> Response {
    let payment = match load(&state, &id, "challenge").await {
        Ok(p) => p,
        Err(page) => return page,
    };
    let passed = match form.result.as_str() {
        "pass" => true,
        "fail" => false,
        _ => return bad_choice(),
    };
    let window = window_secs(&state);
    let done =
        store::finish_challenge(&state.db, state.clock.now(), &payment.id, passed, window).await;
    finish(&state, &payment, done).await
}

pub async fn show_wallet(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match load(&state, &id, "open").await {
        Ok(p) if p.method == "wallet" => html(
            StatusCode::OK,
            WalletPage {
                id: &p.id,
                merchant_name: &p.merchant_name,
                description: &p.description,
                amount: amount(&p),
            }
            .render(),
        ),
        Ok(_) => Redirect::to(&format!("/sandbox/pay/{id}")).into_response(),
        Err(page) => page,
    }
}

pub async fn submit_wallet(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<ChoiceForm>,
) -> Response {
    let payment = match load(&state, &id, "open").await {
        Ok(p) if p.method == "wallet" => p,
        Ok(_) => return bad_choice(),
        Err(page) => return page,
    };
    let decision = match form.action.as_str() {
        "approve" => Decision::Approve {
            window_secs: window_secs(&state),
        },
        "cancel" => Decision::Cancel,
        _ => return bad_choice(),
    };
    let done = store::decide(&state.db, state.clock.now(), &payment.id, decision, None).await;
    finish(&state, &payment, done).await
}

fn window_secs(state: &AppState) -> i64 {
    state.config.sandbox_capture_window.as_secs() as i64
}

fn bad_choice() -> Response {
    message(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Choose an option",
        "Use one of the buttons on the page.",
        None,
    )
}

/// After a decision: tell the merchant by a signed notification and send the buyer back.
/// A decision that did not apply (decided or expired meanwhile) sends the buyer back too;
/// the merchant asks the sandbox for the truth either way.
async fn finish(
    state: &AppState,
    payment: &Payment,
    done: Result<Option<Payment>, sqlx::Error>,
) -> Response {
    match done {
        Ok(applied) => {
            let decided = applied.is_some();
            // A decision that did not apply: the payment as it is now (a challenge opened
            // meanwhile still sends the buyer to it).
            let now = match applied {
                Some(p) => Some(p),
                None => store::get(state.db.reader(), &payment.id)
                    .await
                    .ok()
                    .flatten(),
            };
            if let Some(now) = now {
                if now.status == "challenge" {
                    return Redirect::to(&format!("/sandbox/3ds/{}", now.id)).into_response();
                }
                if decided {
                    tracing::info!(payment = %now.id, status = %now.status, "sandbox payment decided");
                    notify::send(
                        format!(
                            "{}/providers/sandbox/notifications",
                            state.config.public_url
                        ),
                        state.clock.now(),
                        notify::secret(&state.config.edge_secret),
                        &now,
                    );
                }
            }
            Redirect::to(&payment.return_to()).into_response()
        }
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

pub async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<CardForm>,
) -> Response {
    let payment = match load(&state, &id, "open").await {
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
    let decision = match outcome {
        CardOutcome::Approve => Decision::Approve {
            window_secs: window_secs(&state),
        },
        CardOutcome::Decline(code) => Decision::Decline(code),
        CardOutcome::Challenge => Decision::Challenge { then: None },
        CardOutcome::ChallengeThenDecline(code) => Decision::Challenge { then: Some(code) },
    };
    let last4 = card.last4();
    let done = store::decide(
        &state.db,
        state.clock.now(),
        &payment.id,
        decision,
        Some((card.brand(), &last4)),
    )
    .await;
    finish(&state, &payment, done).await
}

/// The payment, if it is at the step (`open` or `challenge`) the page is for.
async fn load(state: &AppState, id: &str, step: &str) -> Result<Payment, Response> {
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
    match payment.status_at(state.clock.now()) {
        s if s == step => Ok(payment),
        "challenge" => Err(Redirect::to(&format!("/sandbox/3ds/{id}")).into_response()),
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
    let amount = amount(payment);
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

fn amount(payment: &Payment) -> String {
    Currency::from_code(&payment.currency)
        .and_then(|c| Money::new(payment.amount, c).ok())
        .map(|m| m.format(Locale::En))
        .unwrap_or_else(|| format!("{} {}", payment.amount, payment.currency))
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
