//! The size the server gives a property set when it stores it (the runtime's
//! `registration::stored_size`, on this crate's model).

use serde_json::{Map, Value};

use crate::model::yes_no;
use crate::{Localized, Property};

/// Bytes of PHP's `serialize()` for `properties` as the server stores them: descriptor keys
/// upper-cased (same length) and plain-string texts turned into `{"*": text}`.
pub(crate) fn stored_size(properties: &[Property]) -> usize {
    let entries = properties.iter().map(|property| {
        let mut fields = vec![("NAME", localized(&property.name)), ("TYPE", property.type_name.value.clone().into())];
        if let Some(description) = &property.description {
            fields.push(("DESCRIPTION", localized(description)));
        }
        fields.push(("REQUIRED", yes_no(property.required.value)));
        fields.push(("MULTIPLE", yes_no(property.multiple.value)));
        if let Some(options) = &property.options {
            let options = options.iter().map(|o| (o.key.value.clone(), Value::String(o.label.clone())));
            fields.push(("OPTIONS", Value::Object(options.collect())));
        }
        if let Some(default) = &property.default {
            fields.push(("DEFAULT", default.value.clone()));
        }
        let descriptor: Map<String, Value> = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        (property.id.value.clone(), Value::Object(descriptor))
    });
    serialized_len(&Value::Object(entries.collect()))
}

fn localized(text: &Localized) -> Value {
    match text {
        Localized::Text(text) => serde_json::json!({ "*": text }),
        Localized::ByLanguage(texts) => {
            Value::Object(texts.iter().map(|(lang, text)| (lang.to_ascii_uppercase(), text.as_str().into())).collect())
        }
    }
}

fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// `s:<len>:"<bytes>";`
fn string_len(text: &str) -> usize {
    text.len() + digits(text.len()) + 6
}

/// Bytes of PHP's `serialize()` for a JSON value, as the server stores registrations.
///
/// ```
/// // a:2:{i:0;s:1:"x";i:1;b:1;}
/// assert_eq!(bizproc_definition::php_serialized_len(&serde_json::json!(["x", true])), 26);
/// ```
#[must_use]
pub fn serialized_len(value: &Value) -> usize {
    match value {
        Value::Null => 2,                            // N;
        Value::Bool(_) => 4,                         // b:1;
        Value::Number(n) => n.to_string().len() + 3, // i:42; or d:1.5;
        Value::String(text) => string_len(text),
        Value::Array(items) => {
            let keys: usize = (0..items.len()).map(|i| digits(i) + 3).sum(); // i:<n>;
            digits(items.len()) + 5 + keys + items.iter().map(serialized_len).sum::<usize>()
        }
        Value::Object(map) => {
            let body: usize = map.iter().map(|(k, v)| string_len(k) + serialized_len(v)).sum();
            digits(map.len()) + 5 + body // a:<n>:{...}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Definition;

    #[test]
    fn counts_bytes_as_php_serialize_does() {
        // php > echo serialize(["a" => ["NAME" => ["*" => "A"], "TYPE" => "int", "REQUIRED" => "Y", "MULTIPLE" => "N"]]);
        let expected = r#"a:1:{s:1:"a";a:4:{s:4:"NAME";a:1:{s:1:"*";s:1:"A";}s:4:"TYPE";s:3:"int";s:8:"REQUIRED";s:1:"Y";s:8:"MULTIPLE";s:1:"N";}}"#;
        let yaml = "CODE: a\nNAME: A\nPROPERTIES:\n  a: {Name: A, Type: int, Required: Y}\n";
        let def = Definition::from_str(yaml, "a.yaml").unwrap();
        assert_eq!(stored_size(def.properties()), expected.len());
    }

    #[test]
    fn lists_count_their_index_keys() {
        assert_eq!(serialized_len(&serde_json::json!(["x", true])), r#"a:2:{i:0;s:1:"x";i:1;b:1;}"#.len());
    }
}
