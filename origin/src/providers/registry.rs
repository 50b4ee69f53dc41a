//! Which provider handles what: providers by the name stored on charges, and the provider
//! for each payment method a merchant enables.

use super::Provider;
use super::linepay::{self, LinePayConfig, LinePayConnector, client::LinePayClient};
use super::sandbox::{self, SandboxConnector};
use crate::base::clock::Clock;
use crate::base::db::Db;
use crate::domain::payment_methods::PaymentMethod;
use std::sync::Arc;

/// The providers this origin is set up with. Built once at start-up; cheap to clone.
#[derive(Clone)]
pub struct Providers {
    db: Db,
    clock: Clock,
    sandbox: SandboxConnector,
    /// LINE Pay's settings and its HTTP client (one per process), when it is configured.
    linepay: Option<(LinePayConfig, Arc<LinePayClient>)>,
}

impl Providers {
    pub fn new(
        db: Db,
        clock: Clock,
        sandbox: SandboxConnector,
        linepay: Option<LinePayConfig>,
    ) -> Providers {
        let linepay = linepay.map(|config| {
            let client = Arc::new(config.client());
            (config, client)
        });
        Providers {
            db,
            clock,
            sandbox,
            linepay,
        }
    }

    /// The names a merchant can pick as wallet provider, with whether this origin has it set
    /// up.
    pub fn wallet_providers(&self) -> Vec<(&'static str, bool)> {
        vec![
            (sandbox::NAME, true),
            (linepay::NAME, self.linepay.is_some()),
        ]
    }

    /// The provider stored on a charge, if this origin knows it (and has it configured).
    pub fn by_name(&self, name: &str) -> Option<Box<dyn Provider>> {
        match name {
            sandbox::NAME => Some(Box::new(self.sandbox.clone())),
            linepay::NAME => self.linepay.as_ref().map(|(config, client)| {
                Box::new(LinePayConnector::new(
                    config,
                    client.clone(),
                    self.db.clone(),
                    self.clock.clone(),
                )) as Box<dyn Provider>
            }),
            _ => None,
        }
    }

    /// The provider for `method` in a mode; `wallet_provider` is the merchant's choice for
    /// wallets. Only test payments have one so far: the sandbox never takes live money, and
    /// the LINE Pay account the environment gives is a test-mode account.
    pub fn for_method(
        &self,
        method: PaymentMethod,
        wallet_provider: &str,
        livemode: bool,
    ) -> Option<Box<dyn Provider>> {
        if livemode {
            return None;
        }
        match method {
            PaymentMethod::Card => self.by_name(sandbox::NAME),
            PaymentMethod::Wallet => self.by_name(wallet_provider),
        }
    }
}
