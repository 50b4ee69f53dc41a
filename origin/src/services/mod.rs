//! What linkpay does with its records: checkout, settling and capturing payments, creating
//! links and batches, the background work (webhook delivery, notifications, edge pushes,
//! sweeps), and keeping stored secrets sealed. Services combine domain records with providers;
//! interfaces call them.

pub mod batch;
pub mod checkout;
pub mod edge_sync;
pub mod housekeeping;
pub mod links;
pub mod notify;
pub mod payments;
pub mod secrets;
pub mod settle;
pub mod webhooks;

use crate::base::clock::Clock;
use crate::base::db::{Db, Tx};
use crate::base::secrets::MasterKeys;
use crate::domain::charges::Charge;
use crate::domain::notifications::outbox::PaidContext;
use crate::domain::webhooks::outbox::Subscribers;
use crate::providers::Providers;
use linkpay_shared::SecretKey;
use linkpay_shared::token::Keyring;
use std::sync::Arc;
use tokio::sync::Notify;

/// What the payment services share, built once by the composition root (`state`): the
/// database, the providers, where buyers' pages live, the keys, and the wake-ups for the
/// background work they queue. The background workers take only their own settings.
pub struct Services {
    pub db: Db,
    /// This instance's clock: everything the services do reads the time from it.
    pub clock: Clock,
    pub providers: Providers,
    /// `LINKPAY_PUBLIC_URL`: how browsers reach this origin (provider pages and returns).
    pub public_url: String,
    /// `LINKPAY_EDGE_URL`: how browsers reach the edge worker (link and result pages).
    pub edge_url: String,
    /// The keys links are signed with, current first.
    pub link_keys: Keyring,
    /// Shared with the edge: signs what the origin and the edge tell each other.
    pub edge_secret: SecretKey,
    /// Seal and open the secrets the database keeps.
    pub master_keys: MasterKeys,
    /// Woken when webhook deliveries or notifications are queued, so they go out at once.
    pub outbox: Arc<Notify>,
    /// Woken when display state for the edge is queued.
    pub edge_sync: Arc<Notify>,
}

/// Who hears of a change to a charge: the merchant's webhook endpoints, and for a charge that
/// succeeds the receipt's and notice's context. Read before the write transaction, on the
/// reader, so that the transaction holds SQLite's one writer for its writes only.
pub struct Audience {
    webhooks: Subscribers,
    paid: Option<PaidContext>,
}

impl Audience {
    /// `succeeding`: the change may leave the charge `succeeded` (if it does when this said
    /// no, [`announce`] reads the receipt's context inside the transaction instead).
    pub async fn read(db: &Db, charge: &Charge, succeeding: bool) -> Result<Audience, sqlx::Error> {
        let webhooks = Subscribers::read(db.reader(), charge.scope()).await?;
        let paid = match succeeding {
            true => PaidContext::read(db, charge).await?,
            false => None,
        };
        Ok(Audience { webhooks, paid })
    }
}

/// What a change to a charge tells, in the transaction that makes it: the event `kind` for
/// the merchant's webhooks, and the receipt and merchant notice when it has succeeded.
pub async fn announce(
    tx: &mut Tx,
    clock: &Clock,
    audience: &Audience,
    kind: &str,
    charge: &Charge,
) -> Result<(), sqlx::Error> {
    let data = charge.to_json();
    crate::domain::webhooks::outbox::record_for(tx, clock, &audience.webhooks, kind, data).await?;
    if charge.status == "succeeded" {
        crate::domain::notifications::outbox::on_charge_succeeded(
            tx,
            clock.now(),
            charge,
            audience.paid.as_ref(),
        )
        .await?;
    }
    Ok(())
}
