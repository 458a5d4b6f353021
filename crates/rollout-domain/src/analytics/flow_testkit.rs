//! Builds procedure histories for the flow and bottleneck tests: instants are written in Tokyo
//! time, procedures and bureaus are small numbers.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Asia::Tokyo;
use uuid::Uuid;

use crate::analytics::{FieldRevision, ProcedureFacts, RevisedField, StateChange};
use crate::{Authority, BureauId, Category, ProcedureId};

/// `"2021-12-31 23:59"` or `"2021-12-31"` (noon) in Tokyo.
pub(crate) fn jst(text: &str) -> DateTime<Utc> {
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(&format!("{text} 12:00"), "%Y-%m-%d %H:%M"))
        .unwrap_or_else(|e| panic!("bad instant {text}: {e}"));
    Tokyo
        .from_local_datetime(&local)
        .single()
        .expect("Tokyo has no gaps")
        .with_timezone(&Utc)
}

pub(crate) fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|e| panic!("bad date {text}: {e}"))
}

pub(crate) fn bureau(n: u128) -> BureauId {
    BureauId(Uuid::from_u128(n))
}

pub(crate) fn pid(n: u128) -> ProcedureId {
    ProcedureId(Uuid::from_u128(n))
}

/// A TOKYO procedure of one process with the given history (`(when, state)`, oldest first).
pub(crate) fn procedure(n: u128, bureau_n: u128, history: &[(&str, &str)]) -> ProcedureFacts {
    ProcedureFacts {
        id: pid(n),
        code: format!("P{n:04}"),
        name: format!("procedure {n}"),
        name_en: None,
        bureau_id: bureau(bureau_n),
        category: Category::Standard,
        authority: Authority::Tokyo,
        annual_applications: None,
        process_count: 1,
        platform: None,
        target_quarter: None,
        changes: history
            .iter()
            .map(|(at, to)| StateChange {
                at: jst(at),
                to: (*to).to_owned(),
                comment: None,
            })
            .collect(),
        revisions: Vec::new(),
        target_moves: Vec::new(),
    }
}

pub(crate) trait FactsExt {
    fn processes(self, n: i32) -> Self;
    fn national(self) -> Self;
    /// Moves it from bureau `from` to its current bureau at `at`.
    fn moved_from(self, from: u128, at: &str) -> Self;
    /// Appends a state change.
    fn then(self, at: &str, to: &str) -> Self;
}

impl FactsExt for ProcedureFacts {
    fn processes(mut self, n: i32) -> Self {
        self.process_count = n;
        self
    }
    fn national(mut self) -> Self {
        self.authority = Authority::National;
        self
    }
    fn moved_from(mut self, from: u128, at: &str) -> Self {
        self.revisions.push(FieldRevision {
            procedure_id: self.id,
            field: RevisedField::Bureau,
            old: Some(bureau(from).0.to_string()),
            new: Some(self.bureau_id.0.to_string()),
            at: jst(at),
            actor: "test".into(),
            reason: None,
        });
        self
    }
    fn then(mut self, at: &str, to: &str) -> Self {
        self.changes.push(StateChange {
            at: jst(at),
            to: to.to_owned(),
            comment: None,
        });
        self
    }
}
