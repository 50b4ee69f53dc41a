//! The API against its own OpenAPI document, with the real `linkpay` binary: the document
//! passes `openapi-spec-validator`, and schemathesis (all checks, every phase, the stateful
//! one following the document's links, from a new link to sending and deactivating it and
//! from charges to capture and refund) finds nothing it breaks. Both come pinned in
//! `.tools/python` (tests/contract/requirements.txt). A failure prints schemathesis's report,
//! with a curl command for each case and the seed to run it again.

use linkpay_e2e::{OriginProcess, artifacts, edge_secret, http_client, repo_root};
use linkpay_shared::channel;
use serde_json::{Value, json};
use std::process::Command;

/// About two minutes for schemathesis on two cores; `LINKPAY_CONTRACT_SECONDS` changes it.
const DEFAULT_SECONDS: u64 = 100;
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
    // A Stripe account the fake knows, so that the provider-account operations have one to
    // read, change and delete (what schemathesis makes up is refused by the fake).
    let account = stripe.add_account(false);
    let connected = http
        .post(format!("{}/v1/provider_accounts", origin.url))
        .bearer_auth(&key)
        .json(&json!({"provider": "stripe", "credentials": {"secret_key": account.secret_key}}))
        .send()
        .await
        .expect("origin");
    assert_eq!(connected.status().as_u16(), 201, "the fake's key is taken");

    let document = artifacts().join("openapi.json");
    origin.save_openapi(&http, &document).await;
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

    let seconds: u64 = std::env::var("LINKPAY_CONTRACT_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SECONDS);
    let seed = std::env::var("LINKPAY_CONTRACT_SEED").unwrap_or_else(|_| DEFAULT_SEED.into());
    let run = Schemathesis {
        document: &document,
        url: &origin.url,
        key: &key,
        seed: &seed,
    };
    // Every phase over every operation, for 65 % of the time; every request and
    // answer is kept (HAR) beside the report, to see exactly what was sent.
    let har = artifacts().join("schemathesis.har");
    let har = har.to_string_lossy();
    run.run(
        "schemathesis",
        seconds * 65 / 100,
        &["--report", "har", "--report-har-path", &har],
    );
    // Then the stateful phase alone over links and charges, so that each run reaches their
    // states through the document's links, not only through ids it made up.
    let events = dir.path().join("stateful.ndjson");
    let path = events.to_string_lossy().into_owned();
    run.run(
        "schemathesis-stateful",
        seconds * 35 / 100,
        &[
            "--phases",
            "stateful",
            "--include-path-regex",
            "^/v1/(links|charges)",
            "--report",
            "ndjson",
            "--report-ndjson-path",
            &path,
        ],
    );
    // A new link's id is followed from its creation, and each of these operations is reached
    // through a link from an answer that held its object (the link just made, or one listed,
    // retrieved or deactivated on the way), never only with ids made up.
    let followed = followed_links(&events);
    let reached = |target: &str| {
        followed
            .iter()
            .any(|f| f.contains(&format!("] {target} ->")))
    };
    let from_create = followed
        .iter()
        .any(|f| f.starts_with("POST /v1/links -> [201] "));
    assert!(
        from_create,
        "the stateful phase never followed a link from POST /v1/links; it followed:\n{}",
        followed.join("\n")
    );
    for target in [
        "links_retrieve",
        "links_send",
        "links_deactivate",
        "charges_capture",
        "charges_refund",
    ] {
        assert!(
            reached(target),
            "the stateful phase never reached {target} through a link; it followed:\n{}",
            followed.join("\n")
        );
    }
}

/// One schemathesis run against the origin: the checks, phases and hooks of
/// tests/contract/, and the seed, so that a failure can be replayed.
struct Schemathesis<'a> {
    document: &'a std::path::Path,
    url: &'a str,
    key: &'a str,
    seed: &'a str,
}

impl Schemathesis<'_> {
    /// Runs it for at most `seconds` with `extra` arguments; its report goes to
    /// tests/artifacts/NAME.txt, and a failure fails the test with that report.
    fn run(&self, name: &str, seconds: u64, extra: &[&str]) {
        let report = artifacts().join(format!("{name}.txt"));
        let run = Command::new(python_tool("schemathesis"))
            .arg("--config-file")
            .arg(repo_root().join("tests/contract/schemathesis.toml"))
            .arg("run")
            .arg(self.document)
            .args(["--url", self.url])
            .args(["--header", &format!("Authorization: Bearer {}", self.key)])
            .args([
                "--max-time",
                &seconds.max(1).to_string(),
                "--seed",
                self.seed,
            ])
            .args(extra)
            .env("NO_COLOR", "1")
            .env(
                "SCHEMATHESIS_HOOKS",
                repo_root().join("tests/contract/hooks.py"),
            )
            // Its example database and cache go with the other artifacts, not into the
            // checkout.
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
            "schemathesis found failures (report: {}; each case has a curl command that \
             reproduces it, and LINKPAY_CONTRACT_SEED={} makes the same cases again):\n{out}",
            report.display(),
            self.seed
        );
    }
}

/// The links schemathesis's stateful phase followed (`POST /v1/links -> [201] links_send ->
/// POST /v1/links/{id}/send`), from its event log.
fn followed_links(events: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(events).expect("schemathesis's events");
    let mut followed = std::collections::BTreeSet::new();
    for line in text.lines() {
        let Ok(event) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let cases = &event["ScenarioFinished"]["recorder"]["cases"];
        for case in cases.as_object().into_iter().flat_map(|c| c.values()) {
            if case["is_transition_applied"] == true
                && let Some(id) = case["transition"]["id"].as_str()
            {
                followed.insert(id.to_owned());
            }
        }
    }
    followed.into_iter().collect()
}
