//! Issue #8: decoding a robot handler request, next to a bare form decode of the same body.
//!
//! Ours is the whole path an app runs before its robot function: form decode, the portal's
//! application-token check and the typed input. The baseline only decodes the body into a
//! `HashMap<String, String>` with `serde_urlencoded`; multiple values arrive as
//! `properties[tags][0]`, `properties[tags][1]`, …, so every key is unique and a map holds them
//! all. Target: ours ≤ 2.0× the baseline, for both bodies.

use std::collections::HashMap;
use std::hint::black_box;

use bizproc::handler::{Invocation, MemoryPortalStore, PortalRecord, PortalStore, RequestLimits, verify};
use bizproc::{BizprocProperties, BizprocReturn, BizprocSelect, PortalLocale, UserId};
use chrono::{NaiveDate, NaiveDateTime};
use criterion::Criterion;

mod support;

const TARGET: f64 = 2.0;

/// The illustrative body of spec §6, verbatim.
const SPEC_BODY: &str = concat!(
    "workflow_id=55c1dc1c3f0d75.78875596&code=send_invoice&document_id%5B0%5D=crm&document_id%5B1%5D=CCrmDocumentDeal",
    "&document_id%5B2%5D=DEAL_123&document_type%5B0%5D=crm&document_type%5B1%5D=CCrmDocumentDeal&document_type%5B2%5D=DEAL",
    "&event_token=55c1dc1c3f0d75.78875596%7CA51601_82584_96831_81132%7ChsyUws1j4XiwqPqN45eH66CcQtEvpUIP.47dd5d888e8e549d2c984713e12a4268e6e87d0208ca1f093ba1075e77f92e90",
    "&properties%5Btext%5D=Hello+world&properties%5Bwhen%5D=28.12.2025+14%3A05%3A48&properties%5Bto%5D=user_1",
    "&properties%5Bnotify%5D=Y&properties%5Bformat%5D=pdf&properties%5Bamount%5D=100.15",
    "&properties%5Bemails%5D%5B0%5D=a%40example.com&properties%5Bemails%5D%5B1%5D=b%40example.com&properties%5Bcomment%5D=",
    "&use_subscription=Y&timeout_duration=3600&ts=1738152544&auth%5Baccess_token%5D=s6p6eclrvim6da22ft9ch94ekreb52lv",
    "&auth%5Bexpires%5D=1738156144&auth%5Bexpires_in%5D=3600&auth%5Bscope%5D=crm%2Cbizproc&auth%5Bdomain%5D=some-domain.bitrix24.com",
    "&auth%5Bserver_endpoint%5D=https%3A%2F%2Foauth.bitrix.info%2Frest%2F&auth%5Bstatus%5D=L",
    "&auth%5Bclient_endpoint%5D=https%3A%2F%2Fsome-domain.bitrix24.com%2Frest%2F&auth%5Bmember_id%5D=a223c6b3710f85df22e9377d6c4f7553",
    "&auth%5Buser_id%5D=1&auth%5Brefresh_token%5D=4s386p3q0tr8dy89xvmt96234v3dljg8&auth%5Bapplication_token%5D=51856fefc120afa4b628cc82d3935cce",
);

const MEMBER_ID: &str = "a223c6b3710f85df22e9377d6c4f7553";
const APPLICATION_TOKEN: &str = "51856fefc120afa4b628cc82d3935cce";

/// The invoice's format.
#[derive(BizprocSelect, Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    #[bizproc(rename = "pdf", label = "PDF")]
    Pdf,
    #[bizproc(rename = "docx", label = "Word")]
    Docx,
}

/// The properties of the spec's body.
#[derive(BizprocProperties, Debug)]
#[expect(dead_code, reason = "decoded to be measured, never read")]
struct InvoiceInput {
    text: String,
    when: NaiveDateTime,
    to: UserId,
    notify: bool,
    format: Format,
    amount: f64,
    emails: Vec<String>,
    comment: Option<String>,
}

/// Sends an invoice.
#[derive(BizprocReturn, Debug)]
#[bizproc(code = "send_invoice", name = "Send invoice", input = InvoiceInput)]
struct SendInvoice {
    sent: bool,
}

/// A deal's stage.
#[derive(BizprocSelect, Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    #[bizproc(rename = "new", label = "New")]
    New,
    #[bizproc(rename = "won", label = "Won")]
    Won,
    #[bizproc(rename = "lost", label = "Lost")]
    Lost,
}

/// Twenty properties of every common type, three of them multiple.
#[derive(BizprocProperties, Debug)]
#[expect(dead_code, reason = "decoded to be measured, never read")]
struct WideInput {
    subject: String,
    description: String,
    count: i64,
    quantity: i64,
    price: f64,
    ratio: f64,
    active: bool,
    archived: bool,
    due: NaiveDate,
    starts: NaiveDateTime,
    owner: UserId,
    approver: UserId,
    priority: Format,
    stage: Stage,
    tags: Vec<String>,
    scores: Vec<i64>,
    emails: Vec<String>,
    note: Option<String>,
    limit: Option<f64>,
    watchers: Vec<UserId>,
}

/// Reviews a deal with many inputs.
#[derive(BizprocReturn, Debug)]
#[bizproc(code = "wide_review", name = "Wide review", input = WideInput)]
struct WideReview {
    done: bool,
}

/// The spec's body with the twenty properties of [`WideInput`] in place of the invoice's.
fn wide_body() -> String {
    let properties: &[(&str, &str)] = &[
        ("subject", "Quarterly review"),
        ("description", "Check the deal's documents, then sign off"),
        ("count", "42"),
        ("quantity", "-7"),
        ("price", "1999.95"),
        ("ratio", "0.125"),
        ("active", "Y"),
        ("archived", "N"),
        ("due", "28.12.2025"),
        ("starts", "28.12.2025 14:05:48"),
        ("owner", "user_12"),
        ("approver", "user_3"),
        ("priority", "docx"),
        ("stage", "won"),
        ("tags][0", "urgent"),
        ("tags][1", "vip"),
        ("tags][2", "renewal"),
        ("scores][0", "10"),
        ("scores][1", "20"),
        ("scores][2", "30"),
        ("emails][0", "a@example.com"),
        ("emails][1", "b@example.com"),
        ("note", "call first"),
        ("limit", "5000.5"),
        ("watchers][0", "user_1"),
        ("watchers][1", "user_2"),
    ];
    let mut pairs: Vec<(String, String)> =
        vec![("workflow_id".into(), "55c1dc1c3f0d75.78875596".into()), ("code".into(), "wide_review".into())];
    for (key, value) in HashMap::<String, String>::from_iter(decode_baseline(SPEC_BODY.as_bytes())) {
        if key.starts_with("properties[") || key == "code" || key == "workflow_id" {
            continue;
        }
        pairs.push((key, value));
    }
    pairs.sort();
    pairs.extend(properties.iter().map(|(id, value)| (format!("properties[{id}]"), (*value).to_owned())));
    serde_urlencoded::to_string(&pairs).expect("pairs encode")
}

fn decode_baseline(body: &[u8]) -> HashMap<String, String> {
    serde_urlencoded::from_bytes::<HashMap<String, String>>(body).expect("the body decodes")
}

fn store() -> MemoryPortalStore {
    let store = MemoryPortalStore::default();
    let record = PortalRecord::new(
        MEMBER_ID,
        "some-domain.bitrix24.com",
        "https://some-domain.bitrix24.com/rest/",
        APPLICATION_TOKEN,
    );
    store.put(&record).expect("the memory store takes the record");
    store
}

/// Form decode, verification and typed input: what the app does before calling the robot.
fn decode_ours<R: BizprocReturn>(
    store: &MemoryPortalStore,
    body: &[u8],
    locale: &PortalLocale,
    limits: &RequestLimits,
) -> Invocation<R> {
    let invocation = Invocation::<R>::parse(body, None, locale, limits).expect("the body parses");
    verify(store, &invocation.run.auth, None, None).expect("the portal is known");
    invocation
}

fn bench_body<R: BizprocReturn>(criterion: &mut Criterion, group: &str, body: &[u8]) {
    let store = store();
    let locale = PortalLocale::default();
    let limits = RequestLimits::default();
    // Both sides must see the same body before their times mean anything.
    let _ = decode_ours::<R>(&store, body, &locale, &limits);
    assert!(decode_baseline(body).len() > 20);
    let mut group = criterion.benchmark_group(group);
    group.bench_function("bizproc", |bencher| {
        bencher.iter(|| decode_ours::<R>(&store, black_box(body), &locale, &limits));
    });
    group.bench_function("serde_urlencoded_hashmap", |bencher| {
        bencher.iter(|| decode_baseline(black_box(body)));
    });
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let wide = wide_body();
    bench_body::<SendInvoice>(&mut criterion, "handler_decode_spec", SPEC_BODY.as_bytes());
    bench_body::<WideReview>(&mut criterion, "handler_decode_wide", wide.as_bytes());
    criterion.final_summary();
    support::report("handler_decode_spec", "bizproc", "serde_urlencoded_hashmap", TARGET);
    support::report("handler_decode_wide", "bizproc", "serde_urlencoded_hashmap", TARGET);
}
