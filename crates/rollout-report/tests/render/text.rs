//! Markdown and HTML in Japanese and English: titles by months, the figures, the examples, and
//! escaping of names that contain markup.

use rollout_report::{Language, render_html, render_markdown};

use rollout_domain::analytics::report::SnapshotCheck;

use crate::common::{d, report, report_on};

fn has(text: &str, wanted: &str) {
    assert!(text.contains(wanted), "missing {wanted:?} in:\n{text}");
}

#[test]
fn japanese_markdown_states_the_quarter_in_the_programme_structure() {
    let md = render_markdown(&report(), Language::Ja);
    has(
        &md,
        "# 手続のデジタル化 四半期進捗報告 令和3年度 第3四半期(2021年10~12月)",
    );
    has(&md, "基準日: 2021年12月31日");
    has(&md, "## 1 主要手続");
    has(&md, "### 進捗状況(2021年10~12月)");
    has(
        &md,
        "今期(2021年10~12月)に3手続をオンライン化し、累計で71手続(都の権限で可能な119手続の59.7%)となりました。",
    );
    has(&md, "| 今期オンライン化 | 3 | 3 |");
    has(&md, "| 累計オンライン化 | 71 | 71 |");
    has(&md, "| 対象(都の権限で可能なもの) | 119 | 119 |");
    has(&md, "| オンライン化率 | 59.7% | 59.7% |");
    // The real name comes first among the examples, with its bureau and date.
    let examples = md.split("今期の主な例:").nth(1).expect("examples");
    assert!(
        examples
            .trim_start()
            .starts_with("- 実習用通学定期乗車券の発売申込の届出(環境局、2021年11月15日)"),
        "{examples}"
    );
    has(&md, "### 国への要望(2021年12月31日時点)");
    has(&md, "国へ31件を要望しています。");
    has(
        &md,
        "| 国が時期を提示 | 7 | 一般旅券の発給申請・紛失届のオンライン化（旅券法）(外務省、2023年3月27日)",
    );
    has(&md, "| 国が検討中 | 13 |");
    has(&md, "| 未回答 | 11 |");
    has(&md, "| 合計 | 31 |");
    assert!(
        !md.contains("国が対応困難と回答"),
        "no declined row when there is none"
    );
    has(&md, "### 今後の取組(2022年1~3月)");
    has(&md, "2022年1~3月に31手続のオンライン化を予定しています。");
    has(&md, "- 地球温暖化対策計画書の提出(教育庁)");
    has(&md, "## 2 その他の手続(事務単位)");
    has(
        &md,
        "今期(2021年10~12月)に200事務(2手続)をオンライン化し、累計で600事務(対象1,000事務の60.0%)となりました。",
    );
    has(
        &md,
        "2022年1~3月に100事務(1手続)のオンライン化を予定しています。",
    );
    // 71 + 600 + 18 processes online out of 119 + 1,000 + 32.
    has(
        &md,
        "全手続の合計では1,151事務のうち689事務(59.9%)がオンライン化済みです。",
    );
    has(&md, "## 3 補助金(jGrants)");
    has(
        &md,
        "今期(2021年10~12月)にjGrantsで6件の受付を開始し、累計で18件(目標32件の56.3%)となりました。",
    );
    has(
        &md,
        "2022年1~3月に13件の補助金をjGrantsで受付開始する予定です。",
    );
}

#[test]
fn english_markdown_is_a_translation_with_the_same_figures() {
    let md = render_markdown(&report(), Language::En);
    has(
        &md,
        "# Online procedures: quarterly progress report, FY2021 Q3 (October–December 2021)",
    );
    has(&md, "As of 2021-12-31");
    has(&md, "### Progress (October–December 2021)");
    has(
        &md,
        "3 procedures went online this quarter (October–December 2021), 71 in all: 59.7% of the 119 within Tokyo's authority.",
    );
    has(&md, "| Digitised this quarter | 3 | 3 |");
    has(
        &md,
        "- Notification of applications for student commuter passes for practical training (Bureau of Environment, 2021-11-15)",
    );
    has(&md, "### National requests (as of 2021-12-31)");
    has(&md, "31 requests to the national government");
    has(
        &md,
        "| Date shown | 7 | Request 1 (Ministry of Foreign Affairs, 2023-03-27)",
    );
    has(&md, "| Under study | 13 |");
    has(&md, "| Not yet answered | 11 |");
    has(&md, "### Next quarter (January–March 2022)");
    has(
        &md,
        "31 procedures are planned to go online in January–March 2022.",
    );
    has(
        &md,
        "- Submission of global warming countermeasure plans (Board of Education)",
    );
    has(
        &md,
        "200 processes (2 procedures) went online this quarter (October–December 2021); 600 of the 1,000 processes in scope (60.0%) are online.",
    );
    has(
        &md,
        "6 subsidies opened on jGrants this quarter (October–December 2021), 18 in all: 56.3% of the 32 targeted.",
    );
    has(
        &md,
        "13 subsidies are planned to open on jGrants in January–March 2022.",
    );
    for ja in [
        "進捗状況",
        "今後の取組",
        "国への要望",
        "基準日",
        "オンライン化",
        "事務",
        "件",
    ] {
        assert!(!md.contains(ja), "untranslated {ja:?} in:\n{md}");
    }
}

#[test]
fn markdown_escapes_what_the_data_says() {
    let md = render_markdown(&report(), Language::Ja);
    has(&md, r"\<script\>alert(1)\</script\> \| \*x\* \& y");
    assert!(!md.contains("<script>"));
}

#[test]
fn html_is_a_complete_accessible_self_contained_document() {
    for (lang, code, heading) in [
        (Language::Ja, "ja", "<h3>進捗状況(2021年10~12月)</h3>"),
        (
            Language::En,
            "en",
            "<h3>Progress (October–December 2021)</h3>",
        ),
    ] {
        let html = render_html(&report(), lang);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\""), "{html}");
        has(&html, &format!("<html lang=\"{code}\">"));
        has(&html, "<meta charset=\"utf-8\">");
        has(&html, heading);
        assert_eq!(html.matches("<h1>").count(), 1);
        has(&html, "<th scope=\"col\">");
        has(&html, "<th scope=\"row\">");
        has(&html, "<caption>");
        // Nothing loaded from elsewhere, no script of ours.
        for banned in ["<script", "<link", "src=", "href=", "@import", "url("] {
            assert!(!html.contains(banned), "{banned} in:\n{html}");
        }
        has(&html, "&lt;script&gt;alert(1)&lt;/script&gt; | *x* &amp; y");
    }
    let ja = render_html(&report(), Language::Ja);
    has(
        &ja,
        "<tr><th scope=\"row\">累計オンライン化</th><td>71</td><td>71</td></tr>",
    );
    has(&ja, "<tr><th scope=\"row\">国が検討中</th><td>13</td>");
    let en = render_html(&report(), Language::En);
    has(
        &en,
        "<tr><th scope=\"row\">Digitised in all</th><td>71</td><td>71</td></tr>",
    );
}

#[test]
fn the_notes_say_how_the_figures_compare_with_the_frozen_snapshot() {
    let mut r = report();
    let ja = render_markdown(&r, Language::Ja);
    has(
        &ja,
        "数値は rollout の履歴から2021年12月31日終了時点(日本時間)で再現したものです。同四半期のスナップショットはまだ確定されていません。",
    );
    has(
        &render_markdown(&r, Language::En),
        "The quarter's snapshot has not been frozen yet.",
    );
    let frozen_at = chrono::DateTime::parse_from_rfc3339("2022-01-04T16:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    r.snapshot = Some(SnapshotCheck {
        frozen_at,
        difference: None,
    });
    // 16:00 UTC is already 5 January in Tokyo.
    has(
        &render_markdown(&r, Language::Ja),
        "2022年1月5日に確定した同四半期のスナップショットと一致します。",
    );
    has(
        &render_html(&r, Language::En),
        "They equal the quarter&#39;s snapshot frozen on 2022-01-05.",
    );
    r.snapshot = Some(SnapshotCheck {
        frozen_at,
        difference: Some("MAJOR procedures in quarter: report 3, snapshot 4".to_owned()),
    });
    has(
        &render_markdown(&r, Language::En),
        "Warning: they differ from the snapshot frozen on 2022-01-05 (history was changed since: MAJOR procedures in quarter: report 3, snapshot 4).",
    );
}

#[test]
fn a_quarter_in_progress_says_its_figures_are_so_far() {
    let r = report_on(d("2021-11-20"));
    let en = render_markdown(&r, Language::En);
    has(&en, "As of 2021-11-20");
    has(
        &en,
        "The quarter has not ended: the figures are those so far.",
    );
    // 実習用… went online on 15 November, the other two later.
    has(
        &en,
        "1 procedure went online this quarter (October–December 2021), 69 in all",
    );
    assert!(!en.contains("snapshot"), "{en}");
    let ja = render_markdown(&r, Language::Ja);
    has(&ja, "基準日: 2021年11月20日");
    has(&ja, "四半期の途中のため、数値は基準日までの速報値です。");
}
