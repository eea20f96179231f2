//! Property tests of the YAML loader: no text makes `Definition::from_str` panic (arbitrary
//! strings, soups of YAML fragments and definition keys, valid definitions cut or spliced), and
//! a generated valid definition loads without problems, with every generated id, type and
//! option in its `bizproc.robot.add` payload.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use bizproc_definition::{BUILT_IN_TYPES, Definition, RESERVED_IDS};
use proptest::prelude::*;
use serde_json::Value;

const HANDLER: &str = "https://app.example.com/robots/generated";

/// Loads `text` and uses whatever comes out: the payload of a definition, the text of every
/// problem. Neither may panic.
fn load(text: &str) {
    match Definition::from_str(text, "prop.yaml") {
        Ok(definition) => {
            let _ = definition.add_payload(Some(HANDLER));
            let _ = definition.add_payload(None);
        }
        Err(problems) => {
            for problem in &problems {
                assert!(!problem.to_string().is_empty());
            }
            assert!(!problems.to_string().is_empty());
        }
    }
    let _ = bizproc_definition::yaml_to_json(text, "prop.yaml");
}

// ---------------------------------------------------------------------------------------------
// Hostile text
// ---------------------------------------------------------------------------------------------

/// Pieces of YAML and of the definition format, to be glued together at random.
const FRAGMENTS: &[&str] = &[
    "CODE",
    "code",
    "NAME",
    "Name",
    "DESCRIPTION",
    "PROPERTIES",
    "RETURN_PROPERTIES",
    "Type",
    "type",
    "Options",
    "Default",
    "Required",
    "Multiple",
    "HANDLER",
    "USE_SUBSCRIPTION",
    "AUTH_USER_ID",
    "DOCUMENT_TYPE",
    "FILTER",
    "INCLUDE",
    "EXCLUDE",
    "USE_PLACEMENT",
    "PLACEMENT_HANDLER",
    "kind",
    "activity",
    "robot",
    "auth",
    "select",
    "string",
    "int",
    "double",
    "bool",
    "date",
    "user",
    "UF:address",
    "b24",
    "box",
    "en",
    "ru",
    "Y",
    "N",
    "true",
    "false",
    "null",
    "~",
    "0",
    "-1",
    "42",
    "1.5",
    "1e999",
    ".inf",
    ".nan",
    "0x1F",
    "99999999999999999999999",
    ":",
    ": ",
    ":\n",
    "{",
    "}",
    "[",
    "]",
    "{}",
    "[]",
    ",",
    "-",
    "- ",
    "\n",
    "\n  ",
    "\n    ",
    "\n- ",
    "  ",
    "    ",
    "\t",
    "'",
    "\"",
    "''",
    "\"\\u00e9\"",
    "\"\\x\"",
    "&a ",
    "*a",
    "&a",
    "*",
    "!!str ",
    "!!map ",
    "!tag ",
    "#",
    " # c",
    "---\n",
    "...\n",
    "|\n",
    ">-\n",
    "? ",
    "\\",
    "%YAML 1.2\n",
    "<<: ",
    "é",
    "Проверка",
    "\u{feff}",
    "\r\n",
    "\0",
    "x",
    "abc",
    "https://a.example.com/h",
    "http://localhost/",
    "a b",
    "IsTimeout",
    "Title",
];

fn fragment_soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..60).prop_map(|parts| parts.concat())
}

/// A definition line by line from fragments: `key: value` pairs at random indentation, so
/// that the soup often is a YAML mapping and reaches the definition rules.
fn line_soup() -> impl Strategy<Value = String> {
    let line = (0..4usize, proptest::sample::select(FRAGMENTS), proptest::sample::select(FRAGMENTS), any::<bool>())
        .prop_map(|(indent, key, value, dash)| {
            format!("{}{}{key}: {value}", "  ".repeat(indent), if dash { "- " } else { "" })
        });
    proptest::collection::vec(line, 0..16).prop_map(|lines| lines.join("\n"))
}

// ---------------------------------------------------------------------------------------------
// Valid definitions
// ---------------------------------------------------------------------------------------------

/// One property as generated: its id, type, flags and options.
#[derive(Debug, Clone)]
struct Generated {
    id: String,
    name: String,
    type_name: String,
    required: bool,
    multiple: bool,
    options: Vec<(String, String)>,
}

/// A valid definition as generated.
#[derive(Debug, Clone)]
struct GeneratedDefinition {
    code: String,
    name: String,
    /// Top-level and descriptor keys in lower case (the format ignores their case).
    lower_keys: bool,
    properties: Vec<Generated>,
    return_properties: Vec<Generated>,
}

fn text() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 .,()-]{0,24}"
}

fn type_name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => proptest::sample::select(&BUILT_IN_TYPES[..]).prop_map(str::to_owned),
        1 => "[A-Z]{1,4}:[a-z][a-z_]{0,10}",
    ]
}

fn options() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::btree_map("[a-z][a-z0-9_]{0,8}", text(), 1..4).prop_map(|map| map.into_iter().collect())
}

/// A property with `id`: options only for `select`, which needs them.
fn property(id: String) -> impl Strategy<Value = Generated> {
    (text(), type_name(), any::<bool>(), any::<bool>(), options()).prop_map(
        move |(name, type_name, required, multiple, options)| {
            let options = if type_name == "select" { options } else { Vec::new() };
            Generated { id: id.clone(), name, type_name, required, multiple, options }
        },
    )
}

fn properties(ids: Vec<String>) -> BoxedStrategy<Vec<Generated>> {
    ids.into_iter().map(property).collect::<Vec<_>>().boxed()
}

/// Ids within the rules: distinct ignoring case (across inputs and returns too), none reserved.
fn ids() -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
    proptest::collection::vec(("[A-Za-z][A-Za-z0-9_]{0,15}", any::<bool>()), 0..10).prop_map(|candidates| {
        let mut seen = BTreeSet::new();
        let (mut inputs, mut returns) = (Vec::new(), Vec::new());
        for (id, is_input) in candidates {
            let reserved = RESERVED_IDS.iter().any(|r| r.eq_ignore_ascii_case(&id));
            if reserved || !seen.insert(id.to_ascii_lowercase()) {
                continue;
            }
            if is_input { inputs.push(id) } else { returns.push(id) }
        }
        (inputs, returns)
    })
}

fn definition() -> impl Strategy<Value = GeneratedDefinition> {
    ("[A-Za-z0-9._-]{1,40}", text(), any::<bool>(), ids()).prop_flat_map(
        |(code, name, lower_keys, (inputs, returns))| {
            (properties(inputs), properties(returns)).prop_map(move |(properties, return_properties)| {
                GeneratedDefinition {
                    code: code.clone(),
                    name: name.clone(),
                    lower_keys,
                    properties,
                    return_properties,
                }
            })
        },
    )
}

/// A YAML single-quoted scalar.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl GeneratedDefinition {
    fn key(&self, key: &str) -> String {
        if self.lower_keys { key.to_ascii_lowercase() } else { key.to_owned() }
    }

    fn yaml(&self) -> String {
        let flag = |on: bool| if on { "Y" } else { "N" };
        let mut out =
            format!("{}: {}\n{}: {}\n", self.key("CODE"), quoted(&self.code), self.key("NAME"), quoted(&self.name));
        for (key, set) in [("PROPERTIES", &self.properties), ("RETURN_PROPERTIES", &self.return_properties)] {
            if set.is_empty() {
                continue;
            }
            writeln!(out, "{}:", self.key(key)).expect("writing to a String");
            for p in set {
                writeln!(out, "  {}:", quoted(&p.id)).expect("writing to a String");
                writeln!(out, "    {}: {}", self.key("Name"), quoted(&p.name)).expect("writing to a String");
                writeln!(out, "    {}: {}", self.key("Type"), quoted(&p.type_name)).expect("writing to a String");
                writeln!(out, "    {}: {}", self.key("Required"), flag(p.required)).expect("writing to a String");
                writeln!(out, "    {}: {}", self.key("Multiple"), flag(p.multiple)).expect("writing to a String");
                if !p.options.is_empty() {
                    writeln!(out, "    {}:", self.key("Options")).expect("writing to a String");
                    for (option, label) in &p.options {
                        writeln!(out, "      {}: {}", quoted(option), quoted(label)).expect("writing to a String");
                    }
                }
            }
        }
        out
    }
}

/// Asserts that `payload[key]` holds exactly the generated properties, as generated.
fn assert_descriptors(payload: &Value, key: &str, generated: &[Generated]) -> Result<(), TestCaseError> {
    if generated.is_empty() {
        prop_assert!(payload.get(key).is_none(), "{key} is left out when empty: {payload}");
        return Ok(());
    }
    let descriptors = payload[key].as_object().ok_or_else(|| TestCaseError::fail(format!("{key} is a map")))?;
    let ids: Vec<&str> = descriptors.keys().map(String::as_str).collect();
    let expected: Vec<&str> = generated.iter().map(|p| p.id.as_str()).collect();
    prop_assert_eq!(ids, expected, "every id, in order");
    for p in generated {
        let descriptor = &descriptors[&p.id];
        prop_assert_eq!(&descriptor["Name"], &Value::String(p.name.clone()));
        prop_assert_eq!(&descriptor["Type"], &Value::String(p.type_name.clone()));
        prop_assert_eq!(&descriptor["Required"], if p.required { "Y" } else { "N" });
        prop_assert_eq!(&descriptor["Multiple"], if p.multiple { "Y" } else { "N" });
        if p.options.is_empty() {
            prop_assert!(descriptor.get("Options").is_none(), "{descriptor}");
        } else {
            let options: Vec<(String, Value)> = descriptor["Options"]
                .as_object()
                .ok_or_else(|| TestCaseError::fail("Options is a map"))?
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let expected: Vec<(String, Value)> =
                p.options.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
            prop_assert_eq!(options, expected);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_string_makes_the_loader_panic(text in any::<String>()) {
        load(&text);
    }

    #[test]
    fn no_fragment_soup_makes_the_loader_panic(text in fragment_soup()) {
        load(&text);
    }

    #[test]
    fn no_line_soup_makes_the_loader_panic(text in line_soup()) {
        load(&text);
    }

    #[test]
    fn a_generated_definition_loads_with_every_id(generated in definition()) {
        let yaml = generated.yaml();
        let definition = match Definition::from_str(&yaml, "generated.yaml") {
            Ok(definition) => definition,
            Err(problems) => return Err(TestCaseError::fail(format!("{problems}\nin:\n{yaml}"))),
        };
        prop_assert_eq!(definition.code().value.as_str(), generated.code.as_str());
        for p in &generated.properties {
            prop_assert!(definition.property(&p.id).is_some(), "input `{}` in:\n{}", p.id, yaml);
        }
        for p in &generated.return_properties {
            prop_assert!(definition.return_property(&p.id).is_some(), "return `{}` in:\n{}", p.id, yaml);
        }
        let payload = definition.add_payload(Some(HANDLER)).map_err(|e| TestCaseError::fail(format!("{e}\nin:\n{yaml}")))?;
        prop_assert_eq!(&payload["CODE"], &Value::String(generated.code.clone()));
        prop_assert_eq!(&payload["HANDLER"], HANDLER);
        prop_assert_eq!(&payload["NAME"], &Value::String(generated.name.clone()));
        assert_descriptors(&payload, "PROPERTIES", &generated.properties)?;
        assert_descriptors(&payload, "RETURN_PROPERTIES", &generated.return_properties)?;
    }

    #[test]
    fn a_valid_definition_cut_or_spliced_does_not_panic(
        generated in definition(),
        cut in any::<prop::sample::Index>(),
        insert in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 1..4),
    ) {
        let yaml = generated.yaml();
        let boundaries: Vec<usize> = yaml.char_indices().map(|(i, _)| i).chain([yaml.len()]).collect();
        let at = boundaries[cut.index(boundaries.len())];
        load(&yaml[..at]);
        load(&format!("{}{}{}", &yaml[..at], insert.concat(), &yaml[at..]));
    }
}

/// `k:` nested `depth` levels deep by indentation.
fn indented(depth: usize) -> String {
    (0..depth).map(|level| " ".repeat(level) + "k:\n").collect()
}

/// Deep flow nesting is refused or read, not a stack overflow; so is block nesting a few
/// hundred levels deep.
#[test]
fn deep_nesting_does_not_panic() {
    for depth in [64, 1_000, 10_000] {
        load(&format!("CODE: {}{}", "[".repeat(depth), "]".repeat(depth)));
        load(&format!("CODE: {}", "{a: ".repeat(depth)));
    }
    for depth in [64, 256] {
        load(&"- ".repeat(depth));
        load(&indented(depth));
    }
}

/// Block collections nested ~800+ deep overflow the stack inside `marked_yaml::parse_yaml`;
/// the loader refuses deep nesting before the parser sees it.
#[test]
fn deep_block_nesting_does_not_overflow_the_stack() {
    for text in ["- ".repeat(10_000), indented(10_000)] {
        let problems = Definition::from_str(&text, "deep.yaml").unwrap_err();
        assert!(problems.to_string().contains("nested deeper than"), "{problems}");
    }
}
