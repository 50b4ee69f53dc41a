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
    /// LINE Pay: the channel ID from the merchant center (a sandbox channel in test mode).
    channel_id: Option<String>,
    /// LINE Pay: the channel secret key.
    channel_secret: Option<String>,
}

#[derive(ToSchema)]
pub struct CreateProviderAccount {
    /// `stripe`, `gmopg` or `linepay`.
    provider: String,
    /// Stripe: `secret_key` (required) and `webhook_secret` (may follow in an update).
    /// GMO-PG: `shop_id`, `shop_pass` and `config_id`. LINE Pay: `channel_id` and
    /// `channel_secret`.
    credentials: ProviderCredentials,
    /// For you, at most 200 characters; named in errors about the account.
    description: Option<String>,
    /// The payment methods of this mode the account serves from now on: `["card"]` for
    /// Stripe and GMO-PG, `["wallet"]` for LINE Pay (the defaults).
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
    /// `stripe`, `gmopg` or `linepay`.
    provider: String,
    /// The mode of the key that connected it; it serves payments of that mode only.
    livemode: bool,
    description: Option<String>,
    /// What the provider said of the account when its credentials were checked (for Stripe:
    /// `id` (acct_…), `display_name`, `country`, `charges_enabled`; GMO-PG: the shop `id`
    /// and `config_id`; LINE Pay: the channel `id`). Never a credential.
    account: BTreeMap<String, serde_json::Value>,
    /// The payment methods it serves: `card` (Stripe, GMO-PG) or `wallet` (LINE Pay).
    payment_methods: Vec<String>,
    /// Add this URL as a webhook endpoint at the provider (GMO-PG: the result notification
    /// URL), so payments complete even when the buyer closes the tab before coming back.
    /// Null for LINE Pay, which sends no notifications: linkpay asks it instead.
    webhook_url: Option<String>,
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
