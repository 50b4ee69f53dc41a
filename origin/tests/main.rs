//! The origin's integration tests, in one binary: each module drives a real origin (the
//! router on a SQLite file, or on PostgreSQL with `LINKPAY_TEST_DATABASE=postgres`) or the
//! built `linkpay` binary. One binary links once, and the PostgreSQL run reuses it.
//!
//! Tests that move the process clock start their origin with `Origin::start_alone`, which
//! waits for every other origin test to finish and holds the rest back meanwhile.

mod common;

mod api;
mod authorization_window;
mod batch_cli;
mod batches;
mod branding;
mod charge_concurrency;
mod checkout;
mod cli;
mod dashboard;
mod edge_sync;
mod layers;
mod linepay;
mod links;
mod migrations;
mod notifications;
mod payment_flows;
mod return_urls;
mod sms;
mod webhook_endpoints;
mod webhook_schedule;
mod webhooks;
