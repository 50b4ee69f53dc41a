//! Provider accounts: the merchant's own credentials at payment providers.
#![allow(dead_code)] // Read by utoipa only.

use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Credentials, written only: they are never shown again.
#[derive(ToSchema)]
pub struct ProviderCredentials {
    /// Stripe: the account's secret key, `sk_test_…`/`rk_test_…` for a test-mode account,
    /// `sk_live_…`/`rk_live_…` for a live one.
    secret_key: Option<String>,
    /// Stripe: the `whsec_…` signing secret of the webhook endpoint added at Stripe for this
    /// account's `webhook_url`.
    webhook_secret: Option<String>,
    /// GMO-PG: the shop ID (ショップID), `tshop…` on the test site.
    shop_id: Option<String>,
    /// GMO-PG: the shop's password (ショップパスワード).
    shop_pass: Option<String>,
    /// GMO-PG: the 設定ID of a Link type Plus setting registered in the shop admin screen.
    config_id: Option<String>,
}

#[derive(ToSchema)]
pub struct CreateProviderAccount {
    /// `stripe` or `gmopg`.
    provider: String,
    /// Stripe: `secret_key` (required) and `webhook_secret` (may follow in an update).
    /// GMO-PG: `shop_id`, `shop_pass` and `config_id`.
    credentials: ProviderCredentials,
    /// For you, at most 200 characters; named in errors about the account.
    description: Option<String>,
    /// The payment methods of this mode the account serves from now on: `["card"]` (the
    /// default).
    payment_methods: Option<Vec<String>>,
}

#[derive(ToSchema)]
pub struct UpdateProviderAccount {
    credentials: Option<ProviderCredentials>,
    /// An empty string clears it.
    description: Option<String>,
    /// Exactly the methods it serves from now on; `[]` for none.
    payment_methods: Option<Vec<String>>,
}

/// One of the merchant's accounts at a provider, in one mode.
#[derive(ToSchema)]
pub struct ProviderAccount {
    /// `pa_…`
    id: String,
    /// Always `provider_account`.
    object: String,
    /// `stripe`.
    provider: String,
    /// The mode of the key that connected it; it serves payments of that mode only.
    livemode: bool,
    description: Option<String>,
    /// What the provider said of the account when its credentials were checked (for Stripe:
    /// `id` (acct_…), `display_name`, `country`, `charges_enabled`). Never a credential.
    account: BTreeMap<String, serde_json::Value>,
    /// The payment methods it serves: `card`.
    payment_methods: Vec<String>,
    /// Add this URL as a webhook endpoint at the provider, so payments complete even when
    /// the buyer closes the tab before coming back.
    webhook_url: String,
    created: i64,
}

list_schema!(ProviderAccountList of ProviderAccount);

#[derive(ToSchema)]
pub struct DeletedProviderAccount {
    id: String,
    object: String,
    /// Always true.
    deleted: bool,
}
