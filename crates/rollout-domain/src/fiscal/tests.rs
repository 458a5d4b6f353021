//! Table-driven tests of the fiscal calendar: quarter boundaries, stepping across fiscal years,
//! era labels and the strict text form.

use chrono::NaiveDate;

use super::*;

/// `YYYY-MM-DD`; split by hand because chrono's `%Y` wants a sign before five-digit years.
fn d(s: &str) -> NaiveDate {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, day] = parts[..] else {
        panic!("bad test date {s}")
    };
    NaiveDate::from_ymd_opt(y.parse().unwrap(), m.parse().unwrap(), day.parse().unwrap())
        .unwrap_or_else(|| panic!("no such date {s}"))
}

fn q(s: &str) -> FiscalQuarter {
    FiscalQuarter::parse(s).unwrap()
}

#[test]
fn containing_respects_quarter_boundaries() {
    let cases = [
        ("2025-03-31", "FY2024-Q4"),
        ("2025-04-01", "FY2025-Q1"),
        ("2025-06-30", "FY2025-Q1"),
        ("2025-07-01", "FY2025-Q2"),
        ("2025-09-30", "FY2025-Q2"),
        ("2025-10-01", "FY2025-Q3"),
        ("2025-12-31", "FY2025-Q3"),
        ("2026-01-01", "FY2025-Q4"),
        ("2026-02-28", "FY2025-Q4"),
        ("2026-03-31", "FY2025-Q4"),
        ("2026-04-01", "FY2026-Q1"),
        ("2024-02-29", "FY2023-Q4"),
        ("1989-04-01", "FY1989-Q1"),
        ("2200-03-31", "FY2199-Q4"),
    ];
    for (date, want) in cases {
        let got = FiscalQuarter::containing(d(date));
        assert_eq!(got.to_string(), want, "{date}");
        assert!(got.contains(d(date)), "{want} should contain {date}");
    }
}

#[test]
fn first_and_last_days() {
    let cases = [
        ("FY2025-Q1", "2025-04-01", "2025-06-30"),
        ("FY2025-Q2", "2025-07-01", "2025-09-30"),
        ("FY2025-Q3", "2025-10-01", "2025-12-31"),
        ("FY2025-Q4", "2026-01-01", "2026-03-31"),
        ("FY2199-Q4", "2200-01-01", "2200-03-31"),
    ];
    for (quarter, first, last) in cases {
        let fq = q(quarter);
        assert_eq!(fq.first_day(), d(first), "{quarter} first day");
        assert_eq!(fq.last_day(), d(last), "{quarter} last day");
        assert!(
            !fq.contains(fq.first_day().pred_opt().unwrap()),
            "{quarter}"
        );
        assert!(!fq.contains(fq.last_day().succ_opt().unwrap()), "{quarter}");
    }
}

#[test]
fn contains_is_false_outside_the_quarter() {
    let q3 = q("FY2025-Q3");
    assert!(!q3.contains(d("2025-09-30")));
    assert!(!q3.contains(d("2026-01-01")));
    assert!(!q3.contains(d("2024-11-15")), "same months, previous year");
}

#[test]
fn next_and_previous_cross_fiscal_years() {
    let steps = [
        ("FY2024-Q4", "FY2025-Q1"),
        ("FY2025-Q1", "FY2025-Q2"),
        ("FY2025-Q2", "FY2025-Q3"),
        ("FY2025-Q3", "FY2025-Q4"),
        ("FY2025-Q4", "FY2026-Q1"),
    ];
    for (before, after) in steps {
        assert_eq!(q(before).next(), Some(q(after)), "{before}.next()");
        assert_eq!(q(after).previous(), Some(q(before)), "{after}.previous()");
    }
    assert_eq!(q("FY2199-Q4").next(), None);
    assert_eq!(q("FY1989-Q1").previous(), None);
}

#[test]
fn quarters_order_chronologically() {
    let mut qs = [
        q("FY2026-Q1"),
        q("FY2025-Q4"),
        q("FY2025-Q1"),
        q("FY2024-Q4"),
    ];
    qs.sort();
    let sorted: Vec<String> = qs.iter().map(ToString::to_string).collect();
    assert_eq!(sorted, ["FY2024-Q4", "FY2025-Q1", "FY2025-Q4", "FY2026-Q1"]);
}

#[test]
fn japanese_labels_name_the_era() {
    let cases = [
        ("FY1989-Q1", "平成元年度 第1四半期"),
        ("FY2018-Q4", "平成30年度 第4四半期"),
        ("FY2019-Q1", "令和元年度 第1四半期"),
        ("FY2019-Q4", "令和元年度 第4四半期"),
        ("FY2020-Q2", "令和2年度 第2四半期"),
        ("FY2025-Q3", "令和7年度 第3四半期"),
        ("FY2026-Q1", "令和8年度 第1四半期"),
    ];
    for (quarter, want) in cases {
        assert_eq!(q(quarter).label_ja(), want, "{quarter}");
    }
}

#[test]
fn english_labels_name_the_calendar_months() {
    let cases = [
        ("FY2019-Q1", "FY2019 Q1 (Apr–Jun 2019)"),
        ("FY2025-Q2", "FY2025 Q2 (Jul–Sep 2025)"),
        ("FY2025-Q3", "FY2025 Q3 (Oct–Dec 2025)"),
        ("FY2025-Q4", "FY2025 Q4 (Jan–Mar 2026)"),
        ("FY2026-Q4", "FY2026 Q4 (Jan–Mar 2027)"),
    ];
    for (quarter, want) in cases {
        assert_eq!(q(quarter).label_en(), want, "{quarter}");
    }
}

#[test]
fn parse_accepts_exactly_the_canonical_form() {
    for ok in ["FY1989-Q1", "FY2025-Q3", "FY2199-Q4"] {
        let parsed = q(ok);
        assert_eq!(parsed.to_string(), ok);
        assert_eq!(ok.parse::<FiscalQuarter>(), Ok(parsed));
    }
    let fq = q("FY2025-Q3");
    assert_eq!((fq.year(), fq.quarter()), (2025, 3));
}

#[test]
fn parse_refuses_everything_else() {
    let bad = [
        "",
        "fy2025-q3",
        "FY2025-q3",
        "fy2025-Q3",
        " FY2025-Q3",
        "FY2025-Q3 ",
        "FY 2025-Q3",
        "FY2025 -Q3",
        "FY2025-Q5",
        "FY2025-Q0",
        "FY2025-Q",
        "FY2025-Q10",
        "FY25-Q1",
        "FY02025-Q1",
        "FY+202-Q1",
        "FY-202-Q1",
        "FY2025Q3",
        "FY2025_Q3",
        "2025-Q3",
        "FY1988-Q4",
        "FY0000-Q1",
        "ＦＹ2025-Q3",
        "FY２０２５-Q3",
    ];
    for raw in bad {
        assert!(FiscalQuarter::parse(raw).is_err(), "{raw:?} accepted");
        assert!(
            raw.parse::<FiscalQuarter>().is_err(),
            "{raw:?} accepted by FromStr"
        );
    }
    let err = FiscalQuarter::parse("FY25-Q1").unwrap_err();
    assert_eq!(
        err.to_string(),
        "\"FY25-Q1\" is not a fiscal quarter: write FY, four digits, -Q and 1-4, like FY2025-Q3"
    );
    let err = FiscalQuarter::parse("FY1988-Q4").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no such fiscal quarter FY1988-Q4: years run from FY1989 to FY2199"
    );
}

#[test]
fn new_checks_year_and_quarter() {
    assert!(FiscalQuarter::new(2025, 4).is_ok());
    for (year, quarter) in [
        (2025, 0),
        (2025, 5),
        (1988, 1),
        (2200, 1),
        (10000, 1),
        (-2025, 1),
    ] {
        assert!(
            FiscalQuarter::new(year, quarter).is_err(),
            "FY{year}-Q{quarter} accepted"
        );
    }
    assert_eq!(
        FiscalQuarter::new(2025, 5).unwrap_err().to_string(),
        "no such fiscal quarter FY2025-Q5: quarters run from Q1 to Q4"
    );
}

#[test]
fn round_trips_through_text_and_dates() {
    let mut quarter = q("FY2017-Q1");
    for _ in 0..48 {
        assert_eq!(q(&quarter.to_string()), quarter);
        assert_eq!(FiscalQuarter::containing(quarter.first_day()), quarter);
        assert_eq!(FiscalQuarter::containing(quarter.last_day()), quarter);
        let next = quarter.next().unwrap();
        assert_eq!(quarter.last_day().succ_opt(), Some(next.first_day()));
        quarter = next;
    }
    assert_eq!(quarter.to_string(), "FY2029-Q1");
}

#[test]
fn containing_refuses_dates_outside_the_supported_years() {
    assert!(FiscalQuarter::try_containing(d("1989-03-31")).is_err());
    assert!(FiscalQuarter::try_containing(d("2200-04-01")).is_err());
    assert!(FiscalYear::try_containing(d("1989-03-31")).is_err());
    assert_eq!(
        FiscalQuarter::try_containing(d("1989-04-01")),
        Ok(q("FY1989-Q1"))
    );
}

#[test]
fn fiscal_years() {
    let cases = [
        ("2019-04-01", 2019, "令和元年度"),
        ("2019-03-31", 2018, "平成30年度"),
        ("2025-04-01", 2025, "令和7年度"),
        ("2026-03-31", 2025, "令和7年度"),
        ("2026-04-01", 2026, "令和8年度"),
        ("1989-04-01", 1989, "平成元年度"),
    ];
    for (date, year, label) in cases {
        let fy = FiscalYear::containing(d(date));
        assert_eq!(fy.year(), year, "{date}");
        assert_eq!(fy.label_ja(), label, "{date}");
        assert!(fy.contains(d(date)), "{date}");
    }
    let fy2025 = FiscalYear::new(2025).unwrap();
    assert_eq!(fy2025.to_string(), "FY2025");
    assert_eq!(fy2025.first_day(), d("2025-04-01"));
    assert_eq!(fy2025.last_day(), d("2026-03-31"));
    assert!(!fy2025.contains(d("2025-03-31")));
    assert!(!fy2025.contains(d("2026-04-01")));
    let quarters: Vec<String> = fy2025.quarters().iter().map(ToString::to_string).collect();
    assert_eq!(
        quarters,
        ["FY2025-Q1", "FY2025-Q2", "FY2025-Q3", "FY2025-Q4"]
    );
    assert_eq!(q("FY2025-Q4").fiscal_year(), fy2025);
    assert!(FiscalYear::new(1988).is_err());
    assert!(FiscalYear::new(2200).is_err());
    assert!(FiscalYear::new(10000).is_err());
}
