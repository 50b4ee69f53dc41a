//! The composition root: the application state handlers reach, built from the configuration,
//! and the background work of one instance, started on the job runner.

use crate::base::clock::Clock;
use crate::base::db::Db;
use crate::base::jobs::{self, periodic, periodic::Periodic};
use crate::config::Config;
use crate::providers::Providers;
use crate::providers::registry::AccountSettings;
use crate::providers::sandbox::SandboxConnector;
use crate::services::notify::sender::{self, Channels, Sender};
use crate::services::webhooks::{delivery, expiry};
use crate::services::{Services, edge_sync, housekeeping, payments};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// This instance's clock (the services' too).
    pub clock: Clock,
    pub config: Arc<Config>,
    /// What the services take, built once from `config`.
    pub services: Arc<Services>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> AppState {
        let clock = Clock::default();
        let sandbox = SandboxConnector::new(
            db.clone(),
            clock.clone(),
            &config.public_url,
            config.sandbox_capture_window,
            &config.edge_secret,
        );
        let services = Services {
            db: db.clone(),
            clock: clock.clone(),
            providers: Providers::new(
                db.clone(),
                clock.clone(),
                sandbox,
                config.linepay.clone(),
                AccountSettings {
                    master_keys: config.master_keys.clone(),
                    http: crate::providers::stripe::client::StripeClient::http(),
                    stripe_api_url: config.stripe_api_url.clone(),
                    gmopg_test_api_url: config.gmopg_test_api_url.clone(),
                    gmopg_live_api_url: config.gmopg_live_api_url.clone(),
                    linepay_test_api_url: config.linepay_test_api_url.clone(),
                    linepay_live_api_url: config.linepay_live_api_url.clone(),
                    linepay_terms: config.linepay_terms.clone(),
                },
            ),
            public_url: config.public_url.clone(),
            edge_url: config.edge_url.clone(),
            link_keys: config.link_keys.clone(),
            edge_secret: config.edge_secret.clone(),
            master_keys: config.master_keys.clone(),
            outbox: Default::default(),
            edge_sync: Default::default(),
        };
        AppState {
            db,
            clock,
            config: Arc::new(config),
            services: Arc::new(services),
        }
    }

    /// The webhook worker's share of the state.
    pub fn deliveries(&self) -> delivery::Deliveries {
        delivery::Deliveries {
            db: self.db.clone(),
            clock: self.clock.clone(),
            retry_schedule: self.config.webhook_retry_schedule.clone(),
            timeout: self.config.webhook_timeout,
            allow_private_networks: self.config.webhook_allow_private_networks,
            master_keys: self.config.master_keys.clone(),
        }
    }

    /// The webhook worker, to spawn: it runs until the process exits.
    pub fn deliver_webhooks(&self) -> impl Future<Output = ()> + Send + 'static {
        delivery::run(Arc::new(self.deliveries()), self.services.outbox.clone())
    }

    /// The notification sender's share of the state.
    pub fn sender(&self) -> Sender {
        Sender {
            db: self.db.clone(),
            clock: self.clock.clone(),
            retry_schedule: self.config.notify.retry_schedule.clone(),
            channels: Channels::new(&self.config.notify, self.config.sms.as_ref()),
        }
    }

    /// Starts the background work of one origin instance on the job runner: webhook
    /// delivery, pushing display state to the edge, sending emails and SMS, and the periodic
    /// jobs (sweeping charges, announcing expired links, pruning idempotency keys). All of it
    /// is safe with several instances.
    pub fn spawn_background(&self) {
        tokio::spawn(self.deliver_webhooks());
        tokio::spawn(edge_sync::run(self.services.clone()));
        tokio::spawn(sender::run(self.sender()));
        let (db, clock) = (self.db.clone(), self.clock.clone());
        let jobs = self.periodic_jobs();
        tokio::spawn(async move {
            if let Err(e) = periodic::schedule(&db, &clock, &jobs).await {
                tracing::error!(error = %e, "cannot schedule the periodic jobs; sweeps will not run");
                return;
            }
            jobs::run(
                "running periodic jobs",
                None,
                Duration::from_secs(1),
                || periodic::run_due(&db, &clock, &jobs),
            )
            .await;
        });
    }

    fn periodic_jobs(&self) -> Vec<Periodic> {
        vec![
            self.periodic("charges.sweep", 30, |s| async move {
                payments::sweep::once(&s).await
            }),
            self.periodic("links.expire", 30, |s| async move {
                expiry::announce_expired(&s, s.clock.now()).await
            }),
            self.periodic("idempotency_keys.prune", 600, |s| async move {
                housekeeping::prune_idempotency_keys(&s.db, s.clock.now()).await
            }),
        ]
    }

    /// A periodic job that runs `run` on the services every `secs` seconds. What a run
    /// answers is dropped; its error becomes the job's `last_error`.
    fn periodic<F, Fut, T, E>(&self, id: &'static str, secs: u64, run: F) -> Periodic
    where
        F: Fn(Arc<Services>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        E: std::fmt::Display,
    {
        let services = self.services.clone();
        Periodic {
            id,
            every: Duration::from_secs(secs),
            run: Box::new(move || {
                let done = run(services.clone());
                Box::pin(async move { done.await.map(drop).map_err(|e| e.to_string()) })
            }),
        }
    }
}
