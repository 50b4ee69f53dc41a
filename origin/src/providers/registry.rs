//! Which provider handles what: providers by the name stored on charges, and the provider
//! for each payment method a merchant enables.

use super::linepay::{self, LinePayConnector};
use super::sandbox::{self, SandboxConnector};
use super::{PaymentMethod, Provider};
use crate::state::AppState;

/// The names a merchant can pick as wallet provider, with whether this origin has it set up.
pub fn wallet_providers(state: &AppState) -> Vec<(&'static str, bool)> {
    vec![
        (sandbox::NAME, true),
        (linepay::NAME, state.config.linepay.is_some()),
    ]
}

/// The provider stored on a charge, if this origin knows it (and has it configured).
pub fn by_name(state: &AppState, name: &str) -> Option<Box<dyn Provider>> {
    match name {
        sandbox::NAME => Some(Box::new(SandboxConnector::for_state(state))),
        linepay::NAME => match (&state.config.linepay, &state.linepay) {
            (Some(config), Some(client)) => Some(Box::new(LinePayConnector::new(
                config,
                client.clone(),
                state.db.clone(),
            ))),
            _ => None,
        },
        _ => None,
    }
}

/// The provider for `method`; `wallet_provider` is the merchant's choice for wallets.
pub fn for_method(
    state: &AppState,
    method: PaymentMethod,
    wallet_provider: &str,
) -> Option<Box<dyn Provider>> {
    match method {
        PaymentMethod::Card => by_name(state, sandbox::NAME),
        PaymentMethod::Wallet => by_name(state, wallet_provider),
    }
}
