//! The end-to-end tests, in one binary: the real `linkpay` binary (one or two instances), the
//! worker in workerd, headless Chromium, PostgreSQL. Build first (`scripts/test` does).

mod contract;
mod dashboard;
mod edge_kv;
mod edge_pages;
mod gmopg_flow;
mod links_edge;
mod pay_flow;
mod payment_flows;
mod return_redirect;
mod scale_out;
mod startup;
mod stripe_flow;
mod ts_client;
mod webhook_crash;
