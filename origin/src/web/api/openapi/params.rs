//! Query parameters that several list endpoints describe the same way, declared once; a
//! handler lists `LinkPage` in its `params(...)` instead of repeating the tuples.
#![allow(dead_code)] // Read by utoipa only.

use utoipa::IntoParams;

/// `created[gte]` and `created[lte]`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreatedRange {
    /// Created at or after (unix seconds)
    #[param(rename = "created[gte]")]
    created_gte: Option<i64>,
    /// Created at or before (unix seconds)
    #[param(rename = "created[lte]")]
    created_lte: Option<i64>,
}

/// One `IntoParams` type per list: `limit` and the two cursors, whose descriptions name the
/// kind of id they take.
macro_rules! page_params {
    ($($name:ident: $after:tt, $before:tt;)*) => {$(
        #[derive(IntoParams)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            /// 1-100, default 10
            limit: Option<i64>,
            #[doc = $after]
            starting_after: Option<String>,
            #[doc = $before]
            ending_before: Option<String>,
        }
    )*};
}

page_params! {
    LinkPage:
        "A link id: the page after it (older)", "A link id: the page before it (newer)";
    ChargePage:
        "A charge id: the page after it (older)", "A charge id: the page before it (newer)";
    LinkChargePage:
        "A charge id: the page after it", "A charge id: the page before it";
    EventPage:
        "An event id: the page after it (older)", "An event id: the page before it (newer)";
    NotificationPage:
        "A notification id: the page after it", "A notification id: the page before it";
    EndpointPage:
        "An endpoint id: the page after it", "An endpoint id: the page before it";
}
