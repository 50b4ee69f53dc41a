//! The schema's migrations, one source for both databases.
//!
//! `migrations/sqlite` holds every migration. PostgreSQL runs the same SQL with its 64-bit
//! integer type spelled out (`INTEGER` → `BIGINT`; SQLite's INTEGER is 64-bit already), except
//! where `migrations/postgres` holds a file of the same version: that one is written for
//! PostgreSQL and used as it is (a table rebuilt differently, another column type, a comment).
//!
//! sqlx records each applied migration's checksum and refuses a database whose migrations
//! changed since, so a derived migration must come out byte for byte as it always has: the
//! tests pin every version's checksum for both databases.

use super::db::Backend;
use sqlx::migrate::{Migration, Migrator};
use std::borrow::Cow;
use std::sync::LazyLock;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
/// Only the versions PostgreSQL cannot take as derived from SQLite's.
static POSTGRES_OWN: Migrator = sqlx::migrate!("./migrations/postgres");

static POSTGRES: LazyLock<Migrator> = LazyLock::new(|| {
    let migrations: Vec<Migration> = SQLITE
        .iter()
        .map(
            |m| match POSTGRES_OWN.iter().find(|own| own.version == m.version) {
                Some(own) => own.clone(),
                None => Migration::new(
                    m.version,
                    m.description.clone(),
                    m.migration_type,
                    Cow::Owned(for_postgres(&m.sql)),
                    m.no_tx,
                ),
            },
        )
        .collect();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
});

/// Every migration, in order, as `backend` runs them.
pub fn migrator(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    }
}

/// SQLite's SQL for PostgreSQL: the word `INTEGER` (not part of a longer name) becomes `BIGINT`.
fn for_postgres(sql: &str) -> String {
    const FROM: &str = "INTEGER";
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(sql.len() + sql.len() / 32);
    let mut rest = sql;
    while let Some(at) = rest.find(FROM) {
        let (before, after) = (&rest[..at], &rest[at + FROM.len()..]);
        let standalone = !before.ends_with(is_name) && !after.starts_with(is_name);
        out.push_str(before);
        out.push_str(if standalone { "BIGINT" } else { FROM });
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::for_postgres;

    #[test]
    fn only_the_standalone_word_integer_is_translated() {
        assert_eq!(
            for_postgres("a INTEGER NOT NULL,\n b INTEGER)"),
            "a BIGINT NOT NULL,\n b BIGINT)"
        );
        assert_eq!(
            for_postgres("INTEGERS x_INTEGER INTEGER_y integer INTEGER"),
            "INTEGERS x_INTEGER INTEGER_y integer BIGINT"
        );
    }
}
