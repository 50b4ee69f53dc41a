//! A database made by the previous release is upgraded in place, with its data intact.
//! Runs on SQLite, and on PostgreSQL with LINKPAY_TEST_DATABASE=postgres.

use crate::common;

use linkpay_origin::base::db::{Backend, Db};
use linkpay_origin::base::migrations::migrator;
use sqlx::migrate::Migrator;
use std::borrow::Cow;

/// Applies only the first migration (the schema of the walking skeleton).
async fn at_version_1(url: &str, backend: Backend) {
    let all = migrator(backend);
    let first = Migrator {
        migrations: Cow::Owned(vec![all.migrations[0].clone()]),
        ..Migrator::DEFAULT
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
    let (url, backend) = if common::testing_postgres() {
        (
            linkpay_e2e::fresh_postgres_database().await,
            Backend::Postgres,
        )
    } else {
        (
            format!("sqlite://{}/old.db?mode=rwc", tmp.path().display()),
            Backend::Sqlite,
        )
    };
    at_version_1(&url, backend).await;
    let db = Db::open(&url).await.expect("upgrade");
    let links: Vec<LinkRow> =
        sqlx::query_as("SELECT id, amount, usage_limit, source, metadata FROM links ORDER BY id")
            .fetch_all(db.reader())
            .await
            .expect("links");
    // Made through the API before there were sources or metadata.
    let api_link = |id: &str, amount, usage_limit| -> LinkRow {
        (
            id.into(),
            Some(amount),
            usage_limit,
            "api".into(),
            "{}".into(),
        )
    };
    assert_eq!(
        links,
        vec![
            api_link("lnk_multi", 500, None),
            api_link("lnk_single", 1500, Some(1)),
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

/// One table's shape, in terms both databases share: its columns with a portable type,
/// nullability, default and primary-key membership, and its indexes. Column order is left
/// out: a SQLite table rebuilt by a migration lists them in another order than PostgreSQL's
/// `ADD COLUMN`, and linkpay names every column it reads.
#[derive(Debug, PartialEq, Eq)]
struct Table {
    columns: std::collections::BTreeSet<Column>,
    indexes: std::collections::BTreeSet<Index>,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    name: String,
    kind: &'static str,
    not_null: bool,
    default: Option<String>,
    primary_key: bool,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Index {
    name: String,
    columns: Vec<String>,
    unique: bool,
    /// The `WHERE` of a partial index, without spaces or parentheses, lower case.
    predicate: Option<String>,
}

type Schema = std::collections::BTreeMap<String, Table>;

/// INTEGER/BIGINT, TEXT, BLOB, REAL: the four kinds the twins map onto each other.
fn portable_kind(declared: &str) -> &'static str {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "int" | "smallint" | "int8" | "int4" => "integer",
        "text" | "character varying" | "varchar" => "text",
        "blob" | "bytea" => "blob",
        "real" | "double precision" | "float8" => "real",
        other => panic!("a column type the twins do not map: {other}"),
    }
}

/// `'active'::text` → `'active'`; a PostgreSQL sequence default and SQLite's rowid alias both
/// read as `autoincrement`.
fn portable_default(default: Option<String>) -> Option<String> {
    let d = default?;
    if d.starts_with("nextval(") {
        return Some("autoincrement".into());
    }
    let d = match d.find("::") {
        Some(i) if !d[..i].contains('\'') || d[..i].ends_with('\'') => d[..i].to_owned(),
        _ => d,
    };
    Some(d.trim_matches(|c| c == '(' || c == ')').to_owned())
}

fn portable_predicate(sql: &str) -> String {
    sql.chars()
        .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
        .collect::<String>()
        .to_ascii_lowercase()
        .replace("::text", "")
}

async fn sqlite_schema(pool: &sqlx::AnyPool) -> Schema {
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'
          AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    let mut schema = Schema::new();
    for (table, create) in tables {
        let autoincrement = create.to_ascii_uppercase().contains("AUTOINCREMENT");
        let rows: Vec<(String, String, i64, Option<String>, i64)> = sqlx::query_as(&format!(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .fetch_all(pool)
        .await
        .expect("columns");
        let columns = rows
            .into_iter()
            .map(|(name, kind, not_null, default, pk)| Column {
                name,
                kind: portable_kind(&kind),
                // A primary key is never null in PostgreSQL; SQLite only enforces it for
                // INTEGER keys but linkpay never stores one.
                not_null: not_null == 1 || pk > 0,
                default: if autoincrement && pk > 0 {
                    Some("autoincrement".into())
                } else {
                    portable_default(default)
                },
                primary_key: pk > 0,
            })
            .collect();
        let listed: Vec<(String, i64, String)> = sqlx::query_as(&format!(
            "SELECT name, \"unique\", origin FROM pragma_index_list('{table}') ORDER BY name"
        ))
        .fetch_all(pool)
        .await
        .expect("indexes");
        let mut indexes = std::collections::BTreeSet::new();
        for (name, unique, origin) in listed {
            if origin == "pk" {
                continue;
            }
            let cols: Vec<(String,)> = sqlx::query_as(&format!(
                "SELECT name FROM pragma_index_info('{name}') ORDER BY seqno"
            ))
            .fetch_all(pool)
            .await
            .expect("index columns");
            let (sql,): (Option<String>,) =
                sqlx::query_as("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1")
                    .bind(&name)
                    .fetch_one(pool)
                    .await
                    .expect("index sql");
            let predicate = sql.and_then(|s| {
                let upper = s.to_ascii_uppercase();
                upper
                    .find(" WHERE ")
                    .map(|i| portable_predicate(&s[i + 7..]))
            });
            indexes.insert(Index {
                // A UNIQUE constraint's index has a generated name in each database.
                name: if origin == "u" { String::new() } else { name },
                columns: cols.into_iter().map(|(c,)| c).collect(),
                unique: unique == 1,
                predicate,
            });
        }
        schema.insert(table, Table { columns, indexes });
    }
    schema
}

async fn postgres_schema(pool: &sqlx::AnyPool) -> Schema {
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name::text FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'
          ORDER BY table_name",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    let mut schema = Schema::new();
    for (table,) in tables {
        let pk: Vec<(String,)> = sqlx::query_as(
            "SELECT a.attname::text FROM pg_index i
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
              WHERE i.indrelid = $1::regclass AND i.indisprimary",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .expect("primary key");
        let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text, is_nullable::text, column_default::text
               FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .expect("columns");
        let columns = rows
            .into_iter()
            .map(|(name, kind, nullable, default)| Column {
                primary_key: pk.iter().any(|(p,)| *p == name),
                name,
                kind: portable_kind(&kind),
                not_null: nullable == "NO",
                default: portable_default(default),
            })
            .collect();
        let listed: Vec<(String, bool, bool, Option<String>, String)> = sqlx::query_as(
            "SELECT c.relname::text, i.indisunique, EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid),
                    pg_get_expr(i.indpred, i.indrelid), pg_get_indexdef(i.indexrelid)
               FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
              WHERE i.indrelid = $1::regclass AND NOT i.indisprimary ORDER BY c.relname",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .expect("indexes");
        let mut indexes = std::collections::BTreeSet::new();
        for (name, unique, constraint, predicate, def) in listed {
            // `CREATE [UNIQUE] INDEX name ON public.t USING btree (a, b) [WHERE …]`
            let cols = def
                .split_once(" (")
                .and_then(|(_, rest)| rest.split_once(')'))
                .map(|(cols, _)| cols.split(", ").map(str::to_owned).collect())
                .expect("index columns");
            indexes.insert(Index {
                name: if constraint { String::new() } else { name },
                columns: cols,
                unique,
                predicate: predicate.as_deref().map(portable_predicate),
            });
        }
        schema.insert(table, Table { columns, indexes });
    }
    schema
}

/// What only one side has, said as `table: only SQLite has …`.
fn one_sided<T: Ord + std::fmt::Debug>(
    table: &str,
    sqlite: &std::collections::BTreeSet<T>,
    postgres: &std::collections::BTreeSet<T>,
) -> Vec<String> {
    sqlite
        .symmetric_difference(postgres)
        .map(|x| {
            let side = if sqlite.contains(x) {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            format!("{table}: only {side} has {x:?}")
        })
        .collect()
}

/// PostgreSQL's migrations are SQLite's translated, or written by hand where they must differ
/// (migrations/postgres); this keeps the two from drifting: both, fully migrated, have the same tables, columns (order, type,
/// nullability, default, primary key) and indexes (name, columns, uniqueness, predicate).
/// Needs the test PostgreSQL server whichever backend the rest of the suite runs on.
#[tokio::test]
async fn the_sqlite_and_postgres_migrations_make_the_same_schema() {
    sqlx::any::install_default_drivers();
    let tmp = tempfile::tempdir().expect("tmp");
    let sqlite_url = format!("sqlite://{}/schema.db?mode=rwc", tmp.path().display());
    let postgres_url = linkpay_e2e::fresh_postgres_database().await;
    let mut schemas = Vec::new();
    for url in [&sqlite_url, &postgres_url] {
        let db = Db::open(url).await.expect("migrate");
        schemas.push(if url.starts_with("sqlite") {
            sqlite_schema(db.reader()).await
        } else {
            postgres_schema(db.reader()).await
        });
    }
    let (sqlite, postgres) = (&schemas[0], &schemas[1]);
    assert!(
        sqlite.len() > 20,
        "the schema was read: {:?}",
        sqlite.keys()
    );
    assert_eq!(
        sqlite.keys().collect::<Vec<_>>(),
        postgres.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    let mut differences = Vec::new();
    for (name, table) in sqlite {
        let twin = &postgres[name];
        differences.extend(one_sided(name, &table.columns, &twin.columns));
        differences.extend(one_sided(name, &table.indexes, &twin.indexes));
    }
    assert!(
        differences.is_empty(),
        "the twins differ:\n{}",
        differences.join("\n")
    );
}

/// sqlx refuses to start on a database whose applied migrations have changed since, so every
/// migration, derived or written, must reach each database byte for byte as it always has.
#[test]
fn every_migration_runs_as_it_always_has() {
    let pinned: Vec<(String, i64, String)> = include_str!("migration-checksums.txt")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            let mut fields = line.split(' ');
            let mut next = || fields.next().expect("dialect version sha384").to_string();
            (next(), next().parse().expect("version"), next())
        })
        .collect();
    let actual: Vec<(String, i64, String)> =
        [("sqlite", Backend::Sqlite), ("postgres", Backend::Postgres)]
            .into_iter()
            .flat_map(|(dialect, backend)| {
                migrator(backend).iter().map(move |m| {
                    let hex: String = m.checksum.iter().map(|b| format!("{b:02x}")).collect();
                    (dialect.to_string(), m.version, hex)
                })
            })
            .collect();
    let changed: Vec<String> = actual
        .iter()
        .zip(&pinned)
        .filter(|(a, p)| a != p)
        .map(|((dialect, version, _), _)| format!("{dialect} {version}"))
        .collect();
    assert!(
        changed.is_empty() && actual.len() == pinned.len(),
        "shipped migrations must never change (write a new one instead): {changed:?} differ; \
         {} migrations run, {} pinned (a new migration adds a line per database to \
         origin/tests/migration-checksums.txt)",
        actual.len(),
        pinned.len()
    );
}
