//! The API against its own OpenAPI document, with the real `linkpay` binary: the document
//! passes `openapi-spec-validator`, and schemathesis (all checks, every phase, the stateful
//! one following the document's links) finds nothing it breaks. Both come pinned in
//! `.tools/python` (tests/contract/requirements.txt). A failure prints schemathesis's report,
//! with a curl command for each case and the seed to run it again.

use linkpay_e2e::{OriginProcess, artifacts, edge_secret, http_client, repo_root};
use linkpay_shared::channel;
use serde_json::{Value, json};
use std::process::Command;

/// About two minutes for schemathesis on two cores; `LINKPAY_CONTRACT_SECONDS` changes it.
const DEFAULT_SECONDS: &str = "100";
/// The same cases every run unless `LINKPAY_CONTRACT_SEED` says otherwise.
const DEFAULT_SEED: &str = "20261203";

fn python_tool(name: &str) -> std::path::PathBuf {
    let path = repo_root().join(".tools/python/bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/install-tools",
        path.display()
    );
    path
}

/// A manual-capture link paid on the sandbox, so that charges exist to capture, void and
/// refund.
async fn paid_charge(origin: &str, key: &str) {
    let http = http_client();
    let link: Value = http
        .post(format!("{origin}/v1/links"))
        .bearer_auth(key)
        .json(
            &json!({"amount": 5000, "currency": "JPY", "title": "Contract tea",
                      "capture_method": "manual", "single_use": false}),
        )
        .send()
        .await
        .expect("origin")
        .json()
        .await
        .expect("link");
    let token = link["url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("a link url")
        .to_owned();
    let body = json!({"token": token, "locale": "en", "payment_method": "card"}).to_string();
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let path = "/internal/v1/checkouts";
    let sig = channel::sign(&edge_secret(), ts, "POST", path, body.as_bytes());
    let started: Value = http
        .post(format!("{origin}{path}"))
        .header("content-type", "application/json")
        .header(channel::TIMESTAMP_HEADER, ts.to_string())
        .header(channel::SIGNATURE_HEADER, sig)
        .body(body)
        .send()
        .await
        .expect("checkout")
        .json()
        .await
        .expect("checkout answer");
    let page = started["redirect_url"].as_str().expect("sandbox page");
    let paid = http
        .post(page)
        .form(&[
            ("number", "4242424242424242"),
            ("expiry", "12/30"),
            ("cvc", "123"),
        ])
        .send()
        .await
        .expect("sandbox");
    assert_eq!(paid.status().as_u16(), 303, "the sandbox takes the card");
    let back = paid.headers()["location"].to_str().expect("return URL");
    let settled = http.get(back).send().await.expect("return");
    assert_eq!(
        settled.status().as_u16(),
        303,
        "the origin settles the charge"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "issue 18 is under way: with the pinned seed schemathesis still reports POST /v1/batches \
            refusing send=0 as schema-valid; run with --ignored (see the issue's note)"]
async fn the_api_answers_as_its_openapi_document_says() {
    // The providers' fakes answer credential checks as the providers would: whatever
    // schemathesis makes up is refused by them (422), never left unanswered (502).
    let stripe = linkpay_e2e::fake_stripe::FakeStripe::start().await;
    let gmopg = linkpay_e2e::fake_gmopg::FakeGmoPg::start().await;
    let linepay =
        linkpay_e2e::fake_linepay::FakeLinePay::start("1656946528", "contract-channel-secret")
            .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = format!("sqlite://{}/linkpay.db", dir.path().display());
    let origin = OriginProcess::spawn_with(
        "contract",
        &database_url,
        "http://edge.invalid",
        &[
            ("LINKPAY_STRIPE_API_URL", stripe.base_url()),
            ("LINKPAY_GMOPG_TEST_API_URL", &gmopg.base_url),
            ("LINKPAY_LINEPAY_TEST_API_URL", &linepay.base_url),
        ],
    );
    let http = http_client();
    origin.wait_ready(&http).await;
    let key = origin.api_key().expect("the demo key");
    for _ in 0..3 {
        paid_charge(&origin.url, &key).await;
    }

    let document = artifacts().join("openapi.json");
    let text = http
        .get(format!("{}/v1/openapi.json", origin.url))
        .send()
        .await
        .expect("document")
        .text()
        .await
        .expect("document");
    std::fs::write(&document, text).expect("save the document");
    let validated = Command::new(python_tool("openapi-spec-validator"))
        .arg(&document)
        .output()
        .expect("run openapi-spec-validator");
    assert!(
        validated.status.success(),
        "openapi-spec-validator refused the document:\n{}{}",
        String::from_utf8_lossy(&validated.stdout),
        String::from_utf8_lossy(&validated.stderr)
    );

    let seconds =
        std::env::var("LINKPAY_CONTRACT_SECONDS").unwrap_or_else(|_| DEFAULT_SECONDS.into());
    let seed = std::env::var("LINKPAY_CONTRACT_SEED").unwrap_or_else(|_| DEFAULT_SEED.into());
    let report = artifacts().join("schemathesis.txt");
    let run = Command::new(python_tool("schemathesis"))
        .arg("--config-file")
        .arg(repo_root().join("tests/contract/schemathesis.toml"))
        .arg("run")
        .arg(&document)
        .args(["--url", &origin.url])
        .args(["--header", &format!("Authorization: Bearer {key}")])
        .args(["--max-time", &seconds, "--seed", &seed])
        .env("NO_COLOR", "1")
        // Its example database and cache go with the other artifacts, not into the checkout.
        .current_dir(artifacts())
        .output()
        .expect("run schemathesis");
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::write(&report, &out).expect("save the report");
    assert!(
        run.status.success(),
        "schemathesis found failures (report: {}; run the same cases again with \
         LINKPAY_CONTRACT_SEED={seed}):\n{out}",
        report.display()
    );
}
