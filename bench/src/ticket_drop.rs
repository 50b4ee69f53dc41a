//! The ticket drop: one link limited to N payments and M buyers (N = 500, M = 2,000) who all
//! press Pay at the same moment, each on a connection opened beforehand, through the whole
//! sandbox checkout. On PostgreSQL a second origin instance shares the database and the
//! buyers alternate between the two, as behind a load balancer.
//!
//! Exactly N must be paid. A buyer turned away must hear one of the two clear answers — 409
//! `link_in_progress` ("someone is paying") while holds are out, 409 `link_used_up` ("sold
//! out") once N are paid — and anything else counts as an error. The figure gives the time
//! from the release of all buyers to the N-th completed payment, and the p99 of the Pay
//! answer (every buyer) and of the whole checkout (paid buyers).

use crate::http::Conn;
use crate::load::{JOB_TIMEOUT, histogram, ms, progress, round_ms};
use crate::origin::{
    CHECKOUT_PATH, Database, EDGE_URL, Keys, Origin, post_card, post_checkout, start,
};
use crate::{Figure, Settings};
use bytes::Bytes;
use hyper::Method;
use linkpay_shared::SecretKey;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How one buyer fared.
enum Fate {
    /// Paid; the whole checkout took this long, and ended at this instant.
    Paid {
        took: Duration,
        at: Instant,
    },
    /// 409 `link_in_progress`: every remaining use is held by a buyer at the provider.
    InProgress,
    /// 409 `link_used_up`: all N are paid.
    SoldOut,
    Error(String),
}

/// One origin instance as a buyer sees it.
#[derive(Clone)]
struct Instance {
    addr: SocketAddr,
    public_url: String,
}

struct Buyer {
    conn: Conn,
    at: Instance,
    body: Bytes,
    edge_secret: SecretKey,
}

impl Buyer {
    /// The Pay answer's latency, and the buyer's fate.
    async fn pay(&mut self, started: Instant) -> (Duration, Fate) {
        match tokio::time::timeout(JOB_TIMEOUT, self.checkout(started)).await {
            Ok(Ok(result)) => result,
            Ok(Err(e)) => (started.elapsed(), Fate::Error(e)),
            Err(_) => (
                started.elapsed(),
                Fate::Error(format!("no answer within {} s", JOB_TIMEOUT.as_secs())),
            ),
        }
    }

    async fn checkout(&mut self, started: Instant) -> Result<(Duration, Fate), String> {
        let r = post_checkout(&mut self.conn, &self.edge_secret, &self.body).await?;
        let answered = started.elapsed();
        if r.status == 409 {
            let body: Value = serde_json::from_slice(&r.body).unwrap_or_default();
            return match body["error"]["code"].as_str() {
                Some("link_in_progress") => Ok((answered, Fate::InProgress)),
                Some("link_used_up") => Ok((answered, Fate::SoldOut)),
                _ => Err(format!("POST {CHECKOUT_PATH}: 409 {}", r.text())),
            };
        }
        r.expect(&format!("POST {CHECKOUT_PATH}"), 201)?;
        let created: Value = serde_json::from_slice(&r.body).map_err(|e| e.to_string())?;
        let pay_path = self.local("redirect_url", created["redirect_url"].as_str())?;
        self.conn
            .get(&pay_path)
            .await?
            .expect("GET sandbox page", 200)?;
        let r = post_card(&mut self.conn, &pay_path).await?;
        let return_path = self.local("sandbox redirect", r.location())?;
        let r = self.conn.get(&return_path).await?;
        r.expect("GET /return/sandbox", 303)?;
        if !r.location().is_some_and(|l| l.starts_with(EDGE_URL)) {
            return Err(format!(
                "GET /return/sandbox: expected the result page, got {:?}",
                r.location()
            ));
        }
        let at = Instant::now();
        Ok((
            answered,
            Fate::Paid {
                took: at - started,
                at,
            },
        ))
    }

    fn local(&self, what: &str, url: Option<&str>) -> Result<String, String> {
        url.and_then(|u| u.strip_prefix(self.at.public_url.as_str()))
            .map(str::to_owned)
            .ok_or_else(|| {
                format!(
                    "{what}: expected a URL on {}, got {url:?}",
                    self.at.public_url
                )
            })
    }
}

/// The figure for one database. On PostgreSQL it starts and stops a second instance.
pub async fn run(
    origin: &Origin,
    db: &Database,
    keys: &Keys,
    s: &Settings,
    label: &str,
) -> Result<Figure, String> {
    let (limit, buyers) = (s.drop_tickets, s.drop_buyers);
    let kind = db.kind;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let second = match kind {
        "postgres" => {
            progress(format!(
                "{label}: starting a second origin instance on the same database…"
            ));
            Some(start(&s.linkpay, dir.path(), db, keys, Some(&origin.api_key)).await?)
        }
        _ => None,
    };
    let instances: Vec<Instance> = std::iter::once(origin)
        .chain(second.as_ref())
        .map(|o| Instance {
            addr: o.addr,
            public_url: o.public_url.clone(),
        })
        .collect();

    let link = origin
        .api(
            "/v1/links",
            json!({"amount": 4800, "currency": "JPY", "title": "Concert ticket",
                   "single_use": false, "usage_limit": limit}),
        )
        .await?;
    let link_id = link["id"]
        .as_str()
        .ok_or("POST /v1/links: no id")?
        .to_owned();
    let token = link["url"]
        .as_str()
        .and_then(|u| u.rsplit_once("/l/"))
        .map(|(_, t)| t.to_owned())
        .ok_or("POST /v1/links: no url in the answer")?;
    let body = Bytes::from(json!({"token": token, "locale": "en"}).to_string());

    progress(format!(
        "{label}: opening {buyers} connections to {} instance(s)…",
        instances.len()
    ));
    let mut waiting = Vec::with_capacity(buyers);
    for i in 0..buyers {
        let at = instances[i % instances.len()].clone();
        let mut conn = Conn::new(at.addr);
        conn.open().await?;
        waiting.push(Buyer {
            conn,
            at,
            body: body.clone(),
            edge_secret: origin.edge_secret.clone(),
        });
    }
    progress(format!(
        "{label}: {buyers} buyers press Pay at once on a link limited to {limit}…"
    ));
    let (go, ready) = watch::channel(None::<Instant>);
    let tasks: Vec<_> = waiting
        .into_iter()
        .map(|mut buyer| {
            let mut ready = ready.clone();
            tokio::spawn(async move {
                let started = match ready.wait_for(Option::is_some).await {
                    Ok(at) => at.unwrap_or_else(Instant::now),
                    Err(_) => Instant::now(),
                };
                buyer.pay(started).await
            })
        })
        .collect();
    tokio::task::yield_now().await;
    let started = Instant::now();
    go.send_replace(Some(started));

    let (mut answers, mut paid_took) = (histogram(), histogram());
    let (mut in_progress, mut sold_out, mut errors) = (0u64, 0u64, 0u64);
    let mut first_error = None;
    let mut paid_at = Vec::new();
    for task in tasks {
        let (answered, fate) = task
            .await
            .unwrap_or_else(|e| (Duration::ZERO, Fate::Error(e.to_string())));
        let _ = answers.record(answered.as_micros().max(1) as u64);
        match fate {
            Fate::Paid { took, at } => {
                let _ = paid_took.record(took.as_micros().max(1) as u64);
                paid_at.push(at - started);
            }
            Fate::InProgress => in_progress += 1,
            Fate::SoldOut => sold_out += 1,
            Fate::Error(e) => {
                errors += 1;
                first_error.get_or_insert(e);
            }
        }
    }
    let all_done = started.elapsed();
    paid_at.sort();
    let paid = paid_at.len() as u64;

    // The origin's own count must agree with the buyers'.
    let auth = origin.auth();
    let r = Conn::new(origin.addr)
        .request(
            Method::GET,
            &format!("/v1/links/{link_id}"),
            &[("authorization", &auth)],
            Bytes::new(),
        )
        .await?;
    r.expect("GET /v1/links/{id}", 200)?;
    let stored: Value = serde_json::from_slice(&r.body).map_err(|e| e.to_string())?;
    let stored_paid = stored["paid_count"].as_u64().unwrap_or(0);
    let status = stored["status"].as_str().unwrap_or_default().to_owned();
    if stored_paid != paid || status != "used" {
        errors += 1;
        first_error.get_or_insert(format!(
            "the link says paid_count {stored_paid} and status {status:?}; the buyers saw {paid} paid"
        ));
    }
    drop(second);

    let sold_out_after = (paid == limit).then(|| paid_at.last().copied()).flatten();
    let instances_text = match instances.len() {
        1 => "one instance".to_owned(),
        n => format!("{n} instances"),
    };
    let mut fig = Figure::new(
        &format!("origin.{kind}.ticket_drop"),
        &format!("origin {kind}: ticket drop, {limit} tickets, {buyers} buyers at once"),
        format!(
            "{paid} paid, {sold_out} sold out, {in_progress} someone paying, {errors} errors; sold out in {}, Pay p99 {} ms, paid checkout p99 {} ms",
            sold_out_after.map_or("—".to_owned(), |d| format!("{} ms", round_ms(d.as_secs_f64() * 1000.0))),
            round_ms(ms(&answers, 99.0)),
            round_ms(ms(&paid_took, 99.0)),
        ),
    )
    .target(
        &format!("exactly {limit} paid, 0 errors"),
        paid == limit && errors == 0,
    )
    .load(format!(
        "linkpay-bench, {buyers} connections opened first, released together; {instances_text}, {} cores",
        s.cores
    ))
    .with("limit", json!(limit))
    .with("buyers", json!(buyers))
    .with("instances", json!(instances.len()))
    .with("paid", json!(paid))
    .with("sold_out", json!(sold_out))
    .with("in_progress", json!(in_progress))
    .with("errors", json!(errors))
    .with("link_paid_count", json!(stored_paid))
    .with("link_status", json!(status))
    .with(
        "sold_out_ms",
        sold_out_after.map_or(Value::Null, |d| json!(d.as_secs_f64() * 1000.0)),
    )
    .with("all_answered_ms", json!(all_done.as_secs_f64() * 1000.0))
    .with("pay_answer_p50_ms", json!(ms(&answers, 50.0)))
    .with("pay_answer_p99_ms", json!(ms(&answers, 99.0)))
    .with("paid_checkout_p50_ms", json!(ms(&paid_took, 50.0)))
    .with("paid_checkout_p99_ms", json!(ms(&paid_took, 99.0)));
    if let Some(e) = first_error {
        fig = fig.with("first_error", json!(e));
    }
    Ok(fig)
}
