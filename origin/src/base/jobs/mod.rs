//! One runner for all background work. Every kind of work that happens later is a durable
//! job: a row in a queue table, claimed with a lease, retried on a schedule with backoff, and
//! ended as failed with its reason, where the merchant already sees it (a webhook delivery, a
//! notification). A crash mid-job leaves the lease to run out and the job to run again: at
//! least once. Several origin instances share the work: a claim is a conditional update that
//! also skips rows another claimer holds.
//!
//! A new kind of background work is a new queue (a table with the [`Queue`] columns) and a
//! function that does one round of it, run by [`run`]; work on a timetable is a
//! [`periodic::Periodic`] job.

pub mod periodic;
mod queue;
mod retry;
mod worker;

pub use queue::Queue;
pub use retry::Retry;
pub use worker::{Round, run};
