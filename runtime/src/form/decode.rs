use std::ops::Range;

use serde_json::Value;

use super::tree::{Clash, Level};

/// Bounds on what a form body may hold, so that a hostile body costs little to refuse.
///
/// ```
/// let limits = bizproc::form::FormLimits::default();
/// assert_eq!(limits.max_fields, 10_000);
/// assert_eq!(limits.max_depth, 8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormLimits {
    /// Most `key=value` pairs.
    pub max_fields: usize,
    /// Most bracket levels in one key.
    pub max_depth: usize,
}

impl Default for FormLimits {
    fn default() -> Self {
        Self { max_fields: 10_000, max_depth: 8 }
    }
}

/// Why a form body could not be read; names the key or position at fault.
///
/// ```
/// use bizproc::form::{self, FormError};
///
/// assert_eq!(form::decode(b"a=1&a=2"), Err(FormError::DuplicateKey { key: "a".to_owned() }));
/// assert_eq!(form::decode(b"a=1&a[b]=2"), Err(FormError::ConflictingKey { key: "a[b]".to_owned() }));
/// assert_eq!(form::decode(b"a[b=1").unwrap_err().to_string(), "field `a[b` has unbalanced brackets");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormError {
    /// A `%` not followed by two hex digits.
    #[error("invalid percent escape at byte {position}")]
    InvalidEscape {
        /// Offset of the `%` in the body.
        position: usize,
    },
    /// A key or value that is not UTF-8 once decoded.
    #[error("field `{key}` is not valid UTF-8 once decoded")]
    InvalidUtf8 {
        /// The key (as far as it could be read).
        key: String,
    },
    /// A key whose brackets do not pair up (`a[b`, `a]`, `a[b]c`), or that starts with one.
    #[error("field `{key}` has unbalanced brackets")]
    BrokenBrackets {
        /// The key.
        key: String,
    },
    /// A pair with no name (`=value`).
    #[error("a field has no name")]
    EmptyName,
    /// The same key twice.
    #[error("field `{key}` is given more than once")]
    DuplicateKey {
        /// The key.
        key: String,
    },
    /// A key used both as a value and as a bracket level (`a=1&a[b]=2`).
    #[error("field `{key}` is both a value and a list or map")]
    ConflictingKey {
        /// The key.
        key: String,
    },
    /// More pairs than [`FormLimits::max_fields`].
    #[error("the body has more than {limit} fields")]
    TooManyFields {
        /// The limit.
        limit: usize,
    },
    /// More bracket levels than [`FormLimits::max_depth`].
    #[error("field `{key}` is nested deeper than {limit} levels")]
    TooDeep {
        /// The key.
        key: String,
        /// The limit.
        limit: usize,
    },
}

/// Decodes a form body with [`FormLimits::default`].
///
/// # Errors
/// A [`FormError`] naming the key or position at fault.
///
/// ```
/// let err = bizproc::form::decode(b"a=%zz").unwrap_err();
/// assert_eq!(err.to_string(), "invalid percent escape at byte 2");
/// ```
pub fn decode(body: &[u8]) -> Result<Value, FormError> {
    decode_with(body, FormLimits::default())
}

/// Decodes a form body within `limits`.
///
/// # Errors
/// A [`FormError`] naming the key or position at fault.
///
/// ```
/// use bizproc::form::{FormLimits, decode_with};
/// let limits = FormLimits { max_fields: 2, ..FormLimits::default() };
/// assert!(decode_with(b"a=1&b=2&c=3", limits).is_err());
/// ```
pub fn decode_with(body: &[u8], limits: FormLimits) -> Result<Value, FormError> {
    // The top level is always a map of fields, even when its keys are `0, 1, …`.
    decode_tree(body, limits).map(|root| Value::Object(root.into_map()))
}

/// Decodes a form body into the tree the handler reads its fields from.
pub(crate) fn decode_tree(body: &[u8], limits: FormLimits) -> Result<Level, FormError> {
    let mut root = Level::default();
    // Reused across fields: a decoded key and its bracket segments are only needed while the
    // field is filed, so one buffer each serves the whole body.
    let mut key_buf = Vec::new();
    let mut path = Vec::new();
    let mut offset = 0;
    let mut fields = 0;
    for segment in body.split(|&b| b == b'&') {
        let start = offset;
        offset += segment.len() + 1;
        if segment.is_empty() {
            continue;
        }
        fields += 1;
        if fields > limits.max_fields {
            return Err(FormError::TooManyFields { limit: limits.max_fields });
        }
        let (raw_key, raw_value) = match segment.iter().position(|&b| b == b'=') {
            Some(eq) => (&segment[..eq], &segment[eq + 1..]),
            None => (segment, &segment[segment.len()..]),
        };
        key_buf.clear();
        unescape_into(raw_key, start, &mut key_buf)?;
        let key = std::str::from_utf8(&key_buf)
            .map_err(|_| FormError::InvalidUtf8 { key: String::from_utf8_lossy(&key_buf).into_owned() })?;
        let value = unescape_text(raw_value, start + raw_key.len() + 1)
            .map_err(|e| e.unwrap_or_else(|| FormError::InvalidUtf8 { key: key.to_owned() }))?;
        key_path(key, limits.max_depth, &mut path)?;
        root.insert(key, &path, value).map_err(|clash| match clash {
            Clash::Duplicate => FormError::DuplicateKey { key: key.to_owned() },
            Clash::Conflict => FormError::ConflictingKey { key: key.to_owned() },
        })?;
    }
    Ok(root)
}

/// Percent-decodes strictly (a bad escape is an error, not text) and reads `+` as a space.
fn unescape_into(raw: &[u8], offset: usize, out: &mut Vec<u8>) -> Result<(), FormError> {
    out.reserve(raw.len());
    let mut rest = raw;
    // Text between escapes is copied a run at a time.
    while let Some(at) = rest.iter().position(|&b| b == b'%' || b == b'+') {
        out.extend_from_slice(&rest[..at]);
        if rest[at] == b'+' {
            out.push(b' ');
            rest = &rest[at + 1..];
            continue;
        }
        let byte = rest.get(at + 1..at + 3).and_then(|pair| Some(hex(pair[0])? << 4 | hex(pair[1])?));
        let position = offset + (raw.len() - rest.len()) + at;
        out.push(byte.ok_or(FormError::InvalidEscape { position })?);
        rest = &rest[at + 3..];
    }
    out.extend_from_slice(rest);
    Ok(())
}

fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// A value as text; `Err(None)` when it is not UTF-8 once decoded, so the caller can name the key.
fn unescape_text(raw: &[u8], offset: usize) -> Result<String, Option<FormError>> {
    // Most values carry no escapes at all and are copied once.
    if !raw.iter().any(|&b| b == b'%' || b == b'+') {
        return std::str::from_utf8(raw).map(str::to_owned).map_err(|_| None);
    }
    let mut bytes = Vec::new();
    unescape_into(raw, offset, &mut bytes).map_err(Some)?;
    String::from_utf8(bytes).map_err(|_| None)
}

/// `a[b][]` -> the ranges of `a`, `b` and an empty one in `key`; an empty segment means "append".
fn key_path(key: &str, max_depth: usize, path: &mut Vec<Range<usize>>) -> Result<(), FormError> {
    let broken = || FormError::BrokenBrackets { key: key.to_owned() };
    path.clear();
    let base_end = key.find('[').unwrap_or(key.len());
    if base_end == 0 && !key.starts_with('[') {
        return Err(FormError::EmptyName);
    }
    if base_end == 0 || key[..base_end].contains(']') {
        return Err(broken());
    }
    path.push(0..base_end);
    let mut at = base_end;
    while at < key.len() {
        if key.as_bytes()[at] != b'[' {
            return Err(broken());
        }
        let open = at + 1;
        let close = open + key[open..].find(']').ok_or_else(broken)?;
        if key[open..close].contains('[') {
            return Err(broken());
        }
        path.push(open..close);
        if path.len() > max_depth + 1 {
            return Err(FormError::TooDeep { key: key.to_owned(), limit: max_depth });
        }
        at = close + 1;
    }
    Ok(())
}
