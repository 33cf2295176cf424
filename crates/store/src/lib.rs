//! Hourbook's storage: the only crate that talks to the database.
//!
//! The same code runs on SQLite (embedded default) and PostgreSQL (production). Writes that
//! must not race (capacity, waitlist order, ledger chains) take a row lock by updating a
//! counter on the row they protect: on PostgreSQL that row lock serialises the transactions,
//! on SQLite the write transaction (begun IMMEDIATE) already does.

mod entities;

pub mod accounts;
pub mod certificates;
pub mod claims;
pub mod demo;
pub mod disputes;
pub mod erasure;
pub mod events;
pub mod idempotency;
pub mod ledger;
pub mod ledger_check;
pub mod matching;
pub mod organizations;
pub mod outbox;
pub mod page;
pub mod policies;
pub mod profiles;
pub mod records;
pub mod requirements;
pub mod shift_changes;
pub mod shifts;
pub mod signups;

use hourbook_domain::DomainError;
use hourbook_migrations::MigratorTrait;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::time::Duration;

pub use hourbook_domain as domain;
pub use sea_orm::DbErr as DatabaseError;

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A domain rule refused the change.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The named thing does not exist (or the caller may not know it exists).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The caller may not do this.
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    /// Stored data could not be read back (a bug or a hand-edited row).
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// A conflict between concurrent transactions that the database resolved by aborting one
    /// of them (PostgreSQL deadlock or serialization failure, SQLite's stale WAL snapshot):
    /// running the whole transaction again is the right answer.
    pub fn is_transient(&self) -> bool {
        use sea_orm::RuntimeErr;
        let StoreError::Database(
            DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)),
        ) = self
        else {
            return false;
        };
        match e.as_database_error().and_then(|d| d.code()) {
            // SQLite's plain SQLITE_BUSY (5) is not here: it only surfaces after the busy
            // timeout has already waited, and waiting all over again helps nobody.
            Some(code) => matches!(code.as_ref(), "40P01" | "40001" | "517"),
            None => false,
        }
    }
}

/// Runs a write transaction again (a few times, with a short random pause) when the database
/// aborted it to break a deadlock. Every attempt starts from scratch, so a retry sees the state
/// the winner left behind.
pub(crate) async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    use rand::Rng;
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(e) if e.is_transient() && tries < 5 => {
                tries += 1;
                let pause = rand::thread_rng().gen_range(5..30u64) * tries;
                tracing::debug!(error = %e, tries, "retrying a transaction the database aborted");
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            result => return result,
        }
    }
}

/// Result alias for store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// A conflict with the current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        StoreError::Domain(DomainError::Conflict(message.into()))
    }
}

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    pub url: String,
    /// Pool size.
    pub max_connections: u32,
    /// How long to wait for a connection (and, on SQLite, for the write lock).
    pub acquire_timeout: Duration,
}

/// A handle on the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Connects (creating the SQLite file and its directory if needed).
    pub async fn connect(settings: &DatabaseSettings) -> Result<Self> {
        if let Some(path) = sqlite_path(&settings.url)
            && let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut options = ConnectOptions::new(settings.url.clone());
        options
            .max_connections(settings.max_connections)
            .min_connections(1)
            .acquire_timeout(settings.acquire_timeout)
            .connect_timeout(settings.acquire_timeout)
            .sqlx_logging(false);
        let busy_timeout = settings.acquire_timeout;
        // WAL lets readers run beside the single writer; the busy timeout makes a second
        // writer wait for the lock instead of failing at once.
        options.map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(busy_timeout)
                .foreign_keys(true)
                .create_if_missing(true)
        });
        let db = Database::connect(options).await?;
        Ok(Self { db })
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<()> {
        hourbook_migrations::Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }

    /// Which database this is.
    pub fn backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    /// The raw connection, for the few callers that need it (tests that tamper with rows).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes would fail with
    /// SQLITE_BUSY when another writer got there first, instead of waiting.
    pub(crate) async fn write(&self) -> Result<DatabaseTransaction> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.db.begin_with_options(options).await?)
    }

    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.db
    }
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Parses a stored UUID string.
pub(crate) fn parse_id(raw: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(raw).map_err(|_| StoreError::Corrupt(format!("bad id '{raw}'")))
}

/// Parses a stored JSON column.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("bad JSON column: {e}")))
}

/// Serialises a value for a JSON column; our column types always serialise.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// Parses a stored enum name.
pub(crate) fn parse_name<T: std::str::FromStr>(raw: &str) -> Result<T> {
    raw.parse()
        .map_err(|_| StoreError::Corrupt(format!("unknown stored value '{raw}'")))
}

/// Times are kept to the second: every database stores them alike and hashes stay stable.
pub(crate) fn seconds(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    t.trunc_subsecs(0)
}

/// Commits and hands back the value. An early `?` return instead drops the transaction
/// uncommitted, which rolls it back: a failed request leaves nothing behind.
pub(crate) async fn commit<T>(txn: DatabaseTransaction, value: T) -> Result<T> {
    txn.commit().await?;
    Ok(value)
}

/// A stored count as unsigned; the schema never holds negative counts, so 0 is a safe floor.
pub(crate) fn non_negative(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn finds_the_sqlite_file_in_a_url() {
        assert_eq!(
            sqlite_path("sqlite://data/hourbook.db?mode=rwc"),
            Some("data/hourbook.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://localhost/x"), None);
    }
}
