//! Secrets at rest: what the API reveals once is stored only sealed (the SQLite file and its
//! WAL hold no plain text of it), a secret stored in plain text by an older linkpay is
//! sealed, and `linkpay secrets rotate` re-seals everything under a new master key.

use crate::common::{MASTER_KEYS, Origin, text};
use linkpay_origin::base::secrets::{MasterKeys, OpenError};
use linkpay_origin::services::secrets::{Reseal, reseal};
use serde_json::json;
use std::process::Command;

const NEW_KEY: &str = "m2:bmV3LW1hc3Rlci1rZXktZm9yLWxpbmtwYXktdGVzdHM";

/// Registers a webhook endpoint (then rotates its secret, keeping the old one signing) and a
/// return URL; answers their ids and every secret the API revealed.
async fn with_secrets(o: &Origin) -> (String, String, Vec<String>) {
    let endpoint = answer(
        o,
        "/v1/webhook_endpoints",
        json!({"url": "https://shop.example.com/hooks"}),
    )
    .await;
    let we = text(&endpoint["id"]).to_owned();
    let rotate = format!("/v1/webhook_endpoints/{we}/rotate_secret");
    let rotated = answer(o, &rotate, json!({"expire_previous_in": 3600})).await;
    let ru = answer(
        o,
        "/v1/return_urls",
        json!({"url": "https://shop.example.com/thanks"}),
    )
    .await;
    let secrets = [&endpoint, &rotated, &ru]
        .iter()
        .map(|v| text(&v["secret"]).to_owned())
        .collect();
    (we, text(&ru["id"]).to_owned(), secrets)
}

/// POSTs `body` and answers the object the API made or changed.
async fn answer(o: &Origin, path: &str, body: serde_json::Value) -> serde_json::Value {
    let r = o.post(path, &body.to_string()).await;
    assert!(r.status.is_success(), "{path}: {}", r.text());
    r.json()
}

/// The three stored values, as they are in the database.
async fn stored(o: &Origin, we: &str, ru: &str) -> Vec<String> {
    let (secret, previous): (String, String) =
        sqlx::query_as("SELECT secret, previous_secret FROM webhook_endpoints WHERE id = $1")
            .bind(we)
            .fetch_one(o.state.db.reader())
            .await
            .expect("endpoint");
    let (return_secret,): (String,) =
        sqlx::query_as("SELECT secret FROM return_urls WHERE id = $1")
            .bind(ru)
            .fetch_one(o.state.db.reader())
            .await
            .expect("return url");
    vec![secret, previous, return_secret]
}

fn sqlite_file(o: &Origin) -> Option<String> {
    o.state
        .config
        .database_url
        .strip_prefix("sqlite://")
        .map(str::to_owned)
}

#[tokio::test]
async fn revealed_secrets_are_stored_only_sealed() {
    let o = Origin::start().await;
    let (we, ru, secrets) = with_secrets(&o).await;
    let rows = stored(&o, &we, &ru).await;
    let keys = &o.state.config.master_keys;
    // Stored: the new endpoint secret, the rotated-out one, the return URL's.
    let wanted = [&secrets[1], &secrets[0], &secrets[2]];
    for (row, secret) in rows.iter().zip(wanted) {
        assert!(row.starts_with("lps1:m1:"), "{row}");
        assert!(!row.contains(secret.as_str()));
    }
    let place = |i: usize| {
        if i < 2 {
            format!("webhook_endpoints/{we}")
        } else {
            format!("return_urls/{ru}")
        }
    };
    for (i, secret) in wanted.iter().enumerate() {
        assert_eq!(
            keys.open(&place(i), &rows[i]).as_deref(),
            Ok(secret.as_str())
        );
    }
    // Nowhere in the database's files, the write-ahead log included.
    if let Some(file) = sqlite_file(&o) {
        let mut bytes = Vec::new();
        for f in [file.clone(), format!("{file}-wal")] {
            bytes.extend(std::fs::read(&f).unwrap_or_default());
        }
        assert!(bytes.len() > 4096, "read the database's files");
        for secret in &secrets {
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "a secret's plain text is in {file} or its WAL");
        }
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("db file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the database file is private");
    }
}

#[tokio::test]
async fn plain_text_from_before_is_sealed_and_rotation_reseals_everything() {
    let o = Origin::start().await;
    let (we, ru, secrets) = with_secrets(&o).await;
    let db = &o.state.db;
    // As an older linkpay stored it.
    sqlx::query("UPDATE return_urls SET secret = $1 WHERE id = $2")
        .bind(&secrets[2])
        .bind(&ru)
        .execute(db.writer())
        .await
        .expect("plain text");
    let m1 = &o.state.config.master_keys;
    assert_eq!(reseal(db, m1, Reseal::Plain).await.expect("seal"), 1);
    assert_eq!(reseal(db, m1, Reseal::Plain).await.expect("again"), 0);
    let rows = stored(&o, &we, &ru).await;
    let place = format!("return_urls/{ru}");
    assert_eq!(
        m1.open(&place, &rows[2]).as_deref(),
        Ok(secrets[2].as_str())
    );

    // Rotation: the new key goes first, the old one stays listed until everything is resealed.
    let rotated = MasterKeys::parse(&format!("{NEW_KEY},{MASTER_KEYS}")).expect("keys");
    assert_eq!(
        reseal(db, &rotated, Reseal::NotCurrent)
            .await
            .expect("rotate"),
        3
    );
    assert_eq!(
        reseal(db, &rotated, Reseal::NotCurrent)
            .await
            .expect("again"),
        0
    );
    let rows = stored(&o, &we, &ru).await;
    let only_new = MasterKeys::parse(NEW_KEY).expect("keys");
    assert_eq!(
        only_new.open(&place, &rows[2]).as_deref(),
        Ok(secrets[2].as_str())
    );
    assert_eq!(
        m1.open(&place, &rows[2]),
        Err(OpenError::UnknownKey("m2".into())),
        "the old key alone no longer opens anything"
    );
    for row in &rows {
        assert!(row.starts_with("lps1:m2:"), "{row}");
    }
}

#[tokio::test]
async fn the_rotate_command_reseals_and_names_a_key_that_is_missing() {
    let o = Origin::start().await;
    let (we, ru, secrets) = with_secrets(&o).await;
    let rotate = |keys: &str| {
        Command::new(env!("CARGO_BIN_EXE_linkpay"))
            .args(["secrets", "rotate"])
            .env_remove("LINKPAY_MASTER_KEYS_FILE")
            .env("LINKPAY_MASTER_KEYS", keys)
            .env("DATABASE_URL", &o.state.config.database_url)
            .output()
            .expect("linkpay runs")
    };
    // Without the key that sealed them, nothing is rewritten and the row is named.
    let out = rotate(NEW_KEY);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("webhook_endpoints.secret of {we}"))
            && stderr.contains("master key \"m1\""),
        "{stderr}"
    );
    assert!(
        stored(&o, &we, &ru)
            .await
            .iter()
            .all(|r| r.starts_with("lps1:m1:"))
    );

    let out = rotate(&format!("{NEW_KEY},{MASTER_KEYS}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Re-sealed 3 stored secret(s) under master key \"m2\""),
        "{stdout}"
    );
    for output in [&out.stdout, &out.stderr] {
        let printed = String::from_utf8_lossy(output);
        assert!(
            secrets.iter().all(|s| !printed.contains(s.as_str())),
            "{printed}"
        );
    }
    let rows = stored(&o, &we, &ru).await;
    let only_new = MasterKeys::parse(NEW_KEY).expect("keys");
    let place = format!("webhook_endpoints/{we}");
    assert_eq!(
        only_new.open(&place, &rows[0]).as_deref(),
        Ok(secrets[1].as_str())
    );
}

#[tokio::test]
async fn provider_credentials_are_stored_only_sealed_and_rotation_reseals_them() {
    use linkpay_e2e::fake_gmopg::FakeGmoPg;
    use linkpay_e2e::fake_linepay::FakeLinePay;
    use linkpay_e2e::fake_stripe::FakeStripe;
    let stripe = FakeStripe::start().await;
    let gmo = FakeGmoPg::start().await;
    let channel_secret = "line-pay-channel-secret-8f3a";
    let line = FakeLinePay::start("1656946528", channel_secret).await;
    let o = Origin::start_with(&[
        ("LINKPAY_STRIPE_API_URL", stripe.base_url()),
        ("LINKPAY_GMOPG_TEST_API_URL", &gmo.base_url),
        ("LINKPAY_LINEPAY_TEST_API_URL", &line.base_url),
    ])
    .await;
    let account = stripe.add_account(false);
    let whsec = stripe.register_webhook(&account, "capture://x");
    let shop = gmo.add_shop();
    answer(
        &o,
        "/v1/provider_accounts",
        json!({"provider": "stripe", "credentials": {"secret_key": account.secret_key, "webhook_secret": whsec}}),
    )
    .await;
    answer(
        &o,
        "/v1/provider_accounts",
        json!({"provider": "gmopg", "credentials": {"shop_id": shop.shop_id, "shop_pass": shop.shop_pass, "config_id": shop.config_id}}),
    )
    .await;
    answer(
        &o,
        "/v1/provider_accounts",
        json!({"provider": "linepay", "credentials": {"channel_id": line.channel_id, "channel_secret": channel_secret}}),
    )
    .await;
    let secrets = [
        account.secret_key.clone(),
        whsec,
        shop.shop_pass.clone(),
        channel_secret.to_owned(),
    ];
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, credentials FROM provider_accounts ORDER BY id")
            .fetch_all(o.state.db.reader())
            .await
            .expect("accounts");
    assert_eq!(rows.len(), 3);
    for (_, sealed) in &rows {
        assert!(sealed.starts_with("lps1:m1:"), "{sealed}");
        assert!(secrets.iter().all(|s| !sealed.contains(s.as_str())));
    }
    if let Some(file) = sqlite_file(&o) {
        let mut bytes = Vec::new();
        for f in [file.clone(), format!("{file}-wal")] {
            bytes.extend(std::fs::read(&f).unwrap_or_default());
        }
        for secret in &secrets {
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "a credential's plain text is in {file} or its WAL");
        }
    }
    // Rotation re-seals them under the new key, and they still open to the same credentials.
    let rotated = MasterKeys::parse(&format!("{NEW_KEY},{MASTER_KEYS}")).expect("keys");
    reseal(&o.state.db, &rotated, Reseal::NotCurrent)
        .await
        .expect("reseal");
    let after: Vec<(String, String)> =
        sqlx::query_as("SELECT id, credentials FROM provider_accounts ORDER BY id")
            .fetch_all(o.state.db.reader())
            .await
            .expect("accounts");
    for (id, sealed) in &after {
        assert!(sealed.starts_with("lps1:m2:"), "{sealed}");
        let opened = rotated
            .open(&format!("provider_accounts/{id}"), sealed)
            .expect("opens under the new key");
        assert!(secrets.iter().any(|s| opened.contains(s.as_str())));
    }
}
