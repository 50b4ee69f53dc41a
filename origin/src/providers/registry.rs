//! Which provider handles what: the providers this origin is set up with (the sandbox, the
//! environment's LINE Pay), the merchants' own provider accounts, and for a new payment the
//! one that serves its method in its mode.

use super::gmopg::{self, GmoConnector};
use super::linepay::{self, LinePayConfig, LinePayConnector, client::LinePayClient};
use super::sandbox::{self, SandboxConnector};
use super::stripe::{self, StripeConnector};
use super::{Provider, ReturnRef};
use crate::base::clock::Clock;
use crate::base::db::Db;
use crate::base::listing::Scope;
use crate::base::secrets::MasterKeys;
use crate::domain::charges::Charge;
use crate::domain::payment_methods::PaymentMethod;
use crate::domain::provider_accounts::{self, ProviderAccount};
use std::collections::HashMap;
use std::sync::Arc;

/// The providers this origin is set up with. Built once at start-up; cheap to clone.
#[derive(Clone)]
pub struct Providers {
    db: Db,
    clock: Clock,
    sandbox: SandboxConnector,
    /// LINE Pay's settings and its HTTP client (one per process), when it is configured.
    linepay: Option<(LinePayConfig, Arc<LinePayClient>)>,
    accounts: AccountSettings,
}

/// What provider accounts' connectors share: where their credentials are opened, one HTTP
/// client (its connection pool, for every provider's calls), and the providers' API
/// addresses.
#[derive(Clone)]
pub struct AccountSettings {
    pub master_keys: MasterKeys,
    pub http: reqwest::Client,
    pub stripe_api_url: String,
    /// GMO-PG's API for test-mode shops (its test site) and for live ones.
    pub gmopg_test_api_url: String,
    pub gmopg_live_api_url: String,
    /// LINE Pay's API for sandbox channels and for live ones, and the terms every LINE Pay
    /// payment is held to.
    pub linepay_test_api_url: String,
    pub linepay_live_api_url: String,
    pub linepay_terms: linepay::Terms,
}

impl AccountSettings {
    pub fn gmopg_api_url(&self, livemode: bool) -> &str {
        if livemode {
            &self.gmopg_live_api_url
        } else {
            &self.gmopg_test_api_url
        }
    }

    pub fn linepay_api_url(&self, livemode: bool) -> &str {
        if livemode {
            &self.linepay_live_api_url
        } else {
            &self.linepay_test_api_url
        }
    }
}

/// A payment's provider, and the provider account it goes through (none for the sandbox and
/// the environment's LINE Pay).
pub struct Chosen {
    pub provider: Box<dyn Provider>,
    pub account_id: Option<String>,
}

impl Providers {
    pub fn new(
        db: Db,
        clock: Clock,
        sandbox: SandboxConnector,
        linepay: Option<LinePayConfig>,
        accounts: AccountSettings,
    ) -> Providers {
        let linepay = linepay.map(|config| {
            let client = Arc::new(LinePayClient::new(accounts.http.clone(), &config));
            (config, client)
        });
        Providers {
            db,
            clock,
            sandbox,
            linepay,
            accounts,
        }
    }

    pub fn accounts(&self) -> &AccountSettings {
        &self.accounts
    }

    /// What a return to `/return/{name}` names, read without credentials (only to find the
    /// charge; what happened is asked of its provider).
    pub fn return_ref(&self, name: &str, query: &HashMap<String, String>) -> Option<ReturnRef> {
        match name {
            stripe::NAME => stripe::return_ref(query),
            gmopg::NAME => gmopg::return_ref(query),
            linepay::NAME => linepay::return_ref(query),
            _ => self.by_name(name)?.return_ref(query),
        }
    }

    /// A provider account's connector, with its credentials opened.
    pub fn for_account(&self, account: &ProviderAccount) -> Result<Box<dyn Provider>, String> {
        let creds = account.credentials(&self.accounts.master_keys)?;
        match account.provider.as_str() {
            stripe::NAME => {
                let creds = stripe::Credentials::from_json(&creds).ok_or_else(|| {
                    format!("provider account {}: incomplete credentials", account.id)
                })?;
                Ok(Box::new(StripeConnector::new(
                    self.accounts.http.clone(),
                    &self.accounts.stripe_api_url,
                    &creds,
                    self.clock.clone(),
                )))
            }
            gmopg::NAME => {
                let creds = gmopg::Credentials::from_json(&creds).ok_or_else(|| {
                    format!("provider account {}: incomplete credentials", account.id)
                })?;
                Ok(Box::new(GmoConnector::new(
                    self.accounts.http.clone(),
                    self.accounts.gmopg_api_url(account.livemode),
                    &creds,
                    self.db.clone(),
                    self.clock.clone(),
                )))
            }
            linepay::NAME => {
                let creds = linepay::account::Credentials::from_json(&creds).ok_or_else(|| {
                    format!("provider account {}: incomplete credentials", account.id)
                })?;
                let a = &self.accounts;
                let config = creds.config(a.linepay_api_url(account.livemode), &a.linepay_terms);
                let client = Arc::new(LinePayClient::new(a.http.clone(), &config));
                Ok(Box::new(LinePayConnector::new(
                    &config,
                    client,
                    self.db.clone(),
                    self.clock.clone(),
                )))
            }
            other => Err(format!(
                "provider account {}: unknown provider {other}",
                account.id
            )),
        }
    }

    /// The provider that holds a charge: its provider account's connector, or the one this
    /// origin is set up with by the name stored on it.
    pub async fn for_charge(
        &self,
        charge: &Charge,
    ) -> Result<Option<Box<dyn Provider>>, sqlx::Error> {
        let Some(id) = &charge.provider_account_id else {
            return Ok(self.by_name(&charge.provider));
        };
        let Some(account) = provider_accounts::of_charge(&self.db, id).await? else {
            return Ok(None);
        };
        match self.for_account(&account) {
            Ok(p) => Ok(Some(p)),
            Err(problem) => {
                tracing::error!(charge = %charge.id, %problem, "the charge's provider account cannot be used");
                Ok(None)
            }
        }
    }

    /// The provider for a new payment of `method` in the scope's mode: the provider account
    /// that serves it, else (test mode only) the sandbox, or for wallets the merchant's choice.
    /// The sandbox never takes live money, and the environment's LINE Pay account is a
    /// test-mode account.
    pub async fn for_payment(
        &self,
        scope: Scope<'_>,
        method: PaymentMethod,
        wallet_provider: &str,
    ) -> Result<Option<Chosen>, sqlx::Error> {
        if let Some(account) = provider_accounts::for_method(&self.db, scope, method).await? {
            return Ok(match self.for_account(&account) {
                Ok(provider) => Some(Chosen {
                    provider,
                    account_id: Some(account.id),
                }),
                Err(problem) => {
                    tracing::error!(account = %account.id, %problem, "a provider account cannot be used");
                    None
                }
            });
        }
        if scope.livemode {
            return Ok(None);
        }
        Ok(self
            .for_method(method, wallet_provider)
            .map(|provider| Chosen {
                provider,
                account_id: None,
            }))
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

    /// This origin's own provider for `method` in test mode; `wallet_provider` is the
    /// merchant's choice for wallets.
    fn for_method(
        &self,
        method: PaymentMethod,
        wallet_provider: &str,
    ) -> Option<Box<dyn Provider>> {
        match method {
            PaymentMethod::Card => self.by_name(sandbox::NAME),
            PaymentMethod::Wallet => self.by_name(wallet_provider),
        }
    }
}
