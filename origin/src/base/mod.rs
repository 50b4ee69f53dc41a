//! What every layer stands on and nothing of linkpay's own: the clock, ids, the database
//! handle and its migrations, the API's error shape, cursor listing, the job runner, sealing
//! secrets at rest, and small checks and encodings (email addresses, QR codes, environment
//! settings).

pub mod clock;
pub mod db;
pub mod email_address;
pub mod env;
pub mod error;
pub mod ids;
pub mod jobs;
pub mod listing;
pub mod migrations;
pub mod qr;
pub mod secrets;
pub mod url;
