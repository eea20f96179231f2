//! How Rust types map onto property types: the descriptor, `RETURN_VALUES` encoding and
//! handler-input decoding of each type.
//!
//! A field's type picks its property type through [`PropertyValue`], never by its name: a
//! type with no implementation is a compile error on that field. Element types implement
//! [`ScalarValue`]; `Option<T>` (`Required: N`) and `Vec<T>` (`Multiple: Y`) are built on it.

mod date;
mod error;
mod locale;
mod scalar;

use serde_json::Value;

pub use error::ValueError;
pub use locale::{DateFormat, DateOrder, PortalLocale, UnknownDateFormat};

use crate::input::InputValue;
use crate::{Options, PropertyType};

/// A single value of one property type: the element of a field, of an `Option` or of a `Vec`.
///
/// Implement it to give your own type a property type; the [`BizprocSelect`](crate::BizprocSelect)
/// derive implements it for select enums.
///
/// ```
/// use bizproc::{PortalLocale, PropertyType, ScalarValue, ValueError};
///
/// /// A percentage sent as an `int` from 0 to 100.
/// struct Percent(u8);
///
/// impl ScalarValue for Percent {
///     const TYPE: PropertyType = PropertyType::Int;
///     type Literal = u8;
///
///     fn encode(&self, _: &PortalLocale) -> serde_json::Value {
///         self.0.into()
///     }
///     fn decode(text: &str, _: &PortalLocale) -> Result<Self, ValueError> {
///         match text.trim().parse() {
///             Ok(n) if n <= 100 => Ok(Percent(n)),
///             _ => Err(ValueError::invalid(text, "a whole number from 0 to 100")),
///         }
///     }
///     fn literal(value: u8) -> serde_json::Value {
///         value.into()
///     }
/// }
///
/// assert_eq!(Percent::decode("42", &PortalLocale::default()).unwrap().0, 42);
/// assert!(Percent::decode("142", &PortalLocale::default()).is_err());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no Bitrix24 property type",
    label = "no property type for this type",
    note = "property types come from `bizproc::ScalarValue`: String, Text, i8..i64, u8..u32, f32, f64, bool, chrono's NaiveDate, NaiveDateTime and DateTime, UserId, FileId, and `#[derive(BizprocSelect)]` enums"
)]
pub trait ScalarValue: Sized {
    /// The property type written in `Type`.
    ///
    /// ```
    /// use bizproc::{FileId, PropertyType, ScalarValue};
    ///
    /// assert_eq!(<chrono::NaiveDate as ScalarValue>::TYPE, PropertyType::Date);
    /// assert_eq!(<f32 as ScalarValue>::TYPE, PropertyType::Double);
    /// assert_eq!(<FileId as ScalarValue>::TYPE, PropertyType::File);
    /// ```
    const TYPE: PropertyType;
    /// For `select`: the option keys, so that defaults can be checked at compile time.
    ///
    /// ```
    /// use bizproc::{BizprocSelect, ScalarValue};
    ///
    /// #[derive(BizprocSelect)]
    /// enum Format {
    ///     #[bizproc(rename = "pdf")]
    ///     Pdf,
    ///     #[bizproc(rename = "docx")]
    ///     Docx,
    /// }
    ///
    /// assert_eq!(<Format as ScalarValue>::KEYS, ["pdf", "docx"]);
    /// assert!(<String as ScalarValue>::KEYS.is_empty());
    /// ```
    const KEYS: &'static [&'static str] = &[];
    /// The Rust literal that a `#[bizproc(default = ..)]` of this type is written as.
    ///
    /// ```
    /// use bizproc::{ScalarValue, UserId};
    ///
    /// // A user default is written as text, so that it can be an expression.
    /// let author: <UserId as ScalarValue>::Literal = "Author;";
    /// assert_eq!(<UserId as ScalarValue>::literal(author), serde_json::json!("Author;"));
    /// let flag: <bool as ScalarValue>::Literal = true;
    /// assert_eq!(<bool as ScalarValue>::literal(flag), serde_json::json!("Y"));
    /// ```
    type Literal: Copy + 'static;

    /// `Options`, for `select`.
    ///
    /// ```
    /// use bizproc::{BizprocSelect, ScalarValue};
    ///
    /// #[derive(BizprocSelect)]
    /// enum Format {
    ///     #[bizproc(rename = "pdf", label = "PDF")]
    ///     Pdf,
    /// }
    ///
    /// assert_eq!(<Format as ScalarValue>::options().unwrap()["pdf"], "PDF");
    /// assert_eq!(<String as ScalarValue>::options(), None);
    /// ```
    #[must_use]
    fn options() -> Option<Options> {
        None
    }

    /// The value as sent in `RETURN_VALUES`.
    ///
    /// ```
    /// use bizproc::{PortalLocale, ScalarValue, UserId};
    /// use chrono::{FixedOffset, NaiveDate};
    ///
    /// let utc = PortalLocale::utc();
    /// assert_eq!(ScalarValue::encode(&true, &utc), serde_json::json!("Y"));
    /// assert_eq!(ScalarValue::encode(&UserId(7), &utc), serde_json::json!("user_7"));
    /// let moscow = utc.with_utc_offset(FixedOffset::east_opt(3 * 3600).unwrap());
    /// let start = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(9, 30, 0).unwrap();
    /// assert_eq!(ScalarValue::encode(&start, &moscow), serde_json::json!("2026-11-28T09:30:00+03:00"));
    /// ```
    fn encode(&self, locale: &PortalLocale) -> Value;

    /// Reads the text the handler receives; never called with an empty string.
    ///
    /// # Errors
    /// A [`ValueError`] naming the text and what was expected.
    ///
    /// ```
    /// use bizproc::{DateFormat, PortalLocale, ScalarValue};
    /// use chrono::NaiveDate;
    ///
    /// let us = PortalLocale::utc().with_date_format(DateFormat::MONTH_DAY_YEAR);
    /// let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    /// assert_eq!(<NaiveDate as ScalarValue>::decode("11/28/2026", &us), Ok(day));
    /// assert_eq!(<f64 as ScalarValue>::decode("100,15", &us), Ok(100.15));
    /// let err = <i64 as ScalarValue>::decode("1.5", &us).unwrap_err();
    /// assert_eq!(err.to_string(), "`1.5` is not an integer");
    /// ```
    fn decode(text: &str, locale: &PortalLocale) -> Result<Self, ValueError>;

    /// The `Default` written for a `#[bizproc(default = ..)]` literal.
    ///
    /// ```
    /// use bizproc::ScalarValue;
    ///
    /// assert_eq!(<f32 as ScalarValue>::literal(1.1), serde_json::json!(1.1));
    /// assert_eq!(<bool as ScalarValue>::literal(false), serde_json::json!("N"));
    /// ```
    fn literal(value: Self::Literal) -> Value;
}

/// The type of a property field: a [`ScalarValue`], an `Option` of one (`Required: N`) or a
/// `Vec` of one (`Multiple: Y`).
///
/// ```
/// use bizproc::{PropertyType, PropertyValue, UserId};
///
/// assert_eq!(<Option<UserId> as PropertyValue>::TYPE, PropertyType::User);
/// assert!(!<Option<UserId> as PropertyValue>::REQUIRED);
/// assert!(<Vec<String> as PropertyValue>::MULTIPLE);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no Bitrix24 property type",
    label = "no property type for this field",
    note = "a property field is a `bizproc::ScalarValue` (String, Text, integers, f32/f64, bool, chrono dates, UserId, FileId, a `#[derive(BizprocSelect)]` enum), or an `Option` or `Vec` of one"
)]
pub trait PropertyValue: Sized {
    /// The property type written in `Type`.
    ///
    /// ```
    /// use bizproc::{PropertyType, PropertyValue, UserId};
    ///
    /// assert_eq!(<Vec<chrono::NaiveDate> as PropertyValue>::TYPE, PropertyType::Date);
    /// assert_eq!(<Option<UserId> as PropertyValue>::TYPE, <UserId as PropertyValue>::TYPE);
    /// ```
    const TYPE: PropertyType;
    /// `Required`.
    ///
    /// ```
    /// use bizproc::PropertyValue;
    ///
    /// assert!(<i64 as PropertyValue>::REQUIRED);
    /// assert!(!<Option<i64> as PropertyValue>::REQUIRED);
    /// assert!(!<Vec<i64> as PropertyValue>::REQUIRED, "an empty list is a value");
    /// ```
    const REQUIRED: bool;
    /// `Multiple`.
    ///
    /// ```
    /// use bizproc::PropertyValue;
    ///
    /// assert!(<Vec<String> as PropertyValue>::MULTIPLE);
    /// assert!(!<Option<String> as PropertyValue>::MULTIPLE);
    /// ```
    const MULTIPLE: bool;
    /// For `select`: the option keys.
    ///
    /// ```
    /// use bizproc::{BizprocSelect, PropertyValue};
    ///
    /// #[derive(BizprocSelect)]
    /// enum Priority {
    ///     #[bizproc(rename = "low")]
    ///     Low,
    ///     #[bizproc(rename = "high")]
    ///     High,
    /// }
    ///
    /// assert_eq!(<Option<Priority> as PropertyValue>::KEYS, ["low", "high"]);
    /// assert_eq!(<Vec<Priority> as PropertyValue>::KEYS, <Priority as PropertyValue>::KEYS);
    /// ```
    const KEYS: &'static [&'static str];
    /// The Rust literal that a `#[bizproc(default = ..)]` on such a field is written as.
    ///
    /// ```
    /// use bizproc::PropertyValue;
    ///
    /// // A list's default is a slice of its element's literals.
    /// let defaults: <Vec<i64> as PropertyValue>::Literal = &[1, 2];
    /// assert_eq!(<Vec<i64> as PropertyValue>::literal(defaults), serde_json::json!([1, 2]));
    /// let single: <Option<i64> as PropertyValue>::Literal = 3;
    /// assert_eq!(<Option<i64> as PropertyValue>::literal(single), serde_json::json!(3));
    /// ```
    type Literal;

    /// `Options`, for `select`.
    ///
    /// ```
    /// use bizproc::{BizprocSelect, PropertyValue};
    ///
    /// #[derive(BizprocSelect)]
    /// enum Priority {
    ///     #[bizproc(rename = "low", label = "Low")]
    ///     Low,
    ///     #[bizproc(rename = "high", label = "High")]
    ///     High,
    /// }
    ///
    /// assert_eq!(<Vec<Priority> as PropertyValue>::options().unwrap().len(), 2);
    /// assert_eq!(<Option<String> as PropertyValue>::options(), None);
    /// ```
    #[must_use]
    fn options() -> Option<Options>;

    /// The value for `RETURN_VALUES`, or `None` to leave the key out (an absent value).
    ///
    /// ```
    /// use bizproc::{PortalLocale, PropertyValue, UserId};
    ///
    /// let utc = PortalLocale::utc();
    /// assert_eq!(PropertyValue::encode(&Some(UserId(3)), &utc), Some(serde_json::json!("user_3")));
    /// assert_eq!(PropertyValue::encode(&None::<UserId>, &utc), None);
    /// assert_eq!(PropertyValue::encode(&vec![1_i64, 2], &utc), Some(serde_json::json!([1, 2])));
    /// ```
    fn encode(&self, locale: &PortalLocale) -> Option<Value>;

    /// Reads the handler's value of the property; `None` when the request has none.
    ///
    /// # Errors
    /// A [`ValueError`] naming the bad text and what was expected.
    ///
    /// ```
    /// use bizproc::{InputValue, PortalLocale, PropertyValue, ValueError};
    ///
    /// let utc = PortalLocale::utc();
    /// assert_eq!(<i64 as PropertyValue>::decode(None, &utc), Err(ValueError::missing()));
    /// assert_eq!(<Option<i64> as PropertyValue>::decode(None, &utc), Ok(None));
    /// // Unset entries of a multiple value arrive as empty strings and are dropped.
    /// let tags = InputValue::from(vec!["a".to_owned(), String::new(), "b".to_owned()]);
    /// assert_eq!(<Vec<String> as PropertyValue>::decode(Some(&tags), &utc), Ok(vec!["a".to_owned(), "b".to_owned()]));
    /// ```
    fn decode(input: Option<&InputValue>, locale: &PortalLocale) -> Result<Self, ValueError>;

    /// The `Default` written for a `#[bizproc(default = ..)]` literal.
    ///
    /// ```
    /// use bizproc::PropertyValue;
    ///
    /// assert_eq!(<Option<bool> as PropertyValue>::literal(false), serde_json::json!("N"));
    /// assert_eq!(<Vec<String> as PropertyValue>::literal(&["a", "b"]), serde_json::json!(["a", "b"]));
    /// ```
    fn literal(value: Self::Literal) -> Value;
}

impl<T: ScalarValue> PropertyValue for T {
    const TYPE: PropertyType = T::TYPE;
    const REQUIRED: bool = true;
    const MULTIPLE: bool = false;
    const KEYS: &'static [&'static str] = T::KEYS;
    type Literal = T::Literal;

    fn options() -> Option<Options> {
        T::options()
    }

    fn encode(&self, locale: &PortalLocale) -> Option<Value> {
        Some(ScalarValue::encode(self, locale))
    }

    fn decode(input: Option<&InputValue>, locale: &PortalLocale) -> Result<Self, ValueError> {
        match input.map(InputValue::single).transpose()?.flatten() {
            Some(text) => T::decode(text, locale),
            None => Err(ValueError::missing()),
        }
    }

    fn literal(value: Self::Literal) -> Value {
        T::literal(value)
    }
}

impl<T: ScalarValue> PropertyValue for Option<T> {
    const TYPE: PropertyType = T::TYPE;
    const REQUIRED: bool = false;
    const MULTIPLE: bool = false;
    const KEYS: &'static [&'static str] = T::KEYS;
    type Literal = T::Literal;

    fn options() -> Option<Options> {
        T::options()
    }

    fn encode(&self, locale: &PortalLocale) -> Option<Value> {
        self.as_ref().map(|value| value.encode(locale))
    }

    fn decode(input: Option<&InputValue>, locale: &PortalLocale) -> Result<Self, ValueError> {
        match input.map(InputValue::single).transpose()?.flatten() {
            Some(text) => T::decode(text, locale).map(Some),
            None => Ok(None),
        }
    }

    fn literal(value: Self::Literal) -> Value {
        T::literal(value)
    }
}

impl<T: ScalarValue> PropertyValue for Vec<T> {
    const TYPE: PropertyType = T::TYPE;
    const REQUIRED: bool = false;
    const MULTIPLE: bool = true;
    const KEYS: &'static [&'static str] = T::KEYS;
    type Literal = &'static [T::Literal];

    fn options() -> Option<Options> {
        T::options()
    }

    fn encode(&self, locale: &PortalLocale) -> Option<Value> {
        Some(Value::Array(self.iter().map(|value| value.encode(locale)).collect()))
    }

    fn decode(input: Option<&InputValue>, locale: &PortalLocale) -> Result<Self, ValueError> {
        // Unset entries of a multiple value arrive as empty strings: they are not values.
        input
            .map(InputValue::items)
            .into_iter()
            .flatten()
            .filter(|text| !text.is_empty())
            .map(|text| T::decode(text, locale))
            .collect()
    }

    fn literal(value: Self::Literal) -> Value {
        Value::Array(value.iter().copied().map(T::literal).collect())
    }
}
