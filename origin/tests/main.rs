//! The origin's integration tests, in one binary: each module drives a real origin (the
//! router on a SQLite file, or on PostgreSQL with `LINKPAY_TEST_DATABASE=postgres`) or the
//! built `linkpay` binary. One binary links once, and the PostgreSQL run reuses it.
//!
//! Every origin has its own clock (`o.state.clock`), so a test that moves time moves only its
//! origin's, and runs beside the others.

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
mod gmopg;
mod layers;
mod linepay;
mod links;
mod livemode;
mod migrations;
mod notifications;
mod payment_flows;
mod provider_accounts;
mod return_urls;
mod secrets_at_rest;
mod sms;
mod stripe;
mod stripe_library;
mod webhook_endpoints;
mod webhook_schedule;
mod webhooks;
