//! The raw input properties of a handler request, and the errors of reading them.

use std::fmt;

use foldhash::fast::RandomState;
use indexmap::IndexMap;

use crate::ValueError;

/// One property as the handler request carries it: `properties[id]=v`, or a list from
/// `properties[id][0]=a&properties[id][1]=b`. Every value is text.
///
/// ```
/// use bizproc::InputValue;
///
/// assert_eq!(InputValue::from("42").single(), Ok(Some("42")));
/// assert_eq!(InputValue::from(vec!["a".to_owned(), "b".to_owned()]).items().count(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputValue {
    /// A single value.
    One(String),
    /// A list of values.
    Many(Vec<String>),
}

impl InputValue {
    /// The one value, or `None` when it is empty. A list counts as one value when it holds
    /// exactly one non-empty item, since the server wraps single stored values.
    ///
    /// # Errors
    /// [`ValueError`] when a list holds several non-empty items.
    ///
    /// ```
    /// use bizproc::InputValue;
    /// assert_eq!(InputValue::from("").single(), Ok(None));
    /// assert_eq!(InputValue::from(vec!["x".to_owned()]).single(), Ok(Some("x")));
    /// ```
    pub fn single(&self) -> Result<Option<&str>, ValueError> {
        match self {
            Self::One(text) => Ok(Some(text.as_str()).filter(|t| !t.is_empty())),
            Self::Many(items) => {
                let mut present = items.iter().filter(|item| !item.is_empty());
                match (present.next(), present.next()) {
                    (first, None) => Ok(first.map(String::as_str)),
                    (Some(_), Some(_)) => Err(ValueError::many(items.iter().filter(|i| !i.is_empty()).count())),
                    (None, Some(_)) => unreachable!("a second item implies a first"),
                }
            }
        }
    }

    /// Every item: one for a single value.
    ///
    /// ```
    /// assert_eq!(bizproc::InputValue::from("x").items().collect::<Vec<_>>(), ["x"]);
    /// ```
    pub fn items(&self) -> impl Iterator<Item = &str> {
        let items: &[String] = match self {
            Self::One(text) => std::slice::from_ref(text),
            Self::Many(items) => items,
        };
        items.iter().map(String::as_str)
    }
}

impl From<&str> for InputValue {
    fn from(text: &str) -> Self {
        Self::One(text.to_owned())
    }
}

impl From<String> for InputValue {
    fn from(text: String) -> Self {
        Self::One(text)
    }
}

impl From<Vec<String>> for InputValue {
    fn from(items: Vec<String>) -> Self {
        Self::Many(items)
    }
}

/// The `properties[...]` of a handler request: property id to value, in request order.
///
/// ```
/// use bizproc::PropertyInput;
///
/// let mut input = PropertyInput::new();
/// input.insert("inn", "7707083893");
/// assert!(input.get("inn").is_some());
/// assert!(input.get("INN").is_some(), "ids are matched ignoring case as a fallback");
/// ```
// foldhash, seeded per process as hashbrown's default is: every request fills one of these,
// and SipHash cost more than the few lookups a robot makes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropertyInput(IndexMap<String, InputValue, RandomState>);

impl PropertyInput {
    /// No properties.
    ///
    /// ```
    /// let input = bizproc::PropertyInput::new();
    /// assert!(input.is_empty());
    /// assert!(input.get("inn").is_none());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a property's value.
    ///
    /// ```
    /// let mut input = bizproc::PropertyInput::new();
    /// input.insert("tags", vec!["a".to_owned(), "b".to_owned()]);
    /// assert_eq!(input.len(), 1);
    /// ```
    pub fn insert(&mut self, id: impl Into<String>, value: impl Into<InputValue>) -> Option<InputValue> {
        self.0.insert(id.into(), value.into())
    }

    /// The value with this id, or else the one whose id equals it ignoring case, as the
    /// server matches ids.
    ///
    /// ```
    /// let input = bizproc::PropertyInput::from_iter([("Amount", "1")]);
    /// assert!(input.get("amount").is_some());
    /// ```
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&InputValue> {
        self.0.get(id).or_else(|| self.0.iter().find(|(key, _)| key.eq_ignore_ascii_case(id)).map(|(_, value)| value))
    }

    /// How many properties were sent.
    ///
    /// ```
    /// assert_eq!(bizproc::PropertyInput::new().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none were sent.
    ///
    /// ```
    /// assert!(bizproc::PropertyInput::new().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(id, value)` pairs in request order.
    ///
    /// ```
    /// let input = bizproc::PropertyInput::from_iter([("a", "1")]);
    /// assert_eq!(input.iter().next().unwrap().0, "a");
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &InputValue)> {
        self.0.iter().map(|(id, value)| (id.as_str(), value))
    }
}

impl<K: Into<String>, V: Into<InputValue>> FromIterator<(K, V)> for PropertyInput {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

/// A property whose value could not be read.
///
/// ```
/// let err = bizproc::PropertyError::new("score", bizproc::ValueError::invalid("abc", "an integer"));
/// assert_eq!(err.to_string(), "property `score`: `abc` is not an integer");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("property `{property}`: {error}")]
pub struct PropertyError {
    property: String,
    #[source]
    error: ValueError,
}

impl PropertyError {
    /// The error of one property.
    ///
    /// ```
    /// use bizproc::{PropertyError, ValueError};
    ///
    /// let err = PropertyError::new("inn", ValueError::missing());
    /// assert_eq!(err.property(), "inn");
    /// assert_eq!(err.to_string(), "property `inn`: a value is required but none was sent");
    /// ```
    pub fn new(property: impl Into<String>, error: ValueError) -> Self {
        Self { property: property.into(), error }
    }

    /// The property id.
    ///
    /// ```
    /// let err = bizproc::PropertyError::new("score", bizproc::ValueError::missing());
    /// assert_eq!(err.property(), "score");
    /// ```
    #[must_use]
    pub fn property(&self) -> &str {
        &self.property
    }

    /// What was wrong with its value.
    ///
    /// ```
    /// let err = bizproc::PropertyError::new("score", bizproc::ValueError::missing());
    /// assert_eq!(err.error(), &bizproc::ValueError::missing());
    /// ```
    #[must_use]
    pub fn error(&self) -> &ValueError {
        &self.error
    }
}

/// Every property of a handler request that could not be read, reported together.
///
/// ```
/// use bizproc::{InputError, PropertyError, ValueError};
///
/// let err = InputError::from(vec![
///     PropertyError::new("score", ValueError::invalid("abc", "an integer")),
///     PropertyError::new("inn", ValueError::missing()),
/// ]);
/// assert_eq!(err.errors().len(), 2);
/// assert!(err.to_string().contains("property `inn`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    errors: Vec<PropertyError>,
}

impl InputError {
    /// The properties that failed, in declaration order.
    ///
    /// ```
    /// use bizproc::{BizprocProperties, PortalLocale, PropertyInput};
    ///
    /// #[derive(BizprocProperties, Debug)]
    /// struct Input {
    ///     inn: String,
    ///     score: i64,
    /// }
    ///
    /// // Both fields fail; the error names each, in the order they are declared.
    /// let raw = PropertyInput::from_iter([("score", "high")]);
    /// let err = Input::from_input(&raw, &PortalLocale::default()).unwrap_err();
    /// let failed: Vec<&str> = err.errors().iter().map(|e| e.property()).collect();
    /// assert_eq!(failed, ["inn", "score"]);
    /// assert_eq!(err.errors()[1].error().text(), Some("high"));
    /// ```
    #[must_use]
    pub fn errors(&self) -> &[PropertyError] {
        &self.errors
    }
}

impl From<Vec<PropertyError>> for InputError {
    fn from(errors: Vec<PropertyError>) -> Self {
        Self { errors }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid robot input: ")?;
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}
