//! What [`Registration::validate`](super::Registration::validate) can find.

use std::fmt;

use super::{CODE_LIMIT, HANDLER_LIMIT, STORED_PROPERTIES_LIMIT};
use crate::Properties;

/// One thing wrong with a registration.
///
/// ```
/// use bizproc::{Registration, RegistrationProblem};
///
/// let err = Registration::new("bad code!", "", "https://app.example.com/robot").validate().unwrap_err();
/// assert!(matches!(err.problems(), [RegistrationProblem::Code { .. }, RegistrationProblem::EmptyName]));
/// assert_eq!(err.problems()[1].to_string(), "NAME is empty");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistrationProblem {
    /// `CODE` is empty, too long, or has characters outside `A-Z a-z 0-9 . _ -`.
    Code {
        /// The code.
        code: String,
    },
    /// `NAME` is empty.
    EmptyName,
    /// A handler URL the server refuses.
    HandlerUrl {
        /// `HANDLER` or `PLACEMENT_HANDLER`.
        key: &'static str,
        /// The URL, shortened.
        url: String,
        /// Why.
        reason: &'static str,
    },
    /// `USE_PLACEMENT` is on without a `PLACEMENT_HANDLER`.
    MissingPlacementHandler,
    /// A property id the server refuses or skips.
    PropertyId {
        /// `PROPERTIES` or `RETURN_PROPERTIES`.
        key: &'static str,
        /// The id.
        id: String,
        /// Why.
        reason: &'static str,
    },
    /// A property without a `Name`.
    EmptyPropertyName {
        /// `PROPERTIES` or `RETURN_PROPERTIES`.
        key: &'static str,
        /// The id.
        id: String,
    },
    /// A property set too large for the server to store.
    TooLarge {
        /// `PROPERTIES` or `RETURN_PROPERTIES`.
        key: &'static str,
        /// Its serialized size in bytes.
        size: usize,
    },
}

impl fmt::Display for RegistrationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Code { code } => write!(
                f,
                "CODE `{}` must be 1 to {CODE_LIMIT} characters of A-Z, a-z, 0-9, `.`, `_`, `-`",
                code.escape_debug()
            ),
            Self::EmptyName => f.write_str("NAME is empty"),
            Self::HandlerUrl { key, url, reason } => {
                write!(f, "{key} `{}` {reason}", url.escape_debug())
            }
            Self::MissingPlacementHandler => f.write_str("USE_PLACEMENT is Y but PLACEMENT_HANDLER is not set"),
            Self::PropertyId { key, id, reason } => {
                write!(f, "{key} id `{}` {reason}", id.escape_debug())
            }
            Self::EmptyPropertyName { key, id } => write!(f, "{key} `{id}` has an empty Name"),
            Self::TooLarge { key, size } => {
                write!(f, "{key} is {size} bytes as the server stores it; it must stay under {STORED_PROPERTIES_LIMIT}")
            }
        }
    }
}

/// Every problem of one registration.
///
/// ```
/// let reg = bizproc::Registration::new("ping", "Ping", "ftp://files.example.com/robot");
/// assert_eq!(
///     reg.validate().unwrap_err().to_string(),
///     "invalid registration `ping`: HANDLER `ftp://files.example.com/robot` must use http or https",
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRegistration {
    code: String,
    problems: Vec<RegistrationProblem>,
}

impl InvalidRegistration {
    pub(crate) fn new(code: &str, problems: Vec<RegistrationProblem>) -> Self {
        Self { code: code.to_owned(), problems }
    }

    /// The problems, in the order the server would meet them.
    ///
    /// ```
    /// use bizproc::{Registration, RegistrationProblem};
    ///
    /// let err = Registration::new("", "Ping", "http://localhost/robot").validate().unwrap_err();
    /// assert!(matches!(
    ///     err.problems(),
    ///     [RegistrationProblem::Code { .. }, RegistrationProblem::HandlerUrl { key: "HANDLER", .. }],
    /// ));
    /// ```
    #[must_use]
    pub fn problems(&self) -> &[RegistrationProblem] {
        &self.problems
    }
}

impl fmt::Display for InvalidRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid registration `{}`: ", self.code.escape_debug())?;
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidRegistration {}

pub(crate) fn code(code: &str) -> Option<RegistrationProblem> {
    let valid = !code.is_empty()
        && code.len() <= CODE_LIMIT
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    (!valid).then(|| RegistrationProblem::Code { code: shorten(code) })
}

pub(crate) fn handler_url(key: &'static str, url: &str) -> Option<RegistrationProblem> {
    let problem = |reason| Some(RegistrationProblem::HandlerUrl { key, url: shorten(url), reason });
    if url.chars().count() > HANDLER_LIMIT {
        return problem("is longer than 1000 characters");
    }
    let Ok(parsed) = url::Url::parse(url) else {
        return problem("is not a URL");
    };
    // The server wants a dot after the host's first character: `localhost` fails, `127.0.0.1` passes.
    let dotted = parsed.host_str().and_then(|host| host.get(1..)).is_some_and(|rest| rest.contains('.'));
    if !dotted {
        return problem("needs a host with a dot (use 127.0.0.1, not localhost)");
    }
    if !matches!(parsed.scheme(), "http" | "https") {
        return problem("must use http or https");
    }
    None
}

pub(crate) fn properties(key: &'static str, properties: &Properties) -> Vec<RegistrationProblem> {
    let mut problems = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (id, property) in properties.iter() {
        let mut reason = None;
        if !id.starts_with(|c: char| c.is_ascii_alphabetic())
            || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            reason = Some("must start with a letter and hold only A-Z, a-z, 0-9 and `_`");
        } else if bizproc_definition::RESERVED_IDS.iter().any(|reserved| reserved.eq_ignore_ascii_case(id)) {
            reason = Some("is reserved by Bitrix24, which silently skips such a property");
        } else if seen.iter().any(|other| other.eq_ignore_ascii_case(id)) {
            reason = Some("equals another id ignoring case; the server matches ids ignoring case");
        }
        if let Some(reason) = reason {
            problems.push(RegistrationProblem::PropertyId { key, id: shorten(id), reason });
        }
        if property.name.is_empty() {
            problems.push(RegistrationProblem::EmptyPropertyName { key, id: shorten(id) });
        }
        seen.push(id);
    }
    problems
}

/// A return id equal to an input id is skipped by the server, or collides with the input.
pub(crate) fn shared_ids(inputs: &Properties, outputs: &Properties) -> Vec<RegistrationProblem> {
    outputs
        .ids()
        .filter(|id| inputs.ids().any(|input| input.eq_ignore_ascii_case(id)))
        .map(|id| RegistrationProblem::PropertyId {
            key: "RETURN_PROPERTIES",
            id: shorten(id),
            reason: "is also an input id; the server skips such a return property",
        })
        .collect()
}

fn shorten(text: &str) -> String {
    const LIMIT: usize = 80;
    let mut short: String = text.chars().take(LIMIT).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}
