//! Tests of the pure parts of importing: reading, header checks, row checks. Writing through a
//! store is covered by the `rollout import` integration tests of the server crate.

use super::*;

fn ignore(_: ImportProgress) {}

fn rows_of(text: &str, columns: &[&str]) -> (Vec<CsvRow>, Vec<RowError>) {
    read_rows(text.as_bytes(), columns).expect("readable")
}

fn row_errors(result: Result<impl std::fmt::Debug, ImportError>) -> Vec<(u64, String)> {
    match result {
        Err(ImportError::Rows(errors)) => errors.into_iter().map(|e| (e.line, e.message)).collect(),
        other => panic!("expected row errors, got {other:?}"),
    }
}

#[test]
fn byte_order_mark_is_stripped_and_lines_count_from_the_header() {
    let text = "\u{feff}code,name_ja,name_en\nKANKYO,環境局,Environment\n\"SOUMU\",\"総務\n局\",General\nZAIMU,財務局,Finance\n";
    let (rows, errors) = rows_of(text, BUREAU_COLUMNS);
    assert!(errors.is_empty(), "{errors:?}");
    let lines: Vec<(u64, &str)> = rows.iter().map(|r| (r.line, r.get(0))).collect();
    assert_eq!(lines, [(2, "KANKYO"), (3, "SOUMU"), (5, "ZAIMU")]);
    assert_eq!(rows[1].get(1), "総務\n局");
}

#[test]
fn header_problems_are_named() {
    let cases = [
        ("", "the file is empty"),
        ("code,name_ja\n", "missing column(s): name_en"),
        (
            "code,name,name_en,extra\n",
            "missing column(s): name_ja; unknown column(s): name, extra",
        ),
        (
            "code,name_en,name_ja\n",
            "the columns are in the wrong order",
        ),
        ("code,name_ja,name_en,code\n", "repeated column(s): code"),
    ];
    for (text, problem) in cases {
        let errors = row_errors(read_rows(text.as_bytes(), BUREAU_COLUMNS));
        assert_eq!(
            errors,
            [(
                1,
                format!(
                    "bad header ({problem}); the first line must be exactly: code,name_ja,name_en"
                )
            )],
            "{text:?}"
        );
    }
}

#[test]
fn rows_of_the_wrong_width_and_bad_utf8_are_reported_with_their_lines() {
    let mut bytes = b"code,name_ja,name_en\nKANKYO,a,b\nSOUMU,a\nZAIMU,".to_vec();
    bytes.extend_from_slice(b"\xff\xfe,c\nSHUZEI,a,b,c\n");
    let (rows, errors) = read_rows(&bytes[..], BUREAU_COLUMNS).expect("readable");
    assert_eq!(rows.len(), 1);
    let found: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (3, "expected 3 fields, found 2"),
            (4, "field 2 is not valid UTF-8"),
            (5, "expected 3 fields, found 4"),
        ]
    );
}

#[test]
fn bureau_rows_report_every_problem() {
    let text = "code,name_ja,name_en\nKANKYO,環境局,Environment\nkankyo,,Env\nKANKYO,環境局,Again\nSOUMU,総務局,General Affairs\n";
    let errors = row_errors(parse_bureaus(text.as_bytes(), &ignore));
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0].0, 3);
    assert!(
        errors[0].1.contains("bureau code \"kankyo\""),
        "{}",
        errors[0].1
    );
    assert_eq!(errors[1], (3, "name_ja must not be empty".to_owned()));
    assert_eq!(
        errors[2],
        (4, "duplicate code KANKYO (first on line 2)".to_owned())
    );
}

#[test]
fn good_bureaus_parse_with_progress() {
    let text =
        "code,name_ja,name_en\r\nKANKYO,環境局,Environment\r\nSOUMU, 総務局 ,General Affairs\r\n";
    let seen = std::sync::Mutex::new(Vec::new());
    let parsed = parse_bureaus(text.as_bytes(), &|p| seen.lock().unwrap().push(p)).expect("valid");
    let codes: Vec<(u64, &str, &str)> = parsed
        .iter()
        .map(|(line, b)| (*line, b.code.as_str(), b.name_ja.as_str()))
        .collect();
    assert_eq!(codes, [(2, "KANKYO", "環境局"), (3, "SOUMU", "総務局")]);
    let last = *seen.lock().unwrap().last().expect("progress reported");
    assert_eq!(
        last,
        ImportProgress {
            phase: ImportPhase::Checking,
            done: 2,
            total: 2
        }
    );
}

#[test]
fn bureau_names_go_through_the_text_rule() {
    let text = "code,name_ja,name_en\nKANKYO,環境\u{1b}局,Environment\nZAIMU,財務局,Fin\0ance\n";
    assert_eq!(
        row_errors(parse_bureaus(text.as_bytes(), &ignore)),
        [
            (
                2,
                "name_ja must not contain the control character U+001B (character 3)".to_owned()
            ),
            (3, "name_en must not contain the NUL character".to_owned()),
        ]
    );
}
