//! CPU per durably committed row for the outbox's write: `SqliteOutbox`'s schema and insert
//! against two key-value stores holding the same row and its due-time index.
//!
//! ```sh
//! cargo run --release --manifest-path bench/stores/Cargo.toml -- <store> <rows per commit> <dir> [rows]
//! bash bench/stores/run.sh    # every store, 7 and 20 rows per commit, twice, on an idle machine
//! ```
//!
//! `<store>` is `sqlite`, `sqlite-exclusive` (`locking_mode = EXCLUSIVE`), `fjall` or `redb`.
//! Every commit is synced to disk before the next begins, as a result must be before the
//! portal's call is answered. Event tokens come in random order, as real workflow ids do. One
//! store per process, so that `getrusage(RUSAGE_SELF)` counts only its CPU, background threads
//! included; making the rows is not counted.

use std::time::{Duration, Instant};

const TOKEN_SUFFIX: &str = "|A51601_82584_96831_81132|hsyUws1j4XiwqPqN45eH66CcQtEvpUIP.\
                            47dd5d888e8e549d2c984713e12a4268e6e87d0208ca1f093ba1075e77f92e90";

/// A result as the outbox records it.
struct Row {
    token: String,
    member_id: String,
    endpoint: String,
    return_values: String,
    deadline: i64,
    created_at: i64,
    next_attempt_ms: i64,
    /// The other fields in one value, for the key-value stores.
    payload: String,
}

impl Row {
    /// The due-time index key: the time, then a sequence number, both sorting as bytes do.
    fn due_key(&self, sequence: u64) -> [u8; 16] {
        let mut key = [0; 16];
        key[..8].copy_from_slice(&self.next_attempt_ms.to_be_bytes());
        key[8..].copy_from_slice(&sequence.to_be_bytes());
        key
    }
}

fn rows(count: usize) -> Vec<Row> {
    let mut random: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..count)
        .map(|i| {
            // xorshift64: reproducible tokens in random order.
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            let r = random;
            let return_values = format!(
                r#"{{"status":"approved","transaction_id":"{:016x}{i:08x}","amount_cents":{},"authorization_code":"AUTH-{:012}","message":"Payment processed successfully by acquiring bank","risk_assessment":{{"score":{},"rules":["velocity_ok","geo_ok","device_ok"]}},"processed_at":"2025-10-09T12:{:02}:{:02}.{:03}Z"}}"#,
                r.rotate_right(9),
                r % 1_000_000,
                r % 1_000_000_000_000,
                r % 100,
                (i / 60) % 60,
                i % 60,
                i % 1000
            );
            let created_at = 1_760_000_000_000 + i64::try_from(i).expect("a row number fits");
            let member_id = format!("{:016x}{:016x}", r.rotate_left(17), r ^ 0x5555_aaaa_5555_aaaa);
            let endpoint = format!("https://client{:03}.example.com/rest/{:05}", i % 997, i % 100_000);
            let (deadline, next_attempt_ms) = (created_at + 30_000, created_at + 5_000);
            let payload = format!(
                r#"{{"m":"{member_id}","e":"{endpoint}","r":{return_values},"d":{deadline},"c":{created_at},"n":{next_attempt_ms}}}"#
            );
            Row {
                token: format!("{r:016x}.{i:08}{TOKEN_SUFFIX}"),
                member_id,
                endpoint,
                return_values,
                deadline,
                created_at,
                next_attempt_ms,
                payload,
            }
        })
        .collect()
}

/// User and system CPU of this process so far, in microseconds.
fn cpu_us() -> (f64, f64) {
    // SAFETY: `getrusage` fills the zeroed struct it is given and keeps no pointer to it.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let us = |t: libc::timeval| t.tv_sec as f64 * 1e6 + t.tv_usec as f64;
    (us(usage.ru_utime), us(usage.ru_stime))
}

/// What a store reports: the CPU after its last commit and after background work settled.
struct Measured {
    wall_s: f64,
    committed: (f64, f64),
    settled: (f64, f64),
    stored: u64,
    note: String,
}

/// SQLite as `SqliteOutbox` has it: WAL, `synchronous = FULL`, the same table and indexes, one
/// `BEGIN IMMEDIATE … COMMIT` per group.
fn sqlite(rows: &[Row], per_commit: usize, dir: &str, exclusive: bool) -> Measured {
    use rusqlite::{Connection, params};
    let connection = Connection::open(format!("{dir}/outbox.db")).expect("the database opens");
    if exclusive {
        connection.execute_batch("PRAGMA locking_mode = EXCLUSIVE;").expect("exclusive locking");
    }
    let mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)).expect("WAL");
    assert_eq!(mode, "wal");
    connection
        .execute_batch(
            "PRAGMA synchronous = FULL;
             CREATE TABLE outbox (id INTEGER PRIMARY KEY, event_token TEXT NOT NULL UNIQUE, member_id TEXT NOT NULL,
                 client_endpoint TEXT NOT NULL, return_values TEXT NOT NULL, log_message TEXT, deadline INTEGER,
                 created_at INTEGER NOT NULL, state INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
                 retried INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL, last_error TEXT,
                 finished_ms INTEGER);
             CREATE INDEX outbox_due ON outbox (state, next_attempt_ms, id);",
        )
        .expect("the schema");
    let started = Instant::now();
    for group in rows.chunks(per_commit) {
        connection.execute_batch("BEGIN IMMEDIATE").expect("a transaction");
        for row in group {
            let inserted = connection
                .prepare_cached(
                    "INSERT INTO outbox (event_token, member_id, client_endpoint, return_values, log_message,
                         deadline, created_at, next_attempt_ms)
                     VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7) ON CONFLICT(event_token) DO NOTHING",
                )
                .expect("the insert")
                .execute(params![
                    row.token,
                    row.member_id,
                    row.endpoint,
                    row.return_values,
                    row.deadline,
                    row.created_at,
                    row.next_attempt_ms
                ])
                .expect("the row is written");
            assert_eq!(inserted, 1);
        }
        connection.execute_batch("COMMIT").expect("the commit");
    }
    let wall_s = started.elapsed().as_secs_f64();
    let committed = cpu_us();
    std::thread::sleep(Duration::from_secs(2));
    let settled = cpu_us();
    let stored: i64 = connection.query_row("SELECT count(*) FROM outbox", [], |row| row.get(0)).expect("a count");
    let locking: String = connection.query_row("PRAGMA locking_mode", [], |row| row.get(0)).expect("the mode");
    Measured {
        wall_s,
        committed,
        settled,
        stored: stored.try_into().expect("a count"),
        note: format!("locking_mode={locking}"),
    }
}

/// fjall: a keyspace of rows by token and one of tokens by due time, written by one batch
/// per group that syncs the journal before it returns. A token already stored is skipped, as
/// the outbox keeps one result per token.
fn fjall(rows: &[Row], per_commit: usize, dir: &str) -> Measured {
    use fjall::{Database, KeyspaceCreateOptions, PersistMode};
    let database = Database::builder(dir).open().expect("the database opens");
    let by_token = database.keyspace("rows", KeyspaceCreateOptions::default).expect("a keyspace");
    let by_due = database.keyspace("due", KeyspaceCreateOptions::default).expect("a keyspace");
    let mut sequence = 0;
    let started = Instant::now();
    for group in rows.chunks(per_commit) {
        let mut batch = database.batch().durability(Some(PersistMode::SyncAll));
        for row in group {
            if by_token.contains_key(row.token.as_bytes()).expect("a read") {
                continue;
            }
            sequence += 1;
            batch.insert(&by_token, row.token.as_bytes(), row.payload.as_bytes());
            batch.insert(&by_due, &row.due_key(sequence)[..], row.token.as_bytes());
        }
        batch.commit().expect("the commit");
    }
    let wall_s = started.elapsed().as_secs_f64();
    let committed = cpu_us();
    let idle = || database.outstanding_flushes() == 0 && database.active_compactions() == 0;
    let waited = Instant::now();
    while !(idle() && waited.elapsed() >= Duration::from_secs(2)) && waited.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let settled = cpu_us();
    // The rows are still in memtables: writing them out is work the store owes, counted apart.
    by_token.rotate_memtable_and_wait().expect("a flush");
    by_due.rotate_memtable_and_wait().expect("a flush");
    let waited = Instant::now();
    while !(idle() && waited.elapsed() >= Duration::from_secs(1)) && waited.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let flushed = cpu_us();
    let stored = by_token.len().expect("a count") as u64;
    assert_eq!(by_due.len().expect("a count") as u64, stored);
    let flush_us = (flushed.0 + flushed.1 - settled.0 - settled.1) / rows.len() as f64;
    Measured { wall_s, committed, settled, stored, note: format!("flushing_memtables_us_per_row={flush_us:.2}") }
}

/// redb: the same two tables, one write transaction per group, committed with the default
/// (immediate, synced) durability.
fn redb(rows: &[Row], per_commit: usize, dir: &str) -> Measured {
    use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
    const BY_TOKEN: TableDefinition<&str, &str> = TableDefinition::new("rows");
    const BY_DUE: TableDefinition<&[u8], &str> = TableDefinition::new("due");
    let database = Database::create(format!("{dir}/outbox.redb")).expect("the database opens");
    let mut sequence = 0;
    let started = Instant::now();
    for group in rows.chunks(per_commit) {
        let transaction = database.begin_write().expect("a transaction");
        {
            let mut by_token = transaction.open_table(BY_TOKEN).expect("a table");
            let mut by_due = transaction.open_table(BY_DUE).expect("a table");
            for row in group {
                if by_token.get(row.token.as_str()).expect("a read").is_some() {
                    continue;
                }
                sequence += 1;
                by_token.insert(row.token.as_str(), row.payload.as_str()).expect("the row is written");
                by_due.insert(&row.due_key(sequence)[..], row.token.as_str()).expect("the index is written");
            }
        }
        transaction.commit().expect("the commit");
    }
    let wall_s = started.elapsed().as_secs_f64();
    let committed = cpu_us();
    std::thread::sleep(Duration::from_secs(2));
    let settled = cpu_us();
    let read = database.begin_read().expect("a read");
    let stored = read.open_table(BY_TOKEN).expect("a table").len().expect("a count");
    assert_eq!(read.open_table(BY_DUE).expect("a table").len().expect("a count"), stored);
    Measured { wall_s, committed, settled, stored, note: String::new() }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: outbox-stores-bench <sqlite|sqlite-exclusive|fjall|redb> <rows per commit> <dir> [rows]";
    let [_, store, per_commit, dir, rest @ ..] = args.as_slice() else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let per_commit: usize = per_commit.parse().expect("rows per commit is a number");
    let count: usize = rest.first().map_or(100_000, |n| n.parse().expect("rows is a number"));
    std::fs::create_dir_all(dir).expect("the data directory");
    let rows = rows(count);
    let before = cpu_us();
    let measured = match store.as_str() {
        "sqlite" => sqlite(&rows, per_commit, dir, false),
        "sqlite-exclusive" => sqlite(&rows, per_commit, dir, true),
        "fjall" => fjall(&rows, per_commit, dir),
        "redb" => redb(&rows, per_commit, dir),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    assert_eq!(measured.stored, count as u64, "every row is stored");
    let per_row = |(user, system): (f64, f64)| (user + system - before.0 - before.1) / count as f64;
    let (user, system) = measured.settled;
    println!(
        "RESULT store={store} rows_per_commit={per_commit} rows={count} wall_s={:.3} \
         cpu_us_per_row_at_last_commit={:.2} cpu_us_per_row_settled={:.2} (user {:.2}, system {:.2}) {}",
        measured.wall_s,
        per_row(measured.committed),
        per_row(measured.settled),
        (user - before.0) / count as f64,
        (system - before.1) / count as f64,
        measured.note,
    );
}
