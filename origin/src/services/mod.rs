//! What linkpay does with its records: checkout, settling and capturing payments, creating
//! links and batches, and the background work (webhook delivery, notifications, edge pushes,
//! sweeps). Services combine domain records with providers; interfaces call them.

pub mod batch;
pub mod checkout;
pub mod edge_sync;
pub mod housekeeping;
pub mod notify;
pub mod payments;
pub mod settle;
pub mod webhooks;
