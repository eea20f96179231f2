//! YAML to [`Definition`], applying every rule and collecting every problem.

use marked_yaml::Node;
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use serde_json::Value;

use crate::model::{Filter, FilterRule, Kind, Localized, Property, SelectOption};
use crate::yaml::{Scalar, node_location, scalar, scalar_location};
use crate::{
    BUILT_IN_TYPES, CODE_LIMIT, Definition, Location, Problem, Problems, RESERVED_IDS, STORED_PROPERTIES_LIMIT,
    Spanned, rules, stored_size, yaml,
};

/// The top-level keys, in their canonical spelling; matched ignoring case.
const TOP_KEYS: [&str; 14] = [
    "KIND",
    "CODE",
    "NAME",
    "DESCRIPTION",
    "HANDLER",
    "AUTH_USER_ID",
    "USE_SUBSCRIPTION",
    "PROPERTIES",
    "RETURN_PROPERTIES",
    "DOCUMENT_TYPE",
    "FILTER",
    "USE_PLACEMENT",
    "PLACEMENT_HANDLER",
    // The access token of a pasted REST call: accepted and ignored.
    "AUTH",
];

/// Descriptor keys, in their canonical spelling; matched ignoring case.
const DESCRIPTOR_KEYS: [&str; 7] = ["Name", "Description", "Type", "Required", "Multiple", "Options", "Default"];

const FILTER_KEYS: [&str; 2] = ["INCLUDE", "EXCLUDE"];

pub(crate) fn parse(text: &str, file: String) -> Result<Definition, Problems> {
    let root = yaml::load(text, &file).map_err(Problems::from)?;
    let mut cx = Cx { file, problems: Vec::new() };
    let definition = cx.definition(&root);
    if cx.problems.is_empty() { Ok(definition) } else { Err(Problems::new(cx.problems)) }
}

struct Cx {
    file: String,
    problems: Vec<Problem>,
}

/// The entries of a mapping, under their canonical keys.
struct Entries<'a> {
    entries: Vec<(&'static str, &'a MarkedScalarNode, &'a Node)>,
}

impl<'a> Entries<'a> {
    fn get(&self, key: &str) -> Option<(Location, &'a Node)> {
        self.entries.iter().find(|(k, _, _)| *k == key).map(|(_, key, node)| (scalar_location(key), *node))
    }
}

impl Cx {
    fn error(&mut self, location: Location, message: impl Into<String>) {
        self.problems.push(Problem::new(self.file.clone(), Some(location), message));
    }

    /// Splits `map` by `known` keys (ignoring case); reports unknown and repeated keys.
    fn entries<'a>(&mut self, map: &'a MarkedMappingNode, known: &[&'static str], what: &str) -> Entries<'a> {
        let mut entries: Vec<(&'static str, &'a MarkedScalarNode, &'a Node)> = Vec::new();
        for (key, value) in map.iter() {
            let at = scalar_location(key);
            let Some(canonical) = known.iter().copied().find(|k| k.eq_ignore_ascii_case(key.as_str())) else {
                let expected: Vec<&str> =
                    known.iter().filter(|k| **k != "AUTH").map(|k| if *k == "KIND" { "kind" } else { k }).collect();
                let expected = expected.join(", ");
                self.error(at, format!("unknown key `{}` {what}: expected one of {expected}", key.as_str()));
                continue;
            };
            if let Some((_, first, _)) = entries.iter().find(|(k, _, _)| *k == canonical) {
                let message = format!(
                    "key `{}` repeats `{}` (at {}): keys are matched ignoring case",
                    key.as_str(),
                    first.as_str(),
                    scalar_location(first)
                );
                self.error(at, message);
                continue;
            }
            entries.push((canonical, key, value));
        }
        Entries { entries }
    }

    fn definition(&mut self, root: &MarkedMappingNode) -> Definition {
        // Keys left out are reported at (and defaults located at) the top of the file.
        let top = Location::START;
        let entries = self.entries(root, &TOP_KEYS, "at the top level");

        let kind = match entries.get("KIND") {
            Some((_, node)) => self.kind(node),
            None => Spanned::new(Kind::Robot, top),
        };
        let code = if let Some((_, node)) = entries.get("CODE") {
            self.code(node)
        } else {
            self.error(top, "CODE is missing");
            Spanned::new(String::new(), top)
        };
        let name = if let Some((_, node)) = entries.get("NAME") {
            self.localized("NAME", node)
        } else {
            self.error(top, "NAME is missing");
            Spanned::new(Localized::Text(String::new()), top)
        };
        let description = entries.get("DESCRIPTION").map(|(_, node)| self.localized("DESCRIPTION", node));
        let handler = entries.get("HANDLER").map(|(_, node)| self.url("HANDLER", node));
        let auth_user_id = entries.get("AUTH_USER_ID").and_then(|(_, node)| self.auth_user_id(node));
        let use_subscription = match entries.get("USE_SUBSCRIPTION") {
            Some((_, node)) => self.flag("USE_SUBSCRIPTION", node),
            None => Spanned::new(true, top),
        };
        let properties = self.property_set(&entries, "PROPERTIES");
        let return_properties = self.property_set(&entries, "RETURN_PROPERTIES");
        self.shared_ids(&properties, &return_properties);
        let document_type = entries.get("DOCUMENT_TYPE").and_then(|(_, node)| self.document_type(node, kind.value));
        let filter = entries.get("FILTER").and_then(|(_, node)| self.filter(node));
        let use_placement = match entries.get("USE_PLACEMENT") {
            Some((_, node)) => self.flag("USE_PLACEMENT", node),
            None => Spanned::new(false, top),
        };
        let placement_handler = entries.get("PLACEMENT_HANDLER").map(|(_, node)| self.url("PLACEMENT_HANDLER", node));
        if use_placement.value && placement_handler.is_none() {
            self.error(use_placement.location, "USE_PLACEMENT is Y but PLACEMENT_HANDLER is not set");
        }
        Definition {
            file: self.file.clone(),
            kind,
            code,
            name,
            description,
            handler,
            auth_user_id,
            use_subscription,
            properties,
            return_properties,
            document_type,
            filter,
            use_placement,
            placement_handler,
        }
    }

    // ----------------------------------------------------------------------------------------
    // Scalars
    // ----------------------------------------------------------------------------------------

    /// The text of a non-null scalar: strings, and numbers and booleans as written.
    fn text(&mut self, what: &str, node: &Node) -> Option<Spanned<String>> {
        let at = node_location(node);
        match node {
            Node::Scalar(s) if !matches!(scalar(s), Scalar::Null | Scalar::Str("")) => {
                Some(Spanned::new(s.as_str().to_owned(), at))
            }
            Node::Scalar(_) => {
                self.error(at, format!("{what} is empty"));
                None
            }
            Node::Sequence(_) | Node::Mapping(_) => {
                self.error(at, format!("{what} must be a text, not a list or a mapping"));
                None
            }
        }
    }

    fn kind(&mut self, node: &Node) -> Spanned<Kind> {
        let at = node_location(node);
        let kind = match self.text("kind", node) {
            Some(text) if text.value == "robot" => Kind::Robot,
            Some(text) if text.value == "activity" => Kind::Activity,
            Some(text) => {
                self.error(at, format!("kind `{}` must be `robot` or `activity`", text.value.escape_debug()));
                Kind::Robot
            }
            None => Kind::Robot,
        };
        Spanned::new(kind, at)
    }

    fn code(&mut self, node: &Node) -> Spanned<String> {
        let at = node_location(node);
        let code = self.text("CODE", node).unwrap_or_else(|| Spanned::new(String::new(), at));
        if !code.value.is_empty() && !rules::code_is_valid(&code.value) {
            let message = format!(
                "CODE `{}` must be 1 to {CODE_LIMIT} characters of A-Z, a-z, 0-9, `.`, `_`, `-`",
                rules::shorten(&code.value).escape_debug()
            );
            self.error(at, message);
        }
        code
    }

    fn url(&mut self, key: &str, node: &Node) -> Spanned<String> {
        let at = node_location(node);
        let url = self.text(key, node).unwrap_or_else(|| Spanned::new(String::new(), at));
        if !url.value.is_empty()
            && let Some(reason) = rules::handler_url(&url.value)
        {
            self.error(at, format!("{key} `{}` {reason}", rules::shorten(&url.value).escape_debug()));
        }
        url
    }

    fn auth_user_id(&mut self, node: &Node) -> Option<Spanned<u32>> {
        let at = node_location(node);
        let id = match node {
            Node::Scalar(s) => match scalar(s) {
                Scalar::Int(n) => u32::try_from(n).ok(),
                Scalar::Str(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => text.parse().ok(),
                _ => None,
            },
            _ => None,
        };
        if id.is_none() {
            self.error(at, "AUTH_USER_ID must be a user id: a whole number from 0 to 4294967295");
        }
        id.map(|id| Spanned::new(id, at))
    }

    /// `Y`/`N`, or a YAML boolean.
    fn flag(&mut self, what: &str, node: &Node) -> Spanned<bool> {
        let at = node_location(node);
        let value = match node {
            Node::Scalar(s) => match scalar(s) {
                Scalar::Bool(b) => Some(b),
                Scalar::Str("Y") => Some(true),
                Scalar::Str("N") => Some(false),
                _ => None,
            },
            _ => None,
        };
        let value = value.unwrap_or_else(|| {
            let found = match node {
                Node::Scalar(s) if s.as_str().is_empty() => "an empty value".to_owned(),
                Node::Scalar(s) => format!("`{}`", s.as_str().escape_debug()),
                Node::Sequence(_) => "a list".to_owned(),
                Node::Mapping(_) => "a mapping".to_owned(),
            };
            self.error(at, format!("{what} must be Y or N (or true or false), found {found}"));
            false
        });
        Spanned::new(value, at)
    }

    // ----------------------------------------------------------------------------------------
    // Texts
    // ----------------------------------------------------------------------------------------

    /// A text, or a map of two-letter language code to text that includes `en`.
    fn localized(&mut self, what: &str, node: &Node) -> Spanned<Localized> {
        let at = node_location(node);
        let empty = Spanned::new(Localized::Text(String::new()), at);
        match node {
            Node::Scalar(_) => {
                let Some(text) = self.text(what, node) else { return empty };
                if text.value.trim().is_empty() {
                    self.error(at, format!("{what} is empty: Bitrix24 needs a text to show"));
                }
                Spanned::new(Localized::Text(text.value), at)
            }
            Node::Mapping(map) => {
                let mut texts: Vec<(String, String)> = Vec::new();
                let mut languages: Vec<(&MarkedScalarNode, Location)> = Vec::new();
                for (language, text) in map.iter() {
                    let lang_at = scalar_location(language);
                    let code = language.as_str();
                    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
                        self.error(
                            lang_at,
                            format!(
                                "`{}` in {what} is not a two-letter language code, such as `en` or `ru`",
                                code.escape_debug()
                            ),
                        );
                    } else if let Some((first, first_at)) =
                        languages.iter().find(|(other, _)| other.as_str().eq_ignore_ascii_case(code))
                    {
                        let message = format!(
                            "language `{code}` in {what} repeats `{}` (at {first_at}): languages are matched ignoring case",
                            first.as_str()
                        );
                        self.error(lang_at, message);
                    }
                    languages.push((language, lang_at));
                    let text_at = node_location(text);
                    let label = format!("the `{code}` text of {what}");
                    if let Some(text) = self.text(&label, text) {
                        if text.value.trim().is_empty() {
                            self.error(text_at, format!("{label} is empty: Bitrix24 needs a text to show"));
                        }
                        texts.push((code.to_owned(), text.value));
                    }
                }
                if map.is_empty() {
                    self.error(at, format!("{what} has no languages: write a text, or `en: …` and more"));
                } else if !languages.iter().any(|(code, _)| code.as_str().eq_ignore_ascii_case("en")) {
                    self.error(
                        at,
                        format!("{what} must contain `en`: Bitrix24 shows it to every language the map lacks"),
                    );
                }
                Spanned::new(Localized::ByLanguage(texts), at)
            }
            Node::Sequence(_) => {
                self.error(at, format!("{what} must be a text, or a mapping of language code to text"));
                empty
            }
        }
    }

    // ----------------------------------------------------------------------------------------
    // Properties
    // ----------------------------------------------------------------------------------------

    fn property_set(&mut self, entries: &Entries<'_>, key: &'static str) -> Vec<Property> {
        let Some((key_at, node)) = entries.get(key) else { return Vec::new() };
        let map = match node {
            Node::Mapping(map) => map,
            // `[]` is how PHP writes an empty map; `~` or nothing is no properties either.
            Node::Sequence(items) if items.is_empty() => return Vec::new(),
            Node::Scalar(s) if scalar(s) == Scalar::Null => return Vec::new(),
            _ => {
                self.error(node_location(node), format!("{key} must be a mapping of property id to descriptor"));
                return Vec::new();
            }
        };
        let mut properties: Vec<Property> = Vec::new();
        for (id, descriptor) in map.iter() {
            let id = Spanned::new(id.as_str().to_owned(), scalar_location(id));
            self.property_id(key, &id, &properties);
            properties.push(self.property(key, id, descriptor));
        }
        let size = stored_size::stored_size(&properties);
        if size >= STORED_PROPERTIES_LIMIT {
            self.error(
                key_at,
                format!("{key} is {size} bytes as the server stores it; it must stay under {STORED_PROPERTIES_LIMIT}"),
            );
        }
        properties
    }

    fn property_id(&mut self, key: &str, id: &Spanned<String>, earlier: &[Property]) {
        let text = id.value.as_str();
        if !rules::id_is_valid(text) {
            self.error(
                id.location,
                format!(
                    "property id `{}` in {key} must start with a letter and hold only A-Z, a-z, 0-9 and `_`",
                    text.escape_debug()
                ),
            );
        } else if let Some(reserved) = RESERVED_IDS.iter().find(|r| r.eq_ignore_ascii_case(text)) {
            let spelled = if *reserved == text { String::new() } else { format!(" (as `{reserved}`)") };
            self.error(
                id.location,
                format!("property id `{text}` is reserved by Bitrix24{spelled}, which silently skips such a property"),
            );
        } else if let Some(first) = earlier.iter().find(|p| p.id.value.eq_ignore_ascii_case(text)) {
            let message = format!(
                "property id `{text}` repeats `{}` (at {}): Bitrix24 matches ids ignoring case",
                first.id.value, first.id.location
            );
            self.error(id.location, message);
        }
    }

    /// A return id equal to an input id (ignoring case) is skipped by the server.
    fn shared_ids(&mut self, inputs: &[Property], outputs: &[Property]) {
        for output in outputs {
            if let Some(input) = inputs.iter().find(|i| i.id.value.eq_ignore_ascii_case(&output.id.value)) {
                let message = format!(
                    "return property `{}` has the id of input property `{}` (at {}); Bitrix24 silently skips it",
                    output.id.value, input.id.value, input.id.location
                );
                self.error(output.id.location, message);
            }
        }
    }

    fn property(&mut self, set: &str, id: Spanned<String>, node: &Node) -> Property {
        let entry = id.location;
        let mut property = Property {
            name: Spanned::new(Localized::Text(String::new()), entry),
            description: None,
            type_name: Spanned::new(String::new(), entry),
            required: Spanned::new(false, entry),
            multiple: Spanned::new(false, entry),
            options: None,
            default: None,
            id,
        };
        let Node::Mapping(map) = node else {
            self.error(
                node_location(node),
                format!(
                    "property `{}` in {set} must be a mapping of Name, Type, Required, Multiple, …",
                    property.id.value.escape_debug()
                ),
            );
            return property;
        };
        let id = property.id.value.clone();
        let entries = self.entries(map, &DESCRIPTOR_KEYS, &format!("in property `{id}`"));
        match entries.get("Name") {
            Some((_, node)) => property.name = self.localized(&format!("the Name of property `{id}`"), node),
            None => self.error(entry, format!("property `{id}` has no Name")),
        }
        if let Some((_, node)) = entries.get("Description") {
            property.description = Some(self.localized(&format!("the Description of property `{id}`"), node));
        }
        match entries.get("Type") {
            Some((_, node)) => {
                if let Some(name) = self.type_name(&id, node) {
                    property.type_name = name;
                }
            }
            None => self.error(
                entry,
                format!("property `{id}` has no Type: use one of {}, or a document type", BUILT_IN_TYPES.join(", ")),
            ),
        }
        if let Some((_, node)) = entries.get("Required") {
            property.required = self.flag(&format!("Required of property `{id}`"), node);
        }
        if let Some((_, node)) = entries.get("Multiple") {
            property.multiple = self.flag(&format!("Multiple of property `{id}`"), node);
        }
        let is_select = property.type_name.value == "select";
        let built_in = BUILT_IN_TYPES.contains(&property.type_name.value.as_str());
        match entries.get("Options") {
            Some((_, node)) => {
                let options = self.options(&id, node);
                if built_in && !is_select {
                    self.error(
                        node_location(node),
                        format!("property `{id}` has Options, but Options are only for select properties"),
                    );
                } else if is_select && options.is_empty() && !matches!(node, Node::Scalar(_)) {
                    self.error(options.location, format!("select property `{id}` needs at least one option"));
                }
                property.options = Some(options);
            }
            None if is_select => self.error(entry, format!("select property `{id}` needs Options")),
            None => {}
        }
        if let Some((_, node)) = entries.get("Default") {
            property.default = self.default(&property, node);
        }
        property
    }

    fn type_name(&mut self, id: &str, node: &Node) -> Option<Spanned<String>> {
        let name = self.text(&format!("the Type of property `{id}`"), node)?;
        if BUILT_IN_TYPES.contains(&name.value.as_str()) || rules::is_document_type(&name.value) {
            return Some(name);
        }
        let hint = match BUILT_IN_TYPES.iter().find(|t| t.eq_ignore_ascii_case(&name.value)) {
            Some(lower) => format!(": types are written in lower case, `{lower}`"),
            None => format!(": expected one of {}, or a document type such as `UF:address`", BUILT_IN_TYPES.join(", ")),
        };
        self.error(name.location, format!("unknown Type `{}` of property `{id}`{hint}", name.value.escape_debug()));
        None
    }

    /// `{key: label}`, or `[[key, label], …]`.
    fn options(&mut self, id: &str, node: &Node) -> Spanned<Vec<SelectOption>> {
        let at = node_location(node);
        let mut pairs: Vec<(Spanned<String>, Option<Spanned<String>>, Location)> = Vec::new();
        match node {
            Node::Mapping(map) => {
                for (key, label) in map.iter() {
                    let key = Spanned::new(key.as_str().to_owned(), scalar_location(key));
                    let label_at = node_location(label);
                    pairs.push((
                        key.clone(),
                        self.text(&format!("the label of option `{}`", key.value), label),
                        label_at,
                    ));
                }
            }
            Node::Sequence(items) => {
                for item in items.iter() {
                    let pair = match item {
                        Node::Sequence(pair) if pair.len() == 2 => Some((&pair[0], &pair[1])),
                        _ => None,
                    };
                    let Some((key, label)) = pair else {
                        self.error(
                            node_location(item),
                            format!("an option of property `{id}` must be a [key, label] pair"),
                        );
                        continue;
                    };
                    let Some(key) = self.text(&format!("an option key of property `{id}`"), key) else { continue };
                    let label_at = node_location(label);
                    pairs.push((
                        key.clone(),
                        self.text(&format!("the label of option `{}`", key.value), label),
                        label_at,
                    ));
                }
            }
            Node::Scalar(_) => {
                self.error(
                    at,
                    format!("the Options of property `{id}` must be a mapping of key to label, or a list of [key, label] pairs"),
                );
            }
        }
        let mut options: Vec<SelectOption> = Vec::new();
        for (key, label, label_at) in pairs {
            if key.value.is_empty() {
                self.error(key.location, format!("an option key of property `{id}` is empty"));
            } else if let Some(first) = options.iter().find(|o| o.key.value == key.value) {
                let message =
                    format!("option key `{}` of property `{id}` repeats the one at {}", key.value, first.key.location);
                self.error(key.location, message);
            }
            // A missing label was reported as empty already.
            let label = label.map(|l| l.value).unwrap_or_default();
            if !label.is_empty() && label.trim().is_empty() {
                self.error(label_at, format!("option `{}` of property `{id}` has an empty label", key.value));
            }
            options.push(SelectOption { key, label });
        }
        Spanned::new(options, at)
    }

    /// `Default`, checked against `Type` and normalized: `Y`/`N` for `bool`, floats for `double`.
    fn default(&mut self, property: &Property, node: &Node) -> Option<Spanned<Value>> {
        let at = node_location(node);
        let id = property.id.value.as_str();
        let value = match yaml::to_json(node) {
            Ok(value) => value,
            Err(location) => {
                self.error(location, format!("the Default of property `{id}` is not a finite number"));
                return None;
            }
        };
        let type_name = property.type_name.value.as_str();
        let normalize = |value: Value| match (type_name, value) {
            ("bool", Value::Bool(b)) => Value::String(if b { "Y" } else { "N" }.to_owned()),
            ("double", Value::Number(n)) if !n.is_f64() => n.as_f64().map_or(Value::Number(n), Value::from),
            (_, value) => value,
        };
        let value = match value {
            Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
            value => normalize(value),
        };
        let values: Vec<&Value> = match &value {
            Value::Array(items) => {
                if !property.multiple.value {
                    self.error(
                        at,
                        format!("the Default of property `{id}` is a list, but the property is not Multiple"),
                    );
                }
                items.iter().collect()
            }
            Value::Null => Vec::new(),
            single => vec![single],
        };
        for value in values {
            if let Some(reason) = default_problem(property, value) {
                self.error(at, format!("the Default of property `{id}` {reason}"));
            }
        }
        Some(Spanned::new(value, at))
    }

    // ----------------------------------------------------------------------------------------
    // DOCUMENT_TYPE and FILTER
    // ----------------------------------------------------------------------------------------

    fn document_type(&mut self, node: &Node, kind: Kind) -> Option<Spanned<[String; 3]>> {
        let at = node_location(node);
        let parts: Option<Vec<String>> = match node {
            // Nothing, `~` or `[]`: no document type.
            Node::Scalar(s) if scalar(s) == Scalar::Null => return None,
            Node::Sequence(items) if items.is_empty() => return None,
            Node::Sequence(items) => items
                .iter()
                .map(|item| match item {
                    Node::Scalar(s) if matches!(scalar(s), Scalar::Str(text) if !text.is_empty()) => {
                        Some(s.as_str().to_owned())
                    }
                    _ => None,
                })
                .collect(),
            _ => None,
        };
        let Some(Ok(parts)) = parts.map(<[String; 3]>::try_from) else {
            self.error(at, "DOCUMENT_TYPE must be a list of three texts: [module, entity, type]");
            return None;
        };
        if kind == Kind::Activity && !rules::known_activity_document_type(&parts) {
            self.error(
                at,
                format!(
                    "DOCUMENT_TYPE [{}] is not one the server knows for activities: use a CRM lead, deal, quote, smart invoice, \
                     smart process (DYNAMIC_<id>), contact or company, a list (iblock_<id>) or a drive (STORAGE_<id>)",
                    parts.join(", ")
                ),
            );
        }
        Some(Spanned::new(parts, at))
    }

    fn filter(&mut self, node: &Node) -> Option<Spanned<Filter>> {
        let at = node_location(node);
        let map = match node {
            Node::Mapping(map) => map,
            Node::Scalar(s) if scalar(s) == Scalar::Null => return None,
            Node::Sequence(items) if items.is_empty() => return None,
            _ => {
                self.error(at, "FILTER must be a mapping with INCLUDE and/or EXCLUDE lists");
                return None;
            }
        };
        let entries = self.entries(map, &FILTER_KEYS, "in FILTER");
        let mut filter = Filter::default();
        for key in FILTER_KEYS {
            let Some((_, node)) = entries.get(key) else { continue };
            let rules = match node {
                Node::Sequence(items) => items.iter().filter_map(|item| self.filter_rule(key, item)).collect(),
                Node::Scalar(s) if scalar(s) == Scalar::Null => Vec::new(),
                _ => {
                    self.error(node_location(node), format!("FILTER {key} must be a list of rules"));
                    Vec::new()
                }
            };
            if key == "INCLUDE" {
                filter.include = rules;
            } else {
                filter.exclude = rules;
            }
        }
        Some(Spanned::new(filter, at))
    }

    fn filter_rule(&mut self, key: &str, node: &Node) -> Option<FilterRule> {
        let rule = match node {
            Node::Scalar(s) => match scalar(s) {
                Scalar::Str("b24") => Some(FilterRule::Cloud),
                Scalar::Str("box") => Some(FilterRule::OnPremise),
                _ => None,
            },
            Node::Sequence(items) if (1..=3).contains(&items.len()) => items
                .iter()
                .map(|item| match item {
                    Node::Scalar(s) if matches!(scalar(s), Scalar::Str(text) if !text.is_empty()) => {
                        Some(s.as_str().to_owned())
                    }
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(FilterRule::Document),
            _ => None,
        };
        if rule.is_none() {
            self.error(
                node_location(node),
                format!(
                    "a FILTER {key} rule must be `b24` (cloud), `box` (on-premise), or a document type list such as [crm, CCrmDocumentDeal]"
                ),
            );
        }
        rule
    }
}

/// What is wrong with one value of a `Default`, for the property's `Type`.
fn default_problem(property: &Property, value: &Value) -> Option<String> {
    let type_name = property.type_name.value.as_str();
    let keys: Vec<&str> = property.option_keys().collect();
    match (type_name, value) {
        (_, Value::Object(_) | Value::Array(_)) => Some("must be a value, or a list of values".to_owned()),
        ("select", value) => {
            let text = match value {
                Value::String(text) => text.clone(),
                Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            (!keys.is_empty() && !keys.contains(&text.as_str())).then(|| {
                let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
                format!("`{}` is not one of its option keys {}", value_text(value), keys.join(", "))
            })
        }
        ("int", Value::Number(n)) if n.is_f64() => Some(format!("`{n}` is not a whole number")),
        ("int" | "double" | "file", Value::Bool(_)) => Some(format!("`{value}` is not a number")),
        ("bool", Value::String(text)) if text.is_empty() => Some("is empty".to_owned()),
        ("bool", Value::Number(_)) => Some(format!("`{value}` is not Y or N")),
        _ => None,
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
