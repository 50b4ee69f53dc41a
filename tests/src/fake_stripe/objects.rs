//! The fake's objects as Stripe's API answers them (the fields its document lists for
//! checkout.session, payment_intent, charge, refund, account, balance and event), with
//! `expand` followed one or two levels (`payment_intent`, `payment_intent.latest_charge`).

use super::model::{Account, Charge, Intent, Refund, Session, SessionStatus};
use serde_json::{Value, json};

/// Whether `path` (or something under it) is in `expand`.
fn expands(expand: &[String], path: &str) -> bool {
    expand.iter().any(|e| e == path)
}

/// `expand` one level down: `payment_intent.latest_charge` → `latest_charge`.
fn below(expand: &[String], field: &str) -> Vec<String> {
    expand
        .iter()
        .filter_map(|e| e.strip_prefix(&format!("{field}.")).map(str::to_owned))
        .collect()
}

pub fn session(a: &Account, s: &Session, base_url: &str, expand: &[String]) -> Value {
    let status = match s.status {
        SessionStatus::Open => "open",
        SessionStatus::Complete => "complete",
        SessionStatus::Expired => "expired",
    };
    let intent = s.payment_intent.as_ref().and_then(|id| a.intents.get(id));
    let paid = intent.is_some_and(|pi| pi.status == "succeeded");
    let payment_intent = match intent {
        Some(pi) if expands(expand, "payment_intent") => {
            payment_intent(a, pi, &below(expand, "payment_intent"))
        }
        Some(pi) => json!(pi.id),
        None => Value::Null,
    };
    json!({
        "id": s.id,
        "object": "checkout.session",
        "amount_subtotal": s.amount_total,
        "automatic_tax": {"enabled": false, "status": null},
        "custom_fields": [],
        "custom_text": {"shipping_address": null, "submit": null},
        "shipping_options": [],
        "amount_total": s.amount_total,
        "cancel_url": s.cancel_url,
        "client_reference_id": s.client_reference_id,
        "created": s.created,
        "currency": s.currency,
        "customer": null,
        "customer_details": s.buyer_email.as_ref().map(|e| json!({"email": e})),
        "customer_email": s.customer_email,
        "expires_at": s.expires_at,
        "livemode": a.secret_key.starts_with("sk_live_"),
        "locale": s.locale,
        "metadata": s.metadata,
        "mode": "payment",
        "payment_intent": payment_intent,
        "payment_method_types": s.payment_method_types,
        "payment_status": if paid { "paid" } else { "unpaid" },
        "status": status,
        "success_url": s.success_url,
        "url": (s.status == SessionStatus::Open).then(|| format!("{base_url}/checkout/{}", s.id)),
    })
}

pub fn payment_intent(a: &Account, pi: &Intent, expand: &[String]) -> Value {
    let latest_charge = match pi.latest_charge.as_ref().and_then(|id| a.charges.get(id)) {
        Some(c) if expands(expand, "latest_charge") => charge(a, c),
        Some(c) => json!(c.id),
        None => Value::Null,
    };
    json!({
        "id": pi.id,
        "object": "payment_intent",
        "amount": pi.amount,
        "amount_capturable": pi.amount_capturable,
        "amount_received": pi.amount_received,
        "canceled_at": pi.canceled_at,
        "cancellation_reason": pi.cancellation_reason,
        "capture_method": pi.capture_method,
        "client_secret": format!("{}_secret_fake", pi.id),
        "confirmation_method": "automatic",
        "created": pi.created,
        "currency": pi.currency,
        "description": pi.description,
        "last_payment_error": pi.last_payment_error,
        "latest_charge": latest_charge,
        "livemode": a.secret_key.starts_with("sk_live_"),
        "metadata": pi.metadata,
        "payment_method": pi.payment_method,
        "payment_method_types": ["card"],
        "status": pi.status,
    })
}

pub fn charge(a: &Account, c: &Charge) -> Value {
    json!({
        "id": c.id,
        "object": "charge",
        "amount": c.amount,
        "amount_captured": c.amount_captured,
        "amount_refunded": c.amount_refunded,
        "captured": c.captured,
        "created": c.created,
        "currency": c.currency,
        "description": c.description,
        "failure_code": c.failure.map(|f| f.0),
        "failure_message": c.failure.map(|f| f.2),
        "livemode": a.secret_key.starts_with("sk_live_"),
        "metadata": c.metadata,
        "outcome": {"type": if c.succeeded { "authorized" } else { "issuer_declined" },
                    "network_status": if c.succeeded { "approved_by_network" } else { "declined_by_network" }},
        "paid": c.succeeded,
        "payment_intent": c.payment_intent,
        "payment_method": c.payment_method,
        "payment_method_details": {"type": "card", "card": {
            "brand": c.card.brand, "last4": c.card.last4,
            "exp_month": c.card.exp_month, "exp_year": c.card.exp_year,
            "three_d_secure": c.three_d_secure.then(|| json!({"result": "authenticated"})),
        }},
        "refunded": c.amount_refunded == c.amount_captured && c.amount_captured > 0,
        "status": if c.succeeded { "succeeded" } else { "failed" },
    })
}

pub fn refund(r: &Refund) -> Value {
    json!({
        "id": r.id,
        "object": "refund",
        "amount": r.amount,
        "charge": r.charge,
        "created": r.created,
        "currency": r.currency,
        "metadata": r.metadata,
        "payment_intent": r.payment_intent,
        "reason": r.reason,
        "status": "succeeded",
    })
}

pub fn account(a: &Account) -> Value {
    json!({
        "id": a.id,
        "object": "account",
        "business_profile": {"name": "Fake Tea Shop"},
        "charges_enabled": true,
        "country": "JP",
        "created": a.created,
        "default_currency": "jpy",
        "settings": {"dashboard": {"display_name": "Fake Tea Shop"}},
        "type": "standard",
    })
}

pub fn balance(a: &Account) -> Value {
    let amounts: Vec<Value> = a
        .pending_balance()
        .into_iter()
        .map(|(currency, amount)| json!({"amount": amount, "currency": currency}))
        .collect();
    json!({
        "object": "balance",
        "available": [],
        "livemode": a.secret_key.starts_with("sk_live_"),
        "pending": amounts,
    })
}

pub fn event(a: &Account, id: &str, kind: &str, created: i64, object: Value) -> Value {
    json!({
        "id": id,
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created,
        "data": {"object": object},
        "livemode": a.secret_key.starts_with("sk_live_"),
        "pending_webhooks": a.endpoints.len(),
        "request": {"id": null, "idempotency_key": null},
        "type": kind,
    })
}
