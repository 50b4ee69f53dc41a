//! URL shapes linkpay relies on: base URLs as settings give them, and a URL's web origin.

/// `https://host[:port][/path]` without a trailing slash, query or fragment; `None` if `value`
/// is not such a URL. Shared by the server's settings and `linkpay link sign --edge-url`.
pub fn normalize_base_url(value: &str) -> Option<String> {
    let v = value.trim().trim_end_matches('/');
    let ok = (v.starts_with("http://") || v.starts_with("https://"))
        && !v.contains(['?', '#', ' '])
        && v.len() > "https://".len();
    ok.then(|| v.to_owned())
}

/// `https://shop.example.com:8443/back?x=1` → `https://shop.example.com:8443`, for
/// `form-action`. Only for URLs already checked
/// (settings, or return URLs that passed `check_url`).
pub fn web_origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find(['/', '?']) {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_origin_keeps_scheme_host_and_port() {
        assert_eq!(
            web_origin("https://shop.example.com:8443/back?x=1"),
            "https://shop.example.com:8443"
        );
        assert_eq!(web_origin("http://127.0.0.1:9/"), "http://127.0.0.1:9");
        assert_eq!(web_origin("https://a.example?x"), "https://a.example");
        assert_eq!(web_origin("https://a.example"), "https://a.example");
    }
}

/// The shapes of URLs merchants register, as patterns: what the API checks them with and
/// what its OpenAPI document says, the same strings. A host is DNS labels of ASCII letters,
/// digits and inner hyphens, or a bracketed IPv6 address; a port is 1 to 65535; the rest is
/// printable ASCII.
pub mod shape {
    use regex::Regex;
    use std::sync::LazyLock;

    const HOST: &str = "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+\\])";
    const PORT: &str = "(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?";

    /// A return URL: https (or http to the machine itself), no fragment, no backslash.
    pub fn return_url() -> String {
        let loopback = "(?:[lL][oO][cC][aA][lL][hH][oO][sS][tT]|127\\.0\\.0\\.1|\\[::1\\])";
        format!("^(?:https://{HOST}|http://{loopback}){PORT}(?:[/?][!\"$-\\[\\]-~]*)?$")
    }

    /// A webhook endpoint's URL: http or https, any printable rest.
    pub fn webhook_url() -> String {
        format!("^https?://{HOST}{PORT}(?:[/?#][!-~]*)?$")
    }

    static RETURN_URL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(&return_url()).expect("the return URL pattern"));
    static WEBHOOK_URL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(&webhook_url()).expect("the webhook URL pattern"));

    pub fn is_return_url(url: &str) -> bool {
        RETURN_URL.is_match(url)
    }

    pub fn is_webhook_url(url: &str) -> bool {
        WEBHOOK_URL.is_match(url)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn shapes_take_what_merchants_register_and_nothing_odd() {
            for ok in [
                "https://shop.example/paid",
                "https://shop.example:8443/back?x=1",
                "http://localhost:3000/done",
                "http://127.0.0.1/x",
                "https://[2001:db8::1]/x",
            ] {
                assert!(is_return_url(ok), "{ok}");
                assert!(is_webhook_url(ok), "{ok}");
            }
            for bad in [
                "http://shop.example/paid",
                "https://shop.example/#frag",
                "https://-shop.example/",
                "https://shop..example/",
                "https://shop.example:0/",
                "https://shop.example:65536/",
                "https://user@shop.example/",
                "https://shop.example/a b",
                "ftp://shop.example/",
            ] {
                assert!(!is_return_url(bad), "{bad}");
            }
            assert!(is_webhook_url("http://hooks.example/in#x"));
            assert!(!is_webhook_url("https://user:pw@hooks.example/"));
        }
    }
}
