//! Dates and date-times: read in the portal's own format, written as ISO-8601 with an offset.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone, Utc};
use serde_json::Value;

use super::{DateFormat, PortalLocale, ScalarValue, ValueError};
use crate::PropertyType;

const DATE_EXPECTED: &str = "a date (the portal's format, ISO-8601, or a Unix timestamp)";
const DATETIME_EXPECTED: &str = "a date-time (the portal's format, ISO-8601, or a Unix timestamp)";

/// Unix timestamps are all digits; a longer run of digits is not a plausible time.
fn unix_timestamp(text: &str) -> Option<DateTime<Utc>> {
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    DateTime::from_timestamp(text.parse().ok()?, 0)
}

/// `HH:MM[:SS]`, with an optional `am`/`pm` as US portals write it.
fn time_of_day(text: &str) -> Option<NaiveTime> {
    let lower = text.trim().to_ascii_lowercase();
    let (clock, meridiem) = match lower.rsplit_once(' ') {
        Some((clock, m @ ("am" | "pm"))) => (clock.trim(), Some(m)),
        _ => (lower.as_str(), None),
    };
    let time =
        NaiveTime::parse_from_str(clock, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(clock, "%H:%M")).ok()?;
    match meridiem {
        None => Some(time),
        Some(m) => {
            let hour12 = time.format("%H").to_string().parse::<u32>().ok()?;
            if !(1..=12).contains(&hour12) {
                return None;
            }
            let hour = hour12 % 12 + if m == "pm" { 12 } else { 0 };
            NaiveTime::parse_from_str(&format!("{hour}:{}", time.format("%M:%S")), "%H:%M:%S").ok()
        }
    }
}

/// Whether `text` may be ISO-8601: every ISO form has a `-` after the year, and portal
/// formats that have none (`28.12.2025`, `12/28/2025`) are spared the ISO attempts.
fn is_iso(text: &str) -> bool {
    text.contains('-')
}

/// The ISO patterns worth trying on `text`.
fn iso(text: &str) -> &'static [&'static str] {
    if is_iso(text) {
        &["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    } else {
        &[]
    }
}

/// A date-time without an offset: ISO (`T` or space) or the portal's format, where a date
/// alone means midnight.
fn naive_datetime(text: &str, format: DateFormat) -> Option<NaiveDateTime> {
    for pattern in iso(text) {
        if let Ok(datetime) = NaiveDateTime::parse_from_str(text, pattern) {
            return Some(datetime);
        }
    }
    let (date, time) = match text.split_once(' ') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let date = format.parse_date(date).or_else(|| DateFormat::YEAR_MONTH_DAY.parse_date(date))?;
    let time = match time {
        Some(time) => time_of_day(time)?,
        None => NaiveTime::MIN,
    };
    Some(date.and_time(time))
}

/// Every form a portal sends or accepts, as an instant with the offset it was written at.
fn datetime(text: &str, locale: &PortalLocale) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    if let Some(utc) = unix_timestamp(text) {
        return Some(utc.with_timezone(&locale.utc_offset()));
    }
    if is_iso(text) {
        if let Ok(datetime) = DateTime::parse_from_rfc3339(text) {
            return Some(datetime);
        }
        for pattern in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M%z"] {
            if let Ok(datetime) = DateTime::parse_from_str(text, pattern) {
                return Some(datetime);
            }
        }
    }
    let naive = naive_datetime(text, locale.date_format())?;
    locale.utc_offset().from_local_datetime(&naive).single()
}

fn rfc3339(datetime: &DateTime<FixedOffset>) -> Value {
    Value::String(datetime.to_rfc3339_opts(SecondsFormat::Secs, false))
}

fn at_portal_time(naive: &NaiveDateTime, locale: &PortalLocale) -> DateTime<FixedOffset> {
    naive.and_local_timezone(locale.utc_offset()).single().unwrap_or_else(|| naive.and_utc().fixed_offset())
}

impl ScalarValue for NaiveDate {
    const TYPE: PropertyType = PropertyType::Date;
    /// A date default is a date in any form the portal reads, or an expression.
    type Literal = &'static str;

    /// Midnight at the portal's offset: a bare `YYYY-MM-DD` is misread by portals whose date
    /// format differs.
    fn encode(&self, locale: &PortalLocale) -> Value {
        rfc3339(&at_portal_time(&self.and_time(NaiveTime::MIN), locale))
    }

    fn decode(text: &str, locale: &PortalLocale) -> Result<Self, ValueError> {
        let trimmed = text.trim();
        // The date part is taken as written: a date sent as midnight somewhere stays that day.
        // A time after the date must be a time, not any text.
        let date = naive_datetime(trimmed, locale.date_format())
            .map(|datetime| datetime.date())
            .or_else(|| datetime(trimmed, locale).map(|datetime| datetime.date_naive()));
        date.ok_or_else(|| ValueError::invalid(text, DATE_EXPECTED))
    }

    fn literal(value: &'static str) -> Value {
        value.into()
    }
}

impl ScalarValue for NaiveDateTime {
    const TYPE: PropertyType = PropertyType::DateTime;
    type Literal = &'static str;

    /// The portal's local time, written with the portal's offset.
    fn encode(&self, locale: &PortalLocale) -> Value {
        rfc3339(&at_portal_time(self, locale))
    }

    fn decode(text: &str, locale: &PortalLocale) -> Result<Self, ValueError> {
        datetime(text, locale)
            .map(|datetime| datetime.with_timezone(&locale.utc_offset()).naive_local())
            .ok_or_else(|| ValueError::invalid(text, DATETIME_EXPECTED))
    }

    fn literal(value: &'static str) -> Value {
        value.into()
    }
}

impl ScalarValue for DateTime<FixedOffset> {
    const TYPE: PropertyType = PropertyType::DateTime;
    type Literal = &'static str;

    fn encode(&self, _: &PortalLocale) -> Value {
        rfc3339(self)
    }

    fn decode(text: &str, locale: &PortalLocale) -> Result<Self, ValueError> {
        datetime(text, locale).ok_or_else(|| ValueError::invalid(text, DATETIME_EXPECTED))
    }

    fn literal(value: &'static str) -> Value {
        value.into()
    }
}

impl ScalarValue for DateTime<Utc> {
    const TYPE: PropertyType = PropertyType::DateTime;
    type Literal = &'static str;

    fn encode(&self, _: &PortalLocale) -> Value {
        rfc3339(&self.fixed_offset())
    }

    fn decode(text: &str, locale: &PortalLocale) -> Result<Self, ValueError> {
        datetime(text, locale)
            .map(|datetime| datetime.with_timezone(&Utc))
            .ok_or_else(|| ValueError::invalid(text, DATETIME_EXPECTED))
    }

    fn literal(value: &'static str) -> Value {
        value.into()
    }
}
