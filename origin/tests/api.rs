//! The merchant API: authentication, link creation and retrieval, and its errors.

use crate::common::{self, EDGE_URL, LINK_KEY, Origin};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use linkpay_shared::token::{Keyring, Usage};

#[tokio::test]
async fn creates_a_link_whose_url_verifies_and_retrieves_it() {
    let o = Origin::start().await;
    let r = o.post("/v1/links", r#"{"amount":1500,"currency":"JPY","title":"Tea set","description":"Two cups","reference":"INV-7","locale":"ja"}"#)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    assert_eq!(v["status"], "active");
    assert_eq!(v["amount"], 1500);
    assert_eq!(v["currency"], "JPY");
    assert_eq!(v["single_use"], true);
    let id = v["id"].as_str().expect("id");
    let url = v["url"].as_str().expect("url");
    let token = url
        .strip_prefix(&format!("{EDGE_URL}/l/"))
        .expect("edge link url");
    let ring = Keyring::parse(&format!("k1:{LINK_KEY}")).expect("ring");
    let claims = ring
        .verify(token.as_bytes(), linkpay_origin::base::clock::system_now())
        .expect("token verifies");
    assert_eq!(claims.link_id, id);
    assert_eq!(claims.title, "Tea set");
    assert_eq!(claims.amount.fixed().map(|m| m.minor()), Some(1500));
    assert_eq!(claims.usage, Usage::SingleUse);
    assert_eq!(claims.merchant_name, "Demo Shop");
    assert_eq!(claims.reference.as_deref(), Some("INV-7"));

    let got = o.api("GET", &format!("/v1/links/{id}"), None).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json(), v);
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_named_and_nothing_created() {
    let o = Origin::start().await;
    let cases: Vec<(String, &str, Option<&str>)> = vec![
        ("not json".into(), "invalid_json", None),
        (
            r#"{"amount":0,"currency":"JPY","title":"T"}"#.into(),
            "amount_invalid",
            Some("amount"),
        ),
        (
            r#"{"amount":100000000,"currency":"JPY","title":"T"}"#.into(),
            "amount_invalid",
            Some("amount"),
        ),
        (
            r#"{"amount":100,"currency":"ZZZ","title":"T"}"#.into(),
            "currency_unsupported",
            Some("currency"),
        ),
        (
            format!(
                r#"{{"amount":100,"currency":"JPY","title":"{}"}}"#,
                "長".repeat(101)
            ),
            "parameter_invalid",
            Some("title"),
        ),
    ];
    for (body, code, param) in cases {
        let r = o.post("/v1/links", &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        let e = &r.json()["error"];
        assert_eq!(e["type"], "invalid_request_error", "{body}");
        assert_eq!(e["code"], code, "{body}");
        assert_eq!(e["param"].as_str(), param, "{body}");
        assert!(!e["message"].as_str().unwrap_or_default().is_empty());
    }
    assert_eq!(o.count("SELECT COUNT(*) FROM links").await, 0);
}

#[tokio::test]
async fn missing_or_wrong_keys_are_refused() {
    let o = Origin::start().await;
    let body = r#"{"amount":100,"currency":"JPY","title":"T"}"#;
    let no_key = o
        .send(
            Request::post("/v1/links")
                .body(Body::from(body))
                .expect("req"),
        )
        .await;
    assert_eq!(no_key.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_key.error_code(), "api_key_missing");
    for auth in ["Bearer sk_test_wrong", "Basic abc", "Bearer pk_test_x"] {
        let r = o
            .send(
                Request::post("/v1/links")
                    .header(header::AUTHORIZATION, auth)
                    .body(Body::from(body))
                    .expect("req"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{auth}");
        assert_eq!(r.error_code(), "api_key_invalid");
        assert!(!r.text().contains("sk_test_wrong"), "keys are not echoed");
    }
    assert_eq!(o.count("SELECT COUNT(*) FROM links").await, 0);
}

#[tokio::test]
async fn keys_are_stored_hashed() {
    let o = Origin::start().await;
    let n = o
        .count(&format!(
            "SELECT COUNT(*) FROM api_keys WHERE key_hash LIKE '%{}%'",
            &o.key[8..]
        ))
        .await;
    assert_eq!(n, 0, "the secret key is not stored in clear");
    assert_eq!(o.count("SELECT COUNT(*) FROM api_keys").await, 1);
}

#[tokio::test]
async fn unknown_ids_and_routes_answer_the_same_error_shape() {
    let o = Origin::start().await;
    let r = o.api("GET", "/v1/links/lnk_nope", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "resource_missing");
    let r = o.api("GET", "/v1/nothing", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "resource_missing");
}

#[tokio::test]
async fn webhook_endpoint_urls_are_checked() {
    let o = Origin::start().await;
    let r = o
        .post("/v1/webhook_endpoints", r#"{"url":"ftp://x"}"#)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["param"], "url");
    let r = o
        .post(
            "/v1/webhook_endpoints",
            r#"{"url":"https://shop.example/hooks"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert!(common::text(&r.json()["secret"]).starts_with("whsec_"));
}

#[tokio::test]
async fn every_documented_route_exists_and_the_openapi_document_is_served() {
    let o = Origin::start().await;
    let doc = o.get("/v1/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, method) in linkpay_origin::web::api::ROUTES {
        let concrete = path.replace("{id}", "x_1");
        let r = o
            .send(
                Request::builder()
                    .method(*method)
                    .uri(&concrete)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        // Not 404 or 405: the route exists and wants a key.
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert!(
            doc["paths"][path][method.to_ascii_lowercase()].is_object(),
            "{method} {path}"
        );
    }
}
