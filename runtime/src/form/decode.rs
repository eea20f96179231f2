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
    let mut root = Level::with_capacity(16);
    // Reused across fields: a decoded key, its bracket segments and its value are only needed
    // while the field is filed, so one buffer each serves the whole body.
    let mut key_buf = Vec::with_capacity(64);
    let mut value_buf = Vec::with_capacity(256);
    let mut path = Vec::new();
    let mut fields = 0;
    let mut at = 0;
    while at < body.len() {
        if body[at] == b'&' {
            at += 1;
            continue;
        }
        fields += 1;
        if fields > limits.max_fields {
            return Err(FormError::TooManyFields { limit: limits.max_fields });
        }
        key_buf.clear();
        at = unescape_part(body, at, Part::Key, &mut key_buf)?;
        let key = std::str::from_utf8(&key_buf)
            .map_err(|_| FormError::InvalidUtf8 { key: String::from_utf8_lossy(&key_buf).into_owned() })?;
        value_buf.clear();
        if body.get(at) == Some(&b'=') {
            at = unescape_part(body, at + 1, Part::Value, &mut value_buf)?;
        }
        at += 1; // past the `&`
        let value = std::str::from_utf8(&value_buf).map_err(|_| FormError::InvalidUtf8 { key: key.to_owned() })?;
        key_path(key, limits.max_depth, &mut path)?;
        root.insert(key, &path, value.to_owned()).map_err(|clash| match clash {
            Clash::Duplicate => FormError::DuplicateKey { key: key.to_owned() },
            Clash::Conflict => FormError::ConflictingKey { key: key.to_owned() },
        })?;
    }
    Ok(root)
}

/// Which side of a `key=value` pair is being read: a key ends at the first `=`, a value only
/// at the `&`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Key,
    Value,
}

/// The bytes that end a run of plain text: the separators and the escapes.
static SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'&' as usize] = true;
    table[b'=' as usize] = true;
    table[b'%' as usize] = true;
    table[b'+' as usize] = true;
    table
};

/// Percent-decodes the key or value starting at `at` into `out`, strictly (a bad escape is an
/// error, not text), reading `+` as a space; answers where it ended (`&`, `=` after a key, or
/// the end of the body).
///
/// One pass over the body: plain text between escapes is found by a table lookup per byte and
/// copied a run at a time, which for the short fields of a robot request beats searching for
/// each separator and escape apart.
fn unescape_part(body: &[u8], mut at: usize, part: Part, out: &mut Vec<u8>) -> Result<usize, FormError> {
    loop {
        let run = at;
        while at < body.len() && !SPECIAL[usize::from(body[at])] {
            at += 1;
        }
        out.extend_from_slice(&body[run..at]);
        let Some(&byte) = body.get(at) else {
            return Ok(at);
        };
        match byte {
            b'&' => return Ok(at),
            b'=' if part == Part::Key => return Ok(at),
            b'=' => out.push(b'='),
            b'+' => out.push(b' '),
            _ => {
                let decoded = body.get(at + 1..at + 3).and_then(|pair| Some(hex(pair[0])? << 4 | hex(pair[1])?));
                out.push(decoded.ok_or(FormError::InvalidEscape { position: at })?);
                at += 2;
            }
        }
        at += 1;
    }
}

fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// `a[b][]` -> the ranges of `a`, `b` and an empty one in `key`; an empty segment means "append".
fn key_path(key: &str, max_depth: usize, path: &mut Vec<Range<usize>>) -> Result<(), FormError> {
    let broken = || FormError::BrokenBrackets { key: key.to_owned() };
    let bytes = key.as_bytes();
    path.clear();
    let base_end = find(bytes, b'[').unwrap_or(bytes.len());
    if base_end == 0 && bytes.first() != Some(&b'[') {
        return Err(FormError::EmptyName);
    }
    if base_end == 0 || find(&bytes[..base_end], b']').is_some() {
        return Err(broken());
    }
    path.push(0..base_end);
    let mut at = base_end;
    while at < bytes.len() {
        if bytes[at] != b'[' {
            return Err(broken());
        }
        let open = at + 1;
        let close = open + find(&bytes[open..], b']').ok_or_else(broken)?;
        if find(&bytes[open..close], b'[').is_some() {
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

/// Where `byte` first is in a key: keys are a few dozen bytes, scanned faster plainly than by a
/// vectorised search that must first set itself up.
fn find(key: &[u8], byte: u8) -> Option<usize> {
    key.iter().position(|&b| b == byte)
}
