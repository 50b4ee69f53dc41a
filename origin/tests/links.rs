//! Links, complete: amounts, use limits, merchant data, states, listing, offline links.
//! Runs on SQLite, and on PostgreSQL with LINKPAY_TEST_DATABASE=postgres.

use crate::common;

use crate::common::{LINK_KEY, Origin};
use axum::http::StatusCode;
use linkpay_origin::base::clock::system_now;
use linkpay_shared::token::{Amount, Keyring, LinkClaims, Usage};
use linkpay_shared::{Currency, Locale, Money, SecretKey};
use serde_json::{Value, json};
use std::collections::HashSet;

fn token_of(link: &Value) -> String {
    link["url"]
        .as_str()
        .expect("url")
        .rsplit('/')
        .next()
        .expect("token")
        .to_owned()
}

async fn create(o: &Origin, body: Value) -> Value {
    let r = o.post("/v1/links", &body.to_string()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn merchant_data_and_terms_are_returned_and_carried_on_every_charge() {
    let o = Origin::start().await;
    let link = create(
        &o,
        json!({
            "custom_amount": {"minimum": 500, "maximum": 50000},
            "currency": "JPY",
            "title": "Donation",
            "reference": "DON-7",
            "single_use": false,
            "usage_limit": 3,
            "free1": "campaign spring",
            "free3": "row 12",
            "metadata": {"cart": "c_1", "channel": "sms"},
        }),
    )
    .await;
    assert_eq!(link["amount"], Value::Null);
    assert_eq!(
        link["custom_amount"],
        json!({"minimum": 500, "maximum": 50000})
    );
    assert_eq!(link["usage_limit"], 3);
    assert_eq!(link["single_use"], false);
    assert_eq!(link["free1"], "campaign spring");
    assert_eq!(link["free2"], Value::Null);
    assert_eq!(link["metadata"], json!({"cart": "c_1", "channel": "sms"}));
    let short = link["short_url"].as_str().expect("short url");
    let code = short
        .strip_prefix(&format!("{}/p/", common::EDGE_URL))
        .expect("short url on the edge");
    assert_eq!(code.len(), 8);
    // One SMS segment is 160 characters; the short URL leaves room for the message.
    assert!(short.len() < 60, "{short}");

    // The token carries the terms the pay page needs, not the merchant's private data.
    let claims = Keyring::parse(&format!("k1:{LINK_KEY}"))
        .expect("keys")
        .verify(token_of(&link).as_bytes(), system_now())
        .expect("token verifies");
    assert_eq!(
        claims.amount,
        Amount::BuyerChosen {
            currency: Currency::Jpy,
            min: 500,
            max: 50_000
        }
    );
    assert_eq!(claims.usage, Usage::Limited(3));
    assert_eq!(claims.free, [None, None, None]);
    assert!(claims.metadata.is_empty());

    // The buyer's amount is checked against the bounds by the origin too.
    let token = token_of(&link);
    let low = o.checkout_amount(&token, Some(499)).await;
    assert_eq!(
        low.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        low.text()
    );
    assert_eq!(low.error_code(), "amount_invalid");
    assert!(low.text().contains("¥500"), "{}", low.text());
    let missing = o.checkout_amount(&token, None).await;
    assert_eq!(missing.error_code(), "amount_invalid");
    let r = o.checkout_amount(&token, Some(1234)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    o.complete(&r, "4242 4242 4242 4242").await;

    let id = link["id"].as_str().expect("id");
    let charges = o.get_json(&format!("/v1/links/{id}/charges")).await;
    let charge = &charges["data"][0];
    assert_eq!(charge["amount"], 1234);
    assert_eq!(charge["status"], "succeeded");
    assert_eq!(charge["reference"], "DON-7");
    assert_eq!(charge["free1"], "campaign spring");
    assert_eq!(charge["free3"], "row 12");
    assert_eq!(charge["metadata"], json!({"cart": "c_1", "channel": "sms"}));
    let again = o
        .get_json(&format!(
            "/v1/charges/{}",
            charge["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(again["metadata"], charge["metadata"]);
}

#[tokio::test]
async fn fixed_amounts_in_every_currency_use_its_exponent_and_maximum() {
    let o = Origin::start().await;
    for (currency, max) in [
        ("JPY", 99_999_999),
        ("USD", 99_999_999),
        ("EUR", 99_999_999),
        ("GBP", 99_999_999),
        ("THB", 999_999_999),
        ("SGD", 99_999_999),
        ("MYR", 99_999_999),
        ("KRW", 999_999_999),
    ] {
        let ok = create(
            &o,
            json!({"amount": max, "currency": currency, "title": "Max"}),
        )
        .await;
        assert_eq!(ok["amount"], max);
        let over = o
            .post(
                "/v1/links",
                &json!({"amount": max + 1, "currency": currency, "title": "Over"}).to_string(),
            )
            .await;
        assert_eq!(over.status, StatusCode::BAD_REQUEST, "{currency}");
        assert_eq!(over.json()["error"]["param"], "amount", "{currency}");
    }
}

#[tokio::test]
async fn bad_input_names_the_field_and_creates_nothing() {
    let o = Origin::start().await;
    let too_many: serde_json::Map<String, Value> = (0..21)
        .map(|i| (format!("k{i}"), Value::String("v".into())))
        .collect();
    let cases = [
        (
            json!({"custom_amount": {"maximum": 100_000_000}, "currency": "JPY", "title": "T"}),
            "custom_amount[maximum]",
            "amount_invalid",
        ),
        (
            json!({"custom_amount": {"minimum": 0}, "currency": "JPY", "title": "T"}),
            "custom_amount[minimum]",
            "amount_invalid",
        ),
        (
            json!({"custom_amount": {"step": 5}, "currency": "JPY", "title": "T"}),
            "custom_amount[step]",
            "parameter_unknown",
        ),
        (
            json!({"amount": 100, "custom_amount": {}, "currency": "JPY", "title": "T"}),
            "custom_amount",
            "parameter_invalid",
        ),
        (
            json!({"amount": 100, "currency": "XTS", "title": "T"}),
            "currency",
            "currency_unsupported",
        ),
        (
            json!({"amount": 100, "currency": "JPY", "title": "T", "metadata": too_many}),
            "metadata",
            "metadata_invalid",
        ),
        (
            json!({"amount": 100, "currency": "JPY", "title": "T", "metadata": {"a b": "x"}}),
            "metadata[a b]",
            "metadata_invalid",
        ),
        (
            json!({"amount": 100, "currency": "JPY", "title": "T", "metadata": {"k": "v".repeat(501)}}),
            "metadata[k]",
            "metadata_invalid",
        ),
        (
            json!({"amount": 100, "currency": "JPY", "title": "T", "metadata": {"k": 5}}),
            "metadata[k]",
            "parameter_invalid",
        ),
        (
            json!({"amount": 100, "currency": "JPY", "title": "T", "usage_limit": 5}),
            "usage_limit",
            "parameter_invalid",
        ),
        (
            json!({"amount": 100, "currency": "JPY", "title": "T", "single_use": false, "usage_limit": 1}),
            "usage_limit",
            "parameter_invalid",
        ),
        (
            json!({"amount": 100, "currency": "JPY", "title": "T", "free2": "x".repeat(101)}),
            "free2",
            "parameter_invalid",
        ),
    ];
    // Each of these fits the OpenAPI document; a rule it cannot express refuses them: 422.
    let year = 366 * 86_400;
    for (body, param) in [
        (
            json!({"custom_amount": {"minimum": 900, "maximum": 100}, "currency": "JPY", "title": "T"}),
            "custom_amount[minimum]",
        ),
        (
            json!({"amount": 100, "currency": "JPY", "title": "T", "expires_at": system_now() - 1}),
            "expires_at",
        ),
        (
            json!({"amount": 100, "currency": "JPY", "title": "T", "expires_at": system_now() + year}),
            "expires_at",
        ),
    ] {
        let r = o.post("/v1/links", &body.to_string()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text()
        );
        assert_eq!(r.json()["error"]["param"], param, "{body}");
    }
    for (body, param, code) in cases {
        let r = o.post("/v1/links", &body.to_string()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text());
        let e = &r.json()["error"];
        assert_eq!(
            (e["param"].as_str(), e["code"].as_str()),
            (Some(param), Some(code)),
            "{body}"
        );
    }
    assert_eq!(o.count("SELECT COUNT(*) FROM links").await, 0);
    assert_eq!(o.count("SELECT COUNT(*) FROM edge_sync").await, 0);
}

#[tokio::test]
async fn a_limit_n_link_takes_exactly_n_payments_from_n_plus_20_concurrent_buyers() {
    const N: i64 = 5;
    let o = Origin::start().await;
    let link = create(
        &o,
        json!({"amount": 700, "currency": "JPY", "title": "Workshop seat", "single_use": false, "usage_limit": N}),
    )
    .await;
    let token = token_of(&link);
    let buyers = (0..N + 20).map(|i| {
        let (o, token) = (o.clone_handle(), token.clone());
        tokio::spawn(async move {
            // Every third buyer is declined first and tries again, which must free the seat.
            let mut declined_once = i % 3 != 0;
            loop {
                let r = o.checkout(&token).await;
                match (r.status, r.error_code().as_str()) {
                    (StatusCode::CREATED, _) if !declined_once => {
                        declined_once = true;
                        o.complete(&r, "4000 0000 0000 0002").await;
                    }
                    (StatusCode::CREATED, _) => {
                        o.complete(&r, "4242 4242 4242 4242").await;
                        return "paid";
                    }
                    (StatusCode::CONFLICT, "link_in_progress") => {
                        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    }
                    (StatusCode::CONFLICT, "link_used_up") => return "used_up",
                    other => panic!("unexpected checkout answer {other:?}: {}", r.text()),
                }
            }
        })
    });
    let mut outcomes = Vec::new();
    for b in buyers.collect::<Vec<_>>() {
        outcomes.push(b.await.expect("buyer"));
    }
    let paid = outcomes.iter().filter(|o| **o == "paid").count() as i64;
    assert_eq!(paid, N, "{outcomes:?}");
    assert_eq!(outcomes.len() as i64 - paid, 20);
    let id = link["id"].as_str().expect("id");
    assert_eq!(
        o.count(&format!(
            "SELECT COUNT(*) FROM charges WHERE link_id = '{id}' AND status = 'succeeded'"
        ))
        .await,
        N
    );
    assert_eq!(
        o.count("SELECT COUNT(*) FROM sandbox_payments WHERE status = 'succeeded'")
            .await,
        N
    );
    let after = o.get_json(&format!("/v1/links/{id}")).await;
    assert_eq!(
        (after["status"].as_str(), after["paid_count"].as_i64()),
        (Some("used"), Some(N))
    );
    // The edge is told, so the pay page says so.
    assert_eq!(
        o.count(&format!(
            "SELECT COUNT(*) FROM edge_sync WHERE key = 's:{id}' AND value LIKE '%\"used\"%'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn deactivation_stops_checkouts_shows_a_message_and_is_pushed_to_the_edge() {
    let o = Origin::start().await;
    let link = create(
        &o,
        json!({"amount": 100, "currency": "USD", "title": "Tee", "single_use": false}),
    )
    .await;
    let id = link["id"].as_str().expect("id");
    let token = token_of(&link);
    let path = format!("/v1/links/{id}/deactivate");
    let bad = o
        .post(&path, &json!({"message": "x".repeat(501)}).to_string())
        .await;
    assert_eq!(bad.json()["error"]["param"], "message");
    let r = o.post(&path, r#"{"message":"Sold out, thank you!"}"#).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["status"], "deactivated");
    assert_eq!(v["deactivation_message"], "Sold out, thank you!");
    // Idempotent: a second call changes nothing.
    let again = o.api("POST", &path, None).await.json();
    assert_eq!(again["deactivation_message"], "Sold out, thank you!");

    let c = o.checkout(&token).await;
    c.assert_refused(StatusCode::GONE, "link_deactivated");
    let (value,): (String,) = sqlx::query_as("SELECT value FROM edge_sync WHERE key = $1")
        .bind(format!("s:{id}"))
        .fetch_one(o.state.db.reader())
        .await
        .expect("queued for the edge");
    let value: Value = serde_json::from_str(&value).expect("json");
    assert_eq!(
        value,
        json!({"status": "deactivated", "message": "Sold out, thank you!"})
    );

    let missing = o.api("POST", "/v1/links/lnk_nope/deactivate", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_payment_in_flight_when_the_link_expires_is_settled_and_later_ones_are_refused() {
    let o = Origin::start().await;
    let link = create(
        &o,
        json!({"amount": 100, "currency": "JPY", "title": "Flash sale", "expires_at": system_now() + 2}),
    )
    .await;
    let token = token_of(&link);
    let r = o.checkout(&token).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let result = o.complete(&r, "4242 4242 4242 4242").await;
    assert_eq!(
        common::open_result(&result).outcome,
        linkpay_shared::result::Outcome::Paid
    );
    let id = link["id"].as_str().expect("id");
    let after = o.get_json(&format!("/v1/links/{id}")).await;
    assert_eq!(after["paid_count"], 1);
    // A new checkout is refused: the token itself has expired.
    let late = o.checkout(&token).await;
    late.assert_refused(StatusCode::GONE, "link_expired");
}

#[tokio::test]
async fn listing_filters_and_pages_without_gaps_or_repeats() {
    let o = Origin::start().await;
    let mut ids = Vec::new();
    for i in 0..23 {
        let l = create(
            &o,
            json!({"amount": 100 + i, "currency": "JPY", "title": "Item", "reference": format!("R-{}", i % 4)}),
        )
        .await;
        ids.push(l["id"].as_str().expect("id").to_owned());
    }
    // Page forwards with starting_after.
    let seen =
        linkpay_e2e::every_id("/v1/links?limit=10", async |path| o.get_json(path).await).await;
    assert_eq!(seen.len(), 23);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 23);
    // Newest first: the reverse of creation order (ids break ties within a second).
    let created: Vec<i64> = {
        let mut v = Vec::new();
        for id in &seen {
            v.push(
                o.get_json(&format!("/v1/links/{id}")).await["created"]
                    .as_i64()
                    .expect("created"),
            );
        }
        v
    };
    assert!(created.windows(2).all(|w| w[0] >= w[1]));
    // And backwards with ending_before from the last page.
    let before = o
        .get_json(&format!("/v1/links?limit=5&ending_before={}", seen[15]))
        .await;
    let back: Vec<&str> = before["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|l| l["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        back,
        seen[10..15].iter().map(String::as_str).collect::<Vec<_>>()
    );

    let r2 = o.get_json("/v1/links?reference=R-2&limit=100").await;
    assert_eq!(r2["data"].as_array().expect("data").len(), 6);
    assert!(
        r2["data"]
            .as_array()
            .expect("data")
            .iter()
            .all(|l| l["reference"] == "R-2")
    );

    o.api("POST", &format!("/v1/links/{}/deactivate", ids[0]), None)
        .await;
    let deactivated = o.get_json("/v1/links?status=deactivated").await;
    assert_eq!(deactivated["data"][0]["id"], ids[0].as_str());
    assert_eq!(deactivated["data"].as_array().expect("data").len(), 1);
    let active = o.get_json("/v1/links?status=active&limit=100").await;
    assert_eq!(active["data"].as_array().expect("data").len(), 22);

    let future = system_now() + 3600;
    let none = o
        .get_json(&format!("/v1/links?created%5Bgte%5D={future}"))
        .await;
    assert_eq!(none["data"].as_array().expect("data").len(), 0);
    let all = o
        .get_json(&format!("/v1/links?created%5Blte%5D={future}&limit=100"))
        .await;
    assert_eq!(all["data"].as_array().expect("data").len(), 23);

    for (query, param) in [
        ("status=paid", "status"),
        ("limit=101", "limit"),
        ("created%5Bgte%5D=soon", "created[gte]"),
        ("colour=red", "colour"),
    ] {
        let r = o.api("GET", &format!("/v1/links?{query}"), None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(r.json()["error"]["param"], param, "{query}");
    }
    // A cursor that names nothing is a 404, like any id that names nothing.
    let r = o
        .api("GET", "/v1/links?starting_after=lnk_unknown", None)
        .await;
    r.assert_refused(StatusCode::NOT_FOUND, "resource_missing");
    assert_eq!(r.json()["error"]["param"], "starting_after");
}

#[tokio::test]
async fn idempotency_keys_replay_the_first_response_and_refuse_a_different_body() {
    let o = Origin::start().await;
    let body = json!({"amount": 1500, "currency": "JPY", "title": "Once"}).to_string();
    let first = o
        .api_with_key("POST", "/v1/links", &body, "order-1001")
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.headers["idempotent-replayed"], "false");
    let replay = o
        .api_with_key("POST", "/v1/links", &body, "order-1001")
        .await;
    assert_eq!(replay.status, StatusCode::CREATED);
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    assert_eq!(replay.json(), first.json());
    assert_eq!(o.count("SELECT COUNT(*) FROM links").await, 1);

    let other = json!({"amount": 1600, "currency": "JPY", "title": "Once"}).to_string();
    let clash = o
        .api_with_key("POST", "/v1/links", &other, "order-1001")
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    assert_eq!(clash.error_code(), "idempotency_key_reused");
    assert_eq!(o.count("SELECT COUNT(*) FROM links").await, 1);

    // Errors are replayed too: the same bad request gets the same answer, and nothing is made.
    let bad = json!({"amount": 0, "currency": "JPY", "title": "Once"}).to_string();
    let e1 = o.api_with_key("POST", "/v1/links", &bad, "bad-1").await;
    let e2 = o.api_with_key("POST", "/v1/links", &bad, "bad-1").await;
    assert_eq!(
        (e1.status, e2.status),
        (StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST)
    );
    assert_eq!(e2.headers["idempotent-replayed"], "true");

    // Concurrent requests with one key: exactly one link is created.
    let body = json!({"amount": 10, "currency": "JPY", "title": "Race"}).to_string();
    let racers: Vec<_> = (0..10)
        .map(|_| {
            let (o, body) = (o.clone_handle(), body.clone());
            tokio::spawn(async move {
                o.api_with_key("POST", "/v1/links", &body, "race")
                    .await
                    .status
            })
        })
        .collect();
    for r in racers {
        let status = r.await.expect("racer");
        assert!(
            status == StatusCode::CREATED || status == StatusCode::CONFLICT,
            "{status}"
        );
    }
    assert_eq!(
        o.count("SELECT COUNT(*) FROM links WHERE title = 'Race'")
            .await,
        1
    );

    let long = "k".repeat(256);
    let r = o.api_with_key("POST", "/v1/links", &body, &long).await;
    assert_eq!(r.json()["error"]["param"], "Idempotency-Key");

    // Kept a day at least; pruned after.
    let pruned =
        linkpay_origin::services::housekeeping::prune_idempotency_keys(&o.state.db, system_now())
            .await
            .expect("prune");
    assert_eq!(pruned, 0);
    let pruned = linkpay_origin::services::housekeeping::prune_idempotency_keys(
        &o.state.db,
        system_now() + 26 * 3600,
    )
    .await
    .expect("prune");
    assert!(pruned >= 3, "{pruned}");
}

#[tokio::test]
async fn a_claim_left_by_a_crashed_request_is_in_use_until_it_lapses_then_taken_over() {
    let o = Origin::start().await;
    let body = json!({"amount": 700, "currency": "JPY", "title": "Crash"}).to_string();
    let first = o.api_with_key("POST", "/v1/links", &body, "crash-1").await;
    assert_eq!(first.status, StatusCode::CREATED);
    // As if the process had died between claiming the key and saving the answer.
    sqlx::query("UPDATE idempotency_keys SET status = NULL, response = NULL WHERE key = 'crash-1'")
        .execute(o.state.db.writer())
        .await
        .expect("forget the answer");
    let busy = o.api_with_key("POST", "/v1/links", &body, "crash-1").await;
    assert_eq!(busy.status, StatusCode::CONFLICT);
    assert_eq!(busy.error_code(), "idempotency_key_in_use");
    // A claim lapses after a minute: the retry takes it over, runs, and its answer is kept.
    o.state.clock.advance(61);
    let retry = o.api_with_key("POST", "/v1/links", &body, "crash-1").await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.text());
    assert_eq!(retry.headers["idempotent-replayed"], "false");
    let replay = o.api_with_key("POST", "/v1/links", &body, "crash-1").await;
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    assert_eq!(replay.json(), retry.json());
}

fn offline_claims(link_id: &str, merchant_id: &str) -> LinkClaims {
    LinkClaims {
        link_id: link_id.into(),
        merchant_id: merchant_id.into(),
        merchant_name: String::new(),
        amount: Amount::Fixed(Money::new(2500, Currency::Eur).expect("money")),
        expires_at: system_now() + 3600,
        usage: Usage::Limited(2),
        title: "Offline order".into(),
        description: None,
        reference: Some("OFF-1".into()),
        locale: Locale::En,
        free: [Some("desk 4".into()), None, None],
        metadata: vec![("cart".into(), "c_9".into())],
        livemode: false,
    }
}

#[tokio::test]
async fn an_offline_signed_link_is_recorded_at_its_first_checkout() {
    let o = Origin::start().await;
    let merchant = o.merchant_id().await;
    let ring = Keyring::parse(&format!("k1:{LINK_KEY}")).expect("keys");
    let token = ring
        .sign(&offline_claims("lnk_offline_1", &merchant))
        .expect("sign");
    o.pay(&token, "4242 4242 4242 4242").await;
    let link = o.get_json("/v1/links/lnk_offline_1").await;
    assert_eq!(link["source"], "offline");
    assert_eq!(link["usage_limit"], 2);
    assert_eq!(link["paid_count"], 1);
    assert_eq!(link["free1"], "desk 4");
    let charges = o.get_json("/v1/links/lnk_offline_1/charges").await;
    assert_eq!(charges["data"][0]["metadata"], json!({"cart": "c_9"}));
    assert_eq!(charges["data"][0]["reference"], "OFF-1");
    assert_eq!(charges["data"][0]["currency"], "EUR");
    // The second payment uses the recorded row; the third is refused by the limit.
    o.pay(&token, "4242 4242 4242 4242").await;
    let third = o.checkout(&token).await;
    assert_eq!(third.error_code(), "link_used_up");

    // Another token for the same link id with other terms is not that link.
    let mut changed = offline_claims("lnk_offline_1", &merchant);
    changed.amount = Amount::Fixed(Money::new(1, Currency::Eur).expect("money"));
    let forged = o.checkout(&ring.sign(&changed).expect("sign")).await;
    assert_eq!(forged.error_code(), "link_not_found");
    // A merchant unknown here.
    let stranger = ring
        .sign(&offline_claims("lnk_offline_2", "mch_nobody"))
        .expect("sign");
    assert_eq!(o.checkout(&stranger).await.error_code(), "link_not_found");
    // A key this origin does not have (retired, or never known).
    let retired = Keyring::parse(&format!(
        "old:{}",
        SecretKey::new(vec![7; 32]).expect("key").to_base64url()
    ))
    .expect("keys")
    .sign(&offline_claims("lnk_offline_3", &merchant))
    .expect("sign");
    let r = o.checkout(&retired).await;
    r.assert_refused(StatusCode::BAD_REQUEST, "link_key_unknown");
    assert_eq!(r.json()["error"]["param"], "token");
    assert_eq!(o.count("SELECT COUNT(*) FROM links").await, 1);
}

/// Reads a 1-bit grayscale PNG and decodes the QR code in it.
fn decode_qr_png(bytes: &[u8]) -> String {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("a PNG");
    let side = reader.info().width as usize;
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let frame = reader.next_frame(&mut buf).expect("image data");
    let stride = frame.line_size;
    let luma = |x: usize, y: usize| {
        let byte = buf[y * stride + x / 8];
        if byte & (0x80 >> (x % 8)) != 0 {
            255
        } else {
            0
        }
    };
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, luma);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("decodes").1
}

#[tokio::test]
async fn every_link_has_a_qr_code_of_its_short_url() {
    let o = Origin::start().await;
    let link = create(
        &o,
        json!({"amount": 500, "currency": "JPY", "title": "Menu"}),
    )
    .await;
    let id = link["id"].as_str().expect("id");
    let png = o
        .api("GET", &format!("/v1/links/{id}/qr.png?scale=4"), None)
        .await;
    assert_eq!(png.status, StatusCode::OK);
    assert_eq!(png.headers["content-type"], "image/png");
    assert_eq!(
        decode_qr_png(&png.body),
        link["short_url"].as_str().expect("short url")
    );
    let svg = o.api("GET", &format!("/v1/links/{id}/qr.svg"), None).await;
    assert_eq!(svg.headers["content-type"], "image/svg+xml");
    assert!(svg.text().starts_with("<svg"), "{}", svg.text());
    let bad = o
        .api("GET", &format!("/v1/links/{id}/qr.png?scale=99"), None)
        .await;
    assert_eq!(bad.json()["error"]["param"], "scale");
    let missing = o.api("GET", "/v1/links/lnk_missing/qr.svg", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
