//! `bizproc.robot.*` and `bizproc.activity.*`: the store of registrations and the server's
//! validation rules, in the server's order (spec §9).
//!
//! Every check below is one row of the spec's §9 table and answers with that row's code, text
//! and status. The server's own checks run before it writes anything, so a failed call leaves
//! the store as it was.

use std::fmt::Write as _;

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::keys;
use crate::log::AuthKind;
use crate::rest::Caller;
use crate::state::{Portal, State};

/// Robots and activities share one store keyed by `CODE`, so a code names one or the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `bizproc.robot.*`.
    Robot,
    /// `bizproc.activity.*`.
    Activity,
}

/// One stored registration. `fields` holds the parameters as the server stores them: keys
/// normalized by `keys::upper_case_recursive` (`HANDLER`, `NAME`, `DESCRIPTION`,
/// `USE_SUBSCRIPTION`, `AUTH_USER_ID`, `PROPERTIES`, `RETURN_PROPERTIES`, `DOCUMENT_TYPE`,
/// `FILTER`, `USE_PLACEMENT`, `PLACEMENT_HANDLER`), without `CODE`.
///
/// `AUTH_USER_ID` is always there, as an integer; `USE_PLACEMENT` is always `"Y"` or `"N"`;
/// `PLACEMENT_HANDLER` is there while the registration has a placement. The other keys are
/// there when the app sent them (not `null`), with the values as sent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    pub kind: Kind,
    pub code: String,
    pub fields: Map<String, Value>,
}

/// A portal's registrations, robots and activities together, keyed by `CODE`.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub records: indexmap::IndexMap<String, Record>,
}

impl Store {
    /// The registration with this code, of either kind.
    pub fn get(&self, code: &str) -> Option<&Record> {
        self.records.get(code)
    }

    /// Forgets everything, as the server does when the app is updated or removed.
    pub fn clear(&mut self) {
        self.records.clear();
    }

    /// The registration with this code if it is of this kind: the lookup of `update` and
    /// `delete`, which never find the other kind's codes.
    fn get_of_kind(&self, code: &str, kind: Kind) -> Option<&Record> {
        self.records.get(code).filter(|record| record.kind == kind)
    }
}

/// A registration as the emulated portal stores it, for tests to inspect.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = bizproc_emulator::Emulator::builder().start().await?;
/// let member_id = emulator.credentials().member_id;
/// assert!(emulator.registrations(&member_id).is_empty());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredRegistration {
    /// A robot or an activity.
    pub kind: Kind,
    /// Its `CODE`.
    pub code: String,
    /// Everything else, as the server stores it: keys upper-cased (property ids and option
    /// keys keep their case), `AUTH_USER_ID` an integer, `USE_PLACEMENT` `"Y"` or `"N"`,
    /// `PLACEMENT_HANDLER` only while there is a placement, other values as sent.
    pub fields: Value,
}

impl crate::Emulator {
    /// The robots and activities registered on the portal with this member id, in the order
    /// they were added; empty for an unknown portal.
    #[must_use]
    pub fn registrations(&self, member_id: &str) -> Vec<StoredRegistration> {
        let state = self.shared.lock();
        state.portals.get(member_id).map_or_else(Vec::new, |portal| {
            portal
                .store
                .records
                .values()
                .map(|record| StoredRegistration {
                    kind: record.kind,
                    code: record.code.clone(),
                    fields: Value::Object(record.fields.clone()),
                })
                .collect()
        })
    }
}

/// `CODE` is stored in a column of 128 characters.
const CODE_MAX_CHARS: usize = 128;
/// `HANDLER` is stored in a column of 1000 characters.
const HANDLER_MAX_CHARS: usize = 1000;
/// `PROPERTIES` and `RETURN_PROPERTIES` are stored PHP-serialized and must stay below this.
const SERIALIZED_PROPERTIES_LIMIT: usize = 65_535;

/// The document types the portal knows (spec §2): module, entity, and the document type, which
/// ends in an id where `numbered`.
const DOCUMENT_TYPES: [(&str, &str, &str, bool); 10] = [
    ("crm", "CCrmDocumentLead", "LEAD", false),
    ("crm", "CCrmDocumentDeal", "DEAL", false),
    ("crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\Quote", "QUOTE", false),
    ("crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\SmartInvoice", "SMART_INVOICE", false),
    ("crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic", "DYNAMIC_", true),
    ("crm", "CCrmDocumentContact", "CONTACT", false),
    ("crm", "CCrmDocumentCompany", "COMPANY", false),
    ("lists", "BizprocDocument", "iblock_", true),
    ("lists", "Bitrix\\Lists\\BizprocDocumentLists", "iblock_", true),
    ("disk", "Bitrix\\Disk\\BizProcDocument", "STORAGE_", true),
];

// ---------------------------------------------------------------------------------------------
// The methods
// ---------------------------------------------------------------------------------------------

/// `bizproc.robot.add` / `bizproc.activity.add`: rules 1–19 of §9, in order.
pub(crate) fn add(
    state: &mut State,
    caller: &Caller,
    kind: Kind,
    params: &Map<String, Value>,
) -> Result<Value, ApiError> {
    require_app_context(caller)?; // 1
    let portal = admin_portal(state, caller)?; // 2
    let params = upper_case_all(params); // 3
    if params.is_empty() {
        return Err(ApiError::validation("Empty data!")); // 4
    }
    let code = validate_code(params.get("CODE"))?; // 5, 6
    let handler = validate_handler(params.get("HANDLER"))?; // 7, 8
    if keys::is_empty(params.get("NAME")) {
        return Err(ApiError::validation("Empty activity NAME!")); // 9
    }
    for key in ["PROPERTIES", "RETURN_PROPERTIES"] {
        if let Some(properties) = isset(params.get(key)) {
            validate_properties(properties)?; // 10–13
        }
    }
    if kind == Kind::Activity
        && let Some(document_type) = isset(params.get("DOCUMENT_TYPE"))
    {
        validate_document_type(document_type)?; // 14
    }
    if isset(params.get("FILTER")).is_some_and(|filter| !is_php_array(filter)) {
        return Err(wrong_filter()); // 15
    }
    if portal.store.get(code).is_some() {
        return Err(already_installed()); // 16
    }
    let auth_user_id = php_int(params.get("AUTH_USER_ID")); // 17
    let use_placement = params.get("USE_PLACEMENT").and_then(Value::as_str) == Some("Y");
    let placement_handler = if use_placement { Some(validate_handler(params.get("PLACEMENT_HANDLER"))?) } else { None };
    let too_long = code.chars().count() > CODE_MAX_CHARS || handler.chars().count() > HANDLER_MAX_CHARS;
    let too_large = ["PROPERTIES", "RETURN_PROPERTIES"].iter().any(|key| {
        isset(params.get(*key)).is_some_and(|value| php_serialized_len(value) >= SERIALIZED_PROPERTIES_LIMIT)
    });
    if too_long || too_large {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "ERROR_ACTIVITY_ADD_FAILURE", "Activity save error!")); // 18
    }
    // 19 (a concurrent insert of the same code) cannot happen here: the state's lock is held.

    let mut fields = Map::new();
    let copy = |fields: &mut Map<String, Value>, key: &str| {
        if let Some(value) = isset(params.get(key)) {
            fields.insert(key.to_owned(), value.clone());
        }
    };
    for key in ["HANDLER", "NAME", "DESCRIPTION", "USE_SUBSCRIPTION"] {
        copy(&mut fields, key);
    }
    fields.insert("AUTH_USER_ID".to_owned(), auth_user_id.into());
    for key in ["PROPERTIES", "RETURN_PROPERTIES", "DOCUMENT_TYPE", "FILTER"] {
        copy(&mut fields, key);
    }
    fields.insert("USE_PLACEMENT".to_owned(), yes_no(use_placement));
    if let Some(url) = placement_handler {
        fields.insert("PLACEMENT_HANDLER".to_owned(), url.into());
    }
    let code = code.to_owned();
    portal.store.records.insert(code.clone(), Record { kind, code, fields });
    Ok(Value::Bool(true))
}

/// `bizproc.robot.update` / `bizproc.activity.update`, in the order of §9's update row.
pub(crate) fn update(
    state: &mut State,
    caller: &Caller,
    kind: Kind,
    params: &Map<String, Value>,
) -> Result<Value, ApiError> {
    require_app_context(caller)?; // 1
    let params = upper_case_all(params); // 3
    let portal = admin_portal(state, caller)?; // 2
    let code = validate_code(params.get("CODE"))?; // 5, 6
    if portal.store.get_of_kind(code, kind).is_none() {
        return Err(not_found());
    }
    let no_fields = Map::new();
    let fields = match params.get("FIELDS") {
        Some(Value::Object(fields)) if !fields.is_empty() => fields,
        // A non-empty list is a PHP array too, but holds none of the keys looked for below.
        Some(Value::Array(items)) if !items.is_empty() => &no_fields,
        _ => return Err(nothing_to_update()),
    };
    let changes = changes(fields)?;
    if changes.is_empty() {
        return Err(nothing_to_update());
    }
    // Older servers read `PLACEMENT_HANDLER` at the top level rather than inside `FIELDS`.
    let placement = isset(fields.get("PLACEMENT_HANDLER")).or_else(|| isset(params.get("PLACEMENT_HANDLER")));
    let placement = placement.map(|url| validate_handler(Some(url))).transpose()?;
    let problems = storage_problems(&changes);
    if !problems.is_empty() {
        return Err(ApiError::validation(problems.join("; ")));
    }

    let record = portal.store.records.get_mut(code).expect("the record was found above");
    for (key, value) in changes {
        if value.is_null() {
            record.fields.shift_remove(&key);
        } else {
            record.fields.insert(key, value);
        }
    }
    if let Some(url) = placement {
        record.fields.insert("PLACEMENT_HANDLER".to_owned(), url.into());
    }
    if record.fields.get("USE_PLACEMENT").and_then(Value::as_str) == Some("N") {
        record.fields.shift_remove("PLACEMENT_HANDLER");
    }
    Ok(Value::Bool(true))
}

/// `bizproc.robot.delete` / `bizproc.activity.delete`: 1 → top-level keys → 2 → 5–6 → lookup.
pub(crate) fn delete(
    state: &mut State,
    caller: &Caller,
    kind: Kind,
    params: &Map<String, Value>,
) -> Result<Value, ApiError> {
    require_app_context(caller)?;
    let params = keys::upper_case_top(params);
    let portal = admin_portal(state, caller)?;
    let code = validate_code(params.get("CODE"))?;
    if portal.store.get_of_kind(code, kind).is_none() {
        return Err(not_found());
    }
    // The placement goes with the record: it lives in the record's fields.
    portal.store.records.shift_remove(code);
    Ok(Value::Bool(true))
}

/// `bizproc.robot.list` / `bizproc.activity.list`: 1 → 2 → this kind's codes, `[]` when none.
pub(crate) fn list(state: &mut State, caller: &Caller, kind: Kind) -> Result<Value, ApiError> {
    require_app_context(caller)?;
    let portal = admin_portal(state, caller)?;
    let codes = portal.store.records.values().filter(|record| record.kind == kind);
    Ok(Value::Array(codes.map(|record| Value::String(record.code.clone())).collect()))
}

// ---------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------

/// Rule 1: only an app's OAuth token gives an application context.
fn require_app_context(caller: &Caller) -> Result<(), ApiError> {
    if caller.kind == AuthKind::OAuth {
        Ok(())
    } else {
        Err(ApiError::access_denied("Access denied! Application context required"))
    }
}

/// Rule 2: the caller administers the portal; returns the portal.
fn admin_portal<'a>(state: &'a mut State, caller: &Caller) -> Result<&'a mut Portal, ApiError> {
    let portal = state.portals.get_mut(&caller.member_id).ok_or_else(ApiError::no_auth)?;
    if portal.is_admin(caller.user_id) { Ok(portal) } else { Err(ApiError::access_denied("Access denied!")) }
}

/// Rule 3 for `add` and `update`: every key upper-cased, except ids and option keys.
fn upper_case_all(params: &Map<String, Value>) -> Map<String, Value> {
    match keys::upper_case_recursive(&Value::Object(params.clone())) {
        Value::Object(map) => map,
        _ => unreachable!("an object stays an object"),
    }
}

/// Rules 5 and 6: a non-empty string of `A-Z a-z 0-9 . - _`.
fn validate_code(code: Option<&Value>) -> Result<&str, ApiError> {
    if keys::is_empty(code) {
        return Err(ApiError::validation("Empty activity code!"));
    }
    match code {
        Some(Value::String(code)) if code.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) => Ok(code),
        _ => Err(ApiError::validation("Wrong activity code!")),
    }
}

/// Rules 7 and 8: a URL whose host has a dot after its first character, then `http`/`https`.
fn validate_handler(handler: Option<&Value>) -> Result<&str, ApiError> {
    let wrong_url = || ApiError::new(StatusCode::BAD_REQUEST, "ERROR_WRONG_HANDLER_URL", "Wrong handler URL");
    let Some(Value::String(url)) = handler else {
        return Err(wrong_url());
    };
    let (scheme, host) = scheme_and_host(url).ok_or_else(wrong_url)?;
    // PHP's `strpos($host, '.') > 0`: a dot, and not as the first character.
    if host.find('.').is_none_or(|dot| dot == 0) {
        return Err(wrong_url());
    }
    match scheme {
        Some("http" | "https") => Ok(url),
        _ => Err(ApiError::new(StatusCode::BAD_REQUEST, "ERROR_UNSUPPORTED_PROTOCOL", "Unsupported handler protocol")),
    }
}

/// Rules 10–12 for one property set: an array, then per entry in input order its id and its
/// `NAME`.
fn validate_properties(properties: &Value) -> Result<(), ApiError> {
    let entries: Vec<(String, &Value)> = match properties {
        Value::Object(map) => map.iter().map(|(id, descriptor)| (id.clone(), descriptor)).collect(),
        Value::Array(items) => items.iter().enumerate().map(|(index, item)| (index.to_string(), item)).collect(),
        _ => return Err(ApiError::validation("Wrong properties array!")),
    };
    for (id, descriptor) in entries {
        if !is_property_id(&id) {
            return Err(ApiError::validation(format!("Wrong property key ({id})!")));
        }
        // A descriptor that is not a map has no `NAME`, as PHP reads it.
        if keys::is_empty(descriptor.as_object().and_then(|descriptor| descriptor.get("NAME"))) {
            return Err(ApiError::validation(format!("Empty property NAME ({id})!")));
        }
    }
    Ok(())
}

/// `^[A-Za-z][A-Za-z0-9_]*$`.
fn is_property_id(id: &str) -> bool {
    let mut bytes = id.bytes();
    bytes.next().is_some_and(|first| first.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Rule 14: one of the document types the portal knows.
fn validate_document_type(document_type: &Value) -> Result<(), ApiError> {
    let parts: Option<Vec<&str>> = match document_type {
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        Value::Object(map) if map.keys().eq(["0", "1", "2"]) => map.values().map(Value::as_str).collect(),
        _ => None,
    };
    let known = match parts.as_deref() {
        Some([module, entity, document]) => DOCUMENT_TYPES.iter().any(|&(m, e, d, numbered)| {
            m == *module
                && e == *entity
                && if numbered {
                    document.strip_prefix(d).is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
                } else {
                    d == *document
                }
        }),
        _ => false,
    };
    if known { Ok(()) } else { Err(ApiError::validation("Wrong activity DOCUMENT_TYPE!")) }
}

fn wrong_filter() -> ApiError {
    ApiError::validation("Wrong activity FILTER!")
}

fn already_installed() -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "ERROR_ACTIVITY_ALREADY_INSTALLED", "Activity or Robot already installed!")
}

fn not_found() -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "ERROR_ACTIVITY_NOT_FOUND", "Activity or Robot not found!")
}

fn nothing_to_update() -> ApiError {
    ApiError::validation("No fields to update")
}

/// What an update's `FIELDS` change, validated in the server's order (`HANDLER`, then the
/// property sets, then `DOCUMENT_TYPE`, then `FILTER`); a `null` value clears the key.
/// `PLACEMENT_HANDLER` is not a change on its own.
fn changes(fields: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    let mut changes = Map::new();
    if let Some(handler) = isset(fields.get("HANDLER")) {
        validate_handler(Some(handler))?;
        changes.insert("HANDLER".to_owned(), handler.clone());
    }
    if isset(fields.get("AUTH_USER_ID")).is_some() {
        changes.insert("AUTH_USER_ID".to_owned(), php_int(fields.get("AUTH_USER_ID")).into());
    }
    if let Some(subscription) = isset(fields.get("USE_SUBSCRIPTION")) {
        changes.insert("USE_SUBSCRIPTION".to_owned(), subscription.clone());
    }
    if let Some(placement) = isset(fields.get("USE_PLACEMENT")) {
        changes.insert("USE_PLACEMENT".to_owned(), yes_no(placement.as_str() == Some("Y")));
    }
    if !keys::is_empty(fields.get("NAME")) {
        changes.insert("NAME".to_owned(), fields["NAME"].clone());
    }
    if let Some(description) = isset(fields.get("DESCRIPTION")) {
        changes.insert("DESCRIPTION".to_owned(), description.clone());
    }
    for key in ["PROPERTIES", "RETURN_PROPERTIES"] {
        if let Some(properties) = isset(fields.get(key)) {
            validate_properties(properties)?;
            changes.insert(key.to_owned(), properties.clone());
        }
    }
    if let Some(document_type) = isset(fields.get("DOCUMENT_TYPE")) {
        // Checked for robots too: update shares the activity check.
        if !keys::is_empty(Some(document_type)) {
            validate_document_type(document_type)?;
        }
        changes.insert("DOCUMENT_TYPE".to_owned(), cleared_if_empty(document_type));
    }
    if let Some(filter) = isset(fields.get("FILTER")) {
        if !keys::is_empty(Some(filter)) && !is_php_array(filter) {
            return Err(wrong_filter());
        }
        changes.insert("FILTER".to_owned(), cleared_if_empty(filter));
    }
    Ok(changes)
}

fn cleared_if_empty(value: &Value) -> Value {
    if keys::is_empty(Some(value)) { Value::Null } else { value.clone() }
}

/// The storage limits an update breaks, as the server's localized messages.
fn storage_problems(changes: &Map<String, Value>) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(Value::String(handler)) = changes.get("HANDLER")
        && handler.chars().count() > HANDLER_MAX_CHARS
    {
        problems.push(format!("The length of \"HANDLER\" should not exceed {HANDLER_MAX_CHARS} characters."));
    }
    for key in ["PROPERTIES", "RETURN_PROPERTIES"] {
        if let Some(value) = changes.get(key)
            && php_serialized_len(value) >= SERIALIZED_PROPERTIES_LIMIT
        {
            problems.push(format!(
                "The serialized value of \"{key}\" must be shorter than {SERIALIZED_PROPERTIES_LIMIT} bytes."
            ));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// PHP semantics
// ---------------------------------------------------------------------------------------------

/// PHP's `isset()` for one key: there and not `null`.
fn isset(value: Option<&Value>) -> Option<&Value> {
    value.filter(|value| !value.is_null())
}

/// PHP's `is_array()` of a decoded JSON value: lists and maps alike.
fn is_php_array(value: &Value) -> bool {
    matches!(value, Value::Array(_) | Value::Object(_))
}

fn yes_no(yes: bool) -> Value {
    Value::from(if yes { "Y" } else { "N" })
}

/// PHP's `(int)` cast; a missing value is 0.
fn php_int(value: Option<&Value>) -> i64 {
    match value {
        None | Some(Value::Null) => 0,
        Some(Value::Bool(flag)) => i64::from(*flag),
        Some(Value::Number(number)) => number.as_i64().unwrap_or_else(|| float_to_int(number.as_f64().unwrap_or(0.0))),
        Some(Value::String(text)) => string_to_int(text),
        Some(Value::Array(items)) => i64::from(!items.is_empty()),
        Some(Value::Object(map)) => i64::from(!map.is_empty()),
    }
}

#[allow(clippy::cast_possible_truncation)] // truncation toward zero is what PHP's cast does
fn float_to_int(value: f64) -> i64 {
    value as i64
}

/// `(int)"  12abc"` is 12: leading whitespace, then the longest numeric prefix.
fn string_to_int(text: &str) -> i64 {
    let text = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let bytes = text.as_bytes();
    let digits_from = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut end = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let integer_end = digits_from(end);
    let mut has_digits = integer_end > end;
    end = integer_end;
    let mut is_float = false;
    if bytes.get(end) == Some(&b'.') {
        let fraction_end = digits_from(end + 1);
        if has_digits || fraction_end > end + 1 {
            has_digits = true;
            is_float = true;
            end = fraction_end;
        }
    }
    if !has_digits {
        return 0;
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
        let exponent_end = digits_from(end + 1 + sign);
        if exponent_end > end + 1 + sign {
            is_float = true;
            end = exponent_end;
        }
    }
    let number = &text[..end];
    if is_float {
        return float_to_int(number.parse().unwrap_or(0.0));
    }
    // Too many digits for an integer: PHP saturates.
    number.parse().unwrap_or(if number.starts_with('-') { i64::MIN } else { i64::MAX })
}

/// The scheme (if any) and host that PHP's `parse_url` finds, or `None` where it fails or
/// finds no host.
fn scheme_and_host(url: &str) -> Option<(Option<&str>, &str)> {
    let (scheme, rest) = if let Some(rest) = url.strip_prefix("//") {
        (None, rest)
    } else {
        let (head, tail) = url.split_once(':')?;
        let port_end = tail.find('/').unwrap_or(tail.len());
        let is_port = (1..=5).contains(&port_end) && tail[..port_end].bytes().all(|b| b.is_ascii_digit());
        if is_port {
            (None, url) // `host:port/path`, no scheme
        } else if head.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && head.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        {
            (Some(head), tail.strip_prefix("//")?)
        } else {
            return None;
        }
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_and_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let (host, port) = if host_and_port.starts_with('[') {
        let close = host_and_port.find(']')?;
        (&host_and_port[..=close], host_and_port[close + 1..].strip_prefix(':').unwrap_or(&host_and_port[close + 1..]))
    } else {
        host_and_port.split_once(':').unwrap_or((host_and_port, ""))
    };
    let port_ok =
        port.is_empty() || (port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u32>().is_ok_and(|p| p <= 65_535));
    (!host.is_empty() && port_ok).then_some((scheme, host))
}

/// Bytes of PHP's `serialize()` of a decoded JSON value.
fn php_serialized_len(value: &Value) -> usize {
    let mut out = String::new();
    php_serialize(value, &mut out);
    out.len()
}

/// PHP's `serialize()` of a value as `json_decode(.., true)` gives it: lists and maps become
/// arrays, map keys that are canonical integers become integer keys.
fn php_serialize(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("N;"),
        Value::Bool(flag) => out.push_str(if *flag { "b:1;" } else { "b:0;" }),
        Value::Number(number) => match number.as_i64() {
            Some(int) => {
                let _ = write!(out, "i:{int};");
            }
            None => {
                let _ = write!(out, "d:{};", php_float(number.as_f64().unwrap_or(0.0)));
            }
        },
        Value::String(text) => php_string(text, out),
        Value::Array(items) => {
            let _ = write!(out, "a:{}:{{", items.len());
            for (index, item) in items.iter().enumerate() {
                let _ = write!(out, "i:{index};");
                php_serialize(item, out);
            }
            out.push('}');
        }
        Value::Object(map) => {
            let _ = write!(out, "a:{}:{{", map.len());
            for (key, item) in map {
                match php_integer_key(key) {
                    Some(int) => {
                        let _ = write!(out, "i:{int};");
                    }
                    None => php_string(key, out),
                }
                php_serialize(item, out);
            }
            out.push('}');
        }
    }
}

fn php_string(text: &str, out: &mut String) {
    let _ = write!(out, "s:{}:\"{text}\";", text.len());
}

/// A PHP array key that is a decimal integer in canonical form (`"7"`, `"-3"`, not `"07"`).
fn php_integer_key(key: &str) -> Option<i64> {
    let digits = key.strip_prefix('-').unwrap_or(key);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && ((digits == "0" && !key.starts_with('-')) || !digits.starts_with('0'));
    if canonical { key.parse().ok() } else { None }
}

/// A float as `serialize()` writes it (`serialize_precision = -1`): the shortest round-trip
/// digits, `100` rather than `100.0`, and `1.0E+25` / `1.0E-5` outside `1e-4 ..< 1e17`.
fn php_float(value: f64) -> String {
    let scientific = format!("{value:e}"); // e.g. `-1.5e-7`
    let (mantissa, exponent) = scientific.split_once('e').expect("`{:e}` always writes an exponent");
    let exponent: i32 = exponent.parse().expect("the exponent is an integer");
    let decimal_point = exponent + 1;
    if value != 0.0 && !(-3..=17).contains(&decimal_point) {
        let mantissa = if mantissa.contains('.') { mantissa.to_owned() } else { format!("{mantissa}.0") };
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}E{sign}{}", exponent.abs())
    } else {
        let plain = format!("{value}");
        plain.strip_suffix(".0").map_or_else(|| plain.clone(), str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn serialized(value: &Value) -> String {
        let mut out = String::new();
        php_serialize(value, &mut out);
        out
    }

    #[test]
    fn serializes_as_php_does() {
        // php > echo serialize(json_decode('...', true));
        assert_eq!(
            serialized(&json!({"a": {"NAME": "A", "N": 1, "F": 1.5, "B": true, "X": null}, "7": ["x", false]})),
            r#"a:2:{s:1:"a";a:5:{s:4:"NAME";s:1:"A";s:1:"N";i:1;s:1:"F";d:1.5;s:1:"B";b:1;s:1:"X";N;}i:7;a:2:{i:0;s:1:"x";i:1;b:0;}}"#
        );
        assert_eq!(serialized(&json!("é")), r#"s:2:"é";"#);
        assert_eq!(serialized(&json!({"07": 1, "-3": 2, "-0": 3})), r#"a:3:{s:2:"07";i:1;i:-3;i:2;s:2:"-0";i:3;}"#);
        assert_eq!(php_serialized_len(&json!({})), "a:0:{}".len());
    }

    #[test]
    fn floats_as_php_writes_them() {
        assert_eq!(php_float(100.0), "100");
        assert_eq!(php_float(0.1), "0.1");
        assert_eq!(php_float(-2.5), "-2.5");
        assert_eq!(php_float(1e25), "1.0E+25");
        assert_eq!(php_float(1.5e-7), "1.5E-7");
        assert_eq!(php_float(0.0001), "0.0001");
        assert_eq!(php_float(1e16), "10000000000000000");
        assert_eq!(php_float(0.0), "0");
    }

    #[test]
    fn int_cast_as_php_does() {
        for (value, expected) in [
            (json!("12abc"), 12),
            (json!("  7"), 7),
            (json!("abc"), 0),
            (json!("1e3"), 1000),
            (json!("-4.9"), -4),
            (json!(".5"), 0),
            (json!("99999999999999999999"), i64::MAX),
            (json!(3.9), 3),
            (json!(true), 1),
            (json!(null), 0),
            (json!([1]), 1),
            (json!([]), 0),
        ] {
            assert_eq!(php_int(Some(&value)), expected, "{value}");
        }
        assert_eq!(php_int(None), 0);
    }

    #[test]
    fn handler_urls_as_parse_url_reads_them() {
        assert_eq!(scheme_and_host("https://app.example.com/robot.php"), Some((Some("https"), "app.example.com")));
        assert_eq!(scheme_and_host("http://user:pw@127.0.0.1:8080/x?y#z"), Some((Some("http"), "127.0.0.1")));
        assert_eq!(scheme_and_host("//app.example.com/x"), Some((None, "app.example.com")));
        assert_eq!(scheme_and_host("app.example.com:8080/x"), Some((None, "app.example.com")));
        assert_eq!(scheme_and_host("http://[::1]:80/"), Some((Some("http"), "[::1]")));
        assert_eq!(scheme_and_host("app.example.com/robot.php"), None);
        assert_eq!(scheme_and_host("mailto:a@b.example.com"), None);
        assert_eq!(scheme_and_host("http:///x"), None);
        assert_eq!(scheme_and_host("http://app.example.com:99999/"), None);
    }

    #[test]
    fn document_types() {
        for known in [
            json!(["crm", "CCrmDocumentDeal", "DEAL"]),
            json!(["crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic", "DYNAMIC_128"]),
            json!(["lists", "BizprocDocument", "iblock_164"]),
            json!(["disk", "Bitrix\\Disk\\BizProcDocument", "STORAGE_3"]),
            json!({"0": "crm", "1": "CCrmDocumentContact", "2": "CONTACT"}),
        ] {
            assert!(validate_document_type(&known).is_ok(), "{known}");
        }
        for unknown in [
            json!(["crm", "CCrmDocumentDeal"]),
            json!(["crm", "CCrmDocumentDeal", "LEAD"]),
            json!(["lists", "BizprocDocument", "iblock_"]),
            json!(["lists", "BizprocDocument", "iblock_1a"]),
            json!("crm"),
            json!([]),
        ] {
            assert!(validate_document_type(&unknown).is_err(), "{unknown}");
        }
    }

    /// Rule 2 needs a token of a user who is not an administrator, which only the portal's
    /// state can issue.
    #[tokio::test]
    async fn a_user_who_is_not_an_administrator_is_refused() {
        let emulator = crate::Emulator::builder().start().await.expect("the emulator starts");
        let credentials = emulator.credentials();
        let (token, _) = emulator
            .shared
            .lock()
            .portals
            .get_mut(&credentials.member_id)
            .expect("the portal exists")
            .issue_tokens(credentials.user_id + 1, std::time::Duration::from_secs(60));
        let client = reqwest::Client::new();
        for method in [
            "bizproc.robot.add",
            "bizproc.robot.update",
            "bizproc.robot.delete",
            "bizproc.robot.list",
            "bizproc.activity.add",
            "bizproc.activity.update",
            "bizproc.activity.delete",
            "bizproc.activity.list",
        ] {
            // An empty body would fail rule 4 or 5 right after rule 2.
            let response = client
                .post(format!("{}{method}", credentials.client_endpoint))
                .json(&json!({"auth": token}))
                .send()
                .await
                .expect("the call is answered");
            assert_eq!(response.status().as_u16(), 403, "{method}");
            let body: Value = response.json().await.expect("a JSON body");
            assert_eq!(body, json!({"error": "ACCESS_DENIED", "error_description": "Access denied!"}), "{method}");
        }
    }
}
