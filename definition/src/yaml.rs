//! Reading `marked-yaml` nodes: locations, and the YAML 1.2 core-schema types of plain scalars.

use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use marked_yaml::{LoadError, LoaderOptions, Node};
use serde_json::{Map, Number, Value};

use crate::{Location, Problem};

/// Parses one YAML document whose top level is a mapping. Duplicate keys are errors; plain
/// and quoted scalars stay apart, so that `"1"` is a string and `1` a number.
pub(crate) fn load(text: &str, file: &str) -> Result<MarkedMappingNode, Problem> {
    if let Some(line) = second_document(text) {
        let message = "a definition file holds one YAML document: remove this `---` and what follows, or the `...`";
        return Err(Problem::new(file, Some(Location { line, column: 1 }), message));
    }
    if let Some(line) = too_deep(text) {
        let message = format!("the YAML is nested deeper than {MAX_BLOCK_DEPTH} levels; a definition needs a handful");
        return Err(Problem::new(file, Some(Location { line, column: 1 }), message));
    }
    let options = LoaderOptions::default().error_on_duplicate_keys(true).prevent_coercion(true);
    match marked_yaml::parse_yaml_with_options(0, text, options) {
        Ok(Node::Mapping(mut map)) => {
            locate_empty_values(&mut map);
            Ok(map)
        }
        Ok(other) => Err(Problem::new(file, Some(node_location(&other)), TOP_LEVEL)),
        Err(error) => Err(load_error(file, &error)),
    }
}

/// Block nesting the parser is given at most: it recurses once per level and a few hundred
/// levels exhaust the stack (of a compiler run, too, where the derives read definitions).
const MAX_BLOCK_DEPTH: usize = 128;

/// The first line whose indentation and leading `- ` markers could nest deeper than
/// [`MAX_BLOCK_DEPTH`]: every block level takes at least one column or one `-`.
fn too_deep(text: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let mut depth = 0;
            let mut rest = line;
            loop {
                let trimmed = rest.trim_start_matches([' ', '\t']);
                depth += rest.len() - trimmed.len();
                match trimmed.strip_prefix('-') {
                    Some(after) if after.is_empty() || after.starts_with([' ', '\t']) => {
                        depth += 1;
                        rest = after;
                    }
                    _ => break,
                }
            }
            depth > MAX_BLOCK_DEPTH
        })
        .map(|index| index + 1)
}

/// The line of a document marker (`---` or `...` at the start of a line) that has content both
/// before and after it: the parser would read the first document and silently drop the rest.
fn second_document(text: &str) -> Option<usize> {
    let is_marker = |line: &str| {
        ["---", "..."]
            .iter()
            .any(|m| line.strip_prefix(m).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t'])))
    };
    let has_content = |line: &str| {
        let line = if is_marker(line) { &line[3..] } else { line };
        let trimmed = line.trim_start_matches('\u{feff}').trim();
        !trimmed.is_empty() && !trimmed.starts_with('#') && !line.starts_with('%')
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut content_before = false;
    for (n, line) in lines.iter().enumerate() {
        if is_marker(line) && content_before && lines[n..].iter().any(|l| has_content(l)) {
            return Some(n + 1);
        }
        content_before |= has_content(line);
    }
    None
}

const TOP_LEVEL: &str = "a definition must be a YAML mapping of keys such as CODE, NAME and PROPERTIES";

fn load_error(file: &str, error: &LoadError) -> Problem {
    let at = |marker: &marked_yaml::Marker| Some(Location::of_marker(Some(marker)));
    match error {
        LoadError::TopLevelMustBeMapping(m) | LoadError::TopLevelMustBeSequence(m) => {
            Problem::new(file, at(m), TOP_LEVEL)
        }
        LoadError::UnexpectedAnchor(m) => {
            Problem::new(file, at(m), "YAML anchors and aliases are not supported in definitions")
        }
        LoadError::MappingKeyMustBeScalar(m) => {
            Problem::new(file, at(m), "a mapping key must be a plain value, not a list or a mapping")
        }
        LoadError::UnexpectedTag(m) => {
            Problem::new(file, at(m), "YAML tags (`!name`) are not supported in definitions")
        }
        LoadError::ScanError(m, e) => Problem::new(file, at(m), format!("YAML syntax error: {}", e.info())),
        LoadError::DuplicateKey(inner) => {
            let first = scalar_location(&inner.prev_key);
            Problem::new(
                file,
                Some(scalar_location(&inner.key)),
                format!("duplicate key `{}` (first at {first})", inner.key.as_str()),
            )
        }
    }
}

/// The parser places an empty value (`CODE:` and nothing) at the next token, often on the
/// next line; place it at its key instead.
fn locate_empty_values(map: &mut MarkedMappingNode) {
    for (key, value) in map.iter_mut() {
        match value {
            Node::Scalar(scalar) if scalar.as_str().is_empty() && scalar.may_coerce() => {
                scalar.span_mut().set_start(key.span().start().copied());
            }
            Node::Scalar(_) => {}
            Node::Mapping(inner) => locate_empty_values(inner),
            Node::Sequence(items) => {
                for item in items.iter_mut() {
                    if let Node::Mapping(inner) = item {
                        locate_empty_values(inner);
                    }
                }
            }
        }
    }
}

pub(crate) fn node_location(node: &Node) -> Location {
    match node {
        Node::Mapping(map) => mapping_location(map),
        other => Location::of_marker(other.span().start()),
    }
}

pub(crate) fn scalar_location(node: &MarkedScalarNode) -> Location {
    Location::of_marker(node.span().start())
}

/// A flow mapping starts at its `{`; the parser places a block mapping at its first `:`, so
/// the first key is where it starts then.
pub(crate) fn mapping_location(node: &MarkedMappingNode) -> Location {
    let start = Location::of_marker(node.span().start());
    node.keys().next().map_or(start, |key| start.min(scalar_location(key)))
}

/// A scalar as YAML 1.2's core schema types it: quoted scalars are strings; plain ones may be
/// null, a boolean, an integer or a float.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    /// A float JSON cannot carry: `.inf`, `.nan`.
    NonFinite,
    Str(&'a str),
}

pub(crate) fn scalar(node: &MarkedScalarNode) -> Scalar<'_> {
    let text = node.as_str();
    if !node.may_coerce() {
        return Scalar::Str(text);
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF" | ".nan" | ".NaN"
        | ".NAN" => return Scalar::NonFinite,
        _ => {}
    }
    if is_decimal_int(text) {
        if let Ok(n) = text.parse::<i64>() {
            return Scalar::Int(n);
        }
        if let Ok(n) = text.trim_start_matches('+').parse::<u64>() {
            return Scalar::UInt(n);
        }
        return text.parse::<f64>().map_or(Scalar::Str(text), Scalar::Float);
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8)] {
        if let Some(digits) = text.strip_prefix(prefix)
            && !digits.is_empty()
            && let Ok(n) = u64::from_str_radix(digits, radix)
        {
            return i64::try_from(n).map_or(Scalar::UInt(n), Scalar::Int);
        }
    }
    if is_float(text)
        && let Ok(n) = text.parse::<f64>()
    {
        return Scalar::Float(n);
    }
    Scalar::Str(text)
}

/// `[-+]?[0-9]+`
fn is_decimal_int(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            whole.bytes().all(|b| b.is_ascii_digit())
                && fraction.bytes().all(|b| b.is_ascii_digit())
                && !(whole.is_empty() && fraction.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(is_decimal_int);
    mantissa_ok && exponent_ok
}

/// The JSON of a scalar, or `None` for `.inf`/`.nan`.
pub(crate) fn scalar_json(node: &MarkedScalarNode) -> Option<Value> {
    Some(match scalar(node) {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => Value::Bool(b),
        Scalar::Int(n) => n.into(),
        Scalar::UInt(n) => n.into(),
        Scalar::Float(n) => Value::Number(Number::from_f64(n)?),
        Scalar::NonFinite => return None,
        Scalar::Str(text) => Value::String(text.to_owned()),
    })
}

/// The JSON of any node; the location of the first `.inf`/`.nan` on failure.
pub(crate) fn to_json(node: &Node) -> Result<Value, Location> {
    Ok(match node {
        Node::Scalar(scalar) => scalar_json(scalar).ok_or_else(|| scalar_location(scalar))?,
        Node::Sequence(items) => Value::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Node::Mapping(map) => {
            let mut out = Map::new();
            for (key, value) in map.iter() {
                out.insert(key.as_str().to_owned(), to_json(value)?);
            }
            Value::Object(out)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(yaml: &str) -> Value {
        let map = load(&format!("v: {yaml}\n"), "t.yaml").unwrap();
        to_json(map.get_node("v").unwrap()).unwrap()
    }

    #[test]
    fn plain_scalars_get_core_schema_types() {
        assert_eq!(typed("null"), Value::Null);
        assert_eq!(typed("~"), Value::Null);
        assert_eq!(typed(""), Value::Null);
        assert_eq!(typed("true"), Value::Bool(true));
        assert_eq!(typed("FALSE"), Value::Bool(false));
        assert_eq!(typed("42"), serde_json::json!(42));
        assert_eq!(typed("-7"), serde_json::json!(-7));
        assert_eq!(typed("0x1F"), serde_json::json!(31));
        assert_eq!(typed("0o17"), serde_json::json!(15));
        assert_eq!(typed("18446744073709551615"), serde_json::json!(u64::MAX));
        assert_eq!(typed("100000.0"), serde_json::json!(100_000.0));
        assert_eq!(typed("1e3"), serde_json::json!(1000.0));
        assert_eq!(typed(".5"), serde_json::json!(0.5));
        // YAML 1.1 booleans are strings in 1.2, as Bitrix24's flags need them.
        assert_eq!(typed("Y"), serde_json::json!("Y"));
        assert_eq!(typed("yes"), serde_json::json!("yes"));
        assert_eq!(typed("1.2.3"), serde_json::json!("1.2.3"));
        assert_eq!(typed("e5"), serde_json::json!("e5"));
        assert_eq!(typed("."), serde_json::json!("."));
    }

    #[test]
    fn quoted_scalars_are_strings() {
        assert_eq!(typed("'1'"), serde_json::json!("1"));
        assert_eq!(typed("\"true\""), serde_json::json!("true"));
        assert_eq!(typed("\"null\""), serde_json::json!("null"));
        assert_eq!(typed("''"), serde_json::json!(""));
    }

    #[test]
    fn collections_keep_their_order() {
        assert_eq!(typed("[1, a, {b: 2, a: 1}]"), serde_json::json!([1, "a", {"b": 2, "a": 1}]));
    }

    #[test]
    fn non_finite_floats_have_no_json() {
        let map = load("v: [1, .inf]\n", "t.yaml").unwrap();
        assert_eq!(to_json(map.get_node("v").unwrap()), Err(Location { line: 1, column: 8 }));
    }
}
