//! Which payment methods a merchant's pay pages offer (card, wallet) and which provider
//! handles the wallet. The edge learns the choice through KV (`m:{merchant_id}`), so the pay
//! page shows it without calling the origin; checkout checks it again.

use crate::base::db::Tx;
use serde_json::{Value, json};
use sqlx::{Any, Executor};

/// How the buyer pays at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethod {
    Card,
    Wallet,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 2] = [PaymentMethod::Card, PaymentMethod::Wallet];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Card => "card",
            PaymentMethod::Wallet => "wallet",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentMethod> {
        PaymentMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The wallet provider a merchant starts with: the built-in sandbox.
pub const DEFAULT_WALLET_PROVIDER: &str = "sandbox";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub card: bool,
    pub wallet: bool,
    pub wallet_provider: String,
}

impl Default for Settings {
    /// Cards only, until the merchant enables more.
    fn default() -> Self {
        Settings {
            card: true,
            wallet: false,
            wallet_provider: DEFAULT_WALLET_PROVIDER.into(),
        }
    }
}

impl Settings {
    pub fn enabled(&self) -> Vec<PaymentMethod> {
        PaymentMethod::ALL
            .into_iter()
            .filter(|m| self.allows(*m))
            .collect()
    }

    pub fn allows(&self, method: PaymentMethod) -> bool {
        match method {
            PaymentMethod::Card => self.card,
            PaymentMethod::Wallet => self.wallet,
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "object": "payment_method_settings",
            "card": {"enabled": self.card},
            "wallet": {"enabled": self.wallet, "provider": self.wallet_provider},
            "enabled": self.enabled().iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        })
    }
}

pub fn kv_key(merchant_id: &str) -> String {
    format!("m:{merchant_id}")
}

pub async fn get<'e>(
    db: impl Executor<'e, Database = Any>,
    merchant_id: &str,
) -> Result<Settings, sqlx::Error> {
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT card, wallet, wallet_provider FROM payment_method_settings WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .fetch_optional(db)
    .await?;
    Ok(row
        .map(|(card, wallet, wallet_provider)| Settings {
            card: card != 0,
            wallet: wallet != 0,
            wallet_provider,
        })
        .unwrap_or_default())
}

/// Saves the settings in the caller's transaction (which then queues them for the edge:
/// `edge_state::queue_merchant`).
pub async fn put(
    tx: &mut Tx,
    now: i64,
    merchant_id: &str,
    s: &Settings,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payment_method_settings (merchant_id, card, wallet, wallet_provider, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (merchant_id) DO UPDATE SET card = $2, wallet = $3, wallet_provider = $4, updated_at = $5",
    )
    .bind(merchant_id)
    .bind(i64::from(s.card))
    .bind(i64::from(s.wallet))
    .bind(&s.wallet_provider)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
