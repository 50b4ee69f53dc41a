//! The dashboard's two cookies: the session, and the sign-in form's CSRF token (before there
//! is a session). Both HttpOnly and SameSite; `Secure` with the `__Host-` prefix whenever the
//! origin is served over https (`LINKPAY_PUBLIC_URL`), so they never travel in clear text and
//! no other host can set them.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

#[derive(Debug, Clone, Copy)]
pub struct Cookies {
    pub secure: bool,
}

pub const SESSION: &str = "linkpay_session";
pub const PRE_SESSION_CSRF: &str = "linkpay_csrf";

impl Cookies {
    pub fn for_public_url(public_url: &str) -> Cookies {
        Cookies {
            secure: public_url.starts_with("https://"),
        }
    }

    pub fn name(self, base: &str) -> String {
        if self.secure {
            format!("__Host-{base}")
        } else {
            base.to_owned()
        }
    }

    /// `Set-Cookie` for `base=value`, living `max_age` seconds (0 deletes it).
    pub fn set(self, base: &str, value: &str, max_age: i64, same_site: &str) -> String {
        format!(
            "{}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age}{}",
            self.name(base),
            if self.secure { "; Secure" } else { "" }
        )
    }

    pub fn clear(self, base: &str) -> String {
        self.set(base, "", 0, "Lax")
    }

    pub fn read(self, headers: &HeaderMap, base: &str) -> Option<String> {
        let name = self.name(base);
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
            .filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn https_origins_get_host_prefixed_secure_cookies() {
        let c = Cookies::for_public_url("https://pay.example");
        assert_eq!(
            c.set(SESSION, "abc", 60, "Lax"),
            "__Host-linkpay_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        let plain = Cookies::for_public_url("http://127.0.0.1:8080");
        assert!(!plain.set(SESSION, "abc", 60, "Lax").contains("Secure"));
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("xlinkpay_session=no; linkpay_session=yes; other=1"),
        );
        let c = Cookies { secure: false };
        assert_eq!(c.read(&h, SESSION).as_deref(), Some("yes"));
        assert_eq!(c.read(&h, PRE_SESSION_CSRF), None);
        assert_eq!(Cookies { secure: true }.read(&h, SESSION), None);
    }
}
