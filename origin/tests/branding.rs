//! `/v1/branding`: each setting checked by its rule (the field named, nothing saved), partial
//! updates, clearing, the default locale reaching new links, and the value queued for the
//! edge together with the payment methods.

use crate::common::Origin;
use axum::http::StatusCode;
use serde_json::{Value, json};

async fn queued_display(o: &Origin) -> Value {
    let merchant = o.merchant_id().await;
    let (value,): (String,) =
        sqlx::query_as("SELECT value FROM edge_sync WHERE key = $1 ORDER BY id DESC LIMIT 1")
            .bind(format!("m:{merchant}"))
            .fetch_one(o.state.db.reader())
            .await
            .expect("a queued value");
    serde_json::from_str(&value).expect("json")
}

#[tokio::test]
async fn bad_settings_are_refused_by_field_and_change_nothing() {
    let o = Origin::start().await;
    let fresh = o.get_json("/v1/branding").await;
    assert_eq!(fresh["layout"], "standard");
    assert_eq!(fresh["logo_url"], Value::Null);
    assert_eq!(fresh["default_locale"], "en");
    for (body, param) in [
        (
            json!({"logo_url": "http://cdn.example/logo.png"}),
            "logo_url",
        ),
        (json!({"logo_url": "javascript:alert(1)"}), "logo_url"),
        (
            json!({"logo_url": "https://cdn.example/x.png\" onerror=\"alert(1)"}),
            "logo_url",
        ),
        (
            json!({"primary_color": "red;}body{display:none"}),
            "primary_color",
        ),
        (json!({"background_color": "#fff"}), "background_color"),
        (json!({"text_color": "url(https://x)"}), "text_color"),
        (json!({"support_email": "not an email"}), "support_email"),
        (json!({"support_phone": "03-1234-5678"}), "support_phone"),
        (json!({"support_url": "ftp://shop.example"}), "support_url"),
        (json!({"display_name": "x".repeat(61)}), "display_name"),
        // The limits count what is sent: blanks around a value that fits still count.
        (
            json!({"display_name": format!("  {}  ", "x".repeat(59))}),
            "display_name",
        ),
        (
            json!({"logo_url": format!("\n https://cdn.example/{}", "a".repeat(480))}),
            "logo_url",
        ),
        (json!({"layout": "fancy"}), "layout"),
        (json!({"default_locale": "fr"}), "default_locale"),
        (json!({"colour": "#ffffff"}), "colour"),
    ] {
        let r = o.post("/v1/branding", &body.to_string()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.json()["error"]["param"], param, "{body}: {}", r.text());
    }
    assert_eq!(o.get_json("/v1/branding").await, fresh);
    assert_eq!(o.count("SELECT COUNT(*) FROM merchant_branding").await, 0);
}

#[tokio::test]
async fn branding_is_saved_partially_cleared_and_pushed_with_the_payment_methods() {
    let o = Origin::start().await;
    let r = o
        .post(
            "/v1/branding",
            &json!({
                "display_name": "Kissa <Tanuki>",
                "logo_url": "https://cdn.tanuki.example/logo.png",
                "primary_color": "#0F766E",
                "support_email": "help@tanuki.example",
                "layout": "centered",
                "default_locale": "ja",
            })
            .to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let pushed = queued_display(&o).await;
    assert_eq!(
        pushed,
        json!({
            "payment_methods": ["card"],
            "branding": {
                "display_name": "Kissa <Tanuki>",
                "logo_url": "https://cdn.tanuki.example/logo.png",
                "primary_color": "#0F766E",
                "support_email": "help@tanuki.example",
                "layout": "centered",
            }
        })
    );
    // A partial update keeps the rest; "" clears one field.
    let r = o
        .post(
            "/v1/branding",
            r##"{"logo_url": "", "text_color": "#111111"}"##,
        )
        .await
        .json();
    assert_eq!(
        (
            r["logo_url"].clone(),
            r["text_color"].clone(),
            r["layout"].clone()
        ),
        (Value::Null, json!("#111111"), json!("centered"))
    );
    // Changing payment methods pushes the branding along, not over it.
    o.post(
        "/v1/payment_method_settings",
        r#"{"wallet": {"enabled": true}}"#,
    )
    .await;
    let pushed = queued_display(&o).await;
    assert_eq!(pushed["payment_methods"], json!(["card", "wallet"]));
    assert_eq!(pushed["branding"]["text_color"], "#111111");
    // The default locale is the language of new links.
    let link = o
        .post(
            "/v1/links",
            r#"{"amount": 1500, "currency": "JPY", "title": "Tea"}"#,
        )
        .await
        .json();
    assert_eq!(link["locale"], "ja");
}
