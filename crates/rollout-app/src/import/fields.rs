//! Field parsers shared by the imports: each pushes a problem that names the column and returns
//! no value when the field is bad, so that one pass over a row reports all of its problems.

use chrono::NaiveDate;

/// A keyed value (`STANDARD`, `national`…), case-insensitive; empty is a problem too.
pub(super) fn keyed<T>(
    raw: &str,
    column: &str,
    parse: fn(&str) -> Option<T>,
    all: &[&str],
    problems: &mut Vec<String>,
) -> Option<T> {
    let value = parse(raw);
    if value.is_none() {
        problems.push(format!(
            "{column} {raw:?} is not one of {} (case does not matter)",
            all.join(", ")
        ));
    }
    value
}

/// A keyed value that must be given.
pub(super) fn required<T>(
    raw: &str,
    column: &str,
    parse: fn(&str) -> Option<T>,
    all: &[&str],
    problems: &mut Vec<String>,
) -> Option<T> {
    if raw.is_empty() {
        problems.push(format!("{column} is required"));
        return None;
    }
    keyed(raw, column, parse, all, problems)
}

/// An optional keyed value: `Some(None)` when empty, `None` when bad.
pub(super) fn optional_keyed<T>(
    raw: &str,
    column: &str,
    parse: fn(&str) -> Option<T>,
    all: &[&str],
    problems: &mut Vec<String>,
) -> Option<Option<T>> {
    match raw {
        "" => Some(None),
        raw => keyed(raw, column, parse, all, problems).map(Some),
    }
}

pub(super) fn number<T: std::str::FromStr>(
    raw: &str,
    column: &str,
    problems: &mut Vec<String>,
) -> Option<T> {
    raw.parse()
        .map_err(|_| problems.push(format!("{column} {raw:?} is not a whole number")))
        .ok()
}

/// An optional calendar date, `YYYY-MM-DD`: `Some(None)` when empty, `None` when bad.
pub(super) fn date(
    raw: &str,
    column: &str,
    problems: &mut Vec<String>,
) -> Option<Option<NaiveDate>> {
    if raw.is_empty() {
        return Some(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| problems.push(format!("{column} {raw:?} is not a date (YYYY-MM-DD)")))
        .ok()
        .map(Some)
}
