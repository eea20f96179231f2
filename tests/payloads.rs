//! Payload tests: the documented Bitrix24 examples written as derives, a snapshot of every
//! type's descriptor and value, handler-input decoding, and registration validation.
//!
//! The fixtures are exact copies of the JSON examples in `bitrix24/b24restdocs` (spec §2, §3).
//! Where our design deliberately writes something differently, the test applies that
//! difference to the documented JSON explicitly, says why, and compares everything else
//! exactly (as `serde_json::Value`, so key order is ignored there).
//!
//! Snapshots live in `tests/snapshots/*.json`; run with `BIZPROC_BLESS=1` to rewrite them, then
//! review the diff by hand.

use std::path::PathBuf;

use bizproc::{
    BizprocProperties, BizprocReturn, BizprocSelect, DateFormat, DocumentType, FileId, Filter, FilterRule,
    PortalLocale, Properties, Property, PropertyInput, PropertyType, Registration, RegistrationProblem,
    STORED_PROPERTIES_LIMIT, Text, UserId,
};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::{Value, json};

/// A dotted host, as spec §2 says to use in place of the docs' `https://your_domain/...`.
const HOST: &str = "https://app.example.com";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Compares `actual`, pretty-printed, with `tests/snapshots/<name>.json`; with
/// `BIZPROC_BLESS=1`, (re)writes the file instead. The text is compared, so key order counts.
fn assert_snapshot(name: &str, actual: &Value) {
    let path: PathBuf =
        [env!("CARGO_MANIFEST_DIR"), "tests", "snapshots"].iter().collect::<PathBuf>().join(format!("{name}.json"));
    let mut pretty = serde_json::to_string_pretty(actual).expect("a Value always serializes");
    pretty.push('\n');
    if std::env::var_os("BIZPROC_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("snapshot path has a parent")).expect("create tests/snapshots");
        std::fs::write(&path, &pretty).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!("cannot read snapshot {}: {err}; run with BIZPROC_BLESS=1 to create it", path.display())
    });
    assert!(
        expected.replace("\r\n", "\n") == pretty,
        "snapshot {} differs (run with BIZPROC_BLESS=1 to update, then review the diff)\n\
         --- expected\n{expected}\n--- actual\n{pretty}",
        path.display()
    );
}

/// The documented request body of a fixture as it is sent by this library: without the
/// `auth` key (the transport adds it) and with a dotted host in `HANDLER` (spec §2).
fn documented_payload(fixture: &str, handler: &str) -> Value {
    let mut payload: Value = serde_json::from_str(fixture).expect("fixture is valid JSON");
    let object = payload.as_object_mut().expect("fixture is an object");
    assert_eq!(object.remove("auth"), Some(json!("**put_access_token_here**")));
    let documented_handler = object.get("HANDLER").and_then(Value::as_str).expect("fixture has a HANDLER");
    assert!(
        documented_handler.starts_with("https://your_domain/"),
        "the documented placeholder host has no dot: {documented_handler}"
    );
    object.insert("HANDLER".into(), handler.into());
    payload
}

/// The descriptor object at `payload[key][id]`.
fn descriptor<'a>(payload: &'a mut Value, key: &str, id: &str) -> &'a mut serde_json::Map<String, Value> {
    payload[key][id].as_object_mut().unwrap_or_else(|| panic!("{key}.{id} is a descriptor object"))
}

/// Adds a key the documented descriptor leaves out, checking that it really was absent.
fn add_omitted(descriptor: &mut serde_json::Map<String, Value>, key: &str, value: &str) {
    let previous = descriptor.insert(key.to_owned(), value.into());
    assert_eq!(previous, None, "the documented descriptor already has `{key}`");
}

fn moscow() -> PortalLocale {
    PortalLocale::new(DateFormat::DAY_MONTH_YEAR, FixedOffset::east_opt(3 * 3600).expect("+03:00"))
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid date")
}

fn datetime(year: i32, month: u32, day: u32, h: u32, m: u32, s: u32) -> NaiveDateTime {
    date(year, month, day).and_hms_opt(h, m, s).expect("valid time")
}

// ---------------------------------------------------------------------------------------------
// Spec §2, second fixture: the `md5_action` activity
// ---------------------------------------------------------------------------------------------

/// `bitrix24/b24restdocs: api-reference/bizproc/bizproc-activity/bizproc-activity-add.md`,
/// copied from spec §2 byte for byte.
const MD5_ACTION_FIXTURE: &str = r#"{"CODE":"md5_action","HANDLER":"https://your_domain/ping.php","AUTH_USER_ID":1,"USE_SUBSCRIPTION":"Y","NAME":{"de":"MD5 Generator","en":"MD5 generator"},"DESCRIPTION":{"de":"Die Aktion gibt den MD5-Hash des Eingabeparameters zurück","en":"Activity returns MD5 hash of input parameter"},"PROPERTIES":{"inputString":{"Name":{"de":"Eingabestring","en":"Input string"},"Description":{"de":"Geben Sie den String ein, den Sie hashen möchten","en":"Input string for hashing"},"Type":"string","Required":"Y","Multiple":"N","Default":"{=Document:NAME}"}},"RETURN_PROPERTIES":{"outputString":{"Name":{"de":"MD5","en":"MD5"},"Type":"string","Multiple":"N","Default":null}},"DOCUMENT_TYPE":["lists","BizprocDocument","iblock_164"],"FILTER":{"INCLUDE":[["lists"]]},"auth":"**put_access_token_here**"}"#;

#[derive(BizprocProperties, Debug, PartialEq)]
struct Md5Input {
    #[bizproc(
        rename = "inputString",
        name(de = "Eingabestring", en = "Input string"),
        description(de = "Geben Sie den String ein, den Sie hashen möchten", en = "Input string for hashing"),
        default = "{=Document:NAME}"
    )]
    input_string: String,
}

#[derive(BizprocReturn)]
#[bizproc(
    code = "md5_action",
    name(de = "MD5 Generator", en = "MD5 generator"),
    description(
        de = "Die Aktion gibt den MD5-Hash des Eingabeparameters zurück",
        en = "Activity returns MD5 hash of input parameter"
    ),
    input = Md5Input
)]
struct Md5Action {
    #[bizproc(rename = "outputString", name(de = "MD5", en = "MD5"))]
    output_string: String,
}

fn md5_registration(handler: &str) -> Registration {
    Md5Action::registration(handler)
        .auth_user_id(1)
        .document_type(DocumentType::new("lists", "BizprocDocument", "iblock_164"))
        .filter(Filter::new().include(FilterRule::document(["lists"])))
}

#[test]
fn md5_action_matches_the_documented_activity_add() {
    let handler = format!("{HOST}/ping.php");
    let payload = md5_registration(&handler).activity_add_payload();

    let mut expected = documented_payload(MD5_ACTION_FIXTURE, &handler);
    let output = descriptor(&mut expected, "RETURN_PROPERTIES", "outputString");
    // Difference 1: the docs write `"Default": null` on the return property. Our descriptors
    // write `Default` only when the field has one (`#[bizproc(default = ..)]`) and never as
    // `null`: a property without a default says so by leaving the key out.
    assert_eq!(output.remove("Default"), Some(Value::Null));
    // Difference 2: the docs leave `Required` out. Our descriptors always write `Required`
    // (and `Multiple`) as "Y"/"N" (§3 flags), taken from the field type: `String` is
    // required, so "Y".
    add_omitted(output, "Required", "Y");

    assert_eq!(payload, expected);
    // Same body for a robot: `bizproc.activity.add` takes the parameters of `robot.add`.
    assert_eq!(md5_registration(&handler).robot_add_payload(), expected, "activity and robot payloads are the same");
    md5_registration(&handler).validate().expect("the documented activity, with a dotted host, is valid");
}

#[test]
fn md5_action_with_the_documented_placeholder_host_is_refused() {
    // Spec §2: the docs' `https://your_domain/...` has no dot; a server applying §9 rule 7
    // answers ERROR_WRONG_HANDLER_URL.
    let err = md5_registration("https://your_domain/ping.php").validate().unwrap_err();
    assert!(
        matches!(
            err.problems(),
            [RegistrationProblem::HandlerUrl { key: "HANDLER", url, .. }] if url == "https://your_domain/ping.php"
        ),
        "{err}"
    );
}

#[test]
fn md5_action_values_and_input() {
    let values = Md5Action { output_string: "846c55d14f552180874a628d2615e285".into() }.return_values();
    assert_eq!(values.into_json(), json!({"outputString": "846c55d14f552180874a628d2615e285"}));

    let input = PropertyInput::from_iter([("inputString", "Hello")]);
    assert_eq!(Md5Input::from_input(&input, &PortalLocale::default()), Ok(Md5Input { input_string: "Hello".into() }));
}

// ---------------------------------------------------------------------------------------------
// Spec §2, first fixture: the `test_robot` robot
// ---------------------------------------------------------------------------------------------

/// `bitrix24/b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-robot-add.md`, JSON body
/// of the cURL example, copied from spec §2 byte for byte.
const TEST_ROBOT_FIXTURE: &str = r#"{"CODE":"test_robot","HANDLER":"https://your_domain/robot.php","AUTH_USER_ID":1,"USE_SUBSCRIPTION":"Y","NAME":"Send Message","PROPERTIES":{"datetime":{"Name":"When","Type":"datetime"},"text":{"Name":"Text","Type":"text"},"user":{"Name":"To","Type":"user","Default":"Author;"}},"FILTER":{"INCLUDE":[["crm","CCrmDocumentDeal"],["crm","CCrmDocumentLead"]]},"auth":"**put_access_token_here**"}"#;

// The documented descriptors have no `Required`, which Bitrix24 reads as "not required":
// `Option<T>` says exactly that.
#[derive(BizprocProperties, Debug, PartialEq)]
struct SendMessageInput {
    #[bizproc(name = "When")]
    datetime: Option<NaiveDateTime>,
    #[bizproc(name = "Text")]
    text: Option<Text>,
    #[bizproc(name = "To", default = "Author;")]
    user: Option<UserId>,
}

// No doc comment on purpose: it would become `DESCRIPTION`, which the fixture does not have.
#[derive(BizprocReturn)]
#[bizproc(code = "test_robot", name = "Send Message", input = SendMessageInput)]
struct SendMessage;

#[test]
fn test_robot_matches_the_documented_robot_add() {
    let handler = format!("{HOST}/robot.php");
    let registration = SendMessage::registration(&handler).auth_user_id(1).filter(
        Filter::new()
            .include(FilterRule::document(["crm", "CCrmDocumentDeal"]))
            .include(FilterRule::document(["crm", "CCrmDocumentLead"])),
    );
    let payload = registration.robot_add_payload();

    let mut expected = documented_payload(TEST_ROBOT_FIXTURE, &handler);
    // The only difference: the docs leave `Required` and `Multiple` out of every descriptor.
    // Our descriptors always write both as "Y"/"N" (§3 flags) rather than rely on a server
    // default; the fields are `Option<T>`, so "N" and "N": the server's reading of the
    // missing keys, written out.
    for id in ["datetime", "text", "user"] {
        let property = descriptor(&mut expected, "PROPERTIES", id);
        add_omitted(property, "Required", "N");
        add_omitted(property, "Multiple", "N");
    }

    assert_eq!(payload, expected);
    // A robot without outputs writes no RETURN_PROPERTIES, as the fixture.
    assert!(payload.get("RETURN_PROPERTIES").is_none());
    assert!(SendMessage.return_values().is_empty());
    registration.validate().expect("valid with a dotted host");
}

#[test]
fn test_robot_reads_its_handler_input() {
    let input = PropertyInput::from_iter([("datetime", "28.12.2025 14:05:48"), ("text", "Hello"), ("user", "user_1")]);
    assert_eq!(
        SendMessageInput::from_input(&input, &moscow()),
        Ok(SendMessageInput {
            datetime: Some(datetime(2025, 12, 28, 14, 5, 48)),
            text: Some(Text::from("Hello")),
            user: Some(UserId(1)),
        })
    );
    // Unset values arrive as empty strings (§4).
    let empty = PropertyInput::from_iter([("datetime", ""), ("text", ""), ("user", "")]);
    assert_eq!(
        SendMessageInput::from_input(&empty, &moscow()),
        Ok(SendMessageInput { datetime: None, text: None, user: None })
    );
}

// ---------------------------------------------------------------------------------------------
// Spec §3: the docs' example descriptors `docType` and `attachment`
// ---------------------------------------------------------------------------------------------

/// `bitrix24/b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-robot-add.md`, converted
/// from JS to JSON in spec §3.
const DOCS_DESCRIPTORS_FIXTURE: &str = r#"{
    "docType": {"Name": {"de": "Dokumenttyp", "en": "Document type"}, "Required": "Y", "Multiple": "N", "Default": "pdf", "Type": "select", "Options": {"pdf": "PDF", "docx": "DOCX"}},
    "attachment": {"Name": {"de": "Datei", "en": "File"}, "Description": {"de": "Datei zum Senden", "en": "File to send"}, "Type": "file", "Required": "N", "Multiple": "Y"}
}"#;

#[derive(BizprocSelect, Debug, Clone, Copy, PartialEq)]
enum DocType {
    #[bizproc(rename = "pdf", label = "PDF")]
    Pdf,
    #[bizproc(rename = "docx", label = "DOCX")]
    Docx,
}

#[derive(BizprocProperties, Debug, PartialEq)]
struct SendDocumentInput {
    #[bizproc(rename = "docType", name(de = "Dokumenttyp", en = "Document type"), default = "pdf")]
    doc_type: DocType,
    #[bizproc(name(de = "Datei", en = "File"), description(de = "Datei zum Senden", en = "File to send"))]
    attachment: Vec<FileId>,
}

#[test]
fn docs_example_descriptors_match_exactly() {
    let expected: Value = serde_json::from_str(DOCS_DESCRIPTORS_FIXTURE).unwrap();
    // No differences to apply: both documented descriptors already carry `Required` and
    // `Multiple`, and neither has a null `Default`. `docType` is a required select whose
    // default is an option key (§10 C8); `attachment` is `Vec<FileId>`: file, not
    // required, multiple.
    let actual = serde_json::to_value(SendDocumentInput::properties()).unwrap();
    assert_eq!(actual, expected);
    assert_eq!(SendDocumentInput::properties().ids().collect::<Vec<_>>(), ["docType", "attachment"]);
}

#[test]
fn docs_example_descriptors_read_handler_input() {
    let mut input = PropertyInput::new();
    input.insert("docType", "docx");
    input.insert("attachment", vec!["15".to_owned(), "16".to_owned()]);
    assert_eq!(
        SendDocumentInput::from_input(&input, &PortalLocale::default()),
        Ok(SendDocumentInput { doc_type: DocType::Docx, attachment: vec![FileId(15), FileId(16)] })
    );
    // An empty multiple value has no form representation: the key is missing (§4).
    let input = PropertyInput::from_iter([("docType", "pdf")]);
    assert_eq!(
        SendDocumentInput::from_input(&input, &PortalLocale::default()),
        Ok(SendDocumentInput { doc_type: DocType::Pdf, attachment: vec![] })
    );
}

// ---------------------------------------------------------------------------------------------
// Every type: descriptors and values, against committed snapshots
// ---------------------------------------------------------------------------------------------

#[derive(BizprocSelect, Debug, Clone, Copy, PartialEq)]
#[bizproc(rename_all = "snake_case")]
enum Priority {
    Low,
    #[bizproc(label = "Normal priority")]
    Normal,
    VeryHigh,
    #[bizproc(rename = "urgent", label = "Urgent!")]
    Critical,
}

#[derive(BizprocProperties, Debug, PartialEq)]
#[bizproc(rename_all = "camelCase")]
struct EveryTypeInput {
    /// The counterparty's tax id.
    tax_id: String,
    #[bizproc(default = 3)]
    max_attempts: u8,
    #[bizproc(default = "Author;")]
    notify: Option<UserId>,
    #[bizproc(default = ["a", "b"])]
    labels: Vec<String>,
    #[bizproc(default = "urgent")]
    urgency: Priority,
    #[bizproc(default = true)]
    notify_flag: bool,
    #[bizproc(default = 1.5)]
    ratio: f64,
    #[bizproc(default = "{=Document:BEGINDATE}")]
    starts_on: NaiveDate,
}

/// Returns one value of every type.
///
/// Used by the payload snapshots.
#[derive(BizprocReturn)]
#[bizproc(
    code = "every_type",
    name(en = "Every type", ru = "Все типы"),
    input = EveryTypeInput,
    rename_all = "camelCase"
)]
struct EveryType {
    string: String,
    text: Text,
    int8: i8,
    int16: i16,
    int32: i32,
    int64: i64,
    uint8: u8,
    uint16: u16,
    uint32: u32,
    float32: f32,
    float64: f64,
    flag_yes: bool,
    flag_no: bool,
    date: NaiveDate,
    local_time: NaiveDateTime,
    offset_time: DateTime<FixedOffset>,
    utc_time: DateTime<Utc>,
    user: UserId,
    file: FileId,
    #[bizproc(default = "normal")]
    priority: Priority,
    maybe_user: Option<UserId>,
    missing_note: Option<String>,
    tags: Vec<String>,
    dates: Vec<NaiveDate>,
    empty_list: Vec<i32>,
    #[bizproc(default = ["low", "urgent"])]
    priorities: Vec<Priority>,
    #[bizproc(type = "text")]
    long_string: String,
    #[bizproc(skip)]
    cache: u64,
    #[bizproc(rename = "Total_Amount")]
    total: f64,
    /// Filled in by the scoring step.
    /// Zero when the step did not run.
    described: i32,
    #[bizproc(name(en = "Reviewer", ru = "Проверяющий"))]
    reviewer: UserId,
}

/// The ids in field order: `rename_all = "camelCase"`, one `rename`, `skip` left out.
const EVERY_TYPE_IDS: [&str; 30] = [
    "string",
    "text",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "float32",
    "float64",
    "flagYes",
    "flagNo",
    "date",
    "localTime",
    "offsetTime",
    "utcTime",
    "user",
    "file",
    "priority",
    "maybeUser",
    "missingNote",
    "tags",
    "dates",
    "emptyList",
    "priorities",
    "longString",
    "Total_Amount",
    "described",
    "reviewer",
];

fn every_type() -> EveryType {
    EveryType {
        string: "Hello, \"world\" / Привет".into(),
        text: Text::from("line one\nline two"),
        int8: i8::MIN,
        int16: i16::MAX,
        int32: -42,
        int64: i64::MAX,
        uint8: u8::MAX,
        uint16: u16::MAX,
        uint32: u32::MAX,
        float32: 1.1,
        float64: 100.15,
        flag_yes: true,
        flag_no: false,
        date: date(2026, 11, 28),
        local_time: datetime(2025, 12, 28, 14, 5, 48),
        offset_time: FixedOffset::east_opt(5 * 3600)
            .unwrap()
            .from_local_datetime(&datetime(2025, 12, 28, 14, 5, 48))
            .unwrap(),
        utc_time: Utc.from_utc_datetime(&datetime(2025, 12, 28, 11, 5, 48)),
        user: UserId(7),
        file: FileId(1234),
        priority: Priority::VeryHigh,
        maybe_user: Some(UserId(1)),
        missing_note: None,
        tags: vec!["vip".into(), "new".into()],
        dates: vec![date(2026, 11, 28), date(2026, 12, 31)],
        empty_list: vec![],
        priorities: vec![Priority::Low, Priority::Critical],
        long_string: "a long string sent as text".into(),
        cache: 99,
        total: 250_000.0,
        described: 0,
        reviewer: UserId(3),
    }
}

#[test]
fn every_type_return_properties_snapshot() {
    let properties = EveryType::return_properties();
    assert_eq!(properties.ids().collect::<Vec<_>>(), EVERY_TYPE_IDS);
    assert_snapshot("every_type.return_properties", &serde_json::to_value(&properties).unwrap());
}

#[test]
fn every_type_input_properties_snapshot() {
    assert_snapshot("every_type.properties", &serde_json::to_value(EveryTypeInput::properties()).unwrap());
}

#[test]
fn every_type_return_values_snapshot() {
    let robot = every_type();
    assert_eq!(robot.cache, 99, "a skipped field is not sent");
    let values = robot.return_values();
    // Every id but the absent `missingNote`, in field order.
    let sent: Vec<&str> = values.iter().map(|(id, _)| id).collect();
    let expected: Vec<&str> = EVERY_TYPE_IDS.into_iter().filter(|id| *id != "missingNote").collect();
    assert_eq!(sent, expected);
    // Spot checks of §4, besides the snapshot.
    for (id, value) in [
        ("flagYes", json!("Y")),
        ("flagNo", json!("N")),
        ("user", json!("user_7")),
        ("file", json!(1234)),
        ("priority", json!("very_high")),
        ("date", json!("2026-11-28T00:00:00+00:00")),
        ("tags", json!(["vip", "new"])),
    ] {
        assert_eq!(values.get(id), Some(&value), "{id}");
    }
    assert_snapshot("every_type.return_values", &values.into_json());
}

#[test]
fn every_type_return_values_at_a_portal_offset_snapshot() {
    let values = every_type().return_values_in(&moscow());
    assert_eq!(values.get("date"), Some(&json!("2026-11-28T00:00:00+03:00")));
    assert_snapshot("every_type.return_values_moscow", &values.into_json());
}

#[test]
fn every_type_robot_add_snapshot() {
    let registration = EveryType::registration(format!("{HOST}/robots/every_type"));
    registration.validate().expect("valid registration");
    assert_snapshot("every_type.robot_add", &registration.robot_add_payload());
}

#[test]
fn every_type_update_snapshot() {
    let registration = EveryType::registration(format!("{HOST}/robots/every_type"));
    assert_snapshot("every_type.update", &registration.update_payload());
}

#[test]
fn every_type_update_with_every_option_snapshot() {
    let registration = EveryType::registration(format!("{HOST}/robots/every_type"))
        .auth_user_id(1)
        .use_subscription(false)
        .document_type(DocumentType::deal())
        .filter(Filter::new().include(FilterRule::document(["crm"])).exclude(FilterRule::OnPremise))
        .placement(format!("{HOST}/robots/every_type/settings"));
    registration.validate().expect("valid registration");
    assert_snapshot("every_type.update_with_every_option", &registration.update_payload());
}

// ---------------------------------------------------------------------------------------------
// from_input: a handler-like request, and one where several properties fail
// ---------------------------------------------------------------------------------------------

#[derive(BizprocProperties, Debug, PartialEq)]
struct HandlerInput {
    inn: String,
    amount: f64,
    count: i32,
    approved: bool,
    format: DocType,
    manager: UserId,
    due: NaiveDate,
    starts_at: NaiveDateTime,
    starts_at_offset: DateTime<FixedOffset>,
    watchers: Vec<UserId>,
    files: Vec<FileId>,
    comment: Option<Text>,
    deputy: Option<UserId>,
    #[bizproc(skip)]
    note: String,
}

#[test]
fn from_input_reads_a_handler_request() {
    let mut input = PropertyInput::new();
    input.insert("inn", "7707083893");
    input.insert("amount", "100.15");
    input.insert("count", "42");
    input.insert("approved", "Y");
    input.insert("format", "docx");
    input.insert("manager", "user_1");
    input.insert("due", "28.12.2025");
    input.insert("starts_at", "28.12.2025 14:05:48");
    input.insert("starts_at_offset", "28.12.2025 14:05:48");
    // A multiple value, with an unset entry that arrives empty.
    input.insert("watchers", vec!["user_1".to_owned(), String::new(), "user_7".to_owned()]);
    // `files` is missing: an empty multiple value has no form representation (§4).
    input.insert("comment", ""); // unset values arrive as empty strings
    // `deputy` is missing too.
    input.insert("unknown", "ignored");

    let parsed = HandlerInput::from_input(&input, &moscow()).expect("a valid request");
    assert_eq!(
        parsed,
        HandlerInput {
            inn: "7707083893".into(),
            amount: 100.15,
            count: 42,
            approved: true,
            format: DocType::Docx,
            manager: UserId(1),
            due: date(2025, 12, 28),
            starts_at: datetime(2025, 12, 28, 14, 5, 48),
            starts_at_offset: FixedOffset::east_opt(3 * 3600)
                .unwrap()
                .from_local_datetime(&datetime(2025, 12, 28, 14, 5, 48))
                .unwrap(),
            watchers: vec![UserId(1), UserId(7)],
            files: vec![],
            comment: None,
            deputy: None,
            note: String::new(),
        }
    );
    // The portal's time: the same instant as 11:05:48 UTC.
    assert_eq!(parsed.starts_at_offset.to_rfc3339(), "2025-12-28T14:05:48+03:00");
}

#[test]
fn from_input_reports_every_failing_property_at_once() {
    let mut input = PropertyInput::new();
    // `inn` is missing.
    input.insert("amount", "abc");
    input.insert("count", "12.5");
    input.insert("approved", "maybe");
    input.insert("format", "odt");
    input.insert("manager", "Author;"); // an expression the server should have resolved
    input.insert("due", "31.02.2025");
    input.insert("starts_at", "28.12.2025 25:00:00");
    input.insert("starts_at_offset", "2025-12-28T14:05:48+03:00"); // fine
    input.insert("watchers", vec!["user_1".to_owned(), "bob".to_owned()]);
    input.insert("files", vec!["15".to_owned()]); // fine
    input.insert("comment", "fine");
    input.insert("deputy", vec!["user_1".to_owned(), "user_2".to_owned()]);

    let err = HandlerInput::from_input(&input, &moscow()).unwrap_err();
    let failures: Vec<(&str, Option<&str>)> = err.errors().iter().map(|e| (e.property(), e.error().text())).collect();
    assert_eq!(
        failures,
        [
            ("inn", None),
            ("amount", Some("abc")),
            ("count", Some("12.5")),
            ("approved", Some("maybe")),
            ("format", Some("odt")),
            ("manager", Some("Author;")),
            ("due", Some("31.02.2025")),
            ("starts_at", Some("28.12.2025 25:00:00")),
            ("watchers", Some("bob")),
            ("deputy", None),
        ],
        "every failing property, in declaration order: {err}"
    );

    let messages: Vec<String> = err.errors().iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "property `inn`: a value is required but none was sent",
            "property `amount`: `abc` is not a decimal number",
            "property `count`: `12.5` is not an integer",
            "property `approved`: `maybe` is not `Y` or `N`",
            "property `format`: `odt` is not one of the options `pdf`, `docx`",
            "property `manager`: `Author;` is not a user (`user_<id>`)",
            "property `due`: `31.02.2025` is not a date (the portal's format, ISO-8601, or a Unix timestamp)",
            "property `starts_at`: `28.12.2025 25:00:00` is not a date-time (the portal's format, ISO-8601, or a Unix timestamp)",
            "property `watchers`: `bob` is not a user (`user_<id>`)",
            "property `deputy`: 2 values were sent for a property that takes one",
        ]
    );
    let whole = err.to_string();
    assert!(whole.starts_with("invalid robot input: "), "{whole}");
    for message in &messages {
        assert!(whole.contains(message.as_str()), "{whole}");
    }
}

// ---------------------------------------------------------------------------------------------
// Registration::validate
// ---------------------------------------------------------------------------------------------

/// `count` text properties `<prefix><i>` whose names are `name_len` bytes long.
fn large_properties(prefix: &str, count: usize, name_len: usize) -> Properties {
    (0..count).map(|i| (format!("{prefix}{i}"), Property::new("x".repeat(name_len), PropertyType::Text))).collect()
}

/// A URL of exactly `len` characters.
fn url_of_len(len: usize) -> String {
    let base = format!("{HOST}/");
    format!("{base}{}", "a".repeat(len - base.len()))
}

#[test]
fn validate_reports_every_problem_in_one_error() {
    let registration = Registration::new("big", "Big", "http://localhost/robot")
        .use_placement(true)
        .properties(large_properties("in", 1, 10))
        .return_properties(large_properties("out", 70, 1000));
    let err = registration.validate().unwrap_err();
    let problems = err.problems();
    assert_eq!(problems.len(), 3, "{err}");
    assert!(
        matches!(
            &problems[0],
            RegistrationProblem::HandlerUrl { key: "HANDLER", url, reason }
                if url == "http://localhost/robot" && reason.contains("dot")
        ),
        "{:?}",
        problems[0]
    );
    assert_eq!(problems[1], RegistrationProblem::MissingPlacementHandler);
    assert!(
        matches!(
            problems[2],
            RegistrationProblem::TooLarge { key: "RETURN_PROPERTIES", size } if size >= STORED_PROPERTIES_LIMIT
        ),
        "{:?}",
        problems[2]
    );
    let message = err.to_string();
    for part in [
        "invalid registration `big`",
        "HANDLER `http://localhost/robot`",
        "USE_PLACEMENT is Y but PLACEMENT_HANDLER is not set",
        "RETURN_PROPERTIES is ",
    ] {
        assert!(message.contains(part), "{message}");
    }
}

#[test]
fn validate_reports_scheme_length_and_both_property_sets() {
    let long = url_of_len(1001);
    let registration = Registration::new("big", "Big", long.as_str())
        .placement("ftp://files.example.com/settings")
        .properties(large_properties("in", 70, 1000))
        .return_properties(large_properties("out", 70, 1000));
    let err = registration.validate().unwrap_err();
    let problems = err.problems();
    assert_eq!(problems.len(), 4, "{err}");
    assert!(
        matches!(
            &problems[0],
            RegistrationProblem::HandlerUrl { key: "HANDLER", url, reason }
                if url.ends_with('…') && url.chars().count() == 81 && reason.contains("1000")
        ),
        "{:?}",
        problems[0]
    );
    assert!(
        matches!(
            &problems[1],
            RegistrationProblem::HandlerUrl { key: "PLACEMENT_HANDLER", url, reason }
                if url == "ftp://files.example.com/settings" && reason.contains("http")
        ),
        "{:?}",
        problems[1]
    );
    assert!(matches!(problems[2], RegistrationProblem::TooLarge { key: "PROPERTIES", .. }));
    assert!(matches!(problems[3], RegistrationProblem::TooLarge { key: "RETURN_PROPERTIES", .. }));
    // The error message stays short however long the URL is.
    assert!(err.to_string().len() < 1000, "{err}");
}

#[test]
fn validate_handler_scheme_and_length_limits() {
    let ftp = Registration::new("a", "A", "ftp://files.example.com/robot").validate().unwrap_err();
    assert!(
        matches!(ftp.problems(), [RegistrationProblem::HandlerUrl { key: "HANDLER", reason, .. }] if reason.contains("http or https")),
        "{ftp}"
    );
    // 1000 characters is the limit; one more is refused.
    assert_eq!(url_of_len(1000).len(), 1000);
    Registration::new("a", "A", url_of_len(1000)).validate().expect("1000 characters are stored");
    let long = Registration::new("a", "A", url_of_len(1001)).validate().unwrap_err();
    assert_eq!(long.problems().len(), 1, "{long}");
    // `127.0.0.1` has a dot after its first character: accepted, unlike `localhost`.
    Registration::new("a", "A", "http://127.0.0.1:8080/robot").validate().expect("127.0.0.1 passes");
}

/// PHP's `serialize()` of one property `p` with a plain-text `Name` of `name_len` bytes, as the
/// server stores it (§3: keys upper-cased, a plain string stored as `{"*": text}`).
fn php_serialized_len(name_len: usize) -> usize {
    let name = "x".repeat(name_len);
    format!(
        r#"a:1:{{s:1:"p";a:4:{{s:4:"NAME";a:1:{{s:1:"*";s:{name_len}:"{name}";}}s:4:"TYPE";s:4:"text";s:8:"REQUIRED";s:1:"Y";s:8:"MULTIPLE";s:1:"N";}}}}"#
    )
    .len()
}

#[test]
fn validate_size_limit_is_exact() {
    // The largest name whose property set stays under 65 535 bytes.
    let fits = (60_000..65_535).rev().find(|&n| php_serialized_len(n) < STORED_PROPERTIES_LIMIT).unwrap();
    assert_eq!(php_serialized_len(fits), STORED_PROPERTIES_LIMIT - 1);
    let one = |name_len| {
        Registration::new("a", "A", format!("{HOST}/robot"))
            .return_properties(Properties::from_iter([("p", Property::new("x".repeat(name_len), PropertyType::Text))]))
            .validate()
    };
    one(fits).expect("65 534 bytes are stored");
    let err = one(fits + 1).unwrap_err();
    assert_eq!(
        err.problems(),
        [RegistrationProblem::TooLarge { key: "RETURN_PROPERTIES", size: STORED_PROPERTIES_LIMIT }]
    );
}
