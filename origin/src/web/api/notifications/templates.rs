//! `/v1/notification_templates`: the merchant's templates, saved whole after checking, reset
//! to the defaults, and previewed.

use super::schema;
use crate::base::error::ApiError;
use crate::domain::notifications::Channel;
use crate::domain::notifications::outbox::{self};
use crate::domain::notifications::segments;
use crate::domain::notifications::templates::{self, Name, Template};
use crate::state::AppState;
use crate::web::api::list;
use crate::web::api::params::Params;
use crate::web::api::query::Query;
use crate::web::api::{Authed, Call, JsonReply};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use serde_json::{Value, json};

fn template_name(name: &str) -> Result<Name, ApiError> {
    Name::parse(name).ok_or_else(|| {
        let all: Vec<&str> = Name::ALL.iter().map(|n| n.as_str()).collect();
        ApiError::not_found(
            "resource_missing",
            format!("No such template: {name}. Templates: {}.", all.join(", ")),
        )
    })
}

fn locale(param: &str, value: Option<String>, default: &str) -> Result<String, ApiError> {
    let l = value.unwrap_or_else(|| default.to_owned());
    match l.as_str() {
        "ja" | "en" => Ok(l),
        other => Err(ApiError::invalid(
            param,
            "parameter_invalid",
            format!("locale {other:?} is not supported: use \"ja\" or \"en\"."),
        )),
    }
}

/// The template the path names and the locale the query asks for (`?locale=`), as the GET
/// and DELETE of one template read them.
fn name_and_locale(
    name: &str,
    raw: Option<&str>,
    auth: &Authed,
) -> Result<(Name, String), ApiError> {
    let q = Query::parse(raw, &["locale"])?;
    let name = template_name(name)?;
    let locale = locale("locale", q.string("locale"), &auth.merchant.default_locale)?;
    Ok((name, locale))
}

fn template_json(name: Name, locale: &str, t: &Template, customized: bool) -> Value {
    json!({
        "object": "notification_template",
        "name": name.as_str(),
        "kind": name.kind().as_str(),
        "channel": name.channel().as_str(),
        "locale": locale,
        "subject": t.subject,
        "text": t.text,
        "html": t.html,
        "customized": customized,
        "variables": name.variables(),
    })
}

/// A template that does not parse, names a variable its kind lacks, or has a part its channel
/// lacks: text that fits the document, refused by rules it cannot express (422).
fn template_error(e: templates::TemplateError) -> ApiError {
    ApiError::unprocessable(e.part, e.code, e.message)
}

/// `GET /v1/notification_templates`
#[utoipa::path(get, path = "/v1/notification_templates", operation_id = "notification_templates_list", tag = "notifications",
    summary = "List the templates in effect",
    description = "Every template name in both locales: the merchant's own where saved (`customized: true`), else the built-in default.",
    responses((status = 200, description = "All templates", body = schema::NotificationTemplateList)))]
pub async fn templates_list(Call { state, auth }: Call) -> JsonReply {
    let mut data = Vec::new();
    for name in Name::ALL {
        for locale in ["ja", "en"] {
            let (t, customized) =
                outbox::effective_template(state.db.reader(), &auth.merchant.id, name, locale)
                    .await?;
            data.push(template_json(name, locale, &t, customized));
        }
    }
    Ok(Json(list::json("/v1/notification_templates", data, false)))
}

/// `GET /v1/notification_templates/{name}?locale=ja`
#[utoipa::path(get, path = "/v1/notification_templates/{name}", operation_id = "notification_templates_retrieve", tag = "notifications",
    summary = "Retrieve a template in effect",
    params(
        ("name" = String, Path, description = "email_payment_request, email_receipt, email_merchant_notice or sms_payment_request"),
        ("locale" = Option<String>, Query, description = "ja or en; default the merchant's"),
    ),
    responses(
        (status = 200, description = "The template", body = schema::NotificationTemplate),
        crate::web::api::openapi::NoSuchTemplate,
    ))]
pub async fn template_retrieve(
    Call { state, auth }: Call,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> JsonReply {
    let (name, locale) = name_and_locale(&name, raw.as_deref(), &auth)?;
    let (t, customized) =
        outbox::effective_template(state.db.reader(), &auth.merchant.id, name, &locale).await?;
    Ok(Json(template_json(name, &locale, &t, customized)))
}

pub(crate) const TEMPLATE_FIELDS: &[&str] = &["locale", "subject", "text", "html"];

/// The template in effect with the parts given in `p` replaced.
async fn merged(
    state: &AppState,
    auth: &Authed,
    name: Name,
    locale: &str,
    p: &Params,
) -> Result<Template, ApiError> {
    let (mut t, _) =
        outbox::effective_template(state.db.reader(), &auth.merchant.id, name, locale).await?;
    if let Some(s) = p.string("subject")? {
        t.subject = Some(s);
    }
    if let Some(s) = p.string("text")? {
        t.text = s;
    }
    if let Some(s) = p.string("html")? {
        t.html = Some(s);
    }
    Ok(t)
}

/// `POST /v1/notification_templates/{name}` with `{"locale", "subject", "text", "html"}`.
#[utoipa::path(post, path = "/v1/notification_templates/{name}", operation_id = "notification_templates_save", tag = "notifications",
    summary = "Save a template",
    description = "Parts not given keep their current value. All parts are checked before anything is saved: a syntax error answers 422 `template_syntax_error` with `param` (subject, text or html) and the line and column; a variable the kind does not have answers 422 `template_unknown_variable` naming it and listing the allowed ones; a subject or html part for an SMS template is 422 too.",
    params(("name" = String, Path, description = "email_payment_request, email_receipt, email_merchant_notice or sms_payment_request")),
    request_body = schema::SaveNotificationTemplate,
    responses(
        (status = 200, description = "The saved template", body = schema::NotificationTemplate),
        crate::web::api::openapi::BadPart,
        crate::web::api::openapi::NoSuchTemplate,
    ))]
pub async fn template_save(
    Call { state, auth }: Call,
    Path(name): Path<String>,
    body: Bytes,
) -> JsonReply {
    let name = template_name(&name)?;
    let p = Params::parse(&body, TEMPLATE_FIELDS)?;
    let locale = locale("locale", p.string("locale")?, &auth.merchant.default_locale)?;
    let t = merged(&state, &auth, name, &locale, &p).await?;
    templates::validate(name, &t).map_err(template_error)?;
    // One statement: all parts are saved together or not at all.
    sqlx::query(
        "INSERT INTO notification_templates (merchant_id, name, locale, subject, text_body, html_body, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (merchant_id, name, locale) DO UPDATE SET
            subject = excluded.subject, text_body = excluded.text_body,
            html_body = excluded.html_body, updated_at = excluded.updated_at",
    )
    .bind(&auth.merchant.id)
    .bind(name.as_str())
    .bind(&locale)
    .bind(&t.subject)
    .bind(&t.text)
    .bind(&t.html)
    .bind(state.clock.now())
    .execute(state.db.writer())
    .await?;
    tracing::info!(merchant = %auth.merchant.id, template = name.as_str(), %locale, "template saved");
    Ok(Json(template_json(name, &locale, &t, true)))
}

/// `DELETE /v1/notification_templates/{name}?locale=ja`: back to the built-in default.
#[utoipa::path(delete, path = "/v1/notification_templates/{name}", operation_id = "notification_templates_delete", tag = "notifications",
    summary = "Go back to the default template",
    params(
        ("name" = String, Path, description = "Template name"),
        ("locale" = Option<String>, Query, description = "ja or en; default the merchant's"),
    ),
    responses(
        (status = 200, description = "The default template, now in effect", body = schema::NotificationTemplate),
        crate::web::api::openapi::NoSuchTemplate,
    ))]
pub async fn template_delete(
    Call { state, auth }: Call,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> JsonReply {
    let (name, locale) = name_and_locale(&name, raw.as_deref(), &auth)?;
    sqlx::query(
        "DELETE FROM notification_templates WHERE merchant_id = $1 AND name = $2 AND locale = $3",
    )
    .bind(&auth.merchant.id)
    .bind(name.as_str())
    .bind(&locale)
    .execute(state.db.writer())
    .await?;
    Ok(Json(template_json(
        name,
        &locale,
        &templates::default(name, &locale),
        false,
    )))
}

pub(crate) const PREVIEW_FIELDS: &[&str] = &["locale", "subject", "text", "html", "link"];

/// `POST /v1/notification_templates/{name}/preview`
#[utoipa::path(post, path = "/v1/notification_templates/{name}/preview", operation_id = "notification_templates_preview", tag = "notifications",
    summary = "Preview a template",
    description = "Renders the template in effect, with any parts given in the body replacing it (checked as on save), against sample data or the named link's data. Nothing is saved or sent.",
    params(("name" = String, Path, description = "Template name")),
    request_body = schema::PreviewNotificationTemplate,
    responses(
        (status = 200, description = "The rendered message", body = schema::NotificationPreview),
        crate::web::api::openapi::BadPart,
        crate::web::api::openapi::NoSuchTemplate,
    ))]
pub async fn template_preview(
    Call { state, auth }: Call,
    Path(name): Path<String>,
    body: Bytes,
) -> JsonReply {
    let name = template_name(&name)?;
    let p = if body.iter().all(u8::is_ascii_whitespace) {
        Params::parse(b"{}", PREVIEW_FIELDS)?
    } else {
        Params::parse(&body, PREVIEW_FIELDS)?
    };
    let link = match p.string("link")? {
        Some(id) => Some(
            crate::web::api::links::find(&state, &auth, &id)
                .await
                .map_err(|e| e.with_param("link"))?,
        ),
        None => None,
    };
    let default_locale = link
        .as_ref()
        .map_or(auth.merchant.default_locale.as_str(), |l| l.locale.as_str());
    let locale = locale("locale", p.string("locale")?, default_locale)?;
    let t = merged(&state, &auth, name, &locale, &p).await?;
    templates::validate(name, &t).map_err(template_error)?;
    let mut vars = templates::sample(name, &auth.merchant.name, &locale);
    if let Some(link) = &link {
        // The link's own values over the sample; charge values stay sample ones.
        let from_link =
            outbox::link_vars(link, &auth.merchant.name, &state.config.edge_url, &locale);
        for (k, v) in from_link {
            if vars.contains_key(&k) {
                vars.insert(k, v);
            }
        }
    }
    let r = templates::render(&t, &vars).map_err(template_error)?;
    let (segments, encoding) = match name.channel() {
        Channel::Sms => {
            let c = segments::count(&r.text);
            let enc = match c.encoding {
                segments::Encoding::Gsm7 => "gsm7",
                segments::Encoding::Ucs2 => "ucs2",
            };
            (Some(c.segments), Some(enc))
        }
        Channel::Email => (None, None),
    };
    Ok(Json(json!({
        "object": "notification_preview",
        "name": name.as_str(),
        "locale": locale,
        "subject": r.subject,
        "text": r.text,
        "html": r.html,
        "segments": segments,
        "encoding": encoding,
    })))
}
