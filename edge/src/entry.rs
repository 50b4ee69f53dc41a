//! The Workers runtime glue: turns the runtime's request into [`Incoming`], runs
//! [`app::handle`], does the KV reads and writes and the origin call it asks for, and turns
//! the [`Reply`] back into a response. Everything worth testing lives in the pure modules;
//! this stays thin.

use crate::app::{self, Checkout, Incoming, KvError, Reply, Step};
use crate::checkout::{OriginRequest, TIMEOUT_MS};
use crate::config::Config;
use crate::headers;
use crate::kv::{self, Batch};
use crate::read_cache::ReadCache;
use linkpay_shared::channel::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use std::cell::Cell;
use std::rc::Rc;
use worker::js_sys::{self, futures::JsFuture};
use worker::wasm_bindgen::{self, JsCast, JsValue, prelude::wasm_bindgen};
use worker::{Context, Env, Result, console_error, event, web_sys};

// The runtime's own Request and Response, not worker's wrappers: those copy the method, the
// path and every header into Rust up front, and build the response one JS call per header.
#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, _ctx: Context) -> Result<web_sys::Response> {
    let reply = serve(&req, &env).await;
    Ok(into_response(reply))
}

/// What every step of one request needs.
struct Ctx {
    config: Rc<ParsedConfig>,
    now: i64,
    nonce: String,
}

/// The request's few awaits and nothing else. Everything synchronous is in the
/// `#[inline(never)]` functions below: inlined, it made this state machine one function of
/// ~60 KB, which V8 compiles on a fresh isolate's first request (Liftoff took ~12 ms on it).
async fn serve(req: &web_sys::Request, env: &Env) -> Reply {
    let Some(ctx) = context(env) else {
        return Reply::no_randomness();
    };
    let method = method_name(&req.method());
    let body = if method == "POST" {
        match read_body(req, &ctx).await {
            Ok(body) => body,
            Err(reply) => return reply,
        }
    } else {
        Vec::new()
    };
    let mut step = begin(req, method, &body, &ctx);
    loop {
        step = match step {
            Step::Done(reply) => return reply,
            Step::Log(line, next) => {
                log(&line);
                *next
            }
            Step::ReadKv(lookup) => {
                let read = cached_kv_get(env, &lookup.key).await;
                after_read(lookup, read, &ctx)
            }
            Step::WriteKv(batch) => {
                return app::after_write(kv_write(env, &batch).await, &ctx.nonce);
            }
            Step::AskOrigin(checkout) => {
                let answer = call_origin(&checkout.request).await;
                return after_checkout(&checkout, answer, &ctx);
            }
        }
    }
}

#[inline(never)]
fn context(env: &Env) -> Option<Ctx> {
    let Ok(nonce) = headers::nonce() else {
        console_error!("no randomness for the CSP nonce");
        return None;
    };
    let now = i64::try_from(js_sys::Date::now() as u64 / 1000).unwrap_or(i64::MAX);
    Some(Ctx {
        config: config(env),
        now,
        nonce,
    })
}

/// The method as `worker::Method` named it before this glue read the runtime's request
/// directly: upper-cased, and GET for any method it does not know.
fn method_name(method: &str) -> &'static str {
    const KNOWN: [&str; 10] = [
        "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE", "REPORT", "GET",
    ];
    KNOWN
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .unwrap_or("GET")
}

fn header(req: &web_sys::Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// A POST's body, or the 413 when it is (or says it is) larger than the worker reads.
async fn read_body(req: &web_sys::Request, ctx: &Ctx) -> std::result::Result<Vec<u8>, Reply> {
    let announced = header(req, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > app::MAX_BODY_BYTES as u64) {
        return Err(Reply::too_large(&ctx.nonce));
    }
    let body = match req.array_buffer() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    if body.len() > app::MAX_BODY_BYTES {
        return Err(Reply::too_large(&ctx.nonce));
    }
    Ok(body)
}

/// The path of the serialized URL the runtime gives (always absolute, `?` and `#` only
/// where a query or fragment starts), without parsing it again.
fn path_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let Some(start) = url[after_scheme..].find('/') else {
        return "/";
    };
    let path = &url[after_scheme + start..];
    &path[..path.find(['?', '#']).unwrap_or(path.len())]
}

#[inline(never)]
fn begin(req: &web_sys::Request, method: &str, body: &[u8], ctx: &Ctx) -> Step {
    let url = req.url();
    let accept_language = header(req, "accept-language");
    // Only the origin's signed POSTs carry the channel headers.
    let channel = |name| (method == "POST").then(|| header(req, name)).flatten();
    let (timestamp, signature) = (channel(TIMESTAMP_HEADER), channel(SIGNATURE_HEADER));
    let incoming = Incoming {
        method,
        path: path_of(&url),
        accept_language: accept_language.as_deref(),
        channel_timestamp: timestamp.as_deref(),
        channel_signature: signature.as_deref(),
        body,
    };
    app::handle(incoming, &ctx.config, ctx.now, &ctx.nonce)
}

#[inline(never)]
fn log(line: &str) {
    console_error!("{line}");
}

#[inline(never)]
fn after_read(
    lookup: app::Lookup,
    read: std::result::Result<Option<String>, KvError>,
    ctx: &Ctx,
) -> Step {
    app::after_read(lookup, read, &ctx.config, ctx.now, &ctx.nonce)
}

#[inline(never)]
fn after_checkout(checkout: &Checkout, answer: Result<(u16, String)>, ctx: &Ctx) -> Reply {
    let reply = app::after_checkout(
        checkout,
        answer.as_ref().ok().map(|(s, b)| (*s, b.as_str())),
        &ctx.nonce,
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
    reply
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

#[wasm_bindgen(inline_js = "export function respond(status, head, body) {
  const headers = new Headers();
  const h = head.split('\\n');
  for (let i = 0; i + 1 < h.length; i += 2) headers.set(h[i], h[i + 1]);
  return new Response(body.slice(), { status, headers });
}")]
extern "C" {
    /// `new Response(copy of body, { status, headers })`; `head` is `name\nvalue\n…`.
    #[wasm_bindgen(catch)]
    fn respond(
        status: u16,
        head: &str,
        body: &[u8],
    ) -> std::result::Result<web_sys::Response, JsValue>;
    /// The same without headers, which cannot fail.
    #[wasm_bindgen(js_name = respond)]
    fn respond_plain(status: u16, head: &str, body: &[u8]) -> web_sys::Response;
}

/// The response in one JS call. Our header values never hold a line break (the runtime would
/// refuse one anyway); should one, or should the runtime refuse a header, the answer is the
/// fetch macro's own for a failed handler, as when the glue set headers one by one.
#[inline(never)]
fn into_response(reply: Reply) -> web_sys::Response {
    let failed = || {
        log("a response header holds a line break or was refused by the runtime");
        respond_plain(500, "", b"INTERNAL SERVER ERROR")
    };
    let mut head = String::with_capacity(512);
    let extra = [
        ("content-type", reply.content_type),
        ("location", reply.location.as_deref()),
        ("allow", reply.allow),
    ];
    let security = reply.security.iter().map(|(n, v)| (*n, Some(v.as_str())));
    for (name, value) in security.chain(extra) {
        if let Some(value) = value {
            if value.contains('\n') {
                return failed();
            }
            head.push_str(name);
            head.push('\n');
            head.push_str(value);
            head.push('\n');
        }
    }
    respond(reply.status, &head, reply.body.as_bytes()).unwrap_or_else(|_| failed())
}
