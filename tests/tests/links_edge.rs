//! Links through the whole stack — the `linkpay` origin and the worker in workerd: short links
//! and display state pushed by the origin into the worker's KV, a buyer-chosen amount typed on
//! the edge's page, and a link signed offline with `linkpay link sign`.

use linkpay_e2e::{LINK_KEY, Stack, finish_payment, linkpay_binary};
use serde_json::json;
use std::time::{Duration, Instant};

/// GETs `url` until `check(status, body)` holds, for up to 10 seconds: KV pushes are
/// asynchronous, "within seconds" is the promise.
async fn eventually(stack: &Stack, url: &str, what: &str, check: impl Fn(u16, &str) -> bool) {
    let started = Instant::now();
    let mut last = (0, String::new());
    while started.elapsed() < Duration::from_secs(10) {
        let r = stack.http.get(url).send().await.expect("worker answers");
        let status = r.status().as_u16();
        let body = r.text().await.expect("body");
        if check(status, &body) {
            return;
        }
        last = (status, body);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!(
        "{what}: not seen within 10 s; last answer {}: {}",
        last.0, last.1
    );
}

fn token_of(url: &str) -> &str {
    url.rsplit('/').next().expect("token")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_links_states_and_buyer_chosen_amounts_work_end_to_end() {
    let stack = Stack::start("links_edge").await;

    // A donation link: the short URL resolves at the edge once the origin has pushed it.
    let link = stack
        .create_link(json!({
            "custom_amount": {"minimum": 500, "maximum": 50000},
            "currency": "JPY", "title": "Donation", "single_use": false, "usage_limit": 2,
            "locale": "en",
        }))
        .await;
    let short = link["short_url"].as_str().expect("short url").to_owned();
    assert!(
        short.starts_with(&format!("{}/p/", stack.edge_url)),
        "{short}"
    );
    eventually(&stack, &short, "the short link's pay page", |s, b| {
        s == 200 && b.contains("id=\"amount-input\"") && b.contains("Donation")
    })
    .await;

    // The buyer types an amount on the edge's page; the edge checks it, the origin charges it.
    let url = link["url"].as_str().expect("url");
    let low = stack.press_pay(url, Some("499")).await;
    assert_eq!(low.status().as_u16(), 422);
    assert!(low.text().await.expect("body").contains("¥500"));
    let pay = stack.press_pay(url, Some("1,234")).await;
    assert_eq!(pay.status().as_u16(), 303);
    let provider = linkpay_e2e::location(&pay);
    let result = finish_payment(&stack.http, &provider, "4242424242424242").await;
    let page = stack.get(&result).await.text().await.expect("body");
    assert!(page.contains("data-outcome=\"paid\""), "{page}");
    let id = link["id"].as_str().expect("id");
    let (_, charges) = stack.api_get(&format!("/v1/links/{id}/charges")).await;
    assert_eq!(charges["data"][0]["amount"], 1234);

    // Deactivated: the pay page says so within seconds, with the merchant's message escaped.
    let (status, _) = stack
        .api(
            reqwest::Method::POST,
            &format!("/v1/links/{id}/deactivate"),
            Some(json!({"message": "Campaign over <thanks>"})),
        )
        .await;
    assert_eq!(status, 200);
    for page in [url, short.as_str()] {
        eventually(&stack, page, "the deactivated page", |s, b| {
            s == 410
                && b.contains("data-error=\"deactivated\"")
                && b.contains("Campaign over &")
                && !b.contains("<thanks>")
        })
        .await;
    }

    // A single-use link, once paid, shows "already paid" on the page itself.
    let single = stack
        .create_link(json!({"amount": 800, "currency": "JPY", "title": "Lunch", "locale": "en"}))
        .await;
    let single_url = single["url"].as_str().expect("url");
    let pay = stack.press_pay(single_url, None).await;
    let provider = linkpay_e2e::location(&pay);
    finish_payment(&stack.http, &provider, "4242424242424242").await;
    eventually(&stack, single_url, "the used link's page", |s, b| {
        s == 410 && b.contains("data-error=\"already_paid\"")
    })
    .await;

    // Unknown short codes are a plain "no such link".
    let r = stack.get(format!("{}/p/Zz9NoSuch", stack.edge_url)).await;
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_signed_offline_with_the_cli_is_shown_by_the_edge_and_paid() {
    let stack = Stack::start("links_offline").await;
    let dir = tempfile::tempdir().expect("tmp");
    // The same key the stack's origin and worker use, in the CLI's key-file format.
    let keys = dir.path().join("link-keys");
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&keys)
            .expect("key file");
        writeln!(f, "linkpay-keys v1\nkey k1 2026-11-01T00:00:00Z {LINK_KEY}").expect("write");
    }
    let (_, links) = stack.api_get("/v1/links").await;
    assert_eq!(links["data"].as_array().expect("data").len(), 0);
    let (_, merchant) = stack
        .api(
            reqwest::Method::POST,
            "/v1/links",
            Some(json!({"amount": 1, "currency": "JPY", "title": "probe"})),
        )
        .await;
    let merchant_id = merchant_id_of(&merchant);

    let out = std::process::Command::new(linkpay_binary())
        .args(["link", "sign", "--keys"])
        .arg(&keys)
        .args([
            "--merchant-id",
            &merchant_id,
            "--merchant-name",
            "Corner Cafe",
            "--amount",
            "2500",
            "--currency",
            "EUR",
            "--title",
            "Catering deposit",
            "--reference",
            "CAT-77",
            "--free1",
            "table 4",
            "--metadata",
            "event=wedding",
            "--usage",
            "single",
            "--expires-in",
            "2h",
            "--locale",
            "en",
            "--edge-url",
            &stack.edge_url,
        ])
        .output();
    let url = linkpay_e2e::printed(out, "linkpay link sign");
    assert!(url.starts_with(&format!("{}/l/", stack.edge_url)), "{url}");

    let page = stack.http.get(&url).send().await.expect("worker");
    assert_eq!(page.status().as_u16(), 200);
    let page = page.text().await.expect("body");
    assert!(
        page.contains("Catering deposit") && page.contains("€25.00"),
        "{page}"
    );
    // Free fields and metadata are the merchant's, not for the page.
    assert!(!page.contains("table 4") && !page.contains("wedding"));

    let pay = stack.press_pay(&url, None).await;
    assert_eq!(pay.status().as_u16(), 303);
    let provider = linkpay_e2e::location(&pay);
    finish_payment(&stack.http, &provider, "4242424242424242").await;

    let (_, links) = stack.api_get("/v1/links?reference=CAT-77").await;
    let recorded = &links["data"][0];
    assert_eq!(recorded["source"], "offline");
    assert_eq!(recorded["status"], "used");
    assert_eq!(
        recorded["id"].as_str().map(|s| s.starts_with("lnk_")),
        Some(true)
    );
    let (_, charges) = stack
        .api_get(&format!(
            "/v1/links/{}/charges",
            recorded["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(charges["data"][0]["metadata"], json!({"event": "wedding"}));
    assert_eq!(charges["data"][0]["free1"], "table 4");
}

/// The demo merchant's id, read from a link token the API made.
fn merchant_id_of(link: &serde_json::Value) -> String {
    let token = token_of(link["url"].as_str().expect("url"));
    linkpay_e2e::keyring()
        .verify(token.as_bytes(), 0)
        .expect("token")
        .merchant_id
}
