//! The XLSX read back with calamine: the sheets are there in each language, the figures are
//! numbers in the documented cells, the data sheet holds every procedure behind them, and the
//! same report gives the same bytes.

use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use rollout_report::xlsx::rows;
use rollout_report::{Language, render_xlsx};

use crate::common::{programme, report};

fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes)).expect("calamine opens the workbook")
}

fn sheet(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Range<Data> {
    book.worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

fn num(range: &Range<Data>, row: u32, col: u32) -> f64 {
    match range.get_value((row, col)) {
        Some(Data::Float(x)) => *x,
        Some(Data::Int(x)) => *x as f64,
        other => panic!("({row}, {col}) is not a number: {other:?}"),
    }
}

fn text(range: &Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        other => panic!("({row}, {col}) is not text: {other:?}"),
    }
}

/// (in quarter, digitised, in scope, planned) procedures in column B.
fn figures(range: &Range<Data>) -> [f64; 4] {
    [
        rows::IN_QUARTER,
        rows::DIGITISED,
        rows::IN_SCOPE,
        rows::PLANNED,
    ]
    .map(|r| num(range, r, 1))
}

#[test]
fn the_japanese_workbook_holds_the_figures_in_its_cells() {
    let mut book = open(render_xlsx(&report(), Language::Ja).expect("a workbook"));
    assert_eq!(
        book.sheet_names(),
        ["主要手続", "その他の手続", "補助金", "国への要望", "データ"]
    );
    let major = sheet(&mut book, "主要手続");
    assert_eq!(text(&major, 0, 0), "主要手続 — 進捗状況(2021年10~12月)");
    assert_eq!(text(&major, rows::HEADER, 1), "手続数");
    assert_eq!(text(&major, rows::IN_QUARTER, 0), "今期オンライン化");
    assert_eq!(figures(&major), [3.0, 71.0, 119.0, 31.0]);
    assert!((num(&major, rows::RATE, 1) - 71.0 / 119.0).abs() < 1e-12);
    assert_eq!(text(&major, rows::PLANNED, 0), "今後の取組(2022年1~3月)");
    // The first example of the quarter, by name.
    let all: Vec<String> = major
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(all.contains(&"実習用通学定期乗車券の発売申込の届出".to_owned()));
    assert!(all.contains(&"地球温暖化対策計画書の提出".to_owned()));

    let other = sheet(&mut book, "その他の手続");
    assert_eq!(num(&other, rows::IN_QUARTER, 2), 200.0);
    assert_eq!(num(&other, rows::DIGITISED, 2), 600.0);
    assert_eq!(num(&other, rows::IN_SCOPE, 2), 1000.0);
    assert!((num(&other, rows::RATE, 2) - 0.6).abs() < 1e-12);

    let subsidies = sheet(&mut book, "補助金");
    assert_eq!(text(&subsidies, rows::IN_SCOPE, 0), "目標(対象)");
    assert_eq!(figures(&subsidies), [6.0, 18.0, 32.0, 13.0]);

    let national = sheet(&mut book, "国への要望");
    let groups: Vec<(String, f64)> = (0..4)
        .map(|i| {
            let r = rows::NATIONAL_FIRST + i;
            (text(&national, r, 0), num(&national, r, 1))
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("国が時期を提示".to_owned(), 7.0),
            ("国が検討中".to_owned(), 13.0),
            ("未回答".to_owned(), 11.0),
            ("国が対応困難と回答".to_owned(), 0.0),
        ]
    );
    assert_eq!(num(&national, rows::NATIONAL_TOTAL, 1), 31.0);
    let list = rows::NATIONAL_TOTAL + 3;
    assert_eq!(
        text(&national, list, 2),
        "一般旅券の発給申請・紛失届のオンライン化（旅券法）"
    );

    // The data sheet: one row per procedure that existed, and its flags give the figures.
    let data = sheet(&mut book, "データ");
    assert_eq!(text(&data, 0, 1), "コード");
    let body: Vec<&[Data]> = data.rows().skip(1).collect();
    assert_eq!(body.len(), programme().len());
    let count = |topic: &str, col: usize| {
        body.iter()
            .filter(|r| r[0] == Data::String(topic.into()) && r[col] == Data::Bool(true))
            .count()
    };
    assert_eq!(
        (
            count("主要手続", 6),
            count("主要手続", 7),
            count("主要手続", 8),
            count("主要手続", 9)
        ),
        (119, 71, 3, 31)
    );
    assert_eq!((count("補助金", 7), count("補助金", 8)), (18, 6));
}

#[test]
fn the_english_workbook_has_the_same_figures() {
    let mut book = open(render_xlsx(&report(), Language::En).expect("a workbook"));
    assert_eq!(
        book.sheet_names(),
        [
            "Major procedures",
            "Other procedures",
            "Subsidies",
            "National requests",
            "Data"
        ]
    );
    let major = sheet(&mut book, "Major procedures");
    assert_eq!(
        text(&major, 0, 0),
        "Major procedures — Progress (October–December 2021)"
    );
    assert_eq!(text(&major, rows::IN_QUARTER, 0), "Digitised this quarter");
    assert_eq!(figures(&major), [3.0, 71.0, 119.0, 31.0]);
    let national = sheet(&mut book, "National requests");
    assert_eq!(text(&national, rows::NATIONAL_FIRST, 0), "Date shown");
    assert_eq!(num(&national, rows::NATIONAL_TOTAL, 1), 31.0);
    let subsidies = sheet(&mut book, "Subsidies");
    assert_eq!(figures(&subsidies), [6.0, 18.0, 32.0, 13.0]);
}

#[test]
fn the_same_report_gives_the_same_bytes() {
    let r = report();
    let first = render_xlsx(&r, Language::Ja).expect("a workbook");
    let second = render_xlsx(&r, Language::Ja).expect("a workbook");
    assert!(first == second, "two renderings of one report differ");
}
