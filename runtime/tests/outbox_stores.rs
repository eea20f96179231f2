//! The two outbox stores agree: any sequence of writes and reads gives the same answers from a
//! `MemoryOutbox` as from a `SqliteOutbox`, whose queries are the reference for what is due,
//! in which order, and what each result's record says.

use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, Settlement, SqliteOutbox};
use proptest::prelude::*;

/// A few tokens, so that operations meet the same results often.
const TOKENS: u8 = 8;

#[derive(Debug, Clone)]
enum Op {
    Enqueue { token: u8, created_at: i64 },
    Due { now_ms: i64, limit: usize },
    Deliver { tokens: Vec<u8>, now_ms: i64 },
    Fail { token: u8, next_attempt_ms: i64 },
    DeadLetter { token: u8 },
    Settle { token: u8, kind: u8, next_attempt_ms: i64 },
    Replay { token: u8, deadline: Option<i64>, now_ms: i64 },
    DeadLetters { limit: usize },
    Get { token: u8 },
    Stats,
    RecordCall { token: u8, received_at_ms: i64 },
    FinishCall { token: u8 },
    PendingCalls,
}

fn token(n: u8) -> String {
    format!("w{n}|A|e{n}")
}

fn op() -> impl Strategy<Value = Op> {
    let token = 0..TOKENS;
    // Whole seconds half the time, so that a result falls due at the very moment asked about.
    let ms = prop_oneof![(0..9i64).prop_map(|s| s * 1000), 0..9_000i64];
    prop_oneof![
        4 => (token.clone(), 0..6i64).prop_map(|(token, created_at)| Op::Enqueue { token, created_at }),
        3 => (ms.clone(), 0..5usize).prop_map(|(now_ms, limit)| Op::Due { now_ms, limit }),
        2 => (prop::collection::vec(token.clone(), 0..4), ms.clone())
            .prop_map(|(tokens, now_ms)| Op::Deliver { tokens, now_ms }),
        2 => (token.clone(), ms.clone()).prop_map(|(token, next_attempt_ms)| Op::Fail { token, next_attempt_ms }),
        1 => token.clone().prop_map(|token| Op::DeadLetter { token }),
        2 => (token.clone(), 0..3u8, ms.clone())
            .prop_map(|(token, kind, next_attempt_ms)| Op::Settle { token, kind, next_attempt_ms }),
        1 => (token.clone(), prop::option::of(0..100i64), ms.clone())
            .prop_map(|(token, deadline, now_ms)| Op::Replay { token, deadline, now_ms }),
        1 => (0..4usize).prop_map(|limit| Op::DeadLetters { limit }),
        1 => token.clone().prop_map(|token| Op::Get { token }),
        1 => Just(Op::Stats),
        1 => (token.clone(), ms).prop_map(|(token, received_at_ms)| Op::RecordCall { token, received_at_ms }),
        1 => token.prop_map(|token| Op::FinishCall { token }),
        1 => Just(Op::PendingCalls),
    ]
}

/// What a store answered to one operation, in a form both stores can be compared by.
fn apply(outbox: &dyn Outbox, op: &Op) -> String {
    match op {
        Op::Enqueue { token: t, created_at } => {
            let mut delivery =
                NewDelivery::new("m1", "https://a.example.com/rest/", token(*t), serde_json::json!({ "t": t }));
            delivery.created_at = *created_at;
            format!("{:?}", outbox.enqueue(&delivery))
        }
        Op::Due { now_ms, limit } => format!("{:?}", summary(outbox.due(*now_ms, *limit))),
        Op::Deliver { tokens, now_ms } => {
            let tokens: Vec<String> = tokens.iter().map(|&t| token(t)).collect();
            let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
            format!("{:?}", outbox.mark_delivered(&tokens, *now_ms))
        }
        Op::Fail { token: t, next_attempt_ms } => {
            format!("{:?}", outbox.record_failure(&token(*t), "HTTP 503", *next_attempt_ms))
        }
        Op::DeadLetter { token: t } => format!("{:?}", outbox.dead_letter(&token(*t), "refused", 1)),
        Op::Settle { token: t, kind, next_attempt_ms } => {
            let event_token = token(*t);
            let settlement = match kind {
                0 => Settlement::Delivered { event_token },
                1 => Settlement::Retry { event_token, error: "HTTP 500".into(), next_attempt_ms: *next_attempt_ms },
                _ => Settlement::DeadLetter { event_token, reason: "expired".into() },
            };
            format!("{:?}", outbox.settle(&[settlement], 1))
        }
        Op::Replay { token: t, deadline, now_ms } => format!("{:?}", outbox.replay(&token(*t), *deadline, *now_ms)),
        Op::DeadLetters { limit } => format!("{:?}", summary(outbox.dead_letters(*limit))),
        Op::Get { token: t } => format!("{:?}", summary(outbox.get(&token(*t)).map(|d| d.into_iter().collect()))),
        Op::Stats => format!("{:?}", outbox.stats()),
        Op::RecordCall { token: t, received_at_ms } => {
            format!("{:?}", outbox.record_call(&token(*t), "count", b"n=1", None, *received_at_ms))
        }
        Op::FinishCall { token: t } => format!("{:?}", outbox.finish_call(&token(*t))),
        Op::PendingCalls => {
            let calls = outbox
                .pending_calls()
                .map(|calls| calls.into_iter().map(|call| (call.event_token, call.received_at_ms)).collect::<Vec<_>>());
            format!("{calls:?}")
        }
    }
}

/// Every field of each result, the event token included (`Delivery`'s `Debug` leaves it out).
fn summary(deliveries: Result<Vec<bizproc::outbox::Delivery>, bizproc::outbox::OutboxError>) -> impl std::fmt::Debug {
    deliveries.map(|deliveries| {
        deliveries
            .into_iter()
            .map(|d| {
                let fields = (d.id, d.event_token.clone(), d.state, d.attempts, d.next_attempt_ms);
                (fields, (d.deadline, d.created_at, d.last_error.clone(), d.return_values.to_string()))
            })
            .collect::<Vec<_>>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn memory_and_sqlite_outboxes_answer_alike(ops in prop::collection::vec(op(), 1..60)) {
        let memory = MemoryOutbox::default();
        let sqlite = SqliteOutbox::in_memory().expect("SQLite starts");
        for (step, op) in ops.iter().enumerate() {
            let (ours, reference) = (apply(&memory, op), apply(&sqlite, op));
            prop_assert_eq!(ours, reference, "step {}: {:?}", step, op);
        }
    }
}
