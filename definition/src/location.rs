//! Where things are in a definition file.

use std::fmt;
use std::ops::Deref;

/// A position in a definition file: 1-based line and column (columns count characters).
///
/// ```
/// use bizproc_definition::{Definition, Location};
///
/// let def = Definition::from_str("CODE: ping\nNAME: Ping\n", "ping.yaml").unwrap();
/// assert_eq!(def.name().location, Location { line: 2, column: 7 });
/// assert_eq!(def.name().location.to_string(), "2:7");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in characters.
    pub column: usize,
}

impl Location {
    /// The first character of a file.
    ///
    /// ```
    /// assert_eq!(bizproc_definition::Location::START.to_string(), "1:1");
    /// ```
    pub const START: Self = Self { line: 1, column: 1 };

    pub(crate) fn of_marker(marker: Option<&marked_yaml::Marker>) -> Self {
        marker.map_or(Self::START, |m| Self { line: m.line().max(1), column: m.column().max(1) })
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A value and where it was written.
///
/// Dereferences to the value, so `spanned.len()` works on a `Spanned<String>`. A value that
/// has a default when it is left out (`Required`, `Multiple`, `USE_SUBSCRIPTION`, …) carries the
/// location of the entry it belongs to in that case.
///
/// ```
/// use bizproc_definition::Definition;
///
/// let yaml = "CODE: ping\nNAME: Ping\nPROPERTIES:\n  host: {Name: Host, Type: string}\n";
/// let def = Definition::from_str(yaml, "ping.yaml").unwrap();
/// let code = def.code();
/// assert_eq!(code.value, "ping");
/// assert_eq!(code.as_str(), "ping"); // through Deref
/// assert_eq!((code.location.line, code.location.column), (1, 7));
/// // `Required` is not written: it is `N`, located at the property's entry.
/// let host = &def.properties()[0];
/// assert!(!host.required().value);
/// assert_eq!(host.required().location, host.location());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub location: Location,
}

impl<T> Spanned<T> {
    pub(crate) fn new(value: T, location: Location) -> Self {
        Self { value, location }
    }
}

impl<T> Deref for Spanned<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}
