//! The `rollout` binary as a user runs it: in a temporary directory, against SQLite files there,
//! checking exit codes and what is printed. GraphQL over HTTP is tested end to end in the
//! workspace's `tests/`; the router's own rules are in `http.rs` beside this file.

use std::path::Path;
use std::process::{Command, Output};

use rollout_domain::workflow::DEFAULT_WORKFLOW_TOML;

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

const BUREAUS: &str = "\u{feff}code,name_ja,name_en\r\nKANKYO,環境局,Bureau of Environment\r\nSHUZEI,主税局,Bureau of Taxation\r\n";

const PROCEDURE_HEADER: &str = "code,name,name_en,bureau_code,category,authority,annual_applications,process_count,platform,target_quarter\n";

const GOOD_PROCEDURES: &[&str] = &[
    "KANKYO-0001,狩猟免許の更新,Hunting licence renewal,KANKYO,major,tokyo,,,,",
    "KANKYO-0002,地球温暖化対策報告書の提出,,KANKYO,STANDARD,TOKYO,12000,2,saas_e_application,FY2025-Q3",
    "SHUZEI-0001,都税証明の交付申請,Tax certificate,SHUZEI,Standard,Tokyo,350000,1,JOINT_E_APPLICATION,FY2026-Q1",
    "SHUZEI-0002,自動車税納税証明,,SHUZEI,STANDARD,NATIONAL,,,,",
];

fn procedures_csv(rows: &[&str]) -> String {
    let mut text = PROCEDURE_HEADER.to_owned();
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text
}

#[test]
fn schema_prints_the_sdl() {
    let dir = tempfile::tempdir().unwrap();
    let out = rollout(dir.path(), &["schema"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let sdl = stdout(&out);
    assert!(sdl.contains("type Procedure"), "{sdl}");
    assert!(sdl.contains("type Query"), "{sdl}");
}

#[test]
fn workflow_check_accepts_a_good_file_and_lists_every_error_of_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.toml"), DEFAULT_WORKFLOW_TOML).unwrap();
    let out = rollout(dir.path(), &["workflow", "check", "good.toml"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("OK good.toml: tokyo-digitisation@1: 7 states"),
        "{text}"
    );

    let bad = r#"
        [workflow]
        name = "broken"
        version = 1
        [[states]]
        key = "start"
        label_ja = "開始"
        label_en = "Start"
        kind = "INITIAL"
        [[states]]
        key = "done"
        label_ja = "完了"
        label_en = "Done"
        kind = "DONE"
        [[states]]
        key = "orphan"
        label_ja = "孤立"
        label_en = "Orphan"
        kind = "ACTIVE"
        [[transitions]]
        key = "finish"
        from = "start"
        to = "done"
        guards = ["signed_off"]
        [[transitions]]
        key = "nowhere"
        from = "start"
        to = "limbo"
        [[transitions]]
        key = "undo"
        from = "done"
        to = "start"
        [[transitions]]
        key = "redo"
        from = "done"
        to = "orphan"
    "#;
    std::fs::write(dir.path().join("bad.toml"), bad).unwrap();
    let out = rollout(dir.path(), &["workflow", "check", "bad.toml"]);
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.contains("workflow file bad.toml is invalid"), "{err}");
    // An unknown guard does not hide the rest (the issue "workflow check stops at the first
    // problem").
    for expected in [
        r#"transition "finish" names unknown guard "signed_off""#,
        r#"transition "nowhere" leads to unknown state "limbo""#,
        r#"transition "undo" leaves "done", a DONE state"#,
        r#"transition "redo" leaves "done", a DONE state"#,
    ] {
        assert!(err.contains(expected), "{expected}\n{err}");
    }
    assert!(
        err.contains(r#"state "orphan" cannot be reached from the initial state "start""#),
        "{err}"
    );
    assert!(
        err.contains(r#"state "orphan" cannot reach a DONE or CLOSED state"#),
        "{err}"
    );

    let out = rollout(dir.path(), &["workflow", "check", "missing.toml"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("cannot read workflow file missing.toml"));
}

#[test]
fn workflow_dot_draws_the_default_or_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = rollout(dir.path(), &["workflow", "dot"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let dot = stdout(&out);
    assert!(dot.starts_with("digraph \"tokyo-digitisation@1\""), "{dot}");
    assert!(dot.contains("\"hearing\""), "{dot}");
    assert!(
        dot.contains(
            r#"[label="release [no_open_blockers]\napproval: 1 × PROJECT_OFFICE", style=bold"#
        ),
        "approval gates are drawn: {dot}"
    );
    assert!(
        dot.contains(r#"[label="schedule [target_quarter_set]"]"#),
        "guards are drawn: {dot}"
    );
    let custom =
        DEFAULT_WORKFLOW_TOML.replace("name = \"tokyo-digitisation\"", "name = \"custom\"");
    std::fs::write(dir.path().join("w.toml"), custom).unwrap();
    let out = rollout(dir.path(), &["workflow", "dot", "w.toml"]);
    assert!(
        stdout(&out).starts_with("digraph \"custom@1\""),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_law_change_workflow_cannot_run_procedures() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("law.toml"),
        rollout_domain::workflow::LAW_CHANGE_WORKFLOW_TOML,
    )
    .unwrap();
    // It is a valid workflow file, for law changes…
    let out = rollout(dir.path(), &["workflow", "check", "law.toml"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // …which `demo`, `import` and `serve` refuse to run procedures with, before any database
    // work.
    let out = rollout(
        dir.path(),
        &[
            "demo",
            "--workflow",
            "law.toml",
            "--database-url",
            "sqlite:demo.db",
        ],
    );
    assert_ne!(code(&out), 0);
    assert!(
        stderr(&out).contains("workflow file law.toml describes law changes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn import_bureaus_then_procedures() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bureaus.csv"), BUREAUS).unwrap();
    std::fs::write(
        dir.path().join("procedures.csv"),
        procedures_csv(GOOD_PROCEDURES),
    )
    .unwrap();
    let db = ["--database-url", "sqlite:data.db"];
    let out = rollout(
        dir.path(),
        &[&["import", "bureaus", "bureaus.csv"][..], &db].concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("imported 2 bureaus in "),
        "{}",
        stdout(&out)
    );
    let out = rollout(
        dir.path(),
        &[&["import", "procedures", "procedures.csv"][..], &db].concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("imported 4 procedures in "),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).trim_end().ends_with(" s"), "{}", stdout(&out));

    // The same file again: every code is taken now, and each is reported on its line.
    let out = rollout(
        dir.path(),
        &[&["import", "procedures", "procedures.csv"][..], &db].concat(),
    );
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    for (line, code) in [
        (2, "KANKYO-0001"),
        (3, "KANKYO-0002"),
        (4, "SHUZEI-0001"),
        (5, "SHUZEI-0002"),
    ] {
        let expected =
            format!("procedures.csv:{line}: procedure {code} already exists in the database");
        assert!(err.contains(&expected), "{expected}\n{err}");
    }
    let out = rollout(
        dir.path(),
        &[&["import", "bureaus", "bureaus.csv"][..], &db].concat(),
    );
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("bureaus.csv:2: bureau KANKYO already exists in the database"));
}

#[test]
fn a_file_with_bad_rows_imports_nothing_and_reports_every_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bureaus.csv"), BUREAUS).unwrap();
    let mut rows: Vec<&str> = GOOD_PROCEDURES.to_vec();
    rows.insert(1, "KANKYO-0003,名前,,NOPE,STANDARD,TOKYO,,,,");
    rows.insert(3, "KANKYO-0004,,,KANKYO,STANDARD,TOKYO,-1,,,");
    rows.insert(5, "KANKYO-0001,重複,,KANKYO,STANDARD,TOKYO,,,,FY2025-Q5");
    rows.push("SHUZEI-0003,税,,SHUZEI,STANDARD,TOKYO,,,fax,");
    std::fs::write(dir.path().join("bad.csv"), procedures_csv(&rows)).unwrap();
    std::fs::write(dir.path().join("good.csv"), procedures_csv(GOOD_PROCEDURES)).unwrap();
    let db = ["--database-url", "sqlite:data.db"];
    let out = rollout(
        dir.path(),
        &[&["import", "bureaus", "bureaus.csv"][..], &db].concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let out = rollout(
        dir.path(),
        &[&["import", "procedures", "bad.csv"][..], &db].concat(),
    );
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    let reported: Vec<&str> = err.lines().filter(|l| l.starts_with("bad.csv:")).collect();
    assert_eq!(
        reported,
        [
            "bad.csv:3: unknown bureau code NOPE",
            "bad.csv:5: name must not be empty",
            "bad.csv:5: annual applications must not be negative",
            "bad.csv:7: target_quarter: \"FY2025-Q5\" is not a fiscal quarter: write FY, four digits, -Q and 1-4, like FY2025-Q3",
            "bad.csv:9: platform \"fax\" is not one of JOINT_E_APPLICATION, SAAS_E_APPLICATION, JGRANTS, MYNA_PORTAL, OTHER_NATIONAL_SYSTEM, DEDICATED_SYSTEM (case does not matter)",
        ],
        "{err}"
    );
    assert!(
        err.contains("error: nothing imported: 5 problem(s) on 4 line(s) of bad.csv"),
        "{err}"
    );

    // Nothing of the bad file was written: all four good codes are still free.
    let out = rollout(
        dir.path(),
        &[&["import", "procedures", "good.csv"][..], &db].concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("imported 4 procedures in "),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_bad_header_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.csv"),
        "code,name,bureau\nKANKYO-0001,x,KANKYO\n",
    )
    .unwrap();
    let out = rollout(
        dir.path(),
        &[
            "import",
            "procedures",
            "p.csv",
            "--database-url",
            "sqlite:d.db",
        ],
    );
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("p.csv:1: bad header (missing column(s): name_en, bureau_code, category, authority, annual_applications, process_count, platform, target_quarter; unknown column(s): bureau)"),
        "{err}"
    );
}

#[test]
fn demo_loads_once_then_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let out = rollout(dir.path(), &["demo", "--synthetic", "200"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("loaded 31 bureaus, 44 real and 200 generated procedures ("),
        "{text}"
    );
    assert!(text.contains("into sqlite:rollout.db in "), "{text}");
    assert!(dir.path().join("rollout.db").exists());
    let out = rollout(dir.path(), &["demo", "--synthetic", "200"]);
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains(
            "refusing to load demo data: sqlite:rollout.db already holds bureaus or procedures"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn migrate_creates_the_database_named_by_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("site.toml"),
        "database_url = \"sqlite:from-config.db\"\n",
    )
    .unwrap();
    let out = rollout(dir.path(), &["--config", "site.toml", "migrate"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/sqlite");
    let version = std::fs::read_dir(migrations)
        .unwrap()
        .filter_map(|f| {
            f.unwrap()
                .file_name()
                .to_str()?
                .split('_')
                .next()?
                .parse::<u32>()
                .ok()
        })
        .max()
        .unwrap();
    assert_eq!(
        stdout(&out),
        format!(
            "created SQLite database sqlite:from-config.db and migrated it to version {version}\n"
        )
    );
    assert!(dir.path().join("from-config.db").exists());
    let again = rollout(dir.path(), &["--config", "site.toml", "migrate"]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(
        stdout(&again),
        format!(
            "SQLite database sqlite:from-config.db is migrated to version {version} (the latest)\n"
        )
    );
}

#[test]
fn exit_codes_distinguish_usage_input_and_database_failures() {
    let dir = tempfile::tempdir().unwrap();
    let usage = rollout(dir.path(), &["import", "everything"]);
    assert_eq!(code(&usage), 2);
    let scheme = rollout(
        dir.path(),
        &["migrate", "--database-url", "mysql://root:hunter2@db/x"],
    );
    assert_eq!(code(&scheme), 1);
    assert!(!stderr(&scheme).contains("hunter2"), "{}", stderr(&scheme));
    assert!(stderr(&scheme).contains("mysql://root:***@db/x"));
    let unreachable = rollout(
        dir.path(),
        &["migrate", "--database-url", "sqlite:no/such/directory/x.db"],
    );
    assert_eq!(code(&unreachable), 3, "{}", stderr(&unreachable));
    assert!(
        stderr(&unreachable).contains(
            "error: database unavailable: cannot connect to sqlite:no/such/directory/x.db"
        )
    );
    assert_eq!(
        stderr(&unreachable).matches("database unavailable").count(),
        1,
        "the cause chain does not repeat itself: {}",
        stderr(&unreachable)
    );
    let missing = rollout(dir.path(), &["import", "bureaus", "none.csv"]);
    assert_eq!(code(&missing), 1);
    assert!(
        stderr(&missing).starts_with("error: cannot open none.csv: "),
        "{}",
        stderr(&missing)
    );
}
