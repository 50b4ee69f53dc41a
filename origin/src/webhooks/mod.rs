//! Webhooks: endpoints merchants register, and the worker that delivers queued events to them.

pub mod delivery;
pub mod endpoints;
