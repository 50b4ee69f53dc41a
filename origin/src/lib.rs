//! linkpay origin: the merchant API, checkout, the sandbox provider and webhook delivery.
//!
//! Layers, each using only the ones after it: `web` and `cli` (interfaces) → `state` and
//! `config` (the composition root) → `services` → `providers` → `domain` → `base`.
//! `app()` builds the whole router so tests can drive it without a port.

pub mod base;
pub mod cli;
pub mod config;
pub mod domain;
pub mod providers;
pub mod services;
pub mod state;
pub mod web;

pub use web::app;
