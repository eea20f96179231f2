//! The form decoder as first written: a plain tree of owned keys in hash maps, with no
//! buffers reused and no fast paths. The decoder the crate ships must agree with it on every
//! body, errors included.

use bizproc::form::{FormError, FormLimits};
use indexmap::IndexMap;
use serde_json::{Map, Value};

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
