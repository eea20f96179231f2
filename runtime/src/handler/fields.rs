//! Reading the decoded request: each field is moved out of the tree as it is read.

use super::InvocationError;
use crate::form::{Level, Node};

pub(crate) struct Fields(pub Level);

impl Fields {
    /// A text field; numbers and booleans (JSON bodies) are read as their text.
    pub fn text(&mut self, field: &'static str) -> Result<Option<String>, InvocationError> {
        text_of(field, self.0.take(field))
    }

    pub fn required(&mut self, field: &'static str) -> Result<String, InvocationError> {
        self.text(field)?.filter(|t| !t.is_empty()).ok_or(InvocationError::MissingField(field))
    }

    /// Three parts, as `document_id[0..2]`.
    pub fn triple(&mut self, field: &'static str) -> Result<[String; 3], InvocationError> {
        let invalid = |reason: &str| InvocationError::InvalidField { field, reason: reason.to_owned() };
        let parts = match self.0.take(field) {
            None => return Err(InvocationError::MissingField(field)),
            Some(Node::Level(level)) => level.into_items(),
            Some(_) => return Err(invalid("must have three parts, as `field[0]`, `field[1]`, `field[2]`")),
        };
        let texts: Vec<String> = parts
            .into_iter()
            .map(|p| text_of(field, Some(p)))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        <[String; 3]>::try_from(texts).map_err(|parts| invalid(&format!("has {} parts, not 3", parts.len())))
    }

    /// A nested map of fields, such as `auth[...]`; an empty one is no map at all.
    pub fn object(&mut self, field: &'static str) -> Result<Option<Fields>, InvocationError> {
        match self.0.take(field) {
            None => Ok(None),
            Some(Node::Level(level)) if level.is_empty() => Ok(None),
            Some(Node::Level(level)) if !level.is_list() => Ok(Some(Fields(level))),
            Some(_) => Err(InvocationError::InvalidField { field, reason: "must be a map of fields".to_owned() }),
        }
    }

    pub fn integer(&mut self, field: &'static str) -> Result<Option<i64>, InvocationError> {
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

fn text_of(field: &'static str, value: Option<Node>) -> Result<Option<String>, InvocationError> {
    match value {
        None | Some(Node::Null) => Ok(None),
        Some(Node::Text(text)) => Ok(Some(text)),
        Some(Node::Level(_)) => {
            Err(InvocationError::InvalidField { field, reason: "must be a single value, not a list or map".to_owned() })
        }
    }
}

pub(crate) fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(64).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}
