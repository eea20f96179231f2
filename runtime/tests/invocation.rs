//! Reading handler requests: a corpus of malformed bodies, each refused with the error that
//! names its field and problem; the spec's illustrative §6 body, as a form and as JSON, read
//! into the right typed fields; and property tests that no byte string makes the form decoder
//! or `Invocation::parse` panic, and that form encoding round-trips.

use std::time::Duration;

use bizproc::form::{self, FormError, FormLimits};
use bizproc::handler::{Invocation, InvocationError, RequestLimits};
use bizproc::{BizprocProperties, BizprocReturn, BizprocSelect, InputValue, PortalLocale, UserId};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

mod form_model;

// ---------------------------------------------------------------------------------------------
// The robot
// ---------------------------------------------------------------------------------------------

/// The document format.
#[derive(BizprocSelect, Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    #[bizproc(rename = "pdf", label = "PDF")]
    Pdf,
    #[bizproc(rename = "docx", label = "DOCX")]
    Docx,
}

/// The inputs of the spec's §6 example, plus an integer and a date.
#[derive(BizprocProperties, Debug)]
struct InvoiceInput {
    text: String,
    when: NaiveDateTime,
    to: UserId,
    notify: bool,
    format: Format,
    amount: f64,
    emails: Vec<String>,
    comment: Option<String>,
    copies: Option<i64>,
    due: Option<NaiveDate>,
}

/// Sends an invoice.
#[derive(BizprocReturn, Debug)]
#[bizproc(code = "send_invoice", name = "Send invoice", input = InvoiceInput)]
struct Sent {
    sent: bool,
}

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

/// The illustrative body of spec §6, copied exactly (one line).
const SPEC_BODY: &str = "workflow_id=55c1dc1c3f0d75.78875596&code=send_invoice&document_id%5B0%5D=crm&document_id%5B1%5D=CCrmDocumentDeal&document_id%5B2%5D=DEAL_123&document_type%5B0%5D=crm&document_type%5B1%5D=CCrmDocumentDeal&document_type%5B2%5D=DEAL&event_token=55c1dc1c3f0d75.78875596%7CA51601_82584_96831_81132%7ChsyUws1j4XiwqPqN45eH66CcQtEvpUIP.47dd5d888e8e549d2c984713e12a4268e6e87d0208ca1f093ba1075e77f92e90&properties%5Btext%5D=Hello+world&properties%5Bwhen%5D=28.12.2025+14%3A05%3A48&properties%5Bto%5D=user_1&properties%5Bnotify%5D=Y&properties%5Bformat%5D=pdf&properties%5Bamount%5D=100.15&properties%5Bemails%5D%5B0%5D=a%40example.com&properties%5Bemails%5D%5B1%5D=b%40example.com&properties%5Bcomment%5D=&use_subscription=Y&timeout_duration=3600&ts=1738152544&auth%5Baccess_token%5D=s6p6eclrvim6da22ft9ch94ekreb52lv&auth%5Bexpires%5D=1738156144&auth%5Bexpires_in%5D=3600&auth%5Bscope%5D=crm%2Cbizproc&auth%5Bdomain%5D=some-domain.bitrix24.com&auth%5Bserver_endpoint%5D=https%3A%2F%2Foauth.bitrix.info%2Frest%2F&auth%5Bstatus%5D=L&auth%5Bclient_endpoint%5D=https%3A%2F%2Fsome-domain.bitrix24.com%2Frest%2F&auth%5Bmember_id%5D=a223c6b3710f85df22e9377d6c4f7553&auth%5Buser_id%5D=1&auth%5Brefresh_token%5D=4s386p3q0tr8dy89xvmt96234v3dljg8&auth%5Bapplication_token%5D=51856fefc120afa4b628cc82d3935cce";

const EVENT_TOKEN: &str = "55c1dc1c3f0d75.78875596|A51601_82584_96831_81132|hsyUws1j4XiwqPqN45eH66CcQtEvpUIP.47dd5d888e8e549d2c984713e12a4268e6e87d0208ca1f093ba1075e77f92e90";

/// The same request as JSON, the way the docs write events: numbers where they are numbers.
fn spec_json() -> Value {
    json!({
        "workflow_id": "55c1dc1c3f0d75.78875596",
        "code": "send_invoice",
        "document_id": ["crm", "CCrmDocumentDeal", "DEAL_123"],
        "document_type": ["crm", "CCrmDocumentDeal", "DEAL"],
        "event_token": EVENT_TOKEN,
        "properties": {
            "text": "Hello world",
            "when": "28.12.2025 14:05:48",
            "to": "user_1",
            "notify": "Y",
            "format": "pdf",
            "amount": 100.15,
            "emails": ["a@example.com", "b@example.com"],
            "comment": "",
        },
        "use_subscription": "Y",
        "timeout_duration": 3600,
        "ts": 1_738_152_544,
        "auth": {
            "access_token": "s6p6eclrvim6da22ft9ch94ekreb52lv",
            "expires": 1_738_156_144,
            "expires_in": 3600,
            "scope": "crm,bizproc",
            "domain": "some-domain.bitrix24.com",
            "server_endpoint": "https://oauth.bitrix.info/rest/",
            "status": "L",
            "client_endpoint": "https://some-domain.bitrix24.com/rest/",
            "member_id": "a223c6b3710f85df22e9377d6c4f7553",
            "user_id": 1,
            "refresh_token": "4s386p3q0tr8dy89xvmt96234v3dljg8",
            "application_token": "51856fefc120afa4b628cc82d3935cce",
        },
    })
}

/// A pair's key with the brackets unescaped, for matching.
fn plain_key(pair: &str) -> String {
    pair.split_once('=').map_or(pair, |(key, _)| key).replace("%5B", "[").replace("%5D", "]")
}

/// The spec body without the pairs whose key is one of `keys` or starts with `<key>[`.
fn without(keys: &[&str]) -> String {
    SPEC_BODY
        .split('&')
        .filter(|pair| {
            let key = plain_key(pair);
            !keys.iter().any(|k| key == *k || key.starts_with(&format!("{k}[")))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The spec body with the pair of `key` (as the body writes it, brackets plain) replaced by
/// `replacement` (raw form text, any number of pairs).
fn replacing(key: &str, replacement: &str) -> String {
    let mut found = false;
    let body = SPEC_BODY
        .split('&')
        .map(|pair| {
            if plain_key(pair) == key {
                found = true;
                replacement.to_owned()
            } else {
                pair.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("&");
    assert!(found, "the spec body has no `{key}`");
    body
}

/// The spec body with `extra` appended.
fn with(extra: &str) -> String {
    format!("{SPEC_BODY}&{extra}")
}

fn parse_as(
    body: impl AsRef<[u8]>,
    content_type: Option<&str>,
    limits: &RequestLimits,
) -> Result<Invocation<Sent>, InvocationError> {
    Invocation::<Sent>::parse(body.as_ref(), content_type, &PortalLocale::default(), limits)
}

fn parse(body: impl AsRef<[u8]>) -> Result<Invocation<Sent>, InvocationError> {
    parse_as(body, None, &RequestLimits::default())
}

fn json_with(edit: impl FnOnce(&mut Map<String, Value>)) -> Vec<u8> {
    let mut value = spec_json();
    edit(value.as_object_mut().expect("an object"));
    serde_json::to_vec(&value).expect("serializes")
}

/// Asserts that the error matches and that its message says `message`.
macro_rules! refused {
    ($result:expr, $pattern:pat $(if $guard:expr)?, $message:expr) => {{
        let error = match $result {
            Ok(call) => panic!("accepted: {call:?}"),
            Err(error) => error,
        };
        assert!(matches!(&error, $pattern $(if $guard)?), "wrong error: {error:?}");
        let text = error.to_string();
        let expected: &str = $message;
        assert!(text.contains(expected), "message {text:?} does not say {expected:?}");
        error
    }};
}

// ---------------------------------------------------------------------------------------------
// The corpus: missing fields
// ---------------------------------------------------------------------------------------------

#[test]
fn the_spec_body_itself_is_accepted() {
    parse(SPEC_BODY).expect("the spec body is valid");
}

#[test]
fn missing_workflow_id() {
    refused!(
        parse(without(&["workflow_id"])),
        InvocationError::MissingField("workflow_id"),
        "the request has no `workflow_id`"
    );
}

#[test]
fn missing_code() {
    refused!(parse(without(&["code"])), InvocationError::MissingField("code"), "the request has no `code`");
}

#[test]
fn empty_code() {
    refused!(parse(replacing("code", "code=")), InvocationError::MissingField("code"), "no `code`");
}

#[test]
fn empty_body() {
    refused!(parse(""), InvocationError::MissingField("code"), "the request has no `code`");
}

#[test]
fn missing_event_token() {
    refused!(parse(without(&["event_token"])), InvocationError::MissingField("event_token"), "no `event_token`");
}

#[test]
fn missing_auth() {
    refused!(parse(without(&["auth"])), InvocationError::MissingField("auth"), "the request has no `auth`");
}

#[test]
fn missing_member_id() {
    refused!(
        parse(without(&["auth[member_id]"])),
        InvocationError::MissingField("auth[member_id]"),
        "the request has no `auth[member_id]`"
    );
}

#[test]
fn missing_application_token() {
    refused!(
        parse(without(&["auth[application_token]"])),
        InvocationError::MissingField("auth[application_token]"),
        "no `auth[application_token]`"
    );
}

#[test]
fn empty_application_token() {
    refused!(
        parse(replacing("auth[application_token]", "auth%5Bapplication_token%5D=")),
        InvocationError::MissingField("auth[application_token]"),
        "no `auth[application_token]`"
    );
}

#[test]
fn missing_ts() {
    refused!(parse(without(&["ts"])), InvocationError::MissingField("ts"), "the request has no `ts`");
}

#[test]
fn missing_document_id() {
    refused!(parse(without(&["document_id"])), InvocationError::MissingField("document_id"), "no `document_id`");
}

#[test]
fn missing_document_type() {
    refused!(parse(without(&["document_type"])), InvocationError::MissingField("document_type"), "no `document_type`");
}

// ---------------------------------------------------------------------------------------------
// The corpus: broken form syntax
// ---------------------------------------------------------------------------------------------

#[test]
fn unclosed_bracket() {
    let error = refused!(
        parse(with("properties[a=1")),
        InvocationError::Form(FormError::BrokenBrackets { .. }),
        "field `properties[a` has unbalanced brackets"
    );
    assert_eq!(error, InvocationError::Form(FormError::BrokenBrackets { key: "properties[a".to_owned() }));
}

#[test]
fn unopened_bracket() {
    refused!(
        parse(with("a]=1")),
        InvocationError::Form(FormError::BrokenBrackets { key }) if key == "a]",
        "field `a]` has unbalanced brackets"
    );
}

#[test]
fn extra_closing_bracket() {
    refused!(
        parse(replacing("document_id[0]", "document_id[0]]=crm")),
        InvocationError::Form(FormError::BrokenBrackets { key }) if key == "document_id[0]]",
        "field `document_id[0]]` has unbalanced brackets"
    );
}

#[test]
fn text_after_a_bracket() {
    refused!(
        parse(with("properties%5Btext%5Dx=1")),
        InvocationError::Form(FormError::BrokenBrackets { key }) if key == "properties[text]x",
        "unbalanced brackets"
    );
}

#[test]
fn a_key_that_starts_with_a_bracket() {
    refused!(parse(with("[a]=1")), InvocationError::Form(FormError::BrokenBrackets { .. }), "unbalanced brackets");
}

#[test]
fn a_field_without_a_name() {
    refused!(parse(with("=orphan")), InvocationError::Form(FormError::EmptyName), "a field has no name");
}

#[test]
fn duplicate_code() {
    refused!(
        parse(replacing("code", "code=x&code=y")),
        InvocationError::Form(FormError::DuplicateKey { key }) if key == "code",
        "field `code` is given more than once"
    );
}

#[test]
fn duplicate_member_id() {
    refused!(
        parse(with("auth[member_id]=other")),
        InvocationError::Form(FormError::DuplicateKey { key }) if key == "auth[member_id]",
        "field `auth[member_id]` is given more than once"
    );
}

#[test]
fn a_value_that_is_also_a_map() {
    refused!(
        parse(with("ts[x]=1")),
        InvocationError::Form(FormError::ConflictingKey { key }) if key == "ts[x]",
        "field `ts[x]` is both a value and a list or map"
    );
}

#[test]
fn invalid_percent_escape() {
    refused!(
        parse(format!("x=%zz&{SPEC_BODY}")),
        InvocationError::Form(FormError::InvalidEscape { position: 2 }),
        "invalid percent escape at byte 2"
    );
}

#[test]
fn truncated_percent_escape_at_the_end() {
    let body = with("y=%4");
    let position = body.len() - 2;
    let error = refused!(
        parse(&body),
        InvocationError::Form(FormError::InvalidEscape { .. }),
        "invalid percent escape at byte"
    );
    assert_eq!(error, InvocationError::Form(FormError::InvalidEscape { position }));
}

#[test]
fn percent_escape_in_a_key() {
    refused!(
        parse(format!("{SPEC_BODY}&a%g1=1")),
        InvocationError::Form(FormError::InvalidEscape { .. }),
        "invalid percent escape"
    );
}

#[test]
fn invalid_utf8_in_a_value() {
    refused!(
        parse(replacing("properties[text]", "properties%5Btext%5D=%FF%FE")),
        InvocationError::Form(FormError::InvalidUtf8 { key }) if key == "properties[text]",
        "field `properties[text]` is not valid UTF-8 once decoded"
    );
}

#[test]
fn invalid_utf8_in_a_key() {
    refused!(
        parse(with("%FF%FE=1")),
        InvocationError::Form(FormError::InvalidUtf8 { .. }),
        "is not valid UTF-8 once decoded"
    );
}

#[test]
fn raw_invalid_bytes() {
    let mut body = with("properties[comment2]=").into_bytes();
    body.extend_from_slice(&[0xC3, 0x28]);
    refused!(
        parse(&body),
        InvocationError::Form(FormError::InvalidUtf8 { key }) if key == "properties[comment2]",
        "not valid UTF-8"
    );
}

// ---------------------------------------------------------------------------------------------
// The corpus: fields of the wrong shape
// ---------------------------------------------------------------------------------------------

#[test]
fn document_id_with_two_parts() {
    refused!(
        parse(without(&["document_id[2]"])),
        InvocationError::InvalidField { field: "document_id", .. },
        "field `document_id` has 2 parts, not 3"
    );
}

#[test]
fn document_id_with_four_parts() {
    refused!(
        parse(with("document_id[3]=extra")),
        InvocationError::InvalidField { field: "document_id", .. },
        "field `document_id` has 4 parts, not 3"
    );
}

#[test]
fn document_id_as_one_value() {
    let body = format!("{}&document_id=DEAL_123", without(&["document_id"]));
    refused!(
        parse(body),
        InvocationError::InvalidField { field: "document_id", .. },
        "field `document_id` must have three parts"
    );
}

#[test]
fn document_type_nested() {
    refused!(
        parse(replacing("document_type[2]", "document_type[2][x]=DEAL")),
        InvocationError::InvalidField { field: "document_type", .. },
        "field `document_type` must be a single value, not a list or map"
    );
}

#[test]
fn ts_not_a_number() {
    refused!(
        parse(replacing("ts", "ts=yesterday")),
        InvocationError::InvalidField { field: "ts", .. },
        "field `ts` must be a whole number, not `yesterday`"
    );
}

#[test]
fn ts_out_of_range() {
    refused!(
        parse(replacing("ts", "ts=99999999999999999")),
        InvocationError::InvalidField { field: "ts", .. },
        "field `ts` `99999999999999999` is not a time"
    );
}

#[test]
fn timeout_negative() {
    refused!(
        parse(replacing("timeout_duration", "timeout_duration=-5")),
        InvocationError::InvalidField { field: "timeout_duration", .. },
        "field `timeout_duration` `-5` is negative"
    );
}

#[test]
fn timeout_not_a_number() {
    refused!(
        parse(replacing("timeout_duration", "timeout_duration=1h")),
        InvocationError::InvalidField { field: "timeout_duration", .. },
        "must be a whole number, not `1h`"
    );
}

#[test]
fn use_subscription_maybe() {
    refused!(
        parse(replacing("use_subscription", "use_subscription=maybe")),
        InvocationError::InvalidField { field: "use_subscription", .. },
        "field `use_subscription` must be `Y` or `N`, not `maybe`"
    );
}

#[test]
fn auth_expires_not_a_number() {
    refused!(
        parse(replacing("auth[expires]", "auth%5Bexpires%5D=soon")),
        InvocationError::InvalidField { field: "auth[expires]", .. },
        "field `auth[expires]` must be a whole number, not `soon`"
    );
}

#[test]
fn auth_user_id_not_a_number() {
    refused!(
        parse(replacing("auth[user_id]", "auth%5Buser_id%5D=user_1")),
        InvocationError::InvalidField { field: "auth[user_id]", .. },
        "field `auth[user_id]` must be a whole number"
    );
}

#[test]
fn auth_domain_as_a_list() {
    refused!(
        parse(replacing("auth[domain]", "auth[domain][]=a&auth[domain][]=b")),
        InvocationError::InvalidField { field: "auth[domain]", .. },
        "field `auth[domain]` must be a single value"
    );
}

#[test]
fn auth_as_one_value() {
    let body = format!("{}&auth=token", without(&["auth"]));
    refused!(parse(body), InvocationError::InvalidField { field: "auth", .. }, "field `auth` must be a map of fields");
}

#[test]
fn properties_nested_too_deep() {
    refused!(
        parse(with("properties[emails][2][x]=c%40example.com")),
        InvocationError::InvalidField { field: "properties", .. },
        "field `properties` `emails` is nested deeper than a list of values"
    );
}

#[test]
fn properties_as_one_value() {
    let body = format!("{}&properties=text", without(&["properties"]));
    refused!(
        parse(body),
        InvocationError::InvalidField { field: "properties", .. },
        "field `properties` must be a map of fields"
    );
}

#[test]
fn properties_as_a_list() {
    let body = format!("{}&properties[]=text", without(&["properties"]));
    refused!(parse(body), InvocationError::InvalidField { field: "properties", .. }, "must be a map of fields");
}

#[test]
fn keys_nested_deeper_than_the_form_limit() {
    refused!(
        parse(with("properties[a][b][c][d][e][f][g][h][i]=1")),
        InvocationError::Form(FormError::TooDeep { limit: 8, .. }),
        "field `properties[a][b][c][d][e][f][g][h][i]` is nested deeper than 8 levels"
    );
}

#[test]
fn select_with_an_unknown_key() {
    let error = refused!(
        parse(replacing("properties[format]", "properties%5Bformat%5D=xls")),
        InvocationError::Input(_),
        "property `format`: `xls` is not"
    );
    let InvocationError::Input(input) = error else { unreachable!() };
    assert_eq!(input.errors().len(), 1);
    assert_eq!(input.errors()[0].property(), "format");
}

#[test]
fn int_property_abc() {
    refused!(parse(with("properties[copies]=abc")), InvocationError::Input(_), "property `copies`: `abc` is not");
}

#[test]
fn user_property_not_a_user() {
    refused!(
        parse(replacing("properties[to]", "properties%5Bto%5D=group_3")),
        InvocationError::Input(_),
        "property `to`: `group_3` is not"
    );
}

#[test]
fn date_property_not_a_date() {
    refused!(
        parse(with("properties[due]=31.02.2025")),
        InvocationError::Input(_),
        "property `due`: `31.02.2025` is not"
    );
}

#[test]
fn required_property_missing() {
    refused!(
        parse(without(&["properties[text]"])),
        InvocationError::Input(_),
        "invalid robot input: property `text`: a value is required but none was sent"
    );
}

#[test]
fn required_property_empty() {
    refused!(
        parse(replacing("properties[text]", "properties%5Btext%5D=")),
        InvocationError::Input(_),
        "property `text`: a value is required"
    );
}

#[test]
fn single_property_with_two_values() {
    refused!(
        parse(replacing("properties[to]", "properties[to][]=user_1&properties[to][]=user_2")),
        InvocationError::Input(_),
        "property `to`: 2 values were sent for a property that takes one"
    );
}

#[test]
fn every_bad_property_is_reported() {
    let body = replacing("properties[amount]", "properties%5Bamount%5D=lots&properties%5Bcopies%5D=many");
    let error = refused!(parse(body), InvocationError::Input(_), "property `amount`");
    let InvocationError::Input(input) = error else { unreachable!() };
    let failed: Vec<&str> = input.errors().iter().map(bizproc::PropertyError::property).collect();
    assert_eq!(failed, ["amount", "copies"]);
}

#[test]
fn a_hundred_thousand_element_array() {
    let mut body = SPEC_BODY.to_owned();
    for _ in 0..100_000 {
        body.push_str("&t[]=1");
    }
    assert!(body.len() < RequestLimits::default().max_body, "under the size limit, so the field limit decides");
    refused!(
        parse(&body),
        InvocationError::Form(FormError::TooManyFields { limit: 10_000 }),
        "the body has more than 10000 fields"
    );
}

#[test]
fn a_body_over_a_mebibyte_is_refused_unread() {
    // Garbage that would fail as soon as it was read, so the size check must come first.
    let body = format!("%zz{}", "a".repeat(1024 * 1024));
    let error = refused!(parse(&body), InvocationError::TooLarge { .. }, "over the limit of 1048576");
    assert_eq!(error, InvocationError::TooLarge { size: body.len(), limit: 1024 * 1024 });
    assert_eq!(error.to_string(), format!("the request body is {} bytes, over the limit of 1048576", body.len()));
    let json = format!("{{\"code\": \"{}\"", "x".repeat(1024 * 1024));
    refused!(
        parse_as(&json, Some("application/json"), &RequestLimits::default()),
        InvocationError::TooLarge { .. },
        "over the limit"
    );
}

#[test]
fn a_smaller_limit_is_applied() {
    let limits = RequestLimits { max_body: 100, ..RequestLimits::default() };
    refused!(parse_as(SPEC_BODY, None, &limits), InvocationError::TooLarge { limit: 100, .. }, "over the limit of 100");
    let limits =
        RequestLimits { form: FormLimits { max_fields: 5, ..FormLimits::default() }, ..RequestLimits::default() };
    refused!(
        parse_as(SPEC_BODY, None, &limits),
        InvocationError::Form(FormError::TooManyFields { limit: 5 }),
        "more than 5 fields"
    );
}

#[test]
fn wrong_robot_code() {
    let error = refused!(
        parse(replacing("code", "code=credit_check")),
        InvocationError::WrongCode { expected: "send_invoice", .. },
        "the request is for robot `credit_check`, not `send_invoice`"
    );
    assert_eq!(error, InvocationError::WrongCode { expected: "send_invoice", found: "credit_check".to_owned() });
}

#[test]
fn a_long_wrong_code_is_shortened() {
    let long = "x".repeat(500);
    let error = refused!(parse(replacing("code", &format!("code={long}"))), InvocationError::WrongCode { .. }, "…");
    assert!(error.to_string().len() < 200, "the message quotes only the start: {error}");
}

#[test]
fn json_malformed() {
    refused!(parse(b"{\"code\": \"send_invoice\","), InvocationError::Json(_), "the JSON body is malformed");
}

#[test]
fn json_not_an_object() {
    refused!(
        parse_as("[1, 2]", Some("application/json"), &RequestLimits::default()),
        InvocationError::Json(reason) if reason == "the body must be an object",
        "the JSON body is malformed: the body must be an object"
    );
    refused!(
        parse_as("\"send_invoice\"", Some("application/json; charset=utf-8"), &RequestLimits::default()),
        InvocationError::Json(_),
        "the body must be an object"
    );
}

#[test]
fn form_body_labelled_json() {
    refused!(
        parse_as(SPEC_BODY, Some("application/json"), &RequestLimits::default()),
        InvocationError::Json(_),
        "malformed"
    );
}

#[test]
fn json_code_as_a_map() {
    let body = json_with(|map| {
        map.insert("code".into(), json!({"name": "send_invoice"}));
    });
    refused!(
        parse(body),
        InvocationError::InvalidField { field: "code", .. },
        "field `code` must be a single value, not a list or map"
    );
}

#[test]
fn json_document_id_as_a_number() {
    let body = json_with(|map| {
        map.insert("document_id".into(), json!(123));
    });
    refused!(parse(body), InvocationError::InvalidField { field: "document_id", .. }, "must have three parts");
}

#[test]
fn json_auth_as_a_string() {
    let body = json_with(|map| {
        map.insert("auth".into(), json!("s6p6eclrvim6da22ft9ch94ekreb52lv"));
    });
    refused!(parse(body), InvocationError::InvalidField { field: "auth", .. }, "must be a map of fields");
}

#[test]
fn json_missing_member_id() {
    let body = json_with(|map| {
        map["auth"].as_object_mut().expect("auth is a map").remove("member_id");
    });
    refused!(parse(body), InvocationError::MissingField("auth[member_id]"), "no `auth[member_id]`");
}

#[test]
fn json_ts_fractional() {
    let body = json_with(|map| {
        map.insert("ts".into(), json!(1_738_152_544.5));
    });
    refused!(parse(body), InvocationError::InvalidField { field: "ts", .. }, "must be a whole number");
}

#[test]
fn json_property_nested() {
    let body = json_with(|map| {
        map["properties"]["emails"] = json!([["a@example.com"]]);
    });
    refused!(parse(body), InvocationError::InvalidField { field: "properties", .. }, "`emails` is nested deeper");
}

// ---------------------------------------------------------------------------------------------
// The spec's body, typed
// ---------------------------------------------------------------------------------------------

fn assert_spec_invocation(call: &Invocation<Sent>) {
    let input = &call.input;
    assert_eq!(input.text, "Hello world");
    assert_eq!(
        input.when,
        NaiveDate::from_ymd_opt(2025, 12, 28).and_then(|d| d.and_hms_opt(14, 5, 48)).expect("a valid time")
    );
    assert_eq!(input.to, UserId(1));
    assert!(input.notify);
    assert_eq!(input.format, Format::Pdf);
    assert!((input.amount - 100.15).abs() < f64::EPSILON);
    assert_eq!(input.emails, ["a@example.com", "b@example.com"]);
    assert_eq!(input.comment, None, "an empty value is no value");
    assert_eq!(input.copies, None);
    assert_eq!(input.due, None);

    let run = &call.run;
    assert_eq!(run.workflow_id, "55c1dc1c3f0d75.78875596");
    assert_eq!(run.code, "send_invoice");
    assert_eq!(run.document_id, ["crm", "CCrmDocumentDeal", "DEAL_123"]);
    assert_eq!(run.document_type, ["crm", "CCrmDocumentDeal", "DEAL"]);
    assert_eq!(run.event_token.as_str(), EVENT_TOKEN);
    assert_eq!(run.event_token.workflow_id(), "55c1dc1c3f0d75.78875596");
    assert!(run.use_subscription);
    assert_eq!(run.timeout, Some(Duration::from_secs(3600)));
    assert_eq!(run.queued_at, DateTime::from_timestamp(1_738_152_544, 0).expect("a valid time"));
    assert_eq!(run.deadline(), DateTime::from_timestamp(1_738_156_144, 0));

    let auth = &run.auth;
    assert_eq!(auth.member_id, "a223c6b3710f85df22e9377d6c4f7553");
    assert_eq!(auth.application_token.expose(), "51856fefc120afa4b628cc82d3935cce");
    assert_eq!(auth.access_token.as_ref().map(bizproc::Secret::expose), Some("s6p6eclrvim6da22ft9ch94ekreb52lv"));
    assert_eq!(auth.refresh_token.as_ref().map(bizproc::Secret::expose), Some("4s386p3q0tr8dy89xvmt96234v3dljg8"));
    assert_eq!(auth.expires, Some(1_738_156_144));
    assert_eq!(auth.expires_in, Some(3600));
    assert_eq!(auth.scope, ["crm", "bizproc"]);
    assert_eq!(auth.domain, "some-domain.bitrix24.com");
    assert_eq!(auth.client_endpoint, "https://some-domain.bitrix24.com/rest/");
    assert_eq!(auth.server_endpoint, "https://oauth.bitrix.info/rest/");
    assert_eq!(auth.status, "L");
    assert_eq!(auth.user_id, Some(1));

    let properties = &run.properties;
    let mut ids: Vec<&str> = properties.iter().map(|(id, _)| id).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["amount", "comment", "emails", "format", "notify", "text", "to", "when"]);
    assert_eq!(properties.get("text"), Some(&InputValue::from("Hello world")));
    assert_eq!(properties.get("when"), Some(&InputValue::from("28.12.2025 14:05:48")));
    assert_eq!(properties.get("amount"), Some(&InputValue::from("100.15")));
    assert_eq!(
        properties.get("emails"),
        Some(&InputValue::Many(vec!["a@example.com".to_owned(), "b@example.com".to_owned()]))
    );
    assert_eq!(properties.get("comment"), Some(&InputValue::from("")));
}

#[test]
fn the_spec_body_reads_into_typed_fields() {
    let call = parse(SPEC_BODY).expect("the spec body is valid");
    assert_spec_invocation(&call);
    let ids: Vec<&str> = call.run.properties.iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["text", "when", "to", "notify", "format", "amount", "emails", "comment"], "in request order");
    let debug = format!("{:?}", call.run);
    assert!(!debug.contains("51856fef"), "Debug shows no application token: {debug}");
    assert!(!debug.contains("s6p6eclr"), "Debug shows no access token: {debug}");
}

#[test]
fn the_spec_request_as_json_reads_the_same() {
    let body = serde_json::to_vec(&spec_json()).expect("serializes");
    assert_spec_invocation(&parse_as(&body, Some("application/json"), &RequestLimits::default()).expect("valid JSON"));
    // Without a content type, a body that is an object is read as JSON too.
    assert_spec_invocation(&parse(&body).expect("valid JSON"));
    // And the form decoder's own view of the form body is the same request.
    let decoded = serde_json::to_vec(&form::decode(SPEC_BODY.as_bytes()).expect("decodes")).expect("serializes");
    assert_spec_invocation(&parse(&decoded).expect("valid JSON"));
}

#[test]
fn raw_brackets_spaces_and_any_order_read_the_same() {
    let mut pairs: Vec<String> = SPEC_BODY
        .split('&')
        .map(|pair| pair.replace("%5B", "[").replace("%5D", "]").replace("Hello+world", "Hello%20world"))
        .collect();
    pairs.reverse();
    assert_spec_invocation(&parse(pairs.join("&")).expect("valid"));
}

#[test]
fn indexed_parts_are_read_by_index() {
    let body = without(&["document_id"])
        + "&document_id%5B2%5D=DEAL_123&document_id%5B0%5D=crm&document_id%5B1%5D=CCrmDocumentDeal";
    let call = parse(body).expect("valid");
    assert_eq!(call.run.document_id, ["crm", "CCrmDocumentDeal", "DEAL_123"]);
    let body = json_with(|map| {
        map.insert("document_type".into(), json!({"1": "CCrmDocumentDeal", "2": "DEAL", "0": "crm"}));
    });
    assert_eq!(parse(body).expect("valid").run.document_type, ["crm", "CCrmDocumentDeal", "DEAL"]);
}

#[test]
fn empty_list_brackets_append() {
    let body =
        without(&["properties[emails]"]) + "&properties[emails][]=a%40example.com&properties[emails][]=b%40example.com";
    assert_spec_invocation(&parse(body).expect("valid"));
}

#[test]
fn unknown_fields_are_ignored() {
    let call = parse(with("extra=1&auth[extra]=2&properties[unknown]=3")).expect("valid");
    assert_eq!(call.run.properties.get("unknown"), Some(&InputValue::from("3")), "kept as sent, not read");
    assert_eq!(call.input.text, "Hello world");
}

#[test]
fn optional_fields_absent() {
    let call = parse(without(&["use_subscription", "timeout_duration", "properties[comment]"])).expect("valid");
    assert!(!call.run.use_subscription);
    assert_eq!(call.run.timeout, None);
    assert_eq!(call.run.deadline(), None);
    assert_eq!(call.input.comment, None);
}

#[test]
fn a_timeout_past_the_end_of_time_has_no_deadline() {
    let call = parse(replacing("timeout_duration", "timeout_duration=9000000000000000")).expect("valid");
    assert_eq!(call.run.timeout, Some(Duration::from_secs(9_000_000_000_000_000)));
    assert_eq!(call.run.deadline(), None, "no representable deadline, and no panic");
}

// ---------------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------------

/// Pieces a hostile or broken body is made of.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&'static [u8]> = vec![
        b"properties[",
        b"properties%5B",
        b"]",
        b"%5D",
        b"[",
        b"[]",
        b"%",
        b"%2",
        b"%zz",
        b"%FF",
        b"%C3%A9",
        b"&",
        b"=",
        b"+",
        b"0",
        b"1",
        b"99999999999999999999",
        b"-1",
        b"code=send_invoice",
        b"document_id[0]=crm",
        b"document_id[1]=CCrmDocumentDeal",
        b"document_id[2]=DEAL_1",
        b"auth[member_id]=m",
        b"auth[application_token]=t",
        b"ts=1738152544",
        b"timeout_duration=",
        b"use_subscription=",
        b"emails",
        b"text",
        b"{",
        b"}",
        b"\"",
        "é".as_bytes(),
        "\u{1F600}".as_bytes(),
        &[0xFF],
        &[0xC3],
        &[0x00],
    ];
    prop_oneof![
        4 => proptest::sample::select(pieces).prop_map(<[u8]>::to_vec),
        1 => proptest::collection::vec(any::<u8>(), 0..4),
    ]
}

fn hostile_body() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(fragment(), 0..60).prop_map(|parts| parts.concat())
}

/// Many fields over a few names, so that levels grow past the size at which the decoder
/// indexes them, and keys repeat, append (`[]`), and mix numbers with names.
fn crowded_body() -> impl Strategy<Value = Vec<u8>> {
    let name = prop_oneof![
        (0..60_u32).prop_map(|n| format!("k{n}")),
        (0..60_u32).prop_map(|n| n.to_string()),
        Just("007".to_owned()),
        Just(String::new()),
    ];
    let key = proptest::collection::vec(name, 1..4).prop_map(|names| {
        let (base, rest) = names.split_first().expect("one name at least");
        let base = if base.is_empty() { "a" } else { base };
        rest.iter().fold(base.to_owned(), |key, name| format!("{key}%5B{name}%5D"))
    });
    let field = (key, "[a-z%+0-9]{0,3}").prop_map(|(key, value)| format!("{key}={value}"));
    proptest::collection::vec(field, 0..120).prop_map(|fields| fields.join("&").into_bytes())
}

/// A long list built by appending (`a[]`), with perhaps one explicit index among the items.
fn appended_body() -> impl Strategy<Value = Vec<u8>> {
    (0..80_usize, proptest::option::of((0..80_usize, 0..90_u32))).prop_map(|(items, explicit)| {
        let mut fields: Vec<String> = (0..items).map(|i| format!("a%5B%5D={i}")).collect();
        if let Some((at, index)) = explicit {
            fields.insert(at.min(fields.len()), format!("a%5B{index}%5D=x"));
        }
        fields.join("&").into_bytes()
    })
}

/// A valid body with arbitrary numbers where numbers go.
fn numeric_body() -> impl Strategy<Value = String> {
    // Every magnitude, not only the huge ones a uniform `i64` mostly gives.
    let number = || prop_oneof![any::<i64>(), (0..63_u32).prop_flat_map(|bits| -(1_i64 << bits)..=(1_i64 << bits))];
    (number(), number(), number(), number()).prop_map(|(ts, timeout, expires, copies)| {
        let body = replacing("ts", &format!("ts={ts}"));
        let body = body.replace("timeout_duration=3600", &format!("timeout_duration={timeout}"));
        let body = body.replace("auth%5Bexpires%5D=1738156144", &format!("auth%5Bexpires%5D={expires}"));
        format!("{body}&properties[copies]={copies}")
    })
}

fn touch(result: Result<Invocation<Sent>, InvocationError>) {
    match result {
        Ok(call) => {
            let _ = call.run.deadline();
            let _ = format!("{call:?}");
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
}

/// A map key that a form can carry: not empty, no brackets, not all digits.
fn key() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_ .&=+%/?é-]{0,8}"
}

/// Nested maps and lists of strings, lists and maps never empty (an empty one has no form).
fn nested() -> impl Strategy<Value = Value> {
    let leaf = any::<String>().prop_map(Value::String);
    leaf.prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 1..4).prop_map(Value::Array),
            proptest::collection::btree_map(key(), inner, 1..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_bytes_make_the_decoder_or_parser_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = form::decode(&body);
        touch(parse(&body));
        touch(parse_as(&body, Some("application/json"), &RequestLimits::default()));
    }

    #[test]
    fn no_fragment_soup_makes_the_decoder_or_parser_panic(body in hostile_body()) {
        let _ = form::decode(&body);
        let _ = form::decode_with(&body, FormLimits { max_fields: 3, max_depth: 1 });
        touch(parse(&body));
        let mut prefixed = SPEC_BODY.as_bytes().to_vec();
        prefixed.push(b'&');
        prefixed.extend_from_slice(&body);
        touch(parse(&prefixed));
    }

    #[test]
    fn no_numbers_make_the_parser_panic(body in numeric_body()) {
        touch(parse(&body));
    }

    #[test]
    fn the_decoder_agrees_with_its_plain_model(body in prop_oneof![hostile_body(), crowded_body(), appended_body()]) {
        for limits in [FormLimits::default(), FormLimits { max_fields: 40, max_depth: 1 }] {
            prop_assert_eq!(form::decode_with(&body, limits), form_model::decode_with(&body, limits));
        }
    }

    #[test]
    fn form_encoding_round_trips(map in proptest::collection::btree_map(key(), nested(), 1..5)) {
        let value = Value::Object(map.into_iter().collect());
        let body = form::encode(&value);
        prop_assert_eq!(form::decode(body.as_bytes()), Ok(value));
    }
}
