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
    const TYPE: PropertyType;
    /// For `select`: the option keys, so that defaults can be checked at compile time.
    const KEYS: &'static [&'static str] = &[];
    /// The Rust literal that a `#[bizproc(default = ..)]` of this type is written as.
    type Literal: Copy + 'static;

    /// `Options`, for `select`.
    #[must_use]
    fn options() -> Option<Options> {
        None
    }

    /// The value as sent in `RETURN_VALUES`.
    fn encode(&self, locale: &PortalLocale) -> Value;

    /// Reads the text the handler receives; never called with an empty string.
    ///
    /// # Errors
    /// A [`ValueError`] naming the text and what was expected.
    fn decode(text: &str, locale: &PortalLocale) -> Result<Self, ValueError>;

    /// The `Default` written for a `#[bizproc(default = ..)]` literal.
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
    const TYPE: PropertyType;
    /// `Required`.
    const REQUIRED: bool;
    /// `Multiple`.
    const MULTIPLE: bool;
    /// For `select`: the option keys.
    const KEYS: &'static [&'static str];
    /// The Rust literal that a `#[bizproc(default = ..)]` on such a field is written as.
    type Literal;

    /// `Options`, for `select`.
    #[must_use]
    fn options() -> Option<Options>;

    /// The value for `RETURN_VALUES`, or `None` to leave the key out (an absent value).
    fn encode(&self, locale: &PortalLocale) -> Option<Value>;

    /// Reads the handler's value of the property; `None` when the request has none.
    ///
    /// # Errors
    /// A [`ValueError`] naming the bad text and what was expected.
    fn decode(input: Option<&InputValue>, locale: &PortalLocale) -> Result<Self, ValueError>;

    /// The `Default` written for a `#[bizproc(default = ..)]` literal.
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
