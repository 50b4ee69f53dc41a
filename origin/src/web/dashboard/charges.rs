//! Transactions: the charge list with its search, the CSV download of any search, a charge's
//! page, and capture, void and refund, each behind a confirmation step.

use super::api_calls::{FieldError, body, call};
use super::export;
use super::format::{show, when};
use super::links::LinkView;
use super::list_page::{BothGiven, Listing, Paging};
use super::pages::{Chrome, FormData, PageError, render, render_form};
use super::search::Search;
use super::sessions::Session;
use crate::base::listing::Cursor;
use crate::domain::charges::{self, Charge, ChargeFilter};
use crate::state::AppState;
use crate::web::api;
use crate::web::dashboard::guard::SignedIn;
use crate::web::dashboard::pages::{PageReply, QueryMap};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use linkpay_shared::{Currency, money};
use serde_json::json;
use std::collections::HashMap;

const PAGE_SIZE: i64 = 25;
pub const CHARGE_STATUSES: &[&str] = &[
    "pending",
    "authorized",
    "succeeded",
    "refunded",
    "failed",
    "expired",
    "voided",
];

/// A charge as the list and the link page show it.
pub struct ChargeRow {
    pub id: String,
    pub reference: String,
    pub amount: String,
    pub refunded: String,
    pub status: String,
    pub email: String,
    pub method: String,
    pub processing: &'static str,
    pub created: String,
}

impl ChargeRow {
    pub fn new(c: &Charge) -> ChargeRow {
        ChargeRow {
            id: c.id.clone(),
            reference: c.reference.clone().unwrap_or_default(),
            amount: shown(c, c.amount),
            refunded: if c.amount_refunded > 0 {
                shown(c, c.amount_refunded)
            } else {
                String::new()
            },
            status: c.status.clone(),
            email: c.buyer_email.clone().unwrap_or_default(),
            method: export::payment_method(c),
            processing: export::processing_type(c),
            created: when(c.created_at),
        }
    }
}

fn shown(c: &Charge, minor: i64) -> String {
    Currency::from_code(&c.currency).map_or_else(|| minor.to_string(), |cur| show(minor, cur))
}

#[derive(Template)]
#[template(path = "dashboard/charges.html")]
struct ListPage {
    chrome: Chrome,
    list: Listing,
    charges: Vec<ChargeRow>,
}

fn filter_of(search: &Search) -> (ChargeFilter, Vec<(&'static str, String)>) {
    match search.criteria(CHARGE_STATUSES) {
        Ok(c) => (c, Vec::new()),
        Err(e) => (ChargeFilter::default(), e),
    }
}

/// `GET /dashboard/charges`
pub async fn list(SignedIn { state, session }: SignedIn, Query(q): QueryMap) -> PageReply {
    let search = Search::from_query(&q);
    let (filter, errors) = filter_of(&search);
    let known = |id: String| {
        let (state, session) = (&state, &session);
        async move { Ok(find(state, session, &id).await?.created_at) }
    };
    let (cursor, paging) = Paging::read(&q, BothGiven::EndingBeforeWins, known).await?;
    let merchant = &session.merchant.id;
    let page = charges::search(
        &state.db,
        merchant,
        session.livemode,
        &filter,
        cursor,
        PAGE_SIZE,
    )
    .await?;
    let list = paging.listing(search, errors, CHARGE_STATUSES, &page, |c| &c.id);
    let page = ListPage {
        chrome: Chrome::new(&session, "charges"),
        list,
        charges: page.items.iter().map(ChargeRow::new).collect(),
    };
    // The search form says what it could not read.
    Ok(render_form(&page, !page.list.errors.is_empty()))
}

/// `GET /dashboard/charges.csv?<search>&bom=1`: every charge the search finds.
pub async fn csv(SignedIn { state, session }: SignedIn, Query(q): QueryMap) -> PageReply {
    let search = Search::from_query(&q);
    let (filter, errors) = filter_of(&search);
    if let Some((field, message)) = errors.first() {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            format!("{field}: {message}"),
        ));
    }
    let mut rows = Vec::new();
    let mut cursor = None;
    loop {
        let page = charges::search(
            &state.db,
            &session.merchant.id,
            session.livemode,
            &filter,
            cursor,
            100,
        )
        .await?;
        let emails = link_emails(&state, &page.items).await?;
        let last = page.items.last().map(|c| (c.created_at, c.id.clone()));
        for c in page.items {
            let email = c
                .buyer_email
                .clone()
                .or_else(|| emails.get(&c.link_id).cloned().flatten());
            rows.push((c, email));
        }
        match (page.has_more, last) {
            (true, Some((created, id))) => cursor = Some(Cursor::StartingAfter { created, id }),
            _ => break,
        }
    }
    let bom = q
        .get("bom")
        .is_some_and(|v| v == "1" || v == "true" || v == "on");
    let csv = export::write(&rows, bom).map_err(PageError::internal)?;
    let name = format!(
        "linkpay-transactions-{}.csv",
        crate::base::clock::rfc3339(state.clock.now())
            .get(..10)
            .unwrap_or("export")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        csv,
    )
        .into_response())
}

/// The `customer_email` of each charge's link.
async fn link_emails(
    state: &AppState,
    charges: &[Charge],
) -> Result<HashMap<String, Option<String>>, sqlx::Error> {
    let mut out = HashMap::new();
    for c in charges {
        if c.buyer_email.is_none() && !out.contains_key(&c.link_id) {
            let link = crate::domain::links::by_id(state.db.reader(), &c.link_id).await?;
            out.insert(c.link_id.clone(), link.and_then(|l| l.customer_email));
        }
    }
    Ok(out)
}

async fn find(state: &AppState, session: &Session, id: &str) -> Result<Charge, PageError> {
    let found = charges::get(state.db.reader(), id).await?;
    let mine = found.filter(|c| c.merchant_id == session.merchant.id);
    PageError::in_mode(mine, |c| c.livemode, session, "charge")
}

/// What can be done to a charge now, from the same rules the API applies.
struct Actions {
    capture: bool,
    void: bool,
    refund: bool,
}

fn actions(c: &Charge, now: i64) -> Actions {
    match c.ledger() {
        Some(l) => Actions {
            capture: l.begin_capture(l.amount, now).is_ok(),
            void: l.begin_void().is_ok(),
            // Anything left to give back, even one minor unit.
            refund: l.begin_refund(1).is_ok(),
        },
        None => Actions {
            capture: false,
            void: false,
            refund: false,
        },
    }
}

#[derive(Template)]
#[template(path = "dashboard/charge.html")]
struct ChargePage {
    chrome: Chrome,
    charge: ChargeRow,
    failure: Option<String>,
    captured: String,
    capture_before: Option<String>,
    link: Option<LinkView>,
    refunds: Vec<(String, String, String, String)>,
    actions: Actions,
    notice: Option<&'static str>,
}

/// `GET /dashboard/charges/{id}`
pub async fn show_charge(
    SignedIn { state, session }: SignedIn,
    Path(id): Path<String>,
    Query(q): QueryMap,
) -> PageReply {
    let c = find(&state, &session, &id).await?;
    let link = crate::domain::links::by_id(state.db.reader(), &c.link_id).await?;
    let refunds = crate::services::payments::refund::list_for_charge(state.db.reader(), &c.id)
        .await?
        .into_iter()
        .map(|r| (r.id, shown(&c, r.amount), r.status, when(r.created_at)))
        .collect();
    let notice = match q.get("done").map(String::as_str) {
        Some("capture") => Some("The charge was captured."),
        Some("void") => Some("The authorization was voided: the buyer will not be charged."),
        Some("refund") => Some("The refund was made."),
        _ => None,
    };
    let mut row = ChargeRow::new(&c);
    if row.email.is_empty() {
        row.email = link
            .as_ref()
            .and_then(|l| l.customer_email.clone())
            .unwrap_or_default();
    }
    Ok(render(&ChargePage {
        chrome: Chrome::new(&session, "charges"),
        failure: c.failure_message.clone().or(c.failure_code.clone()),
        captured: shown(&c, c.amount_captured),
        capture_before: c.capture_before.map(when),
        link: link.map(|l| LinkView::new(&l, state.clock.now(), &state.config.edge_url)),
        refunds,
        actions: actions(&c, state.clock.now()),
        charge: row,
        notice,
    }))
}

#[derive(Template)]
#[template(path = "dashboard/charge_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    charge: ChargeRow,
    action: String,
    /// What the button says will happen.
    consequence: String,
    amount: String,
    currency: String,
    needs_amount: bool,
    error: Option<FieldError>,
}

fn consequence(action: &str, c: &Charge) -> Option<String> {
    Some(match action {
        "capture" => format!(
            "Take the money of this authorization ({}), or a smaller amount: the rest is released to the buyer. A charge is captured once.",
            shown(c, c.amount)
        ),
        "void" => format!(
            "Release the whole authorization of {}: the buyer is not charged, and it cannot be captured afterwards.",
            shown(c, c.amount)
        ),
        "refund" => format!(
            "Give money back to the buyer: up to {} can still be refunded. This cannot be undone.",
            shown(
                c,
                c.amount_captured - c.amount_refunded - c.amount_refunding
            )
        ),
        _ => return None,
    })
}

/// `GET /dashboard/charges/{id}/{action}`: the confirmation step.
pub async fn confirm(
    SignedIn { state, session }: SignedIn,
    Path((id, action)): Path<(String, String)>,
) -> PageReply {
    let c = find(&state, &session, &id).await?;
    let consequence = consequence(&action, &c).ok_or_else(|| PageError::not_found("action"))?;
    Ok(render(&ConfirmPage {
        chrome: Chrome::new(&session, "charges"),
        charge: ChargeRow::new(&c),
        needs_amount: action != "void",
        action,
        consequence,
        amount: String::new(),
        currency: c.currency.clone(),
        error: None,
    }))
}

/// `POST /dashboard/charges/{id}/{action}`: does it, through the API's handler.
pub async fn perform(
    SignedIn { state, session }: SignedIn,
    Path((id, action)): Path<(String, String)>,
    form: FormData,
) -> PageReply {
    let c = find(&state, &session, &id).await?;
    let consequence = consequence(&action, &c).ok_or_else(|| PageError::not_found("action"))?;
    let typed = form.get("amount").unwrap_or_default().to_owned();
    let mut req = json!({});
    let mut error = None;
    if !typed.is_empty() && action != "void" {
        match Currency::from_code(&c.currency).map(|cur| money::parse_major(&typed, cur)) {
            Some(Ok(minor)) => req["amount"] = json!(minor),
            Some(Err(e)) => {
                error = Some(FieldError {
                    field: "amount".into(),
                    message: format!("The amount {typed:?} cannot be used: {e}."),
                })
            }
            None => {
                return Err(PageError::internal(
                    "a stored charge has an unknown currency",
                ));
            }
        }
    }
    if error.is_none() {
        let (c, path, b) = (call(&state, &session), Path(id.clone()), body(&req));
        let result = match action.as_str() {
            "capture" => api::charges::capture(c, path, b).await.map(|_| ()),
            "void" => api::charges::void(c, path, b).await.map(|_| ()),
            _ => api::charges::refund(c, path, b).await.map(|_| ()),
        };
        match result {
            Ok(()) => {
                tracing::info!(charge = %id, %action, user = %session.user_id, "dashboard charge action");
                return Ok(
                    Redirect::to(&format!("/dashboard/charges/{id}?done={action}")).into_response(),
                );
            }
            Err(e) => error = Some(FieldError::from(e)),
        }
    }
    let c = find(&state, &session, &id).await?;
    Ok((
        StatusCode::BAD_REQUEST,
        render(&ConfirmPage {
            chrome: Chrome::new(&session, "charges"),
            charge: ChargeRow::new(&c),
            needs_amount: action != "void",
            action,
            consequence,
            amount: typed,
            currency: c.currency.clone(),
            error,
        }),
    )
        .into_response())
}
