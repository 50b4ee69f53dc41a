//! The merchant's pay-page settings: branding and payment methods.
#![allow(dead_code)] // Read by utoipa only.

use utoipa::ToSchema;

/// The branding's fields, once, for the answer and for a change of it (which has no
/// `object`).
macro_rules! branding_schema {
    ($(#[$attr:meta])* $name:ident { $($extra:tt)* }) => {
        $(#[$attr])*
        #[derive(ToSchema)]
        pub struct $name {
            $($extra)*
            /// Shown instead of the shop's name; at most 60 characters.
            display_name: Option<String>,
            /// https only.
            logo_url: Option<String>,
            /// #rrggbb: buttons and accents.
            primary_color: Option<String>,
            /// #rrggbb
            background_color: Option<String>,
            /// #rrggbb
            text_color: Option<String>,
            support_email: Option<String>,
            /// E.164
            support_phone: Option<String>,
            /// https only.
            support_url: Option<String>,
            /// standard, compact or centered
            layout: Option<String>,
            /// en or ja: also the language of new links.
            default_locale: Option<String>,
        }
    };
}

branding_schema! {
    /// How the merchant's pay pages look. Null fields use linkpay's default look.
    Branding {
        /// Always `branding`.
        object: String,
    }
}

branding_schema! {
    /// A change of branding: fields not given keep their value; `""` clears a text field.
    UpdateBranding {}
}

#[derive(ToSchema)]
pub struct PaymentMethodSettings {
    /// Always `payment_method_settings`.
    object: String,
    card: MethodSetting,
    wallet: WalletSetting,
    /// The methods pay pages offer, in order.
    enabled: Vec<String>,
}

#[derive(ToSchema)]
pub struct UpdatePaymentMethodSettings {
    card: Option<MethodSetting>,
    wallet: Option<WalletSetting>,
}

#[derive(ToSchema)]
pub struct MethodSetting {
    enabled: bool,
}

#[derive(ToSchema)]
pub struct WalletSetting {
    enabled: bool,
    /// `sandbox` or `linepay`.
    provider: String,
}
