//! The report's national-request section: the law changes Tokyo has asked the national
//! government for, by how far the ministry had answered as of a date (date shown, under study,
//! not yet answered), each with the procedures behind it. A status as of a date is the latest
//! status record at or before it, the rule [`crate::deps::national::national_request_summary`]
//! applies, so the report's counts equal that summary's for the same date.
//!
//! Only national-level law changes that had been requested count: NOT_REQUESTED is not a
//! request yet, ENACTED and WITHDRAWN are closed. DECLINED (answered, but no) is kept apart
//! rather than folded into one of the programme's three groups.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::{EXAMPLES, is_real_name};
use crate::analytics::facts::ProcedureFacts;
use crate::blockers::{BlockerRef, Dependency, LawChange, LawChangeStatus, LawChangeStatusChange};
use crate::{BureauId, LawChangeId, ProcedureId};

/// How far the ministry had answered a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestBucket {
    /// The ministry has shown a date (DATE_SHOWN).
    DateShown,
    /// A national study is under way (UNDER_STUDY).
    UnderStudy,
    /// Requested, no answer yet (REQUESTED).
    NotYetAnswered,
    /// The ministry declined (DECLINED); still open on Tokyo's side.
    Declined,
}

impl RequestBucket {
    pub const ALL: [RequestBucket; 4] = [
        Self::DateShown,
        Self::UnderStudy,
        Self::NotYetAnswered,
        Self::Declined,
    ];

    /// The bucket of a status, `None` for a status that is not an open request.
    pub const fn of(status: LawChangeStatus) -> Option<Self> {
        match status {
            LawChangeStatus::DateShown => Some(Self::DateShown),
            LawChangeStatus::UnderStudy => Some(Self::UnderStudy),
            LawChangeStatus::Requested => Some(Self::NotYetAnswered),
            LawChangeStatus::Declined => Some(Self::Declined),
            LawChangeStatus::NotRequested
            | LawChangeStatus::Enacted
            | LawChangeStatus::Withdrawn => None,
        }
    }

    /// The stable key (`DATE_SHOWN`, `UNDER_STUDY`, `NOT_YET_ANSWERED`, `DECLINED`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DateShown => "DATE_SHOWN",
            Self::UnderStudy => "UNDER_STUDY",
            Self::NotYetAnswered => "NOT_YET_ANSWERED",
            Self::Declined => "DECLINED",
        }
    }
}

/// A procedure behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestProcedure {
    pub id: ProcedureId,
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
}

/// One open national request as it stood at the date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalRequest {
    pub id: LawChangeId,
    pub code: String,
    pub title_ja: String,
    pub title_en: Option<String>,
    pub ministry_ja: Option<String>,
    pub ministry_en: Option<String>,
    pub owner_bureau_id: BureauId,
    pub bucket: RequestBucket,
    /// The Tokyo date its status (as of the date) was recorded.
    pub since: NaiveDate,
    /// For DATE_SHOWN: the effective date the ministry showed.
    pub date_shown: Option<NaiveDate>,
    /// The procedures whose dependency on it was active at the date, by code.
    pub procedures: Vec<RequestProcedure>,
}

/// Every open national request at a date, by bucket, then real titles first, then by code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalRequests {
    pub as_of: NaiveDate,
    pub requests: Vec<NationalRequest>,
}

impl NationalRequests {
    /// No requests (a report built without the dependency graph).
    pub fn none(as_of: NaiveDate) -> Self {
        Self {
            as_of,
            requests: Vec::new(),
        }
    }

    pub fn in_bucket(&self, bucket: RequestBucket) -> impl Iterator<Item = &NationalRequest> {
        self.requests.iter().filter(move |r| r.bucket == bucket)
    }

    pub fn count(&self, bucket: RequestBucket) -> i64 {
        self.in_bucket(bucket).count() as i64
    }

    /// Every open request, all buckets together.
    pub fn total(&self) -> i64 {
        self.requests.len() as i64
    }

    /// Up to [`EXAMPLES`] requests of a bucket, real titles first, then by code.
    pub fn examples(&self, bucket: RequestBucket) -> impl Iterator<Item = &NationalRequest> {
        self.in_bucket(bucket).take(EXAMPLES)
    }
}

/// The open national requests as of the end of `as_of` (every record at or before `until`),
/// with the procedures behind each; `procedures` names them (a procedure not among them is
/// still counted by its request, just not named).
pub fn national_requests(
    law_changes: &[LawChange],
    history: &[LawChangeStatusChange],
    dependencies: &[Dependency],
    procedures: &[ProcedureFacts],
    as_of: NaiveDate,
    until: DateTime<Utc>,
) -> NationalRequests {
    let national: HashMap<LawChangeId, &LawChange> = law_changes
        .iter()
        .filter(|l| l.level.is_national())
        .map(|l| (l.id, l))
        .collect();
    let mut latest: HashMap<LawChangeId, &LawChangeStatusChange> = HashMap::new();
    // The latest DATE_SHOWN record at or before `until`: the date shown then.
    let mut shown: HashMap<LawChangeId, &LawChangeStatusChange> = HashMap::new();
    for h in history
        .iter()
        .filter(|h| h.at <= until && national.contains_key(&h.law_change_id))
    {
        keep_latest(&mut latest, h);
        if h.to_status == LawChangeStatus::DateShown {
            keep_latest(&mut shown, h);
        }
    }
    let names: HashMap<ProcedureId, &ProcedureFacts> =
        procedures.iter().map(|f| (f.id, f)).collect();
    let mut behind: HashMap<LawChangeId, Vec<RequestProcedure>> = HashMap::new();
    for d in dependencies.iter().filter(|d| d.active_at(until)) {
        let BlockerRef::LawChange(id) = d.on else {
            continue;
        };
        if let Some(f) = names.get(&d.procedure_id) {
            behind.entry(id).or_default().push(RequestProcedure {
                id: f.id,
                code: f.code.clone(),
                name: f.name.clone(),
                name_en: f.name_en.clone(),
            });
        }
    }
    let mut requests: Vec<NationalRequest> = latest
        .into_iter()
        .filter_map(|(id, h)| {
            let bucket = RequestBucket::of(h.to_status)?;
            let l = national[&id];
            let mut procedures = behind.remove(&id).unwrap_or_default();
            procedures.sort_by(|a, b| (&a.code, a.id.0).cmp(&(&b.code, b.id.0)));
            procedures.dedup_by_key(|p| p.id);
            Some(NationalRequest {
                id,
                code: l.code.clone(),
                title_ja: l.title_ja.clone(),
                title_en: l.title_en.clone(),
                ministry_ja: l.ministry_ja.clone(),
                ministry_en: l.ministry_en.clone(),
                owner_bureau_id: l.owner_bureau_id,
                bucket,
                since: crate::analytics::tokyo_date(h.at),
                date_shown: (bucket == RequestBucket::DateShown)
                    .then(|| shown.get(&id).and_then(|s| s.on))
                    .flatten(),
                procedures,
            })
        })
        .collect();
    requests.sort_by(|a, b| {
        (a.bucket, !is_real_name(&a.title_ja), &a.code).cmp(&(
            b.bucket,
            !is_real_name(&b.title_ja),
            &b.code,
        ))
    });
    NationalRequests { as_of, requests }
}

/// Keeps the later (by time, then id) of the record in `map` and `h`.
fn keep_latest<'a>(
    map: &mut HashMap<LawChangeId, &'a LawChangeStatusChange>,
    h: &'a LawChangeStatusChange,
) {
    let slot = map.entry(h.law_change_id).or_insert(h);
    if (h.at, h.id) > (slot.at, slot.id) {
        *slot = h;
    }
}
