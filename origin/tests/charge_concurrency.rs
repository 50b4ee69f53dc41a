//! The charge state machine under concurrency, against a real origin and database: random
//! batches of capture, void and refund calls, all in flight at once. Whatever the order, a
//! charge is captured at most once, never refunded beyond its capture, never voided once
//! captured, and the provider's own ledger agrees with the charge.

use crate::common;

use crate::common::{Origin, open_result};
use axum::http::StatusCode;
use proptest::prelude::*;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
enum Op {
    Capture(Option<i64>),
    Void,
    Refund(Option<i64>),
}

const AMOUNT: i64 = 1000;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        proptest::option::of(1i64..=AMOUNT + 200).prop_map(Op::Capture),
        Just(Op::Void),
        proptest::option::of(1i64..=600).prop_map(Op::Refund),
    ]
}

/// Runs `ops` at once; answers each op with its HTTP status.
async fn burst(o: &Origin, id: &str, ops: &[Op]) -> Vec<(Op, StatusCode)> {
    let calls = ops.iter().cloned().map(|op| {
        let o = o.clone_handle();
        let id = id.to_owned();
        async move {
            let (path, body) = match &op {
                Op::Capture(a) => ("capture", a.map(|a| json!({ "amount": a }))),
                Op::Void => ("void", None),
                Op::Refund(a) => ("refund", a.map(|a| json!({ "amount": a }))),
            };
            let body = body.map(|b| b.to_string()).unwrap_or_else(|| "{}".into());
            let r = o.post(&format!("/v1/charges/{id}/{path}"), &body).await;
            assert!(
                r.status == StatusCode::OK || r.status.is_client_error(),
                "{path}: {} {}",
                r.status,
                r.text()
            );
            (op, r.status)
        }
    });
    let running: Vec<_> = calls.map(tokio::spawn).collect();
    let mut answered = Vec::new();
    for call in running {
        answered.push(call.await.expect("call"));
    }
    answered
}

async fn check(ops: Vec<Op>, split: usize) {
    let (o, _, token) = Origin::with_link(r#"{"amount":1000,"currency":"JPY","title":"Race","single_use":false,"capture_method":"manual"}"#).await;
    let id = open_result(&o.pay(&token, "4242424242424242").await).charge_id;
    let (first, second) = ops.split_at(split.min(ops.len()));
    let mut answered = burst(&o, &id, first).await;
    answered.extend(burst(&o, &id, second).await);

    let ok = |want: fn(&Op) -> bool| -> Vec<Op> {
        answered
            .iter()
            .filter(|(op, s)| want(op) && *s == StatusCode::OK)
            .map(|(op, _)| op.clone())
            .collect()
    };
    let captures = ok(|op| matches!(op, Op::Capture(_)));
    let voids = ok(|op| matches!(op, Op::Void));
    let c: Value = o.get_json(&format!("/v1/charges/{id}")).await;
    let captured = c["amount_captured"].as_i64().expect("captured");
    let refunded = c["amount_refunded"].as_i64().expect("refunded");
    assert!(captures.len() <= 1, "captured twice: {answered:?}");
    assert!(
        captures.is_empty() || voids.is_empty(),
        "voided and captured: {answered:?}"
    );
    assert!(voids.len() <= 1, "voided twice: {answered:?}");
    if let Some(Op::Capture(a)) = captures.first() {
        assert_eq!(captured, a.unwrap_or(AMOUNT));
    } else {
        assert_eq!(captured, 0);
    }
    assert!(
        refunded <= captured,
        "refunded {refunded} of {captured}: {answered:?}"
    );
    let refunds: Value = o.get_json(&format!("/v1/charges/{id}/refunds")).await;
    let refunds = refunds["data"].as_array().expect("refunds").clone();
    let sum: i64 = refunds.iter().filter_map(|r| r["amount"].as_i64()).sum();
    assert_eq!(sum, refunded, "each refund recorded once");
    assert_eq!(
        refunds.len(),
        ok(|op| matches!(op, Op::Refund(_))).len(),
        "a refund row per accepted refund"
    );
    let (status, p_captured, p_refunded, held): (String, i64, i64, i64) = sqlx::query_as(
        "SELECT s.status, s.amount_captured, s.amount_refunded, c.amount_refunding
           FROM sandbox_payments s JOIN charges c ON c.provider_ref = s.id WHERE c.id = $1",
    )
    .bind(&id)
    .fetch_one(o.state.db.reader())
    .await
    .expect("ledgers");
    assert_eq!(
        (p_captured, p_refunded, held),
        (captured, refunded, 0),
        "provider agrees"
    );
    let expected = match (captured, voids.len()) {
        (0, 1) => "voided",
        (0, _) => "authorized",
        (c, _) if refunded == c => "refunded",
        _ => "succeeded",
    };
    assert_eq!(c["status"], expected, "{answered:?}");
    assert_eq!(status, expected, "the sandbox says the same");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if common::testing_postgres() { 6 } else { 16 },
        .. ProptestConfig::default()
    })]
    #[test]
    fn no_concurrent_sequence_breaks_a_charge(ops in proptest::collection::vec(op(), 1..14), split in 0usize..14) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(check(ops, split));
    }
}
