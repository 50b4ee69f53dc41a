//! Links: the list with its search, the create form (send now, or copy the URL and QR code),
//! and a link's page.

use super::api_calls::{FieldError, body, call};
use super::format::{currency_codes, show, when};
use super::list_page::{BothGiven, Listing, Paging};
use super::pages::{Chrome, FormData, PageError, render, render_form};
use super::search::Search;
use super::sessions::Session;
use crate::base::error::ApiError;
use crate::domain::charges::ChargeFilter;
use crate::domain::links::{self, Link, LinkFilter};
use crate::state::AppState;
use crate::web::api;
use crate::web::dashboard::guard::SignedIn;
use crate::web::dashboard::pages::{PageReply, QueryMap};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use linkpay_shared::{Currency, Locale, money};
use serde_json::{Map, Value, json};

const PAGE_SIZE: i64 = 25;
pub const LINK_STATUSES: &[&str] = &["active", "used", "expired", "deactivated"];

/// A link as a row or a page shows it.
pub struct LinkView {
    pub id: String,
    pub url: String,
    pub full_url: String,
    pub status: String,
    pub amount: String,
    pub title: String,
    pub reference: String,
    pub customer: String,
    pub created: String,
    pub expires: String,
    pub paid_count: i64,
    pub single_use: bool,
}

impl LinkView {
    pub fn new(l: &Link, now: i64, edge_url: &str) -> LinkView {
        let amount = match l.amount_terms() {
            Some(linkpay_shared::token::Amount::Fixed(m)) => m.format(Locale::En),
            Some(linkpay_shared::token::Amount::BuyerChosen { currency, min, max }) => {
                format!("{} – {}", show(min, currency), show(max, currency))
            }
            None => String::new(),
        };
        LinkView {
            id: l.id.clone(),
            url: l.share_url(edge_url),
            full_url: l.url(edge_url),
            status: l.status_at(now).to_owned(),
            amount,
            title: l.title.clone(),
            reference: l.reference.clone().unwrap_or_default(),
            customer: l
                .customer_email
                .clone()
                .or_else(|| l.customer_phone.clone())
                .unwrap_or_default(),
            created: when(l.created_at),
            expires: when(l.expires_at),
            paid_count: l.paid_count,
            single_use: l.single_use(),
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/links.html")]
struct ListPage {
    chrome: Chrome,
    list: Listing,
    links: Vec<LinkView>,
}

/// `GET /dashboard/links`
pub async fn list(SignedIn { state, session }: SignedIn, Query(q): QueryMap) -> PageReply {
    let search = Search::from_query(&q);
    let (criteria, errors) = match search.criteria(LINK_STATUSES) {
        Ok(c) => (c, Vec::new()),
        Err(e) => (Default::default(), e),
    };
    let filter = LinkFilter {
        status: criteria.status,
        created_gte: criteria.created_gte,
        created_lte: criteria.created_lte,
        reference: None,
        reference_prefix: criteria.reference,
        customer_email: criteria.email,
        currency: criteria.currency,
        amount_gte: criteria.amount_gte,
        amount_lte: criteria.amount_lte,
    };
    let (db, merchant) = (&state.db, &session.merchant.id);
    let known = |id: String| async move {
        let link = links::get(db, merchant, &id).await?;
        link.filter(|l| l.livemode == session.livemode)
            .map(|l| l.created_at)
            .ok_or_else(|| PageError::not_found("link"))
    };
    let (cursor, paging) = Paging::read(&q, BothGiven::StartingAfterWins, known).await?;
    let page = links::list(
        db,
        merchant,
        session.livemode,
        &filter,
        state.clock.now(),
        cursor,
        PAGE_SIZE,
    )
    .await?;
    let list = paging.listing(search, errors, LINK_STATUSES, &page, |l| &l.id);
    let links = page
        .items
        .iter()
        .map(|l| LinkView::new(l, state.clock.now(), &state.config.edge_url))
        .collect();
    Ok(render(&ListPage {
        chrome: Chrome::new(&session, "links"),
        list,
        links,
    }))
}

#[derive(Template)]
#[template(path = "dashboard/link_new.html")]
struct NewPage {
    chrome: Chrome,
    form: NewLinkForm,
    error: Option<FieldError>,
    currencies: Vec<&'static str>,
}

/// The create form as typed.
#[derive(Default)]
struct NewLinkForm {
    amount: String,
    currency: String,
    title: String,
    description: String,
    reference: String,
    customer_email: String,
    customer_phone: String,
    customer_name: String,
    valid_days: String,
    send_email: bool,
    send_sms: bool,
}

/// `GET /dashboard/links/new`
pub async fn new_page(session: Session) -> Response {
    render(&NewPage {
        chrome: Chrome::new(&session, "links"),
        form: NewLinkForm {
            currency: "JPY".into(),
            valid_days: "30".into(),
            ..Default::default()
        },
        error: None,
        currencies: currency_codes(),
    })
}

/// `POST /dashboard/links`: through the API's own create, so its rules and messages apply.
pub async fn create(SignedIn { state, session }: SignedIn, form: FormData) -> PageReply {
    let typed = |k: &str| form.get(k).unwrap_or_default().to_owned();
    let f = NewLinkForm {
        amount: typed("amount"),
        currency: typed("currency").to_uppercase(),
        title: typed("title"),
        description: typed("description"),
        reference: typed("reference"),
        customer_email: typed("customer_email"),
        customer_phone: typed("customer_phone"),
        customer_name: typed("customer_name"),
        valid_days: typed("valid_days"),
        send_email: form.get("send_email").is_some(),
        send_sms: form.get("send_sms").is_some(),
    };
    let result = match request_body(&f, state.clock.now()) {
        Ok(json) => api::links::create(call(&state, &session), body(&json))
            .await
            .map_err(FieldError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok((_, axum::Json(link))) => {
            let id = link["id"].as_str().unwrap_or_default();
            Ok(Redirect::to(&format!("/dashboard/links/{id}?created=1")).into_response())
        }
        Err(error) => Ok((
            StatusCode::BAD_REQUEST,
            render(&NewPage {
                chrome: Chrome::new(&session, "links"),
                form: f,
                error: Some(error),
                currencies: currency_codes(),
            }),
        )
            .into_response()),
    }
}

/// The API body for the form: the amount as typed becomes minor units, days become a time.
fn request_body(f: &NewLinkForm, now: i64) -> Result<Value, FieldError> {
    let field = |field: &str, message: String| FieldError {
        field: field.to_owned(),
        message,
    };
    let currency = Currency::from_code(&f.currency)
        .ok_or_else(|| field("currency", format!("Unknown currency {:?}.", f.currency)))?;
    let amount = money::parse_major(&f.amount, currency).map_err(|e| {
        field(
            "amount",
            format!("The amount {:?} cannot be used: {e}.", f.amount),
        )
    })?;
    let days: i64 = f
        .valid_days
        .parse()
        .ok()
        .filter(|d| (1..=365).contains(d))
        .ok_or_else(|| {
            field(
                "valid_days",
                "Valid for: give a number of days from 1 to 365.".into(),
            )
        })?;
    let mut m = Map::new();
    m.insert("amount".into(), json!(amount));
    m.insert("currency".into(), json!(currency.code()));
    m.insert("title".into(), json!(f.title));
    m.insert("expires_at".into(), json!(now + days * 86_400));
    for (k, v) in [
        ("description", &f.description),
        ("reference", &f.reference),
        ("customer_email", &f.customer_email),
        ("customer_phone", &f.customer_phone),
        ("customer_name", &f.customer_name),
    ] {
        if !v.is_empty() {
            m.insert(k.into(), json!(v));
        }
    }
    let mut send = Vec::new();
    if f.send_email {
        send.push("email");
    }
    if f.send_sms {
        send.push("sms");
    }
    if !send.is_empty() {
        m.insert("send".into(), json!(send));
    }
    Ok(Value::Object(m))
}

#[derive(Template)]
#[template(path = "dashboard/link.html")]
struct LinkPage {
    chrome: Chrome,
    link: LinkView,
    charges: Vec<super::charges::ChargeRow>,
    notice: Option<&'static str>,
    error: Option<String>,
}

/// `GET /dashboard/links/{id}`
pub async fn show_link(
    SignedIn { state, session }: SignedIn,
    Path(id): Path<String>,
    Query(q): QueryMap,
) -> PageReply {
    let notice = match q
        .get("done")
        .map(String::as_str)
        .or(q.get("created").map(|_| "created"))
    {
        Some("created") => Some("The link was created."),
        Some("sent") => Some("The payment request is on its way."),
        Some("deactivated") => Some("The link was deactivated: buyers can no longer pay it."),
        _ => None,
    };
    link_page(&state, &session, &id, notice, None).await
}

async fn link_page(
    state: &AppState,
    session: &Session,
    id: &str,
    notice: Option<&'static str>,
    error: Option<String>,
) -> PageReply {
    let link = find(state, session, id).await?;
    let charges = crate::domain::charges::search(
        &state.db,
        &session.merchant.id,
        session.livemode,
        &ChargeFilter {
            link_id: Some(link.id.clone()),
            ..Default::default()
        },
        None,
        50,
    )
    .await?;
    let page = LinkPage {
        chrome: Chrome::new(session, "links"),
        link: LinkView::new(&link, state.clock.now(), &state.config.edge_url),
        charges: charges
            .items
            .iter()
            .map(super::charges::ChargeRow::new)
            .collect::<Vec<_>>(),
        notice,
        error,
    };
    Ok(render_form(&page, page.error.is_some()))
}

async fn find(state: &AppState, session: &Session, id: &str) -> Result<Link, PageError> {
    let found = links::get(&state.db, &session.merchant.id, id).await?;
    PageError::in_mode(found, |l| l.livemode, session, "link")
}

/// `GET /dashboard/links/{id}/qr.svg`
pub async fn qr(SignedIn { state, session }: SignedIn, Path(id): Path<String>) -> PageReply {
    let link = find(&state, &session, &id).await?;
    let svg = crate::base::qr::svg(&link.share_url(&state.config.edge_url))
        .map_err(PageError::internal)?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

/// `POST /dashboard/links/{id}/send`
pub async fn send(
    SignedIn { state, session }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> PageReply {
    let channel = form.get("channel").unwrap_or("email");
    let mut req = json!({"channel": channel});
    if let Some(to) = form.get("to") {
        req["to"] = json!(to);
    }
    let (c, path) = (call(&state, &session), Path(id.clone()));
    let sent = api::notifications::send_link(c, path, body(&req)).await;
    acted(&state, &session, &id, "sent", sent).await
}

/// `POST /dashboard/links/{id}/deactivate`
pub async fn deactivate(
    SignedIn { state, session }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> PageReply {
    let req = match form.get("message") {
        Some(m) => json!({"message": m}),
        None => json!({}),
    };
    let (c, path) = (call(&state, &session), Path(id.clone()));
    let deactivated = api::links::deactivate(c, path, body(&req)).await;
    acted(&state, &session, &id, "deactivated", deactivated).await
}

/// After an action on a link through the API: back to its page, which says it is `done`,
/// or the page again with the API's refusal.
async fn acted<T>(
    state: &AppState,
    session: &Session,
    id: &str,
    done: &str,
    result: Result<T, ApiError>,
) -> PageReply {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/dashboard/links/{id}?done={done}")).into_response()),
        Err(e) => link_page(state, session, id, None, Some(e.message)).await,
    }
}
