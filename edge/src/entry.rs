//! The Workers runtime glue: turns the runtime's request into [`Incoming`], runs
//! [`app::handle`], does the one network call, and turns the [`Reply`] back into a response.
//! Everything worth testing lives in the pure modules; this stays thin.

use crate::app::{self, Incoming, Reply, Step};
use crate::checkout::{OriginRequest, TIMEOUT_MS};
use crate::config::Config;
use crate::headers;
use std::rc::Rc;
use worker::js_sys::{self, futures::JsFuture};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::{
    Context, Date, Env, Headers, Request, Response, ResponseBuilder, Result, console_error, event,
    web_sys,
};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let Ok(nonce) = headers::nonce() else {
        console_error!("no randomness for the CSP nonce");
        return into_response(Reply::no_randomness());
    };
    let config = config(&env);
    let config = &*config;
    let now = i64::try_from(Date::now().as_millis() / 1000).unwrap_or(i64::MAX);
    let accept_language = req.headers().get("accept-language").ok().flatten();
    let (method, path) = (req.method(), req.path());
    let incoming = Incoming {
        method: method.as_ref(),
        path: &path,
        accept_language: accept_language.as_deref(),
    };

    let reply = match app::handle(incoming, config, now, &nonce) {
        Step::Done(reply) => reply,
        Step::AskOrigin(checkout) => {
            let answer = call_origin(&checkout.request).await;
            let reply = app::after_checkout(
                &checkout,
                answer.as_ref().ok().map(|(s, b)| (*s, b.as_str())),
                &nonce,
            );
            // Log the link id only: the token and the channel signature are credentials.
            if reply.status >= 500 {
                match &answer {
                    Ok((status, _)) => console_error!(
                        "checkout for link {}: origin answered {status}",
                        checkout.link_id
                    ),
                    Err(e) => console_error!(
                        "checkout for link {}: origin unreachable: {e}",
                        checkout.link_id
                    ),
                }
            }
            reply
        }
    };
    into_response(reply)
}

thread_local! {
    /// The parsed configuration. Bindings are fixed for an isolate's life, so the key ring is
    /// decoded once per isolate instead of on every request.
    static CONFIG: std::cell::OnceCell<Rc<ParsedConfig>> = const { std::cell::OnceCell::new() };
}

type ParsedConfig = std::result::Result<Config, crate::config::ConfigError>;

fn config(env: &Env) -> Rc<ParsedConfig> {
    CONFIG.with(|cell| {
        cell.get_or_init(|| {
            let parsed = Config::from_lookup(|name| env.var(name).ok().map(|v| v.to_string()));
            if let Err(e) = &parsed {
                console_error!("configuration: {e}");
            }
            Rc::new(parsed)
        })
        .clone()
    })
}

/// Sends the signed checkout request; `(status, body)` if the origin answered in time.
/// Straight on `web_sys`: `worker::RequestInit` would drag in Cloudflare `cf` option encoding.
async fn call_origin(r: &OriginRequest) -> Result<(u16, String)> {
    let headers = web_sys::Headers::new()?;
    for (name, value) in &r.headers {
        headers.set(name, value)?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&r.body));
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS)));
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let response: web_sys::Response = JsFuture::from(scope.fetch_with_str_and_init(&r.url, &init))
        .await?
        .dyn_into()?;
    let body = JsFuture::from(response.text()?).await?;
    Ok((response.status(), body.as_string().unwrap_or_default()))
}

fn into_response(reply: Reply) -> Result<Response> {
    let headers = Headers::new();
    for (name, value) in &reply.security {
        headers.set(name, value)?;
    }
    if let Some(content_type) = reply.content_type {
        headers.set("content-type", content_type)?;
    }
    if let Some(location) = &reply.location {
        headers.set("location", location)?;
    }
    Ok(ResponseBuilder::new()
        .with_status(reply.status)
        .with_headers(headers)
        .fixed(reply.body.into_bytes()))
}
