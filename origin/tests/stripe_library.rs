//! The Stripe fake checked against Stripe's own code: Stripe's official Python library
//! (tests/stripe/check_fake.py, pinned in tests/stripe/requirements.txt) performs every
//! operation linkpay's connector performs against the fake, parses every answer into its own
//! classes and verifies a webhook the fake signed; and the requests the library sends are
//! compared with the connector's: the same method, path, parameters and headers.

use crate::common::Origin;
use axum::http::StatusCode;
use linkpay_e2e::fake_stripe::{FakeStripe, RecordedRequest};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// A request's shape: method, path with ids replaced, parameter names, and the headers that
/// carry meaning (key, version, idempotency, body type).
fn shape(r: &RecordedRequest) -> String {
    let path: Vec<String> = r
        .path
        .split('/')
        .map(|s| {
            if ["cs_", "pi_", "re_", "ch_"]
                .iter()
                .any(|p| s.starts_with(p))
            {
                "{id}".to_owned()
            } else {
                s.to_owned()
            }
        })
        .collect();
    let mut names = Vec::new();
    flatten(&r.params, "", &mut names);
    names.sort();
    let h = |n: &str| {
        r.headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
    };
    let bearer = h("authorization").is_some_and(|a| a.starts_with("Bearer sk_test_"));
    let idempotent = h("idempotency-key").is_some_and(|k| k.starts_with("linkpay-"));
    let form =
        h("content-type").is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    format!(
        "{} {} [{}] bearer={bearer} version={} idempotency={idempotent} form={form}",
        r.method,
        path.join("/"),
        names.join(" "),
        h("stripe-version").unwrap_or_default(),
    )
}

fn flatten(v: &Value, at: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let name = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}[{k}]")
                };
                flatten(v, &name, out);
            }
        }
        _ => out.push(at.to_owned()),
    }
}

fn python() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join(".tools/python/bin/python");
    if python.exists() {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: run scripts/install-tools (it installs Stripe's Python library)",
        python.display()
    );
    eprintln!(
        "skipped: no .tools/python (run scripts/install-tools to check the fake with Stripe's library)"
    );
    None
}

#[tokio::test]
async fn stripes_python_library_and_linkpay_send_the_same_requests_and_read_the_same_answers() {
    let Some(python) = python() else { return };
    let fake = FakeStripe::start().await;
    let o = Origin::start_with(&[("LINKPAY_STRIPE_API_URL", fake.base_url())]).await;
    let ours = fake.add_account(false);
    let r = o
        .post(
            "/v1/provider_accounts",
            &json!({"provider": "stripe", "credentials": {"secret_key": ours.secret_key}})
                .to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let secret = fake.register_webhook(&ours, "capture://linkpay");

    // linkpay's connector does every operation it knows.
    let pay = async |body: &str, card: &str| {
        let (link, token) = o.link(body).await;
        let started = o.checkout(&token).await;
        let page = started.json()["redirect_url"]
            .as_str()
            .expect("page")
            .to_owned();
        let session = page.rsplit('/').next().expect("session").to_owned();
        if !card.is_empty() {
            fake.pay_without_return(&session, card).await;
            let back = format!("/return/stripe?session_id={session}");
            assert_eq!(o.get(&back).await.status, StatusCode::SEE_OTHER);
        }
        let charges = o.list_data(&format!("/v1/links/{link}/charges")).await;
        charges[0]["id"].as_str().expect("charge").to_owned()
    };
    let paid = pay(
        r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#,
        "4242424242424242",
    )
    .await;
    for amount in [300, 200] {
        let r = o
            .post(
                &format!("/v1/charges/{paid}/refund"),
                &json!({"amount": amount}).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let manual = r#"{"amount":1500,"currency":"JPY","title":"Tea","capture_method":"manual"}"#;
    let held = pay(manual, "4242424242424242").await;
    assert_eq!(
        o.post(&format!("/v1/charges/{held}/capture"), r#"{"amount":1000}"#)
            .await
            .status,
        StatusCode::OK
    );
    let voided = pay(manual, "4242424242424242").await;
    assert_eq!(
        o.post(&format!("/v1/charges/{voided}/void"), "{}")
            .await
            .status,
        StatusCode::OK
    );
    let left = pay(r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#, "").await;
    let cancel = format!("/return/stripe?charge={left}&canceled=1");
    assert_eq!(o.get(&cancel).await.status, StatusCode::SEE_OTHER);

    // A webhook the fake signed, for the library to verify.
    fake.settle_deliveries().await;
    let (body, signature) = fake
        .take_captured()
        .into_iter()
        .find(|(b, _)| b.contains("\"checkout.session.completed\""))
        .expect("a signed delivery");
    let dir = tempfile::tempdir().expect("dir");
    let hook = dir.path().join("webhook.json");
    std::fs::write(
        &hook,
        json!({"body": body, "signature": signature, "secret": secret}).to_string(),
    )
    .expect("write");

    // Stripe's library does the same against another account.
    let theirs = fake.add_account(false);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/stripe/check_fake.py");
    let run = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(fake.base_url())
        .arg(&theirs.secret_key)
        .arg(&hook)
        .output()
        .await
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let parsed: Value = serde_json::from_str(stdout.trim()).expect("the script's JSON");
    assert_eq!(
        parsed,
        json!({
            "account": theirs.id,
            "automatic": {"status": "succeeded", "amount_received": 1500, "last4": "4242"},
            "refunds": [300, 200],
            "captured": 1000,
            "voided": "canceled",
            "expired": "expired",
            "missing": "resource_missing",
            "webhook": "checkout.session.completed",
        }),
        "the library parsed every answer of the fake"
    );

    let by = |key: &str| -> BTreeSet<String> {
        fake.requests()
            .iter()
            .filter(|r| {
                r.headers
                    .iter()
                    .any(|(k, v)| k == "authorization" && v.ends_with(key))
            })
            .map(shape)
            .collect()
    };
    let (linkpay, library) = (by(&ours.secret_key), by(&theirs.secret_key));
    let missing: Vec<&String> = linkpay.difference(&library).collect();
    assert!(
        missing.is_empty(),
        "linkpay sent requests Stripe's library does not send the same way:\n{missing:#?}\nthe library sent:\n{library:#?}"
    );
    assert_eq!(fake.spec_violations(), Vec::<String>::new());
    let artifact = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/artifacts/stripe-request-shapes.txt");
    let _ = std::fs::write(
        artifact,
        format!(
            "linkpay:\n{}\n\nstripe-python:\n{}\n",
            lines(&linkpay),
            lines(&library)
        ),
    );
}

fn lines(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join("\n")
}
