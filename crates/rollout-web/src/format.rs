//! How figures read on the page: Japanese dates (2026年12月6日) and fiscal quarters (令和8年度
//! 第3四半期) in Japanese, ISO dates and `FY2026 Q3` in English, times in Asia/Tokyo, thousands
//! separators and percentages. Registered as template filters; each reads the page's `lang`.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use minijinja::{State, Value};
use rollout_domain::FiscalQuarter;

use crate::i18n::Lang;

/// The page's language, from the template context.
pub fn lang_of(state: &State) -> Lang {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Lang::parse))
        .unwrap_or(Lang::Ja)
}

/// `2026-12-06` (or an RFC 3339 instant, taken in Tokyo) as the page's language writes a date.
pub fn date(state: &State, value: Value) -> String {
    let raw = value.to_string();
    match parse_day(&raw) {
        Some(day) => day_in(lang_of(state), day),
        None => raw,
    }
}

/// An RFC 3339 instant as a Tokyo date and time.
pub fn datetime(state: &State, value: Value) -> String {
    let raw = value.to_string();
    let Ok(at) = DateTime::parse_from_rfc3339(&raw) else {
        return raw;
    };
    let local = at.with_timezone(&chrono_tz::Asia::Tokyo);
    match lang_of(state) {
        Lang::Ja => format!(
            "{} {}",
            day_in(Lang::Ja, local.date_naive()),
            local.format("%H:%M")
        ),
        Lang::En => local.format("%Y-%m-%d %H:%M JST").to_string(),
    }
}

/// `FY2026-Q3` as `令和8年度 第3四半期` or `FY2026 Q3`.
pub fn quarter(state: &State, value: Value) -> String {
    let raw = value.to_string();
    match FiscalQuarter::parse(&raw) {
        Ok(q) => quarter_in(lang_of(state), q),
        Err(_) => raw,
    }
}

pub fn quarter_in(lang: Lang, q: FiscalQuarter) -> String {
    match lang {
        Lang::Ja => q.label_ja(),
        Lang::En => format!("FY{} Q{}", q.year(), q.quarter()),
    }
}

pub fn day_in(lang: Lang, day: NaiveDate) -> String {
    match lang {
        Lang::Ja => format!("{}年{}月{}日", day.year(), day.month(), day.day()),
        Lang::En => day.format("%Y-%m-%d").to_string(),
    }
}

fn parse_day(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().or_else(|| {
        DateTime::parse_from_rfc3339(raw)
            .ok()
            .map(|at| at.with_timezone(&chrono_tz::Asia::Tokyo).date_naive())
    })
}

/// An integer with thousands separators (`25,694`); anything else as it is.
pub fn num(value: Value) -> String {
    match i64::try_from(value.clone()) {
        Ok(n) => group(n),
        Err(_) => value.to_string(),
    }
}

fn group(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A rate in 0..=1 as a percentage with one decimal (`88.6%`); `–` when absent.
pub fn pct(value: Value) -> String {
    match f64::try_from(value) {
        Ok(rate) => format!("{:.1}%", rate * 100.0),
        Err(_) => "–".to_owned(),
    }
}

/// Today in Tokyo, for pages that show "as of".
pub fn today_tokyo(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&chrono_tz::Asia::Tokyo).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::{Environment, context};

    fn render(lang: &str, template: &str, value: Value) -> String {
        let mut env = Environment::new();
        env.add_filter("date", date);
        env.add_filter("datetime", datetime);
        env.add_filter("quarter", quarter);
        env.add_filter("num", num);
        env.add_filter("pct", pct);
        env.render_str(template, context! { lang, v => value })
            .unwrap()
    }

    #[test]
    fn japanese_pages_write_japanese_dates_and_era_fiscal_years() {
        assert_eq!(
            render("ja", "{{ v|date }}", "2026-12-06".into()),
            "2026年12月6日"
        );
        assert_eq!(
            render("en", "{{ v|date }}", "2026-12-06".into()),
            "2026-12-06"
        );
        assert_eq!(
            render("ja", "{{ v|quarter }}", "FY2026-Q3".into()),
            "令和8年度 第3四半期"
        );
        assert_eq!(
            render("en", "{{ v|quarter }}", "FY2026-Q3".into()),
            "FY2026 Q3"
        );
        assert_eq!(
            render("ja", "{{ v|quarter }}", "FY2019-Q1".into()),
            "令和元年度 第1四半期"
        );
    }

    #[test]
    fn instants_are_shown_in_tokyo() {
        let at: Value = "2026-12-05T15:30:00Z".into();
        assert_eq!(
            render("ja", "{{ v|datetime }}", at.clone()),
            "2026年12月6日 00:30"
        );
        assert_eq!(
            render("en", "{{ v|datetime }}", at.clone()),
            "2026-12-06 00:30 JST"
        );
        assert_eq!(render("ja", "{{ v|date }}", at), "2026年12月6日");
    }

    #[test]
    fn numbers_and_rates() {
        assert_eq!(render("ja", "{{ v|num }}", 25694.into()), "25,694");
        assert_eq!(render("ja", "{{ v|num }}", (-1000).into()), "-1,000");
        assert_eq!(render("ja", "{{ v|num }}", 999.into()), "999");
        assert_eq!(render("en", "{{ v|pct }}", 0.886.into()), "88.6%");
        assert_eq!(render("en", "{{ v|pct }}", Value::from(())), "–");
    }
}
