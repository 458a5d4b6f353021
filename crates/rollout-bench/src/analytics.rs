//! The project office's reads (issue 13) as a client sees them, warm, one client, on the
//! suite's database (28,000 procedures with back-dated histories): `kpis(asOf, groupBy:
//! [BUREAU])`, `flowMetrics`, `bottlenecks(first: 10)`, `forecast(runs: 10000)` and the
//! quarterly report as XLSX (`GET /reports/quarterly/{quarter}.xlsx`).

use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use crate::gql::Gql;
use crate::load::Op;

pub const KPIS: &str = "query($asOf: Date) { kpis(asOf: $asOf, groupBy: [BUREAU]) { \
    overall { processes { digitised inScope rate } } groups { bureau { code } \
    figures { procedures { digitised inScope } } } } }";
pub const FLOW: &str = "{ flowMetrics { wip { procedures } cycleTime { p50Days p85Days } \
    throughput { quarter procedures } } }";
pub const BOTTLENECKS: &str = "{ bottlenecks(first: 10) { states { aging wip } \
    bureaus { deficit remaining } } }";
pub const FORECAST: &str =
    "{ forecast(runs: 10000, seed: 7) { key probability risk p50 p85 p95 } }";

/// One query whose `root` field must be present in the answer.
#[derive(Debug)]
pub struct QueryOp {
    pub gql: Gql,
    pub query: &'static str,
    pub variables: Value,
    pub root: &'static str,
}

impl Op for QueryOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let data = self.gql.post(self.query, self.variables.clone()).await?;
        if data[self.root].is_null() {
            bail!("no {} in {data}", self.root);
        }
        Ok(())
    }
}

impl QueryOp {
    pub fn kpis(gql: &Gql, as_of: &str) -> Self {
        Self {
            gql: gql.clone(),
            query: KPIS,
            variables: json!({ "asOf": as_of }),
            root: "kpis",
        }
    }

    pub fn plain(gql: &Gql, query: &'static str, root: &'static str) -> Self {
        Self {
            gql: gql.clone(),
            query,
            variables: json!({}),
            root,
        }
    }
}

/// The quarterly report of `quarter` as XLSX, in Japanese.
#[derive(Debug)]
pub struct XlsxOp {
    pub gql: Gql,
    pub quarter: String,
}

impl Op for XlsxOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let path = format!("/reports/quarterly/{}.xlsx?lang=ja", self.quarter);
        let len = self.gql.get_len(&path).await.context("the XLSX report")?;
        if len < 1_000 {
            bail!("an XLSX of {len} bytes");
        }
        Ok(())
    }
}

/// The fiscal quarter before the one `today` is in (`FY2026-Q2`) and its last day.
pub fn last_quarter(today: NaiveDate) -> (String, NaiveDate) {
    let m = today.month();
    let fy = if m >= 4 {
        today.year()
    } else {
        today.year() - 1
    };
    let q = (m + 8) % 12 / 3; // April → 0 … January → 3
    let (fy, q) = if q == 0 { (fy - 1, 3) } else { (fy, q - 1) };
    let (year, next_month) = match q {
        0 => (fy, 7),
        1 => (fy, 10),
        2 => (fy + 1, 1),
        _ => (fy + 1, 4),
    };
    let last = NaiveDate::from_ymd_opt(year, next_month, 1)
        .and_then(|d| d.pred_opt())
        .expect("a valid date");
    (format!("FY{fy}-Q{}", q + 1), last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_quarter_ends_before_today_s() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            last_quarter(d("2026-12-06")),
            ("FY2026-Q2".into(), d("2026-09-30"))
        );
        assert_eq!(
            last_quarter(d("2026-04-01")),
            ("FY2025-Q4".into(), d("2026-03-31"))
        );
        assert_eq!(
            last_quarter(d("2026-01-15")),
            ("FY2025-Q3".into(), d("2025-12-31"))
        );
        assert_eq!(
            last_quarter(d("2026-07-01")),
            ("FY2026-Q1".into(), d("2026-06-30"))
        );
    }
}
