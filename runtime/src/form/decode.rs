use std::fmt;

use indexmap::IndexMap;
use serde_json::{Map, Value};

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
    let mut root = Node::map();
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
        let key_bytes = unescape(raw_key, start)?;
        let key = String::from_utf8(key_bytes)
            .map_err(|e| FormError::InvalidUtf8 { key: String::from_utf8_lossy(e.as_bytes()).into_owned() })?;
        let value_bytes = unescape(raw_value, start + raw_key.len() + 1)?;
        let value = String::from_utf8(value_bytes).map_err(|_| FormError::InvalidUtf8 { key: key.clone() })?;
        let path = key_path(&key, limits.max_depth)?;
        root.insert(&key, &path, value)?;
    }
    // The top level is always a map of fields, even when its keys are `0, 1, …`.
    Ok(root.into_object())
}

/// Percent-decodes strictly (a bad escape is an error, not text) and reads `+` as a space.
fn unescape(raw: &[u8], offset: usize) -> Result<Vec<u8>, FormError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = |b: u8| (b as char).to_digit(16);
                let byte = raw.get(i + 1..i + 3).and_then(|pair| Some(hex(pair[0])? * 16 + hex(pair[1])?));
                let byte = byte.ok_or(FormError::InvalidEscape { position: offset + i })?;
                out.push(u8::try_from(byte).expect("two hex digits fit a byte"));
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    Ok(out)
}

/// `a[b][]` -> `["a", "b", ""]`; an empty segment means "append".
fn key_path(key: &str, max_depth: usize) -> Result<Vec<&str>, FormError> {
    let broken = || FormError::BrokenBrackets { key: key.to_owned() };
    let (base, mut rest) = match key.find('[') {
        Some(open) => (&key[..open], &key[open..]),
        None => (key, ""),
    };
    if base.is_empty() && !key.starts_with('[') {
        return Err(FormError::EmptyName);
    }
    if base.is_empty() || base.contains(']') {
        return Err(broken());
    }
    let mut path = vec![base];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[').ok_or_else(broken)?;
        let close = inner.find(']').ok_or_else(broken)?;
        let segment = &inner[..close];
        if segment.contains('[') {
            return Err(broken());
        }
        path.push(segment);
        if path.len() > max_depth + 1 {
            return Err(FormError::TooDeep { key: key.to_owned(), limit: max_depth });
        }
        rest = &inner[close + 1..];
    }
    Ok(path)
}

/// PHP's ordered array while it is being built; `next` is the key `[]` appends at.
enum Node {
    Leaf(String),
    Map { entries: IndexMap<String, Node>, next: u64 },
}

impl Node {
    fn map() -> Self {
        Node::Map { entries: IndexMap::new(), next: 0 }
    }
}

impl Node {
    fn insert(&mut self, key: &str, path: &[&str], value: String) -> Result<(), FormError> {
        let Node::Map { entries, next } = self else {
            return Err(FormError::ConflictingKey { key: key.to_owned() });
        };
        let (first, rest) = path.split_first().expect("a key path has a base");
        // `[]` appends after the largest integer key so far, as PHP does.
        let segment = if first.is_empty() { next.to_string() } else { (*first).to_owned() };
        if let Ok(index) = segment.parse::<u64>() {
            *next = (*next).max(index.saturating_add(1));
        }
        match (entries.get_mut(&segment), rest.is_empty()) {
            (Some(Node::Leaf(_)), true) => Err(FormError::DuplicateKey { key: key.to_owned() }),
            (Some(Node::Leaf(_)), false) | (Some(Node::Map { .. }), true) => {
                Err(FormError::ConflictingKey { key: key.to_owned() })
            }
            (Some(node), false) => node.insert(key, rest, value),
            (None, true) => {
                entries.insert(segment, Node::Leaf(value));
                Ok(())
            }
            (None, false) => {
                let mut node = Node::map();
                node.insert(key, rest, value)?;
                entries.insert(segment, node);
                Ok(())
            }
        }
    }

    fn into_object(self) -> Value {
        match self {
            Node::Map { entries, .. } => {
                Value::Object(entries.into_iter().map(|(k, node)| (k, node.into_value())).collect::<Map<_, _>>())
            }
            leaf @ Node::Leaf(_) => leaf.into_value(),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Node::Leaf(text) => Value::String(text),
            Node::Map { entries, .. } => {
                let is_list = entries.iter().enumerate().all(|(i, (k, _))| *k == i.to_string());
                if is_list && !entries.is_empty() {
                    Value::Array(entries.into_iter().map(|(_, node)| node.into_value()).collect())
                } else {
                    Value::Object(entries.into_iter().map(|(k, node)| (k, node.into_value())).collect::<Map<_, _>>())
                }
            }
        }
    }
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Leaf(text) => write!(f, "{text:?}"),
            Node::Map { entries, .. } => f.debug_map().entries(entries).finish(),
        }
    }
}
