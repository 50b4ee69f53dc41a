//! Runs before every dashboard handler: finds the session from its cookie, and refuses any
//! form post that does not carry the right CSRF token. Doing this here rather than in each
//! handler means no form can be added without the check.
//!
//! The token is the session's synchronizer token once signed in; before that (the sign-in
//! and set-up forms) it is a double-submit token, a random cookie the form repeats. A post a
//! browser marks as coming from another site (`Sec-Fetch-Site`) is refused outright.

use super::cookies::{Cookies, PRE_SESSION_CSRF, SESSION};
use super::pages::PageError;
use super::sessions::{self, Session};
use crate::state::AppState;
use axum::RequestPartsExt;
use axum::body::{Body, to_bytes};
use axum::extract::FromRequestParts;
use axum::extract::{FromRequest, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

/// The largest form the dashboard takes: a 300-row CSV upload with room to spare.
pub const MAX_FORM_BYTES: usize = 4 * 1024 * 1024;
/// The hidden field every form carries.
pub const FIELD: &str = "csrf";

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cookies = Cookies::for_public_url(&state.config.public_url);
    let session = match cookies.read(req.headers(), SESSION) {
        Some(token) => match sessions::find(&state.db, state.clock.now(), &token).await {
            Ok(s) => s,
            Err(e) => return PageError::from(e).into_response(),
        },
        None => None,
    };
    let (parts, body) = req.into_parts();
    let req = if parts.method == Method::GET || parts.method == Method::HEAD {
        Request::from_parts(parts, body)
    } else {
        let cross_site = parts
            .headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v != "same-origin" && v != "none");
        let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
            Ok(b) => b,
            Err(_) => {
                return PageError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "The form is larger than {} MB. A batch file of 300 rows is far smaller: check that the right file was chosen.",
                        MAX_FORM_BYTES / (1024 * 1024)
                    ),
                )
                .into_response();
            }
        };
        let expected = match &session {
            Some(s) => Some(s.csrf.clone()),
            None => cookies.read(&parts.headers, PRE_SESSION_CSRF),
        };
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let sent = form_token(&content_type, &bytes).await;
        let valid = match (expected, sent) {
            (Some(e), Some(s)) => bool::from(e.as_bytes().ct_eq(s.as_bytes())),
            _ => false,
        };
        if cross_site || !valid {
            tracing::warn!(path = %parts.uri.path(), cross_site, "dashboard form refused: CSRF check failed");
            return PageError::new(
                StatusCode::FORBIDDEN,
                "This form could not be accepted: it did not come from a current dashboard page \
                 (it may have been open too long, or you signed out in another tab). \
                 Go back, reload the page and submit it again.",
            )
            .into_response();
        }
        Request::from_parts(parts, Body::from(bytes))
    };
    let mut req = req;
    if let Some(s) = session {
        req.extensions_mut().insert(s);
    }
    next.run(req).await
}

/// The `csrf` field of a urlencoded or multipart form.
async fn form_token(content_type: &str, body: &[u8]) -> Option<String> {
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return url::form_urlencoded::parse(body)
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v.into_owned());
    }
    if !content_type.starts_with("multipart/form-data") {
        return None;
    }
    let req = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body.to_vec()))
        .ok()?;
    let mut multipart = axum::extract::Multipart::from_request(req, &())
        .await
        .ok()?;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

/// Handlers that need a signed-in merchant take a `Session`; without one the browser is sent
/// to sign in.
impl axum::extract::FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &AppState,
    ) -> Result<Session, Response> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| axum::response::Redirect::to("/dashboard/sign-in").into_response())
    }
}

/// What the signed-in pages start from: the app state and the session (the `State` and
/// `Session` extractors, taken together in that order).
pub struct SignedIn {
    pub state: AppState,
    pub session: Session,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session: Session = parts.extract_with_state(state).await?;
        Ok(SignedIn {
            state: state.clone(),
            session,
        })
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for Session {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &AppState,
    ) -> Result<Option<Session>, Self::Rejection> {
        Ok(parts.extensions.get::<Session>().cloned())
    }
}
