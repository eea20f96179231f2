//! The size the server gives a property set when it stores it.
//!
//! The server keeps `PROPERTIES` and `RETURN_PROPERTIES` as PHP-serialized text in columns of
//! 65 535 bytes and fails the save when one is larger; counting the same bytes here turns that
//! opaque `Activity save error!` into a local error with the size in it.

use serde_json::Value;

use crate::{Localized, Properties};

/// Bytes of PHP's `serialize()` for `properties` as the server stores them: descriptor keys
/// upper-cased (same length) and plain-string texts turned into `{"*": text}`.
pub(crate) fn stored_size(properties: &Properties) -> usize {
    let entries = properties.iter().map(|(id, property)| {
        let mut fields = vec![("NAME", localized(&property.name)), ("TYPE", property.property_type.as_str().into())];
        if let Some(description) = &property.description {
            fields.push(("DESCRIPTION", localized(description)));
        }
        fields.push(("REQUIRED", flag(property.required)));
        fields.push(("MULTIPLE", flag(property.multiple)));
        if let Some(options) = &property.options {
            fields.push((
                "OPTIONS",
                Value::Object(options.iter().map(|(k, v)| (k.clone(), v.as_str().into())).collect()),
            ));
        }
        if let Some(default) = &property.default {
            fields.push(("DEFAULT", default.clone()));
        }
        let descriptor = Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect());
        (id.to_owned(), descriptor)
    });
    bizproc_definition::php_serialized_len(&Value::Object(entries.collect()))
}

fn localized(text: &Localized) -> Value {
    match text {
        Localized::Text(text) => serde_json::json!({ "*": text }),
        Localized::ByLanguage(map) => {
            Value::Object(map.iter().map(|(lang, text)| (lang.to_ascii_uppercase(), text.as_str().into())).collect())
        }
    }
}

fn flag(value: bool) -> Value {
    if value { "Y" } else { "N" }.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Property, PropertyType};

    #[test]
    fn counts_bytes_as_php_serialize_does() {
        // php > echo strlen(serialize(["a" => ["NAME" => ["*" => "A"], "TYPE" => "int", "REQUIRED" => "Y", "MULTIPLE" => "N"]]));
        // a:1:{s:1:"a";a:4:{s:4:"NAME";a:1:{s:1:"*";s:1:"A";}s:4:"TYPE";s:3:"int";s:8:"REQUIRED";s:1:"Y";s:8:"MULTIPLE";s:1:"N";}}
        let expected = r#"a:1:{s:1:"a";a:4:{s:4:"NAME";a:1:{s:1:"*";s:1:"A";}s:4:"TYPE";s:3:"int";s:8:"REQUIRED";s:1:"Y";s:8:"MULTIPLE";s:1:"N";}}"#;
        let props = Properties::from_iter([("a", Property::new("A", PropertyType::Int))]);
        assert_eq!(stored_size(&props), expected.len());
    }
}
