//! Portal records in an embedded SQLite database, so installs outlive restarts.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, PoisonError, RwLock};

use rusqlite::{Connection, OptionalExtension, params};

use super::{PortalRecord, PortalStore};
use crate::Secret;

/// A [`PortalStore`] in a SQLite file. Every write is committed before it returns.
///
/// Records read are kept in memory, since every robot call is verified against one: the
/// store expects to be the only writer of its file while it is open (as the app's process
/// is), and keeps its memory in step with its own writes.
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
    /// Records known to be in the file, by member id. Unknown member ids are not kept, so
    /// that forged requests cannot fill it.
    cached: RwLock<HashMap<String, PortalRecord>>,
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
        Ok(Self { connection: Mutex::new(connection), cached: RwLock::default() })
    }

    fn remember(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, PortalRecord>> {
        self.cached.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>, String> {
        self.connection.lock().map_err(|_| "the portal store's lock is poisoned".to_owned())
    }
}

impl PortalStore for SqlitePortalStore {
    fn get(&self, member_id: &str) -> Result<Option<PortalRecord>, String> {
        if let Some(record) = self.cached.read().unwrap_or_else(PoisonError::into_inner).get(member_id) {
            return Ok(Some(record.clone()));
        }
        // Read and remember under the connection's lock, which every write holds while it
        // updates the memory too: a record is never remembered older than the file's.
        let connection = self.lock()?;
        let record = connection
            .prepare_cached(
                "SELECT member_id, domain, client_endpoint, server_endpoint, application_token, access_token, refresh_token
                 FROM portals WHERE member_id = ?1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row(params![member_id], |row| {
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
            .map_err(|e| format!("cannot read portal `{member_id}`: {e}"))?;
        if let Some(record) = &record {
            self.remember().insert(member_id.to_owned(), record.clone());
        }
        Ok(record)
    }

    fn put(&self, record: &PortalRecord) -> Result<(), String> {
        let connection = self.lock()?;
        let stored = connection
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
            .map_err(|e| format!("cannot store portal `{}`: {e}", record.member_id));
        match &stored {
            Ok(()) => self.remember().insert(record.member_id.clone(), record.clone()),
            Err(_) => self.remember().remove(&record.member_id),
        };
        stored
    }

    fn remove(&self, member_id: &str) -> Result<(), String> {
        let connection = self.lock()?;
        // Forgotten in memory whether or not the file could be written: it is read again.
        self.remember().remove(member_id);
        connection
            .execute("DELETE FROM portals WHERE member_id = ?1", params![member_id])
            .map(|_| ())
            .map_err(|e| format!("cannot remove portal `{member_id}`: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_records_follow_every_write() {
        let store = SqlitePortalStore::in_memory().unwrap();
        assert!(store.get("m1").unwrap().is_none());
        store.put(&PortalRecord::new("m1", "a.example.com", "https://a.example.com/rest/", "first")).unwrap();
        assert_eq!(store.get("m1").unwrap().unwrap().application_token.expose(), "first");
        store.put(&PortalRecord::new("m1", "a.example.com", "https://a.example.com/rest/", "second")).unwrap();
        assert_eq!(store.get("m1").unwrap().unwrap().application_token.expose(), "second");
        store.remove("m1").unwrap();
        assert!(store.get("m1").unwrap().is_none());
        assert!(store.cached.read().unwrap().is_empty(), "unknown member ids are not remembered");
    }
}
