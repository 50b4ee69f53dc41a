//! What every dashboard page shares: the frame around it, the error page, form fields and
//! the security headers.

use super::sessions::Session;
use crate::base::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

/// The header and navigation of a signed-in page.
pub struct Chrome {
    pub shop: String,
    pub email: String,
    pub csrf: String,
    /// Which navigation entry is current: `links`, `charges`, `batches`, `settings`.
    pub section: &'static str,
    /// Live data is on screen (else test data); every page says which.
    pub livemode: bool,
}

impl Chrome {
    pub fn new(session: &Session, section: &'static str) -> Chrome {
        Chrome {
            shop: session.merchant.name.clone(),
            email: session.email.clone(),
            csrf: session.csrf.clone(),
            section,
            livemode: session.livemode,
        }
    }
}

/// Renders a template as a page.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            PageError::internal(format_args!("rendering a dashboard page: {e}")).into_response()
        }
    }
}

/// Renders a page with a form: `400 Bad Request` when it shows why the form was refused.
pub fn render_form(t: &impl Template, refused: bool) -> Response {
    let status = if refused {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (status, render(t)).into_response()
}

#[derive(Template)]
#[template(path = "dashboard/error.html")]
struct ErrorPage<'a> {
    message: &'a str,
}

/// A page's query string, as name → value.
pub type QueryMap = axum::extract::Query<std::collections::HashMap<String, String>>;

/// What most pages answer: the page, or the error page.
pub type PageReply = Result<Response, PageError>;

/// A page that could not be shown, said in words a person at a desk can act on. Internal
/// detail goes to the log only.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub message: String,
}

impl PageError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> PageError {
        PageError {
            status,
            message: message.into(),
        }
    }

    /// The object where it is of the session's mode, else `not_found` naming `what` (and,
    /// when it is the other mode's, saying so).
    pub fn in_mode<T>(
        found: Option<T>,
        livemode: impl Fn(&T) -> bool,
        session: &Session,
        what: &str,
    ) -> Result<T, PageError> {
        match found {
            Some(x) if livemode(&x) == session.livemode => Ok(x),
            Some(_) => {
                let (other, switch) = if session.livemode {
                    ("test", "Switch to test data")
                } else {
                    ("live", "Switch to live data")
                };
                Err(PageError::new(
                    StatusCode::NOT_FOUND,
                    format!(
                        "This {what} is {other} data. {switch} at the top of the page to see it."
                    ),
                ))
            }
            None => Err(PageError::not_found(what)),
        }
    }

    pub fn not_found(what: &str) -> PageError {
        PageError::new(
            StatusCode::NOT_FOUND,
            format!(
                "There is no such {what} in this shop. It may belong to another account or the address may be mistyped."
            ),
        )
    }

    pub fn internal(cause: impl std::fmt::Display) -> PageError {
        tracing::error!(%cause, "dashboard error");
        PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side. It has been logged; please try again.",
        )
    }
}

impl From<sqlx::Error> for PageError {
    fn from(e: sqlx::Error) -> PageError {
        PageError::internal(format_args!("database: {e}"))
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> PageError {
        PageError::new(e.status, e.message)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            message: &self.message,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, self.message).into_response(),
        }
    }
}

/// A posted form's fields, in order; a field may repeat (checkboxes).
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        FormData(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The field, trimmed; `None` when absent or blank (the first of a repeated field).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.trimmed(name).next().filter(|v| !v.is_empty())
    }

    /// Every value of a repeated field that is not blank.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.trimmed(name).filter(|v| !v.is_empty()).collect()
    }

    fn trimmed<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.trim())
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<FormData, Response> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(FormData::parse(&bytes))
    }
}

/// The dashboard's security headers. No scripts at all; styles from our own stylesheet only;
/// forms post only to the dashboard; frames only from the edge (the branding preview).
pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
         frame-src {}; base-uri 'none'; frame-ancestors 'none'",
        crate::base::url::web_origin(&state.config.edge_url)
    );
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}
