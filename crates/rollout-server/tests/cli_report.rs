//! `rollout report quarterly` as the project office runs it: in a temporary directory on the
//! replayed history (`rollout demo --replay`), Markdown and HTML to standard output in either
//! language, a workbook to a file, and the refusals (a quarter not started, a malformed one, a
//! missing database).

use std::path::Path;
use std::process::{Command, Output};

fn rollout(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rollout"));
    cmd.current_dir(dir).args(args);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("ROLLOUT_")) {
        cmd.env_remove(key);
    }
    cmd.output().expect("the rollout binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn ok(o: &Output) -> String {
    assert_eq!(code(o), 0, "stderr: {}", stderr(o));
    stdout(o)
}

#[test]
fn the_quarterly_report_of_the_replayed_history() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = rollout(d, &["report", "quarterly", "--quarter", "FY2021-Q3"]);
    assert_eq!(code(&missing), 1);
    assert!(
        stderr(&missing).contains("no database at rollout.db"),
        "{}",
        stderr(&missing)
    );
    ok(&rollout(d, &["demo", "--replay"]));

    let ja = ok(&rollout(
        d,
        &["report", "quarterly", "--quarter", "FY2021-Q3"],
    ));
    assert!(
        ja.starts_with("# 手続のデジタル化 四半期進捗報告 令和3年度 第3四半期(2021年10~12月)\n"),
        "{ja}"
    );
    for wanted in [
        "### 進捗状況(2021年10~12月)",
        "累計で71手続(都の権限で可能な119手続の59.7%)",
        "国へ31件を要望しています。",
        "### 今後の取組(2022年1~3月)",
        "- 地球温暖化対策計画書の提出(環境局)",
    ] {
        assert!(ja.contains(wanted), "missing {wanted:?} in:\n{ja}");
    }
    let en = ok(&rollout(
        d,
        &[
            "report",
            "quarterly",
            "--quarter",
            "FY2021-Q3",
            "--lang",
            "en",
            "--format",
            "html",
        ],
    ));
    assert!(
        en.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"),
        "{en}"
    );
    assert!(
        en.contains("<h3>Progress (October–December 2021)</h3>"),
        "{en}"
    );
    assert!(
        en.contains("71 in all: 59.7% of the 119 within Tokyo&#39;s authority."),
        "{en}"
    );

    let out = ok(&rollout(
        d,
        &[
            "report",
            "quarterly",
            "--quarter",
            "FY2021-Q3",
            "--format",
            "xlsx",
            "-o",
            "q3.xlsx",
        ],
    ));
    assert_eq!(out, "", "nothing on standard output when writing a file");
    let workbook = std::fs::read(d.join("q3.xlsx")).expect("the workbook was written");
    assert!(
        workbook.starts_with(b"PK\x03\x04"),
        "an XLSX file is a zip archive"
    );
    // Piped (not a terminal), the workbook may go to standard output: the same bytes.
    let piped = rollout(
        d,
        &[
            "report",
            "quarterly",
            "--quarter",
            "FY2021-Q3",
            "--format",
            "xlsx",
        ],
    );
    assert_eq!(code(&piped), 0, "{}", stderr(&piped));
    assert!(
        piped.stdout == workbook,
        "the same report gives the same workbook"
    );

    let future = rollout(d, &["report", "quarterly", "--quarter", "FY2199-Q1"]);
    assert_eq!(code(&future), 1);
    assert!(
        stderr(&future).contains("FY2199-Q1 has not started"),
        "{}",
        stderr(&future)
    );
    let malformed = rollout(d, &["report", "quarterly", "--quarter", "2021Q3"]);
    assert_eq!(code(&malformed), 2, "a usage error: {}", stderr(&malformed));
    assert!(
        stderr(&malformed).contains("like FY2025-Q3"),
        "{}",
        stderr(&malformed)
    );
    let bad_lang = rollout(
        d,
        &[
            "report",
            "quarterly",
            "--quarter",
            "FY2021-Q3",
            "--lang",
            "fr",
        ],
    );
    assert_eq!(code(&bad_lang), 2);
}
