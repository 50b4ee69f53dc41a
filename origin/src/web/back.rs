//! Sending a settled buyer back to the merchant (`domain::return_urls::back`): a `303` with
//! the signed fields in the query (GET), or a small page whose form posts them there by
//! itself (POST).

use crate::base::ids;
use crate::domain::return_urls::Method;
use crate::domain::return_urls::back::{Back, with_query};
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

#[derive(Template)]
#[template(path = "return/post.html")]
struct PostPage<'a> {
    lang: &'static str,
    nonce: &'a str,
    heading: String,
    message: String,
    button: String,
    noscript: &'static str,
    action: &'a str,
    fields: &'a [(&'static str, String)],
}

/// The buyer's way back: a redirect, or the auto-submitting form.
pub fn respond(back: &Back) -> Response {
    match back.method {
        Method::Get => Redirect::to(&with_query(&back.url, &back.fields)).into_response(),
        Method::Post => post_page(back),
    }
}

/// The auto-submitting form. Its CSP allows this response's one script and stylesheet (by
/// nonce) and form submission to the merchant's origin only.
fn post_page(back: &Back) -> Response {
    let nonce = STANDARD.encode(ids::random_bytes::<16>());
    let m = &back.merchant_name;
    let (lang, heading, message, button, noscript) = if back.japanese {
        (
            "ja",
            format!("{m}に戻っています…"),
            format!("お支払いの結果を{m}に送っています。"),
            format!("{m}へ進む"),
            "JavaScriptが無効になっています。ボタンを押して進んでください。",
        )
    } else {
        (
            "en",
            format!("Returning to {m}…"),
            format!("Sending the result of your payment to {m}."),
            format!("Continue to {m}"),
            "JavaScript is off: press the button to continue.",
        )
    };
    let page = PostPage {
        lang,
        nonce: &nonce,
        heading,
        message,
        button,
        noscript,
        action: &back.url,
        fields: &back.fields,
    };
    let html = match page.render() {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "rendering the return page");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; form-action {}; base-uri 'none'; frame-ancestors 'none'",
        crate::base::url::web_origin(&back.url)
    );
    let mut resp = Html(html).into_response();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        resp.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}
