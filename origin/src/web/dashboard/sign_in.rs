//! First-run set-up, sign-in and sign-out.

use super::cookies::{Cookies, PRE_SESSION_CSRF, SESSION};
use super::pages::{FormData, PageError, render};
use super::sessions::{self, ABSOLUTE_SECS, Session};
use super::users::{self, SetUp};
use super::{passwords, rate_limit};
use crate::base::email_address;
use crate::state::AppState;
use crate::web::dashboard::guard::SignedIn;
use crate::web::dashboard::pages::PageReply;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Template)]
#[template(path = "dashboard/sign_in.html")]
struct SignInPage<'a> {
    csrf: &'a str,
    email: &'a str,
    error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "dashboard/setup.html")]
struct SetUpPage<'a> {
    csrf: &'a str,
    shop: &'a str,
    email: &'a str,
    /// (field, message)
    error: Option<(&'a str, String)>,
}

/// The set-up code: derived from the deployment's edge secret, so every instance knows the
/// same one and only whoever runs the deployment (`linkpay dashboard setup-code`) can tell it.
/// It is useless once the first user exists.
pub fn setup_code(edge_secret: &linkpay_shared::SecretKey) -> String {
    let mut mac =
        <Hmac<Sha256>>::new_from_slice(edge_secret.expose()).expect("HMAC takes any key length");
    mac.update(b"linkpay dashboard set-up code v1");
    let digest = mac.finalize().into_bytes();
    let hex: String = digest[..6].iter().map(|b| format!("{b:02X}")).collect();
    format!("{}-{}-{}", &hex[..4], &hex[4..8], &hex[8..])
}

/// The CSRF token for a form shown before sign-in, and the cookie to set if it is new.
fn pre_session_token(cookies: Cookies, headers: &HeaderMap) -> (String, Option<String>) {
    match cookies.read(headers, PRE_SESSION_CSRF) {
        Some(t) => (t, None),
        None => {
            let t = sessions::random_token();
            let cookie = cookies.set(PRE_SESSION_CSRF, &t, 3600, "Strict");
            (t, Some(cookie))
        }
    }
}

fn with_cookie(resp: Response, cookie: Option<String>) -> Response {
    let mut resp = resp;
    if let Some(c) = cookie
        && let Ok(v) = c.parse()
    {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// `GET /dashboard/sign-in`; the set-up page instead while nobody can sign in.
pub async fn page(
    State(state): State<AppState>,
    session: Option<Session>,
    headers: HeaderMap,
) -> PageReply {
    if session.is_some() {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    if !users::any_exist(&state.db).await? {
        return Ok(Redirect::to("/dashboard/setup").into_response());
    }
    let (csrf, cookie) = pre_session_token(cookies(&state), &headers);
    let page = SignInPage {
        csrf: &csrf,
        email: "",
        error: None,
    };
    Ok(with_cookie(render(&page), cookie))
}

fn cookies(state: &AppState) -> Cookies {
    Cookies::for_public_url(&state.config.public_url)
}

/// `POST /dashboard/sign-in`
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: FormData,
) -> PageReply {
    let email = users::normalize_email(form.get("email").unwrap_or_default());
    let password = form
        .0
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let refuse = |status: StatusCode, message: String| {
        let (csrf, cookie) = pre_session_token(cookies(&state), &headers);
        let page = SignInPage {
            csrf: &csrf,
            email: &email,
            error: Some(&message),
        };
        Ok(with_cookie((status, render(&page)).into_response(), cookie))
    };
    if let Some(wait) = rate_limit::locked_for(&state.db, state.clock.now(), &email).await? {
        tracing::warn!("dashboard sign-in refused: too many failures for one account");
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many failed sign-ins for this account. Wait {} minutes and try again.",
                (wait + 59) / 60
            ),
        );
    }
    let user = users::by_email(&state.db, &email).await?;
    let stored = user
        .as_ref()
        .map_or(passwords::decoy_hash(), |u| u.password_hash.as_str())
        .to_owned();
    let password_owned = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || passwords::verify(&password_owned, &stored))
        .await
        .map_err(PageError::internal)?;
    let Some(user) = user.filter(|_| matches) else {
        rate_limit::record_failure(&state.db, state.clock.now(), &email).await?;
        tracing::info!("dashboard sign-in failed");
        return refuse(
            StatusCode::UNAUTHORIZED,
            "The email or password is not right. Check both and try again.".into(),
        );
    };
    rate_limit::clear(&state.db, &email).await?;
    tracing::info!(user = %user.id, merchant = %user.merchant_id, "dashboard sign-in");
    start_session(&state, &user).await
}

async fn start_session(state: &AppState, user: &users::User) -> PageReply {
    let token = sessions::start(&state.db, state.clock.now(), user).await?;
    let c = cookies(state);
    let mut resp = Redirect::to("/dashboard").into_response();
    for cookie in [
        c.set(SESSION, &token, ABSOLUTE_SECS, "Lax"),
        c.clear(PRE_SESSION_CSRF),
    ] {
        if let Ok(v) = cookie.parse() {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}

/// `POST /dashboard/sign-out`
pub async fn sign_out(SignedIn { state, session }: SignedIn) -> PageReply {
    session.end(&state.db).await?;
    let mut resp = Redirect::to("/dashboard/sign-in").into_response();
    if let Ok(v) = cookies(&state).clear(SESSION).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// `GET /dashboard/setup`
pub async fn setup_page(State(state): State<AppState>, headers: HeaderMap) -> PageReply {
    if users::any_exist(&state.db).await? {
        return Ok(Redirect::to("/dashboard/sign-in").into_response());
    }
    let (csrf, cookie) = pre_session_token(cookies(&state), &headers);
    let page = SetUpPage {
        csrf: &csrf,
        shop: "",
        email: "",
        error: None,
    };
    Ok(with_cookie(render(&page), cookie))
}

/// `POST /dashboard/setup`: the first user and the shop's name.
pub async fn setup(State(state): State<AppState>, headers: HeaderMap, form: FormData) -> PageReply {
    let shop = form.get("shop").unwrap_or_default();
    let email = users::normalize_email(form.get("email").unwrap_or_default());
    let raw = |name: &str| {
        form.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (password, confirm) = (raw("password"), raw("password_confirm"));
    let refuse = |status: StatusCode, field: &'static str, message: String| {
        let (csrf, cookie) = pre_session_token(cookies(&state), &headers);
        let page = SetUpPage {
            csrf: &csrf,
            shop,
            email: &email,
            error: Some((field, message)),
        };
        Ok(with_cookie((status, render(&page)).into_response(), cookie))
    };
    // Wrong codes count against one shared key, so the code cannot be guessed either.
    if let Some(wait) =
        rate_limit::locked_for(&state.db, state.clock.now(), SETUP_LIMIT_KEY).await?
    {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "setup_code",
            format!(
                "Too many wrong set-up codes. Wait {} minutes and try again.",
                (wait + 59) / 60
            ),
        );
    }
    let code = form.get("setup_code").unwrap_or_default().to_uppercase();
    let expected = setup_code(&state.config.edge_secret);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        code.as_bytes(),
        expected.as_bytes(),
    )) {
        rate_limit::record_failure(&state.db, state.clock.now(), SETUP_LIMIT_KEY).await?;
        return refuse(
            StatusCode::UNAUTHORIZED,
            "setup_code",
            "The set-up code is not right. Print it on the server with: linkpay dashboard setup-code".into(),
        );
    }
    if shop.is_empty() || shop.chars().count() > 100 {
        return refuse(
            StatusCode::BAD_REQUEST,
            "shop",
            "Enter the shop's name (at most 100 characters).".into(),
        );
    }
    if let Err(e) = email_address::check(&email) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "email",
            format!("The email address is not valid: {e}"),
        );
    }
    if let Err(m) = passwords::check_new(&password, &email) {
        return refuse(StatusCode::BAD_REQUEST, "password", m);
    }
    if password != confirm {
        return refuse(
            StatusCode::BAD_REQUEST,
            "password_confirm",
            "The two passwords differ.".into(),
        );
    }
    let hash = tokio::task::spawn_blocking(move || passwords::hash(&password))
        .await
        .map_err(PageError::internal)?
        .map_err(PageError::internal)?;
    match users::set_up(&state.db, state.clock.now(), shop, &email, &hash).await? {
        SetUp::Done(user) => {
            rate_limit::clear(&state.db, SETUP_LIMIT_KEY).await?;
            tracing::info!(user = %user.id, merchant = %user.merchant_id, "dashboard set up");
            start_session(&state, &user).await
        }
        SetUp::AlreadyDone => Ok(Redirect::to("/dashboard/sign-in").into_response()),
    }
}

const SETUP_LIMIT_KEY: &str = "(set-up code)";

#[cfg(test)]
mod tests {
    #[test]
    fn the_setup_code_depends_on_the_secret() {
        let a = linkpay_shared::SecretKey::new(vec![1; 32]).expect("key");
        let b = linkpay_shared::SecretKey::new(vec![2; 32]).expect("key");
        let code = super::setup_code(&a);
        assert_eq!(code.len(), 14);
        assert_eq!(code, super::setup_code(&a));
        assert_ne!(code, super::setup_code(&b));
    }
}
