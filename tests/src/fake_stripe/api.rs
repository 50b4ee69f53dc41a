//! The API operations with Stripe's rules, on one account's objects. Each answers the object
//! (or Stripe's error) and queues the events the change causes.

use super::model::{
    Account, ApiError, Card, Charge, Intent, LineItem, Refund, Session, SessionStatus,
};
use super::model::{display_amount, is_currency, minimum_amount};
use super::objects;
use super::state::Inner;
use serde_json::{Map, Value, json};

/// `expand` of the typed params, as a list.
pub fn expand(p: &Value) -> Vec<String> {
    p["expand"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn text(p: &Value, key: &str) -> Option<String> {
    p[key].as_str().map(str::to_owned)
}

fn metadata(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

pub fn create_session(inner: &mut Inner, acct: usize, p: &Value) -> Result<Value, ApiError> {
    if p["mode"] != "payment" {
        return Err(ApiError::invalid(
            Some("parameter_invalid_string"),
            Some("mode"),
            "This fake takes mode=payment only.",
        ));
    }
    let items = p["line_items"].as_array().cloned().unwrap_or_default();
    if items.is_empty() {
        return Err(ApiError::invalid(
            Some("parameter_missing"),
            Some("line_items"),
            "line_items is required in payment mode.",
        ));
    }
    let mut line_items = Vec::new();
    let mut currency = None;
    for (i, item) in items.iter().enumerate() {
        let price = &item["price_data"];
        let param = |f: &str| format!("line_items[{i}][price_data][{f}]");
        let c = price["currency"].as_str().unwrap_or_default().to_owned();
        if !is_currency(&c) {
            return Err(ApiError::invalid(
                Some("parameter_invalid_string"),
                Some(&param("currency")),
                &format!(
                    "Invalid currency: {c}. Stripe currencies are three-letter ISO codes in lowercase."
                ),
            ));
        }
        if currency.get_or_insert_with(|| c.clone()) != &c {
            return Err(ApiError::invalid(
                None,
                Some(&param("currency")),
                "All line items must have the same currency.",
            ));
        }
        let name = price["product_data"]["name"].as_str().unwrap_or_default();
        if name.is_empty() {
            return Err(ApiError::invalid(
                Some("parameter_missing"),
                Some(&param("product_data][name")),
                "Missing required param: product_data[name].",
            ));
        }
        line_items.push(LineItem {
            name: name.to_owned(),
            unit_amount: price["unit_amount"].as_i64().unwrap_or(0),
            quantity: item["quantity"].as_i64().unwrap_or(1),
        });
    }
    let currency = currency.unwrap_or_default();
    let total: i64 = line_items.iter().map(|l| l.unit_amount * l.quantity).sum();
    if let Some(min) = minimum_amount(&currency).filter(|m| total < *m) {
        return Err(ApiError::invalid(
            Some("amount_too_small"),
            Some("line_items[0][price_data][unit_amount]"),
            &format!(
                "The Checkout Session's total amount due must add up to at least {}",
                display_amount(min, &currency)
            ),
        ));
    }
    let now = inner.now();
    let id = inner.id("cs_test");
    let data = &p["payment_intent_data"];
    let s = Session {
        id: id.clone(),
        created: now,
        expires_at: p["expires_at"].as_i64().unwrap_or(now + 24 * 3600),
        status: SessionStatus::Open,
        currency,
        amount_total: total,
        line_items,
        success_url: text(p, "success_url").unwrap_or_default(),
        cancel_url: text(p, "cancel_url"),
        client_reference_id: text(p, "client_reference_id"),
        customer_email: text(p, "customer_email"),
        buyer_email: None,
        locale: text(p, "locale"),
        metadata: metadata(&p["metadata"]),
        payment_method_types: p["payment_method_types"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| m.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_else(|| vec!["card".into()]),
        capture_method: data["capture_method"]
            .as_str()
            .unwrap_or("automatic")
            .to_owned(),
        intent_metadata: metadata(&data["metadata"]),
        intent_description: text(data, "description"),
        payment_intent: None,
    };
    let base = inner.base_url.clone();
    let a = &mut inner.accounts[acct];
    let answer = objects::session(a, &s, &base, &expand(p));
    a.sessions.insert(id, s);
    Ok(answer)
}

pub fn get_session(inner: &Inner, acct: usize, id: &str, p: &Value) -> Result<Value, ApiError> {
    let a = &inner.accounts[acct];
    let s = a.session(id, "session")?;
    Ok(objects::session(a, s, &inner.base_url, &expand(p)))
}

pub fn expire_session(
    inner: &mut Inner,
    acct: usize,
    id: &str,
    p: &Value,
) -> Result<Value, ApiError> {
    let now = inner.now();
    let a = &mut inner.accounts[acct];
    let s = a.session(id, "session")?.clone();
    if s.status != SessionStatus::Open {
        return Err(ApiError::invalid(
            Some("checkout_session_not_open"),
            None,
            &format!(
                "Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{}\".",
                if s.status == SessionStatus::Complete {
                    "complete"
                } else {
                    "expired"
                }
            ),
        ));
    }
    if let Some(pi) = s
        .payment_intent
        .as_ref()
        .and_then(|id| a.intents.get_mut(id))
    {
        pi.status = "canceled";
        pi.canceled_at = Some(now);
        pi.cancellation_reason = Some("abandoned".into());
    }
    if let Some(s) = a.sessions.get_mut(id) {
        s.status = SessionStatus::Expired;
    }
    inner.emit(acct, "checkout.session.expired", id);
    get_session(inner, acct, id, p)
}

pub fn get_intent(inner: &Inner, acct: usize, id: &str, p: &Value) -> Result<Value, ApiError> {
    let a = &inner.accounts[acct];
    Ok(objects::payment_intent(
        a,
        a.intent(id, "intent")?,
        &expand(p),
    ))
}

pub fn capture(inner: &mut Inner, acct: usize, id: &str, p: &Value) -> Result<Value, ApiError> {
    let a = &mut inner.accounts[acct];
    let pi = a.intent(id, "intent")?.clone();
    if pi.status != "requires_capture" {
        return Err(ApiError::unexpected_state(&format!(
            "This PaymentIntent could not be captured because it has a status of {}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.",
            pi.status
        )));
    }
    let amount = p["amount_to_capture"]
        .as_i64()
        .unwrap_or(pi.amount_capturable);
    if amount > pi.amount_capturable || amount <= 0 {
        return Err(ApiError::invalid(
            Some("amount_too_large"),
            Some("amount_to_capture"),
            "The amount to capture must be positive and at most the amount capturable.",
        ));
    }
    if let Some(c) = pi.latest_charge.as_ref().and_then(|c| a.charges.get_mut(c)) {
        c.amount_captured = amount;
        c.captured = true;
    }
    if let Some(pi) = a.intents.get_mut(id) {
        pi.status = "succeeded";
        pi.amount_received = amount;
        pi.amount_capturable = 0;
    }
    inner.emit_intent(acct, "payment_intent.succeeded", id);
    get_intent(inner, acct, id, p)
}

pub fn cancel(inner: &mut Inner, acct: usize, id: &str, p: &Value) -> Result<Value, ApiError> {
    let now = inner.now();
    let a = &mut inner.accounts[acct];
    let pi = a.intent(id, "intent")?.clone();
    let cancelable = [
        "requires_payment_method",
        "requires_capture",
        "requires_confirmation",
        "requires_action",
    ];
    if !cancelable.contains(&pi.status) {
        return Err(ApiError::unexpected_state(&format!(
            "You cannot cancel this PaymentIntent because it has a status of {}. Only a PaymentIntent with one of the following statuses may be canceled: {}.",
            pi.status,
            cancelable.join(", ")
        )));
    }
    if let Some(pi) = a.intents.get_mut(id) {
        pi.status = "canceled";
        pi.amount_capturable = 0;
        pi.canceled_at = Some(now);
        pi.cancellation_reason = text(p, "cancellation_reason");
    }
    inner.emit_intent(acct, "payment_intent.canceled", id);
    get_intent(inner, acct, id, p)
}

pub fn refund(inner: &mut Inner, acct: usize, p: &Value) -> Result<Value, ApiError> {
    let Some(intent) = text(p, "payment_intent") else {
        return Err(ApiError::invalid(
            Some("parameter_missing"),
            Some("payment_intent"),
            "One of charge or payment_intent is required.",
        ));
    };
    let now = inner.now();
    let id = inner.id("re");
    let a = &mut inner.accounts[acct];
    let pi = a.intent(&intent, "payment_intent")?.clone();
    let charge_id = pi
        .latest_charge
        .clone()
        .filter(|_| pi.status == "succeeded")
        .ok_or_else(|| {
            ApiError::invalid(
                Some("charge_not_refundable"),
                Some("payment_intent"),
                &format!(
                    "This PaymentIntent ({intent}) does not have a successful charge to refund."
                ),
            )
        })?;
    let c = a
        .charges
        .get(&charge_id)
        .cloned()
        .ok_or_else(|| ApiError::missing("charge", &charge_id, "charge"))?;
    let left = c.amount_captured - c.amount_refunded;
    let amount = p["amount"].as_i64().unwrap_or(left);
    if amount > left {
        return Err(ApiError::invalid(
            Some("amount_too_large"),
            Some("amount"),
            &format!(
                "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                display_amount(amount, &c.currency),
                display_amount(left, &c.currency)
            ),
        ));
    }
    if amount <= 0 {
        return Err(ApiError::invalid(
            Some("parameter_invalid_integer"),
            Some("amount"),
            "The refund amount must be positive.",
        ));
    }
    if let Some(c) = a.charges.get_mut(&charge_id) {
        c.amount_refunded += amount;
    }
    let r = Refund {
        id: id.clone(),
        created: now,
        amount,
        currency: c.currency.clone(),
        charge: charge_id.clone(),
        payment_intent: intent,
        reason: text(p, "reason"),
        metadata: metadata(&p["metadata"]),
    };
    let answer = objects::refund(&r);
    a.refunds.insert(id, r);
    inner.emit_charge(acct, "charge.refunded", &charge_id);
    Ok(answer)
}

pub fn get_refund(inner: &Inner, acct: usize, id: &str) -> Result<Value, ApiError> {
    let a = &inner.accounts[acct];
    a.refunds
        .get(id)
        .map(objects::refund)
        .ok_or_else(|| ApiError::missing("refund", id, "refund"))
}

/// What a card the buyer typed on the page does to the session: `Ok` with where the browser
/// goes next, or `Err` with the message the page shows beside the form.
pub enum Paid {
    /// Redirect to this URL (the success URL, or the 3-D Secure challenge).
    Redirect(String),
    /// Back to the form with this message.
    Again(String),
}

pub fn pay(
    inner: &mut Inner,
    acct: usize,
    cs: &str,
    card: Card,
    email: Option<String>,
) -> Result<Paid, ApiError> {
    let now = inner.now();
    let s = inner.accounts[acct].session(cs, "session")?.clone();
    if s.status != SessionStatus::Open || now >= s.expires_at {
        return Ok(Paid::Again(
            "This Checkout Session is no longer active.".into(),
        ));
    }
    let pi_id = match &s.payment_intent {
        Some(id) => id.clone(),
        None => {
            let id = inner.id("pi");
            let pi = Intent {
                id: id.clone(),
                created: now,
                session: cs.to_owned(),
                amount: s.amount_total,
                currency: s.currency.clone(),
                capture_method: s.capture_method.clone(),
                status: "requires_payment_method",
                amount_capturable: 0,
                amount_received: 0,
                latest_charge: None,
                payment_method: None,
                metadata: s.intent_metadata.clone(),
                description: s.intent_description.clone(),
                canceled_at: None,
                cancellation_reason: None,
                last_payment_error: None,
                challenged: None,
            };
            let a = &mut inner.accounts[acct];
            a.intents.insert(id.clone(), pi);
            if let Some(s) = a.sessions.get_mut(cs) {
                s.payment_intent = Some(id.clone());
            }
            id
        }
    };
    if let Some(s) = inner.accounts[acct].sessions.get_mut(cs) {
        s.buyer_email = email.or(s.customer_email.clone());
    }
    use super::model::Behaviour;
    match card.behaviour {
        Behaviour::ThreeDSecure => {
            if let Some(pi) = inner.accounts[acct].intents.get_mut(&pi_id) {
                pi.status = "requires_action";
                pi.challenged = Some(card);
            }
            Ok(Paid::Redirect(format!(
                "{}/checkout/{cs}/3ds",
                inner.base_url
            )))
        }
        Behaviour::Declined(code, decline, message) => {
            decline_card(inner, acct, &pi_id, card, (code, decline, message), false);
            Ok(Paid::Again(message.to_owned()))
        }
        Behaviour::Succeeds => succeed(inner, acct, cs, &pi_id, card, false),
    }
}

/// The buyer's answer to the 3-D Secure challenge.
pub fn challenge(inner: &mut Inner, acct: usize, cs: &str, passed: bool) -> Result<Paid, ApiError> {
    let s = inner.accounts[acct].session(cs, "session")?.clone();
    let pi_id = s.payment_intent.clone().unwrap_or_default();
    let card = inner.accounts[acct]
        .intents
        .get_mut(&pi_id)
        .and_then(|pi| pi.challenged.take());
    let Some(card) = card else {
        return Ok(Paid::Again(
            "There is no 3-D Secure challenge waiting for this payment.".into(),
        ));
    };
    if passed {
        return succeed(inner, acct, cs, &pi_id, card, true);
    }
    let message = "We are unable to authenticate your payment method. Please choose a different payment method and try again.";
    decline_card(
        inner,
        acct,
        &pi_id,
        card,
        ("payment_intent_authentication_failure", "", message),
        true,
    );
    Ok(Paid::Again(message.to_owned()))
}

fn new_charge(
    inner: &mut Inner,
    acct: usize,
    pi: &Intent,
    card: Card,
    succeeded: bool,
    tds: bool,
    failure: Option<(&'static str, &'static str, &'static str)>,
) -> String {
    let id = inner.id("ch");
    let pm = inner.id("pm");
    let now = inner.now();
    let c = Charge {
        id: id.clone(),
        created: now,
        payment_intent: pi.id.clone(),
        amount: pi.amount,
        currency: pi.currency.clone(),
        amount_captured: 0,
        amount_refunded: 0,
        captured: false,
        succeeded,
        failure,
        card,
        payment_method: pm,
        three_d_secure: tds,
        metadata: pi.metadata.clone(),
        description: pi.description.clone(),
        billing_email: None,
    };
    inner.accounts[acct].charges.insert(id.clone(), c);
    id
}

fn decline_card(
    inner: &mut Inner,
    acct: usize,
    pi_id: &str,
    card: Card,
    (code, decline, message): (&'static str, &'static str, &'static str),
    tds: bool,
) {
    let Some(pi) = inner.accounts[acct].intents.get(pi_id).cloned() else {
        return;
    };
    let charge = new_charge(
        inner,
        acct,
        &pi,
        card,
        false,
        tds,
        Some((code, decline, message)),
    );
    let mut error =
        json!({"type": "card_error", "code": code, "message": message, "charge": charge});
    if !decline.is_empty() {
        error["decline_code"] = json!(decline);
    }
    if code == "payment_intent_authentication_failure" {
        error["type"] = json!("invalid_request_error");
        error.as_object_mut().map(|e| e.remove("charge"));
    }
    if let Some(pi) = inner.accounts[acct].intents.get_mut(pi_id) {
        pi.status = "requires_payment_method";
        pi.latest_charge = Some(charge);
        pi.last_payment_error = Some(error);
    }
    inner.emit_intent(acct, "payment_intent.payment_failed", pi_id);
}

fn succeed(
    inner: &mut Inner,
    acct: usize,
    cs: &str,
    pi_id: &str,
    card: Card,
    tds: bool,
) -> Result<Paid, ApiError> {
    let Some(pi) = inner.accounts[acct].intents.get(pi_id).cloned() else {
        return Ok(Paid::Again("The payment could not be found.".into()));
    };
    let manual = pi.capture_method == "manual";
    let charge = new_charge(inner, acct, &pi, card, true, tds, None);
    let a = &mut inner.accounts[acct];
    if let Some(c) = a.charges.get_mut(&charge) {
        c.captured = !manual;
        c.amount_captured = if manual { 0 } else { pi.amount };
    }
    if let Some(p) = a.intents.get_mut(pi_id) {
        p.latest_charge = Some(charge);
        p.payment_method = Some(format!("pm_{pi_id}"));
        p.last_payment_error = None;
        if manual {
            p.status = "requires_capture";
            p.amount_capturable = p.amount;
        } else {
            p.status = "succeeded";
            p.amount_received = p.amount;
        }
    }
    let success_url = a
        .sessions
        .get(cs)
        .map(|s| s.success_url.clone())
        .unwrap_or_default();
    if let Some(s) = a.sessions.get_mut(cs) {
        s.status = SessionStatus::Complete;
    }
    inner.emit(acct, "checkout.session.completed", cs);
    let kind = if manual {
        "payment_intent.amount_capturable_updated"
    } else {
        "payment_intent.succeeded"
    };
    inner.emit_intent(acct, kind, pi_id);
    Ok(Paid::Redirect(
        success_url.replace("{CHECKOUT_SESSION_ID}", cs),
    ))
}

/// The account object and balance, for the credential check and the library's checks.
pub fn account(a: &Account) -> Value {
    objects::account(a)
}
