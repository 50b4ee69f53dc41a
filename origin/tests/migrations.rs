//! A database made by the previous release is upgraded in place, with its data intact.
//! Runs on SQLite, and on PostgreSQL with LINKPAY_TEST_DATABASE=postgres.

use crate::common;

use linkpay_origin::db::Db;
use sqlx::migrate::Migrator;
use std::borrow::Cow;
use std::path::Path;

/// Applies only the first migration (the schema of the walking skeleton).
async fn at_version_1(url: &str, dir: &str) {
    let all = Migrator::new(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .await
        .expect("migrations");
    let first = Migrator {
        migrations: Cow::Owned(vec![all.migrations[0].clone()]),
        ..all
    };
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.expect("connect");
    first.run(&pool).await.expect("migration 1");
    for sql in [
        "INSERT INTO merchants (id, name, created_at) VALUES ('mch_1', 'Shop', 1)",
        "INSERT INTO links (id, merchant_id, livemode, amount, currency, title, reference, single_use, locale, expires_at, kid, token, status, paid_count, reserved_charge_id, reserved_until, created_at)
         VALUES ('lnk_single', 'mch_1', 0, 1500, 'JPY', 'Tea', 'INV-1', 1, 'ja', 4000000000, 'k1', 't1', 'active', 0, 'ch_pending', 3000000000, 2)",
        "INSERT INTO links (id, merchant_id, livemode, amount, currency, title, single_use, locale, expires_at, kid, token, status, paid_count, created_at)
         VALUES ('lnk_multi', 'mch_1', 0, 500, 'USD', 'Tip', 0, 'en', 4000000000, 'k1', 't2', 'active', 3, 3)",
        "INSERT INTO charges (id, link_id, merchant_id, livemode, amount, currency, status, provider, created_at, updated_at)
         VALUES ('ch_pending', 'lnk_single', 'mch_1', 0, 1500, 'JPY', 'pending', 'sandbox', 5, 5)",
        "INSERT INTO charges (id, link_id, merchant_id, livemode, amount, currency, status, provider, created_at, updated_at)
         VALUES ('ch_paid', 'lnk_multi', 'mch_1', 0, 500, 'USD', 'succeeded', 'sandbox', 6, 6)",
    ] {
        sqlx::query(sql).execute(&pool).await.expect(sql);
    }
    pool.close().await;
}

/// id, amount, usage_limit, source, metadata
type LinkRow = (String, Option<i64>, Option<i64>, String, String);

#[tokio::test]
async fn version_1_databases_are_upgraded_with_their_links_and_charges() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (url, dir) = if common::testing_postgres() {
        (
            linkpay_e2e::fresh_postgres_database().await,
            "migrations/postgres",
        )
    } else {
        (
            format!("sqlite://{}/old.db?mode=rwc", tmp.path().display()),
            "migrations/sqlite",
        )
    };
    at_version_1(&url, dir).await;
    let db = Db::open(&url).await.expect("upgrade");
    let links: Vec<LinkRow> =
        sqlx::query_as("SELECT id, amount, usage_limit, source, metadata FROM links ORDER BY id")
            .fetch_all(db.reader())
            .await
            .expect("links");
    assert_eq!(
        links,
        vec![
            (
                "lnk_multi".into(),
                Some(500),
                None,
                "api".into(),
                "{}".into()
            ),
            (
                "lnk_single".into(),
                Some(1500),
                Some(1),
                "api".into(),
                "{}".into()
            ),
        ]
    );
    let charges: Vec<(String, Option<i64>, Option<String>)> =
        sqlx::query_as("SELECT id, reserved_until, reference FROM charges ORDER BY id")
            .fetch_all(db.reader())
            .await
            .expect("charges");
    assert_eq!(
        charges,
        vec![
            ("ch_paid".into(), None, None),
            // The link's hold moved onto its charge; the link's reference onto its charges.
            (
                "ch_pending".into(),
                Some(3_000_000_000),
                Some("INV-1".into())
            ),
        ]
    );
    let (paid,): (i64,) = sqlx::query_as("SELECT paid_count FROM links WHERE id = 'lnk_multi'")
        .fetch_one(db.reader())
        .await
        .expect("paid_count");
    assert_eq!(paid, 3);
}
