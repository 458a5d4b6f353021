//! The quarterly progress report over GraphQL on a history built through the API with a fixed
//! clock (FY2021-Q2 to the start of FY2021-Q4): `quarterlyReport` states, in Japanese and in
//! English, what was digitised in October–December 2021, the cumulative figures against the
//! scope, the national requests as of 31 December and the plan for January–March 2022, each as
//! it stood then, whatever happened after the quarter; its typed figures agree; a frozen
//! snapshot matches; a running quarter is reported so far and one not started is refused. The
//! workbook download is in `report_xlsx`.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rollout_app::{Clock, FixedClock};
use serde_json::{Value, json};

use crate::common::{Backend, Options, TestServer, graphql_error_codes, start};

/// One test per backend, each on a server whose clock the test holds.
macro_rules! clocked {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            use crate::common::Backend;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::run(Backend::Sqlite, super::$name).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::run(Backend::Postgres, super::$name).await;
            }
        }
    )+};
}

clocked!(
    the_report_states_the_quarter_in_both_languages,
    snapshots_running_and_future_quarters
);

/// 10:00 in Tokyo on `day`.
pub(crate) fn at(day: &str) -> DateTime<Utc> {
    format!("{day}T10:00:00+09:00").parse().unwrap()
}

pub(crate) async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestServer, Arc<FixedClock>) -> Fut,
    Fut: Future<Output = ()>,
{
    let clock = Arc::new(FixedClock::new(at("2021-09-01")));
    let options = Options {
        clock: Some(clock.clone() as Arc<dyn Clock>),
        ..Options::default()
    };
    let Some((server, harness)) = start(backend, options).await else {
        return;
    };
    test(server, clock).await;
    harness.shutdown().await;
}

/// Creates a procedure; returns its id.
async fn procedure(server: &TestServer, code: &str, name: &str, rest: Value) -> String {
    let mut input = json!({ "code": code, "name": name, "bureauCode": "KANKYO",
                            "authority": "TOKYO", "processCount": 1 });
    for (k, v) in rest.as_object().unwrap() {
        input[k] = v.clone();
    }
    server.create_procedure(input).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Walks a procedure from `hearing` to `released` on the clock's day, with the passing user
/// test (held that day) that `built → user_tested` needs.
async fn release(server: &TestServer, id: &str, day: &str) {
    let mut version = 1;
    for to in ["scheduled", "built", "user_tested", "released"] {
        if to == "user_tested" {
            let mut input = TestServer::user_test_input(id, "PASS");
            input["heldOn"] = json!(day);
            let payload = server.record_user_test_as(&server.po, input).await;
            assert_eq!(payload["errors"], json!([]), "recordUserTest: {payload}");
        }
        version = server.step(id, to, version, None).await;
    }
}

/// The history behind the FY2021-Q3 report, left on 2022-01-10: majors 0001 (online in
/// September), 0002 and 0003 (October, November), 0004 (targeted at Q4, online only in January)
/// and 0005 (national, behind a request whose date the ministry showed on 1 December); other
/// procedures 0006 (40 processes, online in October) and 0007 (60, targeted at Q4); subsidies
/// 0008 (on jGrants in October) and 0009 (targeted at Q4 then, moved to FY2022-Q1 in January).
pub(crate) async fn history(server: &TestServer, clock: &FixedClock) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let saas = json!("SAAS_E_APPLICATION");
    let major =
        |target: &str| json!({ "category": "MAJOR", "targetQuarter": target, "platform": saas });
    let p1 = procedure(
        server,
        "KANKYO-0001",
        "労政会館の使用承認",
        major("FY2021-Q2"),
    )
    .await;
    let mut m2 = major("FY2021-Q3");
    m2["nameEn"] = json!("Notification of student commuter passes for practical training");
    let p2 = procedure(
        server,
        "KANKYO-0002",
        "実習用通学定期乗車券の発売申込の届出",
        m2,
    )
    .await;
    let p3 = procedure(
        server,
        "KANKYO-0003",
        "【例示】主要手続三",
        major("FY2021-Q3"),
    )
    .await;
    let mut m4 = major("FY2021-Q4");
    m4["nameEn"] = json!("Submission of global warming countermeasure plans");
    let p4 = procedure(server, "KANKYO-0004", "地球温暖化対策計画書の提出", m4).await;
    let p5 = procedure(
        server,
        "KANKYO-0005",
        "旅券の発給申請",
        json!({ "category": "MAJOR", "authority": "NATIONAL" }),
    )
    .await;
    let other = |processes: i64, target: &str| {
        json!({ "category": "STANDARD", "processCount": processes, "targetQuarter": target,
                "platform": saas })
    };
    let p6 = procedure(
        server,
        "KANKYO-0006",
        "その他の手続六",
        other(40, "FY2021-Q3"),
    )
    .await;
    procedure(
        server,
        "KANKYO-0007",
        "その他の手続七",
        other(60, "FY2021-Q4"),
    )
    .await;
    let subsidy = |target: &str| json!({ "category": "SUBSIDY", "targetQuarter": target, "platform": "JGRANTS" });
    let p8 = procedure(server, "KANKYO-0008", "補助金八", subsidy("FY2021-Q3")).await;
    let p9 = procedure(server, "KANKYO-0009", "補助金九", subsidy("FY2021-Q4")).await;

    clock.set(at("2021-09-20"));
    release(server, &p1, "2021-09-20").await;
    let law = server.law_change("LAW-0001", "KANKYO").await;
    let law_id = law["id"].as_str().unwrap();
    server
        .law_change_to(law_id, 1, "REQUESTED", Some("2021-09-20"))
        .await;
    server.depends(&p5, law_id).await;

    clock.set(at("2021-10-20"));
    for p in [&p2, &p6, &p8] {
        release(server, p, "2021-10-20").await;
    }
    clock.set(at("2021-11-10"));
    release(server, &p3, "2021-11-10").await;
    clock.set(at("2021-12-01"));
    server
        .law_change_to(law_id, 2, "DATE_SHOWN", Some("2023-03-27"))
        .await;

    // After the quarter: none of this changes its report.
    clock.set(at("2022-01-10"));
    release(server, &p4, "2022-01-10").await;
    let moved = server
        .update_procedure(json!({ "id": p9, "expectedVersion": 1,
                                  "targetQuarter": "FY2022-Q1", "reason": "延期" }))
        .await;
    assert_eq!(moved["errors"], json!([]), "{moved}");
}

const REPORT: &str = "query($q: FiscalQuarter!, $lang: Language!) {
  quarterlyReport(quarter: $q, lang: $lang) {
    quarter language asOf complete nextQuarter markdown html xlsxPath
    snapshot { matches difference }
    figures {
      major { ...topic } other { ...topic } subsidies { ...topic }
      overallDigitised { procedures processes } overallInScope { procedures processes }
      nationalRequests { asOf total dateShown underStudy notYetAnswered declined
        examples { code group titleJa dateShown procedureCodes } } } } }
fragment topic on ReportTopic {
  topic headline rate
  digitisedInQuarter { procedures processes } digitised { procedures processes }
  inScope { procedures processes } planned { procedures processes }
  examplesInQuarter { code name nameEn digitisedOn bureau { code } }
  examplesPlanned { code name } }";

pub(crate) async fn report(server: &TestServer, quarter: &str, lang: &str) -> Value {
    server
        .data(REPORT, json!({ "q": quarter, "lang": lang }))
        .await["quarterlyReport"]
        .clone()
}

fn has(text: &Value, wanted: &str) {
    let text = text.as_str().expect("text");
    assert!(text.contains(wanted), "missing {wanted:?} in:\n{text}");
}

fn count(procedures: i64, processes: i64) -> Value {
    json!({ "procedures": procedures, "processes": processes })
}

async fn the_report_states_the_quarter_in_both_languages(
    server: TestServer,
    clock: Arc<FixedClock>,
) {
    history(&server, &clock).await;
    let ja = report(&server, "FY2021-Q3", "JA").await;
    assert_eq!(
        (
            &ja["quarter"],
            &ja["language"],
            &ja["asOf"],
            &ja["complete"],
            &ja["nextQuarter"]
        ),
        (
            &json!("FY2021-Q3"),
            &json!("JA"),
            &json!("2021-12-31"),
            &json!(true),
            &json!("FY2021-Q4")
        )
    );
    let f = &ja["figures"];
    let major = &f["major"];
    assert_eq!(major["digitisedInQuarter"], count(2, 2), "{major}");
    assert_eq!(major["digitised"], count(3, 3));
    assert_eq!(major["inScope"], count(4, 4));
    assert_eq!(major["planned"], count(1, 1));
    assert_eq!(major["rate"], 0.75);
    let examples: Vec<&Value> = major["examplesInQuarter"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(examples[0]["name"], "実習用通学定期乗車券の発売申込の届出");
    assert_eq!(
        (&examples[0]["digitisedOn"], &examples[0]["bureau"]["code"]),
        (&json!("2021-10-20"), &json!("KANKYO"))
    );
    assert_eq!(examples[1]["code"], "KANKYO-0003");
    assert_eq!(
        major["examplesPlanned"][0]["name"],
        "地球温暖化対策計画書の提出"
    );
    let other = &f["other"];
    assert_eq!(
        (&other["headline"], &other["rate"]),
        (&json!("PROCESSES"), &json!(0.4))
    );
    assert_eq!(other["digitisedInQuarter"], count(1, 40));
    assert_eq!(
        (&other["inScope"], &other["planned"]),
        (&count(2, 100), &count(1, 60))
    );
    let subsidies = &f["subsidies"];
    assert_eq!(subsidies["digitisedInQuarter"], count(1, 1));
    // 0009 was still targeted at Q4 when the quarter ended.
    assert_eq!(
        (&subsidies["inScope"], &subsidies["planned"]),
        (&count(2, 2), &count(1, 1))
    );
    assert_eq!(
        (&f["overallDigitised"], &f["overallInScope"]),
        (&count(5, 44), &count(8, 106))
    );
    let national = &f["nationalRequests"];
    assert_eq!(
        (
            &national["total"],
            &national["dateShown"],
            &national["underStudy"],
            &national["notYetAnswered"]
        ),
        (&json!(1), &json!(1), &json!(0), &json!(0))
    );
    assert_eq!(
        national["examples"],
        json!([{ "code": "LAW-0001", "group": "DATE_SHOWN", "titleJa": "LAW-0001 の改正",
                 "dateShown": "2023-03-27", "procedureCodes": ["KANKYO-0005"] }])
    );
    assert_eq!(ja["snapshot"], Value::Null);
    assert_eq!(ja["xlsxPath"], "/reports/quarterly/FY2021-Q3.xlsx?lang=ja");

    let md = &ja["markdown"];
    has(md, "### 進捗状況(2021年10~12月)");
    has(
        md,
        "今期(2021年10~12月)に2手続をオンライン化し、累計で3手続(都の権限で可能な4手続の75.0%)となりました。",
    );
    has(
        md,
        "- 実習用通学定期乗車券の発売申込の届出(環境局、2021年10月20日)",
    );
    has(md, "### 国への要望(2021年12月31日時点)");
    has(md, "| 国が時期を提示 | 1 |");
    has(md, "LAW-0001 の改正(環境省、2023年3月27日)");
    has(md, "### 今後の取組(2022年1~3月)");
    has(md, "2022年1~3月に1手続のオンライン化を予定しています。");
    has(
        md,
        "今期(2021年10~12月)に40事務(1手続)をオンライン化し、累計で40事務(対象100事務の40.0%)となりました。",
    );
    has(
        md,
        "全手続の合計では106事務のうち44事務(41.5%)がオンライン化済みです。",
    );
    has(
        md,
        "今期(2021年10~12月)にjGrantsで1件の受付を開始し、累計で1件(目標2件の50.0%)となりました。",
    );
    has(
        md,
        "2022年1~3月に1件の補助金をjGrantsで受付開始する予定です。",
    );
    let html = &ja["html"];
    has(html, "<html lang=\"ja\">");
    has(html, "<h3>進捗状況(2021年10~12月)</h3>");
    has(
        html,
        "<tr><th scope=\"row\">累計オンライン化</th><td>3</td><td>3</td></tr>",
    );

    let en = report(&server, "FY2021-Q3", "EN").await;
    assert_eq!(
        en["figures"], ja["figures"],
        "the figures do not depend on the language"
    );
    assert_eq!(en["xlsxPath"], "/reports/quarterly/FY2021-Q3.xlsx?lang=en");
    let md = &en["markdown"];
    has(md, "### Progress (October–December 2021)");
    has(
        md,
        "2 procedures went online this quarter (October–December 2021), 3 in all: 75.0% of the 4 within Tokyo's authority.",
    );
    has(
        md,
        "- Notification of student commuter passes for practical training (Bureau of Environment, 2021-10-20)",
    );
    has(md, "### National requests (as of 2021-12-31)");
    has(md, "| Date shown | 1 |");
    has(md, "### Next quarter (January–March 2022)");
    has(
        md,
        "1 procedure is planned to go online in January–March 2022.",
    );
    has(
        md,
        "- Submission of global warming countermeasure plans (Bureau of Environment)",
    );
    has(
        md,
        "1 subsidy opened on jGrants this quarter (October–December 2021), 1 in all: 50.0% of the 2 targeted.",
    );
    has(&en["html"], "<html lang=\"en\">");

    // Every role reads it: the viewer gets the same figures.
    let viewed = server
        .data_as(
            &server.viewer,
            REPORT,
            json!({ "q": "FY2021-Q3", "lang": "JA" }),
        )
        .await;
    assert_eq!(viewed["quarterlyReport"]["figures"], ja["figures"]);
}

async fn snapshots_running_and_future_quarters(server: TestServer, clock: Arc<FixedClock>) {
    history(&server, &clock).await;
    let frozen = server
        .data(
            "mutation { freezeQuarter(input: { quarter: \"FY2021-Q3\" }) { errors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(frozen["freezeQuarter"]["errors"], json!([]), "{frozen}");
    let ja = report(&server, "FY2021-Q3", "JA").await;
    assert_eq!(
        ja["snapshot"],
        json!({ "matches": true, "difference": null })
    );
    has(
        &ja["markdown"],
        "2022年1月10日に確定した同四半期のスナップショットと一致します。",
    );
    has(
        &report(&server, "FY2021-Q3", "EN").await["markdown"],
        "They equal the quarter's snapshot frozen on 2022-01-10.",
    );

    // FY2021-Q4 runs: its report is as of today, 0004 being the one new major so far.
    let running = report(&server, "FY2021-Q4", "EN").await;
    assert_eq!(
        (&running["asOf"], &running["complete"]),
        (&json!("2022-01-10"), &json!(false))
    );
    assert_eq!(
        running["figures"]["major"]["digitisedInQuarter"],
        count(1, 1)
    );
    has(
        &running["markdown"],
        "The quarter has not ended: the figures are those so far.",
    );

    // FY2022-Q1 has not started: refused, naming the argument.
    let refused = server
        .gql(REPORT, json!({ "q": "FY2022-Q1", "lang": "JA" }))
        .await;
    assert_eq!(graphql_error_codes(&refused), ["VALIDATION"], "{refused}");
    assert!(refused.to_string().contains("has not started"), "{refused}");
    // A malformed quarter is refused by the scalar before anything runs.
    let malformed = server
        .gql(REPORT, json!({ "q": "2021Q3", "lang": "JA" }))
        .await;
    assert_eq!(
        graphql_error_codes(&malformed),
        ["VALIDATION"],
        "{malformed}"
    );
}
