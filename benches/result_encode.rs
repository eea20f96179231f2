//! Issue #8: encoding a robot's result, next to the map users of other SDKs build by hand.
//!
//! Ours is `return_values()` then `serde_json::to_string`, what goes into `bizproc.event.send`.
//! The baseline builds the same `RETURN_VALUES` as a `serde_json::Map` by hand, with the same
//! wire forms (`Y`/`N`, `user_<id>`, dates as RFC 3339 at the portal's offset), and serializes
//! it. Both must give the same JSON before either is timed. Target: ours ≤ 1.5× the baseline.

use std::hint::black_box;

use bizproc::{BizprocReturn, BizprocSelect, UserId};
use chrono::{NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use criterion::Criterion;
use serde_json::{Map, Value};

mod support;

const TARGET: f64 = 1.5;

/// How a review ended.
#[derive(BizprocSelect, Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    #[bizproc(rename = "approved", label = "Approved")]
    Approved,
    #[bizproc(rename = "rejected", label = "Rejected")]
    Rejected,
}

/// Reviews a deal: ten outputs of every common type.
#[derive(BizprocReturn, Debug)]
#[bizproc(code = "review_deal", name = "Review deal")]
struct ReviewDeal {
    headline: String,
    comment: String,
    #[bizproc(rename = "itemCount")]
    item_count: i64,
    amount: f64,
    approved: bool,
    due: NaiveDate,
    reviewed_at: NaiveDateTime,
    reviewer: UserId,
    verdict: Verdict,
    tags: Vec<String>,
}

fn result() -> ReviewDeal {
    ReviewDeal {
        headline: "Quarterly renewal".to_owned(),
        comment: "Terms checked against the contract; signed off.".to_owned(),
        item_count: 42,
        amount: 1999.95,
        approved: true,
        due: NaiveDate::from_ymd_opt(2026, 12, 31).expect("a date"),
        reviewed_at: NaiveDate::from_ymd_opt(2026, 11, 28).and_then(|d| d.and_hms_opt(14, 5, 48)).expect("a time"),
        reviewer: UserId(12),
        verdict: Verdict::Approved,
        tags: vec!["urgent".to_owned(), "vip".to_owned(), "renewal".to_owned()],
    }
}

fn encode_ours(result: &ReviewDeal) -> String {
    serde_json::to_string(&result.return_values()).expect("return values serialize")
}

/// What a hand-written handler does: every key typed out, every value put in its wire form.
fn encode_by_hand(result: &ReviewDeal) -> String {
    let at_utc = |time: NaiveDateTime| Utc.from_utc_datetime(&time).to_rfc3339_opts(SecondsFormat::Secs, false);
    let mut values = Map::new();
    values.insert("headline".to_owned(), Value::String(result.headline.clone()));
    values.insert("comment".to_owned(), Value::String(result.comment.clone()));
    values.insert("itemCount".to_owned(), Value::from(result.item_count));
    values.insert("amount".to_owned(), Value::from(result.amount));
    values.insert("approved".to_owned(), Value::from(if result.approved { "Y" } else { "N" }));
    values.insert("due".to_owned(), Value::String(at_utc(result.due.and_time(chrono::NaiveTime::MIN))));
    values.insert("reviewed_at".to_owned(), Value::String(at_utc(result.reviewed_at)));
    values.insert("reviewer".to_owned(), Value::String(format!("user_{}", result.reviewer.0)));
    let verdict = match result.verdict {
        Verdict::Approved => "approved",
        Verdict::Rejected => "rejected",
    };
    values.insert("verdict".to_owned(), Value::from(verdict));
    values.insert("tags".to_owned(), Value::Array(result.tags.iter().cloned().map(Value::String).collect()));
    serde_json::to_string(&values).expect("a map serializes")
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let result = result();
    // Equal text, not merely equal meaning: both put the same bytes into the request.
    assert_eq!(encode_ours(&result), encode_by_hand(&result), "both encodings give the same RETURN_VALUES");
    let mut group = criterion.benchmark_group("result_encode");
    group.bench_function("bizproc", |bencher| bencher.iter(|| encode_ours(black_box(&result))));
    group.bench_function("hand_built_map", |bencher| bencher.iter(|| encode_by_hand(black_box(&result))));
    let built: Map<String, Value> = serde_json::from_str(&encode_by_hand(&result)).expect("the JSON reads back");
    group.bench_function("prebuilt_map_serialized", |bencher| {
        bencher.iter(|| serde_json::to_string(black_box(&built)).expect("a map serializes"));
    });
    group.finish();
    criterion.final_summary();
    support::report("result_encode", "bizproc", "hand_built_map", TARGET);
    // Both sides above build their map from the result; serializing one built beforehand is
    // the floor under either, shown so that the cost of building is visible.
    if let Some(ns) = support::mean_ns("result_encode", "prebuilt_map_serialized") {
        println!("  serializing the same map built beforehand: {ns:.0} ns; the rest of either side is building it");
    }
}
