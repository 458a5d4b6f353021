//! Administrative procedures (手続) and their classification. A procedure's workflow state is a
//! state key of the loaded [`crate::workflow::WorkflowDefinition`]; it only changes through the
//! engine ([`crate::workflow::engine`]), never through [`ProcedurePatch`].

use chrono::{DateTime, NaiveDate, Utc};

use crate::{BureauId, FiscalQuarter, ProcedureCode, ProcedureId};

/// Procedures with at least this many applications a year are "priority" procedures: they get a
/// quality review and user reviews on top of digitisation.
pub const PRIORITY_THRESHOLD: i64 = 10_000;

macro_rules! keyed_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable key used in storage, CSV files and the API (`SCREAMING_SNAKE_CASE`).
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            /// Parses a stable key, case-insensitively.
            pub fn parse(raw: &str) -> Option<Self> {
                let up = raw.trim().to_ascii_uppercase();
                match up.as_str() { $($key => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

pub(crate) use keyed_enum;

keyed_enum!(
    /// How the programme classifies a procedure.
    Category {
        /// One of the 169 major procedures digitised first.
        Major => "MAJOR",
        /// Any other procedure of the ~28,000.
        Standard => "STANDARD",
        /// A subsidy; these go online through jGrants.
        Subsidy => "SUBSIDY",
    }
);

keyed_enum!(
    /// Who can decide to digitise a procedure.
    Authority {
        /// Tokyo can digitise it on its own authority.
        Tokyo => "TOKYO",
        /// Its legal basis is national: digitisation waits on a national law change.
        National => "NATIONAL",
    }
);

keyed_enum!(
    /// The system through which a procedure goes online.
    Platform {
        JointEApplication => "JOINT_E_APPLICATION",
        SaasEApplication => "SAAS_E_APPLICATION",
        Jgrants => "JGRANTS",
        MynaPortal => "MYNA_PORTAL",
        OtherNationalSystem => "OTHER_NATIONAL_SYSTEM",
        DedicatedSystem => "DEDICATED_SYSTEM",
    }
);

/// A procedure as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Procedure {
    pub id: ProcedureId,
    pub code: ProcedureCode,
    /// The official Japanese name.
    pub name: String,
    pub name_en: Option<String>,
    pub bureau_id: BureauId,
    pub category: Category,
    pub authority: Authority,
    pub annual_applications: Option<i64>,
    /// How many of the ~28,000 administrative processes this procedure stands for.
    pub process_count: i32,
    pub platform: Option<Platform>,
    pub target_quarter: Option<FiscalQuarter>,
    pub released_on: Option<NaiveDate>,
    /// The key of the current workflow state.
    pub state: String,
    /// Optimistic-concurrency version: starts at 1, goes up by one with every change.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Procedure {
    /// Priority procedures (10,000+ applications a year) get a quality review and user reviews.
    pub fn is_priority(&self) -> bool {
        self.annual_applications
            .is_some_and(|n| n >= PRIORITY_THRESHOLD)
    }

    /// What a procedure search matches: see [`search_text`].
    pub fn search_text(&self) -> String {
        search_text(self.code.as_str(), &self.name, self.name_en.as_deref())
    }
}

/// The text a procedure search looks in: the code, the name and the English name, each folded
/// with [`fold_for_search`](crate::text::fold_for_search) and separated by a newline, which no
/// search term can contain (so a term never matches across two fields). Stores keep it beside
/// the row and match the folded term as a substring of it.
pub fn search_text(code: &str, name: &str, name_en: Option<&str>) -> String {
    use crate::text::fold_for_search;
    let mut out = fold_for_search(code);
    out.push('\n');
    out.push_str(&fold_for_search(name));
    out.push('\n');
    out.push_str(&fold_for_search(name_en.unwrap_or("")));
    out
}

/// What it takes to create a procedure. It starts in the workflow's initial state, version 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProcedure {
    pub code: ProcedureCode,
    pub name: String,
    pub name_en: Option<String>,
    pub bureau_id: BureauId,
    pub category: Category,
    pub authority: Authority,
    pub annual_applications: Option<i64>,
    pub process_count: i32,
    pub platform: Option<Platform>,
    pub target_quarter: Option<FiscalQuarter>,
}

/// A change to a procedure's descriptive fields. `None` leaves a field alone; `Some(None)` clears
/// an optional field. The state is deliberately absent: it changes only through transitions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcedurePatch {
    pub name: Option<String>,
    pub name_en: Option<Option<String>>,
    pub bureau_id: Option<BureauId>,
    pub category: Option<Category>,
    pub authority: Option<Authority>,
    pub annual_applications: Option<Option<i64>>,
    pub process_count: Option<i32>,
    pub platform: Option<Option<Platform>>,
    pub target_quarter: Option<Option<FiscalQuarter>>,
    pub released_on: Option<Option<NaiveDate>>,
}

impl ProcedurePatch {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The procedure as it would be after this patch (id, state, version and times unchanged).
    pub fn apply_to(&self, p: &Procedure) -> Procedure {
        let mut out = p.clone();
        if let Some(v) = &self.name {
            out.name = v.clone();
        }
        if let Some(v) = &self.name_en {
            out.name_en = v.clone();
        }
        if let Some(v) = self.bureau_id {
            out.bureau_id = v;
        }
        if let Some(v) = self.category {
            out.category = v;
        }
        if let Some(v) = self.authority {
            out.authority = v;
        }
        if let Some(v) = self.annual_applications {
            out.annual_applications = v;
        }
        if let Some(v) = self.process_count {
            out.process_count = v;
        }
        if let Some(v) = self.platform {
            out.platform = v;
        }
        if let Some(v) = self.target_quarter {
            out.target_quarter = v;
        }
        if let Some(v) = self.released_on {
            out.released_on = v;
        }
        out
    }
}

/// Field-level checks shared by create, update and import. Returns `(field, message)` pairs.
pub fn validate_fields(
    name: &str,
    annual_applications: Option<i64>,
    process_count: i32,
) -> Vec<(&'static str, String)> {
    let mut errors = Vec::new();
    if name.trim().is_empty() {
        errors.push(("name", "name must not be empty".to_owned()));
    } else if name.chars().count() > 200 {
        errors.push(("name", "name must be at most 200 characters".to_owned()));
    }
    if annual_applications.is_some_and(|n| n < 0) {
        errors.push((
            "annualApplications",
            "annual applications must not be negative".to_owned(),
        ));
    }
    if !(1..=100_000).contains(&process_count) {
        errors.push((
            "processCount",
            "process count must be between 1 and 100000".to_owned(),
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_enums_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(*c));
        }
        for p in Platform::ALL {
            assert_eq!(Platform::parse(&p.as_str().to_lowercase()), Some(*p));
        }
        assert_eq!(Authority::parse("tokyo"), Some(Authority::Tokyo));
        assert_eq!(Authority::parse("kyoto"), None);
    }

    #[test]
    fn field_validation() {
        assert!(validate_fields("旅券", Some(5), 1).is_empty());
        assert_eq!(
            search_text("KANKYO-0012", "ｼﾝｾｲ手続", Some("Permit")),
            "kankyo-0012\nシンセイ手続\npermit"
        );
        assert_eq!(search_text("A-0001", "名", None), "a-0001\n名\n");
        let errs = validate_fields(" ", Some(-1), 0);
        let fields: Vec<_> = errs.iter().map(|e| e.0).collect();
        assert_eq!(fields, ["name", "annualApplications", "processCount"]);
    }
}
