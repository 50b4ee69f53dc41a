//! GMO Payment Gateway as a linkpay card provider, through Link type Plus (リンクタイプPlus):
//! card entry and 3-D Secure happen on GMO-PG's hosted page, so no card data reaches linkpay.
//!
//! start (GetLinkplusUrlPayment: a page for one OrderID) → the buyer pays at GMO-PG → their
//! browser posts the `result` back to our return URL; its check value is verified with the
//! shop's password, and the payment is then confirmed with SearchTrade, which alone decides a
//! success → capture (AlterTran SALES, after ChangeTran for less than authorized), void
//! (AlterTran VOID), refunds (AlterTran RETURN for the rest, ChangeTran to a lower total for
//! part of it), sync (SearchTrade). GMO-PG's result notification only says which order to
//! search. GMO-PG has no idempotency keys, so a refund's target total is recorded before it is
//! sent, and a retry that finds it reached sends nothing.
//!
//! Built to GMO-PG's public documentation and open-source clients, and tested against a local
//! fake (`tests/src/fake_gmopg`); it has not been run against GMO-PG's test or live service.
//! docs/providers/gmo-pg.md lists what the public material leaves open.

pub mod client;
pub mod errors;
pub mod wire;

use super::{
    CaptureMethod, CardDetails, CredentialsError, Notification, Outcome, Provider, ProviderError,
    ReturnRef, StartPayment, Started,
};
use crate::base::clock::Clock;
use crate::base::db::Db;
use async_trait::async_trait;
use axum::http::HeaderMap;
use client::{Answer, GmoClient, GmoError};
use errors::Class;
use linkpay_shared::{Currency, Money};
use serde_json::{Value, json};
use std::collections::HashMap;
use subtle::ConstantTimeEq;

pub const NAME: &str = "gmopg";
/// How long linkpay holds a GMO-PG authorization for capture. GMO-PG's errors speak of 180
/// days, but the issuer's hold is usually shorter and not published: 30 days is safe.
pub const CAPTURE_WINDOW_SECS: i64 = 30 * 86_400;
/// OrderID: at most 27 of `[A-Za-z0-9-]`.
const MAX_ORDER_ID: usize = 27;

/// A GMO-PG provider account's credentials, as stored (sealed): the shop's id and password,
/// and the Link type Plus 設定ID (configid) registered in the shop's admin screen.
#[derive(Clone)]
pub struct Credentials {
    pub shop_id: String,
    pub shop_pass: String,
    pub config_id: String,
}

impl Credentials {
    pub fn from_json(v: &Value) -> Option<Credentials> {
        Some(Credentials {
            shop_id: v["shop_id"].as_str()?.to_owned(),
            shop_pass: v["shop_pass"].as_str()?.to_owned(),
            config_id: v["config_id"].as_str()?.to_owned(),
        })
    }

    pub fn to_json(&self) -> Value {
        json!({"shop_id": self.shop_id, "shop_pass": self.shop_pass, "config_id": self.config_id})
    }
}

/// The OrderID of a charge: its id without the prefix (25 characters, unique per charge).
pub fn order_id(charge_id: &str) -> String {
    let body = charge_id.split_once('_').map_or(charge_id, |(_, b)| b);
    body.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(MAX_ORDER_ID)
        .collect()
}

/// Checks credentials before anything is saved: SearchTrade for an order that cannot exist
/// answers "no such order" to a shop whose id and password are right, and an id/password
/// error otherwise. Answers what is shown of the account (nothing secret).
pub async fn check_credentials(
    http: &reqwest::Client,
    api_url: &str,
    creds: &Credentials,
) -> Result<Value, CredentialsError> {
    let id = &creds.shop_id;
    if !(1..=13).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(CredentialsError::invalid(
            "shop_id",
            "A GMO-PG shop ID (ショップID) is up to 13 letters and digits, like tshop00012345: copy it from the shop admin screen.",
        ));
    }
    if creds.shop_pass.trim().is_empty() {
        return Err(CredentialsError::invalid(
            "shop_pass",
            "Give the shop's password (ショップパスワード) from the shop admin screen.",
        ));
    }
    if creds.config_id.trim().is_empty() {
        return Err(CredentialsError::invalid(
            "config_id",
            "Give the 設定ID of a Link type Plus setting registered in the shop admin screen (リンクタイプPlus → 設定).",
        ));
    }
    let client = GmoClient::new(http.clone(), api_url, &creds.shop_id, &creds.shop_pass);
    match client.search("linkpay-credential-check").await {
        Err(e) if e.has("M01004002") || e.has("E01110002") => Ok(json!({
            "id": creds.shop_id,
            "config_id": creds.config_id,
        })),
        Ok(_) => Ok(json!({"id": creds.shop_id, "config_id": creds.config_id})),
        Err(GmoError::Api(errors))
            if errors.iter().any(|(_, i)| {
                i.starts_with("E0102") || i.starts_with("E0103") || i.starts_with("E0101")
            }) =>
        {
            Err(CredentialsError::refused(
                "shop_pass",
                "GMO-PG refused this shop ID and password: check both in the shop admin screen (test shops are on the test site).",
            ))
        }
        Err(e) => Err(CredentialsError::unavailable(
            "shop_id",
            "GMO-PG",
            "shop",
            match e {
                GmoError::Api(_) => "it answered with an error",
                GmoError::Transport(_) => "no answer",
            },
        )),
    }
}

/// One GMO-PG provider account's connector.
pub struct GmoConnector {
    client: GmoClient,
    config_id: String,
    db: Db,
    clock: Clock,
}

impl GmoConnector {
    pub fn new(
        http: reqwest::Client,
        api_url: &str,
        creds: &Credentials,
        db: Db,
        clock: Clock,
    ) -> GmoConnector {
        GmoConnector {
            client: GmoClient::new(http, api_url, &creds.shop_id, &creds.shop_pass),
            config_id: creds.config_id.clone(),
            db,
            clock,
        }
    }

    async fn search(&self, order: &str) -> Result<Answer, ProviderError> {
        self.client.search(order).await.map_err(error)
    }

    fn outcome(&self, t: &Answer) -> Outcome {
        let amount = t
            .get("Amount")
            .and_then(|a| a.parse::<i64>().ok())
            .unwrap_or(0);
        match t.get("Status").map(String::as_str) {
            Some("AUTH" | "SAUTH") => Outcome::Authorized {
                card: CardDetails::default(),
                capture_before: self.clock.now() + CAPTURE_WINDOW_SECS,
            },
            Some("CAPTURE" | "SALES" | "RETURN" | "RETURNX") => Outcome::Captured {
                card: CardDetails::default(),
                amount,
            },
            Some("VOID") => Outcome::Voided,
            _ => Outcome::Pending,
        }
    }
}

fn access(t: &Answer) -> Result<(&str, &str), ProviderError> {
    match (t.get("AccessID"), t.get("AccessPass")) {
        (Some(id), Some(pass)) if !id.is_empty() && !pass.is_empty() => Ok((id, pass)),
        _ => Err(ProviderError::refused(
            "gmopg_no_payment",
            "GMO-PG has no payment for this order yet.",
        )),
    }
}

/// GMO-PG's refusals the merchant can act on are `Refused`; the rest is `Unavailable`.
fn error(e: GmoError) -> ProviderError {
    match &e {
        GmoError::Transport(_) => ProviderError::Unavailable(e.to_string()),
        GmoError::Api(list) if list.iter().any(|(_, i)| i == "M01004002") => {
            ProviderError::UnknownPayment(e.to_string())
        }
        GmoError::Api(list) => match errors::worst(list) {
            Class::Transient => ProviderError::Unavailable(e.to_string()),
            Class::Declined | Class::Invalid => {
                let info = list.iter().map(|(_, i)| i.as_str()).next().unwrap_or("");
                ProviderError::refused(&errors::decline_code(info), e.to_string())
            }
        },
    }
}

/// What a return names: the OrderID its result carries (checked later, with the password).
pub fn return_ref(query: &HashMap<String, String>) -> Option<ReturnRef> {
    let order = wire::claimed_order(query.get("result")?)?;
    let ok = !order.is_empty()
        && order.len() <= MAX_ORDER_ID
        && order.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then_some(ReturnRef::Payment(order))
}

#[async_trait]
impl Provider for GmoConnector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn capture_window_secs(&self) -> i64 {
        CAPTURE_WINDOW_SECS
    }

    fn check(&self, req: &StartPayment<'_>) -> Result<(), ProviderError> {
        if req.amount.currency() != Currency::Jpy {
            return Err(ProviderError::refused(
                "currency",
                "GMO Payment Gateway takes payments in yen (JPY) only.",
            ));
        }
        Ok(())
    }

    async fn start(&self, req: StartPayment<'_>) -> Result<Started, ProviderError> {
        let order = order_id(req.charge_id);
        let job = match req.capture {
            CaptureMethod::Automatic => "CAPTURE",
            CaptureMethod::Manual => "AUTH",
        };
        let body = json!({
            "configid": self.config_id,
            "transaction": {
                "OrderID": order,
                "Amount": req.amount.minor(),
                "Tax": 0,
                "PayMethods": ["credit"],
                "RetUrl": req.return_url,
                "ClientField1": req.charge_id,
            },
            "credit": {"JobCd": job, "Method": "1", "TdFlag": "2"},
        });
        let link = self.client.link_url(body).await.map_err(error)?;
        if link.order_id != order {
            return Err(ProviderError::Unavailable(format!(
                "GMO-PG answered a page for order {} instead of {order}",
                link.order_id
            )));
        }
        Ok(Started {
            provider_ref: order,
            redirect_url: link.link_url,
        })
    }

    fn return_ref(&self, query: &HashMap<String, String>) -> Option<ReturnRef> {
        return_ref(query)
    }

    /// The result's check value must verify with the shop's password; a result that says the
    /// buyer left or was declined says so (a search still decides a success).
    fn verify_return(
        &self,
        query: &HashMap<String, String>,
    ) -> Result<Option<Outcome>, ProviderError> {
        let result = query.get("result").map(String::as_str).unwrap_or_default();
        let read = wire::verify_result(result, self.client.shop_pass()).map_err(|e| {
            tracing::warn!(problem = %e, "a GMO-PG return failed its check value");
            ProviderError::Unverified { claimed_ref: None }
        })?;
        let t = read.transactionresult;
        Ok(match t.result.as_str() {
            "PAYSUCCESS" => None,
            "PAYSTART" | "CANCEL" => Some(Outcome::Canceled),
            "EXPIRED" => Some(Outcome::Expired),
            _ if !t.err_info.is_empty() => Some(Outcome::Declined {
                code: errors::decline_code(t.err_info.split('|').next().unwrap_or_default()),
                message: format!(
                    "GMO-PG declined the payment ({} {}).",
                    t.err_code, t.err_info
                ),
                card: CardDetails::default(),
            }),
            _ => None,
        })
    }

    async fn complete(
        &self,
        provider_ref: &str,
        amount: Money,
        _capture: CaptureMethod,
    ) -> Result<Outcome, ProviderError> {
        let t = match self.client.search(provider_ref).await {
            // The buyer never got as far as paying.
            Err(e) if e.has("M01004002") => return Ok(Outcome::Pending),
            other => other.map_err(error)?,
        };
        let outcome = self.outcome(&t);
        if matches!(
            outcome,
            Outcome::Authorized { .. } | Outcome::Captured { .. }
        ) && t.get("Amount").map(String::as_str) != Some(amount.minor().to_string().as_str())
        {
            return Err(ProviderError::refused(
                "gmopg_amount_mismatch",
                format!("GMO-PG's order {provider_ref} is not for this charge's amount"),
            ));
        }
        Ok(outcome)
    }

    async fn capture(&self, provider_ref: &str, amount: Money) -> Result<(), ProviderError> {
        let t = self.search(provider_ref).await?;
        match t.get("Status").map(String::as_str) {
            Some("SALES" | "CAPTURE") => return Ok(()),
            Some("AUTH") => {}
            other => {
                return Err(ProviderError::refused(
                    "gmopg_not_authorized",
                    format!(
                        "GMO-PG's order {provider_ref} is {}, not authorized",
                        other.unwrap_or("unknown")
                    ),
                ));
            }
        }
        let authorized: i64 = t.get("Amount").and_then(|a| a.parse().ok()).unwrap_or(0);
        let access = access(&t)?;
        // SALES must name the authorized amount exactly; less is a new authorization first.
        if amount.minor() < authorized {
            self.client
                .change(access, "AUTH", amount.minor())
                .await
                .map_err(error)?;
        }
        self.client
            .alter(access, "SALES", Some(amount.minor()))
            .await
            .map(|_| ())
            .map_err(error)
    }

    async fn void(&self, provider_ref: &str) -> Result<(), ProviderError> {
        let t = self.search(provider_ref).await?;
        if t.get("Status").map(String::as_str) == Some("VOID") {
            return Ok(());
        }
        self.client
            .alter(access(&t)?, "VOID", None)
            .await
            .map(|_| ())
            .map_err(error)
    }

    async fn refund(
        &self,
        provider_ref: &str,
        refund_id: &str,
        amount: Money,
    ) -> Result<(), ProviderError> {
        let t = self.search(provider_ref).await?;
        let current: i64 = t.get("Amount").and_then(|a| a.parse().ok()).unwrap_or(0);
        let status = t.get("Status").cloned().unwrap_or_default();
        let target = self
            .refund_target(refund_id, provider_ref, current - amount.minor())
            .await?;
        if status == "RETURN" || status == "RETURNX" || (target > 0 && current == target) {
            return Ok(()); // reached before: this is a retry
        }
        let access = access(&t)?;
        let done = if target <= 0 {
            self.client.alter(access, "RETURN", None).await
        } else {
            // A lower total, in the state the transaction is in.
            let job = if status == "SALES" {
                "SALES"
            } else {
                "CAPTURE"
            };
            self.client.change(access, job, target).await
        };
        done.map(|_| ()).map_err(error)
    }

    async fn sync(&self, provider_ref: &str) -> Result<Outcome, ProviderError> {
        match self.client.search(provider_ref).await {
            Err(e) if e.has("M01004002") => Ok(Outcome::Pending),
            other => Ok(self.outcome(&other.map_err(error)?)),
        }
    }

    /// GMO-PG's result notification carries the shop's id and password, not a signature: they
    /// must be this account's. It only names the order to search.
    fn verify_notification(
        &self,
        _headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Option<Notification>, ProviderError> {
        let fields: HashMap<String, String> = url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let order = fields.get("OrderID").cloned().filter(|o| !o.is_empty());
        let same = |field: &str, ours: &str| {
            fields
                .get(field)
                .is_some_and(|v| bool::from(v.as_bytes().ct_eq(ours.as_bytes())))
        };
        if !same("ShopID", &self.client.shop_id) || !same("ShopPass", self.client.shop_pass()) {
            tracing::warn!(
                "a GMO-PG notification did not carry this account's shop id and password"
            );
            return Err(ProviderError::Unverified { claimed_ref: order });
        }
        // E00000000: GMO-PG checking that the notification URL answers.
        if fields.get("ErrInfo").map(String::as_str) == Some("E00000000") {
            return Ok(None);
        }
        Ok(order.map(|o| Notification {
            provider_ref: o,
            outcome: None,
            event_id: None,
        }))
    }

    fn notification_ack(&self) -> &'static str {
        "0"
    }
}

impl GmoConnector {
    /// The total a refund brings the order to, recorded before it is sent: the first call's
    /// target stands, so a retry after a crash aims at the same total and is not sent twice.
    async fn refund_target(
        &self,
        refund_id: &str,
        order: &str,
        target: i64,
    ) -> Result<i64, ProviderError> {
        sqlx::query(
            "INSERT INTO gmopg_refunds (refund_id, order_id, target_amount, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (refund_id) DO NOTHING",
        )
        .bind(refund_id)
        .bind(order)
        .bind(target)
        .bind(self.clock.now())
        .execute(self.db.writer())
        .await?;
        let (stored,): (i64,) =
            sqlx::query_as("SELECT target_amount FROM gmopg_refunds WHERE refund_id = $1")
                .bind(refund_id)
                .fetch_one(self.db.writer())
                .await?;
        Ok(stored)
    }
}
