use std::fmt;

/// Why a value could not be read: the offending text and what was expected.
///
/// [`InputError`](crate::InputError) adds the property it belongs to.
///
/// ```
/// let err = bizproc::ValueError::invalid("abc", "a whole number");
/// assert_eq!(err.to_string(), "`abc` is not a whole number");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Missing,
    Invalid { text: String, expected: String },
    Many { count: usize },
}

/// Bad values are quoted in messages up to this many characters, so that a huge input cannot
/// make a huge error.
const QUOTE_LIMIT: usize = 64;

impl ValueError {
    /// A required value is absent or empty.
    ///
    /// ```
    /// assert_eq!(bizproc::ValueError::missing().to_string(), "a value is required but none was sent");
    /// ```
    #[must_use]
    pub fn missing() -> Self {
        Self { kind: Kind::Missing }
    }

    /// `text` is not `expected` (worded to follow "is not", e.g. "a whole number").
    ///
    /// ```
    /// let err = bizproc::ValueError::invalid("x", "`Y` or `N`");
    /// assert!(err.to_string().contains("`x`"));
    /// ```
    pub fn invalid(text: &str, expected: impl Into<String>) -> Self {
        let mut quoted: String = text.chars().take(QUOTE_LIMIT).collect();
        if quoted.len() < text.len() {
            quoted.push('…');
        }
        Self { kind: Kind::Invalid { text: quoted, expected: expected.into() } }
    }

    /// Several values came for a property that takes one.
    ///
    /// ```
    /// assert!(bizproc::ValueError::many(3).to_string().contains("3 values"));
    /// ```
    #[must_use]
    pub fn many(count: usize) -> Self {
        Self { kind: Kind::Many { count } }
    }

    /// The offending text (shortened), when there is one.
    ///
    /// ```
    /// assert_eq!(bizproc::ValueError::invalid("abc", "a date").text(), Some("abc"));
    /// ```
    #[must_use]
    pub fn text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Invalid { text, .. } => Some(text),
            Kind::Missing | Kind::Many { .. } => None,
        }
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Missing => f.write_str("a value is required but none was sent"),
            Kind::Invalid { text, expected } => {
                write!(f, "`{}` is not {expected}", text.escape_debug())
            }
            Kind::Many { count } => {
                write!(f, "{count} values were sent for a property that takes one")
            }
        }
    }
}

impl std::error::Error for ValueError {}
