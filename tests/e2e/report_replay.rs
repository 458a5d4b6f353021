//! The FY2021-Q3 report of the programme's own history (`deploy/demo/history/`, loaded as
//! `rollout demo --replay` does) states the figures the programme published for October–December
//! 2021, in Japanese and English: major procedures within Tokyo's authority 71 of 119 (3 in the
//! quarter, 実習用通学定期乗車券の発売申込の届出 among them), 31 national requests (7 date shown, 13
//! under study, 11 not yet answered), 31 majors planned for January–March 2022 (地球温暖化対策計画書の提出
//! among them), subsidies on jGrants 18 (6 in the quarter) of 32 targeted with 13 planned, and the
//! other procedures by processes. The Japanese Markdown is the one committed under
//! `docs/examples/`, so the example cannot drift from what rollout says.

use serde_json::{Value, json};

use crate::common::{Options, TestServer, both_backends};
use crate::report::report;

fn replay_options() -> Options {
    Options {
        demo_replay: true,
        ..Options::default()
    }
}

both_backends!(with super::replay_options; fy2021_q3_of_the_replayed_history);

const EXAMPLE: &str = "docs/examples/quarterly-report-FY2021-Q3-ja.md";

fn has(text: &Value, wanted: &str) {
    let text = text.as_str().expect("text");
    assert!(text.contains(wanted), "missing {wanted:?} in:\n{text}");
}

fn triple(topic: &Value, measure: &str) -> [i64; 4] {
    ["digitisedInQuarter", "digitised", "inScope", "planned"]
        .map(|k| topic[k][measure].as_i64().unwrap())
}

async fn fy2021_q3_of_the_replayed_history(server: TestServer) {
    let ja = report(&server, "FY2021-Q3", "JA").await;
    let f = &ja["figures"];
    assert_eq!(triple(&f["major"], "procedures"), [3, 71, 119, 31], "{f}");
    let names: Vec<&str> = f["major"]["examplesInQuarter"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names[0], "実習用通学定期乗車券の発売申込の届出",
        "{names:?}"
    );
    assert_eq!(
        f["major"]["examplesPlanned"][0]["name"],
        "地球温暖化対策計画書の提出"
    );
    let n = &f["nationalRequests"];
    assert_eq!(
        [
            "total",
            "dateShown",
            "underStudy",
            "notYetAnswered",
            "declined"
        ]
        .map(|k| n[k].as_i64().unwrap()),
        [31, 7, 13, 11, 0],
        "{n}"
    );
    assert_eq!(
        triple(&f["subsidies"], "procedures"),
        [6, 18, 32, 13],
        "{f}"
    );
    assert_eq!(
        triple(&f["other"], "processes"),
        [800, 4_700, 28_000, 1_164],
        "{f}"
    );

    let md = &ja["markdown"];
    has(md, "### 進捗状況(2021年10~12月)");
    has(
        md,
        "今期(2021年10~12月)に3手続をオンライン化し、累計で71手続(都の権限で可能な119手続の59.7%)となりました。",
    );
    has(md, "- 実習用通学定期乗車券の発売申込の届出(");
    has(md, "国へ31件を要望しています。");
    has(
        md,
        "| 国が時期を提示 | 7 | 一般旅券の発給申請・紛失届のオンライン化（旅券法）(外務省、",
    );
    has(
        md,
        "| 国が検討中 | 13 | 産業廃棄物処理業許可申請のオンライン化（廃棄物処理法）(環境省)",
    );
    has(md, "| 未回答 | 11 |");
    has(md, "2022年1~3月に31手続のオンライン化を予定しています。");
    has(md, "- 地球温暖化対策計画書の提出(環境局)");
    has(md, "累計で4,700事務(対象28,000事務の16.8%)");
    has(
        md,
        "今期(2021年10~12月)にjGrantsで6件の受付を開始し、累計で18件(目標32件の56.3%)となりました。",
    );
    has(
        md,
        "2022年1~3月に13件の補助金をjGrantsで受付開始する予定です。",
    );
    let committed = std::fs::read_to_string(format!("{}/{EXAMPLE}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_default();
    assert!(
        committed == md.as_str().unwrap(),
        "{EXAMPLE} is not what rollout says: regenerate it with `rollout demo --replay` and \
         `rollout report quarterly --quarter FY2021-Q3 -o {EXAMPLE}` on a fresh database"
    );

    let en = report(&server, "FY2021-Q3", "EN").await;
    assert_eq!(en["figures"], ja["figures"]);
    let md = &en["markdown"];
    has(md, "### Progress (October–December 2021)");
    has(
        md,
        "3 procedures went online this quarter (October–December 2021), 71 in all: 59.7% of the 119 within Tokyo's authority.",
    );
    has(md, "31 requests to the national government");
    has(md, "| Date shown | 7 |");
    has(md, "| Under study | 13 |");
    has(md, "| Not yet answered | 11 |");
    has(md, "### Next quarter (January–March 2022)");
    has(
        md,
        "31 procedures are planned to go online in January–March 2022.",
    );
    has(
        md,
        "6 subsidies opened on jGrants this quarter (October–December 2021), 18 in all: 56.3% of the 32 targeted.",
    );
    has(
        md,
        "13 subsidies are planned to open on jGrants in January–March 2022.",
    );
    assert_eq!(json!(en["complete"]), json!(true));
}
