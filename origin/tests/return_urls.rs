//! Return URLs: the API, and the signed redirect back to the merchant after paying, by GET and
//! by auto-submitted POST, checked with the verification helper merchants use.

use crate::common;

use crate::common::{EDGE_URL, Origin, Reply};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use linkpay_shared::redirect::{self, ResultCode, ReturnFields, ReturnSecret};
use serde_json::{Value, json};

const PAID: &str = "4242 4242 4242 4242";
const DECLINED: &str = "4000 0000 0000 0002";

async fn register(o: &Origin, body: Value) -> Reply {
    o.post("/v1/return_urls", &body.to_string()).await
}

/// Registers a return URL and answers (id, secret).
async fn return_url(o: &Origin, url: &str, method: &str) -> (String, String) {
    let r = register(o, json!({"url": url, "method": method})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    (
        v["id"].as_str().expect("id").to_owned(),
        v["secret"].as_str().expect("secret").to_owned(),
    )
}

/// A new origin with a return URL of this method and a link that names it: the origin, the
/// return URL's secret, the link's id and its token.
async fn returning_link(url: &str, method: &str) -> (Origin, String, String, String) {
    let o = Origin::start().await;
    let (ru, secret) = return_url(&o, url, method).await;
    let (link_id, token) = o.link(&link_body(&ru)).await;
    (o, secret, link_id, token)
}

fn link_body(return_url: &str) -> String {
    json!({
        "amount": 1500, "currency": "JPY", "title": "Tea set", "reference": "ORDER-7",
        "free1": "member 42", "free3": "お会計", "return_url": return_url,
    })
    .to_string()
}

/// What the edge sends when the buyer presses Pay, with what they typed as their email.
fn checkout_request(token: &str, email: Option<&str>) -> Request<Body> {
    let mut body = json!({ "token": token, "locale": "en" });
    if let Some(e) = email {
        body["email"] = e.into();
    }
    Origin::signed_checkout(&body, linkpay_origin::base::clock::system_now())
}

/// Checks out with `email`, pays with `card` on the sandbox page, and answers the origin's
/// reply to the provider return: where the buyer goes next.
async fn pay(o: &Origin, token: &str, email: Option<&str>, card: &str) -> Reply {
    pay_seeing_card_page(o, token, email, card).await.1
}

/// As [`pay`], with the card page's Content-Security-Policy.
async fn pay_seeing_card_page(
    o: &Origin,
    token: &str,
    email: Option<&str>,
    card: &str,
) -> (String, Reply) {
    let r = o.send(checkout_request(token, email)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let (shown, reply) = o.pay_on_sandbox(&r, card).await;
    let csp = shown
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (csp, reply)
}

fn verify(secret: &str, pairs: &[(String, String)]) -> ReturnFields {
    let secret = ReturnSecret::parse(secret).expect("secret");
    redirect::verify(
        &secret,
        pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        linkpay_origin::base::clock::system_now(),
        redirect::DEFAULT_TOLERANCE_SECS,
    )
    .expect("the signature verifies")
}

async fn only_charge(o: &Origin, link_id: &str) -> Value {
    let r = o
        .api("GET", &format!("/v1/links/{link_id}/charges"), None)
        .await;
    let data = r.json()["data"].clone();
    assert_eq!(data.as_array().map(Vec::len), Some(1), "{data}");
    data[0].clone()
}

#[tokio::test]
async fn return_urls_are_registered_listed_read_and_deleted() {
    let o = Origin::start().await;
    let r = register(
        &o,
        json!({"url": "https://shop.example.com/paid?lang=ja", "description": "shop"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let created = r.json();
    let id = created["id"].as_str().expect("id");
    assert!(id.starts_with("ru_"), "{id}");
    assert_eq!(created["object"], "return_url");
    assert_eq!(created["method"], "get", "GET is the default");
    assert_eq!(created["description"], "shop");
    let secret = created["secret"].as_str().expect("secret shown once");
    assert!(ReturnSecret::parse(secret).is_ok(), "{secret}");

    let read = o.api("GET", &format!("/v1/return_urls/{id}"), None).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["url"], "https://shop.example.com/paid?lang=ja");
    assert!(
        read.json().get("secret").is_none(),
        "the secret is not shown again"
    );
    assert!(!read.text().contains(secret));

    let list = o.api("GET", "/v1/return_urls", None).await;
    assert_eq!(list.json()["object"], "list");
    assert_eq!(list.json()["data"][0]["id"], id);
    assert!(!list.text().contains(secret));

    let gone = o
        .api("DELETE", &format!("/v1/return_urls/{id}"), None)
        .await;
    assert_eq!(gone.status, StatusCode::OK);
    assert_eq!(gone.json()["deleted"], true);
    let again = o
        .api("DELETE", &format!("/v1/return_urls/{id}"), None)
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let read = o.api("GET", &format!("/v1/return_urls/{id}"), None).await;
    assert_eq!(read.status, StatusCode::NOT_FOUND);
    assert_eq!(read.error_code(), "resource_missing");
}

#[tokio::test]
async fn a_merchant_has_at_most_three() {
    let o = Origin::start().await;
    for i in 0..3 {
        let url = format!("https://shop.example.com/back/{i}");
        return_url(&o, &url, "post").await;
    }
    let fourth = register(&o, json!({"url": "https://shop.example.com/4"})).await;
    assert_eq!(fourth.status, StatusCode::CONFLICT, "{}", fourth.text());
    assert_eq!(fourth.error_code(), "return_url_limit_reached");
    assert_eq!(o.count("SELECT COUNT(*) FROM return_urls").await, 3);
    // Deleting one makes room.
    let list = o.get_json("/v1/return_urls").await;
    let first = list["data"][0]["id"].as_str().expect("id").to_owned();
    o.api("DELETE", &format!("/v1/return_urls/{first}"), None)
        .await;
    return_url(&o, "https://shop.example.com/4", "get").await;
}

#[tokio::test]
async fn bad_return_urls_name_the_field_and_save_nothing() {
    let o = Origin::start().await;
    for (body, param, code) in [
        (
            json!({"url": "http://shop.example.com/"}),
            "url",
            "url_invalid",
        ),
        (json!({"url": "javascript:alert(1)"}), "url", "url_invalid"),
        (
            json!({"url": "https://u:p@shop.example.com/"}),
            "url",
            "url_invalid",
        ),
        (
            json!({"url": "https://shop.example.com/#x"}),
            "url",
            "url_invalid",
        ),
        (
            json!({"url": format!("https://shop.example.com/{}", "a".repeat(2048))}),
            "url",
            "url_invalid",
        ),
        (json!({"method": "get"}), "url", "parameter_missing"),
        (json!({"url": 5}), "url", "parameter_invalid"),
        (
            json!({"url": "https://shop.example.com/", "method": "put"}),
            "method",
            "parameter_invalid",
        ),
        (
            json!({"url": "https://shop.example.com/", "description": "d".repeat(201)}),
            "description",
            "parameter_invalid",
        ),
        (
            json!({"url": "https://shop.example.com/", "secret": "mine"}),
            "secret",
            "parameter_unknown",
        ),
    ] {
        let r = register(&o, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text());
        assert_eq!(r.error_code(), code, "{body}");
        assert_eq!(r.json()["error"]["param"], param, "{body}");
    }
    // The right shape, but a query parameter linkpay signs itself: a rule the document cannot
    // express, so 422.
    let r = register(&o, json!({"url": "https://shop.example.com/?rc=0"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["error"]["param"], "url");
    assert_eq!(o.count("SELECT COUNT(*) FROM return_urls").await, 0);
    // http is fine for a receiver on this machine, and anywhere when configured.
    return_url(&o, "http://127.0.0.1:9/back", "get").await;
    let dev = Origin::start_with(&[("LINKPAY_RETURN_URLS_ALLOW_HTTP", "true")]).await;
    return_url(&dev, "http://shop.test/back", "get").await;
}

#[tokio::test]
async fn links_name_only_their_merchants_own_return_url() {
    let o = Origin::start().await;
    let (ru, _) = return_url(&o, "https://shop.example.com/paid", "get").await;
    let (link_id, _) = o.link(&link_body(&ru)).await;
    let link = o.api("GET", &format!("/v1/links/{link_id}"), None).await;
    assert_eq!(link.json()["return_url"], ru.as_str());

    // Another merchant's return URL, or one that does not exist, is refused by name.
    let mut tx = o.state.db.begin().await.expect("tx");
    let (other, _) = linkpay_origin::domain::merchants::create(
        &mut tx,
        linkpay_origin::base::clock::system_now(),
        "Other",
        "en",
    )
    .await
    .expect("merchant");
    tx.commit().await.expect("commit");
    sqlx::query(
        "INSERT INTO return_urls (id, merchant_id, url, method, secret, created_at)
         VALUES ('ru_theirs', $1, 'https://evil.example/steal', 'get', $2, 1)",
    )
    .bind(&other.id)
    .bind(ReturnSecret::from_random_bytes([1; 32]).expose())
    .execute(o.state.db.writer())
    .await
    .expect("insert");
    let links_before = o.count("SELECT COUNT(*) FROM links").await;
    for ru in ["ru_theirs", "ru_nope"] {
        let r = o.post("/v1/links", &link_body(ru)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
        assert_eq!(r.json()["error"]["param"], "return_url");
        assert!(!r.text().contains("evil.example"));
    }
    let read = o.api("GET", "/v1/return_urls/ru_theirs", None).await;
    assert_eq!(read.status, StatusCode::NOT_FOUND);
    let delete = o.api("DELETE", "/v1/return_urls/ru_theirs", None).await;
    assert_eq!(delete.status, StatusCode::NOT_FOUND);
    assert_eq!(o.count("SELECT COUNT(*) FROM links").await, links_before);
    assert_eq!(o.count("SELECT COUNT(*) FROM return_urls").await, 2);
}

#[tokio::test]
async fn get_return_urls_get_a_303_with_signed_fields_after_paying() {
    let url = "https://shop.example.com/paid?session=abc";
    let (o, secret, link_id, token) = returning_link(url, "get").await;
    let (card_page_csp, r) =
        pay_seeing_card_page(&o, &token, Some(" buyer+tea@example.com "), PAID).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // Browsers check form-action on each redirect after the card form is posted, so the card
    // page allows the merchant's origin, and only for this payment.
    assert!(
        card_page_csp.contains(&format!(
            "form-action 'self' {EDGE_URL} https://shop.example.com;"
        )),
        "{card_page_csp}"
    );
    let location = r.location.expect("location");
    let query = location
        .strip_prefix("https://shop.example.com/paid?session=abc&")
        .unwrap_or_else(|| panic!("the registered URL, its own query kept: {location}"));
    let pairs = redirect::parse_form(query);
    let charge = only_charge(&o, &link_id).await;
    let fields = verify(&secret, &pairs);
    assert_eq!(fields.rc, ResultCode::Ok);
    assert_eq!(fields.reference, "ORDER-7");
    assert_eq!(fields.link_id, link_id);
    assert_eq!(fields.charge_id, charge["id"].as_str().expect("id"));
    assert_eq!((fields.amount, fields.currency.as_str()), (1500, "JPY"));
    assert_eq!(fields.email, "buyer+tea@example.com");
    assert_eq!(
        fields.free,
        ["member 42".into(), String::new(), "お会計".into()]
    );
    assert!((fields.timestamp - linkpay_origin::base::clock::system_now()).abs() < 60);
    // The email is on the charge too.
    assert_eq!(charge["buyer_email"], "buyer+tea@example.com");
    assert_eq!(charge["status"], "succeeded");

    // A field changed on the way is caught.
    let tampered: Vec<(String, String)> = pairs
        .iter()
        .map(|(n, v)| match n.as_str() {
            "amount" => (n.clone(), "1".to_owned()),
            _ => (n.clone(), v.clone()),
        })
        .collect();
    let s = ReturnSecret::parse(&secret).expect("secret");
    assert!(
        redirect::verify(
            &s,
            tampered.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            linkpay_origin::base::clock::system_now(),
            300
        )
        .is_err()
    );
}

#[tokio::test]
async fn post_return_urls_get_an_auto_submitting_form_under_a_strict_policy() {
    let url = "https://shop.example.com:8443/linkpay/back";
    let (o, secret, link_id, token) = returning_link(url, "post").await;
    let r = pay(&o, &token, None, PAID).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let header = |name: header::HeaderName| {
        r.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header(header::CONTENT_TYPE).starts_with("text/html"));
    let csp = header(header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(
        csp.contains("form-action https://shop.example.com:8443;"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(header(header::CACHE_CONTROL), "no-store");
    assert_eq!(header(header::REFERRER_POLICY), "no-referrer");
    let nonce = csp
        .split("script-src 'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("a script nonce");
    let html = r.text();
    assert!(html.contains(&format!(
        "<form id=\"return-form\" method=\"post\" action=\"{url}\">"
    )));
    assert!(html.contains(&format!("<script nonce=\"{nonce}\">")));
    assert!(html.contains("<button id=\"return-button\" type=\"submit\">"));
    assert!(html.contains("<noscript>"));
    // The hidden inputs are exactly the signed fields, and they verify.
    let pairs: Vec<(String, String)> = html
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .map(|rest| {
            let (name, rest) = rest.split_once("\" value=\"").expect("value");
            let value = rest.split('"').next().expect("end");
            (name.to_owned(), unescape(value))
        })
        .collect();
    assert_eq!(pairs.len(), 12, "{html}");
    let fields = verify(&secret, &pairs);
    assert_eq!(fields.rc, ResultCode::Ok);
    assert_eq!(fields.link_id, link_id);
    assert_eq!(fields.email, "", "no email was given");
    assert_eq!(fields.free[2], "お会計");
}

/// Undoes askama's HTML escaping of attribute values.
fn unescape(s: &str) -> String {
    s.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
}

#[tokio::test]
async fn a_declined_payment_goes_back_with_rc_9() {
    let o = Origin::start().await;
    let (ru, secret) = return_url(&o, "https://shop.example.com/back", "get").await;
    let (_, token) = o.link(&link_body(&ru)).await;
    let r = pay(&o, &token, Some("b@example.com"), DECLINED).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let location = r.location.expect("location");
    let query = location
        .strip_prefix("https://shop.example.com/back?")
        .expect("the registered URL");
    let fields = verify(&secret, &redirect::parse_form(query));
    assert_eq!(fields.rc, ResultCode::Failed);
    assert_eq!(fields.email, "b@example.com");
}

#[tokio::test]
async fn without_a_return_url_or_after_deleting_it_the_buyer_sees_the_result_page() {
    let (o, _, plain) =
        Origin::with_link(r#"{"amount": 500, "currency": "JPY", "title": "Plain"}"#).await;
    let (card_page_csp, r) = pay_seeing_card_page(&o, &plain, None, PAID).await;
    assert!(
        card_page_csp.contains(&format!("form-action 'self' {EDGE_URL};")),
        "{card_page_csp}"
    );
    let location = r.location.expect("location");
    assert!(
        location.starts_with(&format!("{EDGE_URL}/r/")),
        "{location}"
    );

    let (ru, _) = return_url(&o, "https://shop.example.com/back", "post").await;
    let (_, token) = o.link(&link_body(&ru)).await;
    o.api("DELETE", &format!("/v1/return_urls/{ru}"), None)
        .await;
    let r = pay(&o, &token, None, PAID).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let location = r.location.expect("location");
    assert!(
        location.starts_with(&format!("{EDGE_URL}/r/")),
        "{location}"
    );
    assert!(common::open_result(&location).outcome == linkpay_shared::result::Outcome::Paid);
}

#[tokio::test]
async fn the_buyers_email_is_checked_at_checkout_and_kept_on_the_charge() {
    let (o, link_id, token) = Origin::with_link(
        r#"{"amount": 500, "currency": "JPY", "title": "Tea", "single_use": false}"#,
    )
    .await;
    for bad in ["buyer", "a@b@example.com", "a@localhost", "<b>@example.com"] {
        let r = o.send(checkout_request(&token, Some(bad))).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.text()
        );
        assert_eq!(r.error_code(), "email_invalid", "{bad}");
        assert_eq!(r.json()["error"]["param"], "email");
    }
    assert_eq!(o.count("SELECT COUNT(*) FROM charges").await, 0);
    // An empty field is no email.
    let r = o.send(checkout_request(&token, Some("  "))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let charge = only_charge(&o, &link_id).await;
    assert_eq!(charge["buyer_email"], Value::Null);
    let id = charge["id"].as_str().expect("id");
    let read = o.api("GET", &format!("/v1/charges/{id}"), None).await;
    assert_eq!(read.json()["buyer_email"], Value::Null);
}

#[tokio::test]
async fn concurrent_registrations_still_stop_at_three() {
    let o = Origin::start().await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let o = o.clone_handle();
            tokio::spawn(async move {
                let body = json!({"url": format!("https://shop.example.com/{i}")});
                register(&o, body).await.status
            })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        let status = t.await.expect("task");
        assert!(
            status == StatusCode::CREATED || status == StatusCode::CONFLICT,
            "{status}"
        );
        created += usize::from(status == StatusCode::CREATED);
    }
    assert_eq!(created, 3);
    assert_eq!(o.count("SELECT COUNT(*) FROM return_urls").await, 3);
}
