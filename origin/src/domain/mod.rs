//! linkpay's records and their rules, one module per aggregate: the types, the state
//! machines and the queries. Domain code takes a database handle or a transaction and
//! what else it uses, never the application state, and starts no background work.

pub mod branding;
pub mod charges;
pub mod edge_state;
pub mod keyfile;
pub mod links;
pub mod merchants;
pub mod notifications;
pub mod payment_methods;
pub mod provider_accounts;
pub mod provider_events;
pub mod return_urls;
pub mod webhooks;
