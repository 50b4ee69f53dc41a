//! Which page a request is for. Pure: method and path in, [`Route`] out.

use crate::kv;

/// The worker's routes. Tokens are borrowed from the path as sent; they are verified later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    /// `GET /l/{token}`: the pay page.
    PayPage(&'a str),
    /// `POST /l/{token}/pay`: start a checkout at the origin.
    Pay(&'a str),
    /// `GET /p/{code}`: the pay page of the link stored under a short code (checked: 1–16
    /// letters and digits).
    ShortLink(&'a str),
    /// `POST /internal/v1/kv`: the origin writes display state and short links.
    KvWrite,
    /// A known path with the wrong method; carries the `Allow` header's value.
    MethodNotAllowed(&'static str),
    /// `GET /r/{result_token}`: the result page.
    Result(&'a str),
    /// `GET /preview/{token}`: the dashboard's preview of a branding.
    Preview(&'a str),
    /// `GET /healthz`.
    Health,
    NotFound,
}

pub fn route<'a>(method: &str, path: &'a str) -> Route<'a> {
    // HEAD is GET without a body; the runtime drops the body.
    let get = method == "GET" || method == "HEAD";
    let segment = |s: &'a str| (!s.is_empty() && !s.contains('/')).then_some(s);
    if get && path == "/healthz" {
        return Route::Health;
    }
    if path == kv::PATH {
        return if method == "POST" {
            Route::KvWrite
        } else {
            Route::MethodNotAllowed("POST")
        };
    }
    if let Some(rest) = path.strip_prefix("/l/") {
        if get && let Some(token) = segment(rest) {
            return Route::PayPage(token);
        }
        if method == "POST"
            && let Some(token) = rest.strip_suffix("/pay").and_then(segment)
        {
            return Route::Pay(token);
        }
    } else if let Some(code) = path.strip_prefix("/p/") {
        if get && kv::valid_code(code) {
            return Route::ShortLink(code);
        }
    } else if let Some(rest) = path.strip_prefix("/r/")
        && get
        && let Some(token) = segment(rest)
    {
        return Route::Result(token);
    } else if let Some(rest) = path.strip_prefix("/preview/")
        && get
        && let Some(token) = segment(rest)
    {
        return Route::Preview(token);
    }
    Route::NotFound
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_method_and_path() {
        assert_eq!(route("GET", "/l/abc.def"), Route::PayPage("abc.def"));
        assert_eq!(route("HEAD", "/l/abc.def"), Route::PayPage("abc.def"));
        assert_eq!(route("POST", "/l/abc.def/pay"), Route::Pay("abc.def"));
        assert_eq!(route("GET", "/r/xyz"), Route::Result("xyz"));
        assert_eq!(route("GET", "/preview/abc.def"), Route::Preview("abc.def"));
        assert_eq!(route("POST", "/preview/abc.def"), Route::NotFound);
        assert_eq!(route("GET", "/healthz"), Route::Health);
        assert_eq!(route("GET", "/p/Ab3"), Route::ShortLink("Ab3"));
        assert_eq!(route("HEAD", "/p/Ab3"), Route::ShortLink("Ab3"));
        assert_eq!(
            route("GET", "/p/0123456789abcdef"),
            Route::ShortLink("0123456789abcdef")
        );
        assert_eq!(route("POST", "/internal/v1/kv"), Route::KvWrite);
        for method in ["GET", "HEAD", "PUT", "DELETE"] {
            assert_eq!(
                route(method, "/internal/v1/kv"),
                Route::MethodNotAllowed("POST"),
                "{method}"
            );
        }
        for (method, path) in [
            ("POST", "/l/abc"),
            ("GET", "/l/abc/pay"),
            ("PUT", "/l/abc/pay"),
            ("GET", "/l/"),
            ("GET", "/l/a/b"),
            ("POST", "/l//pay"),
            ("POST", "/l/a/b/pay"),
            ("GET", "/r/"),
            ("POST", "/r/x"),
            ("GET", "/"),
            ("GET", "/healthz/"),
            ("POST", "/healthz"),
            ("GET", "/favicon.ico"),
            ("GET", "/p/"),
            ("GET", "/p/0123456789abcdefg"),
            ("GET", "/p/a-b"),
            ("GET", "/p/a_b"),
            ("GET", "/p/a/b"),
            ("GET", "/p/a.b"),
            ("GET", "/p/%41"),
            ("POST", "/p/abc"),
            ("GET", "/internal/v1/kv/"),
            ("POST", "/internal/v1/kv/x"),
            ("POST", "/internal/v1/checkouts"),
        ] {
            assert_eq!(route(method, path), Route::NotFound, "{method} {path}");
        }
    }
}
