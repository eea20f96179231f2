//! A decoded request as the form decoder builds it: text leaves under ordered bracket levels.
//!
//! The handler reads its fields straight from this tree, moving each text out, rather than
//! through a `serde_json::Value`, which would cost a hashed map per level and a copy of every
//! field read. JSON bodies are brought into the same tree, so both read alike.

use indexmap::IndexMap;
use serde_json::{Map, Value};

/// A value of the tree.
#[derive(Debug)]
pub(crate) enum Node {
    /// Text, as every form value is; JSON numbers and booleans are read as their text.
    Text(String),
    /// JSON `null`; a form has none.
    Null,
    /// A bracket level (`a[b]`, `a[0]`), or a JSON object or array.
    Level(Level),
}

/// PHP's ordered array; `next` is the key `[]` appends at.
#[derive(Debug, Default)]
pub(crate) struct Level {
    entries: Entries,
    next: u64,
}

/// A level's keys in request order. Real requests have a few dozen keys per level, found
/// faster by a scan than by hashing; a level that grows past that is indexed, so that a hostile
/// body with thousands of keys still costs one lookup per field.
#[derive(Debug)]
enum Entries {
    Few(Vec<(String, Node)>),
    Many(IndexMap<String, Node>),
}

impl Default for Entries {
    fn default() -> Self {
        Entries::Few(Vec::new())
    }
}

/// Most keys a level holds before it is indexed.
const SCANNED_KEYS: usize = 32;

impl Entries {
    fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match self {
            // Newest first: the fields of one level (`auth[...]`) come one after another.
            Entries::Few(entries) => entries.iter_mut().rev().find(|(k, _)| k == key).map(|(_, node)| node),
            Entries::Many(entries) => entries.get_mut(key),
        }
    }

    fn push(&mut self, key: String, node: Node) {
        match self {
            Entries::Few(entries) if entries.len() < SCANNED_KEYS => entries.push((key, node)),
            Entries::Few(entries) => {
                let mut indexed: IndexMap<String, Node> = std::mem::take(entries).into_iter().collect();
                indexed.insert(key, node);
                *self = Entries::Many(indexed);
            }
            Entries::Many(entries) => {
                entries.insert(key, node);
            }
        }
    }

    fn len(&self) -> usize {
        match self {
            Entries::Few(entries) => entries.len(),
            Entries::Many(entries) => entries.len(),
        }
    }

    /// Whether the keys are `0, 1, …` in order.
    fn is_list(&self) -> bool {
        match self {
            Entries::Few(entries) => {
                !entries.is_empty() && entries.iter().enumerate().all(|(i, (k, _))| is_index(k, i))
            }
            Entries::Many(entries) => entries.keys().enumerate().all(|(i, k)| is_index(k, i)),
        }
    }

    fn into_vec(self) -> Vec<(String, Node)> {
        match self {
            Entries::Few(entries) => entries,
            Entries::Many(entries) => entries.into_iter().collect(),
        }
    }
}

/// Why a field could not be filed at its place in the tree.
#[derive(Debug)]
pub(crate) enum Clash {
    /// The key holds a value already.
    Duplicate,
    /// The key is both a value and a level.
    Conflict,
}

impl Level {
    /// An empty level with room for `capacity` keys before it grows.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Level { entries: Entries::Few(Vec::with_capacity(capacity.min(SCANNED_KEYS))), next: 0 }
    }

    /// Files `value` under the segments `path` of `key` (byte ranges of `key`); an empty
    /// segment appends after the largest integer key so far, as PHP does.
    pub(crate) fn insert(&mut self, key: &str, path: &[std::ops::Range<usize>], value: String) -> Result<(), Clash> {
        let (first, rest) = path.split_first().expect("a key path has a base");
        let segment = &key[first.clone()];
        let appended;
        let segment = if segment.is_empty() {
            appended = self.next.to_string();
            appended.as_str()
        } else {
            segment
        };
        if segment.as_bytes().first().is_some_and(|b| b.is_ascii_digit() || *b == b'+')
            && let Ok(index) = segment.parse::<u64>()
        {
            self.next = self.next.max(index.saturating_add(1));
        }
        match (self.entries.get_mut(segment), rest.is_empty()) {
            (Some(Node::Text(_) | Node::Null), true) => Err(Clash::Duplicate),
            (Some(Node::Text(_) | Node::Null), false) | (Some(Node::Level(_)), true) => Err(Clash::Conflict),
            (Some(Node::Level(level)), false) => level.insert(key, rest, value),
            (None, true) => {
                self.entries.push(segment.to_owned(), Node::Text(value));
                Ok(())
            }
            (None, false) => {
                let mut level = Level::default();
                level.insert(key, rest, value)?;
                self.entries.push(segment.to_owned(), Node::Level(level));
                Ok(())
            }
        }
    }

    /// Moves the value of `key` out of the level, leaving `null` in its place.
    pub(crate) fn take(&mut self, key: &str) -> Option<Node> {
        self.entries.get_mut(key).map(|node| std::mem::replace(node, Node::Null))
    }

    /// Whether the level has no keys.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    /// Whether the keys are `0, 1, …` in order, as a JSON array's are.
    pub(crate) fn is_list(&self) -> bool {
        self.entries.is_list()
    }

    /// The keys and values in request order.
    pub(crate) fn into_entries(self) -> Vec<(String, Node)> {
        self.entries.into_vec()
    }

    /// The values read as a list: by index when every key is one (so that `a[1]=x&a[0]=y`
    /// reads as `[y, x]`, whatever the field order), else in request order.
    pub(crate) fn into_items(self) -> Vec<Node> {
        if self.entries.is_list() {
            return self.entries.into_vec().into_iter().map(|(_, node)| node).collect();
        }
        let entries = self.entries.into_vec();
        if entries.iter().all(|(key, _)| key.parse::<u64>().is_ok()) {
            let mut indexed: Vec<(u64, Node)> =
                entries.into_iter().map(|(key, node)| (key.parse().unwrap_or_default(), node)).collect();
            indexed.sort_by_key(|(index, _)| *index);
            indexed.into_iter().map(|(_, node)| node).collect()
        } else {
            entries.into_iter().map(|(_, node)| node).collect()
        }
    }

    /// The level as a JSON object, its sub-levels as arrays where their keys are `0, 1, …`.
    pub(crate) fn into_map(self) -> Map<String, Value> {
        let entries = self.entries.into_vec();
        let mut map = Map::with_capacity(entries.len());
        for (key, node) in entries {
            map.insert(key, node.into_value());
        }
        map
    }

    /// A JSON object as a level.
    pub(crate) fn from_object(map: Map<String, Value>) -> Level {
        let mut level = Level::default();
        map.into_iter().for_each(|(key, value)| level.entries.push(key, Node::from(value)));
        level
    }

    /// A JSON array as a level: its items under `0, 1, …`.
    fn from_array(items: Vec<Value>) -> Level {
        let mut level = Level::default();
        for (i, item) in items.into_iter().enumerate() {
            level.entries.push(i.to_string(), Node::from(item));
        }
        level
    }
}

impl Node {
    fn into_value(self) -> Value {
        match self {
            Node::Text(text) => Value::String(text),
            Node::Null => Value::Null,
            Node::Level(level) if level.entries.is_list() => {
                Value::Array(level.entries.into_vec().into_iter().map(|(_, node)| node.into_value()).collect())
            }
            Node::Level(level) => Value::Object(level.into_map()),
        }
    }
}

impl From<Value> for Node {
    fn from(value: Value) -> Self {
        match value {
            Value::Null => Node::Null,
            Value::String(text) => Node::Text(text),
            Value::Number(n) => Node::Text(n.to_string()),
            Value::Bool(b) => Node::Text(if b { "Y" } else { "N" }.to_owned()),
            Value::Object(map) => Node::Level(Level::from_object(map)),
            Value::Array(items) => Node::Level(Level::from_array(items)),
        }
    }
}

/// Whether `key` is `index` written in decimal, as `index.to_string()` would be.
fn is_index(key: &str, index: usize) -> bool {
    let canonical = key == "0" || (!key.starts_with('0') && !key.is_empty());
    canonical && key.bytes().all(|b| b.is_ascii_digit()) && key.parse::<usize>().is_ok_and(|k| k == index)
}
