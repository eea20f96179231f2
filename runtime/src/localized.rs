//! Texts that Bitrix24 shows to people: one string, or one string per language.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// A name or description: a plain string, or a map from language code to text.
///
/// Bitrix24 stores a plain string for every language; a map is looked up by the user's
/// language, then `en`, so maps built by the derives always contain `en`.
///
/// ```
/// use bizproc::Localized;
///
/// let plain = Localized::from("Credit check");
/// let both = Localized::by_language([("en", "Credit check"), ("ru", "Проверка контрагента")]);
/// assert_eq!(serde_json::to_string(&plain).unwrap(), r#""Credit check""#);
/// assert_eq!(both.get("ru"), Some("Проверка контрагента"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Localized {
    /// The same text in every language.
    Text(String),
    /// Text per two-letter language code, in declaration order.
    ByLanguage(IndexMap<String, String>),
}

impl Localized {
    /// Builds a per-language text from `(language, text)` pairs.
    ///
    /// ```
    /// let name = bizproc::Localized::by_language([("en", "File"), ("de", "Datei")]);
    /// assert_eq!(name.get("de"), Some("Datei"));
    /// ```
    pub fn by_language<L, T>(pairs: impl IntoIterator<Item = (L, T)>) -> Self
    where
        L: Into<String>,
        T: Into<String>,
    {
        Self::ByLanguage(pairs.into_iter().map(|(l, t)| (l.into(), t.into())).collect())
    }

    /// The text shown for `language`, falling back as Bitrix24 does: the language itself,
    /// then `en`. A plain text answers every language.
    ///
    /// ```
    /// let name = bizproc::Localized::by_language([("en", "File"), ("de", "Datei")]);
    /// assert_eq!(name.get("fr"), Some("File"));
    /// ```
    #[must_use]
    pub fn get(&self, language: &str) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            Self::ByLanguage(map) => map
                .iter()
                .find(|(lang, _)| lang.eq_ignore_ascii_case(language))
                .or_else(|| map.iter().find(|(lang, _)| lang.eq_ignore_ascii_case("en")))
                .map(|(_, text)| text.as_str()),
        }
    }

    /// Whether there is no text to show: an empty string, or a map with no non-empty text.
    ///
    /// ```
    /// assert!(bizproc::Localized::from("").is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Text(text) => text.is_empty(),
            Self::ByLanguage(map) => map.values().all(String::is_empty),
        }
    }
}

impl From<&str> for Localized {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<String> for Localized {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}
