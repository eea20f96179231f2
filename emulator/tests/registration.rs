//! `bizproc.robot.*` and `bizproc.activity.*` over real HTTP: every row of the spec's §9
//! table with its code, text and status, the update/delete/list orders, key casing, the shared
//! `CODE` namespace, and the documented fixtures of §2.

use bizproc_emulator::{Emulator, Kind, RateLimit, StoredRegistration};
use serde_json::{Value, json};

const HANDLER: &str = "https://app.example.com/robot.php";

/// An emulator with one portal and no rate limit, and a client for it.
struct Portal {
    emulator: Emulator,
    http: reqwest::Client,
}

/// A status and a JSON body.
type Reply = (u16, Value);

impl Portal {
    async fn start() -> Self {
        let emulator = Emulator::builder().rate_limit(RateLimit::UNLIMITED).start().await.expect("the emulator starts");
        Self { emulator, http: reqwest::Client::new() }
    }

    /// POSTs `params` as JSON with the app's access token.
    async fn call(&self, method: &str, params: Value) -> Reply {
        let credentials = self.emulator.credentials();
        let mut params = params;
        params["auth"] = credentials.access_token.into();
        let request = self.http.post(format!("{}{method}", credentials.client_endpoint)).json(&params);
        reply(request).await
    }

    /// POSTs `params` as JSON through the portal's incoming webhook.
    async fn webhook(&self, method: &str, params: Value) -> Reply {
        let request = self.http.post(format!("{}{method}", self.emulator.credentials().webhook_url)).json(&params);
        reply(request).await
    }

    /// POSTs `params` form-encoded, PHP brackets and all, with the app's access token.
    async fn call_form(&self, method: &str, params: Value) -> Reply {
        let credentials = self.emulator.credentials();
        let mut params = params;
        params["auth"] = credentials.access_token.into();
        let request = self
            .http
            .post(format!("{}{method}", credentials.client_endpoint))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(bizproc::form::encode(&params));
        reply(request).await
    }

    fn stored(&self) -> Vec<StoredRegistration> {
        self.emulator.registrations(&self.emulator.credentials().member_id)
    }

    /// The stored fields of `code`.
    #[track_caller]
    fn fields(&self, code: &str) -> Value {
        self.stored().into_iter().find(|r| r.code == code).unwrap_or_else(|| panic!("`{code}` is stored")).fields
    }
}

async fn reply(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("the emulator answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

#[track_caller]
fn expect_error(reply: &Reply, status: u16, code: &str, text: &str) {
    assert_eq!(reply.1, json!({"error": code, "error_description": text}), "status {}", reply.0);
    assert_eq!(reply.0, status, "{}", reply.1);
}

#[track_caller]
fn expect_validation(reply: &Reply, text: &str) {
    expect_error(reply, 400, "ERROR_ACTIVITY_VALIDATION_FAILURE", text);
}

#[track_caller]
fn expect_wrong_url(reply: &Reply) {
    expect_error(reply, 400, "ERROR_WRONG_HANDLER_URL", "Wrong handler URL");
}

#[track_caller]
fn expect_unsupported_protocol(reply: &Reply) {
    expect_error(reply, 400, "ERROR_UNSUPPORTED_PROTOCOL", "Unsupported handler protocol");
}

#[track_caller]
fn expect_not_found(reply: &Reply) {
    expect_error(reply, 400, "ERROR_ACTIVITY_NOT_FOUND", "Activity or Robot not found!");
}

#[track_caller]
fn expect_already_installed(reply: &Reply) {
    expect_error(reply, 400, "ERROR_ACTIVITY_ALREADY_INSTALLED", "Activity or Robot already installed!");
}

#[track_caller]
fn expect_save_error(reply: &Reply) {
    expect_error(reply, 400, "ERROR_ACTIVITY_ADD_FAILURE", "Activity save error!");
}

/// `{"result": true, "time": {...}}`.
#[track_caller]
fn expect_true(reply: &Reply) {
    assert_eq!(reply.0, 200, "{}", reply.1);
    assert_eq!(reply.1["result"], json!(true), "{}", reply.1);
    let time = reply.1["time"].as_object().expect("a `time` object");
    for key in ["start", "finish", "duration", "processing", "date_start", "date_finish"] {
        assert!(time.contains_key(key), "time.{key}: {}", reply.1);
    }
    assert_eq!(reply.1.as_object().map(serde_json::Map::len), Some(2), "{}", reply.1);
}

#[track_caller]
fn expect_result(reply: &Reply, result: &Value) {
    assert_eq!(reply.0, 200, "{}", reply.1);
    assert_eq!(&reply.1["result"], result, "{}", reply.1);
}

/// A valid registration.
fn robot(code: &str) -> Value {
    json!({"CODE": code, "HANDLER": HANDLER, "NAME": "Robot", "USE_SUBSCRIPTION": "Y"})
}

/// `base` with `key` set to `value`.
fn with(base: &Value, key: &str, value: Value) -> Value {
    let mut params = base.clone();
    params[key] = value;
    params
}

/// `base` without `key`.
fn without(base: &Value, key: &str) -> Value {
    let mut params = base.clone();
    params.as_object_mut().expect("an object").shift_remove(key);
    params
}

/// The add methods of both kinds.
const ADDS: [&str; 2] = ["bizproc.robot.add", "bizproc.activity.add"];

const ALL_METHODS: [&str; 8] = [
    "bizproc.robot.add",
    "bizproc.robot.update",
    "bizproc.robot.delete",
    "bizproc.robot.list",
    "bizproc.activity.add",
    "bizproc.activity.update",
    "bizproc.activity.delete",
    "bizproc.activity.list",
];

/// A `{"p": {"Name": "xxx…"}}` property set whose PHP serialization is `size` bytes.
fn properties_of_size(size: usize) -> Value {
    let serialized = |n: usize| format!(r#"a:1:{{s:1:"p";a:1:{{s:4:"NAME";s:{n}:"{}";}}}}"#, "x".repeat(n));
    let n = (size.saturating_sub(64)..size).find(|&n| serialized(n).len() == size).expect("a size that can be built");
    json!({"p": {"Name": "x".repeat(n)}})
}

// ---------------------------------------------------------------------------------------------
// §9, rule by rule (rule 2 needs a non-administrator's token: see the unit test in the crate)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn rule_1_a_webhook_has_no_application_context() {
    let portal = Portal::start().await;
    for method in ALL_METHODS {
        let reply = portal.webhook(method, robot("r")).await;
        expect_error(&reply, 403, "ACCESS_DENIED", "Access denied! Application context required");
    }
    assert!(portal.stored().is_empty());
}

#[tokio::test]
async fn rule_4_empty_data() {
    let portal = Portal::start().await;
    for method in ADDS {
        expect_validation(&portal.call(method, json!({})).await, "Empty data!");
    }
}

#[tokio::test]
async fn rule_5_empty_code() {
    let portal = Portal::start().await;
    for method in ADDS {
        expect_validation(&portal.call(method, without(&robot("r"), "CODE")).await, "Empty activity code!");
        for empty in [json!(""), json!("0"), json!(0), json!(false), json!(null), json!([])] {
            let reply = portal.call(method, with(&robot("r"), "CODE", empty)).await;
            expect_validation(&reply, "Empty activity code!");
        }
    }
}

#[tokio::test]
async fn rule_6_wrong_code() {
    let portal = Portal::start().await;
    for method in ADDS {
        for wrong in [json!("bad code"), json!("robot!"), json!("робот"), json!("a/b"), json!(12), json!(["a"])] {
            let reply = portal.call(method, with(&robot("r"), "CODE", wrong)).await;
            expect_validation(&reply, "Wrong activity code!");
        }
    }
    expect_true(&portal.call("bizproc.robot.add", robot("a.b-c_D9")).await);
}

#[tokio::test]
async fn rule_7_wrong_handler_url() {
    let portal = Portal::start().await;
    for method in ADDS {
        expect_wrong_url(&portal.call(method, without(&robot("r"), "HANDLER")).await);
        for wrong in [
            json!(""),
            json!("https://your_domain/robot.php"),
            json!("http://localhost/robot"),
            json!("http://localhost:8080/robot"),
            json!("http://.example.com/robot"),
            json!("app.example.com/robot.php"),
            json!("http:///robot"),
            json!("http://app.example.com:99999/robot"),
            json!(42),
            json!([HANDLER]),
        ] {
            let reply = portal.call(method, with(&robot("r"), "HANDLER", wrong)).await;
            expect_wrong_url(&reply);
        }
        // A dotted IP passes rules 7 and 8: the next failure is rule 9's.
        let reply =
            portal.call(method, without(&with(&robot("r"), "HANDLER", json!("http://127.0.0.1:9/h")), "NAME")).await;
        expect_validation(&reply, "Empty activity NAME!");
    }
    let reply =
        portal.call("bizproc.robot.add", with(&robot("ip"), "HANDLER", json!("http://127.0.0.1:8080/robot"))).await;
    expect_true(&reply);
}

#[tokio::test]
async fn rule_8_unsupported_protocol() {
    let portal = Portal::start().await;
    for method in ADDS {
        for url in ["ftp://app.example.com/robot", "ws://app.example.com/robot", "//app.example.com/robot"] {
            expect_unsupported_protocol(&portal.call(method, with(&robot("r"), "HANDLER", json!(url))).await);
        }
    }
    expect_true(
        &portal.call("bizproc.robot.add", with(&robot("plain"), "HANDLER", json!("http://app.example.com/r"))).await,
    );
}

#[tokio::test]
async fn rule_9_empty_name() {
    let portal = Portal::start().await;
    for method in ADDS {
        expect_validation(&portal.call(method, without(&robot("r"), "NAME")).await, "Empty activity NAME!");
        for empty in [json!(""), json!("0"), json!({}), json!([]), json!(null)] {
            let reply = portal.call(method, with(&robot("r"), "NAME", empty)).await;
            expect_validation(&reply, "Empty activity NAME!");
        }
    }
    expect_true(&portal.call("bizproc.robot.add", with(&robot("map"), "NAME", json!({"en": "Map"}))).await);
}

#[tokio::test]
async fn rules_10_to_13_property_sets() {
    let portal = Portal::start().await;
    for method in ADDS {
        for key in ["PROPERTIES", "RETURN_PROPERTIES"] {
            for wrong in [json!("abc"), json!(5), json!(true)] {
                let reply = portal.call(method, with(&robot("r"), key, wrong)).await;
                expect_validation(&reply, "Wrong properties array!");
            }
            for (properties, text) in [
                (json!({"1st": {"Name": "A"}}), "Wrong property key (1st)!"),
                (json!({"my-id": {"Name": "A"}}), "Wrong property key (my-id)!"),
                (json!({"_x": {"Name": "A"}}), "Wrong property key (_x)!"),
                (json!({"": {"Name": "A"}}), "Wrong property key ()!"),
                (json!([{"Name": "A"}]), "Wrong property key (0)!"),
                (json!({"myId": {"Type": "string"}}), "Empty property NAME (myId)!"),
                (json!({"a": {"Name": ""}}), "Empty property NAME (a)!"),
                (json!({"a": {"Name": {}}}), "Empty property NAME (a)!"),
                (json!({"a": "text"}), "Empty property NAME (a)!"),
                // Input order: the first broken entry decides, its id checked before its name.
                (
                    json!({"good": {"Name": "G"}, "noName": {}, "bad key": {"Name": "B"}}),
                    "Empty property NAME (noName)!",
                ),
                (
                    json!({"good": {"Name": "G"}, "bad key": {"Name": "B"}, "noName": {}}),
                    "Wrong property key (bad key)!",
                ),
                // The server's quirk: a property with this id keeps its descriptor keys as written.
                (json!({"PROPERTIES": {"Name": "A"}}), "Empty property NAME (PROPERTIES)!"),
            ] {
                let reply = portal.call(method, with(&robot("r"), key, properties)).await;
                expect_validation(&reply, text);
            }
        }
        // `PROPERTIES` is checked before `RETURN_PROPERTIES`, whatever their order in the request.
        let params =
            with(&with(&robot("r"), "RETURN_PROPERTIES", json!({"ret": {}})), "PROPERTIES", json!({"inp": {}}));
        expect_validation(&portal.call(method, params).await, "Empty property NAME (inp)!");
    }
    let fine = with(&robot("fine"), "PROPERTIES", json!({"PROPERTIES": {"NAME": "A"}, "x_1": {"Name": "X"}}));
    expect_true(&portal.call("bizproc.robot.add", with(&fine, "RETURN_PROPERTIES", json!([]))).await);
}

#[tokio::test]
async fn rule_14_document_type_is_checked_for_activities_only() {
    let portal = Portal::start().await;
    let unknown = [
        json!(["crm", "CCrmDocumentUnknown", "THING"]),
        json!(["crm", "CCrmDocumentDeal"]),
        json!(["crm", "CCrmDocumentDeal", "LEAD"]),
        json!(["lists", "BizprocDocument", "iblock_"]),
        json!("crm"),
        json!(""),
    ];
    for (n, document_type) in unknown.iter().enumerate() {
        let params = with(&robot(&format!("a{n}")), "DOCUMENT_TYPE", document_type.clone());
        expect_validation(&portal.call("bizproc.activity.add", params.clone()).await, "Wrong activity DOCUMENT_TYPE!");
        expect_true(&portal.call("bizproc.robot.add", params).await);
    }
    let known = [
        json!(["crm", "CCrmDocumentLead", "LEAD"]),
        json!(["crm", "CCrmDocumentDeal", "DEAL"]),
        json!(["crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\Quote", "QUOTE"]),
        json!(["crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\SmartInvoice", "SMART_INVOICE"]),
        json!(["crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic", "DYNAMIC_128"]),
        json!(["crm", "CCrmDocumentContact", "CONTACT"]),
        json!(["crm", "CCrmDocumentCompany", "COMPANY"]),
        json!(["lists", "BizprocDocument", "iblock_164"]),
        json!(["lists", "Bitrix\\Lists\\BizprocDocumentLists", "iblock_7"]),
        json!(["disk", "Bitrix\\Disk\\BizProcDocument", "STORAGE_3"]),
    ];
    for (n, document_type) in known.into_iter().enumerate() {
        let reply =
            portal.call("bizproc.activity.add", with(&robot(&format!("k{n}")), "DOCUMENT_TYPE", document_type)).await;
        expect_true(&reply);
    }
}

#[tokio::test]
async fn rule_15_filter_must_be_an_array() {
    let portal = Portal::start().await;
    for method in ADDS {
        for wrong in [json!("b24"), json!(1), json!(true)] {
            expect_validation(&portal.call(method, with(&robot("r"), "FILTER", wrong)).await, "Wrong activity FILTER!");
        }
    }
    for (n, filter) in
        [json!({"INCLUDE": ["b24"], "EXCLUDE": [["crm", "CCrmDocumentLead"]]}), json!([]), json!(["box"])]
            .into_iter()
            .enumerate()
    {
        expect_true(&portal.call("bizproc.activity.add", with(&robot(&format!("f{n}")), "FILTER", filter)).await);
    }
}

#[tokio::test]
async fn rule_16_robots_and_activities_share_one_code_namespace() {
    let portal = Portal::start().await;
    expect_true(&portal.call("bizproc.robot.add", robot("shared")).await);
    expect_already_installed(&portal.call("bizproc.activity.add", robot("shared")).await);
    expect_already_installed(&portal.call("bizproc.robot.add", robot("shared")).await);
    expect_true(&portal.call("bizproc.activity.add", robot("act")).await);
    expect_already_installed(&portal.call("bizproc.robot.add", robot("act")).await);
    // Codes are compared exactly.
    expect_true(&portal.call("bizproc.robot.add", robot("SHARED")).await);

    expect_result(&portal.call("bizproc.robot.list", json!({})).await, &json!(["shared", "SHARED"]));
    expect_result(&portal.call("bizproc.activity.list", json!({})).await, &json!(["act"]));
    // The other kind's methods do not find a code.
    expect_not_found(&portal.call("bizproc.activity.update", json!({"CODE": "shared", "FIELDS": {"NAME": "X"}})).await);
    expect_not_found(&portal.call("bizproc.activity.delete", json!({"CODE": "shared"})).await);
    expect_not_found(&portal.call("bizproc.robot.update", json!({"CODE": "act", "FIELDS": {"NAME": "X"}})).await);
    expect_not_found(&portal.call("bizproc.robot.delete", json!({"CODE": "act"})).await);
    let kinds: Vec<(Kind, String)> = portal.stored().into_iter().map(|r| (r.kind, r.code)).collect();
    assert_eq!(
        kinds,
        [(Kind::Robot, "shared".to_owned()), (Kind::Activity, "act".to_owned()), (Kind::Robot, "SHARED".to_owned())]
    );
}

#[tokio::test]
async fn rule_17_auth_user_id_and_placement() {
    let portal = Portal::start().await;
    for (n, (given, stored)) in
        [(json!("12abc"), 12), (json!("7"), 7), (json!(3.9), 3), (json!(true), 1), (json!("x"), 0)]
            .into_iter()
            .enumerate()
    {
        let code = format!("u{n}");
        expect_true(&portal.call("bizproc.robot.add", with(&robot(&code), "AUTH_USER_ID", given)).await);
        assert_eq!(portal.fields(&code)["AUTH_USER_ID"], json!(stored));
    }
    expect_true(&portal.call("bizproc.robot.add", robot("none")).await);
    assert_eq!(portal.fields("none")["AUTH_USER_ID"], json!(0));

    for method in ADDS {
        let placed = with(&robot("p"), "USE_PLACEMENT", json!("Y"));
        expect_wrong_url(&portal.call(method, placed.clone()).await);
        expect_wrong_url(&portal.call(method, with(&placed, "PLACEMENT_HANDLER", json!("http://localhost/p"))).await);
        expect_unsupported_protocol(
            &portal.call(method, with(&placed, "PLACEMENT_HANDLER", json!("ftp://app.example.com/p"))).await,
        );
    }
    assert!(portal.stored().iter().all(|r| r.code != "p"));

    // Only exactly `Y` asks for a placement; anything else is `N` and its handler is not checked.
    for (n, flag) in [json!("y"), json!("YES"), json!(true), json!("N")].into_iter().enumerate() {
        let code = format!("n{n}");
        let params = with(&with(&robot(&code), "USE_PLACEMENT", flag), "PLACEMENT_HANDLER", json!("http://localhost/"));
        expect_true(&portal.call("bizproc.robot.add", params).await);
        let fields = portal.fields(&code);
        assert_eq!(fields["USE_PLACEMENT"], json!("N"));
        assert!(fields.get("PLACEMENT_HANDLER").is_none(), "{fields}");
    }
    let params = with(
        &with(&robot("placed"), "USE_PLACEMENT", json!("Y")),
        "PLACEMENT_HANDLER",
        json!("https://app.example.com/p"),
    );
    expect_true(&portal.call("bizproc.activity.add", params).await);
    let fields = portal.fields("placed");
    assert_eq!(
        (&fields["USE_PLACEMENT"], &fields["PLACEMENT_HANDLER"]),
        (&json!("Y"), &json!("https://app.example.com/p"))
    );
}

#[tokio::test]
async fn rule_18_storage_limits() {
    let portal = Portal::start().await;
    let long_code = "c".repeat(129);
    let long_handler = format!("https://app.example.com/{}", "h".repeat(1001 - "https://app.example.com/".len()));
    assert_eq!(long_handler.len(), 1001);
    for method in ADDS {
        expect_save_error(&portal.call(method, robot(&long_code)).await);
        expect_save_error(&portal.call(method, with(&robot("r"), "HANDLER", json!(long_handler))).await);
        for key in ["PROPERTIES", "RETURN_PROPERTIES"] {
            expect_save_error(&portal.call(method, with(&robot("r"), key, properties_of_size(65_535))).await);
            expect_save_error(&portal.call(method, with(&robot("r"), key, properties_of_size(70_000))).await);
        }
    }
    assert!(portal.stored().is_empty());

    expect_true(&portal.call("bizproc.robot.add", robot(&"c".repeat(128))).await);
    expect_true(&portal.call("bizproc.robot.add", with(&robot("h"), "HANDLER", json!(&long_handler[..1000]))).await);
    let both = with(&robot("p"), "PROPERTIES", properties_of_size(65_534));
    expect_true(
        &portal.call("bizproc.activity.add", with(&both, "RETURN_PROPERTIES", properties_of_size(65_534))).await,
    );
    assert_eq!(portal.stored().len(), 3);
}

#[tokio::test]
async fn add_checks_run_in_server_order() {
    let portal = Portal::start().await;
    expect_true(&portal.call("bizproc.activity.add", robot("taken")).await);
    let bad_code = with(&robot("bad code"), "HANDLER", json!("http://localhost/"));
    expect_validation(&portal.call("bizproc.robot.add", bad_code).await, "Wrong activity code!");
    let bad_url = without(&with(&robot("r"), "HANDLER", json!("http://localhost/")), "NAME");
    expect_wrong_url(&portal.call("bizproc.robot.add", bad_url).await);
    let bad_protocol = without(&with(&robot("r"), "HANDLER", json!("ftp://app.example.com/")), "NAME");
    expect_unsupported_protocol(&portal.call("bizproc.robot.add", bad_protocol).await);
    let no_name = with(&without(&robot("r"), "NAME"), "PROPERTIES", json!("bad"));
    expect_validation(&portal.call("bizproc.robot.add", no_name).await, "Empty activity NAME!");
    let bad_properties = with(&with(&robot("r"), "PROPERTIES", json!("bad")), "RETURN_PROPERTIES", json!({"1": {}}));
    expect_validation(&portal.call("bizproc.robot.add", bad_properties).await, "Wrong properties array!");
    let bad_return = with(&with(&robot("r"), "RETURN_PROPERTIES", json!({"1": {}})), "DOCUMENT_TYPE", json!("x"));
    expect_validation(&portal.call("bizproc.activity.add", bad_return).await, "Wrong property key (1)!");
    let bad_type = with(&with(&robot("r"), "DOCUMENT_TYPE", json!("x")), "FILTER", json!("x"));
    expect_validation(&portal.call("bizproc.activity.add", bad_type.clone()).await, "Wrong activity DOCUMENT_TYPE!");
    expect_validation(&portal.call("bizproc.robot.add", bad_type).await, "Wrong activity FILTER!");
    let bad_filter = with(&robot("taken"), "FILTER", json!("x"));
    expect_validation(&portal.call("bizproc.robot.add", bad_filter).await, "Wrong activity FILTER!");
    let taken =
        with(&with(&robot("taken"), "USE_PLACEMENT", json!("Y")), "PLACEMENT_HANDLER", json!("http://localhost/"));
    expect_already_installed(&portal.call("bizproc.robot.add", taken).await);
    let placement = with(&robot(&"c".repeat(129)), "USE_PLACEMENT", json!("Y"));
    expect_wrong_url(&portal.call("bizproc.robot.add", placement).await);
    // Storage limits come last: a taken code with a handler too long to store is "already installed".
    let long_handler = format!("https://app.example.com/{}", "h".repeat(1000));
    expect_already_installed(
        &portal.call("bizproc.robot.add", with(&robot("taken"), "HANDLER", json!(long_handler))).await,
    );
    expect_save_error(&portal.call("bizproc.robot.add", with(&robot("free"), "HANDLER", json!(long_handler))).await);
}

// ---------------------------------------------------------------------------------------------
// Documented fixtures (§2), key casing, form bodies
// ---------------------------------------------------------------------------------------------

const ROBOT_FIXTURE: &str = r#"{"CODE":"test_robot","HANDLER":"https://your_domain/robot.php","AUTH_USER_ID":1,"USE_SUBSCRIPTION":"Y","NAME":"Send Message","PROPERTIES":{"datetime":{"Name":"When","Type":"datetime"},"text":{"Name":"Text","Type":"text"},"user":{"Name":"To","Type":"user","Default":"Author;"}},"FILTER":{"INCLUDE":[["crm","CCrmDocumentDeal"],["crm","CCrmDocumentLead"]]},"auth":"**put_access_token_here**"}"#;

const ACTIVITY_FIXTURE: &str = r#"{"CODE":"md5_action","HANDLER":"https://your_domain/ping.php","AUTH_USER_ID":1,"USE_SUBSCRIPTION":"Y","NAME":{"de":"MD5 Generator","en":"MD5 generator"},"DESCRIPTION":{"de":"Die Aktion gibt den MD5-Hash des Eingabeparameters zurück","en":"Activity returns MD5 hash of input parameter"},"PROPERTIES":{"inputString":{"Name":{"de":"Eingabestring","en":"Input string"},"Description":{"de":"Geben Sie den String ein, den Sie hashen möchten","en":"Input string for hashing"},"Type":"string","Required":"Y","Multiple":"N","Default":"{=Document:NAME}"}},"RETURN_PROPERTIES":{"outputString":{"Name":{"de":"MD5","en":"MD5"},"Type":"string","Multiple":"N","Default":null}},"DOCUMENT_TYPE":["lists","BizprocDocument","iblock_164"],"FILTER":{"INCLUDE":[["lists"]]},"auth":"**put_access_token_here**"}"#;

fn fixture(text: &str, handler: Option<&str>) -> Value {
    let mut params: Value = serde_json::from_str(text).expect("the fixture is JSON");
    if let Some(handler) = handler {
        params["HANDLER"] = handler.into();
    }
    params
}

fn stored_robot_fixture() -> Value {
    json!({
        "HANDLER": "https://app.example.com/robot.php",
        "NAME": "Send Message",
        "USE_SUBSCRIPTION": "Y",
        "AUTH_USER_ID": 1,
        "PROPERTIES": {
            "datetime": {"NAME": "When", "TYPE": "datetime"},
            "text": {"NAME": "Text", "TYPE": "text"},
            "user": {"NAME": "To", "TYPE": "user", "DEFAULT": "Author;"}
        },
        "FILTER": {"INCLUDE": [["crm", "CCrmDocumentDeal"], ["crm", "CCrmDocumentLead"]]},
        "USE_PLACEMENT": "N"
    })
}

#[tokio::test]
async fn documented_fixtures_replay() {
    let portal = Portal::start().await;
    // As written, their placeholder host has no dot.
    expect_wrong_url(&portal.call("bizproc.robot.add", fixture(ROBOT_FIXTURE, None)).await);
    expect_wrong_url(&portal.call("bizproc.activity.add", fixture(ACTIVITY_FIXTURE, None)).await);

    let robot = fixture(ROBOT_FIXTURE, Some("https://app.example.com/robot.php"));
    expect_true(&portal.call("bizproc.robot.add", robot).await);
    let activity = fixture(ACTIVITY_FIXTURE, Some("https://app.example.com/ping.php"));
    expect_true(&portal.call("bizproc.activity.add", activity).await);

    let stored = portal.stored();
    assert_eq!(stored.len(), 2);
    assert_eq!((stored[0].kind, stored[0].code.as_str()), (Kind::Robot, "test_robot"));
    assert_eq!(stored[0].fields, stored_robot_fixture());
    assert_eq!((stored[1].kind, stored[1].code.as_str()), (Kind::Activity, "md5_action"));
    assert_eq!(
        stored[1].fields,
        json!({
            "HANDLER": "https://app.example.com/ping.php",
            "NAME": {"DE": "MD5 Generator", "EN": "MD5 generator"},
            "DESCRIPTION": {
                "DE": "Die Aktion gibt den MD5-Hash des Eingabeparameters zurück",
                "EN": "Activity returns MD5 hash of input parameter"
            },
            "USE_SUBSCRIPTION": "Y",
            "AUTH_USER_ID": 1,
            "PROPERTIES": {"inputString": {
                "NAME": {"DE": "Eingabestring", "EN": "Input string"},
                "DESCRIPTION": {"DE": "Geben Sie den String ein, den Sie hashen möchten", "EN": "Input string for hashing"},
                "TYPE": "string", "REQUIRED": "Y", "MULTIPLE": "N", "DEFAULT": "{=Document:NAME}"
            }},
            "RETURN_PROPERTIES": {"outputString": {
                "NAME": {"DE": "MD5", "EN": "MD5"}, "TYPE": "string", "MULTIPLE": "N", "DEFAULT": null
            }},
            "DOCUMENT_TYPE": ["lists", "BizprocDocument", "iblock_164"],
            "FILTER": {"INCLUDE": [["lists"]]},
            "USE_PLACEMENT": "N"
        })
    );
    expect_result(&portal.call("bizproc.robot.list", json!({})).await, &json!(["test_robot"]));
    expect_result(&portal.call("bizproc.activity.list", json!({})).await, &json!(["md5_action"]));
    // Serializes for tests that print it.
    let text = serde_json::to_string(&stored[0]).expect("serializes");
    assert!(text.starts_with(r#"{"kind":"robot","code":"test_robot","fields":{"#), "{text}");
}

#[tokio::test]
async fn keys_are_case_insensitive_but_ids_keep_their_case() {
    let portal = Portal::start().await;
    let params = json!({
        "code": "lower",
        "handler": HANDLER,
        "Name": {"en": "Lower", "de": "Klein"},
        "use_subscription": "N",
        "Auth_User_Id": "3",
        "properties": {
            "myId": {"name": "Mine", "type": "select", "options": {"keyA": "A", "keyB": "B"}, "default": "keyA"},
            "OTHER": {"NAME": "Other"}
        },
        "return_properties": {"outValue": {"Name": "Out", "Type": "int"}},
        "filter": {"include": ["b24"]},
        "use_placement": "Y",
        "placement_handler": "https://app.example.com/settings"
    });
    expect_true(&portal.call("bizproc.robot.add", params).await);
    assert_eq!(
        portal.fields("lower"),
        json!({
            "HANDLER": HANDLER,
            "NAME": {"EN": "Lower", "DE": "Klein"},
            "USE_SUBSCRIPTION": "N",
            "AUTH_USER_ID": 3,
            "PROPERTIES": {
                "myId": {"NAME": "Mine", "TYPE": "select", "OPTIONS": {"keyA": "A", "keyB": "B"}, "DEFAULT": "keyA"},
                "OTHER": {"NAME": "Other"}
            },
            "RETURN_PROPERTIES": {"outValue": {"NAME": "Out", "TYPE": "int"}},
            "FILTER": {"INCLUDE": ["b24"]},
            "USE_PLACEMENT": "Y",
            "PLACEMENT_HANDLER": "https://app.example.com/settings"
        })
    );
    // Lower-case keys fail the same rules as upper-case ones.
    let reply = portal
        .call(
            "bizproc.robot.add",
            json!({"code": "x", "handler": HANDLER, "properties": {"p": {"Name": ""}}, "name": "X"}),
        )
        .await;
    expect_validation(&reply, "Empty property NAME (p)!");
    // `Name` and `NAME` are the same key; property ids are not upper-cased.
    let reply = portal
        .call(
            "bizproc.robot.add",
            json!({"Code": "y", "Handler": HANDLER, "NaMe": "Y", "Properties": {"camelCase": {"nAmE": "C"}}}),
        )
        .await;
    expect_true(&reply);
    assert_eq!(portal.fields("y")["PROPERTIES"], json!({"camelCase": {"NAME": "C"}}));
    // Values are never touched: a code differing in case is another code.
    expect_not_found(&portal.call("bizproc.robot.delete", json!({"code": "LOWER"})).await);
    expect_true(&portal.call("bizproc.robot.update", json!({"code": "lower", "fields": {"name": "Renamed"}})).await);
    assert_eq!(portal.fields("lower")["NAME"], json!("Renamed"));
    expect_true(&portal.call("bizproc.robot.delete", json!({"code": "lower"})).await);
}

#[tokio::test]
async fn form_encoded_bodies_with_php_brackets_work() {
    let portal = Portal::start().await;
    let robot = fixture(ROBOT_FIXTURE, Some("https://app.example.com/robot.php"));
    expect_true(&portal.call_form("bizproc.robot.add", robot).await);
    // Every form value is a string; `AUTH_USER_ID` "1" is still stored as 1.
    assert_eq!(portal.fields("test_robot"), stored_robot_fixture());

    let activity = json!({
        "code": "form_activity",
        "handler": "https://app.example.com/ping.php",
        "name": {"en": "Form"},
        "document_type": ["crm", "CCrmDocumentDeal", "DEAL"],
        "properties": {"amount": {"name": "Amount", "type": "double", "multiple": "Y", "default": ["1.5", "2"]}}
    });
    expect_true(&portal.call_form("bizproc.activity.add", activity).await);
    let fields = portal.fields("form_activity");
    assert_eq!(fields["DOCUMENT_TYPE"], json!(["crm", "CCrmDocumentDeal", "DEAL"]));
    assert_eq!(fields["PROPERTIES"]["amount"]["DEFAULT"], json!(["1.5", "2"]));
    expect_validation(
        &portal.call_form("bizproc.robot.add", json!({"CODE": "x", "HANDLER": HANDLER})).await,
        "Empty activity NAME!",
    );
    expect_true(
        &portal
            .call_form("bizproc.activity.update", json!({"CODE": "form_activity", "FIELDS": {"NAME": "Renamed"}}))
            .await,
    );
    expect_true(&portal.call_form("bizproc.activity.delete", json!({"CODE": "form_activity"})).await);
}

// ---------------------------------------------------------------------------------------------
// update
// ---------------------------------------------------------------------------------------------

fn full_robot(code: &str) -> Value {
    json!({
        "CODE": code,
        "HANDLER": HANDLER,
        "NAME": "Full",
        "DESCRIPTION": "Before",
        "USE_SUBSCRIPTION": "Y",
        "AUTH_USER_ID": 1,
        "PROPERTIES": {"a": {"Name": "A", "Type": "string"}, "b": {"Name": "B", "Type": "int"}},
        "RETURN_PROPERTIES": {"out": {"Name": "Out", "Type": "string"}},
        "DOCUMENT_TYPE": ["crm", "CCrmDocumentDeal", "DEAL"],
        "FILTER": {"INCLUDE": ["b24"]}
    })
}

#[tokio::test]
async fn update_checks_run_in_server_order() {
    let portal = Portal::start().await;
    expect_true(&portal.call("bizproc.robot.add", full_robot("r")).await);
    let before = portal.stored();
    let update = |fields: Value| json!({"CODE": "r", "FIELDS": fields});
    let long_handler = json!(format!("https://app.example.com/{}", "h".repeat(1000)));

    // No "Empty data!" rule: an empty update fails on its code.
    expect_validation(&portal.call("bizproc.robot.update", json!({})).await, "Empty activity code!");
    expect_validation(&portal.call("bizproc.robot.update", json!({"CODE": "bad code"})).await, "Wrong activity code!");
    // The lookup comes before `FIELDS`.
    expect_not_found(&portal.call("bizproc.robot.update", json!({"CODE": "missing"})).await);
    expect_not_found(&portal.call("bizproc.robot.update", json!({"CODE": "missing", "FIELDS": {"NAME": "X"}})).await);
    expect_not_found(&portal.call("bizproc.activity.update", update(json!({"NAME": "X"}))).await);
    expect_validation(&portal.call("bizproc.robot.update", json!({"CODE": "r"})).await, "No fields to update");
    for fields in [json!("NAME"), json!({}), json!([]), json!(["x"]), json!(null), json!(1)] {
        expect_validation(&portal.call("bizproc.robot.update", update(fields)).await, "No fields to update");
    }
    let cases = [
        (json!({"HANDLER": "http://localhost/x", "PROPERTIES": "bad"}), "ERROR_WRONG_HANDLER_URL", "Wrong handler URL"),
        (json!({"HANDLER": "", "NAME": "X"}), "ERROR_WRONG_HANDLER_URL", "Wrong handler URL"),
        (json!({"HANDLER": "ftp://app.example.com/x"}), "ERROR_UNSUPPORTED_PROTOCOL", "Unsupported handler protocol"),
        (json!({"PROPERTIES": "bad", "DOCUMENT_TYPE": ["x", "y", "z"]}), "", "Wrong properties array!"),
        (json!({"RETURN_PROPERTIES": {"1x": {"Name": "X"}}}), "", "Wrong property key (1x)!"),
        (
            json!({"PROPERTIES": {"ok": {"Name": "O"}}, "RETURN_PROPERTIES": {"noName": {}}}),
            "",
            "Empty property NAME (noName)!",
        ),
        // Validated for robots too on update.
        (json!({"DOCUMENT_TYPE": ["x", "y", "z"], "FILTER": "bad"}), "", "Wrong activity DOCUMENT_TYPE!"),
        (json!({"FILTER": "bad"}), "", "Wrong activity FILTER!"),
        // Nothing to change: an empty NAME is ignored, PLACEMENT_HANDLER alone is no change.
        (json!({"NAME": ""}), "", "No fields to update"),
        (json!({"NAME": "", "PLACEMENT_HANDLER": "http://localhost/"}), "", "No fields to update"),
        (json!({"PLACEMENT_HANDLER": "https://app.example.com/p"}), "", "No fields to update"),
        (json!({"UNKNOWN": "x"}), "", "No fields to update"),
        // Then the placement handler, then the storage limits.
        (
            json!({"NAME": "X", "PLACEMENT_HANDLER": "http://localhost/"}),
            "ERROR_WRONG_HANDLER_URL",
            "Wrong handler URL",
        ),
        (
            json!({"NAME": "X", "PLACEMENT_HANDLER": "ftp://app.example.com/"}),
            "ERROR_UNSUPPORTED_PROTOCOL",
            "Unsupported handler protocol",
        ),
        (
            json!({"HANDLER": long_handler, "PLACEMENT_HANDLER": "http://localhost/"}),
            "ERROR_WRONG_HANDLER_URL",
            "Wrong handler URL",
        ),
    ];
    for (fields, code, text) in cases {
        let reply = portal.call("bizproc.robot.update", update(fields)).await;
        let code = if code.is_empty() { "ERROR_ACTIVITY_VALIDATION_FAILURE" } else { code };
        expect_error(&reply, 400, code, text);
    }
    assert_eq!(portal.stored(), before, "failed updates change nothing");
    // `USE_PLACEMENT = Y` alone passes: a placement handler is checked only when one is sent.
    expect_true(&portal.call("bizproc.robot.update", update(json!({"USE_PLACEMENT": "Y"}))).await);
    assert_eq!(portal.fields("r")["USE_PLACEMENT"], json!("Y"));
}

#[tokio::test]
async fn update_replaces_whole_fields() {
    let portal = Portal::start().await;
    expect_true(&portal.call("bizproc.robot.add", full_robot("r")).await);
    let update = |fields: Value| json!({"CODE": "r", "FIELDS": fields});

    // PROPERTIES is replaced, not merged; keys are normalized as on add.
    expect_true(
        &portal
            .call("bizproc.robot.update", json!({"code": "r", "fields": {"properties": {"cId": {"name": "C"}}}}))
            .await,
    );
    assert_eq!(portal.fields("r")["PROPERTIES"], json!({"cId": {"NAME": "C"}}));
    // An empty NAME is ignored, the other keys still change.
    expect_true(
        &portal.call("bizproc.robot.update", update(json!({"NAME": "", "DESCRIPTION": {"en": "After"}}))).await,
    );
    let fields = portal.fields("r");
    assert_eq!((&fields["NAME"], &fields["DESCRIPTION"]), (&json!("Full"), &json!({"EN": "After"})));
    expect_true(&portal.call("bizproc.robot.update", update(json!({"Name": {"en": "New"}}))).await);
    assert_eq!(portal.fields("r")["NAME"], json!({"EN": "New"}));
    // Empty DOCUMENT_TYPE and FILTER clear them.
    expect_true(&portal.call("bizproc.robot.update", update(json!({"DOCUMENT_TYPE": "", "FILTER": []}))).await);
    let fields = portal.fields("r");
    assert!(fields.get("DOCUMENT_TYPE").is_none() && fields.get("FILTER").is_none(), "{fields}");
    expect_true(
        &portal
            .call(
                "bizproc.robot.update",
                update(json!({"DOCUMENT_TYPE": ["crm", "CCrmDocumentLead", "LEAD"], "FILTER": {"EXCLUDE": ["box"]}})),
            )
            .await,
    );
    let fields = portal.fields("r");
    assert_eq!(fields["DOCUMENT_TYPE"], json!(["crm", "CCrmDocumentLead", "LEAD"]));
    assert_eq!(fields["FILTER"], json!({"EXCLUDE": ["box"]}));
    // AUTH_USER_ID is cast to int, USE_SUBSCRIPTION stored as given, HANDLER replaced.
    let changes = json!({"AUTH_USER_ID": "5x", "USE_SUBSCRIPTION": "N", "HANDLER": "http://127.0.0.1:9/new"});
    expect_true(&portal.call("bizproc.robot.update", update(changes)).await);
    let fields = portal.fields("r");
    assert_eq!(
        (&fields["AUTH_USER_ID"], &fields["USE_SUBSCRIPTION"], &fields["HANDLER"]),
        (&json!(5), &json!("N"), &json!("http://127.0.0.1:9/new"))
    );
    // Untouched keys stay.
    assert_eq!(fields["RETURN_PROPERTIES"], json!({"out": {"NAME": "Out", "TYPE": "string"}}));
    // Activities update the same way.
    expect_true(&portal.call("bizproc.activity.add", robot("act")).await);
    expect_true(&portal.call("bizproc.activity.update", json!({"CODE": "act", "FIELDS": {"NAME": "Act"}})).await);
    assert_eq!(portal.fields("act")["NAME"], json!("Act"));
}

#[tokio::test]
async fn update_placement() {
    let portal = Portal::start().await;
    expect_true(&portal.call("bizproc.robot.add", robot("r")).await);
    let update = |fields: Value| json!({"CODE": "r", "FIELDS": fields});
    let placement = |fields: &Value| (fields["USE_PLACEMENT"].clone(), fields.get("PLACEMENT_HANDLER").cloned());

    let fields = json!({"USE_PLACEMENT": "Y", "PLACEMENT_HANDLER": "https://app.example.com/a"});
    expect_true(&portal.call("bizproc.robot.update", update(fields)).await);
    assert_eq!(placement(&portal.fields("r")), (json!("Y"), Some(json!("https://app.example.com/a"))));
    // USE_PLACEMENT = N removes the placement, even with a handler sent alongside.
    let fields = json!({"USE_PLACEMENT": "N", "PLACEMENT_HANDLER": "https://app.example.com/b"});
    expect_true(&portal.call("bizproc.robot.update", update(fields)).await);
    assert_eq!(placement(&portal.fields("r")), (json!("N"), None));
    // Older servers' top-level PLACEMENT_HANDLER is accepted...
    let params =
        json!({"CODE": "r", "PLACEMENT_HANDLER": "https://app.example.com/top", "FIELDS": {"USE_PLACEMENT": "Y"}});
    expect_true(&portal.call("bizproc.robot.update", params).await);
    assert_eq!(placement(&portal.fields("r")), (json!("Y"), Some(json!("https://app.example.com/top"))));
    // ...checked like any handler...
    let params = json!({"CODE": "r", "PLACEMENT_HANDLER": "http://localhost/", "FIELDS": {"USE_PLACEMENT": "Y"}});
    expect_wrong_url(&portal.call("bizproc.robot.update", params).await);
    // ...and the one in FIELDS wins when both are sent.
    let params = json!({
        "CODE": "r",
        "PLACEMENT_HANDLER": "https://app.example.com/top2",
        "FIELDS": {"USE_PLACEMENT": "Y", "PLACEMENT_HANDLER": "https://app.example.com/fields"}
    });
    expect_true(&portal.call("bizproc.robot.update", params).await);
    assert_eq!(placement(&portal.fields("r")), (json!("Y"), Some(json!("https://app.example.com/fields"))));
    // With another change, a new handler replaces the placement's.
    let fields = json!({"NAME": "Renamed", "PLACEMENT_HANDLER": "https://app.example.com/c"});
    expect_true(&portal.call("bizproc.robot.update", update(fields)).await);
    assert_eq!(placement(&portal.fields("r")), (json!("Y"), Some(json!("https://app.example.com/c"))));
    // Only exactly `Y` keeps it.
    expect_true(&portal.call("bizproc.robot.update", update(json!({"USE_PLACEMENT": "y"}))).await);
    assert_eq!(placement(&portal.fields("r")), (json!("N"), None));
}

#[tokio::test]
async fn update_storage_limits_are_validation_failures() {
    let portal = Portal::start().await;
    expect_true(&portal.call("bizproc.activity.add", full_robot("a")).await);
    let before = portal.stored();
    let update = |fields: Value| json!({"CODE": "a", "FIELDS": fields});
    let long_handler = format!("https://app.example.com/{}", "h".repeat(1001 - "https://app.example.com/".len()));
    let handler_text = "The length of \"HANDLER\" should not exceed 1000 characters.";
    let properties_text = "The serialized value of \"PROPERTIES\" must be shorter than 65535 bytes.";
    let return_text = "The serialized value of \"RETURN_PROPERTIES\" must be shorter than 65535 bytes.";

    let reply = portal.call("bizproc.activity.update", update(json!({"HANDLER": long_handler}))).await;
    expect_validation(&reply, handler_text);
    let reply = portal.call("bizproc.activity.update", update(json!({"PROPERTIES": properties_of_size(65_535)}))).await;
    expect_validation(&reply, properties_text);
    let fields = json!({
        "HANDLER": long_handler,
        "PROPERTIES": properties_of_size(65_535),
        "RETURN_PROPERTIES": properties_of_size(80_000)
    });
    let reply = portal.call("bizproc.activity.update", update(fields)).await;
    expect_validation(&reply, &format!("{handler_text}; {properties_text}; {return_text}"));
    assert_eq!(portal.stored(), before);

    let fields = json!({
        "HANDLER": &long_handler[..1000],
        "PROPERTIES": properties_of_size(65_534),
        "RETURN_PROPERTIES": properties_of_size(65_534)
    });
    expect_true(&portal.call("bizproc.activity.update", update(fields)).await);
    assert_eq!(portal.fields("a")["HANDLER"], json!(&long_handler[..1000]));
}

// ---------------------------------------------------------------------------------------------
// delete and list
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn delete_checks_run_in_server_order() {
    let portal = Portal::start().await;
    expect_true(&portal.call("bizproc.robot.add", robot("r")).await);
    expect_true(&portal.call("bizproc.activity.add", robot("a")).await);
    for method in ["bizproc.robot.delete", "bizproc.activity.delete"] {
        expect_validation(&portal.call(method, json!({})).await, "Empty activity code!");
        expect_validation(&portal.call(method, json!({"CODE": "0"})).await, "Empty activity code!");
        expect_validation(&portal.call(method, json!({"CODE": "bad code"})).await, "Wrong activity code!");
        expect_validation(&portal.call(method, json!({"CODE": 7})).await, "Wrong activity code!");
        expect_not_found(&portal.call(method, json!({"CODE": "missing"})).await);
    }
    expect_not_found(&portal.call("bizproc.robot.delete", json!({"CODE": "a"})).await);
    expect_not_found(&portal.call("bizproc.activity.delete", json!({"CODE": "r"})).await);
    assert_eq!(portal.stored().len(), 2);

    // Top-level keys are case-insensitive.
    expect_true(&portal.call("bizproc.robot.delete", json!({"code": "r"})).await);
    expect_true(&portal.call("bizproc.activity.delete", json!({"Code": "a"})).await);
    assert!(portal.stored().is_empty());
    expect_not_found(&portal.call("bizproc.robot.delete", json!({"CODE": "r"})).await);
    // The code is free again, for either kind.
    expect_true(&portal.call("bizproc.activity.add", robot("r")).await);
    expect_result(&portal.call("bizproc.activity.list", json!({})).await, &json!(["r"]));
}

#[tokio::test]
async fn delete_removes_the_placement() {
    let portal = Portal::start().await;
    let placed =
        with(&with(&robot("p"), "USE_PLACEMENT", json!("Y")), "PLACEMENT_HANDLER", json!("https://app.example.com/p"));
    expect_true(&portal.call("bizproc.robot.add", placed).await);
    expect_true(&portal.call("bizproc.robot.delete", json!({"CODE": "p"})).await);
    expect_true(&portal.call("bizproc.robot.add", robot("p")).await);
    let fields = portal.fields("p");
    assert_eq!(fields["USE_PLACEMENT"], json!("N"));
    assert!(fields.get("PLACEMENT_HANDLER").is_none(), "{fields}");
}

#[tokio::test]
async fn list_returns_the_codes_of_one_kind() {
    let portal = Portal::start().await;
    expect_result(&portal.call("bizproc.robot.list", json!({})).await, &json!([]));
    expect_result(&portal.call("bizproc.activity.list", json!({})).await, &json!([]));
    for code in ["one", "two", "three"] {
        expect_true(&portal.call("bizproc.robot.add", robot(code)).await);
    }
    expect_true(&portal.call("bizproc.activity.add", robot("act")).await);
    let reply = portal.call("bizproc.robot.list", json!({})).await;
    expect_result(&reply, &json!(["one", "two", "three"]));
    // No `next` or `total`: only `result` and `time`.
    assert_eq!(
        reply.1.as_object().map(|body| body.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["result".into(), "time".into()])
    );
    expect_result(&portal.call("bizproc.activity.list", json!({})).await, &json!(["act"]));
    expect_true(&portal.call("bizproc.robot.delete", json!({"CODE": "two"})).await);
    expect_result(&portal.call("bizproc.robot.list", json!({})).await, &json!(["one", "three"]));
}

#[tokio::test]
async fn registrations_of_an_unknown_portal_are_empty() {
    let portal = Portal::start().await;
    expect_true(&portal.call("bizproc.robot.add", robot("r")).await);
    assert!(portal.emulator.registrations("no-such-portal").is_empty());
    assert_eq!(portal.stored().len(), 1);
}
