//! `DOCUMENT_TYPE` and `FILTER`.

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// A document type: `[module, entity, type]`, such as `["crm", "CCrmDocumentDeal", "DEAL"]`.
///
/// ```
/// use bizproc::DocumentType;
///
/// assert_eq!(serde_json::to_value(DocumentType::deal()).unwrap(), serde_json::json!(["crm", "CCrmDocumentDeal", "DEAL"]));
/// assert_eq!(DocumentType::smart_process(128).document(), "DYNAMIC_128");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "[String; 3]", from = "[String; 3]")]
pub struct DocumentType {
    module: String,
    entity: String,
    document: String,
}

impl DocumentType {
    /// Any document type.
    ///
    /// ```
    /// let list = bizproc::DocumentType::new("lists", "BizprocDocument", "iblock_164");
    /// assert_eq!(list.module(), "lists");
    /// ```
    pub fn new(module: impl Into<String>, entity: impl Into<String>, document: impl Into<String>) -> Self {
        Self { module: module.into(), entity: entity.into(), document: document.into() }
    }

    /// CRM leads.
    ///
    /// ```
    /// let lead = bizproc::DocumentType::lead();
    /// assert_eq!([lead.module(), lead.entity(), lead.document()], ["crm", "CCrmDocumentLead", "LEAD"]);
    /// ```
    #[must_use]
    pub fn lead() -> Self {
        Self::new("crm", "CCrmDocumentLead", "LEAD")
    }

    /// CRM deals.
    ///
    /// ```
    /// let deal = bizproc::DocumentType::deal();
    /// assert_eq!([deal.module(), deal.entity(), deal.document()], ["crm", "CCrmDocumentDeal", "DEAL"]);
    /// ```
    #[must_use]
    pub fn deal() -> Self {
        Self::new("crm", "CCrmDocumentDeal", "DEAL")
    }

    /// CRM quotes.
    ///
    /// ```
    /// let quote = bizproc::DocumentType::quote();
    /// assert_eq!(quote.entity(), r"Bitrix\Crm\Integration\BizProc\Document\Quote");
    /// assert_eq!(quote.document(), "QUOTE");
    /// ```
    #[must_use]
    pub fn quote() -> Self {
        Self::new("crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\Quote", "QUOTE")
    }

    /// CRM smart invoices.
    ///
    /// ```
    /// let invoice = bizproc::DocumentType::smart_invoice();
    /// assert_eq!(invoice.entity(), r"Bitrix\Crm\Integration\BizProc\Document\SmartInvoice");
    /// assert_eq!(invoice.document(), "SMART_INVOICE");
    /// ```
    #[must_use]
    pub fn smart_invoice() -> Self {
        Self::new("crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\SmartInvoice", "SMART_INVOICE")
    }

    /// The smart process with this id.
    ///
    /// ```
    /// let process = bizproc::DocumentType::smart_process(128);
    /// assert_eq!(process.entity(), r"Bitrix\Crm\Integration\BizProc\Document\Dynamic");
    /// assert_eq!(process.document(), "DYNAMIC_128");
    /// ```
    #[must_use]
    pub fn smart_process(id: u32) -> Self {
        Self::new("crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic", format!("DYNAMIC_{id}"))
    }

    /// The module, e.g. `crm`.
    ///
    /// ```
    /// use bizproc::DocumentType;
    ///
    /// assert_eq!(DocumentType::quote().module(), "crm");
    /// assert_eq!(DocumentType::new("lists", "BizprocDocument", "iblock_164").module(), "lists");
    /// ```
    #[must_use]
    pub fn module(&self) -> &str {
        &self.module
    }

    /// The document class, e.g. `CCrmDocumentDeal`.
    ///
    /// ```
    /// assert_eq!(bizproc::DocumentType::deal().entity(), "CCrmDocumentDeal");
    /// ```
    #[must_use]
    pub fn entity(&self) -> &str {
        &self.entity
    }

    /// The type within the class, e.g. `DEAL`.
    ///
    /// ```
    /// use bizproc::DocumentType;
    ///
    /// assert_eq!(DocumentType::deal().document(), "DEAL");
    /// assert_eq!(DocumentType::smart_process(1032).document(), "DYNAMIC_1032");
    /// ```
    #[must_use]
    pub fn document(&self) -> &str {
        &self.document
    }
}

impl From<DocumentType> for [String; 3] {
    fn from(t: DocumentType) -> Self {
        [t.module, t.entity, t.document]
    }
}

impl From<[String; 3]> for DocumentType {
    fn from([module, entity, document]: [String; 3]) -> Self {
        Self { module, entity, document }
    }
}

/// One rule of a `FILTER`: a platform, or a full or partial document type.
///
/// ```
/// use bizproc::FilterRule;
///
/// assert_eq!(serde_json::to_value(FilterRule::Cloud).unwrap(), "b24");
/// assert_eq!(serde_json::to_value(FilterRule::document(["crm", "CCrmDocumentDeal"])).unwrap(), serde_json::json!(["crm", "CCrmDocumentDeal"]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FilterRule {
    /// `b24`: cloud portals.
    #[serde(with = "cloud")]
    Cloud,
    /// `box`: on-premise portals.
    #[serde(with = "on_premise")]
    OnPremise,
    /// `[module]`, `[module, entity]` or `[module, entity, type]`.
    Document(Vec<String>),
}

impl FilterRule {
    /// A (partial) document type rule.
    ///
    /// ```
    /// use bizproc::FilterRule;
    ///
    /// let crm = FilterRule::document(["crm"]);
    /// assert_eq!(crm, FilterRule::Document(vec!["crm".to_owned()]));
    /// assert_eq!(serde_json::to_value(&crm).unwrap(), serde_json::json!(["crm"]));
    /// ```
    pub fn document<S: Into<String>>(parts: impl IntoIterator<Item = S>) -> Self {
        Self::Document(parts.into_iter().map(Into::into).collect())
    }
}

macro_rules! keyword {
    ($module:ident, $word:literal) => {
        mod $module {
            use serde::{Deserialize, Deserializer, Serializer, de};

            pub(crate) fn serialize<S: Serializer>(serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($word)
            }

            pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<(), D::Error> {
                let word = String::deserialize(deserializer)?;
                if word == $word { Ok(()) } else { Err(de::Error::custom(concat!("expected ", $word))) }
            }
        }
    };
}

keyword!(cloud, "b24");
keyword!(on_premise, "box");

/// `FILTER`: where the robot is offered.
///
/// ```
/// use bizproc::{DocumentType, Filter, FilterRule};
///
/// let filter = Filter::new()
///     .include(FilterRule::document(["crm", "CCrmDocumentDeal"]))
///     .exclude(FilterRule::OnPremise);
/// assert_eq!(
///     serde_json::to_value(&filter).unwrap(),
///     serde_json::json!({"INCLUDE": [["crm", "CCrmDocumentDeal"]], "EXCLUDE": ["box"]}),
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Filter {
    #[serde(rename = "INCLUDE", default)]
    include: Vec<FilterRule>,
    #[serde(rename = "EXCLUDE", default)]
    exclude: Vec<FilterRule>,
}

impl Filter {
    /// A filter with no rules.
    ///
    /// ```
    /// let filter = bizproc::Filter::new();
    /// assert!(filter.included().is_empty() && filter.excluded().is_empty());
    /// assert_eq!(serde_json::to_value(&filter).unwrap(), serde_json::json!({}));
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an `INCLUDE` rule.
    ///
    /// ```
    /// use bizproc::{Filter, FilterRule};
    ///
    /// let filter = Filter::new().include(FilterRule::Cloud).include(FilterRule::document(["crm"]));
    /// assert_eq!(serde_json::to_value(&filter).unwrap(), serde_json::json!({"INCLUDE": ["b24", ["crm"]]}));
    /// ```
    #[must_use]
    pub fn include(mut self, rule: FilterRule) -> Self {
        self.include.push(rule);
        self
    }

    /// Adds an `EXCLUDE` rule.
    ///
    /// ```
    /// use bizproc::{Filter, FilterRule};
    ///
    /// let filter = Filter::new().exclude(FilterRule::OnPremise);
    /// assert_eq!(serde_json::to_value(&filter).unwrap(), serde_json::json!({"EXCLUDE": ["box"]}));
    /// ```
    #[must_use]
    pub fn exclude(mut self, rule: FilterRule) -> Self {
        self.exclude.push(rule);
        self
    }

    /// The `INCLUDE` rules.
    ///
    /// ```
    /// use bizproc::{Filter, FilterRule};
    ///
    /// let filter = Filter::new().include(FilterRule::Cloud).exclude(FilterRule::OnPremise);
    /// assert_eq!(filter.included(), [FilterRule::Cloud]);
    /// ```
    #[must_use]
    pub fn included(&self) -> &[FilterRule] {
        &self.include
    }

    /// The `EXCLUDE` rules.
    ///
    /// ```
    /// use bizproc::{Filter, FilterRule};
    ///
    /// let filter: Filter = serde_json::from_value(serde_json::json!({"EXCLUDE": ["box", ["lists"]]})).unwrap();
    /// assert_eq!(filter.excluded(), [FilterRule::OnPremise, FilterRule::document(["lists"])]);
    /// assert!(filter.included().is_empty());
    /// ```
    #[must_use]
    pub fn excluded(&self) -> &[FilterRule] {
        &self.exclude
    }
}

impl Serialize for Filter {
    /// Writes only the non-empty lists, as the docs' examples do.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let lists = [("INCLUDE", &self.include), ("EXCLUDE", &self.exclude)];
        let mut map = serializer.serialize_map(None)?;
        for (key, rules) in lists.into_iter().filter(|(_, rules)| !rules.is_empty()) {
            map.serialize_entry(key, rules)?;
        }
        map.end()
    }
}
