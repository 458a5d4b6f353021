//! The replay dataset as data: `deploy/demo/history/` (procedures, their moves by Tokyo date,
//! their target-quarter changes), embedded in the binary and parsed into plain rows. It knows
//! nothing of the workflow engine or the store; [`super::build`] turns the rows into histories.
//! A row that does not parse is an error naming the file and line, which the unit tests turn
//! into a failure long before anyone loads the data.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use rollout_domain::{Authority, Category, FiscalQuarter, Platform, ProcedureCode};

use crate::TOKYO;

const PROCEDURES_CSV: &str = include_str!("../../../../../deploy/demo/history/procedures.csv");
const EVENTS_CSV: &str = include_str!("../../../../../deploy/demo/history/events.csv");
const TARGETS_CSV: &str = include_str!("../../../../../deploy/demo/history/targets.csv");

/// The dataset's last day: the programme's latest published figure (88.6% of processes online
/// on 30 September 2025). Nothing in it happens later, and a replay stands at the end of it.
pub const REPLAY_END: NaiveDate = NaiveDate::from_ymd_opt(2025, 9, 30).expect("a valid date");

/// Moves are recorded at 10:00 in Tokyo on their day, one minute later for each earlier move of
/// the same procedure that day (the order of `events.csv`).
const MOVE_HOUR: u32 = 10;
/// Target changes are recorded at 09:00 in Tokyo, before the day's moves (a target agreed at a
/// hearing is set before the move it allows).
const TARGET_HOUR: u32 = 9;

/// One move of a procedure: the state it entered on a Tokyo date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayEvent {
    pub date: NaiveDate,
    /// When it is recorded (see [`MOVE_HOUR`]).
    pub at: DateTime<Utc>,
    pub to_state: String,
    /// `None`: the bureau's coordinator (or the hearing that decided the move).
    pub actor: Option<String>,
    pub comment: Option<String>,
}

/// One change of the target quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayTarget {
    pub date: NaiveDate,
    pub at: DateTime<Utc>,
    pub quarter: FiscalQuarter,
    pub reason: Option<String>,
}

/// One procedure of the dataset with its history; the first event is its creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayProcedure {
    pub code: ProcedureCode,
    pub name_ja: String,
    pub name_en: String,
    /// As the file gives it: `None` where the source does not name the bureau.
    pub bureau_code: Option<String>,
    pub category: Category,
    pub authority: Authority,
    pub process_count: i32,
    pub annual_applications: Option<i64>,
    pub platform: Option<Platform>,
    /// The code of the law change it waits on (`LAW-0001`…).
    pub law_change: Option<String>,
    /// Made up (its name starts with 【例示】), not a real procedure.
    pub synthetic: bool,
    pub events: Vec<ReplayEvent>,
    pub targets: Vec<ReplayTarget>,
}

/// The whole dataset, procedures in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayDataset {
    pub procedures: Vec<ReplayProcedure>,
}

impl ReplayDataset {
    /// The dataset shipped in `deploy/demo/history/`.
    pub fn embedded() -> Result<Self, String> {
        Self::parse(PROCEDURES_CSV, EVENTS_CSV, TARGETS_CSV)
    }

    pub fn parse(procedures: &str, events: &str, targets: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        let mut index = HashMap::new();
        for (line, r) in rows("procedures.csv", procedures, 12)? {
            let p = procedure(&r).map_err(|e| format!("procedures.csv line {line}: {e}"))?;
            if index
                .insert(p.code.as_str().to_owned(), out.len())
                .is_some()
            {
                return Err(format!(
                    "procedures.csv line {line}: duplicate code {}",
                    p.code
                ));
            }
            out.push(p);
        }
        let find = |file: &str, line: usize, code: &str| {
            index
                .get(code)
                .copied()
                .ok_or_else(|| format!("{file} line {line}: unknown procedure {code}"))
        };
        for (line, r) in rows("events.csv", events, 5)? {
            let i = find("events.csv", line, &r[0])?;
            let date = day(&r[1]).map_err(|e| format!("events.csv line {line}: {e}"))?;
            let p = &mut out[i];
            if p.events.last().is_some_and(|e| e.date > date) {
                return Err(format!(
                    "events.csv line {line}: {} goes back in time",
                    r[0]
                ));
            }
            let earlier = p.events.iter().filter(|e| e.date == date).count();
            p.events.push(ReplayEvent {
                date,
                at: tokyo_at(date, MOVE_HOUR, earlier),
                to_state: r[2].clone(),
                actor: non_empty(&r[3]),
                comment: non_empty(&r[4]),
            });
        }
        for (line, r) in rows("targets.csv", targets, 4)? {
            let i = find("targets.csv", line, &r[0])?;
            let date = day(&r[1]).map_err(|e| format!("targets.csv line {line}: {e}"))?;
            let quarter =
                FiscalQuarter::parse(&r[2]).map_err(|e| format!("targets.csv line {line}: {e}"))?;
            let p = &mut out[i];
            if p.targets.last().is_some_and(|t| t.date > date) {
                return Err(format!(
                    "targets.csv line {line}: {} goes back in time",
                    r[0]
                ));
            }
            let earlier = p.targets.iter().filter(|t| t.date == date).count();
            p.targets.push(ReplayTarget {
                date,
                at: tokyo_at(date, TARGET_HOUR, earlier),
                quarter,
                reason: non_empty(&r[3]),
            });
        }
        let dataset = Self { procedures: out };
        if let Some(last) = dataset.last_day().filter(|d| *d > REPLAY_END) {
            return Err(format!("something happens on {last}, after {REPLAY_END}"));
        }
        if let Some(p) = dataset.procedures.iter().find(|p| p.events.is_empty()) {
            return Err(format!(
                "{} has no events (its creation is the first)",
                p.code
            ));
        }
        Ok(dataset)
    }

    /// The last day anything happens in the dataset.
    pub fn last_day(&self) -> Option<NaiveDate> {
        self.procedures
            .iter()
            .flat_map(|p| {
                let events = p.events.iter().map(|e| e.date);
                events.chain(p.targets.iter().map(|t| t.date))
            })
            .max()
    }

    pub fn by_name(&self, name_ja: &str) -> Option<&ReplayProcedure> {
        self.procedures.iter().find(|p| p.name_ja == name_ja)
    }
}

/// `hour`:`minute` on `date` in Tokyo.
pub(crate) fn tokyo_at(date: NaiveDate, hour: u32, minute: usize) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(hour, 0, 0).expect("a valid hour");
    let local = TOKYO
        .from_local_datetime(&date.and_time(time))
        .single()
        .expect("Tokyo has no daylight saving time");
    local.with_timezone(&Utc) + TimeDelta::minutes(i64::try_from(minute).unwrap_or(0))
}

/// The data rows of a CSV file with `width` columns, each with its line number.
fn rows(file: &str, text: &str, width: usize) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let mut out = Vec::new();
    for r in reader.records() {
        let r = r.map_err(|e| format!("{file}: {e}"))?;
        let line = r
            .position()
            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
        if r.len() != width {
            return Err(format!(
                "{file} line {line}: {} columns, expected {width}",
                r.len()
            ));
        }
        out.push((line, r.iter().map(str::to_owned).collect()));
    }
    Ok(out)
}

fn non_empty(s: &str) -> Option<String> {
    Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("date {s:?}: {e}"))
}

fn procedure(r: &[String]) -> Result<ReplayProcedure, String> {
    let code = ProcedureCode::parse(&r[0]).map_err(|e| e.0)?;
    let category = Category::parse(&r[4]).ok_or_else(|| format!("category {:?}", r[4]))?;
    let authority = Authority::parse(&r[5]).ok_or_else(|| format!("authority {:?}", r[5]))?;
    let process_count = r[6]
        .parse()
        .map_err(|e| format!("process_count {:?}: {e}", r[6]))?;
    let annual_applications = match non_empty(&r[7]) {
        Some(n) => Some(n.parse().map_err(|e| format!("annual {n:?}: {e}"))?),
        None => None,
    };
    let platform = match non_empty(&r[8]) {
        Some(p) => Some(Platform::parse(&p).ok_or_else(|| format!("platform {p:?}"))?),
        None => None,
    };
    let synthetic = match r[10].as_str() {
        "true" => true,
        "false" => false,
        other => return Err(format!("synthetic {other:?}: true or false")),
    };
    Ok(ReplayProcedure {
        code,
        name_ja: r[1].clone(),
        name_en: r[2].clone(),
        bureau_code: non_empty(&r[3]),
        category,
        authority,
        process_count,
        annual_applications,
        platform,
        law_change: non_empty(&r[9]),
        synthetic,
        events: Vec::new(),
        targets: Vec::new(),
    })
}
