//! Stripe as a linkpay card provider, through Stripe Checkout's hosted page: card entry and
//! 3-D Secure happen at Stripe, so no card data reaches linkpay (SAQ A).
//!
//! start (a Checkout Session in payment mode) → the buyer pays at Stripe → Stripe sends them to
//! our return URL with the session's id, and tells us by webhook too → the origin retrieves the
//! session and its PaymentIntent and settles from that alone (the return and the webhook only
//! say which session to look at) → capture or cancel (manual capture) → refunds, several and
//! partial. Every POST carries an `Idempotency-Key` made from our own ids, so a retry after a
//! crash can never charge or refund twice.
//!
//! Built to Stripe's published API and tested against a local fake that speaks its wire format
//! and checks requests against Stripe's OpenAPI document (`tests/src/fake_stripe`); it has not
//! been run against the live service. See docs/providers/stripe.md.

pub mod client;
pub mod webhook;
pub mod wire;

use super::{
    CaptureMethod, CardDetails, CredentialsError, Notification, Outcome, Provider, ProviderError,
    ReturnRef, StartPayment, Started,
};
use crate::base::clock::Clock;
use async_trait::async_trait;
use axum::http::HeaderMap;
use client::{Form, StripeClient, StripeError};
use linkpay_shared::{Currency, Money};
use serde_json::{Value, json};
use std::collections::HashMap;
use wire::{Event, PaymentIntent, Session};

pub const NAME: &str = "stripe";
/// How long Stripe holds a card authorization made online by the buyer.
pub const CAPTURE_WINDOW_SECS: i64 = 7 * 86_400;

/// A Stripe provider account's credentials, as stored (sealed). The webhook secret comes
/// once the merchant has added the account's webhook URL at Stripe, which needs the account
/// to exist first; until then returns and syncs settle its payments.
#[derive(Clone)]
pub struct Credentials {
    pub secret_key: String,
    pub webhook_secret: Option<String>,
}

impl Credentials {
    pub fn from_json(v: &Value) -> Option<Credentials> {
        Some(Credentials {
            secret_key: v["secret_key"].as_str()?.to_owned(),
            webhook_secret: v["webhook_secret"].as_str().map(str::to_owned),
        })
    }

    pub fn to_json(&self) -> Value {
        json!({"secret_key": self.secret_key, "webhook_secret": self.webhook_secret})
    }
}

/// The form of a webhook signing secret, as the API's document gives it: `whsec_` and at
/// least five printable ASCII characters (Stripe's are base64).
pub const WEBHOOK_SECRET_PATTERN: &str = "^whsec_[!-~]{5,}$";

/// Checks a webhook signing secret's form ([`WEBHOOK_SECRET_PATTERN`]).
pub fn check_webhook_secret(secret: &str) -> Result<(), CredentialsError> {
    let rest = secret.strip_prefix("whsec_").unwrap_or_default();
    if rest.len() >= 5 && rest.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(());
    }
    Err(CredentialsError::invalid(
        "webhook_secret",
        "A Stripe webhook signing secret starts with whsec_: add this account's webhook_url as an endpoint in Stripe's dashboard (Developers → Webhooks) and copy its signing secret.",
    ))
}

/// Checks credentials for an account of this mode before anything is saved: the key's form
/// and mode, the webhook secret's form, and the key itself, by asking Stripe whose account it
/// is. Answers what Stripe said of the account (nothing secret).
pub async fn check_credentials(
    http: &reqwest::Client,
    api_url: &str,
    creds: &Credentials,
    livemode: bool,
) -> Result<Value, CredentialsError> {
    let mode = if livemode { "live" } else { "test" };
    let key = creds.secret_key.trim();
    let key_mode = ["sk_", "rk_"]
        .iter()
        .find_map(|p| key.strip_prefix(p))
        .and_then(|rest| rest.split_once('_'))
        .map(|(m, _)| m);
    match key_mode {
        Some(m) if m == mode => {}
        Some("live" | "test") => {
            return Err(CredentialsError::mode(
                "secret_key",
                format!(
                    "This is a {} key, and this account is for {mode} mode. Give a Stripe {mode} key (sk_{mode}_… or rk_{mode}_…).",
                    if livemode { "test" } else { "live" }
                ),
            ));
        }
        _ => {
            return Err(CredentialsError::invalid(
                "secret_key",
                format!(
                    "A Stripe secret key starts with sk_{mode}_ (or rk_{mode}_ for a restricted key): copy it from Stripe's dashboard, Developers → API keys."
                ),
            ));
        }
    }
    if let Some(secret) = &creds.webhook_secret {
        check_webhook_secret(secret)?;
    }
    let client = StripeClient::new(http.clone(), api_url, key);
    match client.account().await {
        Ok(a) => Ok(json!({
            "id": a.id,
            "display_name": a.display_name(),
            "country": a.country,
            "charges_enabled": a.charges_enabled,
        })),
        Err(StripeError::Api { status: 401, .. }) => Err(CredentialsError::refused(
            "secret_key",
            "Stripe refused this secret key: it is not a key of any Stripe account, or it was rolled. Copy a current one from Stripe's dashboard.",
        )),
        Err(StripeError::Api { status: 403, .. }) => Err(CredentialsError::refused(
            "secret_key",
            "Stripe says this restricted key may not read the account: give it read access to Account, Checkout Sessions, PaymentIntents and Refunds.",
        )),
        Err(e) => Err(CredentialsError::unavailable(
            "secret_key",
            "Stripe",
            "key",
            &kind_of(&e),
        )),
    }
}

/// What went wrong, without anything Stripe echoed back.
fn kind_of(e: &StripeError) -> String {
    match e {
        StripeError::Api { status, .. } => format!("HTTP {status}"),
        StripeError::Transport(_) => "no answer".into(),
    }
}

/// One Stripe provider account's connector.
pub struct StripeConnector {
    client: StripeClient,
    webhook_secret: Option<String>,
    clock: Clock,
}

impl StripeConnector {
    pub fn new(
        http: reqwest::Client,
        api_url: &str,
        creds: &Credentials,
        clock: Clock,
    ) -> StripeConnector {
        StripeConnector {
            client: StripeClient::new(http, api_url, &creds.secret_key),
            webhook_secret: creds.webhook_secret.clone(),
            clock,
        }
    }

    async fn intent(&self, session_id: &str) -> Result<PaymentIntent, ProviderError> {
        let session = self.client.session(session_id).await.map_err(error)?;
        match session.payment_intent {
            Some(wire::Expandable::Object(pi)) => Ok(*pi),
            _ => Err(ProviderError::refused(
                "stripe_no_payment",
                "The buyer has not paid this Checkout Session.",
            )),
        }
    }

    /// The provider's account of a session.
    fn outcome(&self, s: &Session) -> Outcome {
        let pi = s.payment_intent.as_ref().and_then(|p| p.object());
        let card = pi.map(card).unwrap_or_default();
        match (s.status.as_deref(), pi) {
            (Some("complete"), Some(pi)) => match pi.status.as_str() {
                "requires_capture" => Outcome::Authorized {
                    capture_before: pi
                        .charge()
                        .and_then(|c| c.created)
                        .unwrap_or_else(|| self.clock.now())
                        + CAPTURE_WINDOW_SECS,
                    card,
                },
                "succeeded" => Outcome::Captured {
                    card,
                    amount: pi.amount_received,
                },
                "canceled" => Outcome::Voided,
                _ => Outcome::Pending,
            },
            (Some("expired"), pi) => match pi.and_then(|p| p.last_payment_error.as_ref()) {
                // The buyer's last try was declined, and then they gave up.
                Some(e) => Outcome::Declined {
                    code: e
                        .decline_code
                        .clone()
                        .or_else(|| e.code.clone())
                        .unwrap_or_else(|| "card_declined".into()),
                    message: e
                        .message
                        .clone()
                        .unwrap_or_else(|| "The card was declined.".into()),
                    card,
                },
                None => Outcome::Expired,
            },
            _ => Outcome::Pending,
        }
    }
}

fn card(pi: &PaymentIntent) -> CardDetails {
    let card = pi
        .charge()
        .and_then(|c| c.payment_method_details.as_ref())
        .and_then(|d| d.card.as_ref());
    CardDetails {
        brand: card.and_then(|c| c.brand.clone()),
        last4: card.and_then(|c| c.last4.clone()),
    }
}

/// Stripe's smallest charge in the currency, in its minor units, where Stripe publishes one.
fn minimum(c: Currency) -> Option<i64> {
    Some(match c {
        Currency::Usd | Currency::Eur | Currency::Sgd => 50,
        Currency::Gbp => 30,
        Currency::Jpy => 50,
        Currency::Myr => 200,
        Currency::Thb => 1000,
        Currency::Krw => return None,
    })
}

/// Stripe's refusals the merchant can act on are `Refused`; the rest is `Unavailable`.
fn error(e: StripeError) -> ProviderError {
    match &e {
        StripeError::Transport(_) => ProviderError::Unavailable(e.to_string()),
        StripeError::Api { status, error } => match status {
            401 | 403 => ProviderError::Unavailable(format!(
                "Stripe refused the provider account's secret key (HTTP {status}); replace the account's credentials"
            )),
            404 => ProviderError::UnknownPayment(error.message.clone().unwrap_or_default()),
            400 | 402 => ProviderError::refused(
                &format!("stripe_{}", error.code.as_deref().unwrap_or(&error.kind)),
                error
                    .message
                    .clone()
                    .unwrap_or_else(|| "Stripe refused the request.".into()),
            ),
            _ => ProviderError::Unavailable(e.to_string()),
        },
    }
}

/// What a return names: the session (`success_url`), or our charge (`cancel_url`).
pub fn return_ref(query: &HashMap<String, String>) -> Option<ReturnRef> {
    if let Some(s) = query.get("session_id").and_then(|s| session_id(s)) {
        return Some(ReturnRef::Payment(s.to_owned()));
    }
    query
        .get("charge")
        .filter(|c| {
            c.starts_with("ch_") && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
        .map(|c| ReturnRef::Charge(c.clone()))
}

/// A session id as Stripe makes them, before it goes into a path.
fn session_id(s: &str) -> Option<&str> {
    let ok = s.starts_with("cs_")
        && s.len() <= 255
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    ok.then_some(s)
}

#[async_trait]
impl Provider for StripeConnector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn capture_window_secs(&self) -> i64 {
        CAPTURE_WINDOW_SECS
    }

    fn check(&self, req: &StartPayment<'_>) -> Result<(), ProviderError> {
        let c = req.amount.currency();
        match minimum(c) {
            Some(min) if req.amount.minor() < min => Err(ProviderError::refused(
                "amount",
                format!(
                    "Stripe takes card payments of at least {} in {}.",
                    Money::new(min, c).map_or_else(
                        |_| min.to_string(),
                        |m| m.format(linkpay_shared::Locale::En)
                    ),
                    c.code()
                ),
            )),
            _ => Ok(()),
        }
    }

    async fn start(&self, req: StartPayment<'_>) -> Result<Started, ProviderError> {
        let sep = if req.return_url.contains('?') {
            '&'
        } else {
            '?'
        };
        let capture = match req.capture {
            CaptureMethod::Automatic => "automatic",
            CaptureMethod::Manual => "manual",
        };
        let name = if req.description.is_empty() {
            req.merchant_name
        } else {
            req.description
        };
        let form: Form = [
            ("mode", "payment".to_owned()),
            ("client_reference_id", req.charge_id.to_owned()),
            (
                "line_items[0][price_data][currency]",
                req.amount.currency().code().to_ascii_lowercase(),
            ),
            (
                "line_items[0][price_data][unit_amount]",
                req.amount.minor().to_string(),
            ),
            (
                "line_items[0][price_data][product_data][name]",
                name.chars().take(250).collect(),
            ),
            ("line_items[0][quantity]", "1".to_owned()),
            ("payment_method_types[0]", "card".to_owned()),
            ("payment_intent_data[capture_method]", capture.to_owned()),
            (
                "payment_intent_data[metadata][linkpay_charge]",
                req.charge_id.to_owned(),
            ),
            ("metadata[linkpay_charge]", req.charge_id.to_owned()),
            (
                "success_url",
                format!("{}{sep}session_id={{CHECKOUT_SESSION_ID}}", req.return_url),
            ),
            (
                "cancel_url",
                format!("{}{sep}charge={}&canceled=1", req.return_url, req.charge_id),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let key = format!("linkpay-session-{}", req.charge_id);
        let session = self
            .client
            .create_session(&form, &key)
            .await
            .map_err(error)?;
        let url = session.url.clone().ok_or_else(|| {
            ProviderError::Unavailable("Stripe made a Checkout Session without a page".into())
        })?;
        Ok(Started {
            provider_ref: session.id,
            redirect_url: url,
        })
    }

    fn return_ref(&self, query: &HashMap<String, String>) -> Option<ReturnRef> {
        return_ref(query)
    }

    /// The buyer came back. A session still open means they left Stripe's page without paying
    /// (its cancel link): it is expired, so it can no longer be paid, and the charge ends.
    async fn complete(
        &self,
        provider_ref: &str,
        amount: Money,
        _capture: CaptureMethod,
    ) -> Result<Outcome, ProviderError> {
        let mut session = self.client.session(provider_ref).await.map_err(error)?;
        let currency = amount.currency().code().to_ascii_lowercase();
        if session.amount_total != Some(amount.minor())
            || session.currency.as_deref() != Some(&currency)
        {
            return Err(ProviderError::refused(
                "stripe_amount_mismatch",
                format!("Stripe's session {provider_ref} is not for this charge's amount"),
            ));
        }
        if session.status.as_deref() == Some("open") {
            session = match self.client.expire_session(provider_ref).await {
                Ok(_) => self.client.session(provider_ref).await.map_err(error)?,
                // Paid in the meantime: what Stripe says now stands.
                Err(StripeError::Api { status: 400, .. }) => {
                    self.client.session(provider_ref).await.map_err(error)?
                }
                Err(e) => return Err(error(e)),
            };
        }
        Ok(match self.outcome(&session) {
            Outcome::Expired => Outcome::Canceled,
            other => other,
        })
    }

    async fn capture(&self, provider_ref: &str, amount: Money) -> Result<(), ProviderError> {
        let pi = self.intent(provider_ref).await?;
        if pi.status == "succeeded" {
            return Ok(());
        }
        let key = format!("linkpay-capture-{provider_ref}");
        match self.client.capture(&pi.id, amount.minor(), &key).await {
            Ok(_) => Ok(()),
            Err(e) => Err(error(e)),
        }
    }

    async fn void(&self, provider_ref: &str) -> Result<(), ProviderError> {
        let pi = self.intent(provider_ref).await?;
        if pi.status == "canceled" {
            return Ok(());
        }
        let key = format!("linkpay-void-{provider_ref}");
        self.client
            .cancel(&pi.id, &key)
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
        let pi = self.intent(provider_ref).await?;
        let refund = self
            .client
            .refund(&pi.id, amount.minor(), refund_id)
            .await
            .map_err(error)?;
        match refund.status.as_deref() {
            Some("failed" | "canceled") => Err(ProviderError::refused(
                "stripe_refund_failed",
                format!("Stripe could not refund {} ({})", refund.amount, refund.id),
            )),
            _ => Ok(()),
        }
    }

    async fn sync(&self, provider_ref: &str) -> Result<Outcome, ProviderError> {
        let session = self.client.session(provider_ref).await.map_err(error)?;
        Ok(self.outcome(&session))
    }

    /// A verified event about a Checkout Session names it, to be asked of Stripe; other event
    /// types are acknowledged and left (the origin learns of captures and refunds from its own
    /// calls).
    fn verify_notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Option<Notification>, ProviderError> {
        let claimed = || {
            serde_json::from_slice::<Event>(body).ok().and_then(|e| {
                e.data.object["id"]
                    .as_str()
                    .and_then(session_id)
                    .map(str::to_owned)
            })
        };
        let header = headers
            .get("stripe-signature")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let Some(secret) = &self.webhook_secret else {
            tracing::warn!(
                "a Stripe webhook came for an account without a webhook signing secret; set credentials[webhook_secret] on the provider account"
            );
            return Err(ProviderError::Unverified {
                claimed_ref: claimed(),
            });
        };
        if let Err(e) = webhook::verify(header, body, secret, self.clock.now()) {
            tracing::warn!(problem = %e, "a Stripe webhook failed its signature check");
            return Err(ProviderError::Unverified {
                claimed_ref: claimed(),
            });
        }
        let event: Event = serde_json::from_slice(body).map_err(|_| {
            ProviderError::refused("stripe_event_invalid", "The body is not a Stripe event.")
        })?;
        if !event.kind.starts_with("checkout.session.") {
            return Ok(None);
        }
        let Some(id) = event.data.object["id"].as_str().and_then(session_id) else {
            return Ok(None);
        };
        Ok(Some(Notification {
            provider_ref: id.to_owned(),
            outcome: None,
            event_id: Some(event.id),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_webhook_secret_check_is_the_documents_pattern() {
        let pattern = regex::Regex::new(WEBHOOK_SECRET_PATTERN).expect("pattern");
        for s in [
            "whsec_abcde",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw+/=",
            "whsec_abcd",
            "whsec_\u{85}abcde",
            "whsec_abc de",
            "whsec_abcde\n",
            "whsec_ab\u{e9}cde",
            "sk_test_abcdef",
            "",
        ] {
            assert_eq!(
                check_webhook_secret(s).is_ok(),
                pattern.is_match(s),
                "{s:?}"
            );
        }
        assert!(check_webhook_secret("whsec_abcde").is_ok());
        assert!(check_webhook_secret("whsec_\u{85}abcde").is_err());
    }
}
