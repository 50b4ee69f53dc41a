//! Security headers that go on every response, and the per-response CSP nonce.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// CSP `form-action` sources when the configuration could not be read.
pub const SELF_ONLY: &str = "'self'";

/// A fresh nonce for one response's `<style nonce>`: 128 random bits, base64url.
pub fn nonce() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// No scripts at all; styles only from the nonced inline `<style>`; forms may post only to
/// this worker and to the sources in `form_action` (Chrome applies form-action to the
/// redirect that answers a form POST, so the provider's hosted page must be listed).
pub fn content_security_policy(nonce: &str, form_action: &str) -> String {
    content_security_policy_with(nonce, form_action, &Extra::default())
}

/// What one page adds to the policy: the merchant's logo host, and (only for the
/// dashboard's preview) who may frame it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extra {
    /// `https://cdn.example.com`: an image source, nothing wider.
    pub img_src: Option<String>,
    /// The dashboard's origin.
    pub frame_ancestors: Option<String>,
}

pub fn content_security_policy_with(nonce: &str, form_action: &str, extra: &Extra) -> String {
    let img = extra
        .img_src
        .as_deref()
        .map(|s| format!(" {s}"))
        .unwrap_or_default();
    let frame = extra.frame_ancestors.as_deref().unwrap_or("'none'");
    format!(
        "default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:{img}; \
         form-action {form_action}; base-uri 'none'; frame-ancestors {frame}"
    )
}

/// Every header that goes on every response: pages, redirects and errors alike.
pub fn security_headers(nonce: &str, form_action: &str) -> [(&'static str, String); 5] {
    security_headers_with(nonce, form_action, &Extra::default())
}

pub fn security_headers_with(
    nonce: &str,
    form_action: &str,
    extra: &Extra,
) -> [(&'static str, String); 5] {
    // X-Frame-Options cannot name an allowed ancestor; a framable page relies on the CSP's
    // frame-ancestors, which browsers apply instead of it.
    let framing = if extra.frame_ancestors.is_some() {
        "SAMEORIGIN"
    } else {
        "DENY"
    };
    [
        (
            "content-security-policy",
            content_security_policy_with(nonce, form_action, extra),
        ),
        ("x-frame-options", framing.to_owned()),
        // Link and result tokens live in URLs: never leak them to another site.
        ("referrer-policy", "no-referrer".to_owned()),
        ("cache-control", "no-store".to_owned()),
        ("x-content-type-options", "nosniff".to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_fresh_and_header_safe() {
        let a = nonce().expect("randomness");
        let b = nonce().expect("randomness");
        assert_ne!(a, b);
        assert_eq!(a.len(), 22);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn every_response_gets_the_same_strict_set() {
        let headers = security_headers("abc", "'self' http://127.0.0.1:8080");
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(
            get("content-security-policy"),
            Some(
                "default-src 'none'; style-src 'nonce-abc'; img-src 'self' data:; \
                 form-action 'self' http://127.0.0.1:8080; base-uri 'none'; frame-ancestors 'none'"
            )
        );
        assert_eq!(get("x-frame-options"), Some("DENY"));
        assert_eq!(get("referrer-policy"), Some("no-referrer"));
        assert_eq!(get("cache-control"), Some("no-store"));
        assert_eq!(get("x-content-type-options"), Some("nosniff"));
        assert!(
            !get("content-security-policy")
                .unwrap_or_default()
                .contains("script")
        );
    }
}
