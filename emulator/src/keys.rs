//! The server's key normalization (spec §3, key casing).

use serde_json::{Map, Value};

/// Keys whose direct children are ids or option keys and keep their case.
const CASE_KEEPING: [&str; 3] = ["PROPERTIES", "RETURN_PROPERTIES", "OPTIONS"];

/// Upper-cases every key recursively, as `*.add` and `*.update` do, except the keys directly
/// inside `PROPERTIES`, `RETURN_PROPERTIES` and `OPTIONS`.
///
/// A property whose id is itself one of those words keeps its descriptor keys as written:
/// the server's quirk, kept so that such registrations fail here as they do there.
pub fn upper_case_recursive(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, child)| {
                    let upper = key.to_uppercase();
                    let child = if CASE_KEEPING.contains(&upper.as_str()) {
                        keep_child_keys(child)
                    } else {
                        upper_case_recursive(child)
                    };
                    (upper, child)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(upper_case_recursive).collect()),
        other => other.clone(),
    }
}

fn keep_child_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(id, child)| {
                    let child =
                        if CASE_KEEPING.contains(&id.as_str()) { child.clone() } else { upper_case_recursive(child) };
                    (id.clone(), child)
                })
                .collect(),
        ),
        other => upper_case_recursive(other),
    }
}

/// Upper-cases top-level keys only, as `delete`, `event.send` and `activity.log` do.
pub fn upper_case_top(params: &Map<String, Value>) -> Map<String, Value> {
    params.iter().map(|(k, v)| (k.to_uppercase(), v.clone())).collect()
}

/// PHP's `empty()`: missing, `""`, `"0"`, `0`, `null`, `false`, or an empty array.
pub fn is_empty(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::Bool(flag)) => !flag,
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(Value::String(s)) => s.is_empty() || s == "0",
        Some(Value::Array(items)) => items.is_empty(),
        Some(Value::Object(map)) => map.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_and_option_keys_keep_their_case() {
        let params = json!({"code": "x", "Properties": {"myId": {"Name": {"en": "A"}, "Options": {"keyA": "A"}}}});
        assert_eq!(
            upper_case_recursive(&params),
            json!({"CODE": "x", "PROPERTIES": {"myId": {"NAME": {"EN": "A"}, "OPTIONS": {"keyA": "A"}}}})
        );
    }

    #[test]
    fn a_property_named_properties_keeps_its_descriptor_keys() {
        let params = json!({"PROPERTIES": {"PROPERTIES": {"Name": "A"}}});
        assert_eq!(upper_case_recursive(&params), params);
    }

    #[test]
    fn php_emptiness() {
        for empty in [json!(""), json!("0"), json!(0), json!(null), json!(false), json!([]), json!({})] {
            assert!(is_empty(Some(&empty)), "{empty}");
        }
        assert!(!is_empty(Some(&json!("a"))));
    }
}
