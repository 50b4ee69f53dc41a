//! The merchant's branding as the origin pushes it with the payment methods
//! (`m:{merchant_id}` = `{"payment_methods": […], "branding": {…}}`). KV is input the worker
//! does not trust blindly: every setting is checked again by the shared rules and a bad one
//! is dropped (the page falls back to linkpay's look for it), never rendered.

pub use linkpay_shared::branding::Branding;
use serde_json::Value;

/// The branding in a stored merchant value; linkpay's default look when there is none or it
/// cannot be read.
pub fn from_stored(value: &str) -> Branding {
    serde_json::from_str::<Value>(value)
        .ok()
        .and_then(|v| v.get("branding").cloned())
        .and_then(|b| serde_json::from_value::<Branding>(b).ok())
        .map(Branding::sanitized)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use linkpay_shared::branding::Layout;

    #[test]
    fn stored_branding_is_read_and_bad_settings_are_dropped() {
        let b = from_stored(
            r##"{"payment_methods":["card"],"branding":{"display_name":"Kissa","primary_color":"#ff0000;}*{display:none","logo_url":"https://cdn.example/l.png","layout":"compact"}}"##,
        );
        assert_eq!(b.display_name.as_deref(), Some("Kissa"));
        assert_eq!(b.primary_color, None, "an invalid colour is not rendered");
        assert_eq!(b.logo_url.as_deref(), Some("https://cdn.example/l.png"));
        assert_eq!(b.layout, Layout::Compact);
        assert_eq!(
            from_stored(r#"{"payment_methods":["card"]}"#),
            Branding::default()
        );
        assert_eq!(from_stored("not json"), Branding::default());
        assert_eq!(
            from_stored(r#"{"branding":{"layout":"fancy"}}"#),
            Branding::default()
        );
    }
}
