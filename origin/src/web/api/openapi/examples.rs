//! One example request body for every operation that takes one, written into the document's
//! media type (`requestBody.content.<type>.example`): what docs and generated clients show,
//! and what schemathesis sends first in its examples phase. The contract test checks each
//! against its schema, so an example that stops fitting the document fails CI.

use serde_json::{Value, json};

/// The example body of the operation `operation_id`, if it takes a body.
pub fn request_body(operation_id: &str) -> Option<Value> {
    Some(match operation_id {
        "links_create" => json!({
            "amount": 1500, "currency": "JPY", "title": "Tea set",
            "description": "Sencha and a kyusu teapot", "reference": "INV-1001",
            "customer_email": "buyer@example.com", "send": ["email"],
            "metadata": {"cart": "c_1"}
        }),
        "links_deactivate" => json!({"message": "This offer has ended."}),
        "links_send" => json!({"channel": "email", "to": "buyer@example.com"}),
        "charges_capture" => json!({"amount": 4000}),
        "charges_refund" => json!({"amount": 500, "reason": "requested_by_customer"}),
        "branding_update" => json!({
            "display_name": "Kyoto Tea House", "primary_color": "#1a7f37",
            "logo_url": "https://shop.example.com/logo.png", "default_locale": "ja"
        }),
        "batches_create" => Value::String(
            "reference,amount,currency,title,customer_email\n\
             INV-2001,1500,JPY,Tea set,hanako@example.com\n\
             INV-2002,3200,JPY,Matcha bowl,taro@example.com\n"
                .into(),
        ),
        "payment_method_settings_update" => json!({
            "card": {"enabled": true}, "wallet": {"enabled": true, "provider": "sandbox"}
        }),
        "provider_accounts_create" => json!({
            "provider": "stripe", "description": "Main Stripe account",
            "credentials": {"secret_key": "sk_test_51ExampleKeyOnly"},
            "payment_methods": ["card"]
        }),
        "provider_accounts_update" => json!({
            "credentials": {"webhook_secret": "whsec_ExampleOnly"}
        }),
        "webhook_endpoints_create" => json!({
            "url": "https://shop.example.com/hooks/linkpay",
            "enabled_events": ["charge.complete", "link.deactivated"],
            "description": "Order system"
        }),
        "webhook_endpoints_update" => json!({"enabled_events": ["*"], "disabled": false}),
        "webhook_endpoints_rotate_secret" => json!({"expire_previous_in": 86400}),
        "events_resend" => json!({"endpoint": "we_4fK2x9QmZb"}),
        "return_urls_create" => json!({
            "url": "https://shop.example.com/thanks", "method": "get",
            "description": "Thank-you page"
        }),
        "notification_settings_update" => json!({
            "receipt": {"enabled": true},
            "merchant_notice": {"enabled": true, "email": "orders@shop.example.com"}
        }),
        "notification_templates_save" => json!({
            "locale": "en",
            "subject": "{{ merchant_name }}: payment request for {{ title }}",
            "text": "Hello {{ customer_name }},\n\nPlease pay {{ amount }} here: {{ url }}\n"
        }),
        "notification_templates_preview" => json!({
            "locale": "ja", "text": "{{ title }}のお支払い（{{ amount }}）: {{ url }}"
        }),
        _ => return None,
    })
}

/// Gives every request body of the document its example (each media type it accepts).
pub fn add(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut() {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            let (Some(example), Some(content)) = (
                request_body(&id),
                op.pointer_mut("/requestBody/content")
                    .and_then(Value::as_object_mut),
            ) else {
                continue;
            };
            for media in content.values_mut() {
                media["example"] = example.clone();
            }
        }
    }
}
