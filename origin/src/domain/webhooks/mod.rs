//! Webhooks: the endpoints merchants register, the events they are sent, the outbox that
//! records an event and queues its deliveries in the caller's transaction, and the guard
//! that keeps deliveries out of private networks.

pub mod endpoints;
pub mod events;
pub mod outbox;
pub mod ssrf;
