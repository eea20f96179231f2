//! Values by property type (spec §4): what the handler receives in `properties[...]`, and how
//! the server stores the `RETURN_VALUES` of `bizproc.event.send`.
//!
//! Both directions take a property descriptor as the registration store holds it (keys
//! upper-cased: `TYPE`, `MULTIPLE`, `OPTIONS`).

use bizproc::PortalLocale;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::{Map, Value};

use crate::keys::is_empty;

/// The property's `TYPE`, lower-cased; `string` when missing.
pub(crate) fn property_type(descriptor: &Value) -> String {
    descriptor.get("TYPE").and_then(Value::as_str).filter(|t| !t.is_empty()).unwrap_or("string").to_lowercase()
}

/// Whether the property is `MULTIPLE = Y`.
pub(crate) fn is_multiple(descriptor: &Value) -> bool {
    descriptor.get("MULTIPLE").and_then(Value::as_str) == Some("Y")
}

/// The `OPTIONS` keys of a select: a `{key: label}` map, or a list of `[key, label]` pairs
/// (a plain list's keys are its indexes, as in PHP).
fn option_keys(descriptor: &Value) -> Vec<String> {
    match descriptor.get("OPTIONS") {
        Some(Value::Object(map)) => map.keys().cloned().collect(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| match item {
                Value::Array(pair) if pair.len() == 2 => text_of(&pair[0]),
                _ => index.to_string(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A scalar's text as PHP's string cast writes it (`true` → `1`, `false`/`null` → empty).
fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number_text(number),
        Value::Bool(true) => "1".to_owned(),
        Value::Bool(false) | Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A number as PHP writes it: `100` for `100.0`, `100.15` otherwise.
fn number_text(number: &serde_json::Number) -> String {
    match number.as_f64() {
        #[allow(clippy::cast_possible_truncation)] // the value is integral and well inside i64
        Some(f) if number.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => (f as i64).to_string(),
        _ => number.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/// `HH:MM:SS` or `HH:MM`.
fn clock(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(text, "%H:%M")).ok()
}

/// A Unix timestamp written as digits.
fn unix_text(text: &str) -> Option<i64> {
    (!text.is_empty() && text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok())?
}

fn from_unix(seconds: i64, locale: &PortalLocale) -> Option<NaiveDateTime> {
    DateTime::from_timestamp(seconds, 0).map(|t| t.with_timezone(&locale.utc_offset()).naive_local())
}

/// An ISO-8601 date-time with an offset, as an instant.
fn iso_with_offset(text: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(datetime) = DateTime::parse_from_rfc3339(text) {
        return Some(datetime);
    }
    ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M%z"]
        .iter()
        .find_map(|pattern| DateTime::parse_from_str(text, pattern).ok())
}

/// The portal's own format: its date, optionally followed by a time.
fn portal_format(text: &str, locale: &PortalLocale) -> Option<NaiveDateTime> {
    let (date, time) = match text.split_once(' ') {
        Some((date, time)) => (date, Some(time.trim())),
        None => (text, None),
    };
    let date = locale.date_format().parse_date(date)?;
    let time = match time {
        Some(time) => clock(time)?,
        None => NaiveTime::MIN,
    };
    Some(date.and_time(time))
}

/// How the server reads a date or date-time in `RETURN_VALUES`: an ISO-8601 date-time with an
/// offset, a Unix timestamp, or the portal's own format; the result is portal time.
fn server_datetime(value: &Value, locale: &PortalLocale) -> Option<NaiveDateTime> {
    match value {
        Value::Number(number) => from_unix(number.as_i64()?, locale),
        Value::String(text) => {
            let text = text.trim();
            if let Some(seconds) = unix_text(text) {
                return from_unix(seconds, locale);
            }
            if let Some(instant) = iso_with_offset(text) {
                return Some(instant.with_timezone(&locale.utc_offset()).naive_local());
            }
            portal_format(text, locale)
        }
        _ => None,
    }
}

/// How a caller of the emulator may write a date or date-time input: ISO-8601 (`2025-12-28`,
/// `2025-12-28T14:05:48`, with or without an offset; without one it is portal time) or a Unix
/// timestamp. Anything else is sent as written.
fn caller_datetime(value: &Value, locale: &PortalLocale) -> Option<NaiveDateTime> {
    match value {
        Value::Number(number) => from_unix(number.as_i64()?, locale),
        Value::String(text) => {
            let text = text.trim();
            if let Some(instant) = iso_with_offset(text) {
                return Some(instant.with_timezone(&locale.utc_offset()).naive_local());
            }
            for pattern in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
                if let Ok(datetime) = NaiveDateTime::parse_from_str(text, pattern) {
                    return Some(datetime);
                }
            }
            NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(|date| date.and_time(NaiveTime::MIN))
        }
        _ => None,
    }
}

fn format_date(datetime: NaiveDateTime, locale: &PortalLocale) -> String {
    locale.date_format().format_date(datetime.date())
}

fn format_datetime(datetime: NaiveDateTime, locale: &PortalLocale) -> String {
    locale.date_format().format_datetime(datetime)
}

// ---------------------------------------------------------------------------------------------
// Inputs: what the handler receives
// ---------------------------------------------------------------------------------------------

/// The form value of one input property, as the portal sends it in `properties[<id>]`: a
/// string, or for a multiple property an array of strings; `None` when the key is left out (an
/// empty multiple value has no form representation).
///
/// # Errors
/// A reason when the value cannot be sent at all (a map, or a list for a single property).
pub(crate) fn input_form_value(
    value: Option<&Value>,
    descriptor: &Value,
    locale: &PortalLocale,
) -> Result<Option<Value>, String> {
    let kind = property_type(descriptor);
    if is_multiple(descriptor) {
        let items: Vec<&Value> = match value {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items.iter().collect(),
            Some(single) => vec![single],
        };
        let texts = items.into_iter().map(|item| input_text(item, &kind, locale)).collect::<Result<Vec<_>, _>>()?;
        return Ok((!texts.is_empty()).then(|| Value::Array(texts.into_iter().map(Value::String).collect())));
    }
    match value {
        None | Some(Value::Null) => Ok(Some(Value::String(String::new()))),
        Some(Value::Array(_)) => Err("a list for a property that is not multiple".to_owned()),
        Some(value) => input_text(value, &kind, locale).map(|text| Some(Value::String(text))),
    }
}

/// One input value as the text the portal sends for its type.
fn input_text(value: &Value, kind: &str, locale: &PortalLocale) -> Result<String, String> {
    match value {
        Value::Null => return Ok(String::new()),
        Value::Array(_) | Value::Object(_) => return Err(format!("a {kind} value cannot be a list or a map")),
        Value::Bool(flag) => return Ok(if *flag { "Y" } else { "N" }.to_owned()),
        Value::String(text) if text.is_empty() => return Ok(String::new()),
        _ => {}
    }
    let text = match kind {
        "user" => match value {
            Value::Number(number) => format!("user_{}", number_text(number)),
            Value::String(text) if text.bytes().all(|b| b.is_ascii_digit()) => format!("user_{text}"),
            other => text_of(other),
        },
        "date" => caller_datetime(value, locale).map_or_else(|| text_of(value), |t| format_date(t, locale)),
        "datetime" => caller_datetime(value, locale).map_or_else(|| text_of(value), |t| format_datetime(t, locale)),
        _ => text_of(value),
    };
    Ok(text)
}

// ---------------------------------------------------------------------------------------------
// Return values: what the server stores
// ---------------------------------------------------------------------------------------------

/// A returned value after the server's conversion.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stored {
    /// What the workflow holds.
    pub value: Value,
    /// Values that did not fit the type: the element index for a multiple property, and what
    /// the type expected.
    pub misfits: Vec<(Option<usize>, String)>,
}

/// Converts a returned value by its property's type, as the server does: non-empty values go
/// through the type's conversion (each element of a multiple property), empty ones are stored
/// as given. A value that does not fit is stored as PHP would coerce it and reported.
pub(crate) fn stored_return_value(value: &Value, descriptor: &Value, locale: &PortalLocale) -> Stored {
    if is_empty(Some(value)) {
        return Stored { value: value.clone(), misfits: Vec::new() };
    }
    let kind = property_type(descriptor);
    if !KNOWN_TYPES.contains(&kind.as_str()) {
        // Document field types (`UF:...`) and anything else are stored unchecked.
        return Stored { value: value.clone(), misfits: Vec::new() };
    }
    let mut misfits = Vec::new();
    let value = if is_multiple(descriptor) {
        let items: Vec<Value> = match value {
            Value::Array(items) => items.clone(),
            Value::Object(map) => map.values().cloned().collect(),
            single => vec![single.clone()],
        };
        let converted = items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let (stored, problem) = stored_scalar(item, &kind, descriptor, locale);
                if let Some(problem) = problem {
                    misfits.push((Some(index), problem));
                }
                stored
            })
            .collect();
        Value::Array(converted)
    } else {
        let single = match value {
            Value::Array(items) => {
                misfits.push((None, "a single value, not a list (only the first element is kept)".to_owned()));
                items.first().cloned().unwrap_or(Value::Null)
            }
            other => other.clone(),
        };
        let (stored, problem) = stored_scalar(&single, &kind, descriptor, locale);
        if let Some(problem) = problem {
            misfits.push((None, problem));
        }
        stored
    };
    Stored { value, misfits }
}

/// One scalar: the stored value and, when it does not fit, what the type expected.
fn stored_scalar(value: &Value, kind: &str, descriptor: &Value, locale: &PortalLocale) -> (Value, Option<String>) {
    if is_empty(Some(value)) {
        return (value.clone(), None);
    }
    if let Value::Object(_) | Value::Array(_) = value {
        return (value.clone(), Some(format!("a {kind} value, not a list or a map")));
    }
    match kind {
        "int" => stored_int(value),
        "double" => stored_double(value),
        "bool" => stored_bool(value),
        "user" => stored_user(value),
        "date" => match server_datetime(value, locale) {
            Some(datetime) => (Value::String(format_date(datetime, locale)), None),
            None => (value.clone(), Some(DATE_EXPECTED.to_owned())),
        },
        "datetime" => match server_datetime(value, locale) {
            Some(datetime) => (Value::String(format_datetime(datetime, locale)), None),
            None => (value.clone(), Some(DATETIME_EXPECTED.to_owned())),
        },
        "select" => {
            let key = text_of(value);
            if option_keys(descriptor).contains(&key) {
                (value.clone(), None)
            } else {
                (value.clone(), Some(format!("one of the option keys {:?}", option_keys(descriptor))))
            }
        }
        "file" => match value {
            Value::Number(number) if number.is_u64() => (value.clone(), None),
            Value::String(text) if is_digits(text.trim()) => match text.trim().parse::<u64>() {
                Ok(id) => (Value::from(id), None),
                Err(_) => (value.clone(), Some(FILE_EXPECTED.to_owned())),
            },
            _ => (value.clone(), Some(FILE_EXPECTED.to_owned())),
        },
        _ => match value {
            Value::String(_) => (value.clone(), None),
            Value::Number(number) => (Value::String(number_text(number)), None),
            other => (Value::String(text_of(other)), Some("a string".to_owned())),
        },
    }
}

/// The types the server converts; others are stored as given.
const KNOWN_TYPES: [&str; 10] =
    ["bool", "date", "datetime", "double", "file", "int", "select", "string", "text", "user"];

const DATE_EXPECTED: &str = "a date: ISO-8601 with an offset, a Unix timestamp, or the portal's date format";
const DATETIME_EXPECTED: &str = "a date-time: ISO-8601 with an offset, a Unix timestamp, or the portal's format";
const FILE_EXPECTED: &str = "a numeric file id";

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `-?\d+`, with PHP's surrounding whitespace.
fn integer_text(text: &str) -> Option<i64> {
    let trimmed = text.trim();
    let digits = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
    if is_digits(digits) { trimmed.parse().ok() } else { None }
}

/// A decimal number as PHP's `is_numeric` reads one.
fn decimal_text(text: &str) -> Option<f64> {
    let trimmed = text.trim();
    let plain = !trimmed.is_empty()
        && trimmed.bytes().any(|b| b.is_ascii_digit())
        && trimmed.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    trimmed.parse::<f64>().ok().filter(|value| plain && value.is_finite())
}

/// PHP's numeric cast of a string: the longest numeric prefix after whitespace, else 0.
fn php_number_prefix(text: &str) -> f64 {
    let trimmed = text.trim_start();
    let bytes = trimmed.as_bytes();
    let mut end = 0;
    if matches!(bytes.first(), Some(b'-' | b'+')) {
        end = 1;
    }
    let digits_start = end;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    if end < bytes.len() && bytes[end] == b'.' {
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
    }
    if end == digits_start {
        return 0.0;
    }
    trimmed[..end].parse().unwrap_or(0.0)
}

#[allow(clippy::cast_possible_truncation)] // PHP's `(int)` truncates toward zero
fn php_int(value: f64) -> i64 {
    value.trunc() as i64
}

fn stored_int(value: &Value) -> (Value, Option<String>) {
    const EXPECTED: &str = "an integer (a JSON number or a decimal string)";
    match value {
        Value::Number(number) if number.is_i64() || number.is_u64() => (value.clone(), None),
        Value::Number(number) => {
            let float = number.as_f64().unwrap_or(0.0);
            if float.fract() == 0.0 {
                (Value::from(php_int(float)), None)
            } else {
                (Value::from(php_int(float)), Some(EXPECTED.to_owned()))
            }
        }
        Value::String(text) => match integer_text(text) {
            Some(number) => (Value::from(number), None),
            None => (Value::from(php_int(php_number_prefix(text))), Some(EXPECTED.to_owned())),
        },
        Value::Bool(flag) => (Value::from(i64::from(*flag)), Some(EXPECTED.to_owned())),
        other => (other.clone(), Some(EXPECTED.to_owned())),
    }
}

fn stored_double(value: &Value) -> (Value, Option<String>) {
    const EXPECTED: &str = "a number (a JSON number or a decimal string with `.`)";
    match value {
        Value::Number(number) => (Value::from(number.as_f64().unwrap_or(0.0)), None),
        Value::String(text) => match decimal_text(text) {
            Some(number) => (Value::from(number), None),
            None => (Value::from(php_number_prefix(text)), Some(EXPECTED.to_owned())),
        },
        Value::Bool(flag) => (Value::from(if *flag { 1.0 } else { 0.0 }), Some(EXPECTED.to_owned())),
        other => (other.clone(), Some(EXPECTED.to_owned())),
    }
}

/// Only `Y` and `N` fit; anything else is read as PHP's `CBPHelper::getBool` would.
fn stored_bool(value: &Value) -> (Value, Option<String>) {
    const EXPECTED: &str = "`Y` or `N`";
    match value {
        Value::String(text) if text == "Y" || text == "N" => (value.clone(), None),
        Value::String(text) => {
            let no = text.eq_ignore_ascii_case("n") || text.eq_ignore_ascii_case("false");
            (Value::from(if no { "N" } else { "Y" }), Some(EXPECTED.to_owned()))
        }
        other => (Value::from(if is_empty(Some(other)) { "N" } else { "Y" }), Some(EXPECTED.to_owned())),
    }
}

/// `user_<n>` fits; other strings are group or role codes; bare ids do not fit.
fn stored_user(value: &Value) -> (Value, Option<String>) {
    const EXPECTED: &str = "`user_<id>` (or a group code)";
    match value {
        Value::String(text) => {
            let bare_id = is_digits(text.trim());
            let broken_user = text.strip_prefix("user_").is_some_and(|rest| !is_digits(rest));
            if bare_id || broken_user { (value.clone(), Some(EXPECTED.to_owned())) } else { (value.clone(), None) }
        }
        other => (other.clone(), Some(EXPECTED.to_owned())),
    }
}

/// Finds the declared return properties that `RETURN_VALUES` keys name, case-insensitively.
///
/// Returns the matched values by declared id (a key that differs only in case from another
/// overwrites it, as the server's upper-casing does) and the keys that name no property.
pub(crate) fn match_return_values(
    values: &Map<String, Value>,
    declared: &Map<String, Value>,
) -> (Vec<(String, Value)>, Vec<String>) {
    let mut upper: Map<String, Value> = Map::new();
    for (key, value) in values {
        upper.insert(key.to_uppercase(), value.clone());
    }
    let declared_upper: Vec<String> = declared.keys().map(|id| id.to_uppercase()).collect();
    let matched = declared
        .keys()
        .filter_map(|id| upper.get(&id.to_uppercase()).map(|value| (id.clone(), value.clone())))
        .collect();
    let dropped = values.keys().filter(|key| !declared_upper.contains(&key.to_uppercase())).cloned().collect();
    (matched, dropped)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The default portal: `DD.MM.YYYY` at +03:00.
    fn portal_locale() -> PortalLocale {
        PortalLocale::new(bizproc::DateFormat::DAY_MONTH_YEAR, FixedOffset::east_opt(3 * 3600).expect("valid offset"))
    }

    #[allow(clippy::needless_pass_by_value)] // `json!` literals read better passed by value
    fn store(value: Value, descriptor: Value) -> Stored {
        stored_return_value(&value, &descriptor, &portal_locale())
    }

    #[allow(clippy::needless_pass_by_value)] // `json!` literals read better passed by value
    fn fits(value: Value, descriptor: Value, expected: Value) {
        let stored = store(value.clone(), descriptor.clone());
        assert_eq!(stored.value, expected, "{value} as {descriptor}");
        assert!(stored.misfits.is_empty(), "{value} as {descriptor}: {:?}", stored.misfits);
    }

    #[allow(clippy::needless_pass_by_value)] // `json!` literals read better passed by value
    fn misfits(value: Value, descriptor: Value, expected: Value) {
        let stored = store(value.clone(), descriptor.clone());
        assert_eq!(stored.value, expected, "{value} as {descriptor}");
        assert!(!stored.misfits.is_empty(), "{value} as {descriptor} should not fit");
    }

    #[test]
    fn numbers() {
        fits(json!(42), json!({"TYPE": "int"}), json!(42));
        fits(json!("42"), json!({"TYPE": "int"}), json!(42));
        fits(json!("-7"), json!({"TYPE": "int"}), json!(-7));
        misfits(json!("12abc"), json!({"TYPE": "int"}), json!(12));
        misfits(json!("abc"), json!({"TYPE": "int"}), json!(0));
        misfits(json!(4.5), json!({"TYPE": "int"}), json!(4));
        fits(json!(100.15), json!({"TYPE": "double"}), json!(100.15));
        fits(json!("100.15"), json!({"TYPE": "double"}), json!(100.15));
        misfits(json!("100,15"), json!({"TYPE": "double"}), json!(100.0));
    }

    #[test]
    fn flags_users_selects_files_and_strings() {
        fits(json!("Y"), json!({"TYPE": "bool"}), json!("Y"));
        misfits(json!(true), json!({"TYPE": "bool"}), json!("Y"));
        misfits(json!("1"), json!({"TYPE": "bool"}), json!("Y"));
        misfits(json!("false"), json!({"TYPE": "bool"}), json!("N"));
        fits(json!("user_7"), json!({"TYPE": "user"}), json!("user_7"));
        fits(json!("group_e1"), json!({"TYPE": "user"}), json!("group_e1"));
        misfits(json!(7), json!({"TYPE": "user"}), json!(7));
        misfits(json!("7"), json!({"TYPE": "user"}), json!("7"));
        let select = json!({"TYPE": "select", "OPTIONS": {"pdf": "PDF", "docx": "DOCX"}});
        fits(json!("pdf"), select.clone(), json!("pdf"));
        misfits(json!("PDF"), select, json!("PDF"));
        let pairs = json!({"TYPE": "select", "OPTIONS": [["a", "A"], ["b", "B"]]});
        fits(json!("b"), pairs, json!("b"));
        fits(json!(12), json!({"TYPE": "file"}), json!(12));
        fits(json!("12"), json!({"TYPE": "file"}), json!(12));
        misfits(json!("aGVsbG8="), json!({"TYPE": "file"}), json!("aGVsbG8="));
        fits(json!(5), json!({"TYPE": "string"}), json!("5"));
        fits(json!("x"), json!({}), json!("x"));
        misfits(json!(true), json!({"TYPE": "text"}), json!("1"));
        fits(json!({"any": 1}), json!({"TYPE": "UF:address"}), json!({"any": 1}));
    }

    #[test]
    fn dates_land_in_the_portal_format_and_time_zone() {
        let date = json!({"TYPE": "date"});
        let datetime = json!({"TYPE": "datetime"});
        fits(json!("2025-12-28T23:30:00+00:00"), date.clone(), json!("29.12.2025"));
        fits(json!("28.12.2025"), date.clone(), json!("28.12.2025"));
        fits(json!(1_766_923_200), date.clone(), json!("28.12.2025"));
        misfits(json!("2025-12-28"), date.clone(), json!("2025-12-28"));
        fits(json!("2025-12-28T14:05:48+03:00"), datetime.clone(), json!("28.12.2025 14:05:48"));
        fits(json!("2025-12-28T11:05:48Z"), datetime.clone(), json!("28.12.2025 14:05:48"));
        fits(json!("1766919948"), datetime.clone(), json!("28.12.2025 14:05:48"));
        fits(json!("28.12.2025 14:05"), datetime.clone(), json!("28.12.2025 14:05:00"));
        misfits(json!("2025-12-28T14:05:48"), datetime, json!("2025-12-28T14:05:48"));
        let ymd = PortalLocale::new(bizproc::DateFormat::YEAR_MONTH_DAY, FixedOffset::east_opt(0).unwrap());
        let stored = stored_return_value(&json!("2025-12-28"), &date, &ymd);
        assert_eq!(stored, Stored { value: json!("2025-12-28"), misfits: Vec::new() });
    }

    #[test]
    fn empty_values_are_stored_as_given_and_multiples_element_by_element() {
        for empty in [json!(""), json!("0"), json!(0), json!(null), json!(false), json!([])] {
            fits(empty.clone(), json!({"TYPE": "int"}), empty.clone());
            fits(empty.clone(), json!({"TYPE": "date", "MULTIPLE": "Y"}), empty);
        }
        let multiple = json!({"TYPE": "int", "MULTIPLE": "Y"});
        fits(json!(["1", 2]), multiple.clone(), json!([1, 2]));
        fits(json!("5"), multiple.clone(), json!([5]));
        let stored = store(json!(["1", "x", ""]), multiple);
        assert_eq!(stored.value, json!([1, 0, ""]));
        assert_eq!(stored.misfits.len(), 1);
        assert_eq!(stored.misfits[0].0, Some(1));
        misfits(json!(["a", "b"]), json!({"TYPE": "string"}), json!("a"));
    }

    #[test]
    fn inputs_are_sent_in_the_portal_format() {
        let locale = portal_locale();
        let send = |value: Value, descriptor: Value| input_form_value(Some(&value), &descriptor, &locale);
        assert_eq!(send(json!("2025-12-28"), json!({"TYPE": "date"})), Ok(Some(json!("28.12.2025"))));
        assert_eq!(
            send(json!("2025-12-28T11:05:48Z"), json!({"TYPE": "datetime"})),
            Ok(Some(json!("28.12.2025 14:05:48")))
        );
        assert_eq!(
            send(json!("2025-12-28T14:05:48"), json!({"TYPE": "datetime"})),
            Ok(Some(json!("28.12.2025 14:05:48")))
        );
        assert_eq!(send(json!(1), json!({"TYPE": "user"})), Ok(Some(json!("user_1"))));
        assert_eq!(send(json!("user_2"), json!({"TYPE": "user"})), Ok(Some(json!("user_2"))));
        assert_eq!(send(json!(true), json!({"TYPE": "bool"})), Ok(Some(json!("Y"))));
        assert_eq!(send(json!(100.15), json!({"TYPE": "double"})), Ok(Some(json!("100.15"))));
        assert_eq!(send(json!(100.0), json!({"TYPE": "double"})), Ok(Some(json!("100"))));
        assert_eq!(send(json!(["a", "b"]), json!({"MULTIPLE": "Y"})), Ok(Some(json!(["a", "b"]))));
        assert_eq!(send(json!("a"), json!({"MULTIPLE": "Y"})), Ok(Some(json!(["a"]))));
        assert_eq!(send(json!([]), json!({"MULTIPLE": "Y"})), Ok(None));
        assert_eq!(input_form_value(None, &json!({}), &locale), Ok(Some(json!(""))));
        assert!(send(json!(["a"]), json!({})).is_err());
        assert!(send(json!({"a": 1}), json!({})).is_err());
    }

    #[test]
    fn return_keys_match_declared_ids_ignoring_case() {
        let declared = json!({"outputString": {}, "Score": {}});
        let values = json!({"OUTPUTSTRING": "a", "score": 1, "extra": 2});
        let (matched, dropped) = match_return_values(values.as_object().unwrap(), declared.as_object().unwrap());
        assert_eq!(matched, vec![("outputString".to_owned(), json!("a")), ("Score".to_owned(), json!(1))]);
        assert_eq!(dropped, vec!["extra".to_owned()]);
    }
}
