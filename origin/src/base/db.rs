//! The database: an embedded SQLite file by default, PostgreSQL when `DATABASE_URL` says
//! `postgres://…` (several origin instances behind a load balancer share it).
//!
//! Queries are written once, in SQL both understand (`$1` placeholders, integer flags), and run
//! through sqlx's `Any` driver. Where the two differ (claiming queued work), callers ask
//! [`Db::backend`].
//!
//! SQLite allows one writer at a time. Rather than let concurrent transactions collide and
//! retry on SQLITE_BUSY, all SQLite writes go through a one-connection pool, so they queue
//! in-process in order; reads use a separate pool and run in parallel (WAL mode). PostgreSQL
//! uses one pool for both, and its row locks do the rest.

use super::migrations;
use sqlx::any::{AnyPoolOptions, AnyTypeInfo};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Decode, Transaction, Type};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    backend: Backend,
    writer: AnyPool,
    reader: AnyPool,
}

pub type Tx = Transaction<'static, Any>;

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "DATABASE_URL {0:?} is not supported: use sqlite://path/to/file.db or postgres://user:password@host:port/database"
    )]
    Unsupported(String),
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot create the database file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "cannot connect to the database at {url}: {source}. Check DATABASE_URL and that the database server is running."
    )]
    Connect { url: String, source: sqlx::Error },
    #[error(
        "the database at {url} has schema version {found}, newer than this linkpay knows (up to {known}). \
         Nothing was changed. Run the linkpay release that wrote it, or a newer one."
    )]
    NewerSchema { url: String, found: i64, known: i64 },
    #[error("cannot apply migrations to {url}: {source}")]
    Migrate {
        url: String,
        source: sqlx::migrate::MigrateError,
    },
}

impl Db {
    /// Opens (and, for SQLite, creates) the database and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Db, OpenError> {
        sqlx::any::install_default_drivers();
        let shown = redact(url);
        let connect = |source| OpenError::Connect {
            url: shown.clone(),
            source,
        };
        let (backend, writer, reader, checkpointer) =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect(url)
                    .await
                    .map_err(connect)?;
                (Backend::Postgres, pool.clone(), pool, None)
            } else if let Some(path) = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
            {
                let file = path.split('?').next().unwrap_or(path);
                if let Some(dir) = std::path::Path::new(file)
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(dir).map_err(|source| OpenError::Folder {
                        path: dir.display().to_string(),
                        source,
                    })?;
                }
                create_private(file).map_err(|source| OpenError::File {
                    path: file.to_owned(),
                    source,
                })?;
                let url = format!("sqlite://{file}?mode=rwc");
                let writer = sqlite_pool(&url, 1, Role::Writer).await.map_err(connect)?;
                let reader = sqlite_pool(&url, 8, Role::Reader).await.map_err(connect)?;
                let checkpointer = sqlite_pool(&url, 1, Role::Checkpointer)
                    .await
                    .map_err(connect)?;
                (Backend::Sqlite, writer, reader, Some(checkpointer))
            } else {
                return Err(OpenError::Unsupported(redact(url)));
            };
        let migrator = migrations::migrator(backend);
        refuse_newer_schema(&writer, migrator, &shown).await?;
        migrator
            .run(&writer)
            .await
            .map_err(|source| OpenError::Migrate {
                url: shown.clone(),
                source,
            })?;
        // Only once the schema is known good: a refused database is left untouched.
        if let Some(pool) = checkpointer {
            spawn_checkpointer(pool);
        }
        Ok(Db {
            backend,
            writer,
            reader,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.writer.begin().await
    }

    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    pub fn reader(&self) -> &AnyPool {
        &self.reader
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Writer,
    Reader,
    Checkpointer,
}

async fn sqlite_pool(url: &str, max: u32, role: Role) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(30))
        // The default ping before every acquire checks nothing for an in-process database and
        // costs a round trip to the connection's thread on every query.
        .test_before_acquire(false)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                use sqlx::Executor;
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                )
                .await?;
                match role {
                    Role::Reader => conn.execute("PRAGMA query_only = ON;").await.map(drop)?,
                    // Checkpoints fsync, and an automatic one runs inside the commit that
                    // crosses the threshold, stalling every write queued behind it; the
                    // checkpointer does them off the write path instead.
                    Role::Writer => conn
                        .execute("PRAGMA wal_autocheckpoint = 0;")
                        .await
                        .map(drop)?,
                    Role::Checkpointer => {}
                }
                Ok(())
            })
        })
        .connect(url)
        .await
}

/// Copies the WAL into the database file about once a second, on its own connection, without
/// waiting for readers or blocking the writer (`PASSIVE`), so the WAL stays small.
fn spawn_checkpointer(pool: AnyPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
            }
        }
    });
}

/// A database migrated by a newer linkpay must not be touched by an older one: its tables may
/// mean something this binary does not know.
async fn refuse_newer_schema(
    pool: &AnyPool,
    migrator: &Migrator,
    url: &str,
) -> Result<(), OpenError> {
    let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    // No table yet (a new database) reads as version 0.
    let found: Option<(Option<i64>,)> = sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_optional(pool)
        .await
        .unwrap_or(None);
    let found = found.and_then(|(v,)| v).unwrap_or(0);
    if found > known {
        return Err(OpenError::NewerSchema {
            url: url.to_owned(),
            found,
            known,
        });
    }
    Ok(())
}

/// The row of `table` with this `id` if it belongs to `merchant_id` (another merchant's is
/// `None`), as `T`, from the `columns` it is read from; `and` narrows it further (`TRUE` for
/// nothing more).
pub async fn owned_row<'e, T>(
    db: impl sqlx::Executor<'e, Database = Any>,
    (table, columns): (&str, &str),
    and: &str,
    merchant_id: &str,
    id: &str,
) -> Result<Option<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    sqlx::query_as(&format!(
        "SELECT {columns} FROM {table} WHERE id = $1 AND merchant_id = $2 AND {and}"
    ))
    .bind(id)
    .bind(merchant_id)
    .fetch_optional(db)
    .await
}

/// Creates a new SQLite file that only its owner can read and write (SQLite gives the `-wal`
/// and `-shm` files the database's own mode): it holds merchants' and buyers' data. A file
/// that others can read is used as it is, with a warning.
fn create_private(file: &str) -> std::io::Result<()> {
    if file.is_empty() || file.starts_with(':') {
        return Ok(()); // in memory
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(file)?.permissions().mode() & 0o7777;
                if mode & 0o077 != 0 {
                    tracing::warn!(
                        file,
                        mode = format!("{mode:04o}"),
                        "other users can read the database file; run chmod 600 on it (and its -wal and -shm files)"
                    );
                }
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].find(':') {
            Some(colon) => format!(
                "{}{}:***{}",
                &url[..scheme_end],
                &rest[..colon],
                &rest[at..]
            ),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// A boolean stored as 0/1 in an integer column: the one representation that both SQLite and
/// PostgreSQL hand to sqlx's `Any` driver the same way. Bind with `i64::from(bool)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0
    }
}

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <i64 as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <i64 as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(
        value: <Any as sqlx::Database>::ValueRef<'r>,
    ) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Flag(<i64 as Decode<Any>>::decode(value)? != 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://lp:s3cret@db:5432/linkpay"),
            "postgres://lp:***@db:5432/linkpay"
        );
        assert_eq!(
            redact("postgres://lp@db/linkpay"),
            "postgres://lp@db/linkpay"
        );
        assert_eq!(
            redact("sqlite://.linkpay/linkpay.db"),
            "sqlite://.linkpay/linkpay.db"
        );
        assert_eq!(
            redact("postgres://u:p@h/db?x=a@b"),
            "postgres://u:***@h/db?x=a@b"
        );
    }
}
