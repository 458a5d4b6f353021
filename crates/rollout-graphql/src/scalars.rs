//! The custom scalars `Date`, `FiscalQuarter` and `DateTime`. Each accepts exactly its canonical
//! text form within the range both backends keep faithfully ([`rollout_domain::bounds`]) and
//! rejects anything else while the request is validated (so a bad value never reaches a
//! resolver, let alone the database), with `extensions.code = "VALIDATION"`.
//!
//! Parsing of the underlying values and the range stay in `rollout-domain`/chrono; this module
//! only insists that the text round-trips, which is what makes `FY2025-Q03` or `2026-4-1` fail.
//!
//! A refusal must name the field. async-graphql names it only while it validates the document
//! (`Invalid value for argument "input.expiresAt"`), where a scalar can say no more than
//! `is_valid`'s yes or no; the reasons above come later and name only the types. So each scalar
//! refuses in both places, and [`explain`] (run by the schema's error-code extension,
//! `error_codes`) gives the document-validation refusal its VALIDATION code and what the scalar
//! accepts.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, ServerError, Value};
use chrono::{NaiveDate, Utc};
use rollout_domain::bounds;

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

/// A calendar date in ISO 8601 form, e.g. "2026-04-01", from 1900-01-01 to 2200-12-31;
/// anything else is rejected.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        let raw = string_of::<Self>(&value)?;
        let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .ok()
            .filter(|d| d.format("%Y-%m-%d").to_string() == raw)
            .ok_or_else(|| rejected(format!("{raw:?} is not a date like 2026-04-01")))?;
        bounds::check_date(date)
            .map(Date)
            .map_err(|e| rejected(e.to_string()))
    }

    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A Japanese fiscal quarter (April-March years), e.g. "FY2025-Q3", FY1989 to FY2199.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FiscalQuarter(pub rollout_domain::FiscalQuarter);

/// A Japanese fiscal quarter like "FY2025-Q3" (fiscal years start in April), FY1989-Q1 to
/// FY2199-Q4; anything else is rejected.
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

    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// A point in time. async-graphql's own `DateTime<Utc>` scalar writes `+00:00`; the contract
/// promises the `Z` form, so this wrapper owns the name `DateTime` instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// An RFC 3339 timestamp, always output in UTC with "Z", e.g. "2026-04-01T09:30:00Z". Accepted
/// from 1900-01-01T00:00:00Z to 2200-12-31T23:59:59.999999Z (after conversion to UTC), to the
/// microsecond, without leap seconds.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        let raw = string_of::<Self>(&value)?;
        let t = chrono::DateTime::parse_from_rfc3339(raw)
            .map_err(|_| rejected(format!("{raw:?} is not an RFC 3339 timestamp")))?;
        bounds::check_instant(t.with_timezone(&Utc))
            .map(DateTime)
            .map_err(|e| rejected(format!("{raw:?}: {e}")))
    }

    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::String(bounds::utc_text(self.0))
    }
}

/// What each scalar accepts, appended to the document-validation refusal.
const ACCEPTED: [(&str, &str); 3] = [
    (
        "Date",
        "a date like 2026-04-01, from 1900-01-01 to 2200-12-31",
    ),
    (
        "DateTime",
        "an RFC 3339 time to the microsecond, from 1900-01-01T00:00:00Z to \
         2200-12-31T23:59:59.999999Z once converted to UTC",
    ),
    (
        "FiscalQuarter",
        "a fiscal quarter like FY2025-Q3, from FY1989-Q1 to FY2199-Q4",
    ),
];

/// `Invalid value for argument "input.expiresAt", expected type "DateTime"`, with the code and
/// what a DateTime may be.
pub(crate) fn explain(mut error: ServerError) -> ServerError {
    if !error.message.starts_with("Invalid value for argument ") {
        return error;
    }
    let Some((_, accepted)) = ACCEPTED.iter().find(|(name, _)| {
        error
            .message
            .ends_with(&format!("expected type \"{name}\""))
    }) else {
        return error;
    };
    error.message = format!("{}: {accepted}", error.message);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", "VALIDATION");
    error
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

    fn message<T: async_graphql::InputType>(e: InputValueError<T>) -> String {
        e.into_server_error(async_graphql::Pos::default()).message
    }

    #[test]
    fn dates_outside_the_range_are_refused() {
        for ok in ["1900-01-01", "2200-12-31"] {
            assert_eq!(Date::parse(s(ok)).unwrap().to_value(), s(ok));
        }
        for bad in ["1899-12-31", "2201-01-01", "9999-12-31"] {
            let e = message(Date::parse(s(bad)).unwrap_err());
            assert!(e.contains("1900-01-01 to 2200-12-31"), "{bad}: {e}");
        }
        // chrono's `%Y` takes a sign and five digits; the round-trip check refuses them anyway.
        assert!(Date::parse(s("+10000-01-01")).is_err());
        assert!(FiscalQuarter::parse(s("FY2199-Q4")).is_ok());
        let e = message(FiscalQuarter::parse(s("FY2200-Q1")).unwrap_err());
        assert!(e.contains("FY1989 to FY2199"), "{e}");
    }

    #[test]
    fn date_times_outside_the_range_or_precision_are_refused() {
        for (raw, back) in [
            ("1900-01-01T00:00:00Z", "1900-01-01T00:00:00Z"),
            ("2200-12-31T23:59:59.999999Z", "2200-12-31T23:59:59.999999Z"),
            (
                "2201-01-01T08:59:59.999999+09:00",
                "2200-12-31T23:59:59.999999Z",
            ),
            ("1899-12-31T15:00:00-09:00", "1900-01-01T00:00:00Z"),
            (
                "2026-04-01T09:30:00.123456000Z",
                "2026-04-01T09:30:00.123456Z",
            ),
        ] {
            assert_eq!(
                DateTime::parse(s(raw)).unwrap().to_value(),
                s(back),
                "{raw}"
            );
        }
        for (bad, why) in [
            (
                "9999-12-31T23:59:59-23:59",
                "+10000-01-01T23:58:59Z (in UTC) is outside",
            ),
            (
                "2200-12-31T23:59:59-01:00",
                "2201-01-01T00:59:59Z (in UTC) is outside",
            ),
            (
                "1899-12-31T23:59:59.999999Z",
                "is outside the supported times",
            ),
            ("2026-04-01T09:30:00.1234567Z", "to the microsecond"),
            ("2026-06-30T23:59:60Z", "leap seconds"),
        ] {
            let e = message(DateTime::parse(s(bad)).unwrap_err());
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
