//! `/v1/branding`: how the merchant's pay pages look.

use super::params::Params;
use crate::base::error::ApiError;
use crate::domain::branding;
use crate::web::api::{Call, JsonReply};
use axum::Json;
use axum::body::Bytes;
use linkpay_shared::branding::{Branding, Layout};
use serde_json::{Value, json};

/// The text fields of a merchant's branding, as the API and the dashboard's form name them.
pub(crate) const TEXT_FIELDS: &[&str] = &[
    "display_name",
    "logo_url",
    "primary_color",
    "background_color",
    "text_color",
    "support_email",
    "support_phone",
    "support_url",
];

fn to_json(b: &Branding, default_locale: &str) -> Value {
    let mut v = serde_json::to_value(b).unwrap_or_else(|_| json!({}));
    for f in TEXT_FIELDS {
        if v.get(*f).is_none() {
            v[*f] = Value::Null;
        }
    }
    v["object"] = json!("branding");
    v["default_locale"] = json!(default_locale);
    v
}

/// `GET /v1/branding`
#[utoipa::path(get, path = "/v1/branding", operation_id = "branding_retrieve", tag = "branding", summary = "The pay page's branding",
    responses((status = 200, description = "The branding (null fields: linkpay's default)", body = super::openapi::Branding)))]
pub async fn retrieve(Call { state, auth }: Call) -> JsonReply {
    let b = branding::get(state.db.reader(), &auth.merchant.id).await?;
    Ok(Json(to_json(&b, &auth.merchant.default_locale)))
}

/// The most characters a text field may be sent with, where the document limits it.
fn max_chars(field: &str) -> Option<usize> {
    use linkpay_shared::branding::{MAX_DISPLAY_NAME_CHARS, MAX_URL_CHARS};
    match field {
        "logo_url" | "support_url" => Some(MAX_URL_CHARS),
        "display_name" => Some(MAX_DISPLAY_NAME_CHARS),
        _ => None,
    }
}

/// `POST /v1/branding`: fields not given keep their value; an empty string clears one.
#[utoipa::path(post, path = "/v1/branding", operation_id = "branding_update", tag = "branding", summary = "Change the pay page's branding",
    description = "Fields not given keep their value; \"\" clears a text field. Colours are #rrggbb; logo_url and support_url are https; support_phone is E.164; layout is standard, compact or centered; default_locale (en or ja) is also the language of new links. Pay pages show the change within seconds (it is pushed to the edge). A bad value is refused naming its field, and nothing changes.",
    request_body = super::openapi::UpdateBranding,
    responses(
        (status = 200, description = "The branding", body = super::openapi::Branding),
        super::openapi::BadField,
    ))]
pub async fn update(Call { state, auth }: Call, body: Bytes) -> JsonReply {
    let mut allowed = TEXT_FIELDS.to_vec();
    allowed.extend(["layout", "default_locale"]);
    let p = Params::parse(&body, &allowed)?;
    let mut b = branding::get(state.db.reader(), &auth.merchant.id).await?;
    for f in TEXT_FIELDS {
        if let Some(v) = p.string(f)? {
            // The document's maxLength counts what was sent, blanks around it included.
            if let Some(max) = max_chars(f)
                && v.chars().count() > max
            {
                return Err(ApiError::invalid(
                    f,
                    "parameter_invalid",
                    format!("{f} must be at most {max} characters."),
                ));
            }
            let v = v.trim().to_owned();
            *field(&mut b, f) = (!v.is_empty()).then_some(v);
        }
    }
    if let Some(l) = p.string("layout")? {
        b.layout = Layout::parse(&l).ok_or_else(|| {
            ApiError::invalid(
                "layout",
                "parameter_invalid",
                format!("layout {l:?} is not one of standard, compact, centered."),
            )
        })?;
    }
    let locale = match p.string("default_locale")? {
        Some(l) if l == "en" || l == "ja" => l,
        Some(l) => {
            return Err(ApiError::invalid(
                "default_locale",
                "parameter_invalid",
                format!("default_locale {l:?} must be en or ja."),
            ));
        }
        None => auth.merchant.default_locale.clone(),
    };
    // The support address is checked below, where its shape and its lengths are told apart.
    let problems = b
        .problems()
        .into_iter()
        .filter(|(f, _)| *f != "support_email");
    if let Some((f, why)) = problems.into_iter().next() {
        return Err(ApiError::invalid(
            f,
            "parameter_invalid",
            format!("{f}: {why}."),
        ));
    }
    if let Some(e) = &b.support_email {
        use crate::base::email_address::{ATEXT_SYMBOLS, Refusal, examine_with};
        let symbols: String = ATEXT_SYMBOLS.chars().filter(|c| *c != '\'').collect();
        examine_with(e, &symbols).map_err(|r| {
            let message = format!(
                "support_email {e:?} is not an email address: {}",
                r.message()
            );
            match r {
                Refusal::Shape(_) => {
                    ApiError::invalid("support_email", "parameter_invalid", message)
                }
                Refusal::Length(_) => {
                    ApiError::unprocessable("support_email", "parameter_invalid", message)
                }
            }
        })?;
    }
    let mut tx = state.db.begin().await?;
    branding::save(&mut tx, state.clock.now(), &auth.merchant.id, &b, &locale).await?;
    crate::domain::edge_state::queue_merchant(&mut tx, state.clock.now(), &auth.merchant.id)
        .await?;
    tx.commit().await?;
    state.services.edge_sync.notify_one();
    tracing::info!(merchant = %auth.merchant.id, "branding saved");
    Ok(Json(to_json(&b, &locale)))
}

fn field<'a>(b: &'a mut Branding, name: &str) -> &'a mut Option<String> {
    match name {
        "display_name" => &mut b.display_name,
        "logo_url" => &mut b.logo_url,
        "primary_color" => &mut b.primary_color,
        "background_color" => &mut b.background_color,
        "text_color" => &mut b.text_color,
        "support_email" => &mut b.support_email,
        "support_phone" => &mut b.support_phone,
        _ => &mut b.support_url,
    }
}
