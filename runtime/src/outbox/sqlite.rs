//! An outbox in an embedded SQLite database, so pending results outlive the process.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{AcceptedCall, Delivery, DeliveryState, NewDelivery, Outbox, OutboxError, PendingWrite, Settlement, Stats};

/// An [`Outbox`] in a SQLite file (write-ahead log, `synchronous = FULL`): every write is
/// committed before it returns, so a result recorded before a crash is delivered after the
/// restart.
///
/// One thread of its own owns the connection and commits whatever callers have queued while
/// it was busy in one transaction (group commit): concurrent callers share one `fsync`
/// instead of queueing for one each, and a lone caller waits for no one. Calls block until their write is committed,
/// so call them from blocking threads (`tokio::task::spawn_blocking`), not async tasks.
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
    jobs: Option<Sender<Job>>,
    writer: Option<JoinHandle<()>>,
}

/// Work for the writer thread: runs inside the batch's transaction and answers how to tell
/// its caller once the transaction has committed (or failed to).
type Job = Box<dyn FnOnce(&Connection) -> Reply + Send>;
type Reply = Box<dyn FnOnce(Result<(), &OutboxError>) + Send>;

/// The most jobs committed together, so that one transaction stays short.
const MAX_BATCH: usize = 256;

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY,
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
        id INTEGER PRIMARY KEY,
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
        let (jobs, queue) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("bizproc-outbox".to_owned())
            .spawn(move || write_loop(&connection, &queue))
            .map_err(|e| OutboxError(format!("cannot start the outbox writer: {e}")))?;
        Ok(Self { jobs: Some(jobs), writer: Some(writer) })
    }

    /// Runs `op` on the writer thread, in the next transaction, and waits until that
    /// transaction has committed.
    fn run<T: Send + 'static>(
        &self,
        what: &'static str,
        op: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, OutboxError> {
        let (answer, answered) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |connection| {
            let result = op(connection).map_err(error(what));
            Box::new(move |committed| {
                let _ = answer.send(committed.map_err(Clone::clone).and(result));
            })
        });
        self.submit(what, job)?;
        answered.recv().map_err(|_| stopped(what))?
    }

    /// [`run`](Self::run) as a future, for async callers: nothing blocks while the batch
    /// commits.
    fn run_async<T: Send + 'static>(
        &self,
        what: &'static str,
        op: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> PendingWrite<T> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |connection| {
            let result = op(connection).map_err(error(what));
            Box::new(move |committed| {
                let _ = answer.send(committed.map_err(Clone::clone).and(result));
            })
        });
        let submitted = self.submit(what, job);
        Box::pin(async move {
            submitted?;
            answered.await.map_err(|_| stopped(what))?
        })
    }

    fn submit(&self, what: &'static str, job: Job) -> Result<(), OutboxError> {
        self.jobs.as_ref().ok_or_else(|| stopped(what))?.send(job).map_err(|_| stopped(what))
    }
}

fn stopped(what: &str) -> OutboxError {
    OutboxError(format!("cannot {what}: the outbox writer stopped"))
}

impl Drop for SqliteOutbox {
    /// Lets the writer finish what is queued and close the database before returning.
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// The writer thread: takes every job queued, runs them in one transaction, commits, then
/// answers each, until the outbox is dropped.
fn write_loop(connection: &Connection, queue: &Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        batch.extend(queue.try_iter().take(MAX_BATCH - 1));
        let begun = run_cached(connection, "BEGIN IMMEDIATE");
        if let Err(e) = &begun {
            tracing::warn!(error = %e, "outbox writes not grouped: each commits on its own");
        }
        let replies: Vec<Reply> = batch.into_iter().map(|job| job(connection)).collect();
        // Without a transaction each job has committed on its own and answers for itself.
        let committed = match begun {
            Ok(()) => run_cached(connection, "COMMIT").map_err(error("commit to the outbox")),
            Err(_) => Ok(()),
        };
        if committed.is_err() && !connection.is_autocommit() {
            let _ = connection.execute_batch("ROLLBACK");
        }
        for reply in replies {
            reply(committed.as_ref().copied());
        }
    }
}

/// Runs a statement without parameters from the connection's cache: `execute_batch` would
/// parse `BEGIN` and `COMMIT` anew for every transaction, about 2,000 of its 23,000
/// instructions.
fn run_cached(connection: &Connection, sql: &str) -> rusqlite::Result<()> {
    connection.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// A pending result is delivered; any other state is left as it is.
fn mark_delivered(connection: &Connection, event_token: &str, now_ms: i64) -> rusqlite::Result<()> {
    connection
        .prepare_cached(
            "UPDATE outbox SET state = ?1, finished_ms = ?2, last_error = NULL WHERE event_token = ?3 AND state = ?4",
        )?
        .execute(params![DELIVERED, now_ms, event_token, PENDING])
        .map(|_| ())
}

fn record_failure(
    connection: &Connection,
    event_token: &str,
    error: &str,
    next_attempt_ms: i64,
) -> rusqlite::Result<()> {
    connection
        .prepare_cached(
            "UPDATE outbox SET attempts = attempts + 1, retried = retried + 1, next_attempt_ms = ?1, last_error = ?2
             WHERE event_token = ?3 AND state = ?4",
        )?
        .execute(params![next_attempt_ms, error, event_token, PENDING])
        .map(|_| ())
}

fn dead_letter(connection: &Connection, event_token: &str, reason: &str, now_ms: i64) -> rusqlite::Result<()> {
    connection
        .prepare_cached(
            "UPDATE outbox SET state = ?1, finished_ms = ?2, last_error = ?3 WHERE event_token = ?4 AND state = ?5",
        )?
        .execute(params![DEAD_LETTER, now_ms, reason, event_token, PENDING])
        .map(|_| ())
}

/// A result as its row is written: its values serialized by the caller, not the writer.
struct ResultRow {
    delivery: NewDelivery,
    values: String,
}

impl ResultRow {
    fn new(mut delivery: NewDelivery) -> Result<Self, OutboxError> {
        let values = serde_json::to_string(&delivery.return_values).map_err(|e| OutboxError(e.to_string()))?;
        delivery.return_values = serde_json::Value::Null;
        Ok(Self { delivery, values })
    }

    fn insert(&self, connection: &Connection) -> rusqlite::Result<bool> {
        let delivery = &self.delivery;
        let inserted = connection
            .prepare_cached(
                "INSERT INTO outbox (event_token, member_id, client_endpoint, return_values, log_message, deadline,
                     created_at, next_attempt_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(event_token) DO NOTHING",
            )?
            .execute(params![
                delivery.event_token,
                delivery.member_id,
                delivery.client_endpoint,
                self.values,
                delivery.log_message,
                delivery.deadline,
                delivery.created_at,
                delivery.created_at.saturating_mul(1000),
            ])?;
        Ok(inserted == 1)
    }
}

fn insert_call(connection: &Connection, call: &AcceptedCall) -> rusqlite::Result<bool> {
    let inserted = connection
        .prepare_cached(
            "INSERT INTO accepted_calls (event_token, robot, body, content_type, received_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(event_token) DO NOTHING",
        )?
        .execute(params![call.event_token, call.robot, call.body, call.content_type, call.received_at_ms])?;
    Ok(inserted == 1)
}

fn delete_call(connection: &Connection, event_token: &str) -> rusqlite::Result<()> {
    connection.prepare_cached("DELETE FROM accepted_calls WHERE event_token = ?1")?.execute(params![event_token])?;
    Ok(())
}

impl Outbox for SqliteOutbox {
    fn enqueue(&self, delivery: &NewDelivery) -> Result<bool, OutboxError> {
        let row = ResultRow::new(delivery.clone())?;
        self.run("record a result", move |connection| row.insert(connection))
    }

    fn due(&self, now_ms: i64, max: usize) -> Result<Vec<Delivery>, OutboxError> {
        self.run("read due results", move |connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM outbox WHERE state = ?1 AND next_attempt_ms <= ?2
                 ORDER BY next_attempt_ms, id LIMIT ?3"
            ))?;
            statement.query_map(params![PENDING, now_ms, limit(max)], read_row)?.collect()
        })
    }

    fn mark_delivered(&self, event_tokens: &[&str], now_ms: i64) -> Result<(), OutboxError> {
        let tokens: Vec<String> = event_tokens.iter().map(|&token| token.to_owned()).collect();
        self.run("mark results delivered", move |connection| {
            tokens.iter().try_for_each(|token| mark_delivered(connection, token, now_ms))
        })
    }

    fn record_failure(&self, event_token: &str, message: &str, next_attempt_ms: i64) -> Result<(), OutboxError> {
        let (event_token, message) = (event_token.to_owned(), message.to_owned());
        self.run("record a failed attempt", move |connection| {
            record_failure(connection, &event_token, &message, next_attempt_ms)
        })
    }

    fn dead_letter(&self, event_token: &str, reason: &str, now_ms: i64) -> Result<(), OutboxError> {
        let (event_token, reason) = (event_token.to_owned(), reason.to_owned());
        self.run("dead-letter a result", move |connection| dead_letter(connection, &event_token, &reason, now_ms))
    }

    /// One job, so one transaction: a refused batch of 50 is one commit, not 50.
    fn settle(&self, settlements: &[Settlement], now_ms: i64) -> Result<(), OutboxError> {
        let settlements = settlements.to_vec();
        self.run("settle delivery attempts", move |connection| {
            for settled in settlements {
                match settled {
                    Settlement::Delivered { event_token } => mark_delivered(connection, &event_token, now_ms)?,
                    Settlement::Retry { event_token, error, next_attempt_ms } => {
                        record_failure(connection, &event_token, &error, next_attempt_ms)?;
                    }
                    Settlement::DeadLetter { event_token, reason } => {
                        dead_letter(connection, &event_token, &reason, now_ms)?;
                    }
                }
            }
            Ok(())
        })
    }

    fn dead_letters(&self, max: usize) -> Result<Vec<Delivery>, OutboxError> {
        self.run("read dead letters", move |connection| {
            let mut statement = connection
                .prepare_cached(&format!("SELECT {COLUMNS} FROM outbox WHERE state = ?1 ORDER BY id LIMIT ?2"))?;
            statement.query_map(params![DEAD_LETTER, limit(max)], read_row)?.collect()
        })
    }

    fn replay(&self, event_token: &str, deadline: Option<i64>, now_ms: i64) -> Result<bool, OutboxError> {
        let event_token = event_token.to_owned();
        self.run("replay a dead letter", move |connection| {
            let changed = connection
                .prepare_cached(
                    "UPDATE outbox SET state = ?1, attempts = 0, deadline = ?2, next_attempt_ms = ?3, finished_ms = NULL
                     WHERE event_token = ?4 AND state = ?5",
                )?
                .execute(params![PENDING, deadline, now_ms, event_token, DEAD_LETTER])?;
            Ok(changed == 1)
        })
    }

    fn get(&self, event_token: &str) -> Result<Option<Delivery>, OutboxError> {
        let event_token = event_token.to_owned();
        self.run("read a result", move |connection| {
            connection
                .prepare_cached(&format!("SELECT {COLUMNS} FROM outbox WHERE event_token = ?1"))?
                .query_row(params![event_token], read_row)
                .optional()
        })
    }

    fn stats(&self) -> Result<Stats, OutboxError> {
        self.run("count results", |connection| {
            connection
                .prepare_cached(
                    "SELECT COALESCE(SUM(state = 0), 0), COALESCE(SUM(state = 1), 0), COALESCE(SUM(retried), 0),
                     COALESCE(SUM(state = 2), 0) FROM outbox",
                )?
                .query_row([], |row| {
                    let count = |i: usize| row.get::<_, i64>(i).map(|n| u64::try_from(n).unwrap_or(0));
                    Ok(Stats { pending: count(0)?, delivered: count(1)?, retried: count(2)?, dead_lettered: count(3)? })
                })
        })
    }

    fn record_call(
        &self,
        event_token: &str,
        robot: &str,
        body: &[u8],
        content_type: Option<&str>,
        received_at_ms: i64,
    ) -> Result<bool, OutboxError> {
        let call = AcceptedCall {
            event_token: event_token.to_owned(),
            robot: robot.to_owned(),
            body: body.to_vec(),
            content_type: content_type.map(str::to_owned),
            received_at_ms,
        };
        self.run("record a robot call", move |connection| insert_call(connection, &call))
    }

    fn finish_call(&self, event_token: &str) -> Result<(), OutboxError> {
        let event_token = event_token.to_owned();
        self.run("finish a robot call", move |connection| delete_call(connection, &event_token))
    }

    fn pending_calls(&self) -> Result<Vec<AcceptedCall>, OutboxError> {
        self.run("read robot calls", |connection| {
            let mut statement = connection.prepare_cached(
                "SELECT event_token, robot, body, content_type, received_at_ms FROM accepted_calls ORDER BY id",
            )?;
            statement
                .query_map([], |row| {
                    Ok(AcceptedCall {
                        event_token: row.get(0)?,
                        robot: row.get(1)?,
                        body: row.get(2)?,
                        content_type: row.get(3)?,
                        received_at_ms: row.get(4)?,
                    })
                })?
                .collect()
        })
    }

    fn accept(&self, call: AcceptedCall) -> PendingWrite<bool> {
        self.run_async("record a robot call", move |connection| insert_call(connection, &call))
    }

    fn record(&self, result: NewDelivery) -> PendingWrite<bool> {
        match ResultRow::new(result) {
            Ok(row) => self.run_async("record a result", move |connection| row.insert(connection)),
            Err(e) => Box::pin(std::future::ready(Err(e))),
        }
    }

    fn complete(&self, event_token: &str, result: Option<NewDelivery>) -> PendingWrite<bool> {
        let row = match result.map(ResultRow::new).transpose() {
            Ok(row) => row,
            Err(e) => return Box::pin(std::future::ready(Err(e))),
        };
        let event_token = event_token.to_owned();
        self.run_async("record a result", move |connection| {
            let new = row.map_or(Ok(false), |row| row.insert(connection))?;
            delete_call(connection, &event_token)?;
            Ok(new)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;

    /// A directory of this test's own and the path of a database in it that does not exist yet.
    fn fresh_database(test: &str) -> (PathBuf, PathBuf) {
        let dir = std::env::temp_dir().join(format!("bizproc-outbox-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("outbox.db");
        let _ = std::fs::remove_file(&path);
        (dir, path)
    }

    #[test]
    fn behaves_as_an_outbox() {
        super::super::exercise(&SqliteOutbox::in_memory().unwrap());
    }

    #[test]
    fn pending_results_survive_reopening() {
        let (dir, path) = fresh_database("reopen");
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

    #[test]
    fn recorded_results_are_durable_once_answered_and_kept_once() {
        let (dir, path) = fresh_database("record");
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        {
            let outbox = SqliteOutbox::open(&path).unwrap();
            outbox.record_call("w0|A|e", "count", b"x", None, 1).unwrap();
            runtime.block_on(async {
                for i in 0..3 {
                    let result =
                        NewDelivery::new("m", "https://a.example.com/rest/", format!("w{i}|A|e"), json!({ "i": i }));
                    assert!(outbox.record(result.clone()).await.unwrap(), "result {i} is new");
                    assert!(!outbox.record(result).await.unwrap(), "result {i} is kept once");
                }
            });
            // A call recorded by another request for the same run is left for that request
            // to forget once its own result is in.
            assert_eq!(outbox.pending_calls().unwrap().len(), 1);
        }
        let outbox = SqliteOutbox::open(&path).unwrap();
        let due = outbox.due(i64::MAX, 10).unwrap();
        let values: Vec<i64> = due.iter().map(|d| d.return_values["i"].as_i64().unwrap()).collect();
        assert_eq!(values, [0, 1, 2]);
        drop(outbox);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn concurrent_calls_and_results_are_all_kept() {
        let (dir, path) = fresh_database("group");
        let outbox = std::sync::Arc::new(SqliteOutbox::open(&path).unwrap());
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
        runtime.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            for i in 0..400 {
                let outbox = std::sync::Arc::clone(&outbox);
                tasks.spawn(async move {
                    let token = format!("w{i}|A|e");
                    let call = AcceptedCall {
                        event_token: token.clone(),
                        robot: "count".into(),
                        body: vec![b'x'; 1024],
                        content_type: None,
                        received_at_ms: i,
                    };
                    assert!(outbox.accept(call).await.unwrap());
                    // Every other call leaves no result, as a run that does not wait.
                    let result = (i % 2 == 0)
                        .then(|| NewDelivery::new("m", "https://a.example.com/rest/", &token, json!({ "i": i })));
                    assert_eq!(outbox.complete(&token, result).await.unwrap(), i % 2 == 0);
                });
            }
            tasks.join_all().await;
        });
        // The blocking calls from plain threads at the same time, also grouped.
        std::thread::scope(|scope| {
            for t in 0..4 {
                let outbox = &outbox;
                scope.spawn(move || {
                    for i in 0..50 {
                        let token = format!("t{t}-{i}|A|e");
                        outbox.record_call(&token, "count", b"body", None, 0).unwrap();
                        outbox.enqueue(&NewDelivery::new("m", "e", &token, json!({}))).unwrap();
                        outbox.finish_call(&token).unwrap();
                    }
                });
            }
        });
        drop(outbox);
        let outbox = SqliteOutbox::open(&path).unwrap();
        assert!(outbox.pending_calls().unwrap().is_empty(), "every call was finished");
        assert_eq!(outbox.stats().unwrap().pending, 200 + 200);
        assert_eq!(outbox.get("w2|A|e").unwrap().unwrap().return_values, json!({ "i": 2 }));
        assert!(outbox.get("w1|A|e").unwrap().is_none());
        drop(outbox);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_result_recorded_twice_is_kept_once_and_its_call_forgotten() {
        let outbox = SqliteOutbox::in_memory().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let result = NewDelivery::new("m", "e", "w|A|e", json!({ "first": true }));
        outbox.record_call("w|A|e", "count", b"body", None, 0).unwrap();
        assert!(runtime.block_on(outbox.complete("w|A|e", Some(result.clone()))).unwrap());
        let again = NewDelivery { return_values: json!({ "first": false }), ..result };
        assert!(!runtime.block_on(outbox.complete("w|A|e", Some(again))).unwrap());
        assert_eq!(outbox.get("w|A|e").unwrap().unwrap().return_values, json!({ "first": true }));
        assert!(outbox.pending_calls().unwrap().is_empty());
    }
}
