use std::fmt;

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, Offset, Utc};

/// How a portal writes dates and which UTC offset its clock runs at.
///
/// Bitrix24 sends `date` and `datetime` inputs in the portal's own format (`28.11.2026`, not
/// ISO) and at the portal's time. Decoding reads that format; encoding writes dates as
/// ISO-8601 date-times at this offset, the one form every portal reads the same way.
///
/// ```
/// use bizproc::{DateFormat, PortalLocale};
/// use chrono::FixedOffset;
///
/// let moscow = PortalLocale::new(DateFormat::DAY_MONTH_YEAR, FixedOffset::east_opt(3 * 3600).unwrap());
/// assert_eq!(moscow.utc_offset().to_string(), "+03:00");
/// assert_eq!(PortalLocale::utc().date_format(), DateFormat::DAY_MONTH_YEAR);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalLocale {
    date_format: DateFormat,
    utc_offset: FixedOffset,
}

impl PortalLocale {
    /// A portal with the given date format and UTC offset.
    ///
    /// ```
    /// let us = bizproc::PortalLocale::new(bizproc::DateFormat::MONTH_DAY_YEAR, chrono::FixedOffset::west_opt(5 * 3600).unwrap());
    /// assert_eq!(us.date_format().to_string(), "MM/DD/YYYY");
    /// ```
    #[must_use]
    pub const fn new(date_format: DateFormat, utc_offset: FixedOffset) -> Self {
        Self { date_format, utc_offset }
    }

    /// `DD.MM.YYYY` at UTC: what values are encoded with when no portal is known.
    ///
    /// ```
    /// assert_eq!(bizproc::PortalLocale::utc().utc_offset().local_minus_utc(), 0);
    /// ```
    #[must_use]
    pub fn utc() -> Self {
        Self::new(DateFormat::DAY_MONTH_YEAR, Utc.fix())
    }

    /// The same locale at another UTC offset.
    ///
    /// ```
    /// let l = bizproc::PortalLocale::utc().with_utc_offset(chrono::FixedOffset::east_opt(3600).unwrap());
    /// assert_eq!(l.utc_offset().local_minus_utc(), 3600);
    /// ```
    #[must_use]
    pub const fn with_utc_offset(mut self, utc_offset: FixedOffset) -> Self {
        self.utc_offset = utc_offset;
        self
    }

    /// The same locale with another date format.
    ///
    /// ```
    /// let l = bizproc::PortalLocale::utc().with_date_format(bizproc::DateFormat::YEAR_MONTH_DAY);
    /// assert_eq!(l.date_format(), bizproc::DateFormat::YEAR_MONTH_DAY);
    /// ```
    #[must_use]
    pub const fn with_date_format(mut self, date_format: DateFormat) -> Self {
        self.date_format = date_format;
        self
    }

    /// The portal's date format.
    ///
    /// ```
    /// assert_eq!(bizproc::PortalLocale::default().date_format(), bizproc::DateFormat::DAY_MONTH_YEAR);
    /// ```
    #[must_use]
    pub const fn date_format(&self) -> DateFormat {
        self.date_format
    }

    /// The portal's UTC offset.
    ///
    /// ```
    /// assert_eq!(bizproc::PortalLocale::default().utc_offset().local_minus_utc(), 0);
    /// ```
    #[must_use]
    pub const fn utc_offset(&self) -> FixedOffset {
        self.utc_offset
    }
}

impl Default for PortalLocale {
    fn default() -> Self {
        Self::utc()
    }
}

/// The order of day, month and year in a portal's date format.
///
/// ```
/// use bizproc::{DateFormat, DateOrder};
///
/// let format: DateFormat = "YYYY/MM/DD".parse().unwrap();
/// assert_eq!(format.order(), DateOrder::YearMonthDay);
/// assert_eq!(DateFormat::new(DateOrder::MonthDayYear, '-').to_string(), "MM-DD-YYYY");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateOrder {
    /// `DD.MM.YYYY` and the like.
    DayMonthYear,
    /// `MM/DD/YYYY`.
    MonthDayYear,
    /// `YYYY-MM-DD`.
    YearMonthDay,
}

/// A portal's date format, as Bitrix24 names it (`DD.MM.YYYY`, `MM/DD/YYYY`, `YYYY-MM-DD`).
///
/// ```
/// use bizproc::DateFormat;
/// use chrono::NaiveDate;
///
/// let format: DateFormat = "DD/MM/YYYY".parse().unwrap();
/// let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
/// assert_eq!(format.format_date(day), "28/11/2026");
/// assert_eq!(format.parse_date("28/11/2026"), Some(day));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateFormat {
    order: DateOrder,
    separator: char,
}

impl DateFormat {
    /// `DD.MM.YYYY`, the format of Russian, German and most European portals.
    ///
    /// ```
    /// use bizproc::DateFormat;
    ///
    /// let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    /// assert_eq!(DateFormat::DAY_MONTH_YEAR.format_date(day), "28.11.2026");
    /// assert_eq!("DD.MM.YYYY".parse(), Ok(DateFormat::DAY_MONTH_YEAR));
    /// ```
    pub const DAY_MONTH_YEAR: Self = Self { order: DateOrder::DayMonthYear, separator: '.' };
    /// `MM/DD/YYYY`, the format of US portals.
    ///
    /// ```
    /// use bizproc::DateFormat;
    ///
    /// let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    /// assert_eq!(DateFormat::MONTH_DAY_YEAR.format_date(day), "11/28/2026");
    /// assert_eq!(DateFormat::MONTH_DAY_YEAR.parse_date("11/28/2026"), Some(day));
    /// ```
    pub const MONTH_DAY_YEAR: Self = Self { order: DateOrder::MonthDayYear, separator: '/' };
    /// `YYYY-MM-DD`.
    ///
    /// ```
    /// use bizproc::DateFormat;
    ///
    /// let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    /// assert_eq!(DateFormat::YEAR_MONTH_DAY.format_date(day), "2026-11-28");
    /// assert_eq!(DateFormat::YEAR_MONTH_DAY.to_string(), "YYYY-MM-DD");
    /// ```
    pub const YEAR_MONTH_DAY: Self = Self { order: DateOrder::YearMonthDay, separator: '-' };

    /// A format with this order and separator.
    ///
    /// ```
    /// use bizproc::{DateFormat, DateOrder};
    /// assert_eq!(DateFormat::new(DateOrder::DayMonthYear, '/').to_string(), "DD/MM/YYYY");
    /// ```
    #[must_use]
    pub const fn new(order: DateOrder, separator: char) -> Self {
        Self { order, separator }
    }

    /// The order of the parts.
    ///
    /// ```
    /// assert_eq!(bizproc::DateFormat::MONTH_DAY_YEAR.order(), bizproc::DateOrder::MonthDayYear);
    /// ```
    #[must_use]
    pub const fn order(&self) -> DateOrder {
        self.order
    }

    /// Writes a date in this format.
    ///
    /// ```
    /// let day = chrono::NaiveDate::from_ymd_opt(2025, 12, 28).unwrap();
    /// assert_eq!(bizproc::DateFormat::DAY_MONTH_YEAR.format_date(day), "28.12.2025");
    /// ```
    #[must_use]
    pub fn format_date(&self, date: NaiveDate) -> String {
        let s = self.separator;
        match self.order {
            DateOrder::DayMonthYear => format!("{}", date.format(&format!("%d{s}%m{s}%Y"))),
            DateOrder::MonthDayYear => format!("{}", date.format(&format!("%m{s}%d{s}%Y"))),
            DateOrder::YearMonthDay => format!("{}", date.format(&format!("%Y{s}%m{s}%d"))),
        }
    }

    /// Writes a date-time as the portal sends it: the date, a space, `HH:MM:SS`.
    ///
    /// ```
    /// let t = chrono::NaiveDate::from_ymd_opt(2025, 12, 28).unwrap().and_hms_opt(14, 5, 48).unwrap();
    /// assert_eq!(bizproc::DateFormat::DAY_MONTH_YEAR.format_datetime(t), "28.12.2025 14:05:48");
    /// ```
    #[must_use]
    pub fn format_datetime(&self, datetime: NaiveDateTime) -> String {
        format!("{} {}", self.format_date(datetime.date()), datetime.format("%H:%M:%S"))
    }

    /// Reads a date written in this format; the separator may be any of `.`, `/`, `-`.
    ///
    /// ```
    /// use bizproc::DateFormat;
    /// // Month-first only where the portal is month-first: 03/04/2026 is ambiguous.
    /// assert!(DateFormat::DAY_MONTH_YEAR.parse_date("11/28/2026").is_none());
    /// assert!(DateFormat::MONTH_DAY_YEAR.parse_date("11/28/2026").is_some());
    /// ```
    #[must_use]
    pub fn parse_date(&self, text: &str) -> Option<NaiveDate> {
        let mut parts = text.split(['.', '/', '-']);
        let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let (year, month, day) = match self.order {
            DateOrder::DayMonthYear => (c, b, a),
            DateOrder::MonthDayYear => (c, a, b),
            DateOrder::YearMonthDay => (a, b, c),
        };
        let number = |part: &str, max_len: usize| {
            (!part.is_empty() && part.len() <= max_len && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u32>().ok())
                .flatten()
        };
        let year = i32::try_from(number(year, 4).filter(|_| year.len() == 4)?).ok()?;
        NaiveDate::from_ymd_opt(year, number(month, 2)?, number(day, 2)?)
    }
}

impl fmt::Display for DateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.separator;
        match self.order {
            DateOrder::DayMonthYear => write!(f, "DD{s}MM{s}YYYY"),
            DateOrder::MonthDayYear => write!(f, "MM{s}DD{s}YYYY"),
            DateOrder::YearMonthDay => write!(f, "YYYY{s}MM{s}DD"),
        }
    }
}

/// The error of reading a [`DateFormat`] from a name it does not know.
///
/// ```
/// use bizproc::{DateFormat, UnknownDateFormat};
///
/// // Only Bitrix24's own names are read, not PHP's `d.m.Y`.
/// assert_eq!("d.m.Y".parse::<DateFormat>(), Err(UnknownDateFormat("d.m.Y".to_owned())));
/// assert!("DD.MM/YYYY".parse::<DateFormat>().unwrap_err().to_string().starts_with("unknown date format"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown date format `{0}`: expected DD, MM and YYYY joined by `.`, `/` or `-`, such as `DD.MM.YYYY`")]
pub struct UnknownDateFormat(pub String);

impl std::str::FromStr for DateFormat {
    type Err = UnknownDateFormat;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownDateFormat(name.to_owned());
        let separator = name.chars().find(|c| matches!(c, '.' | '/' | '-')).ok_or_else(unknown)?;
        let parts: Vec<&str> = name.split(separator).collect();
        let order = match parts.as_slice() {
            ["DD", "MM", "YYYY"] => DateOrder::DayMonthYear,
            ["MM", "DD", "YYYY"] => DateOrder::MonthDayYear,
            ["YYYY", "MM", "DD"] => DateOrder::YearMonthDay,
            _ => return Err(unknown()),
        };
        Ok(Self { order, separator })
    }
}
