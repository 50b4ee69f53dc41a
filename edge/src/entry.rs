//! The Workers runtime glue: turns the runtime's request into [`Incoming`], runs
//! [`app::handle`], does the KV reads and writes and the origin call it asks for, and turns
//! the [`Reply`] back into a response. Everything worth testing lives in the pure modules;
//! this stays thin.

use crate::app::{self, Incoming, KvError, Reply, Step};
use crate::checkout::{OriginRequest, TIMEOUT_MS};
use crate::config::Config;
use crate::headers;
use crate::kv::{self, Batch};
use crate::read_cache::ReadCache;
use linkpay_shared::channel::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use std::cell::Cell;
use std::rc::Rc;
use worker::js_sys::{self, futures::JsFuture};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::{
    Context, Date, Env, Headers, Request, Response, ResponseBuilder, Result, console_error, event,
    web_sys,
};

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let Ok(nonce) = headers::nonce() else {
        console_error!("no randomness for the CSP nonce");
        return into_response(Reply::no_randomness());
    };
    let config = config(&env);
    let config = &*config;
    let now = i64::try_from(Date::now().as_millis() / 1000).unwrap_or(i64::MAX);
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let accept_language = header("accept-language");
    let (timestamp, signature) = (header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER));
    let (method, path) = (req.method(), req.path());
    let body = if method == worker::Method::Post {
        let announced = header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
        if announced.is_some_and(|n| n > app::MAX_BODY_BYTES as u64) {
            return into_response(Reply::too_large(&nonce));
        }
        let body = req.bytes().await.unwrap_or_default();
        if body.len() > app::MAX_BODY_BYTES {
            return into_response(Reply::too_large(&nonce));
        }
        body
    } else {
        Vec::new()
    };
    let incoming = Incoming {
        method: method.as_ref(),
        path: &path,
        accept_language: accept_language.as_deref(),
        channel_timestamp: timestamp.as_deref(),
        channel_signature: signature.as_deref(),
        body: &body,
    };

    let mut step = app::handle(incoming, config, now, &nonce);
    let reply = loop {
        step = match step {
            Step::Done(reply) => break reply,
            Step::Log(line, next) => {
                console_error!("{line}");
                *next
            }
            Step::ReadKv(lookup) => {
                let read = cached_kv_get(&env, &lookup.key).await;
                app::after_read(lookup, read, config, now, &nonce)
            }
            Step::WriteKv(batch) => break app::after_write(kv_write(&env, &batch).await, &nonce),
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
                            checkout.link_id()
                        ),
                        Err(e) => console_error!(
                            "checkout for link {}: origin unreachable: {e}",
                            checkout.link_id()
                        ),
                    }
                }
                break reply;
            }
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

thread_local! {
    /// Whether the missing-binding line was logged: once per isolate, not on every page.
    static KV_UNBOUND_LOGGED: Cell<bool> = const { Cell::new(false) };
}

/// The KV namespace binding, or [`KvError::Unbound`] if the worker runs without one.
///
/// Called straight through `js_sys` rather than `worker::kv::KvStore`, whose put encodes its
/// options with serde-wasm-bindgen: measured, that cost ~6 KB of the gzipped module.
fn kv_binding(env: &Env) -> std::result::Result<JsValue, KvError> {
    match js_sys::Reflect::get(env, &JsValue::from_str(kv::BINDING)) {
        Ok(binding) if binding.is_object() => Ok(binding),
        _ => {
            if !KV_UNBOUND_LOGGED.replace(true) {
                console_error!(
                    "no {} KV binding: short links are unavailable and display state is not read",
                    kv::BINDING
                );
            }
            Err(KvError::Unbound)
        }
    }
}

/// `binding[method](...args)`, awaited.
async fn kv_call(
    binding: &JsValue,
    method: &str,
    args: &js_sys::Array,
) -> std::result::Result<JsValue, JsValue> {
    let function: js_sys::Function =
        js_sys::Reflect::get(binding, &JsValue::from_str(method))?.dyn_into()?;
    let promise: js_sys::Promise = function.apply(binding, args)?.dyn_into()?;
    JsFuture::from(promise).await
}

/// One value as text; `Ok(None)` if the key is not there. Keys are not logged: a short code
/// opens a pay page.
async fn kv_get(env: &Env, key: &str) -> std::result::Result<Option<String>, KvError> {
    let binding = kv_binding(env)?;
    let args = js_sys::Array::of1(&JsValue::from_str(key));
    match kv_call(&binding, "get", &args).await {
        Ok(value) => Ok(value.as_string()),
        Err(e) => {
            console_error!("KV read failed: {e:?}");
            Err(KvError::Failed)
        }
    }
}

thread_local! {
    static READS: std::cell::RefCell<ReadCache> = std::cell::RefCell::new(ReadCache::default());
}

/// [`kv_get`] through the isolate's few-second read cache. Failed reads are not cached.
async fn cached_kv_get(env: &Env, key: &str) -> std::result::Result<Option<String>, KvError> {
    let now_ms = js_sys::Date::now();
    if let Some(hit) = READS.with(|c| c.borrow().get(key, now_ms)) {
        return Ok(hit);
    }
    let read = kv_get(env, key).await;
    if let Ok(value) = &read {
        READS.with(|c| c.borrow_mut().insert(key, value.clone(), now_ms));
    }
    read
}

/// Applies a checked batch. Stops at the first failure; the origin retries the whole batch,
/// which is safe since every write is idempotent.
async fn kv_write(env: &Env, batch: &Batch) -> std::result::Result<(), KvError> {
    let binding = kv_binding(env)?;
    READS.with(|c| {
        let mut c = c.borrow_mut();
        for key in batch
            .deletes
            .iter()
            .chain(batch.puts.iter().map(|p| &p.key))
        {
            c.forget(key);
        }
    });
    let failed = |e: JsValue| {
        console_error!("KV write failed: {e:?}");
        KvError::Failed
    };
    for key in &batch.deletes {
        let args = js_sys::Array::of1(&JsValue::from_str(key));
        kv_call(&binding, "delete", &args).await.map_err(failed)?;
    }
    for put in &batch.puts {
        let options = js_sys::Object::new();
        if let Some(at) = put.expiration {
            // Unix seconds, well inside f64's exact integers.
            js_sys::Reflect::set(
                &options,
                &"expiration".into(),
                &JsValue::from_f64(at as f64),
            )
            .map_err(failed)?;
        }
        let args = js_sys::Array::of3(
            &JsValue::from_str(&put.key),
            &JsValue::from_str(&put.value),
            &options,
        );
        kv_call(&binding, "put", &args).await.map_err(failed)?;
    }
    Ok(())
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
    if let Some(allow) = reply.allow {
        headers.set("allow", allow)?;
    }
    Ok(ResponseBuilder::new()
        .with_status(reply.status)
        .with_headers(headers)
        .fixed(reply.body.into_bytes()))
}
