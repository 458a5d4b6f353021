//! The stored forms of reminder values that both backends write alike: the keys of the holiday
//! and misfire policies and the JSON of a notification's lines. Kept here, beside the port, so
//! that the SQLite and PostgreSQL encodings cannot drift; it is encoding only, no rule.

use chrono::{NaiveDate, SecondsFormat};
use rollout_domain::reminders::{Firing, HolidayPolicy, MisfirePolicy, NotificationLine};
use serde_json::{Value, json};

/// The key a `Duplicate { entity: "firing" }` names: the rule and the tick, `<rule>@<instant>`.
pub fn firing_key(f: &Firing) -> String {
    format!(
        "{}@{}",
        f.rule_id,
        f.tick_at.to_rfc3339_opts(SecondsFormat::Micros, true)
    )
}

pub fn holiday_policy_key(p: HolidayPolicy) -> &'static str {
    match p {
        HolidayPolicy::Fire => "FIRE",
        HolidayPolicy::Skip => "SKIP",
        HolidayPolicy::NextBusinessDay => "NEXT_BUSINESS_DAY",
    }
}

pub fn parse_holiday_policy(raw: &str) -> Option<HolidayPolicy> {
    [
        HolidayPolicy::Fire,
        HolidayPolicy::Skip,
        HolidayPolicy::NextBusinessDay,
    ]
    .into_iter()
    .find(|p| holiday_policy_key(*p) == raw)
}

pub fn misfire_policy_key(p: MisfirePolicy) -> &'static str {
    match p {
        MisfirePolicy::FireOnce => "FIRE_ONCE",
        MisfirePolicy::Skip => "SKIP",
        MisfirePolicy::FireAll => "FIRE_ALL",
    }
}

pub fn parse_misfire_policy(raw: &str) -> Option<MisfirePolicy> {
    [
        MisfirePolicy::FireOnce,
        MisfirePolicy::Skip,
        MisfirePolicy::FireAll,
    ]
    .into_iter()
    .find(|p| misfire_policy_key(*p) == raw)
}

/// `[{"key", "reference", "title", "date" ("YYYY-MM-DD" or null), "days"}]`, in order.
pub fn lines_json(lines: &[NotificationLine]) -> String {
    let list: Vec<Value> = lines
        .iter()
        .map(|l| {
            json!({
                "key": l.key,
                "reference": l.reference,
                "title": l.title,
                "date": l.date.map(|d| d.to_string()),
                "days": l.days,
            })
        })
        .collect();
    Value::from(list).to_string()
}

/// The lines [`lines_json`] wrote; `None` for anything else (corrupt).
pub fn parse_lines(raw: &str) -> Option<Vec<NotificationLine>> {
    let value: Value = serde_json::from_str(raw).ok()?;
    value
        .as_array()?
        .iter()
        .map(|l| {
            let text = |k: &str| l.get(k)?.as_str().map(str::to_owned);
            let date = match l.get("date")? {
                Value::Null => None,
                Value::String(d) => Some(d.parse::<NaiveDate>().ok()?),
                _ => return None,
            };
            Some(NotificationLine {
                key: text("key")?,
                reference: text("reference")?,
                title: text("title")?,
                date,
                days: l.get("days")?.as_i64()?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for p in [
            HolidayPolicy::Fire,
            HolidayPolicy::Skip,
            HolidayPolicy::NextBusinessDay,
        ] {
            assert_eq!(parse_holiday_policy(holiday_policy_key(p)), Some(p));
        }
        for p in [
            MisfirePolicy::FireOnce,
            MisfirePolicy::Skip,
            MisfirePolicy::FireAll,
        ] {
            assert_eq!(parse_misfire_policy(misfire_policy_key(p)), Some(p));
        }
        assert_eq!(parse_holiday_policy("fire"), None);
    }

    #[test]
    fn lines_round_trip() {
        let lines = vec![
            NotificationLine {
                key: "task:1".to_owned(),
                reference: "T-1".to_owned(),
                title: "締切 \"確認\"".to_owned(),
                date: NaiveDate::from_ymd_opt(2026, 3, 31),
                days: -2,
            },
            NotificationLine {
                key: "q:2026Q1".to_owned(),
                reference: "2026Q1".to_owned(),
                title: "report".to_owned(),
                date: None,
                days: 0,
            },
        ];
        assert_eq!(parse_lines(&lines_json(&lines)), Some(lines));
        assert_eq!(parse_lines("[]"), Some(Vec::new()));
        assert_eq!(parse_lines("{}"), None);
        assert_eq!(parse_lines(r#"[{"key": "k"}]"#), None);
    }
}
