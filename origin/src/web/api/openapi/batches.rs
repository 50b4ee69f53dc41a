//! Batches of links made from one CSV file.
#![allow(dead_code)] // Read by utoipa only.

use utoipa::ToSchema;

/// Links made together from one CSV file.
#[derive(ToSchema)]
pub struct Batch {
    /// bat_…
    id: String,
    /// "batch"
    object: String,
    /// How many links (rows) it made.
    row_count: i64,
    /// email, sms or null
    send: Option<String>,
    filename: Option<String>,
    /// sending, or complete when no payment request is still queued
    status: String,
    progress: BatchProgress,
    /// Each row's link and send status as CSV.
    results_url: String,
    livemode: bool,
    created: i64,
}

/// Payment requests of a batch by status.
#[derive(ToSchema)]
pub struct BatchProgress {
    queued: i64,
    sent: i64,
    failed: i64,
}

list_schema!(BatchList of Batch);
