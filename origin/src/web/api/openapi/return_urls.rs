//! Return URLs: where buyers go back to after paying.
#![allow(dead_code)] // Read by utoipa only.

use utoipa::ToSchema;

#[derive(ToSchema)]
pub struct CreateReturnUrl {
    /// Absolute `https://` URL (http only for localhost and 127.0.0.1), at most 2048
    /// characters, no user name, password or fragment, and none of the signed field names
    /// in its own query.
    url: String,
    /// `get` (default): a 303 redirect with the fields in the query. `post`: a page whose
    /// form posts the fields there by itself.
    method: Option<String>,
    /// For you, at most 200 characters.
    description: Option<String>,
}

/// A registered return URL.
#[derive(ToSchema)]
pub struct ReturnUrl {
    /// `ru_…`
    id: String,
    /// Always `return_url`.
    object: String,
    /// Live or test: only links of the same mode can name it.
    livemode: bool,
    url: String,
    /// `get` or `post`.
    method: String,
    description: Option<String>,
    /// `rsec_…`: the key the redirect's `signature` is made with. Shown only in the answer
    /// that creates the return URL.
    secret: Option<String>,
    created: i64,
}

#[derive(ToSchema)]
pub struct ReturnUrlList {
    object: String,
    url: String,
    /// Always false: there are 3 at most in each mode.
    has_more: bool,
    data: Vec<ReturnUrl>,
}

#[derive(ToSchema)]
pub struct DeletedReturnUrl {
    id: String,
    object: String,
    /// Always true.
    deleted: bool,
}
