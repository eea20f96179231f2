//! The exact parameters of `bizproc.robot.add` / `bizproc.activity.add`.

use std::fmt;

use serde_json::{Map, Value};

use crate::model::yes_no;
use crate::{Definition, Property, rules};

/// Why [`Definition::add_payload`] has no payload.
///
/// ```
/// use bizproc_definition::{Definition, PayloadError};
///
/// let def = Definition::from_str("CODE: a\nNAME: A\n", "a.yaml").unwrap();
/// assert_eq!(def.add_payload(None), Err(PayloadError::MissingHandler));
/// let err = def.add_payload(Some("http://localhost/robot")).unwrap_err();
/// assert_eq!(err.to_string(), "handler URL `http://localhost/robot` needs a host with a dot (use 127.0.0.1, not localhost)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadError {
    /// The definition has no `HANDLER` and none was given.
    MissingHandler,
    /// The handler URL given is one the server refuses.
    InvalidHandler {
        /// The URL, shortened.
        url: String,
        /// Why.
        reason: &'static str,
    },
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHandler => f.write_str("the definition has no HANDLER and no handler URL was given"),
            Self::InvalidHandler { url, reason } => write!(f, "handler URL `{}` {reason}", url.escape_debug()),
        }
    }
}

impl std::error::Error for PayloadError {}

impl Definition {
    /// The exact parameters of [`add_method`](Self::add_method) (`bizproc.robot.add` or
    /// `bizproc.activity.add`), with `handler` as `HANDLER`, or the definition's own `HANDLER`
    /// when `handler` is `None`.
    ///
    /// The same JSON, key order included, as `bizproc::Registration::robot_add_payload()` of
    /// the same robot: `CODE`, `HANDLER`, `AUTH_USER_ID` (if written), `USE_SUBSCRIPTION`
    /// (always, `Y` or `N`), `NAME`, `DESCRIPTION` (if written), `PROPERTIES` and
    /// `RETURN_PROPERTIES` (if not empty), `DOCUMENT_TYPE`, `FILTER` (if written),
    /// `USE_PLACEMENT` (only when `Y`), `PLACEMENT_HANDLER` (if written). Descriptors are
    /// as [`Property::descriptor`] writes them.
    ///
    /// # Errors
    /// [`PayloadError`] when there is no handler URL, or `handler` is one the server refuses
    /// (`http`/`https`, a host with a dot, at most 1000 characters).
    ///
    /// ```
    /// use bizproc_definition::Definition;
    ///
    /// let yaml = "\
    /// code: score
    /// name: {en: Score, de: Bewertung}
    /// auth_user_id: 1
    /// return_properties:
    ///   score: {name: Score, type: int, required: true}
    /// ";
    /// let def = Definition::from_str(yaml, "score.yaml").unwrap();
    /// let payload = def.add_payload(Some("https://app.example.com/robots/score")).unwrap();
    /// assert_eq!(
    ///     serde_json::to_string(&payload).unwrap(),
    ///     concat!(
    ///         r#"{"CODE":"score","HANDLER":"https://app.example.com/robots/score","AUTH_USER_ID":1,"#,
    ///         r#""USE_SUBSCRIPTION":"Y","NAME":{"en":"Score","de":"Bewertung"},"#,
    ///         r#""RETURN_PROPERTIES":{"score":{"Name":"Score","Type":"int","Required":"Y","Multiple":"N"}}}"#,
    ///     ),
    /// );
    /// ```
    pub fn add_payload(&self, handler: Option<&str>) -> Result<Value, PayloadError> {
        let handler = match handler {
            Some(url) => {
                if let Some(reason) = rules::handler_url(url) {
                    return Err(PayloadError::InvalidHandler { url: rules::shorten(url), reason });
                }
                url
            }
            None => self.handler.as_ref().map(|h| h.value.as_str()).ok_or(PayloadError::MissingHandler)?,
        };
        let mut out = Map::new();
        let mut put = |key: &str, value: Value| {
            out.insert(key.to_owned(), value);
        };
        put("CODE", Value::String(self.code.value.clone()));
        put("HANDLER", Value::String(handler.to_owned()));
        if let Some(id) = &self.auth_user_id {
            put("AUTH_USER_ID", id.value.into());
        }
        put("USE_SUBSCRIPTION", yes_no(self.use_subscription.value));
        put("NAME", self.name.to_json());
        if let Some(description) = &self.description {
            put("DESCRIPTION", description.to_json());
        }
        for (key, properties) in [("PROPERTIES", &self.properties), ("RETURN_PROPERTIES", &self.return_properties)] {
            if !properties.is_empty() {
                put(key, descriptors(properties));
            }
        }
        if let Some(document_type) = &self.document_type {
            put("DOCUMENT_TYPE", document_type.iter().map(|part| Value::String(part.clone())).collect());
        }
        if let Some(filter) = &self.filter {
            put("FILTER", filter.to_json());
        }
        if self.use_placement.value {
            put("USE_PLACEMENT", yes_no(true));
        }
        if let Some(url) = &self.placement_handler {
            put("PLACEMENT_HANDLER", Value::String(url.value.clone()));
        }
        Ok(Value::Object(out))
    }

    /// The method [`add_payload`](Self::add_payload) is for: `bizproc.robot.add` or
    /// `bizproc.activity.add`.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\n", "a.yaml").unwrap();
    /// assert_eq!(def.add_method(), "bizproc.robot.add");
    /// ```
    #[must_use]
    pub fn add_method(&self) -> &'static str {
        self.kind.value.add_method()
    }
}

/// `PROPERTIES` or `RETURN_PROPERTIES` as sent.
pub(crate) fn descriptors(properties: &[Property]) -> Value {
    Value::Object(properties.iter().map(|p| (p.id.value.clone(), p.descriptor())).collect())
}
