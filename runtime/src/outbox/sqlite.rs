//! An outbox in an embedded SQLite database, so pending results outlive the process.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{AcceptedCall, Delivery, DeliveryState, NewDelivery, Outbox, OutboxError, Stats};

/// An [`Outbox`] in a SQLite file (write-ahead log, `synchronous = FULL`): every write is
/// committed before it returns, so a result recorded before a crash is delivered after the
/// restart.
///
/// ```
/// use bizproc::outbox::{NewDelivery, Outbox, SqliteOutbox};
///
/// let dir = std::env::temp_dir().join(format!("bizproc-outbox-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("outbox.db");
/// {
///     let outbox = SqliteOutbox::open(&path).unwrap();
///     outbox.enqueue(&NewDelivery::new("m1", "https://a.example.com/rest/", "t1", serde_json::json!({"x": 1}))).unwrap();
/// }
/// let reopened = SqliteOutbox::open(&path).unwrap();
/// assert_eq!(reopened.due(i64::MAX, 10).unwrap()[0].return_values, serde_json::json!({"x": 1}));
/// # std::fs::remove_dir_all(dir).unwrap();
/// ```
#[derive(Debug)]
pub struct SqliteOutbox {
    connection: Mutex<Connection>,
}

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_token TEXT NOT NULL UNIQUE,
        member_id TEXT NOT NULL,
        client_endpoint TEXT NOT NULL,
        return_values TEXT NOT NULL,
        log_message TEXT,
        deadline INTEGER,
        created_at INTEGER NOT NULL,
        state INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        retried INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms INTEGER NOT NULL,
        last_error TEXT,
        finished_ms INTEGER
    );
    CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_ms, id);
    CREATE TABLE IF NOT EXISTS accepted_calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_token TEXT NOT NULL UNIQUE,
        robot TEXT NOT NULL,
        body BLOB NOT NULL,
        content_type TEXT,
        received_at_ms INTEGER NOT NULL
    );";

const COLUMNS: &str = "id, member_id, client_endpoint, event_token, return_values, log_message, deadline, created_at, \
                       state, attempts, next_attempt_ms, last_error";

const PENDING: i64 = 0;
const DELIVERED: i64 = 1;
const DEAD_LETTER: i64 = 2;

fn error(what: &str) -> impl FnOnce(rusqlite::Error) -> OutboxError + '_ {
    move |e| OutboxError(format!("cannot {what}: {e}"))
}

fn read_row(row: &Row<'_>) -> rusqlite::Result<Delivery> {
    let values: String = row.get(4)?;
    let return_values = serde_json::from_str(&values)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e)))?;
    let state: i64 = row.get(8)?;
    let state = DeliveryState::from_code(state).ok_or(rusqlite::Error::IntegralValueOutOfRange(8, state))?;
    Ok(Delivery {
        id: row.get(0)?,
        member_id: row.get(1)?,
        client_endpoint: row.get(2)?,
        event_token: row.get(3)?,
        return_values,
        log_message: row.get(5)?,
        deadline: row.get(6)?,
        created_at: row.get(7)?,
        state,
        attempts: row.get(9)?,
        next_attempt_ms: row.get(10)?,
        last_error: row.get(11)?,
    })
}

fn limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

impl SqliteOutbox {
    /// Opens (or creates) the outbox at `path`.
    ///
    /// # Errors
    /// Why the file could not be opened as an outbox.
    ///
    /// ```
    /// let error = bizproc::outbox::SqliteOutbox::open("/nonexistent-dir/outbox.db").unwrap_err();
    /// assert!(error.to_string().contains("cannot open"));
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, OutboxError> {
        let path = path.as_ref();
        let connection =
            Connection::open(path).map_err(|e| OutboxError(format!("cannot open {}: {e}", path.display())))?;
        Self::with_connection(connection)
    }

    /// An outbox in memory, gone when dropped.
    ///
    /// # Errors
    /// Why SQLite could not start.
    ///
    /// ```
    /// use bizproc::outbox::{Outbox, SqliteOutbox};
    /// assert_eq!(SqliteOutbox::in_memory().unwrap().stats().unwrap().pending, 0);
    /// ```
    pub fn in_memory() -> Result<Self, OutboxError> {
        Self::with_connection(Connection::open_in_memory().map_err(error("start SQLite"))?)
    }

    fn with_connection(connection: Connection) -> Result<Self, OutboxError> {
        connection.execute_batch(SCHEMA).map_err(error("set up the outbox"))?;
        Ok(Self { connection: Mutex::new(connection) })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Outbox for SqliteOutbox {
    fn enqueue(&self, delivery: &NewDelivery) -> Result<bool, OutboxError> {
        let values = serde_json::to_string(&delivery.return_values).map_err(|e| OutboxError(e.to_string()))?;
        let inserted = self
            .lock()
            .execute(
                "INSERT INTO outbox (event_token, member_id, client_endpoint, return_values, log_message, deadline,
                     created_at, next_attempt_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(event_token) DO NOTHING",
                params![
                    delivery.event_token,
                    delivery.member_id,
                    delivery.client_endpoint,
                    values,
                    delivery.log_message,
                    delivery.deadline,
                    delivery.created_at,
                    delivery.created_at.saturating_mul(1000),
                ],
            )
            .map_err(error("record a result"))?;
        Ok(inserted == 1)
    }

    fn due(&self, now_ms: i64, max: usize) -> Result<Vec<Delivery>, OutboxError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM outbox WHERE state = ?1 AND next_attempt_ms <= ?2
                 ORDER BY next_attempt_ms, id LIMIT ?3"
            ))
            .map_err(error("read due results"))?;
        let rows =
            statement.query_map(params![PENDING, now_ms, limit(max)], read_row).map_err(error("read due results"))?;
        rows.collect::<Result<_, _>>().map_err(error("read due results"))
    }

    fn mark_delivered(&self, event_tokens: &[&str], now_ms: i64) -> Result<(), OutboxError> {
        let mut connection = self.lock();
        let transaction = connection.transaction().map_err(error("mark results delivered"))?;
        {
            let mut statement = transaction
                .prepare_cached(
                    "UPDATE outbox SET state = ?1, finished_ms = ?2, last_error = NULL
                     WHERE event_token = ?3 AND state = ?4",
                )
                .map_err(error("mark results delivered"))?;
            for token in event_tokens {
                statement
                    .execute(params![DELIVERED, now_ms, token, PENDING])
                    .map_err(error("mark results delivered"))?;
            }
        }
        transaction.commit().map_err(error("mark results delivered"))
    }

    fn record_failure(&self, event_token: &str, message: &str, next_attempt_ms: i64) -> Result<(), OutboxError> {
        self.lock()
            .execute(
                "UPDATE outbox SET attempts = attempts + 1, retried = retried + 1, next_attempt_ms = ?1, last_error = ?2
                 WHERE event_token = ?3 AND state = ?4",
                params![next_attempt_ms, message, event_token, PENDING],
            )
            .map(|_| ())
            .map_err(error("record a failed attempt"))
    }

    fn dead_letter(&self, event_token: &str, reason: &str, now_ms: i64) -> Result<(), OutboxError> {
        self.lock()
            .execute(
                "UPDATE outbox SET state = ?1, finished_ms = ?2, last_error = ?3 WHERE event_token = ?4 AND state = ?5",
                params![DEAD_LETTER, now_ms, reason, event_token, PENDING],
            )
            .map(|_| ())
            .map_err(error("dead-letter a result"))
    }

    fn dead_letters(&self, max: usize) -> Result<Vec<Delivery>, OutboxError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(&format!("SELECT {COLUMNS} FROM outbox WHERE state = ?1 ORDER BY id LIMIT ?2"))
            .map_err(error("read dead letters"))?;
        let rows =
            statement.query_map(params![DEAD_LETTER, limit(max)], read_row).map_err(error("read dead letters"))?;
        rows.collect::<Result<_, _>>().map_err(error("read dead letters"))
    }

    fn replay(&self, event_token: &str, deadline: Option<i64>, now_ms: i64) -> Result<bool, OutboxError> {
        let changed = self
            .lock()
            .execute(
                "UPDATE outbox SET state = ?1, attempts = 0, deadline = ?2, next_attempt_ms = ?3, finished_ms = NULL
                 WHERE event_token = ?4 AND state = ?5",
                params![PENDING, deadline, now_ms, event_token, DEAD_LETTER],
            )
            .map_err(error("replay a dead letter"))?;
        Ok(changed == 1)
    }

    fn get(&self, event_token: &str) -> Result<Option<Delivery>, OutboxError> {
        self.lock()
            .query_row(&format!("SELECT {COLUMNS} FROM outbox WHERE event_token = ?1"), params![event_token], read_row)
            .optional()
            .map_err(error("read a result"))
    }

    fn stats(&self) -> Result<Stats, OutboxError> {
        self.lock()
            .query_row(
                "SELECT COALESCE(SUM(state = 0), 0), COALESCE(SUM(state = 1), 0), COALESCE(SUM(retried), 0),
                     COALESCE(SUM(state = 2), 0) FROM outbox",
                [],
                |row| {
                    let count = |i: usize| row.get::<_, i64>(i).map(|n| u64::try_from(n).unwrap_or(0));
                    Ok(Stats { pending: count(0)?, delivered: count(1)?, retried: count(2)?, dead_lettered: count(3)? })
                },
            )
            .map_err(error("count results"))
    }

    fn record_call(
        &self,
        event_token: &str,
        robot: &str,
        body: &[u8],
        content_type: Option<&str>,
        received_at_ms: i64,
    ) -> Result<bool, OutboxError> {
        let inserted = self
            .lock()
            .execute(
                "INSERT INTO accepted_calls (event_token, robot, body, content_type, received_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(event_token) DO NOTHING",
                params![event_token, robot, body, content_type, received_at_ms],
            )
            .map_err(error("record a robot call"))?;
        Ok(inserted == 1)
    }

    fn finish_call(&self, event_token: &str) -> Result<(), OutboxError> {
        self.lock()
            .execute("DELETE FROM accepted_calls WHERE event_token = ?1", params![event_token])
            .map(|_| ())
            .map_err(error("finish a robot call"))
    }

    fn pending_calls(&self) -> Result<Vec<AcceptedCall>, OutboxError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare_cached(
                "SELECT event_token, robot, body, content_type, received_at_ms FROM accepted_calls ORDER BY id",
            )
            .map_err(error("read robot calls"))?;
        let rows = statement
            .query_map([], |row| {
                Ok(AcceptedCall {
                    event_token: row.get(0)?,
                    robot: row.get(1)?,
                    body: row.get(2)?,
                    content_type: row.get(3)?,
                    received_at_ms: row.get(4)?,
                })
            })
            .map_err(error("read robot calls"))?;
        rows.collect::<Result<_, _>>().map_err(error("read robot calls"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn behaves_as_an_outbox() {
        super::super::exercise(&SqliteOutbox::in_memory().unwrap());
    }

    #[test]
    fn pending_results_survive_reopening() {
        let dir = std::env::temp_dir().join(format!("bizproc-outbox-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("reopen.db");
        let _ = std::fs::remove_file(&path);
        {
            let outbox = SqliteOutbox::open(&path).unwrap();
            for i in 0..5 {
                let delivery =
                    NewDelivery::new("m", "https://a.example.com/rest/", format!("w{i}|A|e"), json!({"i": i}));
                outbox.enqueue(&delivery).unwrap();
            }
            outbox.mark_delivered(&["w0|A|e"], 1).unwrap();
            outbox.record_failure("w1|A|e", "HTTP 500", 0).unwrap();
        }
        let outbox = SqliteOutbox::open(&path).unwrap();
        assert_eq!(outbox.stats().unwrap(), Stats { pending: 4, delivered: 1, retried: 1, dead_lettered: 0 });
        let due = outbox.due(i64::MAX, 10).unwrap();
        assert_eq!(due.len(), 4);
        assert!(due.iter().all(|d| d.return_values["i"].as_i64().unwrap() > 0));
        drop(outbox);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
