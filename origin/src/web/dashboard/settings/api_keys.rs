//! API keys: create (the key is shown once), list by prefix, revoke.

use super::resource::{self, Field, Input, Resource, Row, Spec};
use crate::domain::merchants;
use crate::state::AppState;
use crate::web::dashboard::api_calls::FieldError;
use crate::web::dashboard::format::when;
use crate::web::dashboard::guard::SignedIn;
use crate::web::dashboard::pages::PageReply;
use crate::web::dashboard::pages::{FormData, PageError};
use crate::web::dashboard::sessions::Session;
use axum::Router;
use axum::extract::Path;
use axum::routing::post;

const MAX_NAME_CHARS: usize = 100;

pub struct ApiKeys;

impl Resource for ApiKeys {
    fn spec() -> Spec {
        Spec {
            title: "API keys",
            intro: "Secret keys for the API (Authorization: Bearer sk_test_… or sk_live_…). A test key sees and makes test data only, a live key live data only. Keep them on your servers; revoke a key the moment it may have leaked.",
            base: "/dashboard/settings/api-keys",
            columns: &["Name", "Key", "Mode", "Created", "Status"],
            create_label: "Create a key",
            remove_label: "Revoke",
            secret_label: "The new secret key",
        }
    }

    async fn rows(state: &AppState, session: &Session) -> Result<Vec<Row>, PageError> {
        let keys = merchants::keys(&state.db, &session.merchant.id).await?;
        let rows = keys.into_iter().map(|k| Row {
            cells: vec![
                k.name.unwrap_or_default(),
                format!("{}…", k.key_prefix),
                if k.key_prefix.starts_with("sk_live_") {
                    "live"
                } else {
                    "test"
                }
                .into(),
                when(k.created_at),
                match k.revoked_at {
                    Some(t) => format!("revoked {}", when(t)),
                    None => "active".into(),
                },
            ],
            removable: k.revoked_at.is_none(),
            update: None,
            id: k.id,
        });
        Ok(rows.collect())
    }

    /// A refused name is not shown again: the message says what it must be.
    fn fields(typed: &FormData) -> Vec<Field> {
        vec![
            Field::text("name", "Name (what the key is for)", "Shop backend", ""),
            Field {
                name: "mode",
                label: "Mode",
                input: Input::Select(vec![
                    ("test".into(), "Test (sk_test_…)".into()),
                    ("live".into(), "Live (sk_live_…): real money".into()),
                ]),
                value: typed.get("mode").unwrap_or("test").to_owned(),
            },
        ]
    }
}

pub fn routes() -> Router<AppState> {
    resource::routes::<ApiKeys>(post(create), post(revoke))
}

async fn page(
    state: &AppState,
    session: &Session,
    revealed: Option<String>,
    error: Option<FieldError>,
) -> PageReply {
    resource::page::<ApiKeys>(state, session, &FormData(Vec::new()), revealed, error).await
}

/// `POST /dashboard/settings/api-keys`
pub async fn create(SignedIn { state, session }: SignedIn, form: FormData) -> PageReply {
    let name = form.get("name").unwrap_or_default();
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        let error = FieldError {
            field: "name".into(),
            message: format!("The name must be at most {MAX_NAME_CHARS} characters on one line."),
        };
        return page(&state, &session, None, Some(error)).await;
    }
    let livemode = match form.get("mode").unwrap_or("test") {
        "test" => false,
        "live" => true,
        _ => {
            let error = FieldError {
                field: "mode".into(),
                message: "The mode must be test or live.".into(),
            };
            return page(&state, &session, None, Some(error)).await;
        }
    };
    let mut tx = state.db.begin().await?;
    let key = merchants::new_key(
        &mut tx,
        state.clock.now(),
        &session.merchant.id,
        livemode,
        Some(name).filter(|n| !n.is_empty()),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(merchant = %session.merchant.id, user = %session.user_id, livemode, "API key created");
    page(&state, &session, Some(key), None).await
}

/// `POST /dashboard/settings/api-keys/{id}/delete`: revokes.
pub async fn revoke(SignedIn { state, session }: SignedIn, Path(id): Path<String>) -> PageReply {
    if !merchants::revoke_key(&state.db, state.clock.now(), &session.merchant.id, &id).await? {
        return Err(PageError::not_found("active API key"));
    }
    tracing::info!(merchant = %session.merchant.id, user = %session.user_id, key = %id, "API key revoked");
    Ok(resource::removed::<ApiKeys>())
}
