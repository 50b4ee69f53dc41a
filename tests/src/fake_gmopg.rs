//! A local stand-in for GMO Payment Gateway: Link type Plus's URL creation (JSON, errors as an
//! array of `{errCode, errInfo}` with a non-200 status), its hosted card page, the browser's
//! way back (a form posting `result` = base64url(JSON) "." hex(SHA-256(that ‖ ShopPass)) to
//! RetUrl), the result notification (a form with ShopID and ShopPass, answered `0`), and the
//! protocol type's SearchTrade, AlterTran and ChangeTran (Windows-31J forms in, `Key=Value&…`
//! out, HTTP 200 with pipe-separated `ErrCode`/`ErrInfo` on errors).
//!
//! It keeps transactions with GMO-PG's rules as its public material describes them:
//! UNPROCESSED → AUTH or CAPTURE → SALES (the authorized amount exactly, else `E01060010`) →
//! VOID or RETURN; ChangeTran sets a new total. Codes it answers: E01030002 (shop id or
//! password), E01040010 (OrderID used), E01040013 (OrderID form), E01050002 (amount),
//! E01060010, E01110002 (no transaction for the AccessID/Pass), M01004002 (no such order),
//! E11010002 (not in a state for the call), 42G020000 and 42G120000 (declines), E21010001
//! (3-D Secure failed), E91099999 while down. See docs/providers/gmo-pg.md for what the public
//! material leaves open; the fake takes the same readings as the connector, so it cannot show
//! those readings wrong: only GMO-PG's test site can.
//!
//! Cards (the fake's own: GMO-PG's test cards are not public): 4111111111111111 succeeds,
//! 4000000000000101 asks for 3-D Secure (Complete or Fail), 4000000000009995 is declined
//! for insufficient funds (42G020000), 4000000000000002 declined (42G120000).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

#[derive(Debug, Clone)]
pub struct FakeShop {
    pub shop_id: String,
    pub shop_pass: String,
    pub config_id: String,
}

#[derive(Debug, Clone)]
pub struct Transaction {
    pub shop: String,
    pub order_id: String,
    pub amount: i64,
    pub job_cd: String,
    /// UNPROCESSED, AUTH, CAPTURE, SALES, VOID, RETURN.
    pub status: String,
    pub access_id: String,
    pub access_pass: String,
    ret_url: String,
    client_field1: String,
    /// The last `result` the page gave the browser.
    result: Option<String>,
}

#[derive(Default)]
struct Inner {
    shops: Vec<FakeShop>,
    trans: HashMap<String, Transaction>,
    notify: HashMap<String, String>,
    notifications: Vec<String>,
    requests: Vec<String>,
    down: bool,
    next: u64,
}

#[derive(Clone)]
pub struct FakeGmoPg {
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
}

type Shared = (FakeGmoPg,);

impl FakeGmoPg {
    pub async fn start() -> FakeGmoPg {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake GMO-PG");
        let fake = FakeGmoPg {
            base_url: format!("http://{}", listener.local_addr().expect("addr")),
            inner: Arc::default(),
        };
        let app = Router::new()
            .route("/payment/GetLinkplusUrlPayment.json", post(link_url))
            .route("/payment/{api}", post(protocol))
            .route("/v1/plus/{shop}/checkout/{order}", get(page).post(pay))
            .route("/v1/plus/{shop}/checkout/{order}/cancel", get(cancel))
            .route("/v1/plus/{shop}/checkout/{order}/3ds", post(challenge))
            .with_state((fake.clone(),));
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("fake GMO-PG");
        });
        fake
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().expect("fake GMO-PG state")
    }

    pub fn add_shop(&self) -> FakeShop {
        let mut inner = self.lock();
        let n = inner.shops.len() + 1;
        let shop = FakeShop {
            shop_id: format!("tshop{n:08}"),
            shop_pass: format!("pass{n:04}xyz"),
            config_id: "linkpay".into(),
        };
        inner.shops.push(shop.clone());
        shop
    }

    /// Where the shop's result notifications go (the shop admin screen's setting).
    /// Notifications are kept for [`FakeGmoPg::take_notifications`], not sent.
    pub fn set_notify_url(&self, shop: &FakeShop, url: &str) {
        self.lock()
            .notify
            .insert(shop.shop_id.clone(), url.to_owned());
    }

    /// The notification bodies (forms) sent since the last call.
    pub fn take_notifications(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().notifications)
    }

    pub fn transaction(&self, order_id: &str) -> Option<Transaction> {
        self.lock().trans.get(order_id).cloned()
    }

    /// The `result` the page last gave the buyer's browser for an order.
    pub fn result(&self, order_id: &str) -> Option<String> {
        self.lock()
            .trans
            .get(order_id)
            .and_then(|t| t.result.clone())
    }

    /// Every API request: `path body`.
    pub fn requests(&self) -> Vec<String> {
        self.lock().requests.clone()
    }

    pub fn go_down(&self) {
        self.lock().down = true;
    }

    pub fn come_back(&self) {
        self.lock().down = false;
    }

    /// The buyer pays on the page and closes the tab: only the notification tells.
    pub fn pay_without_return(&self, order_id: &str, card: &str) {
        let mut inner = self.lock();
        finish(&mut inner, order_id, card);
    }
}

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn link_error(code: &str, info: &str) -> Response {
    let body = json!([{"errCode": code, "errInfo": info}]).to_string();
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

async fn link_url(State((fake,)): State<Shared>, body: Bytes) -> Response {
    let mut inner = fake.lock();
    inner.requests.push(format!(
        "GetLinkplusUrlPayment.json {}",
        String::from_utf8_lossy(&body)
    ));
    if inner.down {
        return (StatusCode::SERVICE_UNAVAILABLE, "maintenance").into_response();
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return link_error("E01", "E01010001");
    };
    let p = &v["geturlparam"];
    let Some(shop) = inner
        .shops
        .iter()
        .find(|s| p["ShopID"] == s.shop_id.as_str() && p["ShopPass"] == s.shop_pass.as_str())
        .cloned()
    else {
        return link_error("E01", "E01030002");
    };
    if v["configid"] != shop.config_id.as_str() {
        return link_error("E01", "E01010001");
    }
    let t = &v["transaction"];
    let order = t["OrderID"].as_str().unwrap_or_default().to_owned();
    let ok = !order.is_empty()
        && order.len() <= 27
        && order.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !ok {
        return link_error("E01", "E01040013");
    }
    if inner.trans.contains_key(&order) {
        return link_error("E01", "E01040010");
    }
    let Some(amount) = t["Amount"].as_i64().filter(|a| (1..=9_999_999).contains(a)) else {
        return link_error("E01", "E01050002");
    };
    let job = v["credit"]["JobCd"]
        .as_str()
        .unwrap_or("CAPTURE")
        .to_owned();
    let ret_url = t["RetUrl"].as_str().unwrap_or_default().to_owned();
    inner.next += 1;
    let n = inner.next;
    inner.trans.insert(
        order.clone(),
        Transaction {
            shop: shop.shop_id.clone(),
            order_id: order.clone(),
            amount,
            job_cd: job,
            status: "UNPROCESSED".into(),
            access_id: format!("{:032x}", n * 7_919),
            access_pass: format!("{:032x}", n * 104_729),
            ret_url,
            client_field1: t["ClientField1"].as_str().unwrap_or_default().to_owned(),
            result: None,
        },
    );
    let url = format!(
        "{}/v1/plus/{}/checkout/{order}",
        fake.base_url, shop.shop_id
    );
    let body = json!({"OrderID": order, "LinkUrl": url, "ProcessDate": "20261203120000"});
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// What a card does: `None` succeeds, else `(ErrCode, ErrInfo)`; 3-D Secure asks first.
fn card_outcome(card: &str) -> Option<(&'static str, &'static str)> {
    match card {
        "4000000000009995" => Some(("G02", "42G020000")),
        "4000000000000002" => Some(("G12", "42G120000")),
        "4111111111111111" | "4000000000000101" => None,
        _ => Some(("G65", "42G650000")),
    }
}

/// Settles an order as the card says, makes the browser's `result` and the notification.
fn finish(inner: &mut Inner, order: &str, card: &str) -> Option<String> {
    let error = card_outcome(card);
    settle(inner, order, error, "PAYSUCCESS")
}

fn settle(
    inner: &mut Inner,
    order: &str,
    error: Option<(&str, &str)>,
    result: &str,
) -> Option<String> {
    let t = inner.trans.get_mut(order)?;
    if error.is_none() && result == "PAYSUCCESS" {
        t.status = if t.job_cd == "AUTH" {
            "AUTH".into()
        } else {
            "CAPTURE".into()
        };
    }
    let (code, info) = error.unwrap_or(("", ""));
    let outcome = if error.is_some() { "ERROR" } else { result };
    let body = json!({
        "transactionresult": {"OrderID": t.order_id, "Result": outcome, "AccessID": t.access_id,
            "AccessPass": t.access_pass, "Processdate": "20261203120000", "ErrCode": code,
            "ErrInfo": info, "Paymethod": "credit"},
        "credit": {"Status": t.status, "Forward": "2a99662", "Method": "1", "PayTimes": "",
            "TranID": "2612031200111111111111111111", "Approve": "0123456", "TranDate": "20261203120000"},
    });
    let alpha = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(body.to_string());
    let shop = inner.shops.iter().find(|s| s.shop_id == t.shop)?.clone();
    let result = format!(
        "{alpha}.{}",
        sha256_hex(&format!("{alpha}{}", shop.shop_pass))
    );
    t.result = Some(result.clone());
    let t = t.clone();
    if inner.notify.contains_key(&shop.shop_id) {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("ShopID", shop.shop_id.as_str()),
                ("ShopPass", shop.shop_pass.as_str()),
                ("AccessID", &t.access_id),
                ("AccessPass", &t.access_pass),
                ("OrderID", &t.order_id),
                ("Status", &t.status),
                ("JobCd", &t.job_cd),
                ("Amount", &t.amount.to_string()),
                ("Tax", "0"),
                ("Currency", "JPN"),
                ("Forward", "2a99662"),
                ("Method", "1"),
                ("ErrCode", code),
                ("ErrInfo", info),
                ("PayType", "0"),
            ])
            .finish();
        inner.notifications.push(form);
    }
    Some(result)
}

fn ret_url(inner: &Inner, order: &str) -> String {
    inner
        .trans
        .get(order)
        .map(|t| t.ret_url.clone())
        .unwrap_or_default()
}

/// The page the browser is sent back with: a form posting `result` to RetUrl.
fn back_page(ret_url: &str, result: &str) -> Response {
    Html(format!(
        "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>GMO-PG</title></head><body>\
         <form id=\"back\" method=\"post\" action=\"{ret_url}\"><input type=\"hidden\" name=\"result\" value=\"{result}\">\
         <button id=\"return\" type=\"submit\">ショップに戻る</button></form></body></html>"
    ))
    .into_response()
}

async fn page(Path((shop, order)): Path<(String, String)>) -> Response {
    Html(format!(
        "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>GMO-PG Link type Plus (fake)</title></head><body>\
         <form id=\"card\" method=\"post\" action=\"/v1/plus/{shop}/checkout/{order}\">\
         <input id=\"cardNumber\" name=\"card\"><input id=\"expiry\" name=\"expiry\"><input id=\"securityCode\" name=\"cvc\">\
         <button id=\"pay\" type=\"submit\">支払う</button></form>\
         <a id=\"cancel\" href=\"/v1/plus/{shop}/checkout/{order}/cancel\">戻る</a></body></html>"
    ))
    .into_response()
}

async fn pay(
    State((fake,)): State<Shared>,
    Path((shop, order)): Path<(String, String)>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let card: String = form
        .get("card")
        .cloned()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if card == "4000000000000101" {
        return Html(format!(
            "<form method=\"post\" action=\"/v1/plus/{shop}/checkout/{order}/3ds\">\
             <button id=\"tds-complete\" name=\"outcome\" value=\"complete\">Complete</button>\
             <button id=\"tds-fail\" name=\"outcome\" value=\"fail\">Fail</button></form>"
        ))
        .into_response();
    }
    let mut inner = fake.lock();
    let ret = ret_url(&inner, &order);
    match finish(&mut inner, &order, &card) {
        Some(result) => back_page(&ret, &result),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn challenge(
    State((fake,)): State<Shared>,
    Path((_, order)): Path<(String, String)>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let mut inner = fake.lock();
    let ret = ret_url(&inner, &order);
    let error = (form.get("outcome").map(String::as_str) != Some("complete"))
        .then_some(("E21", "E21010001"));
    match settle(&mut inner, &order, error, "PAYSUCCESS") {
        Some(result) => back_page(&ret, &result),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn cancel(
    State((fake,)): State<Shared>,
    Path((_, order)): Path<(String, String)>,
) -> Response {
    let mut inner = fake.lock();
    let ret = ret_url(&inner, &order);
    match settle(&mut inner, &order, None, "PAYSTART") {
        Some(result) => back_page(&ret, &result),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A `Key=Value&…` answer in Windows-31J.
fn answer(pairs: &[(&str, String)]) -> Response {
    let text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let joined = text.join("&");
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&joined);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain;charset=Windows-31J")],
        bytes.into_owned(),
    )
        .into_response()
}

fn err(code: &str, info: &str) -> Response {
    answer(&[("ErrCode", code.into()), ("ErrInfo", info.into())])
}

async fn protocol(State((fake,)): State<Shared>, Path(api): Path<String>, body: Bytes) -> Response {
    let fields: HashMap<String, String> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut inner = fake.lock();
    inner
        .requests
        .push(format!("{api} {}", String::from_utf8_lossy(&body)));
    if inner.down {
        return err("E91", "E91099999");
    }
    let f = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let Some(shop) = inner
        .shops
        .iter()
        .find(|s| f("ShopID") == s.shop_id && f("ShopPass") == s.shop_pass)
        .cloned()
    else {
        return err("E01", "E01030002");
    };
    if api == "SearchTrade.idPass" {
        let Some(t) = inner
            .trans
            .get(&f("OrderID"))
            .filter(|t| t.shop == shop.shop_id)
        else {
            return err("M01", "M01004002");
        };
        return answer(&[
            ("OrderID", t.order_id.clone()),
            ("Status", t.status.clone()),
            ("ProcessDate", "20261203120000".into()),
            ("JobCd", t.job_cd.clone()),
            ("AccessID", t.access_id.clone()),
            ("AccessPass", t.access_pass.clone()),
            ("ItemCode", "0000990".into()),
            ("Amount", t.amount.to_string()),
            ("Tax", "0".into()),
            ("CardNo", "************1111".into()),
            ("Method", "1".into()),
            ("Forward", "2a99662".into()),
            ("TranID", "2612031200111111111111111111".into()),
            ("Approve", " 0123456".into()),
            ("ClientField1", t.client_field1.clone()),
        ]);
    }
    let Some(t) = inner.trans.values_mut().find(|t| {
        t.access_id == f("AccessID") && t.access_pass == f("AccessPass") && t.shop == shop.shop_id
    }) else {
        return err("E01", "E01110002");
    };
    let amount = f("Amount").parse::<i64>().ok();
    match (api.as_str(), f("JobCd").as_str()) {
        ("AlterTran.idPass", "SALES") => {
            if t.status != "AUTH" {
                return err("E11", "E11010002");
            }
            if amount != Some(t.amount) {
                return err("E01", "E01060010");
            }
            t.status = "SALES".into();
        }
        ("AlterTran.idPass", "VOID")
            if ["AUTH", "CAPTURE", "SALES"].contains(&t.status.as_str()) =>
        {
            t.status = "VOID".into();
        }
        ("AlterTran.idPass", "RETURN") if ["CAPTURE", "SALES"].contains(&t.status.as_str()) => {
            t.status = "RETURN".into();
        }
        ("ChangeTran.idPass", "AUTH" | "CAPTURE" | "SALES")
            if ["AUTH", "CAPTURE", "SALES"].contains(&t.status.as_str()) =>
        {
            let Some(a) = amount.filter(|a| *a >= 1) else {
                return err("E01", "E01050002");
            };
            t.amount = a;
        }
        _ => return err("E11", "E11010002"),
    }
    answer(&[
        ("AccessID", t.access_id.clone()),
        ("AccessPass", t.access_pass.clone()),
        ("Forward", "2a99662".into()),
        ("Approve", "0123456".into()),
        ("TranID", "2612031200222222222222222222".into()),
        ("TranDate", "20261203120500".into()),
    ])
}
