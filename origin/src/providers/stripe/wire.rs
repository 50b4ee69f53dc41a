//! Stripe's objects as the connector reads them: only the fields it uses, every one optional
//! where Stripe's own schema lets it be null, so a field Stripe adds or drops is not an error.

use serde::Deserialize;
use serde_json::Value;

/// `{"error": {...}}`, Stripe's one error shape.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: ApiError,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApiError {
    /// `api_error`, `card_error`, `idempotency_error`, `invalid_request_error`.
    #[serde(rename = "type", default)]
    pub kind: String,
    pub code: Option<String>,
    pub decline_code: Option<String>,
    pub message: Option<String>,
    pub param: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Account {
    pub id: String,
    pub settings: Option<AccountSettings>,
    pub business_profile: Option<BusinessProfile>,
    pub country: Option<String>,
    pub charges_enabled: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct AccountSettings {
    pub dashboard: Option<Dashboard>,
}

#[derive(Debug, Deserialize)]
pub struct Dashboard {
    pub display_name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct BusinessProfile {
    pub name: Option<String>,
}

impl Account {
    /// The account's name as its owner set it, if any.
    pub fn display_name(&self) -> Option<&str> {
        let dashboard = self.settings.as_ref().and_then(|s| s.dashboard.as_ref());
        dashboard.and_then(|d| d.display_name.as_deref()).or(self
            .business_profile
            .as_ref()
            .and_then(|b| b.name.as_deref()))
    }
}

/// A Checkout Session. `payment_intent` is an id, or the object when expanded.
#[derive(Debug, Deserialize)]
pub struct Session {
    pub id: String,
    pub url: Option<String>,
    /// `open`, `complete`, `expired`.
    pub status: Option<String>,
    pub payment_status: Option<String>,
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
    pub client_reference_id: Option<String>,
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    pub livemode: Option<bool>,
}

/// An expandable field: the id, or the whole object.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Expandable<T> {
    Object(Box<T>),
    Id(String),
}

impl<T> Expandable<T> {
    pub fn object(&self) -> Option<&T> {
        match self {
            Expandable::Object(o) => Some(o),
            Expandable::Id(_) => None,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    /// `requires_payment_method`, `requires_confirmation`, `requires_action`, `processing`,
    /// `requires_capture`, `canceled`, `succeeded`.
    pub status: String,
    pub amount: i64,
    pub currency: String,
    #[serde(default)]
    pub amount_capturable: i64,
    #[serde(default)]
    pub amount_received: i64,
    pub latest_charge: Option<Expandable<Charge>>,
    pub last_payment_error: Option<ApiError>,
    pub cancellation_reason: Option<String>,
}

impl PaymentIntent {
    pub fn charge(&self) -> Option<&Charge> {
        self.latest_charge.as_ref().and_then(Expandable::object)
    }
}

#[derive(Debug, Deserialize)]
pub struct Charge {
    pub id: String,
    pub created: Option<i64>,
    pub payment_method_details: Option<PaymentMethodDetails>,
}

#[derive(Debug, Deserialize)]
pub struct PaymentMethodDetails {
    pub card: Option<Card>,
}

#[derive(Debug, Deserialize)]
pub struct Card {
    pub brand: Option<String>,
    pub last4: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Refund {
    pub id: String,
    /// `pending`, `succeeded`, `failed`, `requires_action`, `canceled`.
    pub status: Option<String>,
    pub amount: i64,
}

/// A webhook event: its type and the object it is about.
#[derive(Debug, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub livemode: Option<bool>,
    pub data: EventData,
}

#[derive(Debug, Deserialize)]
pub struct EventData {
    pub object: Value,
}
