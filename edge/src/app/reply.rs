//! A response as plain data, with every header it must carry, before the glue turns it into
//! the runtime's type.

use crate::headers::{self, SELF_ONLY};
use crate::pages::Page;

/// A response, before the glue turns it into the runtime's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: Option<&'static str>,
    pub location: Option<String>,
    /// The `Allow` header of a 405.
    pub allow: Option<&'static str>,
    pub body: String,
    /// Every header every response carries (CSP, framing, referrer, caching, sniffing).
    pub security: [(&'static str, String); 5],
}

impl Reply {
    /// Every constructor goes through here, so none can forget the security headers.
    fn new(
        status: u16,
        content_type: Option<&'static str>,
        body: String,
        security: [(&'static str, String); 5],
    ) -> Reply {
        Reply {
            status,
            content_type,
            location: None,
            allow: None,
            body,
            security,
        }
    }

    pub(super) fn html(page: Page, nonce: &str, form_action: &str) -> Reply {
        let security = headers::security_headers_with(nonce, form_action, &page.csp);
        Reply::new(
            page.status,
            Some("text/html; charset=utf-8"),
            page.html,
            security,
        )
    }

    /// The answer when the runtime cannot give us randomness for a nonce (never seen, but a
    /// response must still carry the security headers). No page, so no nonce is needed.
    pub fn no_randomness() -> Reply {
        Reply::text(
            503,
            "Service unavailable, please retry".into(),
            "unavailable",
        )
    }

    /// A body longer than [`super::MAX_BODY_BYTES`] was announced; it is not read.
    pub fn too_large(nonce: &str) -> Reply {
        Reply::text(413, "Request body too large".into(), nonce)
    }

    pub(super) fn text(status: u16, body: String, nonce: &str) -> Reply {
        let security = headers::security_headers(nonce, SELF_ONLY);
        Reply::new(status, Some("text/plain; charset=utf-8"), body, security)
    }

    pub(super) fn no_content(nonce: &str) -> Reply {
        let security = headers::security_headers(nonce, SELF_ONLY);
        Reply::new(204, None, String::new(), security)
    }

    pub(super) fn see_other(location: String, nonce: &str, form_action: &str) -> Reply {
        let security = headers::security_headers(nonce, form_action);
        Reply {
            location: Some(location),
            ..Reply::new(303, None, String::new(), security)
        }
    }
}
