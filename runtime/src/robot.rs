//! The traits the derives implement, and the values a robot returns.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::{InputError, Options, PortalLocale, Properties, PropertyInput, Registration};

/// A robot's result type: its `RETURN_PROPERTIES`, its registration, and the `RETURN_VALUES`
/// that complete a run.
///
/// Derive it with `#[derive(BizprocReturn)]`; the derive's attributes are described in the
/// [crate documentation](crate#derive-attributes).
///
/// ```
/// use bizproc::BizprocReturn;
///
/// /// Computes the MD5 of a string.
/// #[derive(BizprocReturn)]
/// #[bizproc(code = "md5_action", name = "MD5 generator")]
/// struct Md5 {
///     #[bizproc(rename = "outputString", name = "MD5")]
///     output: String,
/// }
///
/// let values = Md5 { output: "846c55d14f552180874a628d2615e285".into() }.return_values();
/// assert_eq!(values.get("outputString"), Some(&serde_json::json!("846c55d14f552180874a628d2615e285")));
/// assert_eq!(Md5::CODE, "md5_action");
/// ```
pub trait BizprocReturn: Sized {
    /// The robot's `CODE`.
    ///
    /// ```
    /// use bizproc::BizprocReturn;
    ///
    /// /// Computes the MD5 of a string.
    /// #[derive(BizprocReturn)]
    /// #[bizproc(code = "md5_action", name = "MD5 generator")]
    /// struct Md5 {
    ///     #[bizproc(rename = "outputString", name = "MD5")]
    ///     output: String,
    /// }
    ///
    /// assert_eq!(Md5::CODE, "md5_action");
    /// assert_eq!(Md5::registration("https://app.example.com/robots/md5").robot_add_payload()["CODE"], Md5::CODE);
    /// ```
    const CODE: &'static str;
    /// The robot's input properties; `()` for a robot without inputs.
    ///
    /// ```
    /// use bizproc::{BizprocProperties, BizprocReturn};
    ///
    /// #[derive(BizprocProperties)]
    /// struct Source {
    ///     text: String,
    /// }
    ///
    /// /// Computes the MD5 of a string.
    /// #[derive(BizprocReturn)]
    /// #[bizproc(code = "md5_action", name = "MD5 generator", input = Source)]
    /// struct Md5 {
    ///     output: String,
    /// }
    ///
    /// /// Pings the app.
    /// #[derive(BizprocReturn)]
    /// #[bizproc(code = "ping", name = "Ping")]
    /// struct Pong {
    ///     ok: bool,
    /// }
    ///
    /// assert_eq!(<Md5 as BizprocReturn>::Input::properties().ids().collect::<Vec<_>>(), ["text"]);
    /// assert!(<Pong as BizprocReturn>::Input::properties().is_empty());
    /// ```
    type Input: BizprocProperties;

    /// Everything `bizproc.robot.add` needs, with this handler URL.
    ///
    /// ```
    /// use bizproc::BizprocReturn;
    ///
    /// /// Computes the MD5 of a string.
    /// #[derive(BizprocReturn)]
    /// #[bizproc(code = "md5_action", name = "MD5 generator")]
    /// struct Md5 {
    ///     #[bizproc(rename = "outputString", name = "MD5")]
    ///     output: String,
    /// }
    ///
    /// let reg = Md5::registration("https://app.example.com/robots/md5");
    /// assert_eq!(reg.handler_url(), "https://app.example.com/robots/md5");
    /// assert_eq!(reg.output_properties(), &Md5::return_properties());
    /// assert_eq!(reg.robot_add_payload()["DESCRIPTION"], "Computes the MD5 of a string.");
    /// assert!(reg.validate().is_ok());
    /// ```
    fn registration(handler: impl Into<String>) -> Registration;

    /// `RETURN_PROPERTIES`.
    ///
    /// ```
    /// use bizproc::BizprocReturn;
    ///
    /// /// Computes the MD5 of a string.
    /// #[derive(BizprocReturn)]
    /// #[bizproc(code = "md5_action", name = "MD5 generator")]
    /// struct Md5 {
    ///     #[bizproc(rename = "outputString", name = "MD5")]
    ///     output: String,
    /// }
    ///
    /// let props = Md5::return_properties();
    /// let output = props.get("outputString").unwrap();
    /// assert_eq!(output.property_type, bizproc::PropertyType::String);
    /// assert_eq!(output.name.get("en"), Some("MD5"));
    /// ```
    fn return_properties() -> Properties;

    /// `RETURN_VALUES` for a portal with this locale (dates are written at its UTC offset).
    ///
    /// ```
    /// use bizproc::{BizprocReturn, PortalLocale};
    /// use chrono::{FixedOffset, NaiveDate};
    ///
    /// /// Computes a due date.
    /// #[derive(BizprocReturn)]
    /// #[bizproc(code = "due_date", name = "Due date")]
    /// struct Due {
    ///     due: NaiveDate,
    /// }
    ///
    /// let result = Due { due: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap() };
    ///
    /// let moscow = PortalLocale::utc().with_utc_offset(FixedOffset::east_opt(3 * 3600).unwrap());
    /// assert_eq!(result.return_values_in(&moscow).get("due"), Some(&serde_json::json!("2026-11-28T00:00:00+03:00")));
    /// ```
    fn return_values_in(&self, locale: &PortalLocale) -> ReturnValues;

    /// `RETURN_VALUES`, with dates written at UTC.
    ///
    /// ```
    /// use bizproc::{BizprocReturn, PortalLocale};
    /// use chrono::{FixedOffset, NaiveDate};
    ///
    /// /// Computes a due date.
    /// #[derive(BizprocReturn)]
    /// #[bizproc(code = "due_date", name = "Due date")]
    /// struct Due {
    ///     due: NaiveDate,
    /// }
    ///
    /// let result = Due { due: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap() };
    ///
    /// assert_eq!(result.return_values().get("due"), Some(&serde_json::json!("2026-11-28T00:00:00+00:00")));
    /// assert_eq!(result.return_values(), result.return_values_in(&PortalLocale::utc()));
    /// ```
    fn return_values(&self) -> ReturnValues {
        self.return_values_in(&PortalLocale::utc())
    }

    /// Completes the run that `token` belongs to with this result (`bizproc.event.send`).
    /// Only this robot's result type can complete its runs; dates are written at the
    /// portal's UTC offset. Safe to repeat: the portal ignores a second send.
    ///
    /// # Errors
    /// The portal's error, e.g. `ACCESS_DENIED` for a token that is not the portal's.
    #[cfg(feature = "client")]
    fn send_result(
        &self,
        client: &crate::Client,
        token: &crate::EventToken<Self>,
    ) -> impl std::future::Future<Output = Result<(), crate::client::Error>> + Send
    where
        Self: Sync,
    {
        client.send_result(self, token, None)
    }

    /// [`send_result`](Self::send_result) with a line for the workflow log.
    ///
    /// # Errors
    /// As [`send_result`](Self::send_result).
    #[cfg(feature = "client")]
    fn send_result_with_log(
        &self,
        client: &crate::Client,
        token: &crate::EventToken<Self>,
        log_message: &str,
    ) -> impl std::future::Future<Output = Result<(), crate::client::Error>> + Send
    where
        Self: Sync,
    {
        client.send_result(self, token, Some(log_message))
    }
}

/// A robot's input type: its `PROPERTIES`, and how the handler's `properties[...]` become it.
///
/// ```
/// use bizproc::{BizprocProperties, PortalLocale, PropertyInput, UserId};
///
/// #[derive(BizprocProperties)]
/// struct Input {
///     inn: String,
///     manager: Option<UserId>,
/// }
///
/// let raw = PropertyInput::from_iter([("inn", "7707083893"), ("manager", "user_3")]);
/// let input = Input::from_input(&raw, &PortalLocale::default()).unwrap();
/// assert_eq!(input.manager, Some(UserId(3)));
/// assert_eq!(Input::properties().len(), 2);
/// ```
pub trait BizprocProperties: Sized {
    /// The property ids, so that clashes with return ids are found at compile time.
    #[doc(hidden)]
    const IDS: &'static [&'static str];

    /// `PROPERTIES`.
    ///
    /// ```
    /// use bizproc::{BizprocProperties, PortalLocale, PropertyInput, UserId};
    ///
    /// #[derive(BizprocProperties, Debug)]
    /// struct Input {
    ///     /// Tax id of the counterparty.
    ///     inn: String,
    ///     #[bizproc(default = 100000.0)]
    ///     max_limit: f64,
    ///     manager: Option<UserId>,
    /// }
    ///
    /// let props = Input::properties();
    /// assert_eq!(props.ids().collect::<Vec<_>>(), ["inn", "max_limit", "manager"]);
    /// let inn = props.get("inn").unwrap();
    /// assert_eq!(inn.description.as_ref().unwrap().get("en"), Some("Tax id of the counterparty."));
    /// assert_eq!(props.get("max_limit").unwrap().default, Some(serde_json::json!(100000.0)));
    /// assert!(!props.get("manager").unwrap().required);
    /// ```
    fn properties() -> Properties;

    /// Reads the handler request's properties.
    ///
    /// # Errors
    /// An [`InputError`] naming every property that is missing or unreadable.
    ///
    /// ```
    /// use bizproc::{BizprocProperties, PortalLocale, PropertyInput, UserId};
    ///
    /// #[derive(BizprocProperties, Debug)]
    /// struct Input {
    ///     /// Tax id of the counterparty.
    ///     inn: String,
    ///     #[bizproc(default = 100000.0)]
    ///     max_limit: f64,
    ///     manager: Option<UserId>,
    /// }
    ///
    /// let raw = PropertyInput::from_iter([("inn", "7707083893"), ("max_limit", "250000,50"), ("manager", "user_3")]);
    /// let input = Input::from_input(&raw, &PortalLocale::default()).unwrap();
    /// assert_eq!((input.max_limit, input.manager), (250000.5, Some(UserId(3))));
    ///
    /// let err = Input::from_input(&PropertyInput::from_iter([("max_limit", "lots")]), &PortalLocale::default());
    /// assert_eq!(
    ///     err.unwrap_err().to_string(),
    ///     "invalid robot input: property `inn`: a value is required but none was sent; \
    ///      property `max_limit`: `lots` is not a decimal number",
    /// );
    /// ```
    fn from_input(input: &PropertyInput, locale: &PortalLocale) -> Result<Self, InputError>;
}

/// No inputs.
impl BizprocProperties for () {
    const IDS: &'static [&'static str] = &[];

    fn properties() -> Properties {
        Properties::new()
    }

    fn from_input(_: &PropertyInput, _: &PortalLocale) -> Result<Self, InputError> {
        Ok(())
    }
}

/// A `select` property's type: a unit enum whose variants are the options.
///
/// ```
/// use bizproc::BizprocSelect;
///
/// #[derive(BizprocSelect, Debug, PartialEq)]
/// enum Format {
///     #[bizproc(rename = "pdf", label = "PDF")]
///     Pdf,
///     #[bizproc(rename = "docx", label = "DOCX")]
///     Docx,
/// }
///
/// assert_eq!(Format::KEYS, ["pdf", "docx"]);
/// assert_eq!(Format::from_key("docx"), Some(Format::Docx));
/// assert_eq!(Format::Pdf.key(), "pdf");
/// ```
pub trait BizprocSelect: Sized + 'static {
    /// The option keys, in declaration order.
    ///
    /// ```
    /// use bizproc::BizprocSelect;
    ///
    /// #[derive(BizprocSelect, Debug, PartialEq)]
    /// enum Format {
    ///     #[bizproc(rename = "pdf", label = "PDF")]
    ///     Pdf,
    ///     #[bizproc(label = "Word document")]
    ///     Docx,
    /// }
    ///
    /// assert_eq!(Format::KEYS, ["pdf", "Docx"]);
    /// ```
    const KEYS: &'static [&'static str];
    /// The option labels, in the same order.
    ///
    /// ```
    /// use bizproc::BizprocSelect;
    ///
    /// #[derive(BizprocSelect, Debug, PartialEq)]
    /// enum Format {
    ///     #[bizproc(rename = "pdf", label = "PDF")]
    ///     Pdf,
    ///     #[bizproc(label = "Word document")]
    ///     Docx,
    /// }
    ///
    /// assert_eq!(Format::LABELS, ["PDF", "Word document"]);
    /// ```
    const LABELS: &'static [&'static str];

    /// This variant's key.
    ///
    /// ```
    /// use bizproc::BizprocSelect;
    ///
    /// #[derive(BizprocSelect, Debug, PartialEq)]
    /// enum Format {
    ///     #[bizproc(rename = "pdf", label = "PDF")]
    ///     Pdf,
    ///     #[bizproc(label = "Word document")]
    ///     Docx,
    /// }
    ///
    /// assert_eq!(Format::Pdf.key(), "pdf");
    /// assert_eq!(Format::Docx.key(), "Docx");
    /// ```
    fn key(&self) -> &'static str;

    /// The variant with this key.
    ///
    /// ```
    /// use bizproc::BizprocSelect;
    ///
    /// #[derive(BizprocSelect, Debug, PartialEq)]
    /// enum Format {
    ///     #[bizproc(rename = "pdf", label = "PDF")]
    ///     Pdf,
    ///     #[bizproc(label = "Word document")]
    ///     Docx,
    /// }
    ///
    /// assert_eq!(Format::from_key("pdf"), Some(Format::Pdf));
    /// assert_eq!(Format::from_key("PDF"), None, "keys are matched exactly");
    /// ```
    fn from_key(key: &str) -> Option<Self>;

    /// `Options`: key to label.
    ///
    /// ```
    /// use bizproc::BizprocSelect;
    ///
    /// #[derive(BizprocSelect, Debug, PartialEq)]
    /// enum Format {
    ///     #[bizproc(rename = "pdf", label = "PDF")]
    ///     Pdf,
    ///     #[bizproc(label = "Word document")]
    ///     Docx,
    /// }
    ///
    /// let options = Format::options();
    /// assert_eq!(options["pdf"], "PDF");
    /// assert_eq!(options.keys().collect::<Vec<_>>(), Format::KEYS);
    /// ```
    #[must_use]
    fn options() -> Options {
        Self::KEYS.iter().zip(Self::LABELS).map(|(k, l)| ((*k).to_owned(), (*l).to_owned())).collect()
    }
}

/// The `RETURN_VALUES` of one run: property id to value, in declaration order; absent values
/// are left out.
///
/// ```
/// use bizproc::ReturnValues;
///
/// let values = ReturnValues::from_iter([("score", serde_json::json!(42))]);
/// assert_eq!(serde_json::to_string(&values).unwrap(), r#"{"score":42}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ReturnValues(Map<String, Value>);

impl ReturnValues {
    /// The value of a property.
    ///
    /// ```
    /// let values = bizproc::ReturnValues::from_iter([("a", serde_json::json!("Y"))]);
    /// assert_eq!(values.get("a"), Some(&serde_json::json!("Y")));
    /// ```
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.0.get(id)
    }

    /// How many values there are.
    ///
    /// ```
    /// assert_eq!(bizproc::ReturnValues::default().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    ///
    /// ```
    /// assert!(bizproc::ReturnValues::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(id, value)` pairs in order.
    ///
    /// ```
    /// let values = bizproc::ReturnValues::from_iter([("a", serde_json::json!(1))]);
    /// assert_eq!(values.iter().count(), 1);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(id, value)| (id.as_str(), value))
    }

    /// The values as a JSON object.
    ///
    /// ```
    /// let json = bizproc::ReturnValues::default().into_json();
    /// assert_eq!(json, serde_json::json!({}));
    /// ```
    #[must_use]
    pub fn into_json(self) -> Value {
        Value::Object(self.0)
    }

    /// Adds a value (used by the derives).
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self(Map::with_capacity(capacity))
    }

    pub(crate) fn insert(&mut self, id: &str, value: Value) {
        self.0.insert(id.to_owned(), value);
    }
}

impl<K: Into<String>> FromIterator<(K, Value)> for ReturnValues {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Self {
        Self(iter.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}
