//! Error answers that several endpoints describe the same way, each declared once, so a
//! handler lists `NoSuchLink` in its `responses(...)` instead of repeating the tuple.
#![allow(dead_code)] // Read by utoipa only.

use super::Error;
use utoipa::IntoResponses;

/// One `IntoResponses` type per answer: the status, its description, an `Error` body.
macro_rules! error_responses {
    ($($name:ident = $status:tt, $description:tt;)*) => {$(
        #[derive(IntoResponses)]
        #[response(status = $status, description = $description)]
        pub struct $name(Error);
    )*};
}

error_responses! {
    BadField = 400, "A field is wrong; `param` names it";
    BadParam = 400, "A parameter is wrong; `param` names it";
    BadPart = 400, "A part is wrong; `param` names it";
    NoSuchLink = 404, "No such link";
    NoSuchCharge = 404, "No such charge";
    NoSuchBatch = 404, "No such batch";
    NoSuchEndpoint = 404, "No such endpoint";
    NoSuchEvent = 404, "No such event";
    NoSuchReturnUrl = 404, "No such return URL";
    NoSuchTemplate = 404, "No such template name";
    ProviderRefused = 402, "The payment provider refused the operation (`provider_refused`, type `card_error`); the charge is as it was";
    ProviderUnavailable = 502, "The payment provider could not be asked (`provider_unavailable`); nothing was changed, so retrying with the same Idempotency-Key is safe";
}
