//! The property model: what `PROPERTIES` and `RETURN_PROPERTIES` hold.

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::Localized;

/// The type of a robot property, as written in its `Type` key.
///
/// ```
/// use bizproc::PropertyType;
///
/// assert_eq!(PropertyType::Double.as_str(), "double");
/// assert_eq!("user".parse::<PropertyType>(), Ok(PropertyType::User));
/// assert_eq!(PropertyType::from_name("UF:address"), Some(PropertyType::Document("UF:address".into())));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PropertyType {
    /// `bool`: `Y` or `N`.
    Bool,
    /// `date`.
    Date,
    /// `datetime`.
    DateTime,
    /// `double`.
    Double,
    /// `file`: a file id. Servers from before 2020 refuse it in robot `PROPERTIES`.
    File,
    /// `int`.
    Int,
    /// `select`: one of the property's `Options` keys.
    Select,
    /// `string`.
    String,
    /// `text`: a multi-line string.
    Text,
    /// `user`: `user_<id>`.
    User,
    /// A type of the registration's `DOCUMENT_TYPE`, such as `UF:address`.
    Document(String),
}

impl PropertyType {
    /// The ten types that every robot may use, in the order the docs list them.
    ///
    /// ```
    /// use bizproc::PropertyType;
    ///
    /// assert_eq!(PropertyType::BUILT_IN[0], PropertyType::Bool);
    /// // Every built-in type reads back from its own name.
    /// for ty in PropertyType::BUILT_IN {
    ///     assert_eq!(PropertyType::from_name(ty.as_str()), Some(ty));
    /// }
    /// ```
    pub const BUILT_IN: [PropertyType; 10] = [
        Self::Bool,
        Self::Date,
        Self::DateTime,
        Self::Double,
        Self::File,
        Self::Int,
        Self::Select,
        Self::String,
        Self::Text,
        Self::User,
    ];

    /// The name written in `Type`.
    ///
    /// ```
    /// assert_eq!(bizproc::PropertyType::DateTime.as_str(), "datetime");
    /// ```
    #[must_use]
    pub const fn as_str(&self) -> &str {
        match self {
            Self::Bool => "bool",
            Self::Date => "date",
            Self::DateTime => "datetime",
            Self::Double => "double",
            Self::File => "file",
            Self::Int => "int",
            Self::Select => "select",
            Self::String => "string",
            Self::Text => "text",
            Self::User => "user",
            Self::Document(name) => name.as_str(),
        }
    }

    /// Reads a `Type` name: one of the ten built-in types, or a document field type, which
    /// always contains `:` (`UF:address`). Anything else is `None`.
    ///
    /// ```
    /// use bizproc::PropertyType;
    /// assert_eq!(PropertyType::from_name("text"), Some(PropertyType::Text));
    /// assert_eq!(PropertyType::from_name("number"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::BUILT_IN
            .into_iter()
            .find(|ty| ty.as_str() == name)
            .or_else(|| (name.contains(':') && !name.trim().is_empty()).then(|| Self::Document(name.to_owned())))
    }
}

impl fmt::Display for PropertyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`PropertyType`] from a name it does not know.
///
/// ```
/// use bizproc::{PropertyType, UnknownPropertyType};
///
/// let err = "number".parse::<PropertyType>().unwrap_err();
/// assert_eq!(err, UnknownPropertyType("number".to_owned()));
/// assert!(err.to_string().starts_with("unknown property type `number`: expected one of bool, date"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown property type `{0}`: expected one of bool, date, datetime, double, file, int, select, string, text, user, or a document type such as `UF:address`"
)]
pub struct UnknownPropertyType(pub String);

impl std::str::FromStr for PropertyType {
    type Err = UnknownPropertyType;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::from_name(name).ok_or_else(|| UnknownPropertyType(name.to_owned()))
    }
}

impl Serialize for PropertyType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PropertyType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(de::Error::custom)
    }
}

/// The `Options` of a `select` property: option key (the stored value) to label, in order.
///
/// ```
/// use bizproc::{Options, Property, PropertyType};
///
/// let options = Options::from_iter([("pdf".to_owned(), "PDF".to_owned()), ("docx".to_owned(), "Word".to_owned())]);
/// assert_eq!(options.keys().collect::<Vec<_>>(), ["pdf", "docx"]);
/// let format = Property::new("Format", PropertyType::Select).with_options(options);
/// assert_eq!(serde_json::to_value(&format).unwrap()["Options"], serde_json::json!({"pdf": "PDF", "docx": "Word"}));
/// ```
pub type Options = IndexMap<String, String>;

/// One entry of `PROPERTIES` or `RETURN_PROPERTIES`.
///
/// Serializes exactly as Bitrix24 expects: `Required` and `Multiple` are always written as
/// `"Y"`/`"N"`; `Description`, `Options` and `Default` only when set.
///
/// ```
/// use bizproc::{Property, PropertyType};
///
/// let score = Property::new("Score", PropertyType::Int).with_required(false);
/// assert_eq!(
///     serde_json::to_value(&score).unwrap(),
///     serde_json::json!({"Name": "Score", "Type": "int", "Required": "N", "Multiple": "N"}),
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Property {
    /// `Name`: never empty, the server refuses a property without one.
    #[serde(rename = "Name")]
    pub name: Localized,
    /// `Description`.
    #[serde(rename = "Description", default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Localized>,
    /// `Type`.
    #[serde(rename = "Type")]
    pub property_type: PropertyType,
    /// `Required`.
    #[serde(rename = "Required", with = "flag", default)]
    pub required: bool,
    /// `Multiple`.
    #[serde(rename = "Multiple", with = "flag", default)]
    pub multiple: bool,
    /// `Options`, for `select`.
    #[serde(rename = "Options", default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Options>,
    /// `Default`: a value in the format of [`RETURN_VALUES`](crate::ReturnValues), or a
    /// bizproc expression such as `{=Document:NAME}` or `Author;`.
    #[serde(rename = "Default", default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub default: Option<serde_json::Value>,
}

impl Property {
    /// A required, single-valued property with no description, options or default.
    ///
    /// ```
    /// let p = bizproc::Property::new("Comment", bizproc::PropertyType::Text);
    /// assert!(p.required && !p.multiple);
    /// ```
    pub fn new(name: impl Into<Localized>, property_type: PropertyType) -> Self {
        Self {
            name: name.into(),
            description: None,
            property_type,
            required: true,
            multiple: false,
            options: None,
            default: None,
        }
    }

    /// Sets `Description`.
    ///
    /// ```
    /// let p = bizproc::Property::new("Inn", bizproc::PropertyType::String).with_description("Tax id");
    /// assert!(p.description.is_some());
    /// ```
    #[must_use]
    pub fn with_description(mut self, description: impl Into<Localized>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets `Required`.
    ///
    /// ```
    /// let p = bizproc::Property::new("Inn", bizproc::PropertyType::String).with_required(false);
    /// assert!(!p.required);
    /// ```
    #[must_use]
    pub fn with_required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }

    /// Sets `Multiple`.
    ///
    /// ```
    /// let p = bizproc::Property::new("Tags", bizproc::PropertyType::String).with_multiple(true);
    /// assert!(p.multiple);
    /// ```
    #[must_use]
    pub fn with_multiple(mut self, multiple: bool) -> Self {
        self.multiple = multiple;
        self
    }

    /// Sets `Options`.
    ///
    /// ```
    /// use bizproc::{Options, Property, PropertyType};
    /// let options = Options::from_iter([("pdf".to_owned(), "PDF".to_owned())]);
    /// let p = Property::new("Format", PropertyType::Select).with_options(options);
    /// assert_eq!(p.options.unwrap()["pdf"], "PDF");
    /// ```
    #[must_use]
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = Some(options);
        self
    }

    /// Sets `Default`.
    ///
    /// ```
    /// let p = bizproc::Property::new("To", bizproc::PropertyType::User).with_default("Author;");
    /// assert_eq!(p.default, Some(serde_json::json!("Author;")));
    /// ```
    #[must_use]
    pub fn with_default(mut self, default: impl Into<serde_json::Value>) -> Self {
        self.default = Some(default.into());
        self
    }
}

/// `PROPERTIES` or `RETURN_PROPERTIES`: property id to descriptor, in declaration order.
///
/// ```
/// use bizproc::{Properties, Property, PropertyType};
///
/// let mut props = Properties::new();
/// props.insert("score", Property::new("Score", PropertyType::Int));
/// props.insert("comment", Property::new("Comment", PropertyType::Text));
/// assert_eq!(props.ids().collect::<Vec<_>>(), ["score", "comment"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Properties(IndexMap<String, Property>);

impl Properties {
    /// An empty set.
    ///
    /// ```
    /// use bizproc::Properties;
    ///
    /// let props = Properties::new();
    /// assert!(props.is_empty());
    /// assert_eq!(serde_json::to_value(&props).unwrap(), serde_json::json!({}));
    /// // The server writes an empty set as `[]`; it reads back as an empty set too.
    /// assert_eq!(serde_json::from_str::<Properties>("[]").unwrap(), props);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a property at the end, or replaces the one with this id in place.
    ///
    /// ```
    /// let mut props = bizproc::Properties::new();
    /// props.insert("a", bizproc::Property::new("A", bizproc::PropertyType::Int));
    /// assert_eq!(props.len(), 1);
    /// ```
    pub fn insert(&mut self, id: impl Into<String>, property: Property) -> Option<Property> {
        self.0.insert(id.into(), property)
    }

    /// The property with exactly this id.
    ///
    /// ```
    /// let props = bizproc::Properties::from_iter([("a", bizproc::Property::new("A", bizproc::PropertyType::Int))]);
    /// assert!(props.get("a").is_some() && props.get("A").is_none());
    /// ```
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Property> {
        self.0.get(id)
    }

    /// The ids, in order.
    ///
    /// ```
    /// let props = bizproc::Properties::from_iter([("a", bizproc::Property::new("A", bizproc::PropertyType::Int))]);
    /// assert_eq!(props.ids().next(), Some("a"));
    /// ```
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// `(id, property)` pairs, in order.
    ///
    /// ```
    /// let props = bizproc::Properties::from_iter([("a", bizproc::Property::new("A", bizproc::PropertyType::Int))]);
    /// assert_eq!(props.iter().count(), 1);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Property)> {
        self.0.iter().map(|(id, p)| (id.as_str(), p))
    }

    /// How many properties there are.
    ///
    /// ```
    /// assert_eq!(bizproc::Properties::new().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    ///
    /// ```
    /// assert!(bizproc::Properties::new().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>> FromIterator<(K, Property)> for Properties {
    fn from_iter<I: IntoIterator<Item = (K, Property)>>(iter: I) -> Self {
        Self(iter.into_iter().map(|(k, p)| (k.into(), p)).collect())
    }
}

impl<'a> IntoIterator for &'a Properties {
    type Item = (&'a String, &'a Property);
    type IntoIter = indexmap::map::Iter<'a, String, Property>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Serialize for Properties {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (id, property) in &self.0 {
            map.serialize_entry(id, property)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Properties {
    /// Accepts an object, and the empty array `[]` that the server writes for an empty map.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum MapOrEmpty {
            Map(IndexMap<String, Property>),
            Empty([(); 0]),
        }
        Ok(match MapOrEmpty::deserialize(deserializer)? {
            MapOrEmpty::Map(map) => Self(map),
            MapOrEmpty::Empty([]) => Self::new(),
        })
    }
}

/// A key that is present is `Some`, even when its value is `null` (`"Default": null` stays).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(deserializer).map(Some)
}

/// `Y`/`N` flags, the only form every server reads the same way.
mod flag {
    use serde::{Deserialize, Deserializer, Serializer, de};

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` hands fields by reference
    pub(crate) fn serialize<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(if *value { "Y" } else { "N" })
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        match String::deserialize(deserializer)?.as_str() {
            "Y" => Ok(true),
            "N" => Ok(false),
            other => Err(de::Error::custom(format_args!("expected \"Y\" or \"N\", found {other:?}"))),
        }
    }
}
