// The benchmark's JavaScript peer of the linkpay edge worker (docs/benchmarks.md): what a
// hand-written Worker doing the same job for `GET /l/{token}` costs. It verifies the link
// token with Web Crypto (the format of shared/src/token.rs), reads the link's display state
// and its merchant's settings from KV through a 3 s per-isolate cache, renders the same
// escaped pay page and sends it with a fresh CSP nonce and the same security headers.
// Scope: fixed-amount English pay pages of links with no stored state or settings, as the
// benchmark's link; anything else gets a 404 saying so. The benchmark checks that its page
// equals the Rust worker's. Bindings: LINK_KEYS, ORIGIN_URL, LINKPAY_KV.

const enc = new TextEncoder();
const DOMAIN = enc.encode("linkpay/link/v1\0");
const MAX_TOKEN_LEN = 3072;
const TTL_MS = 3000;
const PAYMENT_PAGES = "https://checkout.stripe.com https://link.mul-pay.jp https://stg.link.mul-pay.jp";

// Strict base64url (no padding, no stray bits), as the Rust worker decodes.
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const SEXTET = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) SEXTET[B64.charCodeAt(i)] = i;

function unbase64url(s) {
  if (s.length % 4 === 1) return null;
  const out = new Uint8Array((s.length * 3) >> 2);
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? SEXTET[c] : -1;
    if (v < 0) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if (acc & ((1 << bits) - 1)) return null;
  return out;
}

function base64url(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    s += B64[n >> 18] + B64[(n >> 12) & 63];
    if (i + 1 < bytes.length) s += B64[(n >> 6) & 63];
    if (i + 2 < bytes.length) s += B64[n & 63];
  }
  return s;
}

// The key ring, parsed once per isolate: kid -> { key: CryptoKey, live }.
let ring = null;
let formAction = null;

async function keyring(env) {
  if (ring) return ring;
  const keys = new Map();
  for (const entry of String(env.LINK_KEYS ?? "").split(",").map((e) => e.trim()).filter(Boolean)) {
    const [kid, key, mode, extra] = entry.split(":");
    const raw = key === undefined ? null : unbase64url(key);
    if (!raw || raw.length < 32 || extra !== undefined || !/^[A-Za-z0-9_-]{1,32}$/.test(kid)) {
      throw new Error("LINK_KEYS is malformed");
    }
    const cryptoKey = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    keys.set(kid, { key: cryptoKey, live: mode === "live" });
  }
  formAction = `'self' ${String(env.ORIGIN_URL).replace(/\/$/, "").toLowerCase()} ${PAYMENT_PAGES}`;
  return (ring = keys);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const be64 = (v) => (v.length === 8 ? Number(new DataView(v.buffer, v.byteOffset, 8).getBigInt64(0)) : null);
// Required text as shared/src/token.rs checks it: not blank, at most max characters, no controls.
const goodText = (s, max) => s.trim() !== "" && [...s].length <= max && !/[\u0000-\u001f\u007f-\u009f]/.test(s);
const goodId = (s) => /^[A-Za-z0-9_]{1,64}$/.test(s);
const EXPONENT = { JPY: 0, USD: 2 };
const SYMBOL = { JPY: "¥", USD: "$" };

// The claims of a verified payload, or null if they are malformed (the Rust worker's rules).
function decodeClaims(b) {
  const f = [];
  let last = 0;
  for (let p = 0; p < b.length; ) {
    if (b.length - p < 3) return null;
    const tag = b[p], len = (b[p + 1] << 8) | b[p + 2];
    if (tag <= last || tag >= 20 || p + 3 + len > b.length) return null;
    f[tag] = b.subarray(p + 3, p + 3 + len);
    last = tag;
    p += 3 + len;
  }
  try {
    const text = (t) => (f[t] === undefined ? undefined : utf8.decode(f[t]));
    const c = {
      linkId: text(1), merchantId: text(2), merchantName: text(3) ?? "", currency: text(4),
      amount: f[5] && be64(f[5]), expiresAt: f[6] && be64(f[6]), usage: f[7], title: text(8),
      description: text(9), reference: text(10), locale: text(11), live: f[19] !== undefined,
    };
    const optional = [c.description, c.reference, text(15), text(16), text(17)];
    const ok = goodId(c.linkId ?? "") && goodId(c.merchantId ?? "") && c.currency in EXPONENT
      && (f[3] === undefined || goodText(c.merchantName, 80)) && goodText(c.title ?? "", 100)
      && (c.description === undefined || goodText(c.description, 300))
      && (c.reference === undefined || goodText(c.reference, 64))
      && optional.every((v) => v !== "") && c.expiresAt > 0 && (c.locale === "en" || c.locale === "ja")
      && c.usage?.length === 1 && c.usage[0] <= 2 && (f[19] === undefined || (f[19].length === 1 && f[19][0] === 1));
    // Amounts the peer does not render (buyer-chosen, out of range) count as malformed here.
    if (!ok || f[12] || f[13] || !(c.amount > 0 && c.amount <= 99_999_999_999)) return null;
    return c;
  } catch {
    return null;
  }
}

// Claims if the token is genuine, well formed, of its key's mode and not expired.
async function verify(ring, token, now) {
  if (token.length > MAX_TOKEN_LEN) return null;
  const dot = token.indexOf(".");
  if (dot < 0) return null;
  const payload = unbase64url(token.slice(0, dot));
  const mac = unbase64url(token.slice(dot + 1));
  if (!payload || !mac || payload.length === 0 || mac.length !== 32 || payload[0] !== 1) return null;
  const kidLen = payload[1] ?? 0;
  const kid = String.fromCharCode(...payload.subarray(2, 2 + kidLen));
  const entry = ring.get(kid);
  if (!entry || kidLen === 0 || payload.length < 2 + kidLen) return null;
  const signed = new Uint8Array(DOMAIN.length + payload.length);
  signed.set(DOMAIN);
  signed.set(payload, DOMAIN.length);
  if (!(await crypto.subtle.verify("HMAC", entry.key, mac, signed))) return null;
  const claims = decodeClaims(payload.subarray(2 + kidLen));
  if (!claims || claims.live !== entry.live || now >= claims.expiresAt) return null;
  return claims;
}

// A few seconds of memory for KV reads (misses too), like edge/src/read_cache.rs.
const reads = new Map();
async function cachedGet(env, key) {
  const now = Date.now();
  const hit = reads.get(key);
  if (hit && now < hit.until) return hit.value;
  const value = await env.LINKPAY_KV.get(key);
  if (reads.size >= 2048) reads.clear();
  reads.set(key, { value, until: now + TTL_MS });
  return value;
}

const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" };
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ESC[c]);

function money(minor, currency) {
  const exp = EXPONENT[currency];
  const major = Math.trunc(minor / 10 ** exp);
  // Grouped by hand: the first Intl call (toLocaleString) of an isolate costs milliseconds.
  let s = SYMBOL[currency] + String(major).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  if (exp > 0) s += "." + String(minor % 10 ** exp).padStart(exp, "0");
  return s;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n) => String(n).padStart(2, "0");

function expiry(secs) {
  const d = new Date(secs * 1000);
  const [y, mo, day, h, mi] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
  return [`${MONTHS[mo]} ${day}, ${y}, ${two(h)}:${two(mi)} UTC`, `${y}-${two(mo + 1)}-${two(day)}T${two(h)}:${two(mi)}Z`];
}

const SHIELD = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6z"/><path d="M9 12l2 2 4-4"/></svg>';
const LOCK = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><rect x="4" y="11" width="16" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/></svg>';
const CSS = `:root{--bg:#f3f4f7;--card:#fff;--ink:#14161a;--muted:#5b6270;--line:#e3e6ec;--accent:#1d4ed8;--accent-ink:#fff;--accent-hover:#1e40af;--ok:#15803d;--ok-bg:#dcfce7;--bad:#b91c1c;--bad-bg:#fee2e2;--warn:#a16207;--warn-bg:#fef3c7;--shadow:0 1px 2px rgba(16,24,40,.06),0 8px 24px rgba(16,24,40,.08)}
@media (prefers-color-scheme:dark){:root{--bg:#0f1115;--card:#181b21;--ink:#eef0f4;--muted:#a3aab8;--line:#2a2f38;--accent:#3b82f6;--accent-ink:#fff;--accent-hover:#2563eb;--ok:#4ade80;--ok-bg:#12301f;--bad:#f87171;--bad-bg:#3a1717;--warn:#fbbf24;--warn-bg:#3a2c0b;--shadow:none}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;padding:24px 16px;background:var(--bg);color:var(--ink);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Hiragino Sans","Hiragino Kaku Gothic ProN","Noto Sans JP",Meiryo,sans-serif}
.brand{display:flex;align-items:center;gap:6px;margin:0 0 16px;color:var(--muted);font-size:.875rem}
.brand svg{width:16px;height:16px}
.card{width:100%;max-width:440px;background:var(--card);border:1px solid var(--line);border-radius:16px;box-shadow:var(--shadow);padding:28px 24px}
h1{margin:0 0 8px;font-size:1.375rem;line-height:1.3;overflow-wrap:anywhere}
p{margin:0 0 12px;overflow-wrap:anywhere}
.eyebrow{margin:0 0 4px;color:var(--muted);font-size:.9375rem}
.eyebrow strong{color:var(--ink);font-weight:600}
.description{color:var(--muted);white-space:pre-line}
.total{margin:20px 0;padding:16px 0;border-top:1px solid var(--line);border-bottom:1px solid var(--line)}
.total .label{margin:0;color:var(--muted);font-size:.875rem}
label{display:block}
.field{display:block;width:100%;margin:6px 0 0;padding:10px 12px;border:1px solid var(--line);border-radius:10px;background:var(--bg);color:var(--ink);font:inherit;font-size:1.5rem;font-weight:600;font-variant-numeric:tabular-nums}
.field:focus-visible{outline:3px solid var(--accent);outline-offset:1px}
.field[aria-invalid=true]{border-color:var(--bad)}
.hint{margin:6px 0 0;color:var(--muted);font-size:.875rem}
.field-error{margin:6px 0 0;color:var(--bad);font-size:.875rem;font-weight:600}
.field-email{margin-bottom:16px;font-size:1rem;font-weight:400}
.methods{border:0;margin:0 0 16px;padding:0;display:flex;flex-wrap:wrap;gap:8px}
.methods legend{margin-bottom:6px}
.method{flex:1 1 8rem;display:flex;align-items:center;gap:8px;padding:10px 12px;border:1px solid var(--line);border-radius:10px;cursor:pointer;font-weight:600}
.method:has(input:checked){border-color:var(--accent)}
#email-error{margin:-10px 0 16px}
.merchant-note{margin:16px 0 0;padding:12px 14px;border-left:3px solid var(--line);background:var(--bg);border-radius:0 8px 8px 0}
.merchant-note .label{margin:0 0 4px;color:var(--muted);font-size:.8125rem}
.merchant-note p{margin:0;white-space:pre-line}
.amount{margin:2px 0 0;font-size:2.25rem;font-weight:700;letter-spacing:-.01em;font-variant-numeric:tabular-nums}
dl{margin:0 0 20px;display:grid;grid-template-columns:auto 1fr;gap:8px 16px;font-size:.9375rem}
dt{color:var(--muted)}
dd{margin:0;text-align:right;overflow-wrap:anywhere}
code{font:.875rem/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
button{display:block;width:100%;min-height:52px;padding:14px 20px;border:0;border-radius:12px;background:var(--accent);color:var(--accent-ink);font:inherit;font-size:1.0625rem;font-weight:600;cursor:pointer}
button:hover{background:var(--accent-hover)}
button:focus-visible{outline:3px solid var(--accent);outline-offset:3px}
.note{display:flex;gap:8px;margin:16px 0 0;color:var(--muted);font-size:.8125rem}
.note svg{flex:none;width:16px;height:16px;margin-top:2px}
.status{display:flex;align-items:center;justify-content:center;width:56px;height:56px;margin:0 0 16px;border-radius:50%}
.status svg{width:28px;height:28px}
.status.ok{background:var(--ok-bg);color:var(--ok)}
.status.bad{background:var(--bad-bg);color:var(--bad)}
.status.warn{background:var(--warn-bg);color:var(--warn)}
.reason{font-weight:600}
.muted{color:var(--muted)}
footer{margin-top:20px;color:var(--muted);font-size:.75rem}
@media (min-width:480px){body{padding-top:56px}.card{padding:36px 32px}}
.logo{display:block;max-width:180px;max-height:56px;margin:0 0 16px}
.support{margin:16px 0 0;color:var(--muted);font-size:.8125rem}
.support a{color:var(--accent)}
.preview-banner{width:100%;max-width:440px;margin:0 0 12px;padding:8px 12px;border-radius:8px;background:var(--warn-bg);color:var(--warn);font-size:.875rem;font-weight:600;text-align:center}
button:disabled{opacity:.6;cursor:not-allowed}
.layout-compact{padding-top:12px}.layout-compact .card{padding:20px 18px;border-radius:10px}.layout-compact .total{margin:12px 0;padding:10px 0}.layout-compact h1{font-size:1.125rem}.layout-compact .amount{font-size:1.75rem}.layout-compact .brand{display:none}
.layout-centered .card{text-align:center}.layout-centered .logo{margin:0 auto 16px}.layout-centered .amount{font-size:2.75rem}.layout-centered dl{grid-template-columns:1fr;text-align:center}.layout-centered dd{text-align:center}.layout-centered .note{justify-content:center}`;

function payPage(c, token, nonce) {
  const amount = money(c.amount, c.currency);
  const [expires, iso] = expiry(c.expiresAt);
  const merchant = c.merchantName
    ? `<p class="eyebrow">Payment to <strong id="merchant">${esc(c.merchantName)}</strong></p>`
    : "";
  const description = c.description === undefined ? "" : `<p class="description" id="description">${esc(c.description)}</p>`;
  const reference = c.reference === undefined ? "" : `<dt>Reference</dt><dd id="reference">${esc(c.reference)}</dd>`;
  const test = c.live ? "" : '<p class="preview-banner" id="test-mode" role="note">Test mode: no real money is charged. Pay with a test card.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light dark">
<title>Payment · ${esc(c.title)}</title>
<link rel="icon" href="data:,">
<style nonce="${nonce}">
${CSS}

</style>
</head>
<body class="layout-standard">
<p class="brand">${LOCK}Secure payment link</p>


${test}
<main class="card" id="pay">

${merchant}
<h1 id="title">${esc(c.title)}</h1>
${description}
<form id="pay-form" method="post" action="/l/${token}/pay">
<div class="total">
<p class="label">Amount</p>
<p class="amount" id="amount">${amount}</p>
</div>
<dl>
${reference}
<dt>Link valid until</dt><dd id="expires"><time datetime="${iso}">${expires}</time></dd>
</dl>
<label class="label" for="email-input">Email for your receipt (optional)</label>
<input class="field field-email" id="email-input" name="email" type="email" autocomplete="email" inputmode="email" maxlength="254" value="">


<button id="pay-button" type="submit">Pay ${esc(amount)}</button>
</form>
<p class="note">${SHIELD}<span>You will enter your card details on our payment provider&#39;s secure page. This page never asks for them.</span></p>

</main>

<footer>linkpay</footer>
</body>
</html>`;
}

function respond(status, body, type, nonce) {
  return new Response(body, {
    status,
    headers: {
      "content-type": type,
      "content-security-policy": `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:; form-action ${formAction ?? "'self'"}; base-uri 'none'; frame-ancestors 'none'`,
      "x-frame-options": "DENY",
      "referrer-policy": "no-referrer",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

export default {
  async fetch(request, env) {
    const nonce = base64url(crypto.getRandomValues(new Uint8Array(16)));
    const url = request.url;
    const path = url.slice(url.indexOf("/", url.indexOf("://") + 3)).split(/[?#]/)[0];
    const token = path.startsWith("/l/") ? path.slice(3) : "";
    const text = "text/plain; charset=utf-8";
    if (request.method !== "GET" || token === "" || token.includes("/")) {
      return respond(404, "Not found", text, nonce);
    }
    const claims = await verify(await keyring(env), token, Math.floor(Date.now() / 1000));
    if (!claims) return respond(404, "Link not found", text, nonce);
    const [state, settings] = [await cachedGet(env, `s:${claims.linkId}`), await cachedGet(env, `m:${claims.merchantId}`)];
    if (state !== null || settings !== null || claims.locale !== "en") {
      return respond(404, "Not in the peer's scope", text, nonce);
    }
    return respond(200, payPage(claims, token, nonce), "text/html; charset=utf-8", nonce);
  },
};
