use crate::config::Config;
use crate::db::Db;
use crate::providers::linepay::client::LinePayClient;
use std::sync::Arc;
use tokio::sync::Notify;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Woken when new webhook deliveries are queued, so they go out without polling delay.
    pub outbox: Arc<Notify>,
    /// Woken when display state for the edge is queued.
    pub edge_sync: Arc<Notify>,
    /// LINE Pay's HTTP client, when LINE Pay is configured: one per process.
    pub linepay: Option<Arc<LinePayClient>>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> AppState {
        AppState {
            db,
            linepay: config.linepay.as_ref().map(|c| Arc::new(c.client())),
            config: Arc::new(config),
            outbox: Default::default(),
            edge_sync: Default::default(),
        }
    }

    /// Starts the background work of one origin instance: webhook delivery, pushing display
    /// state to the edge, announcing expired links, sending emails and SMS, and housekeeping.
    /// All of it is safe with several instances.
    pub fn spawn_background(&self) {
        tokio::spawn(crate::webhooks::delivery::run(self.clone()));
        tokio::spawn(crate::edge_sync::run(self.clone()));
        tokio::spawn(crate::housekeeping::run(self.clone()));
        tokio::spawn(crate::payments::sweep::run(self.clone()));
        tokio::spawn(crate::webhooks::expiry::run(self.clone()));
        tokio::spawn(crate::notify::sender::run(self.clone()));
    }
}
