use crate::base::db::Db;
use crate::base::jobs::{self, periodic, periodic::Periodic};
use crate::config::Config;
use crate::providers::linepay::client::LinePayClient;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
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

    /// Starts the background work of one origin instance on the job runner: webhook
    /// delivery, pushing display state to the edge, sending emails and SMS, and the periodic
    /// jobs (sweeping charges, announcing expired links, pruning idempotency keys). All of it
    /// is safe with several instances.
    pub fn spawn_background(&self) {
        tokio::spawn(crate::services::webhooks::delivery::run(self.clone()));
        tokio::spawn(crate::services::edge_sync::run(self.clone()));
        tokio::spawn(crate::services::notify::sender::run(self.clone()));
        let state = self.clone();
        tokio::spawn(async move {
            let jobs = state.periodic_jobs();
            if let Err(e) = periodic::schedule(&state.db, &jobs).await {
                tracing::error!(error = %e, "cannot schedule the periodic jobs; sweeps will not run");
                return;
            }
            jobs::run(
                "running periodic jobs",
                None,
                Duration::from_secs(1),
                || periodic::run_due(&state.db, &jobs),
            )
            .await;
        });
    }

    fn periodic_jobs(&self) -> Vec<Periodic> {
        vec![
            self.periodic("charges.sweep", 30, |s| async move {
                crate::services::payments::sweep::once(&s).await
            }),
            self.periodic("links.expire", 30, |s| async move {
                crate::services::webhooks::expiry::announce_expired(&s, crate::base::clock::now())
                    .await
            }),
            self.periodic("idempotency_keys.prune", 600, |s| async move {
                crate::services::housekeeping::prune_idempotency_keys(&s, crate::base::clock::now())
                    .await
            }),
        ]
    }

    /// A periodic job that runs `run` on this state every `secs` seconds. What a run answers
    /// is dropped; its error becomes the job's `last_error`.
    fn periodic<F, Fut, T, E>(&self, id: &'static str, secs: u64, run: F) -> Periodic
    where
        F: Fn(AppState) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        E: std::fmt::Display,
    {
        let state = self.clone();
        Periodic {
            id,
            every: Duration::from_secs(secs),
            run: Box::new(move || {
                let done = run(state.clone());
                Box::pin(async move { done.await.map(drop).map_err(|e| e.to_string()) })
            }),
        }
    }
}
