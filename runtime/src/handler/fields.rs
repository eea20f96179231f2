//! Reading the decoded request: a JSON object whose leaves are strings (form) or any JSON.

use serde_json::{Map, Value};

use super::InvocationError;

pub(crate) struct Fields<'a>(pub &'a Map<String, Value>);

impl<'a> Fields<'a> {
    /// A text field; numbers and booleans (JSON bodies) are read as their text.
    pub fn text(&self, field: &'static str) -> Result<Option<String>, InvocationError> {
        text_of(field, self.0.get(field))
    }

    pub fn required(&self, field: &'static str) -> Result<String, InvocationError> {
        self.text(field)?.filter(|t| !t.is_empty()).ok_or(InvocationError::MissingField(field))
    }

    /// Three parts, as `document_id[0..2]`.
    pub fn triple(&self, field: &'static str) -> Result<[String; 3], InvocationError> {
        let invalid = |reason: &str| InvocationError::InvalidField { field, reason: reason.to_owned() };
        let parts = match self.0.get(field) {
            None => return Err(InvocationError::MissingField(field)),
            Some(Value::Array(items)) => items.clone(),
            Some(Value::Object(map)) => list_items(map).into_iter().cloned().collect(),
            Some(_) => return Err(invalid("must have three parts, as `field[0]`, `field[1]`, `field[2]`")),
        };
        let texts: Vec<String> = parts
            .iter()
            .map(|p| text_of(field, Some(p)))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        <[String; 3]>::try_from(texts).map_err(|parts| invalid(&format!("has {} parts, not 3", parts.len())))
    }

    /// A nested object, such as `auth[...]`.
    pub fn object(&self, field: &'static str) -> Result<Option<Fields<'a>>, InvocationError> {
        match self.0.get(field) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Fields(map))),
            Some(Value::Array(items)) if items.is_empty() => Ok(None),
            Some(_) => Err(InvocationError::InvalidField { field, reason: "must be a map of fields".to_owned() }),
        }
    }

    pub fn integer(&self, field: &'static str) -> Result<Option<i64>, InvocationError> {
        match self.text(field)? {
            None => Ok(None),
            Some(t) if t.is_empty() => Ok(None),
            Some(t) => t.trim().parse().map(Some).map_err(|_| InvocationError::InvalidField {
                field,
                reason: format!("must be a whole number, not `{}`", shorten(&t)),
            }),
        }
    }
}

fn text_of(field: &'static str, value: Option<&Value>) -> Result<Option<String>, InvocationError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::Bool(b)) => Ok(Some(if *b { "Y" } else { "N" }.to_owned())),
        Some(_) => {
            Err(InvocationError::InvalidField { field, reason: "must be a single value, not a list or map".to_owned() })
        }
    }
}

/// The items of a bracket level read as a list: by index when every key is one (so that
/// `a[1]=x&a[0]=y` reads as `[y, x]`, whatever the field order), else in request order.
pub(crate) fn list_items(map: &Map<String, Value>) -> Vec<&Value> {
    let indexed: Option<Vec<(u64, &Value)>> = map.iter().map(|(k, v)| Some((k.parse::<u64>().ok()?, v))).collect();
    match indexed {
        Some(mut items) => {
            items.sort_by_key(|(index, _)| *index);
            items.into_iter().map(|(_, v)| v).collect()
        }
        None => map.values().collect(),
    }
}

pub(crate) fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(64).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}
