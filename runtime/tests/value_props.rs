//! Property tests of value encoding and decoding: what a robot sends reads back as the same
//! value, every form a portal writes reads back, and no text makes a decoder panic.

use std::fmt::Debug;

use bizproc::{
    DateFormat, DateOrder, FileId, InputValue, PortalLocale, PropertyValue, ScalarValue, Text, UserId, ValueError,
};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

const FORMATS: [DateFormat; 9] = [
    DateFormat::DAY_MONTH_YEAR,
    DateFormat::MONTH_DAY_YEAR,
    DateFormat::YEAR_MONTH_DAY,
    DateFormat::new(DateOrder::DayMonthYear, '/'),
    DateFormat::new(DateOrder::DayMonthYear, '-'),
    DateFormat::new(DateOrder::MonthDayYear, '-'),
    DateFormat::new(DateOrder::MonthDayYear, '.'),
    DateFormat::new(DateOrder::YearMonthDay, '.'),
    DateFormat::new(DateOrder::YearMonthDay, '/'),
];

fn date_format() -> impl Strategy<Value = DateFormat> {
    proptest::sample::select(FORMATS.as_slice())
}

/// A UTC offset in whole minutes, as real portals have: mostly common ones, sometimes any.
fn utc_offset() -> impl Strategy<Value = FixedOffset> {
    let common = proptest::sample::select(vec![
        0, 60, 120, 180, 210, 270, 330, 345, 480, 540, 600, 720, 780, 840, -60, -180, -210, -300, -420, -480, -600,
        -720,
    ]);
    prop_oneof![common, -1439_i32..=1439].prop_map(|minutes| FixedOffset::east_opt(minutes * 60).expect("within a day"))
}

fn locale() -> impl Strategy<Value = PortalLocale> {
    (date_format(), utc_offset()).prop_map(|(format, offset)| PortalLocale::new(format, offset))
}

/// Days of the years 1 to 9999: what ISO-8601 and the portal formats write with four digits.
fn naive_date() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(1, 1, 1).expect("valid").num_days_from_ce();
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid").num_days_from_ce();
    prop_oneof![
        // Mostly recent dates, where real values are.
        (719_163..=766_645_i32), // 1970-01-01 ..= 2100-01-01
        first..=last,
    ]
    .prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).expect("in range"))
}

/// Whole seconds.
fn time_of_day() -> impl Strategy<Value = NaiveTime> {
    (0_u32..86_400).prop_map(|seconds| NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0).expect("in range"))
}

fn naive_datetime() -> impl Strategy<Value = NaiveDateTime> {
    (naive_date(), time_of_day()).prop_map(|(date, time)| date.and_time(time))
}

fn offset_datetime() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (naive_datetime(), utc_offset()).prop_map(|(naive, offset)| {
        naive.and_local_timezone(offset).single().expect("a fixed offset is never ambiguous")
    })
}

fn utc_datetime() -> impl Strategy<Value = DateTime<Utc>> {
    naive_datetime().prop_map(|naive| naive.and_utc())
}

fn finite_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |v| v.is_finite()),
        -1e9..1e9_f64,
        (-1_000_000_i32..1_000_000).prop_map(|cents| f64::from(cents) / 100.0)
    ]
}

fn finite_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        any::<f32>().prop_filter("finite", |v| v.is_finite()),
        -1e6..1e6_f32,
        any::<i16>().prop_map(|cents| f32::from(cents) / 100.0)
    ]
}

/// Texts made of the pieces dates, numbers and users are written with.
fn value_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[0-9]{1,4}",
        "[0-9]{5,14}",
        Just(".".to_owned()),
        Just(",".to_owned()),
        Just("/".to_owned()),
        Just("-".to_owned()),
        Just(":".to_owned()),
        Just(" ".to_owned()),
        Just("T".to_owned()),
        Just("Z".to_owned()),
        Just("+".to_owned()),
        Just("e".to_owned()),
        Just("user_".to_owned()),
        Just("am".to_owned()),
        Just("pm".to_owned()),
        Just("PM".to_owned()),
        Just("Y".to_owned()),
        Just("N".to_owned()),
        Just("2026".to_owned()),
        Just("12".to_owned()),
        Just("31".to_owned()),
        Just("60".to_owned()),
        Just("ж".to_owned()),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

/// Any text: arbitrary Unicode, or made of value-like pieces.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), value_like(), "[0-9 ./:T+-]{0,30}"]
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The text a handler receives for a sent value: a JSON string as is, a number as written.
fn handler_text(value: &Value) -> Result<String, TestCaseError> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(number) => Ok(number.to_string()),
        other => Err(TestCaseError::fail(format!("a scalar encodes as a string or a number, not {other}"))),
    }
}

fn decode<T: ScalarValue>(text: &str, locale: &PortalLocale) -> Result<T, TestCaseError> {
    <T as ScalarValue>::decode(text, locale)
        .map_err(|error| TestCaseError::fail(format!("decoding {text:?} with {locale:?}: {error}")))
}

/// Encodes a value, reads it back as the handler would receive it, and checks it is the same.
fn round_trip<T: ScalarValue + PartialEq + Debug>(value: &T, locale: &PortalLocale) -> Result<(), TestCaseError> {
    let encoded = <T as ScalarValue>::encode(value, locale);
    let text = handler_text(&encoded)?;
    let decoded = decode::<T>(&text, locale)?;
    prop_assert_eq!(&decoded, value, "sent as {}", encoded);
    Ok(())
}

/// The same through `Option` and `Vec`: a value read back from a single or a list input.
fn round_trip_property<T: ScalarValue + PartialEq + Debug + Clone>(
    value: &T,
    locale: &PortalLocale,
) -> Result<(), TestCaseError> {
    round_trip(value, locale)?;

    let some = Some(value.clone());
    let encoded =
        <Option<T> as PropertyValue>::encode(&some, locale).ok_or_else(|| TestCaseError::fail("Some is sent"))?;
    let input = InputValue::from(handler_text(&encoded)?);
    prop_assert_eq!(<Option<T> as PropertyValue>::decode(Some(&input), locale), Ok(some));
    prop_assert_eq!(<T as PropertyValue>::decode(Some(&input), locale), Ok(value.clone()));

    let list = vec![value.clone(), value.clone()];
    let encoded =
        <Vec<T> as PropertyValue>::encode(&list, locale).ok_or_else(|| TestCaseError::fail("a list is sent"))?;
    let Value::Array(items) = encoded else {
        return Err(TestCaseError::fail(format!("a list encodes as an array, not {encoded}")));
    };
    let texts = items.iter().map(handler_text).collect::<Result<Vec<_>, _>>()?;
    prop_assert_eq!(<Vec<T> as PropertyValue>::decode(Some(&InputValue::from(texts)), locale), Ok(list));
    Ok(())
}

/// A decode error quotes at most 64 characters of the text and an ellipsis.
fn check_error(error: &ValueError, text: &str) -> Result<(), TestCaseError> {
    let message = error.to_string();
    prop_assert!(!message.is_empty());
    if let Some(quoted) = error.text() {
        prop_assert!(quoted.chars().count() <= 65, "quoted {} characters", quoted.chars().count());
        prop_assert!(text.starts_with(quoted.trim_end_matches('…')), "{:?} quotes {:?}", text, quoted);
        // An escaped character takes at most 10 bytes (`\u{10ffff}`), the rest is the wording.
        prop_assert!(message.len() <= 64 * 10 + 200, "a short message: {}", message.len());
    }
    Ok(())
}

/// Decodes the text as `T`, and as `Option<T>`/`Vec<T>` from single and list inputs; none may
/// panic, and errors must be well formed.
fn decode_all<T: ScalarValue + Debug>(text: &str, locale: &PortalLocale) -> Result<Option<T>, TestCaseError> {
    let scalar = <T as ScalarValue>::decode(text, locale);
    if let Err(error) = &scalar {
        check_error(error, text)?;
    }
    let one = InputValue::from(text);
    let list = InputValue::from(vec![text.to_owned(), String::new(), text.to_owned()]);
    for input in [&one, &list] {
        for result in [
            <T as PropertyValue>::decode(Some(input), locale).map(drop),
            <Option<T> as PropertyValue>::decode(Some(input), locale).map(drop),
            <Vec<T> as PropertyValue>::decode(Some(input), locale).map(drop),
        ] {
            if let Err(error) = result {
                check_error(&error, text)?;
            }
        }
    }
    // Non-empty text is one value: the single forms agree with the scalar decoder.
    if !text.is_empty() {
        prop_assert_eq!(<Option<T> as PropertyValue>::decode(Some(&one), locale).is_ok(), scalar.is_ok());
        prop_assert_eq!(<Vec<T> as PropertyValue>::decode(Some(&one), locale).is_ok(), scalar.is_ok());
        prop_assert_eq!(
            <Vec<T> as PropertyValue>::decode(Some(&list), locale).map(|v| v.len()).ok(),
            scalar.as_ref().ok().map(|_| 2)
        );
        prop_assert_eq!(<T as PropertyValue>::decode(Some(&list), locale).err(), Some(ValueError::many(2)));
    }
    Ok(scalar.ok())
}

/// Runs every decoder on the text, and checks that related decoders agree.
#[allow(clippy::cast_precision_loss)] // the f64 nearest to an integer is what `double` reads it as
fn decode_everything(text: &str, locale: &PortalLocale) -> Result<(), TestCaseError> {
    let string = decode_all::<String>(text, locale)?;
    prop_assert_eq!(string.as_deref(), Some(text), "strings are taken as sent");
    let text_value = decode_all::<Text>(text, locale)?;
    prop_assert_eq!(text_value.as_deref(), Some(text));

    let wide = decode_all::<i64>(text, locale)?;
    macro_rules! narrow {
        ($($ty:ty),*) => {$(
            let narrow = decode_all::<$ty>(text, locale)?;
            if let Some(value) = narrow {
                prop_assert_eq!(Some(i64::from(value)), wide, "{} agrees with i64", stringify!($ty));
            } else if let Some(value) = wide {
                prop_assert!(<$ty>::try_from(value).is_err(), "{} rejects {:?}, which fits", stringify!($ty), text);
            }
        )*};
    }
    narrow!(i8, i16, i32, u8, u16, u32);

    let double = decode_all::<f64>(text, locale)?;
    if let Some(double) = double {
        prop_assert!(double.is_finite());
    }
    if let Some(integer) = wide {
        prop_assert_eq!(double, Some(integer as f64), "an integer is a double too");
    }
    let single = decode_all::<f32>(text, locale)?;
    if let Some(single) = single {
        prop_assert!(single.is_finite());
        prop_assert!(double.is_some(), "an f32 is an f64 too");
    }

    let flag = decode_all::<bool>(text, locale)?;
    prop_assert_eq!(flag.is_some(), ["Y", "y", "1", "true", "N", "n", "0", "false"].contains(&text.trim()));

    let user = decode_all::<UserId>(text, locale)?;
    let file = decode_all::<FileId>(text, locale)?;
    if let (Some(user), false) = (user, text.contains("user_")) {
        prop_assert_eq!(file, Some(FileId(u64::from(user.0))), "a bare user id is a number");
    }

    let date = decode_all::<NaiveDate>(text, locale)?;
    let naive = decode_all::<NaiveDateTime>(text, locale)?;
    let fixed = decode_all::<DateTime<FixedOffset>>(text, locale)?;
    let utc = decode_all::<DateTime<Utc>>(text, locale)?;
    prop_assert_eq!(naive.is_some(), fixed.is_some(), "naive and offset date-times read the same texts");
    prop_assert_eq!(fixed.map(|t| t.with_timezone(&Utc)), utc, "offset and UTC date-times are the same instant");
    prop_assert_eq!(
        fixed.map(|t| t.with_timezone(&locale.utc_offset()).naive_local()),
        naive,
        "naive date-times are portal time"
    );
    if naive.is_some() {
        prop_assert!(date.is_some(), "a date-time has a date: {:?}", text);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Encode, then decode
// ---------------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn strings_round_trip(value in any::<String>(), non_empty in ".+", locale in locale()) {
        round_trip(&value, &locale)?;
        round_trip(&Text(value), &locale)?;
        round_trip_property(&non_empty, &locale)?;
        round_trip_property(&Text(non_empty), &locale)?;
    }

    #[test]
    fn integers_round_trip(
        a in any::<i8>(), b in any::<i16>(), c in any::<i32>(), d in any::<i64>(),
        e in any::<u8>(), f in any::<u16>(), g in any::<u32>(), locale in locale(),
    ) {
        round_trip_property(&a, &locale)?;
        round_trip_property(&b, &locale)?;
        round_trip_property(&c, &locale)?;
        round_trip_property(&d, &locale)?;
        round_trip_property(&e, &locale)?;
        round_trip_property(&f, &locale)?;
        round_trip_property(&g, &locale)?;
    }

    #[test]
    fn doubles_round_trip(value in finite_f64(), locale in locale()) {
        round_trip_property(&value, &locale)?;
        let decoded = decode::<f64>(&handler_text(&<f64 as ScalarValue>::encode(&value, &locale))?, &locale)?;
        prop_assert_eq!(decoded.to_bits(), value.to_bits(), "the same bits, sign of zero included");
    }

    #[test]
    fn floats_round_trip(value in finite_f32(), locale in locale()) {
        round_trip_property(&value, &locale)?;
        let encoded = <f32 as ScalarValue>::encode(&value, &locale);
        let decoded = decode::<f32>(&handler_text(&encoded)?, &locale)?;
        prop_assert_eq!(decoded.to_bits(), value.to_bits(), "the same bits, sign of zero included");
        // Sent with the f32's own shortest digits, not those of the f64 it widens to.
        let digits = handler_text(&encoded)?;
        let shortest = value.to_string();
        prop_assert_eq!(digits.parse::<f32>().ok(), shortest.parse::<f32>().ok());
        prop_assert!(digits.trim_start_matches('-').len() <= 48, "{} is short", digits);
    }

    #[test]
    fn flags_users_and_files_round_trip(flag in any::<bool>(), user in any::<u32>(), file in any::<u64>(), locale in locale()) {
        round_trip_property(&flag, &locale)?;
        round_trip_property(&UserId(user), &locale)?;
        round_trip_property(&FileId(file), &locale)?;
    }

    #[test]
    fn dates_round_trip(value in naive_date(), locale in locale()) {
        round_trip_property(&value, &locale)?;
        // Midnight at the portal's offset.
        let encoded = handler_text(&<NaiveDate as ScalarValue>::encode(&value, &locale))?;
        let sent = DateTime::parse_from_rfc3339(&encoded).map_err(|e| TestCaseError::fail(format!("{encoded}: {e}")))?;
        prop_assert_eq!(sent.offset(), &locale.utc_offset());
        prop_assert_eq!(sent.naive_local(), value.and_time(NaiveTime::MIN));
    }

    #[test]
    fn naive_datetimes_round_trip(value in naive_datetime(), locale in locale()) {
        round_trip_property(&value, &locale)?;
        let encoded = handler_text(&<NaiveDateTime as ScalarValue>::encode(&value, &locale))?;
        let sent = DateTime::parse_from_rfc3339(&encoded).map_err(|e| TestCaseError::fail(format!("{encoded}: {e}")))?;
        prop_assert_eq!(sent.offset(), &locale.utc_offset(), "portal time is sent with the portal's offset");
        prop_assert_eq!(sent.naive_local(), value);
    }

    #[test]
    fn offset_datetimes_round_trip(value in offset_datetime(), locale in locale()) {
        round_trip_property(&value, &locale)?;
        let text = handler_text(&<DateTime<FixedOffset> as ScalarValue>::encode(&value, &locale))?;
        let decoded = decode::<DateTime<FixedOffset>>(&text, &locale)?;
        prop_assert_eq!(decoded.offset(), value.offset(), "the offset is kept");
    }

    #[test]
    fn utc_datetimes_round_trip(value in utc_datetime(), locale in locale()) {
        round_trip_property(&value, &locale)?;
    }
}

// ---------------------------------------------------------------------------------------------
// What portals send
// ---------------------------------------------------------------------------------------------

/// A time as US portals write it: `02:05:48 pm`.
fn twelve_hour(time: NaiveTime, upper: bool) -> String {
    let text = time.format("%I:%M:%S %p").to_string();
    if upper { text } else { text.to_lowercase() }
}

proptest! {
    #[test]
    fn portal_dates_decode(value in naive_date(), time in time_of_day(), locale in locale()) {
        let format = locale.date_format();
        let written = format.format_date(value);
        prop_assert_eq!(format.parse_date(&written), Some(value));
        prop_assert_eq!(decode::<NaiveDate>(&written, &locale)?, value);
        // With a time, the date is still the one written.
        let with_time = format.format_datetime(value.and_time(time));
        prop_assert_eq!(decode::<NaiveDate>(&with_time, &locale)?, value);
        // ISO is read on every portal.
        prop_assert_eq!(decode::<NaiveDate>(&value.format("%Y-%m-%d").to_string(), &locale)?, value);
    }

    #[test]
    fn portal_datetimes_decode(value in naive_datetime(), upper in any::<bool>(), locale in locale()) {
        let format = locale.date_format();
        let offset = locale.utc_offset();
        let at_portal = value.and_local_timezone(offset).single().expect("a fixed offset is never ambiguous");
        let written = format.format_datetime(value);
        prop_assert_eq!(decode::<NaiveDateTime>(&written, &locale)?, value);
        prop_assert_eq!(decode::<DateTime<FixedOffset>>(&written, &locale)?, at_portal);
        prop_assert_eq!(*decode::<DateTime<FixedOffset>>(&written, &locale)?.offset(), offset);
        prop_assert_eq!(decode::<DateTime<Utc>>(&written, &locale)?, at_portal.with_timezone(&Utc));

        // Without seconds.
        let minutes = format!("{} {}", format.format_date(value.date()), value.format("%H:%M"));
        let whole_minute = value.date().and_hms_opt(value.hour(), value.minute(), 0).expect("valid");
        prop_assert_eq!(decode::<NaiveDateTime>(&minutes, &locale)?, whole_minute);

        // With am/pm.
        let meridiem = format!("{} {}", format.format_date(value.date()), twelve_hour(value.time(), upper));
        prop_assert_eq!(decode::<NaiveDateTime>(&meridiem, &locale)?, value);

        // ISO without an offset is portal time too.
        for pattern in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"] {
            prop_assert_eq!(decode::<NaiveDateTime>(&value.format(pattern).to_string(), &locale)?, value);
        }
    }

    #[test]
    fn iso_with_an_offset_decodes(value in offset_datetime(), locale in locale()) {
        let text = value.to_rfc3339();
        let fixed = decode::<DateTime<FixedOffset>>(&text, &locale)?;
        prop_assert_eq!(fixed, value);
        prop_assert_eq!(fixed.offset(), value.offset());
        prop_assert_eq!(decode::<DateTime<Utc>>(&text, &locale)?, value.with_timezone(&Utc));
        prop_assert_eq!(decode::<NaiveDateTime>(&text, &locale)?, value.with_timezone(&locale.utc_offset()).naive_local());
        // A date is the day written, not the portal's day of that instant.
        prop_assert_eq!(decode::<NaiveDate>(&text, &locale)?, value.date_naive());
        prop_assert_eq!(decode::<NaiveDate>(&text.replacen('T', " ", 1), &locale)?, value.date_naive());
    }

    #[test]
    fn unix_timestamps_decode(seconds in prop_oneof![0_i64..4_102_444_800, 0_i64..=999_999_999_999], locale in locale()) {
        let text = seconds.to_string();
        let instant = DateTime::from_timestamp(seconds, 0).expect("in range");
        let at_portal = instant.with_timezone(&locale.utc_offset());
        prop_assert_eq!(decode::<DateTime<Utc>>(&text, &locale)?, instant);
        prop_assert_eq!(*decode::<DateTime<FixedOffset>>(&text, &locale)?.offset(), locale.utc_offset());
        prop_assert_eq!(decode::<NaiveDateTime>(&text, &locale)?, at_portal.naive_local());
        prop_assert_eq!(decode::<NaiveDate>(&text, &locale)?, at_portal.date_naive());
    }

    #[test]
    fn written_numbers_decode(int in any::<i64>(), user in any::<u32>(), double in finite_f64(), pad in "[ \t]{0,2}") {
        let locale = PortalLocale::default();
        prop_assert_eq!(decode::<i64>(&format!("{pad}{int}{pad}"), &locale)?, int);
        prop_assert_eq!(decode::<UserId>(&format!("{pad}user_{user}{pad}"), &locale)?, UserId(user));
        prop_assert_eq!(decode::<UserId>(&format!("{pad}{user}{pad}"), &locale)?, UserId(user));
        for written in [format!("{double}"), format!("{double:e}"), format!("{double}").replace('.', ",")] {
            prop_assert_eq!(decode::<f64>(&format!("{pad}{written}{pad}"), &locale)?.to_bits(), double.to_bits(), "{}", written);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// No panics
// ---------------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn decoders_never_panic(text in any_text(), locale in locale()) {
        decode_everything(&text, &locale)?;
        let _ = locale.date_format().parse_date(&text);
        let _ = text.parse::<DateFormat>();
        let _ = text.parse::<UserId>();
    }

    #[test]
    fn decoders_never_panic_on_value_like_text(text in value_like(), locale in locale()) {
        decode_everything(&text, &locale)?;
        decode_everything(&format!(" {text} "), &locale)?;
    }

    #[test]
    fn decoders_never_panic_on_lists(items in proptest::collection::vec(any_text(), 0..5), locale in locale()) {
        let input = InputValue::from(items.clone());
        let present = items.iter().filter(|item| !item.is_empty()).count();
        let single = <i64 as PropertyValue>::decode(Some(&input), &locale);
        if present > 1 {
            prop_assert_eq!(single, Err(ValueError::many(present)));
        }
        let strings = <Vec<String> as PropertyValue>::decode(Some(&input), &locale);
        prop_assert_eq!(strings.map(|v| v.len()), Ok(present), "empty items are skipped");
        let _ = <Vec<NaiveDate> as PropertyValue>::decode(Some(&input), &locale);
        let _ = <Option<DateTime<Utc>> as PropertyValue>::decode(Some(&input), &locale);
        let _ = <Vec<UserId> as PropertyValue>::decode(Some(&input), &locale);
        let _ = <Option<f32> as PropertyValue>::decode(Some(&input), &locale);
    }

    #[test]
    fn encoders_never_panic(
        date in (NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce())
            .prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).expect("in range")),
        seconds in prop_oneof![any::<i64>(), -8_000_000_000_000_i64..8_000_000_000_000],
        nanos in 0_u32..1_000_000_000,
        locale in locale(),
        float in any::<f32>(),
        double in any::<f64>(),
    ) {
        let _ = <NaiveDate as ScalarValue>::encode(&date, &locale);
        if let Some(instant) = DateTime::from_timestamp(seconds, nanos) {
            let _ = <DateTime<Utc> as ScalarValue>::encode(&instant, &locale);
            let _ = <NaiveDateTime as ScalarValue>::encode(&instant.naive_utc(), &locale);
            let _ = <DateTime<FixedOffset> as ScalarValue>::encode(&instant.fixed_offset(), &locale);
        }
        let encoded = <f32 as ScalarValue>::encode(&float, &locale);
        prop_assert_eq!(encoded.is_null(), !float.is_finite());
        let encoded = <f64 as ScalarValue>::encode(&double, &locale);
        prop_assert_eq!(encoded.is_null(), !double.is_finite());
    }
}
