//! The report's wording in each language: titles, labels, dates, numbers and percentages. Every
//! renderer takes its words from here, so the Markdown, HTML and XLSX of one report say the same
//! thing, and the English is a translation of the Japanese with the same figures.
//!
//! Conventions: Japanese dates as 2021年12月31日, English dates ISO (2021-12-31); quarters by
//! their months (2021年10~12月, October–December 2021), as the programme titles its reports;
//! percentages with one decimal; counts with thousands separators.

use chrono::{Datelike, NaiveDate};
use rollout_domain::FiscalQuarter;
use rollout_domain::analytics::report::{RequestBucket, Topic};

pub use rollout_domain::reminders::Language;

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The words of one language.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    pub lang: Language,
}

impl Words {
    pub fn new(lang: Language) -> Self {
        Self { lang }
    }

    fn ja(&self) -> bool {
        self.lang == Language::Ja
    }

    /// Picks the Japanese or the English text.
    pub fn pick<'a>(&self, ja: &'a str, en: &'a str) -> &'a str {
        if self.ja() { ja } else { en }
    }

    /// A name in this language: the English one when there is one, else the Japanese.
    pub fn name<'a>(&self, ja: &'a str, en: Option<&'a str>) -> &'a str {
        match en {
            Some(en) if !self.ja() && !en.trim().is_empty() => en,
            _ => ja,
        }
    }

    /// The `lang` attribute value.
    pub fn code(&self) -> &'static str {
        self.lang.as_str()
    }

    /// 2021年12月31日 / 2021-12-31.
    pub fn date(&self, d: NaiveDate) -> String {
        if self.ja() {
            format!("{}年{}月{}日", d.year(), d.month(), d.day())
        } else {
            d.format("%Y-%m-%d").to_string()
        }
    }

    /// A quarter by its months: 2021年10~12月 / October–December 2021.
    pub fn months(&self, q: FiscalQuarter) -> String {
        let (first, last) = (q.first_day(), q.last_day());
        if self.ja() {
            format!("{}年{}~{}月", first.year(), first.month(), last.month())
        } else {
            format!(
                "{}–{} {}",
                MONTHS_EN[first.month0() as usize],
                MONTHS_EN[last.month0() as usize],
                first.year()
            )
        }
    }

    /// 令和3年度 第3四半期 / FY2021 Q3.
    pub fn quarter(&self, q: FiscalQuarter) -> String {
        if self.ja() {
            q.label_ja()
        } else {
            format!("FY{} Q{}", q.year(), q.quarter())
        }
    }

    /// 59.7% (one decimal, halves rounded up: 18 of 32 is 56.3%, where `{:.1}` would give
    /// 56.2); a dash when there is nothing to divide by.
    pub fn percent(&self, rate: Option<f64>) -> String {
        rate.map_or_else(
            || "—".to_owned(),
            |r| {
                let tenths = (r * 1000.0).round() as i64;
                format!("{}.{}%", tenths / 10, tenths % 10)
            },
        )
    }

    pub fn title(&self, q: FiscalQuarter) -> String {
        if self.ja() {
            format!(
                "手続のデジタル化 四半期進捗報告 {}({})",
                self.quarter(q),
                self.months(q)
            )
        } else {
            format!(
                "Online procedures: quarterly progress report, {} ({})",
                self.quarter(q),
                self.months(q)
            )
        }
    }

    pub fn as_of(&self, d: NaiveDate) -> String {
        if self.ja() {
            format!("基準日: {}", self.date(d))
        } else {
            format!("As of {}", self.date(d))
        }
    }

    /// 進捗状況(2021年10~12月) / Progress (October–December 2021).
    pub fn progress(&self, q: FiscalQuarter) -> String {
        if self.ja() {
            format!("進捗状況({})", self.months(q))
        } else {
            format!("Progress ({})", self.months(q))
        }
    }

    /// 今後の取組(2022年1~3月) / Next quarter (January–March 2022).
    pub fn plan(&self, next: Option<FiscalQuarter>) -> String {
        match (next, self.ja()) {
            (Some(n), true) => format!("今後の取組({})", self.months(n)),
            (Some(n), false) => format!("Next quarter ({})", self.months(n)),
            (None, true) => "今後の取組".to_owned(),
            (None, false) => "Next quarter".to_owned(),
        }
    }

    /// 国への要望(2021年12月31日時点) / National requests (as of 2021-12-31).
    pub fn national(&self, as_of: NaiveDate) -> String {
        if self.ja() {
            format!("国への要望({}時点)", self.date(as_of))
        } else {
            format!("National requests (as of {})", self.date(as_of))
        }
    }

    pub fn topic(&self, t: Topic) -> &'static str {
        match (t, self.ja()) {
            (Topic::Major, true) => "主要手続",
            (Topic::Major, false) => "Major procedures",
            (Topic::Other, true) => "その他の手続(事務単位)",
            (Topic::Other, false) => "Other procedures (by processes)",
            (Topic::Subsidy, true) => "補助金(jGrants)",
            (Topic::Subsidy, false) => "Subsidies (jGrants)",
        }
    }

    /// A sheet name (at most 31 characters, no `[]:*?/\`).
    pub fn sheet(&self, t: Topic) -> &'static str {
        match (t, self.ja()) {
            (Topic::Major, true) => "主要手続",
            (Topic::Major, false) => "Major procedures",
            (Topic::Other, true) => "その他の手続",
            (Topic::Other, false) => "Other procedures",
            (Topic::Subsidy, true) => "補助金",
            (Topic::Subsidy, false) => "Subsidies",
        }
    }

    pub fn bucket(&self, b: RequestBucket) -> &'static str {
        match (b, self.ja()) {
            (RequestBucket::DateShown, true) => "国が時期を提示",
            (RequestBucket::DateShown, false) => "Date shown",
            (RequestBucket::UnderStudy, true) => "国が検討中",
            (RequestBucket::UnderStudy, false) => "Under study",
            (RequestBucket::NotYetAnswered, true) => "未回答",
            (RequestBucket::NotYetAnswered, false) => "Not yet answered",
            (RequestBucket::Declined, true) => "国が対応困難と回答",
            (RequestBucket::Declined, false) => "Declined",
        }
    }

    /// 71手続 / 71 procedures; 1,234事務 / 1,234 processes; 18件 / 18 subsidies.
    pub fn procedures(&self, n: i64) -> String {
        if self.ja() {
            format!("{}手続", number(n))
        } else {
            plural(n, "procedure", "procedures")
        }
    }

    pub fn processes(&self, n: i64) -> String {
        if self.ja() {
            format!("{}事務", number(n))
        } else {
            plural(n, "process", "processes")
        }
    }

    pub fn subsidies(&self, n: i64) -> String {
        if self.ja() {
            format!("{}件", number(n))
        } else {
            plural(n, "subsidy", "subsidies")
        }
    }

    pub fn requests(&self, n: i64) -> String {
        if self.ja() {
            format!("{}件", number(n))
        } else {
            plural(n, "request", "requests")
        }
    }
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", number(n), if n == 1 { one } else { many })
}

/// 28000 → 28,000.
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> FiscalQuarter {
        s.parse().unwrap()
    }

    #[test]
    fn quarters_are_titled_by_their_months_in_both_languages() {
        let (ja, en) = (Words::new(Language::Ja), Words::new(Language::En));
        assert_eq!(ja.progress(q("FY2021-Q3")), "進捗状況(2021年10~12月)");
        assert_eq!(ja.plan(Some(q("FY2021-Q4"))), "今後の取組(2022年1~3月)");
        assert_eq!(ja.months(q("FY2021-Q1")), "2021年4~6月");
        assert_eq!(
            en.progress(q("FY2021-Q3")),
            "Progress (October–December 2021)"
        );
        assert_eq!(
            en.plan(Some(q("FY2021-Q4"))),
            "Next quarter (January–March 2022)"
        );
        assert_eq!(en.months(q("FY2021-Q2")), "July–September 2021");
        assert_eq!(ja.quarter(q("FY2021-Q3")), "令和3年度 第3四半期");
        assert_eq!(en.quarter(q("FY2021-Q3")), "FY2021 Q3");
    }

    #[test]
    fn dates_numbers_and_percentages() {
        let (ja, en) = (Words::new(Language::Ja), Words::new(Language::En));
        let day = NaiveDate::from_ymd_opt(2021, 12, 31).unwrap();
        assert_eq!(ja.date(day), "2021年12月31日");
        assert_eq!(en.date(day), "2021-12-31");
        assert_eq!(
            ja.date(NaiveDate::from_ymd_opt(2022, 1, 5).unwrap()),
            "2022年1月5日"
        );
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (28_000, "28,000"),
            (1_234_567, "1,234,567"),
            (-4200, "-4,200"),
        ] {
            assert_eq!(number(n), text);
        }
        assert_eq!(en.percent(Some(71.0 / 119.0)), "59.7%");
        assert_eq!(en.percent(Some(18.0 / 32.0)), "56.3%");
        assert_eq!(en.percent(Some(0.886)), "88.6%");
        assert_eq!(en.percent(Some(1.0)), "100.0%");
        assert_eq!(en.percent(Some(0.0)), "0.0%");
        assert_eq!(ja.percent(None), "—");
        assert_eq!(en.procedures(1), "1 procedure");
        assert_eq!(ja.processes(7900), "7,900事務");
    }
}
