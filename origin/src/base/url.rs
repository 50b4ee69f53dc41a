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
