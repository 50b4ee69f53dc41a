//! Webhook endpoints: a URL and the `whsec_` secret deliveries to it are signed with.

use crate::clock::now;
use crate::db::Db;
use crate::ids;
use linkpay_shared::webhook::WebhookSecret;
use serde_json::{Value, json};

pub struct Created {
    pub id: String,
    pub url: String,
    pub secret: String,
    pub created_at: i64,
}

impl Created {
    /// The secret is shown in this one response only.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "webhook_endpoint",
            "url": self.url,
            "secret": self.secret,
            "status": "enabled",
            "created": self.created_at,
        })
    }
}

/// Checks that `url` is an absolute http(s) URL with a host.
pub fn check_url(url: &str) -> Result<(), &'static str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("url must start with https:// (or http://)")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty()
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
        || url.len() > 2048
    {
        return Err(
            "url must be an absolute URL with a host, at most 2048 characters, without spaces",
        );
    }
    Ok(())
}

pub async fn create(db: &Db, merchant_id: &str, url: &str) -> Result<Created, sqlx::Error> {
    let created = Created {
        id: ids::new_id("we"),
        url: url.to_owned(),
        secret: WebhookSecret::from_random_bytes(ids::random_bytes()).to_whsec(),
        created_at: now(),
    };
    sqlx::query("INSERT INTO webhook_endpoints (id, merchant_id, url, secret, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&created.id)
        .bind(merchant_id)
        .bind(&created.url)
        .bind(&created.secret)
        .bind(created.created_at)
        .execute(db.writer())
        .await?;
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(check_url("https://shop.example.com/hooks").is_ok());
        assert!(check_url("http://127.0.0.1:9000/").is_ok());
        assert!(check_url("ftp://x/").is_err());
        assert!(check_url("https:///path").is_err());
        assert!(check_url("https://a b/").is_err());
        assert!(check_url("shop.example.com").is_err());
    }
}
