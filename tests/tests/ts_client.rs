//! The TypeScript client generated from the API's document (`clients/typescript`, with
//! @hey-api/openapi-ts): generated from what a real origin serves, compiled with
//! `tsc --strict`, and its test creates, lists, retrieves and deactivates a link through it.

use linkpay_e2e::{OriginProcess, artifacts, http_client, repo_root};
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generated_typescript_client_drives_a_link_through_the_real_origin() {
    let client = repo_root().join("clients/typescript");
    assert!(
        client.join("node_modules/.bin/openapi-ts").exists(),
        "clients/typescript has no node_modules: run scripts/install-tools"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = format!("sqlite://{}/linkpay.db", dir.path().display());
    let origin = OriginProcess::spawn("ts-client", &database_url, "http://edge.invalid");
    let http = http_client();
    origin.wait_ready(&http).await;
    let key = origin.api_key().expect("the demo key");

    let document = dir.path().join("openapi.json");
    origin.save_openapi(&http, &document).await;

    let run = Command::new("npm")
        .arg("test")
        .current_dir(&client)
        .env("LINKPAY_OPENAPI_FILE", &document)
        .env("LINKPAY_API_URL", &origin.url)
        .env("LINKPAY_API_KEY", &key)
        .output()
        .expect("run npm test in clients/typescript");
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::write(artifacts().join("ts-client.log"), &out).expect("save the log");
    assert!(
        run.status.success(),
        "generating, compiling (tsc --strict) or testing the TypeScript client failed \
         (tests/artifacts/ts-client.log):\n{out}"
    );
    // The client's own test ran and passed, rather than nothing at all.
    assert!(out.contains("# fail 0"), "{out}");
    assert!(!out.contains("# pass 0"), "{out}");
}
