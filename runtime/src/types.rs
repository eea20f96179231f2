//! Value types that Rust has no name for: a multi-line text, a user, a file.

use std::fmt;
use std::ops::Deref;

/// A `text` property: a string that Bitrix24 edits as multi-line text.
///
/// ```
/// use bizproc::Text;
///
/// let comment = Text::from("line one\nline two");
/// assert_eq!(comment.lines().count(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(pub String);

impl Text {
    /// Wraps a string.
    ///
    /// ```
    /// assert_eq!(bizproc::Text::new("hi").as_str(), "hi");
    /// ```
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text.
    ///
    /// ```
    /// assert_eq!(bizproc::Text::new("hi").as_str(), "hi");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Unwraps the string.
    ///
    /// ```
    /// assert_eq!(bizproc::Text::new("hi").into_string(), "hi");
    /// ```
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A `user` property: a portal user, sent as `user_<id>`.
///
/// ```
/// use bizproc::UserId;
///
/// assert_eq!(UserId(12).to_string(), "user_12");
/// assert_eq!("user_12".parse::<UserId>(), Ok(UserId(12)));
/// assert_eq!("12".parse::<UserId>(), Ok(UserId(12)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub u32);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "user_{}", self.0)
    }
}

/// The error of reading a [`UserId`] from text that is neither `user_<id>` nor `<id>`.
///
/// ```
/// use bizproc::{ParseUserIdError, UserId};
///
/// assert_eq!("group_3".parse::<UserId>(), Err(ParseUserIdError));
/// assert_eq!("user_".parse::<UserId>(), Err(ParseUserIdError));
/// assert_eq!(ParseUserIdError.to_string(), "expected `user_<id>` or a user id");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected `user_<id>` or a user id")]
pub struct ParseUserIdError;

impl std::str::FromStr for UserId {
    type Err = ParseUserIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let digits = text.strip_prefix("user_").unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseUserIdError);
        }
        digits.parse().map(UserId).map_err(|_| ParseUserIdError)
    }
}

/// A `file` property: the id of a file stored on the portal.
///
/// Servers from before 2020 refuse `file` in robot `PROPERTIES`
/// (`Unsupported property type (file)!`); return properties and newer servers accept it.
///
/// ```
/// assert_eq!(bizproc::FileId(7).to_string(), "7");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u64);

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
