//! Checkout through the sandbox provider: the edge channel, results, single use under a race.

use crate::common;

use crate::common::{Origin, PUBLIC_URL, open_result};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use linkpay_shared::result::Outcome;

const JPY_LINK: &str = r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#;

#[tokio::test]
async fn paying_with_4242_succeeds_and_the_link_is_then_used() {
    let o = Origin::start().await;
    let (id, token) = o.link(JPY_LINK).await;
    let result = open_result(&o.pay(&token, "4242 4242 4242 4242").await);
    assert_eq!(result.outcome, Outcome::Paid);
    assert_eq!(
        (result.amount, result.link_id.as_str()),
        (1500, id.as_str())
    );
    assert_eq!(
        (result.card_brand.as_deref(), result.card_last4.as_deref()),
        (Some("visa"), Some("4242"))
    );

    let charge = o
        .get_json(&format!("/v1/charges/{}", result.charge_id))
        .await;
    assert_eq!(charge["status"], "succeeded");
    assert_eq!(charge["payment_method"]["card"]["last4"], "4242");
    let link = o.get_json(&format!("/v1/links/{id}")).await;
    assert_eq!(
        (link["status"].as_str(), link["paid_count"].as_i64()),
        (Some("used"), Some(1))
    );

    let again = o.checkout(&token).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.error_code(), "link_already_paid");
}

#[tokio::test]
async fn declines_are_reported_and_leave_the_link_payable() {
    let o = Origin::start().await;
    let (id, token) = o.link(JPY_LINK).await;
    for (card, code) in [
        ("4000000000000002", "card_declined"),
        ("4000000000009995", "insufficient_funds"),
    ] {
        let result = open_result(&o.pay(&token, card).await);
        assert_eq!(result.outcome, Outcome::Declined, "{card}");
        assert_eq!(result.failure_code.as_deref(), Some(code));
        let charge = o
            .get_json(&format!("/v1/charges/{}", result.charge_id))
            .await;
        assert_eq!(
            (charge["status"].as_str(), charge["failure_code"].as_str()),
            (Some("failed"), Some(code))
        );
    }
    let link = o.get_json(&format!("/v1/links/{id}")).await;
    assert_eq!(link["status"], "active");
    assert_eq!(
        open_result(&o.pay(&token, "4242424242424242").await).outcome,
        Outcome::Paid
    );
}

#[tokio::test]
async fn card_numbers_are_never_stored() {
    let o = Origin::start().await;
    let (_, token) = o.link(JPY_LINK).await;
    o.pay(&token, "4000000000009995").await;
    // Every column of every row of every table, searched for the full number.
    let tables_sql = if common::testing_postgres() {
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    };
    let tables: Vec<(String,)> = sqlx::query_as(tables_sql)
        .fetch_all(o.state.db.reader())
        .await
        .expect("tables");
    let mut rows_seen = 0;
    for (table,) in tables {
        let rows: Vec<(String,)> = sqlx::query_as(&row_text_query(&o, &table).await)
            .fetch_all(o.state.db.reader())
            .await
            .expect("rows");
        for (row,) in &rows {
            assert!(!row.contains("4000000000009995"), "{table}: {row}");
        }
        rows_seen += rows.len();
    }
    assert!(rows_seen > 5, "the search saw the data");
    let stored = o
        .count("SELECT COUNT(*) FROM sandbox_payments WHERE card_last4 = '9995'")
        .await;
    assert_eq!(stored, 1);
}

/// A query that renders each row of `table` as one text, every column included.
async fn row_text_query(o: &Origin, table: &str) -> String {
    if common::testing_postgres() {
        return format!("SELECT row_to_json(t)::text FROM \"{table}\" t");
    }
    // SQLite: quote() renders every column type, blobs included, as text.
    let columns: Vec<(String,)> = sqlx::query_as("SELECT name FROM pragma_table_info($1)")
        .bind(table)
        .fetch_all(o.state.db.reader())
        .await
        .expect("columns");
    let concat = columns
        .iter()
        .map(|(c,)| format!("quote(\"{c}\")"))
        .collect::<Vec<_>>()
        .join(" || '|' || ");
    format!("SELECT {concat} FROM \"{table}\"")
}

#[tokio::test]
async fn the_edge_channel_must_be_signed_and_fresh() {
    let o = Origin::start().await;
    let (_, token) = o.link(JPY_LINK).await;
    let now = linkpay_origin::base::clock::system_now();
    let stale = o.send(Origin::checkout_request(&token, now - 301)).await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    let unsigned = o
        .send(
            Request::post("/internal/v1/checkouts")
                .body(Body::from(format!(r#"{{"token":"{token}"}}"#)))
                .expect("req"),
        )
        .await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unsigned.error_code(), "edge_signature_invalid");
    let mut tampered = Origin::checkout_request(&token, now);
    *tampered.body_mut() = Body::from(format!(r#"{{"token":"{token}x","locale":"en"}}"#));
    assert_eq!(o.send(tampered).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(o.count("SELECT COUNT(*) FROM charges").await, 0);
}

#[tokio::test]
async fn the_origin_re_verifies_the_token() {
    let o = Origin::start().await;
    let (_, token) = o.link(JPY_LINK).await;
    let mut forged = token.clone().into_bytes();
    forged[10] ^= 1;
    let r = o.checkout(&String::from_utf8(forged).expect("ascii")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "link_not_found");
    assert_eq!(
        o.checkout(&token[..token.len() - 3]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(o.count("SELECT COUNT(*) FROM charges").await, 0);
}

#[tokio::test]
async fn a_return_only_prompts_the_origin_to_ask_the_provider() {
    let o = Origin::start().await;
    let (_, token) = o.link(JPY_LINK).await;
    let r = o.checkout(&token).await;
    let page = r.json()["redirect_url"].as_str().expect("url").to_owned();
    let payment_id = page.rsplit('/').next().expect("id");
    // The buyer jumps to the return URL without paying: nothing is settled.
    let early = o
        .get(&format!("/return/sandbox?payment_id={payment_id}"))
        .await;
    assert_eq!(early.status, StatusCode::SEE_OTHER);
    assert_eq!(early.location.as_deref(), Some(page.as_str()));
    assert_eq!(
        o.count("SELECT COUNT(*) FROM charges WHERE status = 'pending'")
            .await,
        1
    );
    let unknown = o.get("/return/sandbox?payment_id=sbpay_forged").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sandbox_page_rejects_bad_cards_by_field_and_keeps_the_payment_open() {
    let o = Origin::start().await;
    let (_, token) = o.link(JPY_LINK).await;
    let page = o.checkout(&token).await.json()["redirect_url"]
        .as_str()
        .expect("url")
        .to_owned();
    let path = page.strip_prefix(PUBLIC_URL).expect("origin").to_owned();
    for (form, field) in [
        ("number=4242424242424241&expiry=12%2F30&cvc=123", "number"),
        ("number=5555555555554444&expiry=12%2F30&cvc=123", "number"),
        ("number=4242424242424242&expiry=01%2F20&cvc=123", "expiry"),
        ("number=4242424242424242&expiry=12%2F30&cvc=1", "cvc"),
    ] {
        let r = o
            .send(
                Request::post(&path)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::from(form))
                    .expect("req"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{form}");
        assert!(
            r.text().contains(&format!(r#"data-field="{field}""#)),
            "{form}"
        );
        assert!(
            !r.text().contains("4242424242424241"),
            "the number is not echoed"
        );
    }
    assert_eq!(
        o.count("SELECT COUNT(*) FROM sandbox_payments WHERE status = 'open'")
            .await,
        1
    );
    let headers = o.get(&path).await.headers;
    let csp = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        csp.contains("frame-ancestors 'none'")
            && csp.contains("form-action 'self' http://edge.test"),
        "{csp}"
    );
    assert_eq!(
        headers.get("referrer-policy").and_then(|v| v.to_str().ok()),
        Some("no-referrer")
    );
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_checkouts_of_a_single_use_link_reach_the_provider_once() {
    let o = Origin::start().await;
    let (id, token) = o.link(JPY_LINK).await;
    let now = linkpay_origin::base::clock::system_now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let app = o.app.clone();
        let req = Origin::checkout_request(&token, now);
        tasks.spawn(async move {
            use tower::ServiceExt;
            let resp = app.oneshot(req).await.expect("infallible");
            let status = resp.status();
            let body = http_body_util::BodyExt::collect(resp.into_body())
                .await
                .expect("body")
                .to_bytes();
            (
                status,
                serde_json::from_slice::<serde_json::Value>(&body).expect("json"),
            )
        });
    }
    let mut started = Vec::new();
    let mut refused = 0;
    while let Some(r) = tasks.join_next().await {
        let (status, body) = r.expect("task");
        match status {
            StatusCode::CREATED => {
                started.push(body["redirect_url"].as_str().expect("url").to_owned())
            }
            StatusCode::CONFLICT => {
                assert_eq!(body["error"]["code"], "link_in_progress");
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((started.len(), refused), (1, 49));
    assert_eq!(
        o.count("SELECT COUNT(*) FROM sandbox_payments").await,
        1,
        "one provider call"
    );
    assert_eq!(o.count("SELECT COUNT(*) FROM charges").await, 1);

    // The winner pays; everyone after is told the link is paid.
    let path = started[0]
        .strip_prefix(PUBLIC_URL)
        .expect("origin")
        .to_owned();
    let posted = o
        .send(
            Request::post(&path)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("number=4242424242424242&expiry=12%2F30&cvc=123"))
                .expect("req"),
        )
        .await;
    let back = posted.location.expect("return");
    o.send(
        Request::get(back.strip_prefix(PUBLIC_URL).expect("origin"))
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(
        o.count(&format!(
            "SELECT COUNT(*) FROM charges WHERE link_id = '{id}' AND status = 'succeeded'"
        ))
        .await,
        1
    );
    let after = o.checkout(&token).await;
    after.assert_refused(StatusCode::CONFLICT, "link_already_paid");
}

#[tokio::test]
async fn a_hold_whose_buyer_never_came_back_lapses_and_the_next_buyer_gets_the_link() {
    let o = Origin::start().await;
    let (id, token) = o.link(JPY_LINK).await;
    assert_eq!(o.checkout(&token).await.status, StatusCode::CREATED);
    o.checkout(&token)
        .await
        .assert_refused(StatusCode::CONFLICT, "link_in_progress");

    // The first buyer's hold outlives any provider session, then lapses.
    o.state
        .clock
        .advance(linkpay_origin::services::checkout::RESERVATION_SECS + 1);
    assert_eq!(o.checkout(&token).await.status, StatusCode::CREATED);
    assert_eq!(
        o.count(&format!(
            "SELECT COUNT(*) FROM charges WHERE link_id = '{id}' AND status = 'expired' AND failure_code = 'payment_expired'"
        ))
        .await,
        1,
        "the lapsed hold's charge is expired"
    );
    o.checkout(&token)
        .await
        .assert_refused(StatusCode::CONFLICT, "link_in_progress");
}

#[tokio::test]
async fn multi_use_links_take_many_payments() {
    let (o, id, token) = Origin::with_link(
        r#"{"amount":500,"currency":"USD","title":"Donation","single_use":false}"#,
    )
    .await;
    for _ in 0..3 {
        assert_eq!(
            open_result(&o.pay(&token, "4242424242424242").await).outcome,
            Outcome::Paid
        );
    }
    let link = o.get_json(&format!("/v1/links/{id}")).await;
    assert_eq!(
        (link["status"].as_str(), link["paid_count"].as_i64()),
        (Some("active"), Some(3))
    );
}
