//! The origin refuses to start on a database it cannot reach or does not understand, says
//! which, and changes nothing.

use linkpay_e2e::{fresh_postgres_database, linkpay_binary, origin_env, postgres_admin_url};
use std::process::Output;

async fn serve(database_url: &str) -> Output {
    tokio::process::Command::new(linkpay_binary())
        .arg("serve")
        .envs(origin_env(
            database_url,
            linkpay_e2e::free_port(),
            "http://edge.invalid",
        ))
        .kill_on_drop(true)
        .output()
        .await
        .expect("run linkpay")
}

/// Starts a server, waits until it is up, and stops it: the database is then migrated.
async fn migrate(database_url: &str) {
    let port = linkpay_e2e::free_port();
    let mut child = tokio::process::Command::new(linkpay_binary())
        .arg("serve")
        .envs(origin_env(database_url, port, "http://edge.invalid"))
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("run linkpay");
    let http = linkpay_e2e::http_client();
    for _ in 0..100 {
        if http
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    child.kill().await.expect("stop");
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn an_unreachable_database_is_named_without_its_password() {
    let port = linkpay_e2e::free_port(); // nothing listens here
    let out = serve(&format!(
        "postgres://linkpay:hunter2@127.0.0.1:{port}/linkpay"
    ))
    .await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("cannot connect to the database at postgres://linkpay:***@127.0.0.1"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    let out = serve("mysql://x/y").await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not supported"), "{}", stderr(&out));
}

/// `empty_bytes` is the dialect's literal for a one-byte blob (sqlx stores a checksum there).
async fn refuses_a_newer_schema(
    database_url: &str,
    empty_bytes: &str,
    query: impl AsyncFn(&str) -> i64,
) {
    migrate(database_url).await;
    let merchants_before = query("SELECT COUNT(*) FROM merchants").await;
    assert_eq!(merchants_before, 1);
    query(&format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from the future', TRUE, {empty_bytes}, 1) RETURNING CAST(1 AS BIGINT)"
    ))
    .await;
    let migrations_before = query("SELECT COUNT(*) FROM _sqlx_migrations").await;
    let out = serve(database_url).await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("schema version 99990101000000, newer than this linkpay knows"),
        "{err}"
    );
    assert!(err.contains("Nothing was changed"), "{err}");
    assert_eq!(
        query("SELECT COUNT(*) FROM _sqlx_migrations").await,
        migrations_before
    );
    assert_eq!(
        query("SELECT COUNT(*) FROM merchants").await,
        merchants_before
    );
}

#[tokio::test]
async fn a_newer_schema_is_refused_on_postgres() {
    let _ = postgres_admin_url();
    let db = fresh_postgres_database().await;
    let url = db.clone();
    refuses_a_newer_schema(&db, "'\\x00'::bytea", async move |sql: &str| {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&mut conn).await.expect(sql);
        n
    })
    .await;
}

#[tokio::test]
async fn a_newer_schema_is_refused_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/linkpay.db", dir.path().display());
    let conn_url = url.clone();
    refuses_a_newer_schema(&url, "X'00'", async move |sql: &str| {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&conn_url)
            .await
            .expect("connect");
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&mut conn).await.expect(sql);
        n
    })
    .await;
}
