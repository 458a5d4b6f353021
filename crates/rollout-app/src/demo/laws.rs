//! The national law changes behind the demo's real national procedures, and their status
//! history. Three are real requests the programme reported (with sources in their notes): the
//! Passport Act for passport issuance and loss reports, the Child Welfare Act for nursery-teacher
//! registration (both with a date from the ministry by December 2021) and the Waste Management
//! Act for the industrial-waste business permit (under national study). The programme reported
//! 31 open national requests for December 2021 (7 with a date, 13 under study, 11 still
//! requested) without naming the rest, so the other 28 are illustrative, one behind each of
//! the remaining real national procedures, labelled as such in title and notes, and dated so
//! that the split as of 2021-12-31 is the reported one. Some move on after that date.

use chrono::NaiveDate;
use rollout_domain::blockers::{LawChangeStatus, LawLevel};

use super::real::RealProcedure;

/// The programme's progress reports the real records come from.
pub(super) const SOURCES: &str = "https://shintosei.metro.tokyo.lg.jp/2021_3q_cp3/ ; \
                                  https://shintosei.metro.tokyo.lg.jp/?p=11604";

/// Notes of every illustrative law change.
pub(super) const ILLUSTRATIVE_NOTE: &str = "デモ用の例示データです（実在の記録ではありません）。\
    Illustrative demo record, not a real request: it stands for one of the 31 national requests \
    the programme reported for December 2021 without naming them.";

/// One law change and how it moved.
#[derive(Debug, Clone)]
pub(super) struct LawPlan {
    pub code: String,
    pub title_ja: String,
    pub title_en: String,
    pub level: LawLevel,
    pub ministry_ja: &'static str,
    pub ministry_en: &'static str,
    pub law_name: Option<&'static str>,
    pub bureau: String,
    /// Status changes, oldest first, each with the date it names and the day it was recorded
    /// (the same day here); the first is REQUESTED.
    pub steps: Vec<(LawChangeStatus, NaiveDate)>,
    /// The effective date the ministry showed, for DATE_SHOWN and later.
    pub expected: Option<NaiveDate>,
    pub notes: String,
    /// The `name_ja` of the real procedures that wait on it.
    pub procedures: Vec<String>,
}

impl LawPlan {
    /// The status on `day`, or `None` before the request was made.
    pub fn status_on(&self, day: NaiveDate) -> Option<LawChangeStatus> {
        self.steps
            .iter()
            .take_while(|(_, on)| *on <= day)
            .last()
            .map(|(s, _)| *s)
    }

    /// The steps recorded by `day`.
    pub fn steps_by(&self, day: NaiveDate) -> &[(LawChangeStatus, NaiveDate)] {
        let n = self.steps.iter().take_while(|(_, on)| *on <= day).count();
        &self.steps[..n]
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid calendar date")
}

use LawChangeStatus::{DateShown, Enacted, Requested, UnderStudy, Withdrawn};

/// The three real requests.
fn real_plans() -> Vec<LawPlan> {
    let dated = "Status dates are placed within the reported quarter (the reports give the \
                 quarter, not the day); the expected effective date is illustrative.";
    vec![
        LawPlan {
            code: "LAW-0001".to_owned(),
            title_ja: "一般旅券の発給申請・紛失届のオンライン化（旅券法）".to_owned(),
            title_en: "Passport issuance applications and loss reports online (Passport Act)"
                .to_owned(),
            level: LawLevel::NationalLaw,
            ministry_ja: "外務省",
            ministry_en: "Ministry of Foreign Affairs",
            law_name: Some("旅券法"),
            bureau: "SEIKATSU".to_owned(),
            steps: vec![
                (Requested, date(2021, 3, 1)),
                (DateShown, date(2021, 12, 1)),
                (Enacted, date(2023, 3, 27)),
            ],
            expected: Some(date(2023, 3, 27)),
            notes: format!(
                "Date shown by the ministry by December 2021 (progress report FY2021 Q3). \
                 Online passport applications began on 27 March 2023. {dated} Sources: {SOURCES}"
            ),
            procedures: vec![
                "一般旅券の発給申請".to_owned(),
                "一般旅券の紛失・焼失の届出（紛失焼失申請）".to_owned(),
            ],
        },
        LawPlan {
            code: "LAW-0002".to_owned(),
            title_ja: "保育士登録申請のオンライン化（児童福祉法）".to_owned(),
            title_en: "Nursery-teacher registration online (Child Welfare Act)".to_owned(),
            level: LawLevel::NationalLaw,
            ministry_ja: "厚生労働省",
            ministry_en: "Ministry of Health, Labour and Welfare",
            law_name: Some("児童福祉法"),
            bureau: "FUKUSHI".to_owned(),
            steps: vec![
                (Requested, date(2021, 3, 1)),
                (DateShown, date(2021, 12, 1)),
            ],
            expected: Some(date(2024, 4, 1)),
            notes: format!(
                "Date shown by the ministry by December 2021 (progress report FY2021 Q3); the \
                 ministry then responsible was MHLW. Later steps are not recorded here. {dated} \
                 Sources: {SOURCES}"
            ),
            procedures: vec!["保育士登録申請".to_owned()],
        },
        LawPlan {
            code: "LAW-0003".to_owned(),
            title_ja: "産業廃棄物処理業許可申請のオンライン化（廃棄物処理法）".to_owned(),
            title_en: "Industrial-waste business permit applications online (Waste Management \
                       Act)"
                .to_owned(),
            level: LawLevel::NationalLaw,
            ministry_ja: "環境省",
            ministry_en: "Ministry of the Environment",
            law_name: Some("廃棄物の処理及び清掃に関する法律"),
            bureau: "KANKYO".to_owned(),
            steps: vec![
                (Requested, date(2021, 3, 1)),
                (UnderStudy, date(2021, 12, 1)),
            ],
            expected: None,
            notes: format!(
                "Under national study by December 2021 (progress report FY2021 Q3). \
                 {dated} Sources: {SOURCES}"
            ),
            procedures: vec!["産業廃棄物処理業の許可申請".to_owned()],
        },
    ]
}

/// The ministry an illustrative request of this bureau would go to.
fn ministry(bureau: &str) -> (&'static str, &'static str) {
    match bureau {
        "JUTAKU" | "TOSHI" | "KENSETSU" => (
            "国土交通省",
            "Ministry of Land, Infrastructure, Transport and Tourism",
        ),
        "SEIKATSU" => ("内閣府", "Cabinet Office"),
        "HOKEN" | "FUKUSHI" => ("厚生労働省", "Ministry of Health, Labour and Welfare"),
        "SHUZEI" => ("総務省", "Ministry of Internal Affairs and Communications"),
        "KYOIKU" => (
            "文部科学省",
            "Ministry of Education, Culture, Sports, Science and Technology",
        ),
        "KANKYO" => ("環境省", "Ministry of the Environment"),
        _ => ("デジタル庁", "Digital Agency"),
    }
}

/// How the `i`-th illustrative request moved: 5 with a date, 12 under study and 11 requested
/// as of 2021-12-31 (with the three real ones: 7, 13, 11), some moving on in 2022–2024.
fn illustrative_steps(i: usize) -> (Vec<(LawChangeStatus, NaiveDate)>, Option<NaiveDate>) {
    let offset = i64::try_from(i).unwrap_or(0);
    let requested = date(2020, 10, 1) + chrono::Days::new(u64::try_from(offset * 14).unwrap_or(0));
    let mut steps = vec![(Requested, requested)];
    let mut expected = None;
    match i {
        0..5 => {
            let shown = requested + chrono::Days::new(120);
            steps.push((UnderStudy, requested + chrono::Days::new(45)));
            steps.push((DateShown, shown));
            let effective = date(2022 + i32::try_from(i % 2).unwrap_or(0), 4, 1);
            expected = Some(effective);
            if i < 3 {
                steps.push((Enacted, effective));
            }
        }
        5..17 => {
            steps.push((UnderStudy, requested + chrono::Days::new(45)));
            if (5..8).contains(&i) {
                steps.push((DateShown, date(2022, 9, 30)));
                expected = Some(date(2024, 4, 1));
            } else if i == 16 {
                steps.push((Withdrawn, date(2024, 3, 29)));
            }
        }
        _ => {
            if (17..19).contains(&i) {
                steps.push((UnderStudy, date(2022, 6, 30)));
            }
        }
    }
    (steps, expected)
}

/// Every law change of the demo: the three real ones, then one illustrative request behind each
/// other real national procedure (in file order).
pub(super) fn plans(procedures: &[RealProcedure]) -> Vec<LawPlan> {
    let mut plans = real_plans();
    let covered: Vec<String> = plans.iter().flat_map(|p| p.procedures.clone()).collect();
    let rest = procedures.iter().filter(|p| {
        p.authority == rollout_domain::Authority::National && !covered.contains(&p.name_ja)
    });
    for (i, p) in rest.enumerate() {
        let (steps, expected) = illustrative_steps(i);
        let (ministry_ja, ministry_en) = ministry(&p.bureau_code);
        plans.push(LawPlan {
            code: format!("LAW-{:04}", 101 + i),
            title_ja: format!("【例示】{}のオンライン化に必要な法令改正", p.name_ja),
            title_en: format!(
                "[Illustrative] Rule change needed to put online: {}",
                p.name_en
            ),
            level: [
                LawLevel::NationalLaw,
                LawLevel::CabinetOrder,
                LawLevel::MinisterialOrdinance,
            ][i % 3],
            ministry_ja,
            ministry_en,
            law_name: None,
            bureau: p.bureau_code.clone(),
            steps,
            expected,
            notes: ILLUSTRATIVE_NOTE.to_owned(),
            procedures: vec![p.name_ja.clone()],
        });
    }
    plans
}
