//! The parsed definition: every value with the place it was written.

use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};

use crate::{Location, Problem, Problems, Spanned};

/// The ten `Type` names every robot may use, in the order the docs list them.
///
/// ```
/// assert!(bizproc_definition::BUILT_IN_TYPES.contains(&"select"));
/// assert_eq!(bizproc_definition::BUILT_IN_TYPES.len(), 10);
/// ```
pub const BUILT_IN_TYPES: [&str; 10] =
    ["bool", "date", "datetime", "double", "file", "int", "select", "string", "text", "user"];

/// Property ids Bitrix24 reserves, compared ignoring case: the eight built into every robot
/// (the server silently skips a property with one of them), and the three under which the
/// server leaves descriptor keys unconverted, so that their `Name` goes unseen.
///
/// ```
/// use bizproc_definition::RESERVED_IDS;
/// assert!(RESERVED_IDS.iter().any(|id| id.eq_ignore_ascii_case("istimeout")));
/// assert!(RESERVED_IDS.contains(&"OPTIONS"));
/// ```
pub const RESERVED_IDS: [&str; 11] = [
    "Title",
    "UseSubscription",
    "IsTimeout",
    "AuthUserId",
    "SetStatusMessage",
    "StatusMessage",
    "TimeoutDuration",
    "TimeoutDurationType",
    "PROPERTIES",
    "RETURN_PROPERTIES",
    "OPTIONS",
];

/// The longest `CODE` the server stores.
///
/// ```
/// use bizproc_definition::{CODE_LIMIT, Definition};
///
/// let yaml = format!("CODE: {}\nNAME: Long\n", "a".repeat(CODE_LIMIT + 1));
/// assert!(Definition::from_str(&yaml, "long.yaml").is_err());
/// ```
pub const CODE_LIMIT: usize = 128;

/// The longest `HANDLER` or `PLACEMENT_HANDLER` the server stores, in characters.
///
/// ```
/// use bizproc_definition::{Definition, HANDLER_LIMIT};
///
/// let base = "https://app.example.com/";
/// let url = format!("{base}{}", "a".repeat(HANDLER_LIMIT - base.len() + 1));
/// let yaml = format!("CODE: long\nNAME: Long\nHANDLER: {url}\n");
/// assert!(Definition::from_str(&yaml, "long.yaml").is_err());
/// ```
pub const HANDLER_LIMIT: usize = 1000;

/// The server stores `PROPERTIES` and `RETURN_PROPERTIES` PHP-serialized in columns of this many
/// bytes; a set that serializes to this size or more is refused.
///
/// ```
/// assert_eq!(bizproc_definition::STORED_PROPERTIES_LIMIT, 65_535);
/// ```
pub const STORED_PROPERTIES_LIMIT: usize = 65_535;

/// Whether a definition is registered with `bizproc.robot.*` or `bizproc.activity.*`
/// (the definition's `kind`, `robot` unless written).
///
/// ```
/// use bizproc_definition::{Definition, Kind};
///
/// let def = Definition::from_str("kind: activity\nCODE: md5\nNAME: MD5\n", "md5.yaml").unwrap();
/// assert_eq!(def.kind(), Kind::Activity);
/// assert_eq!(def.kind().add_method(), "bizproc.activity.add");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A robot: CRM automation, workflows and smart scripts (`bizproc.robot.*`).
    #[default]
    Robot,
    /// An activity: the workflow designer only (`bizproc.activity.*`).
    Activity,
}

impl Kind {
    /// `robot` or `activity`, as written in `kind`.
    ///
    /// ```
    /// assert_eq!(bizproc_definition::Kind::Robot.as_str(), "robot");
    /// ```
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Robot => "robot",
            Self::Activity => "activity",
        }
    }

    /// `bizproc.robot.add` or `bizproc.activity.add`.
    ///
    /// ```
    /// assert_eq!(bizproc_definition::Kind::Robot.add_method(), "bizproc.robot.add");
    /// ```
    #[must_use]
    pub fn add_method(self) -> &'static str {
        match self {
            Self::Robot => "bizproc.robot.add",
            Self::Activity => "bizproc.activity.add",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name or description: one text for every language, or a text per two-letter language
/// code (which always includes `en`), in the order written.
///
/// ```
/// use bizproc_definition::{Definition, Localized};
///
/// let def = Definition::from_str("CODE: a\nNAME: {en: Credit check, ru: Проверка}\n", "a.yaml").unwrap();
/// let Localized::ByLanguage(texts) = &def.name().value else { unreachable!() };
/// assert_eq!(texts[1], ("ru".to_owned(), "Проверка".to_owned()));
/// assert_eq!(def.name().get("de"), Some("Credit check"));
/// assert_eq!(def.name().to_json(), serde_json::json!({"en": "Credit check", "ru": "Проверка"}));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Localized {
    /// The same text in every language.
    Text(String),
    /// `(language, text)` pairs, in the order written; the language as written (`en`, `ru`).
    ByLanguage(Vec<(String, String)>),
}

impl Localized {
    /// The text shown for `language`, falling back as Bitrix24 does: the language itself, then
    /// `en` (both ignoring case). A plain text answers every language.
    ///
    /// ```
    /// let plain = bizproc_definition::Localized::Text("Ping".to_owned());
    /// assert_eq!(plain.get("ru"), Some("Ping"));
    /// ```
    #[must_use]
    pub fn get(&self, language: &str) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            Self::ByLanguage(texts) => texts
                .iter()
                .find(|(lang, _)| lang.eq_ignore_ascii_case(language))
                .or_else(|| texts.iter().find(|(lang, _)| lang.eq_ignore_ascii_case("en")))
                .map(|(_, text)| text.as_str()),
        }
    }

    /// As sent to Bitrix24: a JSON string, or an object of language to text.
    ///
    /// ```
    /// let name = bizproc_definition::Localized::ByLanguage(vec![("en".into(), "Ping".into())]);
    /// assert_eq!(name.to_json(), serde_json::json!({"en": "Ping"}));
    /// ```
    #[must_use]
    pub fn to_json(&self) -> Value {
        match self {
            Self::Text(text) => Value::String(text.clone()),
            Self::ByLanguage(texts) => {
                Value::Object(texts.iter().map(|(lang, text)| (lang.clone(), Value::String(text.clone()))).collect())
            }
        }
    }
}

/// One option of a `select` property: its key (the stored value) and its label.
///
/// ```
/// use bizproc_definition::Definition;
///
/// let yaml = "CODE: a\nNAME: A\nPROPERTIES:\n  format:\n    Name: Format\n    Type: select\n    Options: {pdf: PDF}\n";
/// let def = Definition::from_str(yaml, "a.yaml").unwrap();
/// let option = &def.properties()[0].options().unwrap()[0];
/// assert_eq!((option.key().as_str(), option.label()), ("pdf", "PDF"));
/// assert_eq!(option.key().location.line, 7);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SelectOption {
    pub(crate) key: Spanned<String>,
    pub(crate) label: String,
}

impl SelectOption {
    /// The key, where it was written.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  f: {Name: F, Type: select, Options: [[a, A]]}\n", "a.yaml").unwrap();
    /// assert_eq!(def.properties()[0].options().unwrap()[0].key().value, "a");
    /// ```
    #[must_use]
    pub fn key(&self) -> &Spanned<String> {
        &self.key
    }

    /// The label people pick the option by.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  f: {Name: F, Type: select, Options: [[a, A]]}\n", "a.yaml").unwrap();
    /// assert_eq!(def.properties()[0].options().unwrap()[0].label(), "A");
    /// ```
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }
}

/// One entry of `PROPERTIES` or `RETURN_PROPERTIES`, every part with its location.
///
/// ```
/// use bizproc_definition::Definition;
///
/// let yaml = "\
/// CODE: a
/// NAME: A
/// RETURN_PROPERTIES:
///   tags:
///     Name: Tags
///     Type: string
///     Multiple: Y
/// ";
/// let def = Definition::from_str(yaml, "a.yaml").unwrap();
/// let tags = &def.return_properties()[0];
/// assert_eq!(tags.id().as_str(), "tags");
/// assert_eq!(tags.location().line, 4);
/// assert_eq!(tags.type_name().as_str(), "string");
/// assert!(tags.multiple().value && !tags.required().value);
/// assert_eq!(tags.multiple().location.line, 7);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub(crate) id: Spanned<String>,
    pub(crate) name: Spanned<Localized>,
    pub(crate) description: Option<Spanned<Localized>>,
    pub(crate) type_name: Spanned<String>,
    pub(crate) required: Spanned<bool>,
    pub(crate) multiple: Spanned<bool>,
    pub(crate) options: Option<Spanned<Vec<SelectOption>>>,
    pub(crate) default: Option<Spanned<Value>>,
}

impl Property {
    /// The id (the key under `PROPERTIES` / `RETURN_PROPERTIES`, case kept), where it was written.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  innCode: {Name: INN, Type: string}\n", "a.yaml").unwrap();
    /// assert_eq!(def.properties()[0].id().value, "innCode");
    /// ```
    #[must_use]
    pub fn id(&self) -> &Spanned<String> {
        &self.id
    }

    /// Where the property's entry starts: its id. Errors about the property as a whole (a
    /// missing field, a field with another type) point here.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  inn: {Name: INN, Type: string}\n", "a.yaml").unwrap();
    /// assert_eq!(def.properties()[0].location().to_string(), "4:3");
    /// ```
    #[must_use]
    pub fn location(&self) -> Location {
        self.id.location
    }

    /// `Name`.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  inn: {Name: INN, Type: string}\n", "a.yaml").unwrap();
    /// assert_eq!(def.properties()[0].name().get("en"), Some("INN"));
    /// ```
    #[must_use]
    pub fn name(&self) -> &Spanned<Localized> {
        &self.name
    }

    /// `Description`, if written.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  inn: {Name: INN, Description: Tax id, Type: string}\n", "a.yaml").unwrap();
    /// assert_eq!(def.properties()[0].description().unwrap().get("en"), Some("Tax id"));
    /// ```
    #[must_use]
    pub fn description(&self) -> Option<&Spanned<Localized>> {
        self.description.as_ref()
    }

    /// `Type`: one of [`BUILT_IN_TYPES`](crate::BUILT_IN_TYPES), or a document type such as
    /// `UF:address`.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  inn: {Name: INN, Type: string}\n", "a.yaml").unwrap();
    /// assert_eq!(def.properties()[0].type_name().value, "string");
    /// ```
    #[must_use]
    pub fn type_name(&self) -> &Spanned<String> {
        &self.type_name
    }

    /// Whether `Type` is a document's own type (it has a `:`, as in `UF:address`) rather than
    /// a built-in one.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  addr: {Name: Address, Type: 'UF:address'}\n", "a.yaml").unwrap();
    /// assert!(def.properties()[0].is_document_type());
    /// ```
    #[must_use]
    pub fn is_document_type(&self) -> bool {
        !crate::BUILT_IN_TYPES.contains(&self.type_name.as_str())
    }

    /// `Required` (`N` unless written; located at the entry then).
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  inn: {Name: INN, Type: string, Required: true}\n", "a.yaml").unwrap();
    /// assert!(def.properties()[0].required().value);
    /// ```
    #[must_use]
    pub fn required(&self) -> &Spanned<bool> {
        &self.required
    }

    /// `Multiple` (`N` unless written; located at the entry then).
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  inn: {Name: INN, Type: string}\n", "a.yaml").unwrap();
    /// assert!(!def.properties()[0].multiple().value);
    /// ```
    #[must_use]
    pub fn multiple(&self) -> &Spanned<bool> {
        &self.multiple
    }

    /// `Options`, in the order written; always there, and never empty, for `select`.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  f: {Name: F, Type: select, Options: {a: A, b: B}}\n", "a.yaml").unwrap();
    /// assert_eq!(def.properties()[0].options().unwrap().len(), 2);
    /// ```
    #[must_use]
    pub fn options(&self) -> Option<&Spanned<Vec<SelectOption>>> {
        self.options.as_ref()
    }

    /// The option keys, in order; empty without `Options`.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  f: {Name: F, Type: select, Options: {a: A, b: B}}\n", "a.yaml").unwrap();
    /// assert_eq!(def.properties()[0].option_keys().collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn option_keys(&self) -> impl Iterator<Item = &str> {
        self.options.iter().flat_map(|options| options.iter().map(|o| o.key.as_str()))
    }

    /// `Default` as sent (normalized as the crate docs say: `Y`/`N` for `bool`, a float for
    /// `double`), if written. `Default: null` is kept as JSON `null`.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  limit: {Name: Limit, Type: double, Default: 100000}\n", "a.yaml").unwrap();
    /// assert_eq!(def.properties()[0].default().unwrap().value, serde_json::json!(100000.0));
    /// ```
    #[must_use]
    pub fn default(&self) -> Option<&Spanned<Value>> {
        self.default.as_ref()
    }

    /// The descriptor as sent in `PROPERTIES` / `RETURN_PROPERTIES`: `Name`, `Description`,
    /// `Type`, `Required`, `Multiple`, `Options`, `Default`, in that order, `Required` and
    /// `Multiple` always as `"Y"`/`"N"`, `Options` always as an object.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  f: {Type: select, Name: F, Options: [[a, A]], Default: a}\n", "a.yaml").unwrap();
    /// assert_eq!(
    ///     serde_json::to_string(&def.properties()[0].descriptor()).unwrap(),
    ///     r#"{"Name":"F","Type":"select","Required":"N","Multiple":"N","Options":{"a":"A"},"Default":"a"}"#,
    /// );
    /// ```
    #[must_use]
    pub fn descriptor(&self) -> Value {
        let mut out = Map::new();
        out.insert("Name".into(), self.name.to_json());
        if let Some(description) = &self.description {
            out.insert("Description".into(), description.to_json());
        }
        out.insert("Type".into(), Value::String(self.type_name.value.clone()));
        out.insert("Required".into(), yes_no(self.required.value));
        out.insert("Multiple".into(), yes_no(self.multiple.value));
        if let Some(options) = &self.options {
            let options = options.iter().map(|o| (o.key.value.clone(), Value::String(o.label.clone())));
            out.insert("Options".into(), Value::Object(options.collect()));
        }
        if let Some(default) = &self.default {
            out.insert("Default".into(), default.value.clone());
        }
        Value::Object(out)
    }
}

/// One rule of a `FILTER`.
///
/// ```
/// use bizproc_definition::{Definition, FilterRule};
///
/// let yaml = "CODE: a\nNAME: A\nFILTER: {INCLUDE: [b24, [crm, CCrmDocumentDeal]]}\n";
/// let def = Definition::from_str(yaml, "a.yaml").unwrap();
/// let rules = def.filter().unwrap().included();
/// assert_eq!(rules[0], FilterRule::Cloud);
/// assert_eq!(rules[1], FilterRule::Document(vec!["crm".into(), "CCrmDocumentDeal".into()]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterRule {
    /// `b24`: cloud portals.
    Cloud,
    /// `box`: on-premise portals.
    OnPremise,
    /// A full or partial document type: `[module]`, `[module, entity]` or `[module, entity, type]`.
    Document(Vec<String>),
}

impl FilterRule {
    /// As sent: `"b24"`, `"box"` or an array.
    ///
    /// ```
    /// assert_eq!(bizproc_definition::FilterRule::OnPremise.to_json(), serde_json::json!("box"));
    /// ```
    #[must_use]
    pub fn to_json(&self) -> Value {
        match self {
            Self::Cloud => "b24".into(),
            Self::OnPremise => "box".into(),
            Self::Document(parts) => parts.iter().map(|p| Value::String(p.clone())).collect(),
        }
    }
}

/// `FILTER`: where the robot is offered.
///
/// ```
/// use bizproc_definition::Definition;
///
/// let def = Definition::from_str("CODE: a\nNAME: A\nFILTER: {exclude: [box]}\n", "a.yaml").unwrap();
/// let filter = def.filter().unwrap();
/// assert!(filter.included().is_empty());
/// assert_eq!(filter.to_json(), serde_json::json!({"EXCLUDE": ["box"]}));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub(crate) include: Vec<FilterRule>,
    pub(crate) exclude: Vec<FilterRule>,
}

impl Filter {
    /// The `INCLUDE` rules.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nFILTER: {INCLUDE: [[lists]]}\n", "a.yaml").unwrap();
    /// assert_eq!(def.filter().unwrap().included().len(), 1);
    /// ```
    #[must_use]
    pub fn included(&self) -> &[FilterRule] {
        &self.include
    }

    /// The `EXCLUDE` rules.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nFILTER: {INCLUDE: [[lists]]}\n", "a.yaml").unwrap();
    /// assert!(def.filter().unwrap().excluded().is_empty());
    /// ```
    #[must_use]
    pub fn excluded(&self) -> &[FilterRule] {
        &self.exclude
    }

    /// As sent: `INCLUDE` and `EXCLUDE`, each only when it has rules (as the runtime's
    /// `bizproc::Filter` writes it).
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nFILTER: {INCLUDE: [], EXCLUDE: [b24]}\n", "a.yaml").unwrap();
    /// assert_eq!(def.filter().unwrap().to_json(), serde_json::json!({"EXCLUDE": ["b24"]}));
    /// ```
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        for (key, rules) in [("INCLUDE", &self.include), ("EXCLUDE", &self.exclude)] {
            if !rules.is_empty() {
                out.insert(key.into(), rules.iter().map(FilterRule::to_json).collect());
            }
        }
        Value::Object(out)
    }
}

/// A robot or activity definition: the parameters of `bizproc.robot.add` (or
/// `bizproc.activity.add`), every value with the place it was written.
///
/// Build one with [`from_str`](Self::from_str) or [`from_path`](Self::from_path); both apply
/// every rule and report every problem at once. See the [crate docs](crate) for the format.
///
/// ```
/// use bizproc_definition::Definition;
///
/// let yaml = "\
/// CODE: ping
/// NAME: Ping
/// HANDLER: https://app.example.com/robots/ping
/// ";
/// let def = Definition::from_str(yaml, "ping.yaml").unwrap();
/// assert_eq!(def.code().value, "ping");
/// assert_eq!(
///     def.add_payload(None).unwrap(),
///     serde_json::json!({
///         "CODE": "ping",
///         "HANDLER": "https://app.example.com/robots/ping",
///         "USE_SUBSCRIPTION": "Y",
///         "NAME": "Ping",
///     }),
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub(crate) file: String,
    pub(crate) kind: Spanned<Kind>,
    pub(crate) code: Spanned<String>,
    pub(crate) name: Spanned<Localized>,
    pub(crate) description: Option<Spanned<Localized>>,
    pub(crate) handler: Option<Spanned<String>>,
    pub(crate) auth_user_id: Option<Spanned<u32>>,
    pub(crate) use_subscription: Spanned<bool>,
    pub(crate) properties: Vec<Property>,
    pub(crate) return_properties: Vec<Property>,
    pub(crate) document_type: Option<Spanned<[String; 3]>>,
    pub(crate) filter: Option<Spanned<Filter>>,
    pub(crate) use_placement: Spanned<bool>,
    pub(crate) placement_handler: Option<Spanned<String>>,
}

impl Definition {
    /// Parses and checks a definition. `file` names it in problems (`file:line:column: …`).
    ///
    /// # Errors
    /// [`Problems`] listing every problem: YAML syntax, unknown keys, and every rule of the
    /// format.
    ///
    /// ```
    /// use bizproc_definition::Definition;
    ///
    /// let err = Definition::from_str("CODE: [a\n", "broken.yaml").unwrap_err();
    /// assert!(err.to_string().starts_with("broken.yaml:2:1: YAML syntax error:"));
    /// ```
    pub fn from_str(text: &str, file: impl Into<String>) -> Result<Self, Problems> {
        crate::parse::parse(text, file.into())
    }

    /// Reads and parses a definition file; problems name it by `path` as given.
    ///
    /// # Errors
    /// As [`from_str`](Self::from_str), or one problem without a location when the file
    /// cannot be read.
    ///
    /// ```
    /// use bizproc_definition::Definition;
    ///
    /// let err = Definition::from_path("no/such/robot.yaml").unwrap_err();
    /// assert!(err.to_string().starts_with("no/such/robot.yaml: cannot read the file:"));
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, Problems> {
        let path = path.as_ref();
        let file = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_str(&text, file),
            Err(e) => Err(Problem::new(file, None, format!("cannot read the file: {e}")).into()),
        }
    }

    /// The file name the definition was parsed under.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\n", "robots/a.yaml").unwrap();
    /// assert_eq!(def.file(), "robots/a.yaml");
    /// ```
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// A problem at `location` of this definition's file, worded like the parser's own;
    /// for checks made elsewhere, such as a Rust type against the definition.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  inn: {Name: INN, Type: string}\n", "a.yaml").unwrap();
    /// let inn = &def.properties()[0];
    /// let problem = def.problem(inn.location(), "property `inn` has no field");
    /// assert_eq!(problem.to_string(), "a.yaml:4:3: property `inn` has no field");
    /// ```
    #[must_use]
    pub fn problem(&self, location: Location, message: impl Into<String>) -> Problem {
        Problem::new(self.file.clone(), Some(location), message)
    }

    /// `kind`: robot (the default) or activity.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\n", "a.yaml").unwrap();
    /// assert_eq!(def.kind(), bizproc_definition::Kind::Robot);
    /// ```
    #[must_use]
    pub fn kind(&self) -> Kind {
        self.kind.value
    }

    /// `CODE`.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("code: a.b-c_d\nNAME: A\n", "a.yaml").unwrap();
    /// assert_eq!(def.code().value, "a.b-c_d");
    /// ```
    #[must_use]
    pub fn code(&self) -> &Spanned<String> {
        &self.code
    }

    /// `NAME`.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nname: A\n", "a.yaml").unwrap();
    /// assert_eq!(def.name().get("en"), Some("A"));
    /// ```
    #[must_use]
    pub fn name(&self) -> &Spanned<Localized> {
        &self.name
    }

    /// `DESCRIPTION`, if written.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nDESCRIPTION: Does A\n", "a.yaml").unwrap();
    /// assert_eq!(def.description().unwrap().get("en"), Some("Does A"));
    /// ```
    #[must_use]
    pub fn description(&self) -> Option<&Spanned<Localized>> {
        self.description.as_ref()
    }

    /// `HANDLER`, if written.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\n", "a.yaml").unwrap();
    /// assert!(def.handler().is_none());
    /// ```
    #[must_use]
    pub fn handler(&self) -> Option<&Spanned<String>> {
        self.handler.as_ref()
    }

    /// `AUTH_USER_ID`, if written.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nAUTH_USER_ID: 1\n", "a.yaml").unwrap();
    /// assert_eq!(def.auth_user_id().map(|id| id.value), Some(1));
    /// ```
    #[must_use]
    pub fn auth_user_id(&self) -> Option<&Spanned<u32>> {
        self.auth_user_id.as_ref()
    }

    /// `USE_SUBSCRIPTION`: whether a run waits for `bizproc.event.send`; `Y` unless written
    /// (located at the top of the file then).
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nUSE_SUBSCRIPTION: N\n", "a.yaml").unwrap();
    /// assert!(!def.use_subscription().value);
    /// ```
    #[must_use]
    pub fn use_subscription(&self) -> &Spanned<bool> {
        &self.use_subscription
    }

    /// `PROPERTIES` (the inputs), in the order written.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  b: {Name: B, Type: int}\n  a: {Name: A, Type: int}\n", "a.yaml").unwrap();
    /// assert_eq!(def.properties().iter().map(|p| p.id().as_str()).collect::<Vec<_>>(), ["b", "a"]);
    /// ```
    #[must_use]
    pub fn properties(&self) -> &[Property] {
        &self.properties
    }

    /// `RETURN_PROPERTIES` (the outputs), in the order written.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\n", "a.yaml").unwrap();
    /// assert!(def.return_properties().is_empty());
    /// ```
    #[must_use]
    pub fn return_properties(&self) -> &[Property] {
        &self.return_properties
    }

    /// The input with exactly this id.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nPROPERTIES:\n  inn: {Name: INN, Type: string}\n", "a.yaml").unwrap();
    /// assert!(def.property("inn").is_some() && def.property("INN").is_none());
    /// ```
    #[must_use]
    pub fn property(&self, id: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.id.value == id)
    }

    /// The output with exactly this id.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nRETURN_PROPERTIES:\n  score: {Name: Score, Type: int}\n", "a.yaml").unwrap();
    /// assert_eq!(def.return_property("score").unwrap().type_name().value, "int");
    /// ```
    #[must_use]
    pub fn return_property(&self, id: &str) -> Option<&Property> {
        self.return_properties.iter().find(|p| p.id.value == id)
    }

    /// `DOCUMENT_TYPE` (`[module, entity, type]`), if written.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nDOCUMENT_TYPE: [crm, CCrmDocumentDeal, DEAL]\n", "a.yaml").unwrap();
    /// assert_eq!(def.document_type().unwrap().value[2], "DEAL");
    /// ```
    #[must_use]
    pub fn document_type(&self) -> Option<&Spanned<[String; 3]>> {
        self.document_type.as_ref()
    }

    /// `FILTER`, if written.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\n", "a.yaml").unwrap();
    /// assert!(def.filter().is_none());
    /// ```
    #[must_use]
    pub fn filter(&self) -> Option<&Spanned<Filter>> {
        self.filter.as_ref()
    }

    /// `USE_PLACEMENT`: whether the robot's settings open in the app's own page (`N` unless
    /// written).
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nUSE_PLACEMENT: Y\nPLACEMENT_HANDLER: https://app.example.com/settings\n", "a.yaml").unwrap();
    /// assert!(def.use_placement().value);
    /// ```
    #[must_use]
    pub fn use_placement(&self) -> &Spanned<bool> {
        &self.use_placement
    }

    /// `PLACEMENT_HANDLER`, if written.
    ///
    /// ```
    /// # let def = bizproc_definition::Definition::from_str("CODE: a\nNAME: A\nUSE_PLACEMENT: Y\nPLACEMENT_HANDLER: https://app.example.com/settings\n", "a.yaml").unwrap();
    /// assert_eq!(def.placement_handler().unwrap().value, "https://app.example.com/settings");
    /// ```
    #[must_use]
    pub fn placement_handler(&self) -> Option<&Spanned<String>> {
        self.placement_handler.as_ref()
    }
}

pub(crate) fn yes_no(value: bool) -> Value {
    Value::String(if value { "Y" } else { "N" }.to_owned())
}
