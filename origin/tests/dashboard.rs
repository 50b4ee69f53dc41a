//! The merchant dashboard, driven like a browser without JavaScript: forms, cookies and
//! redirects. First-run set-up, sign-in with its rate limit, CSRF on every form, sign-out,
//! links created and searched from forms, transactions searched and downloaded as CSV, and a
//! refund through its confirmation step. (`tests/tests/dashboard.rs` does the same in Chromium.)

use crate::common;

use crate::common::{Origin, Reply, local};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use linkpay_origin::base::clock::system_now;
use serde_json::json;
use std::collections::HashMap;

const PASSWORD: &str = "correct horse battery staple";

/// A browser: keeps cookies, reads each page's CSRF token, never runs scripts.
struct Desk {
    o: Origin,
    cookies: HashMap<String, String>,
}

impl Desk {
    fn new(o: &Origin) -> Desk {
        Desk {
            o: o.clone_handle(),
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: axum::http::request::Builder, body: Body) -> Reply {
        let req = req
            .header(header::COOKIE, self.cookie_header())
            .body(body)
            .expect("request");
        let reply = self.o.send(req).await;
        for c in reply.headers.get_all(header::SET_COOKIE) {
            let c = c.to_str().expect("cookie");
            let (pair, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=').expect("name=value");
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        reply
    }

    async fn get(&mut self, path: &str) -> Reply {
        self.send(Request::get(local(path)), Body::empty()).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(
            Request::post(local(path))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    /// Opens `page`, then posts its form to `action` with its CSRF token and `fields`.
    async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Reply {
        let html = self.get(page).await.text();
        let csrf = csrf_of(&html);
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    /// Opens `page`, then posts its form back to `page` (most forms post to their own URL).
    async fn resubmit(&mut self, page: &str, fields: &[(&str, &str)]) -> Reply {
        self.submit(page, page, fields).await
    }
}

/// A form sent back with a 400 that names `field` and still holds what was typed.
fn refused_keeping(r: &Reply, field: &str, typed: &str) {
    refused(r, field);
    assert!(r.text().contains(typed), "what was typed is kept");
}

/// The form came back refused (400) with `field` marked.
fn refused(r: &Reply, field: &str) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let marked = format!("data-field=\"{field}\"");
    assert!(r.text().contains(&marked), "{}", r.text());
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..].split('"').next().expect("token").to_owned()
}

async fn setup_code(o: &Origin) -> String {
    linkpay_origin::web::dashboard::setup_code(&o.state.config.edge_secret)
}

/// A desk signed in through the first-run set-up.
async fn set_up(o: &Origin) -> Desk {
    let mut d = Desk::new(o);
    let code = setup_code(o).await;
    let r = d
        .resubmit(
            "/dashboard/setup",
            &[
                ("setup_code", &code),
                ("shop", "Kissa Tanuki"),
                ("email", "Owner@Tanuki.example"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    d
}

#[tokio::test]
async fn first_run_set_up_needs_the_code_then_signs_in_and_names_the_shop() {
    let o = Origin::start().await;
    let mut d = Desk::new(&o);
    let r = d.get("/dashboard/links").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location.as_deref(), Some("/dashboard/sign-in"));
    let r = d.get("/dashboard/sign-in").await;
    assert_eq!(
        r.location.as_deref(),
        Some("/dashboard/setup"),
        "nobody can sign in yet"
    );

    let wrong = d
        .resubmit(
            "/dashboard/setup",
            &[
                ("setup_code", "0000-0000-0000"),
                ("shop", "Kissa"),
                ("email", "owner@tanuki.example"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.text().contains("data-field=\"setup_code\""));
    assert_eq!(o.count("SELECT COUNT(*) FROM dashboard_users").await, 0);

    let code = setup_code(&o).await;
    let short = d
        .resubmit(
            "/dashboard/setup",
            &[
                ("setup_code", &code),
                ("shop", "Kissa"),
                ("email", "owner@tanuki.example"),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(short.text().contains("at least 12 characters"));

    let mut d = set_up(&o).await;
    let page = d.get("/dashboard/links").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("Kissa Tanuki"),
        "the shop name is shown"
    );
    // The demo merchant took the shop's name; its API key still works.
    let merchant: (String,) = sqlx::query_as("SELECT name FROM merchants")
        .fetch_one(o.state.db.reader())
        .await
        .expect("merchant");
    assert_eq!(merchant.0, "Kissa Tanuki");
    let stored: (String,) = sqlx::query_as("SELECT password_hash FROM dashboard_users")
        .fetch_one(o.state.db.reader())
        .await
        .expect("user");
    assert!(
        stored.0.starts_with("$argon2id$"),
        "hashed, never stored as typed"
    );
    // Set-up closes once someone can sign in.
    let again = Desk::new(&o).get("/dashboard/setup").await;
    assert_eq!(again.location.as_deref(), Some("/dashboard/sign-in"));
}

#[tokio::test]
async fn session_cookies_are_http_only_and_pages_carry_security_headers() {
    let o = Origin::start().await;
    let mut d = Desk::new(&o);
    let code = setup_code(&o).await;
    let html = d.get("/dashboard/setup").await.text();
    let r = d
        .post(
            "/dashboard/setup",
            &[
                ("csrf", &csrf_of(&html)),
                ("setup_code", &code),
                ("shop", "Kissa"),
                ("email", "owner@tanuki.example"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    let cookie = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .find(|c| c.starts_with("linkpay_session="))
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let stored: (String,) = sqlx::query_as("SELECT token_hash FROM dashboard_sessions")
        .fetch_one(o.state.db.reader())
        .await
        .expect("session");
    let token = cookie["linkpay_session=".len()..]
        .split(';')
        .next()
        .expect("value");
    assert_ne!(
        stored.0, token,
        "the database holds only a hash of the token"
    );

    let page = d.get("/dashboard/links").await;
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("form-action 'self'"),
        "{csp}"
    );
    assert!(!csp.contains("script-src"), "no scripts at all: {csp}");
    assert_eq!(page.headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
}

/// Uploads `csv` as buyers.csv with the batch form's `fields`.
async fn upload_buyers(d: &mut Desk, fields: &[(&str, &str)], csv: &str) -> Reply {
    d.upload("/dashboard/batches", fields, ("buyers.csv", csv.as_bytes()))
        .await
}

/// Posts the sign-in form with this email and password.
async fn sign_in(d: &mut Desk, email: &str, password: &str) -> Reply {
    let fields = [("email", email), ("password", password)];
    d.resubmit("/dashboard/sign-in", &fields).await
}

#[tokio::test]
async fn wrong_passwords_are_refused_then_rate_limited_even_with_the_right_one() {
    let o = Origin::start().await;
    set_up(&o).await;
    let mut d = Desk::new(&o);
    for _ in 0..5 {
        let r = sign_in(&mut d, "owner@tanuki.example", "not the password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.text().contains("The email or password is not right"));
    }
    let r = sign_in(&mut d, "owner@tanuki.example", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert!(r.text().contains("Too many failed sign-ins"));
    assert!(!d.cookies.keys().any(|k| k.contains("session")));

    // Another account is not locked by this one's failures; the window ends.
    o.state.clock.advance(16 * 60);
    let ok = sign_in(&mut d, "OWNER@tanuki.example ", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    let o = Origin::start().await;
    let mut d = set_up(&o).await;
    let links_before = o.count("SELECT COUNT(*) FROM links").await;
    let fields = [
        ("amount", "1500"),
        ("currency", "JPY"),
        ("title", "Tea set"),
        ("valid_days", "30"),
    ];
    let r = d.post("/dashboard/links", &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("reload the page"), "{}", r.text());
    let mut forged = vec![("csrf", "forged")];
    forged.extend_from_slice(&fields);
    assert_eq!(
        d.post("/dashboard/links", &forged).await.status,
        StatusCode::FORBIDDEN
    );
    // A browser marks a post from another site; it is refused even with a token.
    let html = d.get("/dashboard/links/new").await.text();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("csrf", &csrf_of(&html))
        .extend_pairs(fields)
        .finish();
    let cross = d
        .send(
            Request::post("/dashboard/links")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "cross-site"),
            Body::from(body),
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    // Signing out without the token does nothing either.
    assert_eq!(
        d.post("/dashboard/sign-out", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(o.count("SELECT COUNT(*) FROM links").await, links_before);
    assert_eq!(d.get("/dashboard/links").await.status, StatusCode::OK);
}

#[tokio::test]
async fn signing_out_ends_the_session_everywhere() {
    let o = Origin::start().await;
    let mut d = set_up(&o).await;
    let stolen = d.cookies.clone();
    let r = d
        .submit("/dashboard/links", "/dashboard/sign-out", &[])
        .await;
    assert_eq!(r.location.as_deref(), Some("/dashboard/sign-in"));
    assert!(
        d.cookies.keys().all(|k| !k.contains("session")),
        "cookie cleared"
    );
    let mut replay = Desk::new(&o);
    replay.cookies = stolen;
    let r = replay.get("/dashboard/links").await;
    assert_eq!(
        r.location.as_deref(),
        Some("/dashboard/sign-in"),
        "the old token is dead"
    );
    assert_eq!(o.count("SELECT COUNT(*) FROM dashboard_sessions").await, 0);
}

#[tokio::test]
async fn a_link_made_from_the_form_has_exact_minor_units_and_bad_fields_are_named() {
    let o = Origin::start().await;
    let mut d = set_up(&o).await;
    let bad = d
        .submit(
            "/dashboard/links/new",
            "/dashboard/links",
            &[
                ("amount", "15.00"),
                ("currency", "USD"),
                ("title", "Tea set"),
                ("valid_days", "30"),
                ("customer_email", "not-an-email"),
                ("send_email", "on"),
            ],
        )
        .await;
    refused_keeping(&bad, "customer_email", "value=\"Tea set\"");
    let precise = d
        .submit(
            "/dashboard/links/new",
            "/dashboard/links",
            &[
                ("amount", "1500.5"),
                ("currency", "JPY"),
                ("title", "Tea"),
                ("valid_days", "30"),
            ],
        )
        .await;
    assert!(precise.text().contains("data-field=\"amount\""));
    assert_eq!(
        o.count("SELECT COUNT(*) FROM links").await,
        0,
        "nothing half made"
    );

    let r = d
        .submit(
            "/dashboard/links/new",
            "/dashboard/links",
            &[
                ("amount", "15.05"),
                ("currency", "USD"),
                ("title", "Tea set"),
                ("reference", "INV-1001"),
                ("valid_days", "7"),
                ("customer_email", "buyer@example.com"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page_url = r.location.expect("link page");
    let id = page_url
        .strip_prefix("/dashboard/links/")
        .and_then(|s| s.split('?').next())
        .expect("id");
    let link = o.get_json(&format!("/v1/links/{id}")).await;
    assert_eq!(link["amount"], 1505);
    assert_eq!(link["currency"], "USD");
    assert_eq!(link["customer_email"], "buyer@example.com");
    let expires = link["expires_at"].as_i64().expect("expiry");
    assert!((expires - (system_now() + 7 * 86_400)).abs() < 60);
    let page = d.get(&page_url).await.text();
    assert!(page.contains(link["short_url"].as_str().expect("short url")));
    assert!(page.contains("$15.05"));
    let qr = d.get(&format!("/dashboard/links/{id}/qr.svg")).await;
    assert_eq!(qr.headers[header::CONTENT_TYPE], "image/svg+xml");
    // Another merchant's session cannot see it: here, a signed-out browser cannot.
    let r = Desk::new(&o).get(&page_url).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // Send from the link page: the request is queued as an email to the link's buyer.
    let sent = d
        .submit(
            &format!("/dashboard/links/{id}"),
            &format!("/dashboard/links/{id}/send"),
            &[("channel", "email")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
    let queued = o
        .count("SELECT COUNT(*) FROM notifications WHERE kind = 'payment_request' AND recipient = 'buyer@example.com'")
        .await;
    assert_eq!(queued, 1);
}

#[tokio::test]
async fn links_are_searched_by_reference_email_status_dates_and_amounts() {
    let o = Origin::start().await;
    let mut d = set_up(&o).await;
    for (reference, amount, email) in [
        ("INV-1001", 1500, "a@example.com"),
        ("INV-1002", 3000, "b@example.com"),
        ("ORD-7", 1500, "a@example.com"),
    ] {
        o.post("/v1/links", &json!({"amount": amount, "currency": "JPY", "title": "Tea", "reference": reference, "customer_email": email}).to_string())
        .await;
    }
    let found = |html: &str| -> Vec<&str> {
        ["INV-1001", "INV-1002", "ORD-7"]
            .into_iter()
            .filter(|r| html.contains(&format!(">{r}<")))
            .collect()
    };
    let html = d.get("/dashboard/links?reference=INV-").await.text();
    assert_eq!(found(&html), ["INV-1001", "INV-1002"]);
    let html = d.get("/dashboard/links?email=A%40Example.com").await.text();
    assert_eq!(found(&html), ["INV-1001", "ORD-7"]);
    let html = d
        .get("/dashboard/links?currency=JPY&amount_min=2000&amount_max=3000")
        .await
        .text();
    assert_eq!(found(&html), ["INV-1002"]);
    let html = d.get("/dashboard/links?status=used").await.text();
    assert!(found(&html).is_empty());
    let today = linkpay_origin::base::clock::rfc3339(system_now());
    let html = d
        .get(&format!("/dashboard/links?from={}", &today[..10]))
        .await
        .text();
    assert_eq!(found(&html).len(), 3);
    let html = d.get("/dashboard/links?to=2020-01-01").await.text();
    assert!(found(&html).is_empty());
    let r = d.get("/dashboard/links?amount_min=100").await;
    assert!(r.text().contains("Choose a currency to search by amount"));
}

/// Pays `token` with the sandbox's success card, as a buyer would; answers the charge id.
async fn pay(o: &Origin, link: &str, token: &str, email: &str) -> String {
    let body = json!({"token": token, "locale": "en", "email": email});
    let r = o.send(Origin::signed_checkout(&body, system_now())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let page = r.json()["redirect_url"]
        .as_str()
        .expect("redirect")
        .to_owned();
    let posted = o
        .post_form(&page, "number=4242424242424242&expiry=12%2F30&cvc=123")
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.text());
    let back = o.get(&posted.location.expect("return")).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let list = o.get_json(&format!("/v1/links/{link}/charges")).await;
    list["data"][0]["id"]
        .as_str()
        .expect("charge id")
        .to_owned()
}

#[tokio::test]
async fn transactions_are_searched_downloaded_as_csv_and_refunded_after_confirmation() {
    let o = Origin::start().await;
    let mut d = set_up(&o).await;
    let mut charges = Vec::new();
    for (reference, amount, currency, email) in [
        ("INV-1", 1500, "JPY", "hanako@example.jp"),
        ("INV-2", 1505, "USD", "taro@example.jp"),
    ] {
        let body = json!({"amount": amount, "currency": currency, "title": "お茶のセット", "reference": reference, "free1": "棚A"});
        let (link, token) = o.link(&body.to_string()).await;
        charges.push(pay(&o, &link, &token, email).await);
    }

    let html = d
        .get("/dashboard/charges?email=hanako%40example.jp")
        .await
        .text();
    assert!(html.contains(&charges[0]) && !html.contains(&charges[1]));
    let html = d
        .get("/dashboard/charges?currency=USD&amount_min=15&amount_max=15.05&status=succeeded")
        .await
        .text();
    assert!(html.contains(&charges[1]) && !html.contains(&charges[0]));

    let csv = d.get("/dashboard/charges.csv?reference=INV-&bom=1").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("ascii")
            .starts_with("attachment")
    );
    assert!(csv.body.starts_with("\u{feff}".as_bytes()), "BOM asked for");
    let mut reader = csv::Reader::from_reader(&csv.body[3..]);
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header.join(","),
        "charge_id,link_id,reference,amount,currency,result,failure_code,amount_refunded,free1,free2,free3,email,payment_method,processing_type,created"
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 2);
    let usd = rows
        .iter()
        .find(|r| &r[0] == charges[1].as_str())
        .expect("USD row");
    assert_eq!((&usd[3], &usd[4], &usd[5]), ("15.05", "USD", "succeeded"));
    assert_eq!((&usd[8], &usd[11]), ("棚A", "taro@example.jp"));
    assert_eq!(
        (&usd[12], &usd[13]),
        ("card visa 4242", "authorize_and_capture")
    );
    let plain = d.get("/dashboard/charges.csv?reference=NONE").await;
    assert!(
        plain.body.starts_with(b"charge_id,"),
        "no BOM unless asked; header even when empty"
    );

    // Refund: the button leads to a confirmation page; nothing happens until it is confirmed.
    let id = &charges[0];
    let page = d.get(&format!("/dashboard/charges/{id}")).await.text();
    assert!(page.contains(&format!("/dashboard/charges/{id}/refund")));
    let confirm = d
        .get(&format!("/dashboard/charges/{id}/refund"))
        .await
        .text();
    assert!(confirm.contains("This cannot be undone"));
    assert_eq!(o.count("SELECT COUNT(*) FROM refunds").await, 0);
    let too_much = d
        .resubmit(
            &format!("/dashboard/charges/{id}/refund"),
            &[("amount", "2000")],
        )
        .await;
    refused(&too_much, "amount");
    let part = d
        .resubmit(
            &format!("/dashboard/charges/{id}/refund"),
            &[("amount", "500")],
        )
        .await;
    assert_eq!(part.status, StatusCode::SEE_OTHER, "{}", part.text());
    let charge = o.get_json(&format!("/v1/charges/{id}")).await;
    assert_eq!(charge["amount_refunded"], 500);
    let rest = d
        .resubmit(&format!("/dashboard/charges/{id}/refund"), &[])
        .await;
    assert_eq!(rest.status, StatusCode::SEE_OTHER);
    let charge = o.get_json(&format!("/v1/charges/{id}")).await;
    assert_eq!(
        (
            charge["status"].as_str(),
            charge["amount_refunded"].as_i64()
        ),
        (Some("refunded"), Some(1500))
    );
    let page = d.get(&format!("/dashboard/charges/{id}")).await.text();
    assert!(
        !page.contains(&format!("/dashboard/charges/{id}/refund\"")),
        "nothing left to refund"
    );
    // A void of a captured charge is refused with the API's reason.
    let void = d
        .submit(
            &format!("/dashboard/charges/{}", charges[1]),
            &format!("/dashboard/charges/{}/void", charges[1]),
            &[],
        )
        .await;
    assert_eq!(void.status, StatusCode::BAD_REQUEST);
}

/// The value of the page's revealed secret, if it shows one.
fn revealed(html: &str) -> Option<String> {
    let marker = "id=\"revealed-secret\" value=\"";
    let start = html.find(marker)? + marker.len();
    html[start..].split('"').next().map(str::to_owned)
}

async fn list_links_with(o: &Origin, key: &str) -> StatusCode {
    let req = Request::get("/v1/links")
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .body(Body::empty())
        .expect("request");
    o.send(req).await.status
}

#[tokio::test]
async fn api_keys_are_shown_once_work_and_stop_working_when_revoked() {
    let o = Origin::start().await;
    let mut d = set_up(&o).await;
    let page = "/dashboard/settings/api-keys";
    let made = d.submit(page, page, &[("name", "Shop backend")]).await;
    assert_eq!(made.status, StatusCode::OK);
    let key = revealed(&made.text()).expect("the new key, shown once");
    assert!(key.starts_with("sk_test_"), "{key}");
    let again = d.get(page).await.text();
    assert!(
        revealed(&again).is_none() && !again.contains(&key),
        "never shown again"
    );
    assert!(
        again.contains(&format!("{}…", &key[..12])),
        "listed by its prefix"
    );
    assert_eq!(list_links_with(&o, &key).await, StatusCode::OK);

    let id: (String,) = sqlx::query_as("SELECT id FROM api_keys WHERE name = 'Shop backend'")
        .fetch_one(o.state.db.reader())
        .await
        .expect("key row");
    let r = d
        .submit(page, &format!("{page}/{}/delete", id.0), &[])
        .await;
    assert_eq!(r.location.as_deref(), Some(page));
    assert_eq!(list_links_with(&o, &key).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        o.api("GET", "/v1/links", None).await.status,
        StatusCode::OK,
        "other keys still work"
    );
}

#[tokio::test]
async fn webhook_endpoints_return_urls_templates_and_methods_are_managed_from_settings() {
    let o = Origin::start().await;
    let mut d = set_up(&o).await;

    let hooks = "/dashboard/settings/webhooks";
    let bad = d
        .submit(hooks, hooks, &[("url", "ftp://shop.example/hook")])
        .await;
    refused(&bad, "url");
    let made = d
        .resubmit(
            hooks,
            &[
                ("url", "https://127.0.0.1:9/hook"),
                ("enabled_events", "charge.complete"),
                ("enabled_events", "link.created"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text());
    assert!(
        revealed(&made.text())
            .expect("secret")
            .starts_with("whsec_")
    );
    let list = o.get_json("/v1/webhook_endpoints").await;
    assert_eq!(
        list["data"][0]["enabled_events"],
        json!(["charge.complete", "link.created"])
    );
    let id = list["data"][0]["id"].as_str().expect("id").to_owned();
    d.submit(hooks, &format!("{hooks}/{id}/delete"), &[]).await;
    let list = o.get_json("/v1/webhook_endpoints").await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(0));

    let returns = "/dashboard/settings/return-urls";
    let made = d
        .resubmit(
            returns,
            &[("url", "https://shop.example/paid"), ("method", "post")],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text());
    assert!(revealed(&made.text()).is_some());
    let list = o.get_json("/v1/return_urls").await;
    assert_eq!(list["data"][0]["method"], "post");

    let tpl = "/dashboard/settings/templates/email_receipt";
    let (ja, api_ja) = (
        format!("{tpl}?locale=ja"),
        "/v1/notification_templates/email_receipt?locale=ja",
    );
    let subject = |text| [("locale", "ja"), ("subject", text)];
    let broken = d.submit(&ja, tpl, &subject("領収書 {{ amount")).await;
    refused_keeping(&broken, "subject", "領収書 {{ amount");
    let saved = d.submit(&ja, tpl, &subject("領収書 {{ amount }}")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let t = o.get_json(api_ja).await;
    assert_eq!(
        (t["subject"].as_str(), t["customized"].as_bool()),
        (Some("領収書 {{ amount }}"), Some(true))
    );
    d.submit(&ja, &format!("{tpl}/reset"), &[("locale", "ja")])
        .await;
    let t = o.get_json(api_ja).await;
    assert_eq!(t["customized"], false);

    let methods = "/dashboard/settings/payment-methods";
    let none = d.resubmit(methods, &[("provider", "sandbox")]).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert!(none.text().contains("At least one payment method"));
    let both = d
        .resubmit(
            methods,
            &[("card", "on"), ("wallet", "on"), ("provider", "sandbox")],
        )
        .await;
    assert_eq!(both.status, StatusCode::OK);
    let s = o.get_json("/v1/payment_method_settings").await;
    assert_eq!(s["enabled"], json!(["card", "wallet"]));
}

impl Desk {
    /// Posts a multipart form with one file field, as a browser's file upload does.
    async fn upload(
        &mut self,
        action: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
    ) -> Reply {
        let boundary = "----linkpayTestBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: text/csv\r\n\r\n", file.0).as_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            Request::post(action).header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            ),
            Body::from(body),
        )
        .await
    }
}

#[tokio::test]
async fn a_csv_upload_lists_errors_by_row_then_makes_the_batch_and_its_results() {
    let o = Origin::start().await;
    let mut d = set_up(&o).await;
    let html = d.get("/dashboard/batches/new").await.text();
    let csrf = csrf_of(&html);
    let sample = d.get("/dashboard/batches/sample.csv").await;
    assert!(sample.text().starts_with("reference,amount,currency,title"));

    let bad = "reference,amount,title,customer_email\nA-1,1500,Tea,a@example.com\nA-2,abc,Tea,b@example.com\nA-1,1500,Tea,c@example.com\n";
    let no_token = upload_buyers(&mut d, &[("send", "email"), ("currency", "JPY")], bad).await;
    assert_eq!(
        no_token.status,
        StatusCode::FORBIDDEN,
        "a multipart form needs its token too"
    );
    let r = upload_buyers(
        &mut d,
        &[("csrf", &csrf), ("send", "email"), ("currency", "JPY")],
        bad,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let page = r.text();
    assert!(page.contains("2 rows have errors"), "{page}");
    assert!(page.contains("data-row=\"3\" data-column=\"amount\""));
    assert!(page.contains("data-row=\"4\" data-column=\"reference\""));
    assert_eq!(o.count("SELECT COUNT(*) FROM links").await, 0);

    let good = "reference,amount,title,customer_email\nA-1,1500,Tea,a@example.com\nA-2,2400,Pot,b@example.com\n";
    let r = upload_buyers(
        &mut d,
        &[("csrf", &csrf), ("send", "none"), ("currency", "JPY")],
        good,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let batch_page = r.location.expect("batch page");
    let page = d.get(&batch_page).await.text();
    assert!(
        page.contains("A-2") && page.contains("not_requested"),
        "{page}"
    );
    assert!(
        !page.contains("http-equiv=\"refresh\""),
        "nothing to wait for"
    );
    let results = d.get(&format!("{batch_page}/results.csv?bom=1")).await;
    assert!(
        results
            .body
            .starts_with("\u{feff}row,reference,link_id,url".as_bytes())
    );
    assert_eq!(
        o.count("SELECT COUNT(*) FROM links WHERE source = 'batch'")
            .await,
        2
    );
    assert!(
        d.get("/dashboard/batches")
            .await
            .text()
            .contains("buyers.csv")
    );
}

#[tokio::test]
async fn branding_is_previewed_unsaved_then_saved_and_bad_values_are_named() {
    let o = Origin::start().await;
    let mut d = set_up(&o).await;
    let page = "/dashboard/settings/branding";
    let html = d.get(page).await.text();
    assert!(
        html.contains("id=\"preview-frame\""),
        "the saved look is previewed at once"
    );

    let bad = d
        .resubmit(
            page,
            &[
                ("action", "save"),
                ("logo_url", "http://cdn.example/logo.png"),
                ("layout", "standard"),
            ],
        )
        .await;
    refused(&bad, "logo_url");
    assert_eq!(o.count("SELECT COUNT(*) FROM merchant_branding").await, 0);

    let fields = [
        ("display_name", "Kissa <b>Tanuki</b>"),
        ("primary_color", "#be123c"),
        ("logo_url", "https://cdn.tanuki.example/logo.png"),
        ("layout", "compact"),
        ("default_locale", "ja"),
    ];
    let mut preview = vec![("action", "preview")];
    preview.extend_from_slice(&fields);
    let shown = d.submit(page, page, &preview).await;
    assert_eq!(shown.status, StatusCode::OK);
    let html = shown.text();
    assert!(
        html.contains("value=\"Kissa &#60;b&#62;Tanuki&#60;/b&#62;\""),
        "typed values kept, escaped"
    );
    let src = html
        .split("id=\"preview-frame\" src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a preview frame");
    let token = src
        .strip_prefix(&format!("{}/preview/", common::EDGE_URL))
        .expect("an edge preview URL");
    let opened = linkpay_shared::preview::open(&o.state.config.edge_secret, token, system_now())
        .expect("sealed by the origin");
    assert_eq!(opened.branding.primary_color.as_deref(), Some("#be123c"));
    assert_eq!(opened.locale, "ja");
    assert_eq!(
        o.count("SELECT COUNT(*) FROM merchant_branding").await,
        0,
        "a preview saves nothing"
    );

    let mut save = vec![("action", "save")];
    save.extend_from_slice(&fields);
    let saved = d.submit(page, page, &save).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let b = o.get_json("/v1/branding").await;
    assert_eq!(
        (b["layout"].as_str(), b["default_locale"].as_str()),
        (Some("compact"), Some("ja"))
    );
    assert_eq!(b["display_name"], "Kissa <b>Tanuki</b>");
}

#[tokio::test]
async fn the_dashboard_switches_between_test_and_live_data_and_says_which_is_on_screen() {
    let o = Origin::start().await;
    let mut d = set_up(&o).await;
    let keys = "/dashboard/settings/api-keys";
    let made = d
        .submit(keys, keys, &[("name", "Live backend"), ("mode", "live")])
        .await;
    let live_key = revealed(&made.text()).expect("the new key, shown once");
    assert!(live_key.starts_with("sk_live_"), "{live_key}");
    assert!(made.text().contains("<td>live</td>"), "listed as live");
    let mut live = o.clone_handle();
    live.key = live_key;
    let body = r#"{"amount":1200,"currency":"JPY","title":"Tea"}"#;
    let (test_link, _) = o.link(body).await;
    let (live_link, _) = live.link(body).await;

    let html = d.get("/dashboard/links").await.text();
    assert!(html.contains("id=\"test-band\"") && html.contains(">Test mode<"));
    assert!(
        html.contains(&test_link) && !html.contains(&live_link),
        "test data only"
    );

    let switched = d
        .submit(
            "/dashboard/links",
            "/dashboard/mode",
            &[("mode", "live"), ("section", "links")],
        )
        .await;
    assert_eq!(switched.location.as_deref(), Some("/dashboard/links"));
    let html = d.get("/dashboard/links").await.text();
    assert!(!html.contains("id=\"test-band\"") && html.contains(">Live mode<"));
    assert!(
        html.contains(&live_link) && !html.contains(&test_link),
        "live data only"
    );
    let other = d.get(&format!("/dashboard/links/{test_link}")).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(
        other.text().contains("This link is test data"),
        "{}",
        other.text()
    );

    // What the dashboard makes now is live.
    let r = d
        .submit(
            "/dashboard/links/new",
            "/dashboard/links",
            &[
                ("amount", "800"),
                ("currency", "JPY"),
                ("title", "Made live"),
                ("valid_days", "30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let made_live = live.list_data("/v1/links").await;
    assert!(
        made_live.iter().any(|l| l["title"] == "Made live"),
        "{made_live:?}"
    );
    assert!(
        !o.list_data("/v1/links")
            .await
            .iter()
            .any(|l| l["title"] == "Made live")
    );

    // A switch names only a section of the dashboard to land on.
    let back = d
        .submit(
            "/dashboard/links",
            "/dashboard/mode",
            &[("mode", "test"), ("section", "//evil.example")],
        )
        .await;
    assert_eq!(back.location.as_deref(), Some("/dashboard/links"));
    assert!(
        d.get("/dashboard/links")
            .await
            .text()
            .contains(">Test mode<")
    );
}

#[tokio::test]
async fn a_stripe_account_is_connected_from_settings_in_each_mode_and_its_webhook_secret_set() {
    let fake = linkpay_e2e::fake_stripe::FakeStripe::start().await;
    let o = Origin::start_with(&[("LINKPAY_STRIPE_API_URL", fake.base_url())]).await;
    let mut d = set_up(&o).await;
    let page = "/dashboard/settings/provider-accounts";
    let account = fake.add_account(false);
    let made = d
        .submit(
            page,
            page,
            &[
                ("provider", "stripe"),
                ("secret_key", &account.secret_key),
                ("description", "Main"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text());
    let html = made.text();
    assert!(
        html.contains(&account.id) && html.contains("not set: webhooks are refused"),
        "{html}"
    );
    assert!(
        !html.contains(&account.secret_key),
        "the key is never shown"
    );
    let id: (String,) = sqlx::query_as("SELECT id FROM provider_accounts")
        .fetch_one(o.state.db.reader())
        .await
        .expect("account");
    let secret = fake.register_webhook(&account, "capture://x");
    let set = d
        .submit(
            page,
            &format!("{page}/{}/webhook-secret", id.0),
            &[("webhook_secret", &secret)],
        )
        .await;
    assert_eq!(set.location.as_deref(), Some(page));
    let html = d.get(page).await.text();
    assert!(html.contains(">set<") && !html.contains(&secret), "{html}");
    // In live mode, a test key is refused by name and nothing is saved.
    d.submit(
        page,
        "/dashboard/mode",
        &[("mode", "live"), ("section", "settings")],
    )
    .await;
    let refused = d
        .submit(
            page,
            page,
            &[("provider", "stripe"), ("secret_key", &account.secret_key)],
        )
        .await;
    refused_keeping(&refused, "credentials[secret_key]", "Provider accounts");
    assert!(refused.text().contains("live mode"), "{}", refused.text());
    let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM provider_accounts")
        .fetch_one(o.state.db.reader())
        .await
        .expect("count");
    assert_eq!(n.0, 1);
}

#[tokio::test]
async fn a_gmo_pg_shop_is_connected_from_settings() {
    let fake = linkpay_e2e::fake_gmopg::FakeGmoPg::start().await;
    let o = Origin::start_with(&[("LINKPAY_GMOPG_TEST_API_URL", &fake.base_url)]).await;
    let mut d = set_up(&o).await;
    let page = "/dashboard/settings/provider-accounts";
    let shop = fake.add_shop();
    let wrong = d
        .submit(
            page,
            page,
            &[
                ("provider", "gmopg"),
                ("shop_id", &shop.shop_id),
                ("shop_pass", "nope"),
                ("config_id", &shop.config_id),
            ],
        )
        .await;
    refused(&wrong, "credentials[shop_pass]");
    assert!(
        wrong.text().contains(&shop.shop_id),
        "the shop id typed is kept"
    );
    let made = d
        .submit(
            page,
            page,
            &[
                ("provider", "gmopg"),
                ("shop_id", &shop.shop_id),
                ("shop_pass", &shop.shop_pass),
                ("config_id", &shop.config_id),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text());
    let html = made.text();
    assert!(
        html.contains("gmopg") && html.contains(&shop.shop_id) && !html.contains(&shop.shop_pass),
        "{html}"
    );
    assert!(html.contains("not needed: notifications carry the shop password"));
}

#[tokio::test]
async fn a_line_pay_channel_is_connected_from_settings_for_the_wallet() {
    let fake = linkpay_e2e::fake_linepay::FakeLinePay::start("1656946528", "channel-secret").await;
    let o = Origin::start_with(&[("LINKPAY_LINEPAY_TEST_API_URL", &fake.base_url)]).await;
    let mut d = set_up(&o).await;
    let page = "/dashboard/settings/provider-accounts";
    let form = |secret| {
        [
            ("provider", "linepay"),
            ("channel_id", "1656946528"),
            ("channel_secret", secret),
        ]
    };
    let wrong = d.submit(page, page, &form("nope")).await;
    refused(&wrong, "credentials[channel_secret]");
    assert!(
        wrong.text().contains("1656946528"),
        "the channel id is kept"
    );
    let made = d.submit(page, page, &form("channel-secret")).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text());
    let html = made.text();
    assert!(
        html.contains("linepay") && html.contains("wallet") && !html.contains("channel-secret"),
        "{html}"
    );
    assert!(html.contains("none (LINE Pay sends no notifications)"));
}
