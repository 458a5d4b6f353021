//! The custom scalars `Date`, `FiscalQuarter` and `DateTime`. Each accepts exactly its canonical
//! text form and rejects anything else while the request is validated (so a malformed value
//! never reaches a resolver), with `extensions.code = "VALIDATION"`.
//!
//! Parsing of the underlying values stays in `rollout-domain`/chrono; this module only insists
//! that the text round-trips, which is what makes `FY2025-Q03` or `2026-4-1` fail.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, SecondsFormat, Utc};

fn rejected<T: async_graphql::InputType>(message: String) -> InputValueError<T> {
    InputValueError::custom(message).with_extension("code", "VALIDATION")
}

fn string_of<T: async_graphql::InputType>(value: &Value) -> Result<&str, InputValueError<T>> {
    match value {
        Value::String(s) => Ok(s),
        other => {
            Err(InputValueError::<T>::expected_type(other.clone())
                .with_extension("code", "VALIDATION"))
        }
    }
}

/// A calendar date, `YYYY-MM-DD` (ISO 8601), e.g. "2026-04-01".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date in ISO 8601 form, e.g. "2026-04-01"; anything else is rejected.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        let raw = string_of::<Self>(&value)?;
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .ok()
            .filter(|d| d.format("%Y-%m-%d").to_string() == raw)
            .map(Date)
            .ok_or_else(|| rejected(format!("{raw:?} is not a date like 2026-04-01")))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A Japanese fiscal quarter (April-March years), e.g. "FY2025-Q3".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FiscalQuarter(pub rollout_domain::FiscalQuarter);

/// A Japanese fiscal quarter like "FY2025-Q3" (fiscal years start in April); anything else is
/// rejected.
#[Scalar(name = "FiscalQuarter")]
impl ScalarType for FiscalQuarter {
    fn parse(value: Value) -> InputValueResult<Self> {
        let raw = string_of::<Self>(&value)?;
        match rollout_domain::FiscalQuarter::parse(raw) {
            Ok(q) if q.to_string() == raw => Ok(FiscalQuarter(q)),
            Ok(_) => Err(rejected(format!(
                "{raw:?} is not a fiscal quarter like FY2025-Q3"
            ))),
            Err(e) => Err(rejected(e.0)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// A point in time. async-graphql's own `DateTime<Utc>` scalar writes `+00:00`; the contract
/// promises the `Z` form, so this wrapper owns the name `DateTime` instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// An RFC 3339 timestamp, always output in UTC with "Z", e.g. "2026-04-01T09:30:00Z".
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        let raw = string_of::<Self>(&value)?;
        chrono::DateTime::parse_from_rfc3339(raw)
            .map(|t| DateTime(t.with_timezone(&Utc)))
            .map_err(|_| rejected(format!("{raw:?} is not an RFC 3339 timestamp")))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::String(v.to_owned())
    }

    #[test]
    fn dates_round_trip_and_reject_other_forms() {
        let d = Date::parse(s("2026-04-01")).unwrap();
        assert_eq!(d.0, NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        assert_eq!(d.to_value(), s("2026-04-01"));
        for bad in [
            "2026-4-1",
            "2026-02-30",
            "20260401",
            "2026-04-01T00:00:00Z",
            " 2026-04-01",
        ] {
            assert!(Date::parse(s(bad)).is_err(), "{bad} accepted");
        }
        assert!(Date::parse(Value::Number(20260401.into())).is_err());
    }

    #[test]
    fn fiscal_quarters_round_trip_and_reject_other_forms() {
        let q = FiscalQuarter::parse(s("FY2025-Q3")).unwrap();
        assert_eq!((q.0.year(), q.0.quarter()), (2025, 3));
        assert_eq!(q.to_value(), s("FY2025-Q3"));
        for bad in [
            "FY2025-Q5",
            "FY2025-Q03",
            "fy2025-q3",
            "2025-Q3",
            "FY2025Q3",
            "",
        ] {
            assert!(FiscalQuarter::parse(s(bad)).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn date_times_are_written_in_utc_with_z() {
        let t = DateTime::parse(s("2026-04-01T18:30:00+09:00")).unwrap();
        assert_eq!(t.to_value(), s("2026-04-01T09:30:00Z"));
        let micros = DateTime::parse(s("2026-04-01T09:30:00.123456Z")).unwrap();
        assert_eq!(micros.to_value(), s("2026-04-01T09:30:00.123456Z"));
        assert!(DateTime::parse(s("2026-04-01 09:30")).is_err());
    }
}
