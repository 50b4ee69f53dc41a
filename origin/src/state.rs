use crate::config::Config;
use crate::db::Db;
use std::sync::Arc;
use tokio::sync::Notify;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Woken when new webhook deliveries are queued, so they go out without polling delay.
    pub outbox: Arc<Notify>,
}
