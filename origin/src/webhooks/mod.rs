//! Webhooks: endpoints merchants register, the events they are sent, the worker that delivers
//! them, and the guard that keeps deliveries out of private networks.

pub mod delivery;
pub mod endpoints;
pub mod events;
pub mod expiry;
pub mod ssrf;
