//! What the derives' generated code calls. Not public API: it changes without notice.

pub use serde_json::Value;

use crate::{
    BizprocSelect, InputError, Localized, PortalLocale, Properties, Property, PropertyError, PropertyInput,
    PropertyType, PropertyValue, Registration, ReturnValues, ValueError,
};

/// The descriptor of a field of type `T`.
#[must_use]
pub fn property<T: PropertyValue>(
    name: Localized,
    description: Option<Localized>,
    type_override: Option<&str>,
    default: Option<Value>,
) -> Property {
    let property_type = match type_override {
        // The derive accepts only names that `from_name` reads; keep the text if that changes.
        Some(name) => PropertyType::from_name(name).unwrap_or_else(|| PropertyType::Document(name.to_owned())),
        None => T::TYPE,
    };
    Property {
        name,
        description,
        property_type,
        required: T::REQUIRED,
        multiple: T::MULTIPLE,
        options: T::options(),
        default,
    }
}

/// The `Default` of a field of type `T`; the literal's type is checked by the compiler.
pub fn literal<T: PropertyValue>(value: T::Literal) -> Value {
    T::literal(value)
}

/// Whether `key` is one of `keys`; `const` so that defaults are checked at compile time.
#[must_use]
pub const fn has_key(keys: &[&str], key: &str) -> bool {
    let mut i = 0;
    while i < keys.len() {
        if bytes_eq(keys[i].as_bytes(), key.as_bytes(), false) {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether `id` equals one of `ids` ignoring ASCII case, as the server compares ids.
#[must_use]
pub const fn has_id_ignoring_case(ids: &[&str], id: &str) -> bool {
    let mut i = 0;
    while i < ids.len() {
        if bytes_eq(ids[i].as_bytes(), id.as_bytes(), true) {
            return true;
        }
        i += 1;
    }
    false
}

const fn bytes_eq(left: &[u8], right: &[u8], ignore_case: bool) -> bool {
    if left.len() != right.len() {
        return false;
    }
    let mut index = 0;
    while index < left.len() {
        let (l, r) = (left[index], right[index]);
        let equal = if ignore_case { l.eq_ignore_ascii_case(&r) } else { l == r };
        if !equal {
            return false;
        }
        index += 1;
    }
    true
}

/// A text for every language.
#[must_use]
pub fn text(text: &str) -> Localized {
    Localized::Text(text.to_owned())
}

/// A text per language.
#[must_use]
pub fn by_language(pairs: &[(&str, &str)]) -> Localized {
    Localized::by_language(pairs.iter().copied())
}

/// `RETURN_VALUES` with room for a result's `fields`, so that filing them does not regrow it.
#[must_use]
pub fn return_values(fields: usize) -> ReturnValues {
    ReturnValues::with_capacity(fields)
}

/// Adds a field's value to `RETURN_VALUES`, unless it is absent.
pub fn encode<T: PropertyValue>(values: &mut ReturnValues, id: &str, value: &T, locale: &PortalLocale) {
    if let Some(encoded) = value.encode(locale) {
        values.insert(id, encoded);
    }
}

/// Reads a field, collecting its error instead of stopping at it.
pub fn decode<T: PropertyValue>(
    input: &PropertyInput,
    id: &str,
    locale: &PortalLocale,
    errors: &mut Vec<PropertyError>,
) -> Option<T> {
    T::decode(input.get(id), locale).map_err(|error| errors.push(PropertyError::new(id, error))).ok()
}

/// The error of every field that failed.
#[must_use]
pub fn input_error(errors: Vec<PropertyError>) -> InputError {
    InputError::from(errors)
}

/// A derived robot's registration.
#[must_use]
pub fn registration(
    code: &str,
    name: Localized,
    description: Option<Localized>,
    use_subscription: bool,
    handler: String,
    properties: Properties,
    return_properties: Properties,
) -> Registration {
    let registration = Registration::new(code, name, handler)
        .use_subscription(use_subscription)
        .properties(properties)
        .return_properties(return_properties);
    match description {
        Some(description) => registration.description(description),
        None => registration,
    }
}

/// A select value as sent: its key.
#[must_use]
pub fn select_encode<T: BizprocSelect>(value: &T) -> Value {
    Value::String(value.key().to_owned())
}

/// A select value from its key.
///
/// # Errors
/// When `text` is none of `T`'s keys.
pub fn select_decode<T: BizprocSelect>(text: &str) -> Result<T, ValueError> {
    T::from_key(text).ok_or_else(|| {
        let keys: Vec<String> = T::KEYS.iter().map(|key| format!("`{key}`")).collect();
        ValueError::invalid(text, format!("one of the options {}", keys.join(", ")))
    })
}

/// Whether a property type is the one named, for checks against definition files.
#[must_use]
pub const fn type_is(property_type: &PropertyType, name: &str) -> bool {
    bytes_eq(property_type.as_str().as_bytes(), name.as_bytes(), false)
}

/// Whether two key lists hold the same keys, in any order.
#[must_use]
pub const fn same_keys(left: &[&str], right: &[&str]) -> bool {
    if left.len() != right.len() {
        return false;
    }
    let mut i = 0;
    while i < left.len() {
        if !has_key(right, left[i]) {
            return false;
        }
        i += 1;
    }
    true
}

/// A descriptor written by the derive from a definition file.
///
/// # Panics
/// Never for the derive's own output, which is checked JSON of a descriptor.
#[must_use]
pub fn property_from_json(json: &str) -> Property {
    serde_json::from_str(json).expect("the derive writes valid descriptors")
}

/// A registration written by the derive from a definition file, at `handler`.
///
/// # Panics
/// Never for the derive's own output, which is a checked `bizproc.robot.add` payload.
#[must_use]
pub fn registration_from_json(json: &str, handler: &str) -> Registration {
    let payload: Value = serde_json::from_str(json).expect("the derive writes valid JSON");
    Registration::from_payload(&payload, handler).expect("the derive writes valid registrations")
}
