//! A provider account's credentials as the API takes them, per provider, and their check
//! with the provider before anything is saved. A refusal names the account and the field,
//! never the value.

use super::params::Params;
use crate::base::error::ApiError;
use crate::providers::{
    CredentialsError, CredentialsProblem, gmopg, linepay, registry::AccountSettings, stripe,
};
use axum::http::StatusCode;
use serde_json::Value;

pub(crate) const STRIPE: &[&str] = &["secret_key", "webhook_secret"];
pub(crate) const GMOPG: &[&str] = &["shop_id", "shop_pass", "config_id"];
pub(crate) const LINEPAY: &[&str] = &["channel_id", "channel_secret"];

/// The fields `provider`'s credentials have.
pub fn fields(provider: &str) -> &'static [&'static str] {
    match provider {
        gmopg::NAME => GMOPG,
        linepay::NAME => LINEPAY,
        _ => STRIPE,
    }
}

/// How `provider` is named to people.
pub fn label(provider: &str) -> &'static str {
    match provider {
        gmopg::NAME => "GMO-PG",
        linepay::NAME => "LINE Pay",
        _ => "Stripe",
    }
}

/// The credentials `given` makes over `stored` (none on create), and what the provider said
/// of the account when anything it checks changed.
pub async fn read(
    accounts: &AccountSettings,
    provider: &str,
    given: &Params,
    stored: Option<&Value>,
    livemode: bool,
    who: &str,
) -> Result<(Value, Option<Value>), ApiError> {
    let field = |name: &str| -> Result<Option<String>, ApiError> {
        Ok(given
            .string(name)?
            .or_else(|| stored.and_then(|s| s[name].as_str().map(str::to_owned))))
    };
    let required = |name: &str| -> Result<String, ApiError> {
        field(name)?.filter(|v| !v.is_empty()).ok_or_else(|| {
            let param = format!("credentials[{name}]");
            ApiError::invalid(
                &param,
                "parameter_missing",
                format!("Missing required parameter: {param}."),
            )
        })
    };
    let changed = |names: &[&str]| stored.is_none() || names.iter().any(|n| given.has(n));
    match provider {
        gmopg::NAME => {
            let creds = gmopg::Credentials {
                shop_id: required("shop_id")?,
                shop_pass: required("shop_pass")?,
                config_id: required("config_id")?,
            };
            let details = if changed(GMOPG) {
                let url = accounts.gmopg_api_url(livemode);
                let d = gmopg::check_credentials(&accounts.http, url, &creds).await;
                Some(d.map_err(|e| refused(who, e))?)
            } else {
                None
            };
            Ok((creds.to_json(), details))
        }
        linepay::NAME => {
            let creds = linepay::account::Credentials {
                channel_id: required("channel_id")?,
                channel_secret: required("channel_secret")?,
            };
            let details = if changed(LINEPAY) {
                let url = accounts.linepay_api_url(livemode);
                let d = linepay::account::check_credentials(&accounts.http, url, &creds).await;
                Some(d.map_err(|e| refused(who, e))?)
            } else {
                None
            };
            Ok((creds.to_json(), details))
        }
        _ => {
            let creds = stripe::Credentials {
                secret_key: required("secret_key")?,
                webhook_secret: field("webhook_secret")?,
            };
            if let Some(secret) = given.string("webhook_secret")? {
                stripe::check_webhook_secret(&secret).map_err(|e| refused(who, e))?;
            }
            let details = if changed(&["secret_key"]) {
                let url = &accounts.stripe_api_url;
                let d = stripe::check_credentials(&accounts.http, url, &creds, livemode).await;
                Some(d.map_err(|e| refused(who, e))?)
            } else {
                None
            };
            Ok((creds.to_json(), details))
        }
    }
}

/// A form the document's pattern refuses is 400; a key of the other mode, a conflict with
/// the account's mode, 409; the provider saying no, 422 (nothing in the document can know);
/// the provider not answering, 502.
fn refused(who: &str, e: CredentialsError) -> ApiError {
    let param = format!("credentials[{}]", e.field);
    let message = format!("{who}: {}", e.message);
    match e.problem {
        CredentialsProblem::Form => ApiError::invalid(&param, "credentials_invalid", message),
        CredentialsProblem::Mode => ApiError::state(&param, "credentials_invalid", message),
        CredentialsProblem::Refused => {
            ApiError::unprocessable(&param, "credentials_invalid", message)
        }
        CredentialsProblem::Unavailable => ApiError {
            status: StatusCode::BAD_GATEWAY,
            ..ApiError::invalid(&param, "provider_unavailable", message)
        },
    }
}
