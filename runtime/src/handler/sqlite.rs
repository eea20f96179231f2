//! Portal records in an embedded SQLite database, so installs outlive restarts.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};

use super::{PortalRecord, PortalStore};
use crate::Secret;

/// A [`PortalStore`] in a SQLite file. Every write is committed before it returns.
///
/// ```
/// use bizproc::handler::{PortalRecord, PortalStore, SqlitePortalStore};
///
/// let dir = std::env::temp_dir().join(format!("bizproc-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("portals.db");
/// {
///     let store = SqlitePortalStore::open(&path).unwrap();
///     store.put(&PortalRecord::new("m1", "a.example.com", "https://a.example.com/rest/", "t")).unwrap();
/// }
/// let reopened = SqlitePortalStore::open(&path).unwrap();
/// assert_eq!(reopened.get("m1").unwrap().unwrap().domain, "a.example.com");
/// # std::fs::remove_dir_all(dir).unwrap();
/// ```
#[derive(Debug)]
pub struct SqlitePortalStore {
    connection: Mutex<Connection>,
}

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    CREATE TABLE IF NOT EXISTS portals (
        member_id TEXT PRIMARY KEY NOT NULL,
        domain TEXT NOT NULL,
        client_endpoint TEXT NOT NULL,
        server_endpoint TEXT NOT NULL,
        application_token TEXT NOT NULL,
        access_token TEXT NOT NULL,
        refresh_token TEXT NOT NULL
    );";

impl SqlitePortalStore {
    /// Opens (or creates) the database at `path`.
    ///
    /// # Errors
    /// Why the file could not be opened as a portal store.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, String> {
        let path = path.as_ref();
        let connection = Connection::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        Self::with_connection(connection)
    }

    /// A database in memory, gone when dropped.
    ///
    /// # Errors
    /// Why SQLite could not start.
    pub fn in_memory() -> Result<Self, String> {
        Self::with_connection(Connection::open_in_memory().map_err(|e| e.to_string())?)
    }

    fn with_connection(connection: Connection) -> Result<Self, String> {
        connection.execute_batch(SCHEMA).map_err(|e| format!("cannot set up the portal store: {e}"))?;
        Ok(Self { connection: Mutex::new(connection) })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>, String> {
        self.connection.lock().map_err(|_| "the portal store's lock is poisoned".to_owned())
    }
}

impl PortalStore for SqlitePortalStore {
    fn get(&self, member_id: &str) -> Result<Option<PortalRecord>, String> {
        let connection = self.lock()?;
        connection
            .prepare_cached(
                "SELECT member_id, domain, client_endpoint, server_endpoint, application_token, access_token, refresh_token
                 FROM portals WHERE member_id = ?1",
            )
            .and_then(|mut statement| {
                statement.query_row(params![member_id],
                |row| {
                    Ok(PortalRecord {
                        member_id: row.get(0)?,
                        domain: row.get(1)?,
                        client_endpoint: row.get(2)?,
                        server_endpoint: row.get(3)?,
                        application_token: Secret::new(row.get::<_, String>(4)?),
                        access_token: Secret::new(row.get::<_, String>(5)?),
                        refresh_token: Secret::new(row.get::<_, String>(6)?),
                    })
                })
                .optional()
            })
            .map_err(|e| format!("cannot read portal `{member_id}`: {e}"))
    }

    fn put(&self, record: &PortalRecord) -> Result<(), String> {
        let connection = self.lock()?;
        connection
            .execute(
                "INSERT INTO portals (member_id, domain, client_endpoint, server_endpoint, application_token, access_token, refresh_token)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(member_id) DO UPDATE SET domain = ?2, client_endpoint = ?3, server_endpoint = ?4,
                     application_token = ?5, access_token = ?6, refresh_token = ?7",
                params![
                    record.member_id,
                    record.domain,
                    record.client_endpoint,
                    record.server_endpoint,
                    record.application_token.expose(),
                    record.access_token.expose(),
                    record.refresh_token.expose(),
                ],
            )
            .map(|_| ())
            .map_err(|e| format!("cannot store portal `{}`: {e}", record.member_id))
    }

    fn remove(&self, member_id: &str) -> Result<(), String> {
        let connection = self.lock()?;
        connection
            .execute("DELETE FROM portals WHERE member_id = ?1", params![member_id])
            .map(|_| ())
            .map_err(|e| format!("cannot remove portal `{member_id}`: {e}"))
    }
}
