//! The Japanese fiscal calendar (会計年度): fiscal year N runs from 1 April N to 31 March N+1, and
//! its quarters are Apr–Jun, Jul–Sep, Oct–Dec and Jan–Mar (of the next calendar year).
//!
//! [`FiscalQuarter`] and [`FiscalYear`] are validated newtypes covering FY1989 (平成元年度) to
//! FY2199, so that every day of every accepted quarter is an accepted date ([`crate::bounds`]); the text form `FY2025-Q3` is the one the API, CSV files and storage use, and parsing it
//! is strict so that every stored value has exactly one spelling. Labels name the era (令和/平成)
//! the way Tokyo's documents do. This module knows nothing of time zones or "today": callers pass
//! the date, already in Asia/Tokyo.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// The first and last fiscal years rollout accepts. FY1989 is the first Heisei fiscal year, so
/// every accepted year has an era label; FY2199 ends on 2200-03-31, the last fiscal year whose
/// days all lie within [`crate::bounds::LAST_DATE`].
const YEARS: std::ops::RangeInclusive<i32> = 1989..=2199;

/// The first calendar year of the Reiwa era; FY2019 is 令和元年度 by convention, although the era
/// began on 1 May 2019.
const REIWA_START: i32 = 2019;
/// Heisei N = year − 1988.
const HEISEI_OFFSET: i32 = 1988;

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Why a fiscal year or quarter was refused; the message is meant for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FiscalQuarterError(pub String);

fn out_of_range(what: String) -> FiscalQuarterError {
    FiscalQuarterError(format!(
        "no such fiscal {what}: years run from FY{} to FY{}",
        YEARS.start(),
        YEARS.end()
    ))
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day)
        .expect("fiscal years 1989..=2199 lie well inside chrono's date range")
}

/// The fiscal year a date falls in, whether or not it is in the accepted range.
fn fiscal_year_of(d: NaiveDate) -> i32 {
    if d.month() >= 4 {
        d.year()
    } else {
        d.year() - 1
    }
}

/// `令和7年度`, `令和元年度`, `平成30年度`.
fn era_year_ja(year: i32) -> String {
    let (era, n) = if year >= REIWA_START {
        ("令和", year - REIWA_START + 1)
    } else {
        ("平成", year - HEISEI_OFFSET)
    };
    if n == 1 {
        format!("{era}元年度")
    } else {
        format!("{era}{n}年度")
    }
}

/// One fiscal year, FY1989..=FY2199.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FiscalYear(i32);

impl FiscalYear {
    pub fn new(year: i32) -> Result<Self, FiscalQuarterError> {
        if YEARS.contains(&year) {
            Ok(Self(year))
        } else {
            Err(out_of_range(format!("year FY{year}")))
        }
    }

    /// The fiscal year that contains `date`.
    ///
    /// # Panics
    /// When `date` lies outside FY1989..=FY2199 (before 1989-04-01 or after 2200-03-31). Use
    /// [`FiscalYear::try_containing`] for dates that come from users or files.
    pub fn containing(date: NaiveDate) -> Self {
        Self::try_containing(date).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The fiscal year that contains `date`, or an error when it is outside FY1989..=FY2199.
    pub fn try_containing(date: NaiveDate) -> Result<Self, FiscalQuarterError> {
        Self::new(fiscal_year_of(date))
    }

    pub fn year(self) -> i32 {
        self.0
    }
    /// 1 April of the year.
    pub fn first_day(self) -> NaiveDate {
        date(self.0, 4, 1)
    }
    /// 31 March of the next calendar year.
    pub fn last_day(self) -> NaiveDate {
        date(self.0 + 1, 3, 31)
    }
    pub fn contains(self, d: NaiveDate) -> bool {
        fiscal_year_of(d) == self.0
    }
    /// Q1 to Q4, in order.
    pub fn quarters(self) -> [FiscalQuarter; 4] {
        [1, 2, 3, 4].map(|quarter| FiscalQuarter {
            year: self.0,
            quarter,
        })
    }
    /// `令和7年度` (FY2025), `令和元年度` (FY2019), `平成30年度` (FY2018).
    pub fn label_ja(self) -> String {
        era_year_ja(self.0)
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FY{}", self.0)
    }
}

/// One quarter of a fiscal year; written `FY2025-Q3`. Orders chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FiscalQuarter {
    // Field order matters: the derived `Ord` compares the year first.
    year: i32,
    quarter: u8,
}

impl FiscalQuarter {
    pub fn new(year: i32, quarter: u8) -> Result<Self, FiscalQuarterError> {
        if !(1..=4).contains(&quarter) {
            return Err(FiscalQuarterError(format!(
                "no such fiscal quarter FY{year}-Q{quarter}: quarters run from Q1 to Q4"
            )));
        }
        FiscalYear::new(year)
            .map(|_| Self { year, quarter })
            .map_err(|_| out_of_range(format!("quarter FY{year}-Q{quarter}")))
    }

    /// Parses exactly `FY` + four digits + `-Q` + a digit 1–4, e.g. `FY2025-Q3`. Lower case,
    /// spaces, two-digit years and anything else are refused, so each quarter has one spelling.
    pub fn parse(raw: &str) -> Result<Self, FiscalQuarterError> {
        let bad = || {
            FiscalQuarterError(format!(
                "{raw:?} is not a fiscal quarter: write FY, four digits, -Q and 1-4, like FY2025-Q3"
            ))
        };
        let b = raw.as_bytes();
        let shape_ok = b.len() == 9
            && b.starts_with(b"FY")
            && b[2..6].iter().all(u8::is_ascii_digit)
            && &b[6..8] == b"-Q"
            && (b'1'..=b'4').contains(&b[8]);
        if !shape_ok {
            return Err(bad());
        }
        let year = b[2..6]
            .iter()
            .fold(0i32, |acc, d| acc * 10 + i32::from(d - b'0'));
        Self::new(year, b[8] - b'0')
    }

    /// The quarter that contains `date`.
    ///
    /// # Panics
    /// When `date` lies outside FY1989..=FY2199 (before 1989-04-01 or after 2200-03-31). Use
    /// [`FiscalQuarter::try_containing`] for dates that come from users or files.
    pub fn containing(date: NaiveDate) -> Self {
        Self::try_containing(date).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The quarter that contains `date`, or an error when it is outside FY1989..=FY2199.
    pub fn try_containing(date: NaiveDate) -> Result<Self, FiscalQuarterError> {
        let year = FiscalYear::try_containing(date)?.year();
        // April → 0, …, March → 11, then three months a quarter.
        let months_into_year = (date.month() + 8) % 12;
        let quarter = u8::try_from(months_into_year / 3 + 1).expect("quarter is 1..=4");
        Ok(Self { year, quarter })
    }

    pub fn year(&self) -> i32 {
        self.year
    }
    pub fn quarter(&self) -> u8 {
        self.quarter
    }
    pub fn fiscal_year(&self) -> FiscalYear {
        FiscalYear(self.year)
    }

    /// Calendar (year, month) of the quarter's first month.
    fn start_month(&self) -> (i32, u32) {
        let month = 3 * u32::from(self.quarter) + 1;
        if month > 12 {
            (self.year + 1, month - 12)
        } else {
            (self.year, month)
        }
    }

    /// The first day: 1 April, 1 July, 1 October or 1 January (of the next calendar year).
    pub fn first_day(&self) -> NaiveDate {
        let (y, m) = self.start_month();
        date(y, m, 1)
    }
    /// The last day: 30 June, 30 September, 31 December or 31 March (of the next calendar year).
    pub fn last_day(&self) -> NaiveDate {
        let (y, m) = self.start_month();
        let last_month = m + 2;
        let day = if last_month == 12 || last_month == 3 {
            31
        } else {
            30
        };
        date(y, last_month, day)
    }
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.first_day() <= d && d <= self.last_day()
    }

    /// The following quarter; `None` after FY2199-Q4.
    pub fn next(&self) -> Option<Self> {
        if self.quarter == 4 {
            Self::new(self.year + 1, 1).ok()
        } else {
            Some(Self {
                year: self.year,
                quarter: self.quarter + 1,
            })
        }
    }
    /// The preceding quarter; `None` before FY1989-Q1.
    pub fn previous(&self) -> Option<Self> {
        if self.quarter == 1 {
            Self::new(self.year - 1, 4).ok()
        } else {
            Some(Self {
                year: self.year,
                quarter: self.quarter - 1,
            })
        }
    }

    /// `令和7年度 第3四半期`.
    pub fn label_ja(&self) -> String {
        format!("{} 第{}四半期", era_year_ja(self.year), self.quarter)
    }
    /// `FY2025 Q3 (Oct–Dec 2025)`; Q4 names the next calendar year: `FY2025 Q4 (Jan–Mar 2026)`.
    pub fn label_en(&self) -> String {
        let (y, m) = self.start_month();
        let first = MONTHS_EN[m as usize - 1];
        let last = MONTHS_EN[m as usize + 1];
        format!("FY{} Q{} ({first}–{last} {y})", self.year, self.quarter)
    }
}

impl fmt::Display for FiscalQuarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FY{}-Q{}", self.year, self.quarter)
    }
}

impl FromStr for FiscalQuarter {
    type Err = FiscalQuarterError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests;
