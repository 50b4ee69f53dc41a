//! The worker's KV in workerd (`wrangler dev --local`, KV simulated on disk): the origin's
//! signed pushes, short links, display state, and buyer-chosen amounts. No origin runs:
//! ORIGIN_URL is a closed port, so a checkout that gets as far as calling the origin ends on
//! the "unavailable" page (502), which shows the edge accepted what the buyer sent.

use linkpay_e2e::{Worker, free_port, keyring};
use linkpay_shared::token::{Amount, LinkClaims, Usage};
use linkpay_shared::{Currency, Locale, Money, SecretKey, channel};
use reqwest::header::HeaderMap;
use serde_json::json;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

fn link(link_id: &str, title: &str, amount: Amount, usage: Usage) -> String {
    keyring()
        .sign(&LinkClaims {
            link_id: link_id.into(),
            merchant_id: "mch_kv".into(),
            merchant_name: "KV Shop".into(),
            amount,
            expires_at: now() + 3600,
            usage,
            title: title.into(),
            description: None,
            reference: None,
            locale: Locale::En,
            free: Default::default(),
            metadata: Vec::new(),
            livemode: false,
        })
        .expect("sign")
}

async fn read(r: reqwest::Response) -> (u16, HeaderMap, String) {
    (
        r.status().as_u16(),
        r.headers().clone(),
        r.text().await.expect("body"),
    )
}

async fn get(worker: &Worker, path: &str) -> (u16, HeaderMap, String) {
    let r = worker
        .http
        .get(format!("{}{path}", worker.url))
        .header("accept-language", "en")
        .send()
        .await
        .expect("worker answers");
    read(r).await
}

async fn pay(worker: &Worker, token: &str, amount: Option<&str>) -> (u16, HeaderMap, String) {
    let mut req = worker
        .http
        .post(format!("{}/l/{token}/pay", worker.url))
        .header("accept-language", "en");
    if let Some(amount) = amount {
        req = req.form(&[("amount", amount)]);
    }
    read(req.send().await.expect("worker answers")).await
}

fn data_error(body: &str) -> &str {
    body.split_once("data-error=\"")
        .and_then(|(_, rest)| rest.split('"').next())
        .unwrap_or("")
}

/// The text of the element with this id, up to its first child or end tag.
fn element<'a>(body: &'a str, id: &str) -> &'a str {
    body.split_once(&format!("id=\"{id}\""))
        .and_then(|(_, rest)| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split('<').next())
        .unwrap_or("")
}

fn assert_secured(h: &HeaderMap, what: &str) {
    let csp = h
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{what}: {csp:?}"
    );
    assert_eq!(
        h.get("referrer-policy").and_then(|v| v.to_str().ok()),
        Some("no-referrer"),
        "{what}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_origin_pushes_short_links_and_state_that_buyers_see() {
    let closed_port = free_port();
    let worker = Worker::start("edge_kv", &format!("http://127.0.0.1:{closed_port}")).await;

    let kettle = link(
        "lnk_kv_kettle",
        "Kettle <b>",
        Amount::Fixed(Money::new(4200, Currency::Jpy).expect("money")),
        Usage::SingleUse,
    );
    let gift = link(
        "lnk_kv_gift",
        "Pay what you like",
        Amount::BuyerChosen {
            currency: Currency::Jpy,
            min: 500,
            max: 50_000,
        },
        Usage::MultiUse,
    );

    // Nobody but the origin writes: no signature, a wrong one, or another secret's.
    let forged = json!({"put": [{"key": "p:Forged", "value": kettle}]}).to_string();
    let ts = now().to_string();
    let other_secret = SecretKey::new(vec![7; 32]).expect("key");
    let wrong = channel::sign(
        &other_secret,
        now(),
        "POST",
        "/internal/v1/kv",
        forged.as_bytes(),
    );
    for headers in [
        vec![],
        vec![
            (channel::TIMESTAMP_HEADER, ts.clone()),
            (channel::SIGNATURE_HEADER, "v1=AAAA".to_owned()),
        ],
        vec![
            (channel::TIMESTAMP_HEADER, ts.clone()),
            (channel::SIGNATURE_HEADER, wrong.clone()),
        ],
    ] {
        let mut req = worker
            .http
            .post(format!("{}/internal/v1/kv", worker.url))
            .body(forged.clone());
        for (name, value) in &headers {
            req = req.header(*name, value);
        }
        let (status, h, body) = read(req.send().await.expect("worker answers")).await;
        assert_eq!((status, body.as_str()), (401, "Unauthorized"));
        assert_secured(&h, "401");
    }
    let (status, _, body) = get(&worker, "/p/Forged").await;
    assert_eq!(
        (status, data_error(&body)),
        (404, "not_found"),
        "nothing was written"
    );

    // The origin may write short links, display state and payment methods only.
    let r = worker
        .push_kv(&json!({"put": [{"key": "rate:limit", "value": "x"}]}))
        .await;
    let (status, _, body) = read(r).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("keys must start with \"p:\", \"s:\" or \"m:\""),
        "{body}"
    );
    let (status, h, _) = get(&worker, "/internal/v1/kv").await;
    assert_eq!(status, 405);
    assert_eq!(h.get("allow").and_then(|v| v.to_str().ok()), Some("POST"));

    // Short links. KV refuses expirations under 60 s away; the worker moves this one out.
    let r = worker
        .push_kv(&json!({"put": [
            {"key": "p:Kettle1", "value": kettle},
            {"key": "p:Gift", "value": gift, "expiration": now() + 5},
        ]}))
        .await;
    assert_eq!(r.status().as_u16(), 204);
    let (status, h, body) = get(&worker, "/p/Kettle1").await;
    assert_eq!(status, 200, "{body}");
    assert_secured(&h, "short link");
    assert!(element(&body, "title").starts_with("Kettle &"), "{body}");
    assert!(!body.contains("Kettle <b>"));
    assert!(body.contains(&format!(
        "<form id=\"pay-form\" method=\"post\" action=\"/l/{kettle}/pay\">"
    )));
    assert!(body.contains(">Pay ¥4,200</button>"));
    for path in ["/p/Nope", "/p/bad-code"] {
        let (status, h, body) = get(&worker, path).await;
        assert_eq!((status, data_error(&body)), (404, "not_found"), "{path}");
        assert_secured(&h, path);
    }

    // The merchant turns the link off, with a note: both addresses show it, escaped, and
    // pressing Pay on a page opened earlier does not reach the origin.
    let r = worker
        .push_kv(&json!({"put": [{
            "key": "s:lnk_kv_kettle",
            "value": json!({"status": "deactivated", "message": "Sold out <b>x</b>"}).to_string(),
        }]}))
        .await;
    assert_eq!(r.status().as_u16(), 204);
    for path in [format!("/l/{kettle}"), "/p/Kettle1".to_owned()] {
        let (status, h, body) = get(&worker, &path).await;
        assert_eq!((status, data_error(&body)), (410, "deactivated"), "{path}");
        assert_secured(&h, "410");
        let note = element(&body, "deactivation-message");
        assert!(
            note.starts_with("Sold out &") && note.contains("b&"),
            "{body}"
        );
        assert!(!body.contains("<b>x</b>"));
    }
    let (status, _, body) = pay(&worker, &kettle, None).await;
    assert_eq!((status, data_error(&body)), (410, "deactivated"), "{body}");

    // A buyer-chosen link: the field, then a refused and an accepted amount.
    let (status, _, body) = get(&worker, "/p/Gift").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("id=\"amount-input\" name=\"amount\""),
        "{body}"
    );
    assert!(body.contains("inputmode=\"decimal\""));
    assert_eq!(element(&body, "amount-range"), "Between ¥500 and ¥50,000");
    assert!(body.contains(">Pay</button>"));
    let (status, h, body) = pay(&worker, &gift, Some("100")).await;
    assert_eq!(status, 422, "{body}");
    assert_secured(&h, "422");
    assert_eq!(
        element(&body, "amount-error"),
        "The minimum amount is ¥500."
    );
    assert!(body.contains("value=\"100\""), "the typed value is kept");
    let (status, _, body) = pay(&worker, &gift, Some("1,500")).await;
    assert_eq!((status, data_error(&body)), (502, "unavailable"), "{body}");

    // The state is removed: the link is payable again.
    let r = worker
        .push_kv(&json!({"delete": ["s:lnk_kv_kettle"]}))
        .await;
    assert_eq!(r.status().as_u16(), 204);
    let (status, _, body) = get(&worker, &format!("/l/{kettle}")).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = get(&worker, "/p/Kettle1").await;
    assert_eq!(status, 200, "{body}");
}
