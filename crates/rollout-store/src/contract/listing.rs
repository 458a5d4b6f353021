//! Contract cases for filtered listings: every filter field alone and combined, search
//! semantics (case, Japanese text, literal wildcards), totals, `first = 0`, counts by state and
//! the states in use.

use std::sync::Arc;

use rollout_domain::{Authority, BureauId, Category, Platform, Procedure};

use super::fixtures::{
    at, bureau_code, first, procedure, quarter, seed_bureau, seed_procedure, sorted_codes,
};
use crate::{ProcedureFilter, ProcedureOrder, Store};

struct Row {
    code: &'static str,
    state: &'static str,
    category: Category,
    authority: Authority,
    annual_applications: Option<i64>,
    name: &'static str,
    name_en: Option<&'static str>,
    target_quarter: Option<&'static str>,
}

const ROWS: [Row; 6] = [
    Row {
        code: "KANKYO-0001",
        state: "hearing",
        category: Category::Major,
        authority: Authority::Tokyo,
        annual_applications: Some(50_000),
        name: "産業廃棄物処理業許可申請",
        name_en: Some("Industrial Waste Licence"),
        target_quarter: Some("FY2025-Q3"),
    },
    Row {
        code: "KANKYO-0002",
        state: "scheduled",
        category: Category::Standard,
        authority: Authority::National,
        annual_applications: Some(10_000),
        name: "騒音規制法に基づく届出",
        name_en: Some("Noise notification"),
        target_quarter: Some("FY2025-Q4"),
    },
    Row {
        code: "ZAIMU-0001",
        state: "released",
        category: Category::Subsidy,
        authority: Authority::Tokyo,
        annual_applications: Some(9_999),
        name: "都税証明書の交付申請",
        name_en: None,
        target_quarter: Some("FY2025-Q3"),
    },
    Row {
        code: "ZAIMU-0002",
        state: "hearing",
        category: Category::Standard,
        authority: Authority::Tokyo,
        annual_applications: None,
        name: "100%_補助金 交付",
        name_en: Some("Subsidy 100% for A_B"),
        target_quarter: None,
    },
    Row {
        code: "TOSHI-0001",
        state: "scheduled",
        category: Category::Major,
        authority: Authority::National,
        annual_applications: Some(0),
        name: "建築確認申請",
        name_en: Some("building CONFIRMATION"),
        target_quarter: Some("FY2026-Q1"),
    },
    Row {
        code: "TOSHI-0002",
        state: "released",
        category: Category::Standard,
        authority: Authority::Tokyo,
        annual_applications: Some(120_000),
        name: "屋外広告物許可申請",
        name_en: Some("Outdoor advertising permit"),
        target_quarter: Some("FY2025-Q3"),
    },
];

/// Stores [`ROWS`] under bureaus KANKYO, ZAIMU and TOSHI (by code prefix).
async fn seed_rows(store: &Arc<dyn Store>) -> Vec<Procedure> {
    let mut bureaus: Vec<(&str, BureauId)> = Vec::new();
    for code in ["KANKYO", "ZAIMU", "TOSHI"] {
        bureaus.push((code, seed_bureau(store, code).await.id));
    }
    let mut out = Vec::new();
    for (n, row) in ROWS.iter().enumerate() {
        let prefix = row.code.split('-').next().unwrap();
        let bureau = bureaus.iter().find(|(c, _)| *c == prefix).unwrap().1;
        let mut p = procedure(row.code, bureau, at(n as i64, 0));
        p.state = row.state.to_owned();
        p.category = row.category;
        p.authority = row.authority;
        p.annual_applications = row.annual_applications;
        p.name = row.name.to_owned();
        p.name_en = row.name_en.map(str::to_owned);
        p.target_quarter = row.target_quarter.map(quarter);
        p.platform = match row.code {
            "ZAIMU-0001" => Some(Platform::Jgrants),
            "KANKYO-0001" | "TOSHI-0002" => Some(Platform::SaasEApplication),
            _ => None,
        };
        out.push(seed_procedure(store, p).await);
    }
    out
}

/// The sorted codes matching `filter`, checking that the total agrees with the items.
pub(crate) async fn matching(store: &Arc<dyn Store>, filter: &ProcedureFilter) -> Vec<String> {
    let page = store
        .list_procedures(filter, ProcedureOrder::default(), &first(100))
        .await
        .unwrap();
    assert_eq!(
        page.total_count,
        Some(page.items.len() as i64),
        "{filter:?}"
    );
    assert!(!page.has_next_page);
    assert!(!page.has_previous_page);
    sorted_codes(&page.items)
}

pub(crate) fn search(text: &str) -> ProcedureFilter {
    ProcedureFilter {
        search: Some(text.to_owned()),
        ..ProcedureFilter::default()
    }
}

/// Each filter field on its own narrows the listing to exactly the matching rows.
pub async fn list_filters_each_field(store: Arc<dyn Store>) {
    seed_rows(&store).await;
    let all = ProcedureFilter::default();
    assert_eq!(matching(&store, &all).await.len(), 6);

    let by_bureaus = |codes: &[&str]| ProcedureFilter {
        bureau_codes: codes.iter().map(|c| bureau_code(c)).collect(),
        ..ProcedureFilter::default()
    };
    assert_eq!(
        matching(&store, &by_bureaus(&["KANKYO"])).await,
        ["KANKYO-0001", "KANKYO-0002"]
    );
    assert_eq!(
        matching(&store, &by_bureaus(&["TOSHI", "KANKYO"])).await,
        ["KANKYO-0001", "KANKYO-0002", "TOSHI-0001", "TOSHI-0002"]
    );
    assert!(matching(&store, &by_bureaus(&["GHOST"])).await.is_empty());

    let by_states = |states: &[&str]| ProcedureFilter {
        states: states.iter().map(|s| (*s).to_owned()).collect(),
        ..ProcedureFilter::default()
    };
    assert_eq!(
        matching(&store, &by_states(&["hearing"])).await,
        ["KANKYO-0001", "ZAIMU-0002"]
    );
    assert_eq!(
        matching(&store, &by_states(&["scheduled", "released"])).await,
        ["KANKYO-0002", "TOSHI-0001", "TOSHI-0002", "ZAIMU-0001"]
    );
    assert!(
        matching(&store, &by_states(&["abolished"]))
            .await
            .is_empty()
    );

    let by_category = |category| ProcedureFilter {
        category: Some(category),
        ..ProcedureFilter::default()
    };
    assert_eq!(
        matching(&store, &by_category(Category::Major)).await,
        ["KANKYO-0001", "TOSHI-0001"]
    );
    assert_eq!(
        matching(&store, &by_category(Category::Subsidy)).await,
        ["ZAIMU-0001"]
    );

    let by_authority = |authority| ProcedureFilter {
        authority: Some(authority),
        ..ProcedureFilter::default()
    };
    assert_eq!(
        matching(&store, &by_authority(Authority::National)).await,
        ["KANKYO-0002", "TOSHI-0001"]
    );

    // 10,000 exactly is priority; 9,999, zero and unknown volumes are not.
    let by_priority = |priority| ProcedureFilter {
        is_priority: Some(priority),
        ..ProcedureFilter::default()
    };
    assert_eq!(
        matching(&store, &by_priority(true)).await,
        ["KANKYO-0001", "KANKYO-0002", "TOSHI-0002"]
    );
    assert_eq!(
        matching(&store, &by_priority(false)).await,
        ["TOSHI-0001", "ZAIMU-0001", "ZAIMU-0002"]
    );

    let by_platform = |platform| ProcedureFilter {
        platform: Some(platform),
        ..ProcedureFilter::default()
    };
    assert_eq!(
        matching(&store, &by_platform(Platform::SaasEApplication)).await,
        ["KANKYO-0001", "TOSHI-0002"]
    );
    assert_eq!(
        matching(&store, &by_platform(Platform::Jgrants)).await,
        ["ZAIMU-0001"]
    );
    assert!(
        matching(&store, &by_platform(Platform::MynaPortal))
            .await
            .is_empty()
    );

    let by_quarter = |q: &str| ProcedureFilter {
        target_quarter: Some(quarter(q)),
        ..ProcedureFilter::default()
    };
    assert_eq!(
        matching(&store, &by_quarter("FY2025-Q3")).await,
        ["KANKYO-0001", "TOSHI-0002", "ZAIMU-0001"]
    );
    assert!(matching(&store, &by_quarter("FY2025-Q1")).await.is_empty());
}

/// Filter fields combine with AND.
pub async fn list_filters_combined(store: Arc<dyn Store>) {
    seed_rows(&store).await;
    let mut filter = ProcedureFilter {
        bureau_codes: vec![bureau_code("KANKYO"), bureau_code("ZAIMU")],
        states: vec!["hearing".to_owned()],
        ..ProcedureFilter::default()
    };
    assert_eq!(
        matching(&store, &filter).await,
        ["KANKYO-0001", "ZAIMU-0002"]
    );
    filter.is_priority = Some(true);
    assert_eq!(matching(&store, &filter).await, ["KANKYO-0001"]);
    filter.category = Some(Category::Standard);
    assert!(matching(&store, &filter).await.is_empty());

    let filter = ProcedureFilter {
        category: Some(Category::Standard),
        authority: Some(Authority::Tokyo),
        is_priority: Some(false),
        ..ProcedureFilter::default()
    };
    assert_eq!(matching(&store, &filter).await, ["ZAIMU-0002"]);

    let filter = ProcedureFilter {
        bureau_codes: vec![bureau_code("TOSHI")],
        search: Some("申請".to_owned()),
        target_quarter: Some(quarter("FY2025-Q3")),
        ..ProcedureFilter::default()
    };
    assert_eq!(matching(&store, &filter).await, ["TOSHI-0002"]);
}

/// Search is a case-insensitive substring of the code, the name or the English name, and
/// matches Japanese substrings.
pub async fn list_search(store: Arc<dyn Store>) {
    seed_rows(&store).await;
    assert_eq!(
        matching(&store, &search("kankyo")).await,
        ["KANKYO-0001", "KANKYO-0002"]
    );
    assert_eq!(
        matching(&store, &search("AIMU-000")).await,
        ["ZAIMU-0001", "ZAIMU-0002"]
    );
    assert_eq!(
        matching(&store, &search("Confirmation")).await,
        ["TOSHI-0001"]
    );
    assert_eq!(
        matching(&store, &search("waste LICENCE")).await,
        ["KANKYO-0001"]
    );
    assert_eq!(
        matching(&store, &search("許可申請")).await,
        ["KANKYO-0001", "TOSHI-0002"]
    );
    assert_eq!(matching(&store, &search("廃棄物")).await, ["KANKYO-0001"]);
    assert_eq!(
        matching(&store, &search("申請")).await,
        ["KANKYO-0001", "TOSHI-0001", "TOSHI-0002", "ZAIMU-0001"]
    );
    assert!(matching(&store, &search("旅券")).await.is_empty());
}

/// `%`, `_` and `\` in the search text match themselves, not as wildcards or escapes.
pub async fn list_search_wildcards_literal(store: Arc<dyn Store>) {
    seed_rows(&store).await;
    assert_eq!(matching(&store, &search("%")).await, ["ZAIMU-0002"]);
    assert_eq!(matching(&store, &search("_")).await, ["ZAIMU-0002"]);
    assert_eq!(matching(&store, &search("100%")).await, ["ZAIMU-0002"]);
    assert_eq!(matching(&store, &search("a_b")).await, ["ZAIMU-0002"]);
    assert!(matching(&store, &search("A%B")).await.is_empty());
    assert!(matching(&store, &search("noise_")).await.is_empty());
    assert!(matching(&store, &search("KANKYO_0001")).await.is_empty());
    assert!(matching(&store, &search("\\")).await.is_empty());
    assert!(matching(&store, &search("0\\%")).await.is_empty());
}

/// `first = 0` returns no items but the count, and says whether rows exist.
pub async fn list_first_zero(store: Arc<dyn Store>) {
    let order = ProcedureOrder::default();
    let empty = store
        .list_procedures(&ProcedureFilter::default(), order, &first(0))
        .await
        .unwrap();
    assert!(empty.items.is_empty());
    assert_eq!(empty.total_count, Some(0));
    assert!(!empty.has_next_page);

    seed_rows(&store).await;
    let page = store
        .list_procedures(&ProcedureFilter::default(), order, &first(0))
        .await
        .unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.total_count, Some(6));
    assert!(page.has_next_page);
    assert!(!page.has_previous_page);

    let filter = ProcedureFilter {
        category: Some(Category::Major),
        ..ProcedureFilter::default()
    };
    let page = store
        .list_procedures(&filter, order, &first(0))
        .await
        .unwrap();
    assert_eq!(page.total_count, Some(2));
    assert!(page.items.is_empty());
}

/// `count_by_state` applies the filter and omits states without rows; `states_in_use` lists
/// each stored state once.
pub async fn count_by_state_and_states_in_use(store: Arc<dyn Store>) {
    assert!(store.states_in_use().await.unwrap().is_empty());
    assert!(
        store
            .count_by_state(&ProcedureFilter::default())
            .await
            .unwrap()
            .is_empty()
    );

    seed_rows(&store).await;
    let sorted = |mut v: Vec<(String, i64)>| {
        v.sort();
        v
    };
    let pairs = |items: &[(&str, i64)]| -> Vec<(String, i64)> {
        items.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect()
    };
    let all = store
        .count_by_state(&ProcedureFilter::default())
        .await
        .unwrap();
    assert_eq!(
        sorted(all),
        pairs(&[("hearing", 2), ("released", 2), ("scheduled", 2)])
    );
    let kankyo = ProcedureFilter {
        bureau_codes: vec![bureau_code("KANKYO")],
        ..ProcedureFilter::default()
    };
    let counted = store.count_by_state(&kankyo).await.unwrap();
    assert_eq!(sorted(counted), pairs(&[("hearing", 1), ("scheduled", 1)]));
    let priority = ProcedureFilter {
        is_priority: Some(true),
        search: Some("申請".to_owned()),
        ..ProcedureFilter::default()
    };
    let counted = store.count_by_state(&priority).await.unwrap();
    assert_eq!(sorted(counted), pairs(&[("hearing", 1), ("released", 1)]));
    let nothing = ProcedureFilter {
        states: vec!["abolished".to_owned()],
        ..ProcedureFilter::default()
    };
    assert!(store.count_by_state(&nothing).await.unwrap().is_empty());

    let mut states = store.states_in_use().await.unwrap();
    states.sort();
    assert_eq!(states, ["hearing", "released", "scheduled"]);
}
