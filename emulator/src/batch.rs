//! `batch`: up to 50 commands in one call, with `halt` and `$result[...]` references (spec §7.4).
//!
//! Each command is `"method?param=value&..."`, its query decoded like a form body. Commands run
//! in order through the same dispatch as HTTP calls, as the same caller, and each is written to
//! the request log with `in_batch: true`. The batch answers 200 whatever its commands do:
//!
//! ```json
//! {"result": {...}, "result_error": {...}, "result_total": {...}, "result_next": {...}, "result_time": {...}}
//! ```
//!
//! each keyed by the command's key (its index for a list of commands). Like the real server,
//! which encodes PHP arrays, a collection that is empty is written as `[]`, and one whose keys
//! are exactly `0, 1, 2, …` in order is written as a JSON array.
//!
//! A parameter value may refer to an earlier command's answer: `$result[key][FIELD]...` (also
//! `$result_total`, `$result_next`, `$result_error`, `$result_time`). A value that is exactly
//! one reference takes the referred value whole (a number, a list, an object); a reference
//! inside a longer text is replaced by the referred string or number. A reference that does
//! not resolve, or that resolves to something else inside a longer text, is left as written.

use std::time::{Instant, SystemTime};

use axum::http::StatusCode;
use chrono::{FixedOffset, Offset, Utc};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::limits::unix_now;
use crate::methods;
use crate::rest::{self, Caller};
use crate::state::State;

/// The most commands one batch may hold.
pub(crate) const MAX_COMMANDS: usize = 50;

/// What the commands answered so far, by command key.
#[derive(Default)]
struct Results {
    result: Map<String, Value>,
    error: Map<String, Value>,
    total: Map<String, Value>,
    next: Map<String, Value>,
    time: Map<String, Value>,
}

impl Results {
    /// The collection a reference names, e.g. `result_error`.
    fn named(&self, name: &str) -> &Map<String, Value> {
        match name {
            "result_error" => &self.error,
            "result_total" => &self.total,
            "result_next" => &self.next,
            "result_time" => &self.time,
            _ => &self.result,
        }
    }

    fn into_value(self) -> Value {
        let mut out = Map::new();
        out.insert("result".to_owned(), php_array(self.result));
        out.insert("result_error".to_owned(), php_array(self.error));
        out.insert("result_total".to_owned(), php_array(self.total));
        out.insert("result_next".to_owned(), php_array(self.next));
        out.insert("result_time".to_owned(), php_array(self.time));
        Value::Object(out)
    }
}

/// Runs a `batch` call: `cmd` (a map or a list of commands) and `halt`.
pub(crate) fn call(state: &mut State, caller: &Caller, params: &Map<String, Value>) -> Result<Value, ApiError> {
    let commands: Vec<(String, Value)> = match params.get("cmd") {
        Some(Value::Object(map)) => map.iter().map(|(key, command)| (key.clone(), command.clone())).collect(),
        Some(Value::Array(list)) => {
            list.iter().enumerate().map(|(i, command)| (i.to_string(), command.clone())).collect()
        }
        _ => Vec::new(),
    };
    if commands.len() > MAX_COMMANDS {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded"));
    }
    let halt = params.get("halt").is_some_and(is_true);
    let offset = state.portals.get(&caller.member_id).map_or_else(|| Utc.fix(), |p| p.config.locale.utc_offset());

    let mut results = Results::default();
    for (key, command) in commands {
        let started = SystemTime::now();
        let clock = Instant::now();
        let (method, outcome) = run(state, caller, &command, &results);
        rest::record(state, &method, Some(caller), caller.kind, &outcome, true);
        match outcome {
            Ok(value) => {
                results.result.insert(key.clone(), value);
                results.time.insert(key, sub_time(started, clock, offset));
            }
            Err(error) => {
                results.error.insert(key, error.body());
                if halt {
                    break;
                }
            }
        }
    }
    Ok(results.into_value())
}

/// Runs one command; answers the method name it named (for the log) and its outcome.
fn run(state: &mut State, caller: &Caller, command: &Value, results: &Results) -> (String, Result<Value, ApiError>) {
    let command = command.as_str().unwrap_or_default();
    let (path, query) = command.split_once('?').unwrap_or((command, ""));
    let method = path.trim().trim_start_matches('/').to_lowercase();
    let method = method.strip_suffix(".json").map(str::to_owned).unwrap_or(method);
    if method == "batch" {
        let error = ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "ERROR_BATCH_METHOD_NOT_ALLOWED",
            "Method is not allowed for batch usage",
        );
        return (method, Err(error));
    }
    if !methods::exists(&method) {
        return (method, Err(ApiError::method_not_found()));
    }
    let mut params = match bizproc::form::decode(query.as_bytes()) {
        Ok(Value::Object(params)) => params,
        Ok(_) => Map::new(),
        Err(e) => {
            let error =
                ApiError::new(StatusCode::BAD_REQUEST, "INVALID_REQUEST", format!("Invalid command query: {e}"));
            return (method, Err(error));
        }
    };
    // The batch's own credentials apply; a command's are not looked at.
    params.remove("auth");
    params.remove("access_token");
    let params = match substitute(&Value::Object(params), results) {
        Value::Object(params) => params,
        _ => Map::new(),
    };
    if let Some(error) = state.faults.take_error(&method) {
        return (method, Err(error));
    }
    if let Some(limit) = state.settings.operating_limit
        && let Some(portal) = state.portals.get_mut(&caller.member_id)
        && let Err(reset_at) = portal.operating.charge(&method, limit, unix_now())
    {
        return (method, Err(rest::operation_time_limit(reset_at)));
    }
    let outcome = methods::call(state, caller, &method, &params);
    (method, outcome)
}

/// A command's `time`: the envelope's without `operating*`.
fn sub_time(started: SystemTime, clock: Instant, offset: FixedOffset) -> Value {
    rest::time_object(started, clock, offset, None)
}

/// `halt`: `true`, `1`, `"1"`, `"true"` or `"Y"`.
fn is_true(value: &Value) -> bool {
    match value {
        Value::Bool(flag) => *flag,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => matches!(s.trim().to_ascii_lowercase().as_str(), "1" | "true" | "y"),
        _ => false,
    }
}

/// PHP's `json_encode` of an array: `[]` when empty, a list when the keys are `0, 1, 2, …`.
fn php_array(map: Map<String, Value>) -> Value {
    if map.keys().enumerate().all(|(i, key)| *key == i.to_string()) {
        Value::Array(map.into_iter().map(|(_, value)| value).collect())
    } else {
        Value::Object(map)
    }
}

/// Replaces `$result[...]` references in every string of `value`.
fn substitute(value: &Value, results: &Results) -> Value {
    match value {
        Value::String(text) => substitute_text(text, results),
        Value::Array(items) => Value::Array(items.iter().map(|item| substitute(item, results)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), substitute(v, results))).collect()),
        other => other.clone(),
    }
}

/// The names a reference may start with, longest first so that `result` does not shadow them.
const NAMES: [&str; 5] = ["result_error", "result_total", "result_next", "result_time", "result"];

/// A reference found in a text: its byte range, the collection and the path into it.
struct Reference<'a> {
    start: usize,
    end: usize,
    name: &'static str,
    path: Vec<&'a str>,
}

/// Parses a reference starting at `text[start..]`, which begins with `$`.
fn reference_at(text: &str, start: usize) -> Option<Reference<'_>> {
    let rest = &text[start + 1..];
    let name = NAMES.into_iter().find(|name| rest.starts_with(name) && rest[name.len()..].starts_with('['))?;
    let mut end = start + 1 + name.len();
    let mut path = Vec::new();
    while text[end..].starts_with('[') {
        let close = text[end + 1..].find(']')?;
        let segment = &text[end + 1..end + 1 + close];
        if segment.is_empty() {
            break;
        }
        path.push(segment);
        end += close + 2;
    }
    (!path.is_empty()).then_some(Reference { start, end, name, path })
}

/// The value a reference points at, if it exists.
fn resolve<'r>(reference: &Reference<'_>, results: &'r Results) -> Option<&'r Value> {
    let (first, rest) = reference.path.split_first()?;
    let mut value = results.named(reference.name).get(*first)?;
    for segment in rest {
        value = match value {
            Value::Object(map) => map.get(*segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

fn substitute_text(text: &str, results: &Results) -> Value {
    let references: Vec<Reference<'_>> = text
        .match_indices('$')
        .filter_map(|(start, _)| reference_at(text, start))
        .fold(Vec::new(), |mut found, reference| {
            // `$result[a][$result[b]]` is not a thing; skip references inside another.
            if found.last().is_none_or(|last: &Reference<'_>| reference.start >= last.end) {
                found.push(reference);
            }
            found
        });
    if let [only] = references.as_slice()
        && only.start == 0
        && only.end == text.len()
    {
        return resolve(only, results).map_or_else(|| Value::String(text.to_owned()), Value::clone);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for reference in &references {
        let replacement = match resolve(reference, results) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        out.push_str(&text[copied..reference.start]);
        out.push_str(&replacement);
        copied = reference.end;
    }
    out.push_str(&text[copied..]);
    Value::String(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn results() -> Results {
        let mut results = Results::default();
        results.result.insert("info".to_owned(), json!({"CODE": "app", "ID": 7, "LIST": ["a", "b"], "ON": true}));
        results.result.insert("codes".to_owned(), json!(["x", "y"]));
        results.total.insert("codes".to_owned(), json!(2));
        results
    }

    #[test]
    fn whole_values_take_the_referred_value() {
        let results = results();
        assert_eq!(substitute_text("$result[info][ID]", &results), json!(7));
        assert_eq!(substitute_text("$result[codes]", &results), json!(["x", "y"]));
        assert_eq!(substitute_text("$result[info][LIST][1]", &results), json!("b"));
        assert_eq!(substitute_text("$result_total[codes]", &results), json!(2));
    }

    #[test]
    fn references_inside_text_take_strings_and_numbers_only() {
        let results = results();
        assert_eq!(substitute_text("id $result[info][ID] of $result[info][CODE]!", &results), json!("id 7 of app!"));
        assert_eq!(substitute_text("x $result[info][ON]", &results), json!("x $result[info][ON]"));
        assert_eq!(substitute_text("$result[nope][ID]", &results), json!("$result[nope][ID]"));
        assert_eq!(substitute_text("costs $5 [sic]", &results), json!("costs $5 [sic]"));
        assert_eq!(substitute_text("$results[info]", &results), json!("$results[info]"));
    }

    #[test]
    fn php_arrays() {
        assert_eq!(php_array(Map::new()), json!([]));
        let mut map = Map::new();
        map.insert("0".to_owned(), json!(1));
        map.insert("1".to_owned(), json!(2));
        assert_eq!(php_array(map.clone()), json!([1, 2]));
        map.remove("0");
        assert_eq!(php_array(map), json!({"1": 2}));
    }

    #[test]
    fn halt_flags() {
        for yes in [json!(true), json!(1), json!("1"), json!("true"), json!("Y")] {
            assert!(is_true(&yes), "{yes}");
        }
        for no in [json!(false), json!(0), json!("0"), json!("false"), json!("N"), json!(null)] {
            assert!(!is_true(&no), "{no}");
        }
    }
}
