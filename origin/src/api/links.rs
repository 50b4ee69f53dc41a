use super::params::Params;
use crate::api::Authed;
use crate::clock::now;
use crate::error::ApiError;
use crate::links::{self, DEFAULT_TTL_SECS, MAX_TTL_SECS, NewLink};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use linkpay_shared::token::{MAX_DESCRIPTION_CHARS, MAX_REFERENCE_CHARS, MAX_TITLE_CHARS};
use linkpay_shared::{Currency, Locale, Money, MoneyError};
use serde_json::Value;

const FIELDS: &[&str] = &[
    "amount",
    "currency",
    "title",
    "description",
    "reference",
    "single_use",
    "expires_at",
    "locale",
];

/// `POST /v1/links`
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let p = Params::parse(&body, FIELDS)?;
    let new = read_new_link(&p, &auth.merchant.default_locale, now())?;
    let link = links::create(&state, &auth.merchant, auth.livemode, new).await?;
    tracing::info!(link = %link.id, merchant = %auth.merchant.id, "link created");
    Ok((
        StatusCode::CREATED,
        Json(link.to_json(&state.config.edge_url)),
    ))
}

/// `GET /v1/links/{id}`
pub async fn retrieve(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let link = links::get(&state.db, &auth.merchant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("resource_missing", format!("No such link: {id}")))?;
    Ok(Json(link.to_json(&state.config.edge_url)))
}

fn read_new_link(p: &Params, default_locale: &str, now: i64) -> Result<NewLink, ApiError> {
    let code = p.required("currency", Params::string)?;
    let currency = Currency::from_code(&code).ok_or_else(|| {
        let supported: Vec<&str> = Currency::ALL.iter().map(|c| c.code()).collect();
        ApiError::invalid(
            "currency",
            "currency_unsupported",
            format!(
                "Unsupported currency {code:?}. Supported: {}.",
                supported.join(", ")
            ),
        )
    })?;
    let minor = p.required("amount", Params::int)?;
    let amount = Money::new(minor, currency).map_err(|e| {
        let message = match e {
            MoneyError::NotPositive => {
                "amount must be a positive integer in minor units (e.g. 1500).".to_owned()
            }
            MoneyError::OverMaximum { max, .. } => format!(
                "amount {minor} exceeds the {currency} maximum of {max} ({}).",
                Money::new(max, currency)
                    .map(|m| m.format(Locale::En))
                    .unwrap_or_default()
            ),
        };
        ApiError::invalid("amount", "amount_invalid", message)
    })?;
    let title = p.required("title", Params::string)?;
    text("title", &title, MAX_TITLE_CHARS)?;
    let description = p.string("description")?.filter(|s| !s.is_empty());
    if let Some(d) = &description {
        text("description", d, MAX_DESCRIPTION_CHARS)?;
    }
    let reference = p.string("reference")?.filter(|s| !s.is_empty());
    if let Some(r) = &reference {
        text("reference", r, MAX_REFERENCE_CHARS)?;
    }
    let expires_at = p.int("expires_at")?.unwrap_or(now + DEFAULT_TTL_SECS);
    if expires_at <= now {
        return Err(ApiError::invalid(
            "expires_at",
            "parameter_invalid",
            "expires_at is in the past: give a future time in unix seconds.",
        ));
    }
    if expires_at > now + MAX_TTL_SECS {
        return Err(ApiError::invalid(
            "expires_at",
            "parameter_invalid",
            "expires_at may be at most 365 days from now.",
        ));
    }
    let locale_tag = p
        .string("locale")?
        .unwrap_or_else(|| default_locale.to_owned());
    let locale = match locale_tag.as_str() {
        "ja" => Locale::Ja,
        "en" => Locale::En,
        other => {
            return Err(ApiError::invalid(
                "locale",
                "parameter_invalid",
                format!("locale {other:?} is not supported: use \"ja\" or \"en\"."),
            ));
        }
    };
    Ok(NewLink {
        amount,
        title,
        description,
        reference,
        single_use: p.bool("single_use")?.unwrap_or(true),
        expires_at,
        locale,
    })
}

fn text(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.trim().is_empty() {
        return Err(ApiError::invalid(
            field,
            "parameter_invalid",
            format!("{field} must not be blank."),
        ));
    }
    let n = value.chars().count();
    if n > max {
        return Err(ApiError::invalid(
            field,
            "parameter_invalid",
            format!("{field} is {n} characters; the maximum is {max}."),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            field,
            "parameter_invalid",
            format!("{field} must not contain control characters such as newlines."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> Result<NewLink, ApiError> {
        read_new_link(&Params::parse(body.as_bytes(), FIELDS)?, "en", 1_000_000)
    }

    fn param_of(body: &str) -> (String, &'static str) {
        let e = read(body).err().expect("an error");
        (e.param.unwrap_or_default(), e.code)
    }

    #[test]
    fn accepts_a_minimal_link_with_defaults() {
        let l = read(r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#).expect("valid");
        assert_eq!(l.amount.minor(), 1500);
        assert!(l.single_use);
        assert_eq!(l.expires_at, 1_000_000 + DEFAULT_TTL_SECS);
        assert_eq!(l.locale, Locale::En);
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases = [
            (
                r#"{"currency":"JPY","title":"T"}"#,
                "amount",
                "parameter_missing",
            ),
            (
                r#"{"amount":0,"currency":"JPY","title":"T"}"#,
                "amount",
                "amount_invalid",
            ),
            (
                r#"{"amount":-5,"currency":"JPY","title":"T"}"#,
                "amount",
                "amount_invalid",
            ),
            (
                r#"{"amount":100000000,"currency":"JPY","title":"T"}"#,
                "amount",
                "amount_invalid",
            ),
            (
                r#"{"amount":1.5,"currency":"USD","title":"T"}"#,
                "amount",
                "parameter_invalid",
            ),
            (
                r#"{"amount":100,"currency":"XXX","title":"T"}"#,
                "currency",
                "currency_unsupported",
            ),
            (
                r#"{"amount":100,"title":"T"}"#,
                "currency",
                "parameter_missing",
            ),
            (
                r#"{"amount":100,"currency":"JPY"}"#,
                "title",
                "parameter_missing",
            ),
            (
                r#"{"amount":100,"currency":"JPY","title":"  "}"#,
                "title",
                "parameter_invalid",
            ),
            (
                r#"{"amount":100,"currency":"JPY","title":"T","expires_at":999999}"#,
                "expires_at",
                "parameter_invalid",
            ),
            (
                r#"{"amount":100,"currency":"JPY","title":"T","locale":"fr"}"#,
                "locale",
                "parameter_invalid",
            ),
            (
                r#"{"amount":100,"currency":"JPY","title":"T","single_use":"yes"}"#,
                "single_use",
                "parameter_invalid",
            ),
            (
                r#"{"amount":100,"currency":"JPY","title":"T","colour":"red"}"#,
                "colour",
                "parameter_unknown",
            ),
        ];
        for (body, param, code) in cases {
            assert_eq!(param_of(body), (param.to_owned(), code), "{body}");
        }
        let long = format!(
            r#"{{"amount":100,"currency":"JPY","title":"{}"}}"#,
            "x".repeat(101)
        );
        assert_eq!(param_of(&long).0, "title");
    }
}
