//! Messages to buyers and merchants. Part D adds only the SMS pieces here; the outbox,
//! templates and email arrive with Part B.

pub mod sms;
