use serde_json::Value;

/// Encodes a JSON object as a form body with PHP bracket keys.
///
/// Arrays become `key[0]=…&key[1]=…`, objects `key[sub]=…`; `true`/`false` become `1`/`""` and
/// `null` an empty value, as PHP's `http_build_query` writes them. Brackets are
/// percent-encoded, as Bitrix24 writes them. A value that is not an object encodes as one
/// pair with an empty key prefix and is of little use.
///
/// ```
/// let body = bizproc::form::encode(&serde_json::json!({"auth": {"member_id": "a1"}, "ids": [1, 2]}));
/// assert_eq!(body, "auth%5Bmember_id%5D=a1&ids%5B0%5D=1&ids%5B1%5D=2");
/// ```
#[must_use]
pub fn encode(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                write_value(&mut out, &escape(key), value);
            }
        }
        other => write_value(&mut out, "", other),
    }
    out
}

fn escape(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn write_value(out: &mut String, key: &str, value: &Value) {
    let mut pair = |text: &str| {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(&escape(text));
    };
    match value {
        Value::Null => pair(""),
        Value::Bool(flag) => pair(if *flag { "1" } else { "" }),
        Value::Number(number) => pair(&number.to_string()),
        Value::String(text) => pair(text),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                write_value(out, &format!("{key}%5B{index}%5D"), item);
            }
        }
        Value::Object(map) => {
            for (sub, item) in map {
                write_value(out, &format!("{key}%5B{}%5D", escape(sub)), item);
            }
        }
    }
}
