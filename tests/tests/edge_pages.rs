//! The worker's pages over plain HTTP: language, errors, headers, and the hand-off to the
//! origin. The pay page must render with the origin down: it needs no origin call.

use linkpay_e2e::{Stack, keyring};
use linkpay_shared::token::{Amount, LinkClaims, Usage};
use linkpay_shared::{Currency, Locale, Money};
use serde_json::json;

async fn get(stack: &Stack, url: &str, lang: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let r = stack
        .http
        .get(url)
        .header("accept-language", lang)
        .send()
        .await
        .expect("worker answers");
    read(r).await
}

/// Status, headers and body of a worker response.
async fn read(r: reqwest::Response) -> (u16, reqwest::header::HeaderMap, String) {
    (
        r.status().as_u16(),
        r.headers().clone(),
        r.text().await.expect("body"),
    )
}

/// The buyer presses Pay: the form POST to the worker, redirects not followed.
async fn press_pay(stack: &Stack, link_url: &str) -> (u16, reqwest::header::HeaderMap, String) {
    read(stack.press_pay(link_url, None).await).await
}

fn assert_security_headers(h: &reqwest::header::HeaderMap, what: &str) {
    let v = |n: &str| {
        h.get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let csp = v("content-security-policy");
    for part in [
        "default-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "style-src 'nonce-",
    ] {
        assert!(csp.contains(part), "{what}: CSP {csp:?} lacks {part}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert_eq!(v("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(v("cache-control"), "no-store", "{what}");
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_pages_speak_the_buyers_language_and_errors_have_their_status() {
    let mut stack = Stack::start("edge_pages").await;
    let link = stack.create_link(json!({"amount": 1500, "currency": "JPY", "title": "<b>Tea</b> & cake", "locale": "en"})).await;
    let url = link["url"].as_str().expect("url").to_owned();

    // A link signed offline with the same key, already expired.
    let expired = keyring()
        .sign(&LinkClaims {
            link_id: "lnk_expired".into(),
            merchant_id: "mch_x".into(),
            merchant_name: "Demo Shop".into(),
            amount: Amount::Fixed(Money::new(1000, Currency::Usd).expect("money")),
            expires_at: now() - 60,
            usage: Usage::SingleUse,
            title: "Old".into(),
            description: None,
            reference: None,
            locale: Locale::En,
            free: Default::default(),
            metadata: Vec::new(),
            livemode: false,
        })
        .expect("sign");

    // Everything below is served with the origin stopped.
    stack.stop_origin().await;

    let (status, headers, en) = get(&stack, &url, "en-US,en;q=0.9").await;
    assert_eq!(status, 200);
    assert_security_headers(&headers, "pay page");
    assert!(en.contains("¥1,500") && en.contains("Demo Shop"), "{en}");
    // Escaped, whichever entity form the template engine picks (&lt; or &#60;).
    assert!(!en.contains("<b>Tea"), "the title is escaped");
    assert!(
        en.contains("Tea")
            && en.contains("cake")
            && (en.contains("&lt;b&gt;") || en.contains("&#60;b&#62;")),
        "{en}"
    );
    assert!(
        !en.to_lowercase().contains("<script"),
        "no JavaScript on the pay page"
    );
    assert!(en.contains(r#"lang="en""#));

    let (_, _, ja) = get(&stack, &url, "ja-JP,ja;q=0.9,en;q=0.5").await;
    assert!(ja.contains(r#"lang="ja""#) && ja.contains("支払"), "{ja}");

    let mut tampered = url.clone().into_bytes();
    let i = tampered.len() - 5;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    let (status, headers, body) =
        get(&stack, &String::from_utf8(tampered).expect("ascii"), "en").await;
    assert_eq!(status, 404);
    assert_security_headers(&headers, "404 page");
    assert!(body.contains(r#"data-error="not_found""#));
    let (status, _, _) = get(&stack, &url[..url.len() - 20], "en").await;
    assert_eq!(status, 404, "truncated token");

    let (status, headers, body) =
        get(&stack, &format!("{}/l/{expired}", stack.edge_url), "en").await;
    assert_eq!(status, 410);
    assert_security_headers(&headers, "410 page");
    assert!(body.contains(r#"data-error="expired""#));

    // Pressing Pay with the origin down: a clear page, nothing charged.
    let (status, _, body) = press_pay(&stack, &url).await;
    assert_eq!(status, 502);
    assert!(body.contains(r#"data-error="unavailable""#), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pressing_pay_hands_the_buyer_to_the_provider() {
    let stack = Stack::start("edge_handoff").await;
    let link = stack
        .create_link(json!({"amount": 990, "currency": "USD", "title": "Coffee"}))
        .await;
    let url = link["url"].as_str().expect("url");
    let (status, headers, _) = press_pay(&stack, url).await;
    assert_eq!(status, 303);
    assert_security_headers(&headers, "303");
    let to = headers["location"].to_str().expect("location");
    assert!(
        to.starts_with(&format!("{}/sandbox/pay/sbpay_", stack.origin_url)),
        "{to}"
    );
    // A second buyer meanwhile is told someone is paying.
    let (status, _, body) = press_pay(&stack, url).await;
    assert_eq!(status, 409);
    assert!(body.contains(r#"data-error="in_progress""#), "{body}");
}
