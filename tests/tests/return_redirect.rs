//! A buyer pays in Chromium, typing their email on the pay page, and the browser carries the
//! signed result back to the merchant's registered return URL: by the auto-submitted POST
//! form, and by a GET redirect. A local "merchant site" records what arrives.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::Html;
use axum::routing::get;
use linkpay_e2e::Stack;
use linkpay_e2e::browser::Browser;
use linkpay_shared::redirect::{self, ResultCode, ReturnFields, ReturnSecret};
use serde_json::json;
use std::sync::{Arc, Mutex};

/// What the merchant's return page received: the method and the raw query or form body.
#[derive(Clone, Default)]
struct Site {
    got: Arc<Mutex<Vec<(&'static str, String)>>>,
}

const THANKS: &str = "<!doctype html><title>Shop</title><h1 id=\"merchant-thanks\">Thank you</h1>";

async fn on_get(State(s): State<Site>, RawQuery(q): RawQuery) -> Html<&'static str> {
    s.got
        .lock()
        .expect("lock")
        .push(("GET", q.unwrap_or_default()));
    Html(THANKS)
}

async fn on_post(State(s): State<Site>, body: Bytes) -> Html<&'static str> {
    let body = String::from_utf8_lossy(&body).into_owned();
    s.got.lock().expect("lock").push(("POST", body));
    Html(THANKS)
}

async fn merchant_site() -> (String, Site) {
    let site = Site::default();
    let app = Router::new()
        .route("/linkpay/back", get(on_get).post(on_post))
        .with_state(site.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind merchant site");
    let url = format!(
        "http://{}/linkpay/back",
        listener.local_addr().expect("addr")
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, site)
}

async fn register(stack: &Stack, url: &str, method: &str) -> (String, ReturnSecret) {
    let (status, created) = stack
        .api(
            reqwest::Method::POST,
            "/v1/return_urls",
            Some(json!({"url": url, "method": method})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let secret = ReturnSecret::parse(created["secret"].as_str().expect("secret")).expect("rsec");
    (created["id"].as_str().expect("id").to_owned(), secret)
}

/// Opens the link, types `email`, pays with a test card and waits for the merchant's page.
async fn pay(b: &Browser, link: &serde_json::Value, email: &str, shot: &str) {
    b.open(link["url"].as_str().expect("url")).await;
    b.wait_for("#email-input").await;
    assert_eq!(
        b.attr("#email-input", "type").await.as_deref(),
        Some("email")
    );
    assert_eq!(
        b.attr("#email-input", "autocomplete").await.as_deref(),
        Some("email")
    );
    b.type_into("#email-input", email).await;
    b.screenshot(&format!("{shot}-1-pay-page-with-email")).await;
    b.pay_by_card("4242 4242 4242 4242").await;
    b.wait_for("#merchant-thanks").await;
    b.screenshot(&format!("{shot}-2-merchant-page")).await;
}

fn verified(secret: &ReturnSecret, raw: &str) -> ReturnFields {
    let pairs = redirect::parse_form(raw);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    redirect::verify(
        secret,
        pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        now,
        redirect::DEFAULT_TOLERANCE_SECS,
    )
    .unwrap_or_else(|e| panic!("the merchant could not verify {raw:?}: {e}"))
}

async fn the_charge(stack: &Stack, link_id: &str) -> serde_json::Value {
    let (_, charges) = stack.api_get(&format!("/v1/links/{link_id}/charges")).await;
    charges["data"][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_buyer_goes_back_to_the_merchant_with_a_signed_result() {
    let stack = Stack::start("return_redirect").await;
    let (site_url, site) = merchant_site().await;
    let (post_ru, post_secret) = register(&stack, &site_url, "post").await;
    let (get_ru, get_secret) = register(&stack, &format!("{site_url}?shop=7"), "get").await;
    let posted = stack
        .create_link(
            json!({"amount": 1500, "currency": "JPY", "title": "E2E return tea",
            "reference": "E2E-R1", "free1": "member 42", "return_url": post_ru}),
        )
        .await;
    let redirected = stack
        .create_link(
            json!({"amount": 2500, "currency": "USD", "title": "E2E return book",
            "return_url": get_ru}),
        )
        .await;

    let b = Browser::start("en-US").await;
    pay(&b, &posted, "buyer+tea@example.com", "return-post").await;
    pay(&b, &redirected, "book@example.com", "return-get").await;
    b.close().await;

    let got = site.got.lock().expect("lock").clone();
    assert_eq!(got.len(), 2, "{got:?}");

    // The auto-submitted form: a POST carrying every field, signed.
    let (method, body) = &got[0];
    assert_eq!(*method, "POST");
    let fields = verified(&post_secret, body);
    let charge = the_charge(&stack, posted["id"].as_str().expect("id")).await;
    assert_eq!(fields.rc, ResultCode::Ok);
    assert_eq!(fields.email, "buyer+tea@example.com");
    assert_eq!(fields.reference, "E2E-R1");
    assert_eq!(fields.free[0], "member 42");
    assert_eq!((fields.amount, fields.currency.as_str()), (1500, "JPY"));
    assert_eq!(fields.link_id, posted["id"].as_str().expect("id"));
    assert_eq!(fields.charge_id, charge["id"].as_str().expect("id"));
    assert_eq!(charge["buyer_email"], "buyer+tea@example.com");
    assert!(
        redirect::verify(
            &get_secret,
            redirect::parse_form(body)
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str())),
            fields.timestamp,
            300
        )
        .is_err(),
        "another return URL's secret does not verify it"
    );

    // The GET redirect: the merchant's own query kept, the fields after it.
    let (method, query) = &got[1];
    assert_eq!(*method, "GET");
    assert!(query.starts_with("shop=7&"), "{query}");
    let fields = verified(&get_secret, query);
    assert_eq!(fields.rc, ResultCode::Ok);
    assert_eq!(fields.email, "book@example.com");
    assert_eq!((fields.amount, fields.currency.as_str()), (2500, "USD"));
}
