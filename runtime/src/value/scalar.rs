//! Strings, numbers, flags, users and files.

use serde_json::Value;

use super::{PortalLocale, ScalarValue, ValueError};
use crate::{FileId, PropertyType, Text, UserId};

impl ScalarValue for String {
    const TYPE: PropertyType = PropertyType::String;
    type Literal = &'static str;

    fn encode(&self, _: &PortalLocale) -> Value {
        Value::String(self.clone())
    }

    fn decode(text: &str, _: &PortalLocale) -> Result<Self, ValueError> {
        Ok(text.to_owned())
    }

    fn literal(value: &'static str) -> Value {
        value.into()
    }
}

impl ScalarValue for Text {
    const TYPE: PropertyType = PropertyType::Text;
    type Literal = &'static str;

    fn encode(&self, _: &PortalLocale) -> Value {
        Value::String(self.0.clone())
    }

    fn decode(text: &str, _: &PortalLocale) -> Result<Self, ValueError> {
        Ok(Text(text.to_owned()))
    }

    fn literal(value: &'static str) -> Value {
        value.into()
    }
}

/// Integers that fit the server's signed 64-bit `int`: wider types would be cut there.
macro_rules! int {
    ($($ty:ty),*) => {$(
        impl ScalarValue for $ty {
            const TYPE: PropertyType = PropertyType::Int;
            type Literal = $ty;

            fn encode(&self, _: &PortalLocale) -> Value {
                Value::from(*self)
            }

            fn decode(text: &str, _: &PortalLocale) -> Result<Self, ValueError> {
                let trimmed = text.trim();
                let digits = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ValueError::invalid(text, "an integer"));
                }
                trimmed.parse().map_err(|_| {
                    ValueError::invalid(text, concat!("an integer in the range of `", stringify!($ty), "`"))
                })
            }

            fn literal(value: $ty) -> Value {
                Value::from(value)
            }
        }
    )*};
}

int!(i8, i16, i32, i64, u8, u16, u32);

/// Reads `100.15`, and `100,15` as some locales write it; never `NaN` or infinities, which
/// have no JSON form.
fn decode_double(text: &str) -> Result<f64, ValueError> {
    let trimmed = text.trim();
    let normalized;
    let number = if trimmed.contains(',') && !trimmed.contains('.') {
        normalized = trimmed.replace(',', ".");
        normalized.as_str()
    } else {
        trimmed
    };
    let plain = !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    match number.parse::<f64>() {
        Ok(value) if plain && value.is_finite() => Ok(value),
        _ => Err(ValueError::invalid(text, "a decimal number")),
    }
}

impl ScalarValue for f64 {
    const TYPE: PropertyType = PropertyType::Double;
    type Literal = f64;

    /// Non-finite numbers have no JSON form and are sent as `null`.
    fn encode(&self, _: &PortalLocale) -> Value {
        Value::from(*self)
    }

    fn decode(text: &str, _: &PortalLocale) -> Result<Self, ValueError> {
        decode_double(text)
    }

    fn literal(value: f64) -> Value {
        Value::from(value)
    }
}

impl ScalarValue for f32 {
    const TYPE: PropertyType = PropertyType::Double;
    type Literal = f32;

    /// Written with the shortest digits that read back as the same `f32` (`1.1`, not
    /// `1.100000023841858`).
    fn encode(&self, _: &PortalLocale) -> Value {
        Value::from(self.to_string().parse::<f64>().unwrap_or(f64::NAN))
    }

    fn decode(text: &str, _: &PortalLocale) -> Result<Self, ValueError> {
        #[allow(clippy::cast_possible_truncation)] // rounding to the nearest f32 is the intent
        let value = decode_double(text)? as f32;
        if value.is_finite() {
            Ok(value)
        } else {
            Err(ValueError::invalid(text, "a decimal number in the range of `f32`"))
        }
    }

    fn literal(value: f32) -> Value {
        Self::encode(&value, &PortalLocale::utc())
    }
}

impl ScalarValue for bool {
    const TYPE: PropertyType = PropertyType::Bool;
    type Literal = bool;

    fn encode(&self, _: &PortalLocale) -> Value {
        Value::from(if *self { "Y" } else { "N" })
    }

    /// `Y`/`N` as Bitrix24 sends them; `1`/`0` and `true`/`false` are read too.
    fn decode(text: &str, _: &PortalLocale) -> Result<Self, ValueError> {
        match text.trim() {
            "Y" | "y" | "1" | "true" => Ok(true),
            "N" | "n" | "0" | "false" => Ok(false),
            _ => Err(ValueError::invalid(text, "`Y` or `N`")),
        }
    }

    fn literal(value: bool) -> Value {
        Self::encode(&value, &PortalLocale::utc())
    }
}

impl ScalarValue for UserId {
    const TYPE: PropertyType = PropertyType::User;
    /// A user default is an id (`user_1`) or an expression such as `Author;`.
    type Literal = &'static str;

    fn encode(&self, _: &PortalLocale) -> Value {
        Value::String(self.to_string())
    }

    fn decode(text: &str, _: &PortalLocale) -> Result<Self, ValueError> {
        text.parse().map_err(|_| ValueError::invalid(text, "a user (`user_<id>`)"))
    }

    fn literal(value: &'static str) -> Value {
        value.into()
    }
}

impl ScalarValue for FileId {
    const TYPE: PropertyType = PropertyType::File;
    type Literal = u64;

    fn encode(&self, _: &PortalLocale) -> Value {
        Value::from(self.0)
    }

    fn decode(text: &str, _: &PortalLocale) -> Result<Self, ValueError> {
        let trimmed = text.trim();
        if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::invalid(text, "a file id"));
        }
        trimmed.parse().map(FileId).map_err(|_| ValueError::invalid(text, "a file id"))
    }

    fn literal(value: u64) -> Value {
        Value::from(value)
    }
}
