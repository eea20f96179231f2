//! Table tests of value encoding and decoding (spec §4): every property type, every input
//! form the handler may receive, and the errors of bad values.

use std::fmt::Debug;

use bizproc::{
    DateFormat, DateOrder, FileId, InputValue, PortalLocale, PropertyError, PropertyInput, PropertyType, PropertyValue,
    ScalarValue, Text, UserId, ValueError,
};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn offset(seconds_east: i32) -> FixedOffset {
    FixedOffset::east_opt(seconds_east).expect("a valid offset")
}

/// `DD.MM.YYYY` at UTC.
fn utc() -> PortalLocale {
    PortalLocale::utc()
}

/// `DD.MM.YYYY` at +03:00, as a Russian portal.
fn moscow() -> PortalLocale {
    PortalLocale::new(DateFormat::DAY_MONTH_YEAR, offset(3 * 3600))
}

/// `MM/DD/YYYY` at -05:00, as a US portal.
fn new_york() -> PortalLocale {
    PortalLocale::new(DateFormat::MONTH_DAY_YEAR, offset(-5 * 3600))
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid date")
}

fn datetime(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> NaiveDateTime {
    date(year, month, day).and_hms_opt(hour, minute, second).expect("a valid time")
}

fn at(naive: NaiveDateTime, seconds_east: i32) -> DateTime<FixedOffset> {
    naive.and_local_timezone(offset(seconds_east)).single().expect("a fixed offset is never ambiguous")
}

fn decode<T: ScalarValue>(text: &str, locale: &PortalLocale) -> Result<T, ValueError> {
    <T as ScalarValue>::decode(text, locale)
}

fn encode<T: ScalarValue>(value: &T, locale: &PortalLocale) -> Value {
    <T as ScalarValue>::encode(value, locale)
}

/// Asserts that each text decodes to its value.
#[track_caller]
fn accepts<T: ScalarValue + PartialEq + Debug>(locale: &PortalLocale, cases: &[(&str, T)]) {
    for (text, expected) in cases {
        match decode::<T>(text, locale) {
            Ok(value) => assert_eq!(&value, expected, "decoding {text:?} with {locale:?}"),
            Err(error) => panic!("decoding {text:?} with {locale:?} failed: {error}"),
        }
    }
}

/// Asserts that each text is rejected, with an error that quotes it and says `expected`.
#[track_caller]
fn rejects<T: ScalarValue + Debug>(locale: &PortalLocale, expected: &str, texts: &[&str]) {
    for text in texts {
        match decode::<T>(text, locale) {
            Ok(value) => panic!("decoding {text:?} with {locale:?} gave {value:?}, expected an error"),
            Err(error) => {
                assert_eq!(error.text(), Some(*text), "the error of {text:?} names the text");
                let message = error.to_string();
                assert!(
                    message.starts_with(&format!("`{}` is not ", text.escape_debug())),
                    "the message of {text:?} quotes it: {message}"
                );
                assert!(message.contains(expected), "the message of {text:?} says {expected:?}: {message}");
            }
        }
    }
}

/// Decodes a property the way the derive does: by id from the request's properties.
fn property<T: PropertyValue>(input: &PropertyInput, id: &str, locale: &PortalLocale) -> Result<T, PropertyError> {
    T::decode(input.get(id), locale).map_err(|error| PropertyError::new(id, error))
}

fn one(text: &str) -> InputValue {
    InputValue::from(text)
}

fn many(items: &[&str]) -> InputValue {
    InputValue::from(items.iter().map(|item| (*item).to_owned()).collect::<Vec<_>>())
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

// ---------------------------------------------------------------------------------------------
// Descriptors
// ---------------------------------------------------------------------------------------------

/// Checks `TYPE`, `REQUIRED`, `MULTIPLE`, `KEYS` and `options()` of `T`, `Option<T>` and `Vec<T>`.
#[track_caller]
fn descriptor<T: ScalarValue>(expected: &PropertyType) {
    let name = std::any::type_name::<T>();
    assert_eq!(&<T as ScalarValue>::TYPE, expected, "{name}: ScalarValue::TYPE");
    assert!(<T as ScalarValue>::KEYS.is_empty(), "{name}: no keys");
    assert!(<T as ScalarValue>::options().is_none(), "{name}: no options");

    assert_eq!(&<T as PropertyValue>::TYPE, expected, "{name}");
    assert_eq!(
        (<T as PropertyValue>::REQUIRED, <T as PropertyValue>::MULTIPLE),
        (true, false),
        "{name}: required, single"
    );
    assert!(<T as PropertyValue>::KEYS.is_empty(), "{name}");
    assert!(<T as PropertyValue>::options().is_none(), "{name}");

    assert_eq!(&<Option<T> as PropertyValue>::TYPE, expected, "Option<{name}>");
    assert_eq!(
        (<Option<T> as PropertyValue>::REQUIRED, <Option<T> as PropertyValue>::MULTIPLE),
        (false, false),
        "Option<{name}>: not required, single"
    );
    assert!(<Option<T> as PropertyValue>::KEYS.is_empty(), "Option<{name}>");
    assert!(<Option<T> as PropertyValue>::options().is_none(), "Option<{name}>");

    assert_eq!(&<Vec<T> as PropertyValue>::TYPE, expected, "Vec<{name}>");
    assert_eq!(
        (<Vec<T> as PropertyValue>::REQUIRED, <Vec<T> as PropertyValue>::MULTIPLE),
        (false, true),
        "Vec<{name}>: not required, multiple"
    );
    assert!(<Vec<T> as PropertyValue>::KEYS.is_empty(), "Vec<{name}>");
    assert!(<Vec<T> as PropertyValue>::options().is_none(), "Vec<{name}>");
}

#[test]
fn descriptor_constants_of_every_type() {
    descriptor::<String>(&PropertyType::String);
    descriptor::<Text>(&PropertyType::Text);
    descriptor::<i8>(&PropertyType::Int);
    descriptor::<i16>(&PropertyType::Int);
    descriptor::<i32>(&PropertyType::Int);
    descriptor::<i64>(&PropertyType::Int);
    descriptor::<u8>(&PropertyType::Int);
    descriptor::<u16>(&PropertyType::Int);
    descriptor::<u32>(&PropertyType::Int);
    descriptor::<f32>(&PropertyType::Double);
    descriptor::<f64>(&PropertyType::Double);
    descriptor::<bool>(&PropertyType::Bool);
    descriptor::<UserId>(&PropertyType::User);
    descriptor::<FileId>(&PropertyType::File);
    descriptor::<NaiveDate>(&PropertyType::Date);
    descriptor::<NaiveDateTime>(&PropertyType::DateTime);
    descriptor::<DateTime<FixedOffset>>(&PropertyType::DateTime);
    descriptor::<DateTime<Utc>>(&PropertyType::DateTime);
}

#[test]
fn descriptor_type_names() {
    let cases = [
        (<String as PropertyValue>::TYPE, "string"),
        (<Text as PropertyValue>::TYPE, "text"),
        (<i64 as PropertyValue>::TYPE, "int"),
        (<f64 as PropertyValue>::TYPE, "double"),
        (<bool as PropertyValue>::TYPE, "bool"),
        (<UserId as PropertyValue>::TYPE, "user"),
        (<FileId as PropertyValue>::TYPE, "file"),
        (<NaiveDate as PropertyValue>::TYPE, "date"),
        (<NaiveDateTime as PropertyValue>::TYPE, "datetime"),
        (<Option<DateTime<Utc>> as PropertyValue>::TYPE, "datetime"),
        (<Vec<UserId> as PropertyValue>::TYPE, "user"),
    ];
    for (property_type, name) in cases {
        assert_eq!(property_type.as_str(), name);
    }
}

#[test]
fn default_literals() {
    assert_eq!(<String as PropertyValue>::literal("hi"), json!("hi"));
    assert_eq!(<Text as PropertyValue>::literal("a\nb"), json!("a\nb"));
    assert_eq!(<i8 as PropertyValue>::literal(-8), json!(-8));
    assert_eq!(<u32 as PropertyValue>::literal(u32::MAX), json!(u32::MAX));
    assert_eq!(<i64 as PropertyValue>::literal(i64::MIN), json!(i64::MIN));
    assert_eq!(<f64 as PropertyValue>::literal(100.15), json!(100.15));
    assert_eq!(<f32 as PropertyValue>::literal(1.1).to_string(), "1.1");
    assert_eq!(<bool as PropertyValue>::literal(true), json!("Y"));
    assert_eq!(<bool as PropertyValue>::literal(false), json!("N"));
    assert_eq!(<UserId as PropertyValue>::literal("Author;"), json!("Author;"));
    assert_eq!(<FileId as PropertyValue>::literal(7), json!(7));
    assert_eq!(<NaiveDate as PropertyValue>::literal("{=Document:DATE_CREATE}"), json!("{=Document:DATE_CREATE}"));
    assert_eq!(<Option<i32> as PropertyValue>::literal(5), json!(5));
    assert_eq!(<Vec<String> as PropertyValue>::literal(&["value 1", "value 2"]), json!(["value 1", "value 2"]));
    assert_eq!(<Vec<bool> as PropertyValue>::literal(&[true, false]), json!(["Y", "N"]));
    assert_eq!(<Vec<i32> as PropertyValue>::literal(&[]), json!([]));
}

// ---------------------------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------------------------

#[test]
fn strings_are_taken_as_sent() {
    let texts = ["Hello world", "  padded  ", "a\nb\r\nc", "Привет, мир", "user_1", "{=Document:NAME}", "0", "N"];
    for text in texts {
        assert_eq!(decode::<String>(text, &utc()), Ok(text.to_owned()));
        assert_eq!(decode::<Text>(text, &utc()), Ok(Text::from(text)));
        assert_eq!(encode(&text.to_owned(), &utc()), json!(text));
        assert_eq!(encode(&Text::from(text), &moscow()), json!(text));
    }
}

#[test]
fn empty_string_property_is_missing() {
    // A required string with an empty value is missing, not "".
    assert_eq!(<String as PropertyValue>::decode(Some(&one("")), &utc()), Err(ValueError::missing()));
    assert_eq!(<Option<String> as PropertyValue>::decode(Some(&one("")), &utc()), Ok(None));
    assert_eq!(<Option<Text> as PropertyValue>::decode(Some(&one(" ")), &utc()), Ok(Some(Text::from(" "))));
}

// ---------------------------------------------------------------------------------------------
// Integers
// ---------------------------------------------------------------------------------------------

/// Decoding and encoding shared by all integer types: `T` must hold -128..=127 or 0..=255.
#[track_caller]
fn integer_table<T>(min: &str, max: &str, below_min: &str, above_max: &str, type_name: &str)
where
    T: ScalarValue + PartialEq + Debug + TryFrom<i64> + Copy,
    <T as TryFrom<i64>>::Error: Debug,
{
    let n = |value: i64| T::try_from(value).expect("fits");
    accepts(
        &utc(),
        &[("42", n(42)), ("0", n(0)), ("007", n(7)), ("+5", n(5)), (" 42 ", n(42)), ("\t12\n", n(12)), ("100", n(100))],
    );
    // The bounds.
    let low = decode::<T>(min, &utc()).unwrap_or_else(|e| panic!("{type_name} min {min}: {e}"));
    let high = decode::<T>(max, &utc()).unwrap_or_else(|e| panic!("{type_name} max {max}: {e}"));
    assert_eq!(encode(&low, &utc()).to_string(), min, "{type_name} min encodes as a JSON number");
    assert_eq!(encode(&high, &utc()).to_string(), max, "{type_name} max encodes as a JSON number");
    assert!(encode(&low, &moscow()).is_number());

    rejects::<T>(
        &utc(),
        "an integer",
        &["", " ", "abc", "4 2", "42abc", "4.2", "42.0", "1e3", "0x1F", "1_000", "+", "-", "--1", "+-1", "١٢", "42,0"],
    );
    let range = format!("an integer in the range of `{type_name}`");
    rejects::<T>(&utc(), &range, &[below_min, above_max, "99999999999999999999999"]);
}

#[test]
fn integers() {
    integer_table::<i8>("-128", "127", "-129", "128", "i8");
    integer_table::<i16>("-32768", "32767", "-32769", "32768", "i16");
    integer_table::<i32>("-2147483648", "2147483647", "-2147483649", "2147483648", "i32");
    integer_table::<i64>(
        "-9223372036854775808",
        "9223372036854775807",
        "-9223372036854775809",
        "9223372036854775808",
        "i64",
    );
    integer_table::<u8>("0", "255", "-1", "256", "u8");
    integer_table::<u16>("0", "65535", "-1", "65536", "u16");
    integer_table::<u32>("0", "4294967295", "-1", "4294967296", "u32");
}

#[test]
fn negative_integers() {
    accepts::<i8>(&utc(), &[("-5", -5), (" -128", -128)]);
    accepts::<i16>(&utc(), &[("-300", -300)]);
    accepts::<i32>(&utc(), &[("-0", 0), ("-70000", -70000)]);
    accepts::<i64>(&utc(), &[("-9000000000", -9_000_000_000)]);
    assert_eq!(encode(&-42_i32, &utc()), json!(-42));
    assert_eq!(encode(&u32::MAX, &utc()), json!(4_294_967_295_u64));
    assert_eq!(encode(&i64::MIN, &utc()), json!(i64::MIN));
    rejects::<u8>(&utc(), "in the range of `u8`", &["-5"]);
    rejects::<u32>(&utc(), "in the range of `u32`", &["-1"]);
}

// ---------------------------------------------------------------------------------------------
// Doubles
// ---------------------------------------------------------------------------------------------

#[test]
fn doubles_decode() {
    let cases: &[(&str, f64)] = &[
        ("100.15", 100.15),
        ("100,15", 100.15),
        ("-100,15", -100.15),
        ("42", 42.0),
        ("-0.5", -0.5),
        ("+2.5", 2.5),
        (".5", 0.5),
        ("5.", 5.0),
        ("1e3", 1000.0),
        ("1.5E-3", 0.0015),
        (" 100.15 ", 100.15),
        ("0", 0.0),
        ("250000.0", 250_000.0),
        ("1.7976931348623157e308", f64::MAX),
    ];
    accepts::<f64>(&utc(), cases);
    for locale in [moscow(), new_york()] {
        accepts::<f64>(&locale, &[("100.15", 100.15), ("100,15", 100.15)]);
    }
    #[allow(clippy::cast_possible_truncation)] // the f32 nearest to each f64 is what f32 decodes to
    let f32_cases: Vec<(&str, f32)> =
        cases.iter().filter(|(_, v)| v.abs() < 1e30).map(|&(t, v)| (t, v as f32)).collect();
    accepts::<f32>(&utc(), &f32_cases);
}

#[test]
fn doubles_reject_garbage_and_non_finite() {
    let bad = [
        "",
        " ",
        "abc",
        "NaN",
        "nan",
        "inf",
        "-inf",
        "+inf",
        "Infinity",
        "-Infinity",
        "infinity",
        "1e999",
        "-1e999",
        "1.2.3",
        "1,2,3",
        "1.000,5",
        "1,000.5",
        "1 000",
        "100.15abc",
        "0x10",
        "1_000",
        ".",
        ",",
        "e",
        "1e",
        "--1",
        "١٢",
        "$5",
    ];
    rejects::<f64>(&utc(), "a decimal number", &bad);
    rejects::<f32>(&utc(), "a decimal number", &bad);
    // Finite as a double, infinite as an f32.
    rejects::<f32>(&utc(), "a decimal number in the range of `f32`", &["1e39", "-3.5e38"]);
    assert_eq!(decode::<f64>("1e39", &utc()), Ok(1e39));
}

#[test]
fn doubles_encode_as_json_numbers() {
    assert_eq!(encode(&100.15_f64, &utc()), json!(100.15));
    assert_eq!(encode(&100.15_f64, &utc()).to_string(), "100.15");
    assert_eq!(encode(&-0.5_f64, &moscow()).to_string(), "-0.5");
    assert_eq!(encode(&250_000.0_f64, &utc()).to_string(), "250000.0");
    // f32 encodes with its own shortest digits, not those of the f64 it widens to.
    assert_eq!(encode(&1.1_f32, &utc()).to_string(), "1.1");
    assert_eq!(encode(&1.1_f32, &utc()), json!(1.1));
    assert_eq!(encode(&100.15_f32, &utc()).to_string(), "100.15");
    assert_eq!(encode(&0.1_f32, &utc()).to_string(), "0.1");
    assert_eq!(encode(&-3.7_f32, &utc()).to_string(), "-3.7");
    assert_eq!(encode(&16_777_216.0_f32, &utc()).to_string(), "16777216.0");
    assert_ne!(encode(&1.1_f32, &utc()).to_string(), f64::from(1.1_f32).to_string());
    // Non-finite numbers have no JSON form.
    assert_eq!(encode(&f64::NAN, &utc()), Value::Null);
    assert_eq!(encode(&f64::INFINITY, &utc()), Value::Null);
    assert_eq!(encode(&f32::NAN, &utc()), Value::Null);
    assert_eq!(encode(&f32::NEG_INFINITY, &utc()), Value::Null);
}

// ---------------------------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------------------------

#[test]
fn bools() {
    accepts(
        &utc(),
        &[
            ("Y", true),
            ("N", false),
            ("y", true),
            ("n", false),
            ("1", true),
            ("0", false),
            ("true", true),
            ("false", false),
            (" Y ", true),
            ("N\n", false),
        ],
    );
    rejects::<bool>(
        &utc(),
        "`Y` or `N`",
        &["", " ", "yes", "no", "YN", "2", "-1", "on", "off", "T", "F", "да", "Y N", "01"],
    );
    assert_eq!(encode(&true, &utc()), json!("Y"));
    assert_eq!(encode(&false, &moscow()), json!("N"));
}

// ---------------------------------------------------------------------------------------------
// Users and files
// ---------------------------------------------------------------------------------------------

#[test]
fn users() {
    accepts(
        &utc(),
        &[
            ("user_12", UserId(12)),
            ("12", UserId(12)),
            ("user_1", UserId(1)),
            ("user_0", UserId(0)),
            (" user_7 ", UserId(7)),
            ("user_007", UserId(7)),
            ("user_4294967295", UserId(u32::MAX)),
        ],
    );
    rejects::<UserId>(
        &utc(),
        "a user (`user_<id>`)",
        &[
            "",
            "user_",
            "user",
            "user_abc",
            "user_-1",
            "user_+1",
            "-1",
            "+1",
            "User_12",
            "USER_12",
            "user_12_3",
            "user 12",
            "user_ 12",
            "group_1",
            "Author;",
            "{=Document:ASSIGNED_BY_ID}",
            "user_4294967296",
            "1.5",
        ],
    );
    assert_eq!(encode(&UserId(12), &utc()), json!("user_12"));
    assert_eq!(encode(&UserId(0), &moscow()), json!("user_0"));
}

#[test]
fn files() {
    accepts(
        &utc(),
        &[("7", FileId(7)), ("0", FileId(0)), (" 123 ", FileId(123)), ("18446744073709551615", FileId(u64::MAX))],
    );
    rejects::<FileId>(
        &utc(),
        "a file id",
        &["", "abc", "-1", "+1", "1.5", "1 2", "18446744073709551616", "file_1", "aGVsbG8=", "0x10"],
    );
    assert_eq!(encode(&FileId(7), &utc()), json!(7));
    assert_eq!(encode(&FileId(u64::MAX), &utc()).to_string(), "18446744073709551615");
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

#[test]
fn dates_in_every_form() {
    let day = date(2026, 11, 28);
    for locale in [utc(), moscow()] {
        accepts(
            &locale,
            &[
                ("2026-11-28", day),
                ("28.11.2026", day),
                (" 28.11.2026 ", day),
                ("28.11.2026 14:05:48", day),
                ("28.11.2026 14:05", day),
                ("28/11/2026", day),
                ("28-11-2026", day),
                ("2026-11-28 14:05:48", day),
                ("2026-11-28T14:05:48", day),
                ("2026-11-28T23:59:59.999", day),
                // With an offset the date is the one written, whatever the portal's offset.
                ("2026-11-28T00:00:00+03:00", day),
                ("2026-11-28T00:00:00-05:00", day),
                ("2026-11-28T23:30:00+14:00", day),
                ("2026-11-28T00:00:00Z", day),
                ("2026-11-28T00:00:00+0300", day),
                ("2026-11-28 00:00:00+03:00", day),
            ],
        );
    }
    // Single-digit day and month.
    accepts(&utc(), &[("1.2.2026", date(2026, 2, 1)), ("01.02.2026", date(2026, 2, 1))]);
    // Leap days.
    accepts(&utc(), &[("29.02.2024", date(2024, 2, 29)), ("2024-02-29", date(2024, 2, 29))]);
}

#[test]
fn dates_from_unix_timestamps_are_the_portals_day() {
    // 1795824000 is 2026-11-28T00:00:00Z.
    accepts(&utc(), &[("1795824000", date(2026, 11, 28))]);
    accepts(&moscow(), &[("1795824000", date(2026, 11, 28))]);
    accepts(&new_york(), &[("1795824000", date(2026, 11, 27))]);
    accepts(&utc(), &[("0", date(1970, 1, 1))]);
}

#[test]
fn month_first_dates_only_on_month_first_portals() {
    let day = date(2026, 11, 28);
    let us = PortalLocale::utc().with_date_format(DateFormat::MONTH_DAY_YEAR);
    accepts(&us, &[("11/28/2026", day), ("11/28/2026 02:05:48 pm", day), ("2026-11-28", day)]);
    accepts(&new_york(), &[("11/28/2026", day), ("11.28.2026", day)]);

    let expected = "a date (the portal's format, ISO-8601, or a Unix timestamp)";
    rejects::<NaiveDate>(&utc(), expected, &["11/28/2026", "11/28/2026 14:05:48"]);
    rejects::<NaiveDate>(&moscow(), expected, &["11/28/2026"]);
    // A day-first date on a month-first portal is not read either.
    rejects::<NaiveDate>(&us, expected, &["28.11.2026", "28/11/2026"]);
    rejects::<NaiveDate>(&PortalLocale::utc().with_date_format(DateFormat::YEAR_MONTH_DAY), expected, &["11/28/2026"]);

    // An ambiguous date follows the portal's format.
    assert_eq!(decode::<NaiveDate>("03/04/2026", &utc()), Ok(date(2026, 4, 3)));
    assert_eq!(decode::<NaiveDate>("03/04/2026", &us), Ok(date(2026, 3, 4)));
    assert_eq!(decode::<NaiveDateTime>("03/04/2026 10:00", &utc()), Ok(datetime(2026, 4, 3, 10, 0, 0)));
    assert_eq!(decode::<NaiveDateTime>("03/04/2026 10:00", &us), Ok(datetime(2026, 3, 4, 10, 0, 0)));
}

#[test]
fn custom_date_formats() {
    let day = date(2026, 11, 28);
    let slash_dmy = PortalLocale::utc().with_date_format("DD/MM/YYYY".parse().expect("a known format"));
    accepts(&slash_dmy, &[("28/11/2026", day), ("28.11.2026", day), ("2026-11-28", day)]);
    let ymd = PortalLocale::utc().with_date_format(DateFormat::YEAR_MONTH_DAY);
    accepts(&ymd, &[("2026-11-28", day), ("2026.11.28", day), ("2026/11/28 14:05:48", day)]);
    rejects::<NaiveDate>(&ymd, "a date", &["28.11.2026"]);
    let dash_mdy = PortalLocale::utc().with_date_format(DateFormat::new(DateOrder::MonthDayYear, '-'));
    accepts(&dash_mdy, &[("11-28-2026", day), ("2026-11-28", day)]);
    accepts::<NaiveDateTime>(&dash_mdy, &[("11-28-2026 14:05:48", datetime(2026, 11, 28, 14, 5, 48))]);
}

#[test]
fn dates_reject_garbage() {
    let expected = "a date (the portal's format, ISO-8601, or a Unix timestamp)";
    rejects::<NaiveDate>(
        &utc(),
        expected,
        &[
            "",
            " ",
            "abc",
            "31.02.2026",
            "32.01.2026",
            "28.13.2026",
            "00.01.2026",
            "28.11.26",
            "28.11.02026",
            "28.11",
            "28.11.2026.1",
            "2026-11",
            "2026-13-01",
            "2026-11-31",
            "28..2026",
            "a.b.cccc",
            "-1",
            "1234567890123",
            "2026-11-28T25:00:00+03:00",
            "28.11.2026 garbage",
            "28.11.2026 25:00",
            "today",
        ],
    );
}

#[test]
fn dates_encode_as_midnight_at_the_portal_offset() {
    let day = date(2026, 11, 28);
    assert_eq!(encode(&day, &utc()), json!("2026-11-28T00:00:00+00:00"));
    assert_eq!(encode(&day, &moscow()), json!("2026-11-28T00:00:00+03:00"));
    assert_eq!(encode(&day, &new_york()), json!("2026-11-28T00:00:00-05:00"));
    let kathmandu = PortalLocale::utc().with_utc_offset(offset(5 * 3600 + 45 * 60));
    assert_eq!(encode(&day, &kathmandu), json!("2026-11-28T00:00:00+05:45"));
    // The date format does not change what is sent.
    assert_eq!(
        encode(&day, &PortalLocale::utc().with_date_format(DateFormat::MONTH_DAY_YEAR)),
        json!("2026-11-28T00:00:00+00:00")
    );
    assert_eq!(encode(&date(999, 1, 2), &utc()), json!("0999-01-02T00:00:00+00:00"));
}

// ---------------------------------------------------------------------------------------------
// Date-times
// ---------------------------------------------------------------------------------------------

#[test]
fn naive_datetimes_are_portal_time() {
    let t = datetime(2026, 11, 28, 14, 5, 48);
    for locale in [utc(), moscow(), new_york().with_date_format(DateFormat::DAY_MONTH_YEAR)] {
        accepts(
            &locale,
            &[
                ("28.11.2026 14:05:48", t),
                (" 28.11.2026 14:05:48 ", t),
                ("28.11.2026  14:05:48", t),
                ("2026-11-28T14:05:48", t),
                ("2026-11-28 14:05:48", t),
                ("2026-11-28T14:05:48.000", t),
                ("28.11.2026 14:05", datetime(2026, 11, 28, 14, 5, 0)),
                ("2026-11-28T14:05", datetime(2026, 11, 28, 14, 5, 0)),
                ("2026-11-28 14:05", datetime(2026, 11, 28, 14, 5, 0)),
                ("28.11.2026", datetime(2026, 11, 28, 0, 0, 0)),
                ("2026-11-28", datetime(2026, 11, 28, 0, 0, 0)),
                ("28.11.2026 02:05:48 pm", t),
                ("28.11.2026 2:05:48 PM", t),
            ],
        );
    }
}

#[test]
fn naive_datetimes_with_an_offset_move_to_portal_time() {
    accepts(
        &moscow(),
        &[
            ("2026-11-28T14:05:48+03:00", datetime(2026, 11, 28, 14, 5, 48)),
            ("2026-11-28T11:05:48Z", datetime(2026, 11, 28, 14, 5, 48)),
            ("2026-11-28T11:05:48+00:00", datetime(2026, 11, 28, 14, 5, 48)),
            ("2026-11-28T06:05:48-05:00", datetime(2026, 11, 28, 14, 5, 48)),
            ("2026-11-28T22:00:00-05:00", datetime(2026, 11, 29, 6, 0, 0)),
            ("2026-11-28 14:05:48+0300", datetime(2026, 11, 28, 14, 5, 48)),
            // 1795863948 is 2026-11-28T14:05:48+03:00.
            ("1795863948", datetime(2026, 11, 28, 14, 5, 48)),
        ],
    );
    accepts(&utc(), &[("1795863948", datetime(2026, 11, 28, 11, 5, 48))]);
    accepts(&new_york(), &[("1795863948", datetime(2026, 11, 28, 6, 5, 48))]);
}

#[test]
fn am_pm_times() {
    let us = new_york();
    accepts(
        &us,
        &[
            ("11/28/2026 02:05:48 pm", datetime(2026, 11, 28, 14, 5, 48)),
            ("11/28/2026 02:05:48 PM", datetime(2026, 11, 28, 14, 5, 48)),
            ("11/28/2026 02:05:48 am", datetime(2026, 11, 28, 2, 5, 48)),
            ("11/28/2026 2:05 pm", datetime(2026, 11, 28, 14, 5, 0)),
            ("11/28/2026 12:00:00 am", datetime(2026, 11, 28, 0, 0, 0)),
            ("11/28/2026 12:30:00 pm", datetime(2026, 11, 28, 12, 30, 0)),
            ("11/28/2026 11:59:59 pm", datetime(2026, 11, 28, 23, 59, 59)),
            ("11/28/2026 01:00 AM", datetime(2026, 11, 28, 1, 0, 0)),
            ("11/28/2026 14:05:48", datetime(2026, 11, 28, 14, 5, 48)),
        ],
    );
    rejects::<NaiveDateTime>(
        &us,
        "a date-time",
        &[
            "11/28/2026 13:00 pm",
            "11/28/2026 00:30 am",
            "11/28/2026 02:05 xm",
            "11/28/2026 pm",
            "11/28/2026 02:05 pm pm",
        ],
    );
}

#[test]
fn offset_datetimes_keep_the_written_offset() {
    let local = datetime(2026, 11, 28, 14, 5, 48);
    for locale in [utc(), moscow(), new_york()] {
        let cases = [
            ("2026-11-28T14:05:48+03:00", at(local, 3 * 3600)),
            ("2026-11-28T14:05:48-05:00", at(local, -5 * 3600)),
            ("2026-11-28T14:05:48+05:45", at(local, 5 * 3600 + 45 * 60)),
            ("2026-11-28T14:05:48Z", at(local, 0)),
            ("2026-11-28 14:05:48+03:00", at(local, 3 * 3600)),
            ("2026-11-28T14:05:48.250+03:00", at(local, 3 * 3600) + chrono::Duration::milliseconds(250)),
        ];
        for (text, expected) in cases {
            let value = decode::<DateTime<FixedOffset>>(text, &locale).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(value, expected, "{text}");
            assert_eq!(value.offset(), expected.offset(), "{text} keeps its offset");
        }
    }
}

#[test]
fn offset_datetimes_without_an_offset_take_the_portals() {
    let local = datetime(2026, 11, 28, 14, 5, 48);
    for (locale, seconds) in
        [(utc(), 0), (moscow(), 3 * 3600), (new_york().with_date_format(DateFormat::DAY_MONTH_YEAR), -5 * 3600)]
    {
        for text in ["28.11.2026 14:05:48", "2026-11-28T14:05:48", "2026-11-28 14:05:48"] {
            let value = decode::<DateTime<FixedOffset>>(text, &locale).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(value, at(local, seconds), "{text} at {seconds}");
            assert_eq!(value.offset().local_minus_utc(), seconds, "{text} at {seconds}");
        }
        let hm = decode::<DateTime<FixedOffset>>("28.11.2026 14:05", &locale).expect("HH:MM");
        assert_eq!(hm, at(datetime(2026, 11, 28, 14, 5, 0), seconds));
    }
    // A timestamp is an instant, shown at the portal's offset.
    let ts = decode::<DateTime<FixedOffset>>("1795863948", &moscow()).expect("a timestamp");
    assert_eq!(ts, at(local, 3 * 3600));
    assert_eq!(ts.offset().local_minus_utc(), 3 * 3600);
    assert_eq!(decode::<DateTime<FixedOffset>>("11/28/2026 02:05:48 pm", &new_york()), Ok(at(local, -5 * 3600)));
}

#[test]
fn utc_datetimes() {
    let instant = datetime(2026, 11, 28, 11, 5, 48).and_utc();
    accepts(
        &moscow(),
        &[
            ("2026-11-28T14:05:48+03:00", instant),
            ("2026-11-28T11:05:48Z", instant),
            ("2026-11-28T06:05:48-05:00", instant),
            ("28.11.2026 14:05:48", instant),
            ("2026-11-28T14:05:48", instant),
            ("2026-11-28 14:05", instant - chrono::Duration::seconds(48)),
            ("1795863948", instant),
        ],
    );
    accepts(&utc(), &[("28.11.2026 11:05:48", instant), ("0", DateTime::<Utc>::UNIX_EPOCH)]);
    accepts(&new_york(), &[("11/28/2026 06:05:48 am", instant)]);
}

#[test]
fn datetimes_reject_garbage() {
    let expected = "a date-time (the portal's format, ISO-8601, or a Unix timestamp)";
    let bad = [
        "",
        " ",
        "abc",
        "now",
        "28.11.2026 25:00:00",
        "28.11.2026 14:60",
        "28.11.2026 14",
        "28.11.2026 14:05:48 garbage",
        "28.11.2026T14:05:48",
        "31.02.2026 10:00",
        "11/28/2026 10:00",
        "2026-11-28T14:05:48+25:00",
        "2026-11-28X14:05:48",
        "1234567890123",
        "-1",
        "2026-11-28T",
        "14:05:48",
    ];
    rejects::<NaiveDateTime>(&utc(), expected, &bad);
    rejects::<DateTime<FixedOffset>>(&utc(), expected, &bad);
    rejects::<DateTime<Utc>>(&utc(), expected, &bad);
}

#[test]
fn datetimes_encode_with_an_offset() {
    let t = datetime(2026, 11, 28, 14, 5, 48);
    // Naive date-times are portal time: written with the portal's offset.
    assert_eq!(encode(&t, &utc()), json!("2026-11-28T14:05:48+00:00"));
    assert_eq!(encode(&t, &moscow()), json!("2026-11-28T14:05:48+03:00"));
    assert_eq!(encode(&t, &new_york()), json!("2026-11-28T14:05:48-05:00"));
    // Sub-second parts are not sent.
    let fraction = date(2026, 11, 28).and_hms_milli_opt(14, 5, 48, 999).expect("valid");
    assert_eq!(encode(&fraction, &moscow()), json!("2026-11-28T14:05:48+03:00"));

    // Offset date-times keep their own offset, whatever the portal's.
    for locale in [utc(), moscow(), new_york()] {
        assert_eq!(encode(&at(t, 3 * 3600), &locale), json!("2026-11-28T14:05:48+03:00"));
        assert_eq!(encode(&at(t, -(9 * 3600 + 30 * 60)), &locale), json!("2026-11-28T14:05:48-09:30"));
        assert_eq!(encode(&at(t, 0), &locale), json!("2026-11-28T14:05:48+00:00"));
        assert_eq!(encode(&t.and_utc(), &locale), json!("2026-11-28T14:05:48+00:00"));
    }
}

// ---------------------------------------------------------------------------------------------
// Option, Vec and single values
// ---------------------------------------------------------------------------------------------

#[test]
fn required_values() {
    let l = utc();
    assert_eq!(<i32 as PropertyValue>::decode(None, &l), Err(ValueError::missing()));
    assert_eq!(<i32 as PropertyValue>::decode(Some(&one("")), &l), Err(ValueError::missing()));
    assert_eq!(<i32 as PropertyValue>::decode(Some(&many(&[])), &l), Err(ValueError::missing()));
    assert_eq!(<i32 as PropertyValue>::decode(Some(&many(&["", ""])), &l), Err(ValueError::missing()));
    assert_eq!(<i32 as PropertyValue>::decode(Some(&one("42")), &l), Ok(42));
    // The server wraps a single stored value in a list.
    assert_eq!(<i32 as PropertyValue>::decode(Some(&many(&["42"])), &l), Ok(42));
    assert_eq!(<i32 as PropertyValue>::decode(Some(&many(&["", "42", ""])), &l), Ok(42));
    assert_eq!(<UserId as PropertyValue>::decode(Some(&one("user_3")), &l), Ok(UserId(3)));
    assert_eq!(<NaiveDate as PropertyValue>::decode(Some(&one("28.11.2026")), &l), Ok(date(2026, 11, 28)));
    assert_eq!(<i32 as PropertyValue>::decode(Some(&one("abc")), &l), Err(ValueError::invalid("abc", "an integer")),);
    assert_eq!(<i32 as PropertyValue>::encode(&42, &l), Some(json!(42)));
    assert_eq!(<String as PropertyValue>::encode(&String::new(), &l), Some(json!("")));
}

#[test]
fn several_values_for_a_single_property_are_an_error() {
    let l = utc();
    let two = many(&["1", "2"]);
    assert_eq!(<i32 as PropertyValue>::decode(Some(&two), &l), Err(ValueError::many(2)));
    assert_eq!(<Option<i32> as PropertyValue>::decode(Some(&two), &l), Err(ValueError::many(2)));
    // Empty items do not count.
    let three = many(&["a", "", "b", "c", ""]);
    assert_eq!(<String as PropertyValue>::decode(Some(&three), &l), Err(ValueError::many(3)));
    assert_eq!(<Option<Text> as PropertyValue>::decode(Some(&three), &l), Err(ValueError::many(3)));
    let message = ValueError::many(3).to_string();
    assert_eq!(message, "3 values were sent for a property that takes one");
    assert_eq!(ValueError::many(3).text(), None);
    // Several values are an error even when they are all invalid.
    assert_eq!(<bool as PropertyValue>::decode(Some(&many(&["x", "y"])), &l), Err(ValueError::many(2)));
}

#[test]
fn optional_values() {
    let l = moscow();
    assert_eq!(<Option<i64> as PropertyValue>::decode(None, &l), Ok(None));
    assert_eq!(<Option<i64> as PropertyValue>::decode(Some(&one("")), &l), Ok(None));
    assert_eq!(<Option<i64> as PropertyValue>::decode(Some(&many(&[])), &l), Ok(None));
    assert_eq!(<Option<i64> as PropertyValue>::decode(Some(&many(&["", ""])), &l), Ok(None));
    assert_eq!(<Option<i64> as PropertyValue>::decode(Some(&one("-7")), &l), Ok(Some(-7)));
    assert_eq!(<Option<i64> as PropertyValue>::decode(Some(&many(&["", "7"])), &l), Ok(Some(7)));
    assert_eq!(<Option<UserId> as PropertyValue>::decode(Some(&one("user_1")), &l), Ok(Some(UserId(1))));
    assert_eq!(<Option<bool> as PropertyValue>::decode(Some(&one("N")), &l), Ok(Some(false)));
    assert_eq!(<Option<String> as PropertyValue>::decode(None, &l), Ok(None));
    assert_eq!(
        <Option<NaiveDateTime> as PropertyValue>::decode(Some(&one("28.11.2026 14:05:48")), &l),
        Ok(Some(datetime(2026, 11, 28, 14, 5, 48))),
    );
    // A value that is present must be valid.
    assert_eq!(
        <Option<i64> as PropertyValue>::decode(Some(&one("x")), &l),
        Err(ValueError::invalid("x", "an integer")),
    );

    assert_eq!(<Option<i64> as PropertyValue>::encode(&None, &l), None);
    assert_eq!(<Option<i64> as PropertyValue>::encode(&Some(5), &l), Some(json!(5)));
    assert_eq!(<Option<bool> as PropertyValue>::encode(&Some(true), &l), Some(json!("Y")));
    assert_eq!(
        <Option<NaiveDate> as PropertyValue>::encode(&Some(date(2026, 11, 28)), &l),
        Some(json!("2026-11-28T00:00:00+03:00"))
    );
    assert_eq!(<Option<Text> as PropertyValue>::encode(&None, &l), None);
}

#[test]
fn multiple_values() {
    let l = utc();
    assert_eq!(<Vec<i32> as PropertyValue>::decode(None, &l), Ok(vec![]));
    assert_eq!(<Vec<i32> as PropertyValue>::decode(Some(&one("")), &l), Ok(vec![]));
    assert_eq!(<Vec<i32> as PropertyValue>::decode(Some(&many(&[])), &l), Ok(vec![]));
    assert_eq!(<Vec<i32> as PropertyValue>::decode(Some(&one("5")), &l), Ok(vec![5]));
    assert_eq!(<Vec<i32> as PropertyValue>::decode(Some(&many(&["1", "2", "3"])), &l), Ok(vec![1, 2, 3]));
    assert_eq!(<Vec<i32> as PropertyValue>::decode(Some(&many(&["", "1", "", "2", ""])), &l), Ok(vec![1, 2]));
    assert_eq!(
        <Vec<String> as PropertyValue>::decode(Some(&many(&["a@example.com", "b@example.com"])), &l),
        Ok(strings(&["a@example.com", "b@example.com"])),
    );
    assert_eq!(<Vec<String> as PropertyValue>::decode(Some(&many(&[" ", ""])), &l), Ok(strings(&[" "])));
    assert_eq!(
        <Vec<UserId> as PropertyValue>::decode(Some(&many(&["user_1", "2"])), &l),
        Ok(vec![UserId(1), UserId(2)]),
    );
    assert_eq!(
        <Vec<NaiveDate> as PropertyValue>::decode(Some(&many(&["28.11.2026", "2026-11-29"])), &l),
        Ok(vec![date(2026, 11, 28), date(2026, 11, 29)]),
    );
    // One bad item fails the whole value, naming that item.
    assert_eq!(
        <Vec<i32> as PropertyValue>::decode(Some(&many(&["1", "two", "3"])), &l),
        Err(ValueError::invalid("two", "an integer")),
    );

    assert_eq!(<Vec<i32> as PropertyValue>::encode(&vec![1, 2], &l), Some(json!([1, 2])));
    assert_eq!(<Vec<bool> as PropertyValue>::encode(&vec![true, false], &l), Some(json!(["Y", "N"])));
    assert_eq!(<Vec<UserId> as PropertyValue>::encode(&vec![UserId(1)], &l), Some(json!(["user_1"])));
    assert_eq!(
        <Vec<NaiveDate> as PropertyValue>::encode(&vec![date(2026, 11, 28)], &moscow()),
        Some(json!(["2026-11-28T00:00:00+03:00"])),
    );
    // An empty list is sent as `[]`, which the server stores as given (spec §4).
    assert_eq!(<Vec<String> as PropertyValue>::encode(&vec![], &l), Some(json!([])));
}

// ---------------------------------------------------------------------------------------------
// Error messages
// ---------------------------------------------------------------------------------------------

#[test]
fn value_error_messages_quote_the_value_and_say_what_was_expected() {
    let l = utc();
    let cases: Vec<(Result<(), ValueError>, &str)> = vec![
        (decode::<i32>("abc", &l).map(drop), "`abc` is not an integer"),
        (decode::<u8>("300", &l).map(drop), "`300` is not an integer in the range of `u8`"),
        (decode::<i8>("-129", &l).map(drop), "`-129` is not an integer in the range of `i8`"),
        (decode::<f64>("NaN", &l).map(drop), "`NaN` is not a decimal number"),
        (decode::<f32>("1e39", &l).map(drop), "`1e39` is not a decimal number in the range of `f32`"),
        (decode::<bool>("yes", &l).map(drop), "`yes` is not `Y` or `N`"),
        (decode::<UserId>("group_1", &l).map(drop), "`group_1` is not a user (`user_<id>`)"),
        (decode::<FileId>("-1", &l).map(drop), "`-1` is not a file id"),
        (
            decode::<NaiveDate>("11/28/2026", &l).map(drop),
            "`11/28/2026` is not a date (the portal's format, ISO-8601, or a Unix timestamp)",
        ),
        (
            decode::<NaiveDateTime>("tomorrow", &l).map(drop),
            "`tomorrow` is not a date-time (the portal's format, ISO-8601, or a Unix timestamp)",
        ),
        (decode::<i32>(" 4 2 ", &l).map(drop), "` 4 2 ` is not an integer"),
        // Control characters are escaped, not written raw.
        (decode::<i32>("a\nb\t\"", &l).map(drop), "`a\\nb\\t\\\"` is not an integer"),
    ];
    for (result, message) in cases {
        assert_eq!(result.expect_err(message).to_string(), message);
    }
    assert_eq!(ValueError::missing().to_string(), "a value is required but none was sent");
    assert_eq!(ValueError::missing().text(), None);
}

#[test]
fn long_bad_values_are_shortened() {
    let l = utc();
    let long = "x".repeat(10_000);
    let error = decode::<i64>(&long, &l).expect_err("not a number");
    let shortened = error.text().expect("an invalid value has a text");
    assert!(shortened.chars().count() <= 65, "shortened to at most 64 characters and an ellipsis: {}", shortened.len());
    assert!(shortened.ends_with('…'), "{shortened}");
    assert!(shortened.starts_with("xxxx"), "{shortened}");
    let message = error.to_string();
    assert!(message.len() < 200, "a short message: {message}");
    assert!(message.ends_with("…` is not an integer"), "{message}");

    // Multi-byte characters are cut at a character boundary.
    let cyrillic = "ж".repeat(1000);
    let error = decode::<NaiveDate>(&cyrillic, &l).expect_err("not a date");
    let shortened = error.text().expect("a text");
    assert_eq!(shortened.chars().count(), 65);
    assert_eq!(shortened, format!("{}…", "ж".repeat(64)));

    // Exactly at the limit nothing is cut.
    let exact = "9".repeat(64);
    let error = decode::<i32>(&exact, &l).expect_err("out of range");
    assert_eq!(error.text(), Some(exact.as_str()));
    assert!(!error.to_string().contains('…'));
    let over = "9".repeat(65);
    let error = decode::<i32>(&over, &l).expect_err("out of range");
    assert_eq!(error.text(), Some(format!("{}…", "9".repeat(64)).as_str()));

    // Lists report the shortened bad item.
    let list = many(&["1", &long]);
    let error = <Vec<i64> as PropertyValue>::decode(Some(&list), &l).expect_err("a bad item");
    assert!(error.to_string().len() < 200);
}

#[test]
fn property_errors_name_the_property() {
    let mut input = PropertyInput::new();
    input.insert("score", "abc");
    input.insert("amount", "100,15");
    input.insert("notify", "maybe");
    input.insert("when", "11/28/2026");
    input.insert("to", vec!["user_1".to_owned(), "user_2".to_owned()]);
    input.insert("comment", "");
    input.insert("Manager", "user_5");
    input.insert("blob", "b".repeat(5000));
    let l = utc();

    let error = property::<i64>(&input, "score", &l).expect_err("bad");
    assert_eq!(error.property(), "score");
    assert_eq!(error.to_string(), "property `score`: `abc` is not an integer");
    assert_eq!(error.error(), &ValueError::invalid("abc", "an integer"));
    assert!(std::error::Error::source(&error).is_some(), "the value error is the source");

    assert_eq!(property::<f64>(&input, "amount", &l), Ok(100.15));
    assert_eq!(
        property::<bool>(&input, "notify", &l).expect_err("bad").to_string(),
        "property `notify`: `maybe` is not `Y` or `N`"
    );
    assert_eq!(
        property::<NaiveDate>(&input, "when", &l).expect_err("bad").to_string(),
        "property `when`: `11/28/2026` is not a date (the portal's format, ISO-8601, or a Unix timestamp)",
    );
    assert_eq!(
        property::<NaiveDate>(&input, "when", &PortalLocale::utc().with_date_format(DateFormat::MONTH_DAY_YEAR)),
        Ok(date(2026, 11, 28)),
    );
    assert_eq!(
        property::<UserId>(&input, "to", &l).expect_err("bad").to_string(),
        "property `to`: 2 values were sent for a property that takes one",
    );
    assert_eq!(property::<Vec<UserId>>(&input, "to", &l), Ok(vec![UserId(1), UserId(2)]));
    assert_eq!(
        property::<String>(&input, "comment", &l).expect_err("empty").to_string(),
        "property `comment`: a value is required but none was sent",
    );
    assert_eq!(property::<Option<String>>(&input, "comment", &l), Ok(None));
    assert_eq!(
        property::<Text>(&input, "missing", &l).expect_err("absent").to_string(),
        "property `missing`: a value is required but none was sent",
    );
    assert_eq!(property::<Option<Text>>(&input, "missing", &l), Ok(None));
    assert_eq!(property::<Vec<Text>>(&input, "missing", &l), Ok(vec![]));
    // Ids are matched ignoring case as a fallback.
    assert_eq!(property::<UserId>(&input, "manager", &l), Ok(UserId(5)));

    let message = property::<FileId>(&input, "blob", &l).expect_err("bad").to_string();
    assert!(message.starts_with("property `blob`: `bbbb"), "{message}");
    assert!(message.ends_with("…` is not a file id"), "{message}");
    assert!(message.len() < 200, "{message}");
}
