//! `rollout user`, `rollout token` and `rollout audit export` as a person runs them: in a
//! temporary directory against a SQLite file, checking exit codes, output, and that a token
//! created on the command line really opens the API.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn rollout(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rollout"));
    cmd.current_dir(dir).args(args);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("ROLLOUT_")) {
        cmd.env_remove(key);
    }
    cmd.output().expect("the rollout binary runs")
}

fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn fails(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(1),
        "stdout: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn users_tokens_and_the_audit_export() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = fails(&rollout(d, &["user", "list"]));
    assert!(
        missing.contains("no database at rollout.db (sqlite:rollout.db)"),
        "{missing}"
    );
    assert!(!d.join("rollout.db").exists(), "nothing was created");
    ok(&rollout(d, &["demo"]));
    // The demo data brings its users (the recorders of its hearings and tasks), not their tokens.
    let demo_users = ok(&rollout(d, &["user", "list"]));
    assert_eq!(demo_users.lines().count(), 6, "{demo_users}");
    assert!(
        demo_users.contains("sato@office.demo\tPROJECT_OFFICE\t"),
        "{demo_users}"
    );
    assert!(ok(&rollout(d, &["token", "list"])).starts_with("no tokens: create one with"));
    let added = ok(&rollout(
        d,
        &[
            "user",
            "add",
            "--email",
            "Sato@Office.example.jp",
            "--name",
            "佐藤",
            "--role",
            "project_office",
        ],
    ));
    assert!(
        added.contains("sato@office.example.jp\tPROJECT_OFFICE\t佐藤"),
        "{added}"
    );
    let coordinator = rollout(
        d,
        &[
            "user",
            "add",
            "--email",
            "tanaka@kankyo.example.jp",
            "--name",
            "田中",
            "--role",
            "BUREAU_COORDINATOR",
        ],
    );
    assert!(fails(&coordinator).contains("a bureau coordinator needs a bureau"));
    ok(&rollout(
        d,
        &[
            "user",
            "add",
            "--email",
            "tanaka@kankyo.example.jp",
            "--name",
            "田中",
            "--role",
            "BUREAU_COORDINATOR",
            "--bureau",
            "KANKYO",
        ],
    ));
    let again = rollout(
        d,
        &[
            "user",
            "add",
            "--email",
            "sato@office.example.jp",
            "--name",
            "x",
            "--role",
            "VIEWER",
        ],
    );
    assert!(fails(&again).contains("already exists"));
    assert!(
        fails(&rollout(
            d,
            &[
                "user", "add", "--email", "x@y", "--name", "x", "--role", "root"
            ]
        ))
        .contains("unknown role")
    );

    let listed = ok(&rollout(d, &["user", "list"]));
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines[0], "EMAIL\tROLE\tNAME\tBUREAU\tSTATUS", "{listed}");
    assert_eq!(
        lines.len(),
        1 + 5 + 2,
        "five demo users and two added: {listed}"
    );
    for added in [
        "sato@office.example.jp\tPROJECT_OFFICE\t佐藤\t-\tactive",
        "tanaka@kankyo.example.jp\tBUREAU_COORDINATOR\t田中\tKANKYO\tactive",
    ] {
        assert!(lines.contains(&added), "{listed}");
    }

    let created = rollout(
        d,
        &[
            "token",
            "create",
            "--user",
            "sato@office.example.jp",
            "--name",
            "laptop",
            "--expires-in-days",
            "30",
        ],
    );
    let secret = ok(&created).trim().to_owned();
    assert!(secret.starts_with("rlt_") && secret.len() == 47, "{secret}");
    let tokens = ok(&rollout(
        d,
        &["token", "list", "--user", "sato@office.example.jp"],
    ));
    let rows: Vec<&str> = tokens.lines().collect();
    assert_eq!(rows[0], "PREFIX\tNAME\tUSER\tSTATE\tID", "{tokens}");
    let prefix = format!("{}…", &secret[..12]);
    assert!(
        rows[1].starts_with(&format!(
            "{prefix}\tlaptop\tsato@office.example.jp\texpires "
        )),
        "{tokens}"
    );
    assert!(!tokens.contains(&secret), "{tokens}");

    // Elsewhere, naming the database with the flag.
    let elsewhere = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", d.join("rollout.db").display());
    let db = ["--database-url", url.as_str()];
    let e = elsewhere.path();
    for _ in 0..2 {
        ok(&rollout(
            e,
            &[&["user", "disable", "tanaka@kankyo.example.jp"][..], &db].concat(),
        ));
    }
    assert!(ok(&rollout(e, &[&["user", "list"][..], &db].concat())).contains("\tDISABLED"));
    let revoked = ok(&rollout(
        e,
        &[&["token", "revoke", &prefix][..], &db].concat(),
    ));
    assert_eq!(revoked, format!("revoked {prefix} (laptop)\n"));
    let again = ok(&rollout(
        e,
        &[&["token", "revoke", &secret[..12]][..], &db].concat(),
    ));
    assert!(
        again.starts_with(&format!("token {prefix} (laptop) was already revoked at ")),
        "{again}"
    );
    assert!(ok(&rollout(d, &["token", "list"])).contains("\trevoked\t"));
    assert!(fails(&rollout(d, &["token", "revoke", "not-an-id"])).contains("not a token id"));
    assert!(!e.join("rollout.db").exists());

    let jsonl = ok(&rollout(d, &["audit", "export", "--since", "2020-04-01"]));
    let entries: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "demo.bureaus",
        "demo.procedures",
        "user.create",
        "token.create",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    for once in ["user.update", "token.revoke"] {
        let n = actions.iter().filter(|a| **a == once).count();
        assert_eq!(n, 1, "repeating a change writes no entry: {actions:?}");
    }
    let created_user = entries
        .iter()
        .find(|e| e["action"] == "user.create" && e["actor"] == "system:cli")
        .unwrap();
    assert_eq!(created_user["actor"], "system:cli");
    assert_eq!(created_user["after"]["email"], "sato@office.example.jp");
    assert!(
        !jsonl.contains(&secret),
        "a token secret leaked into the audit trail"
    );

    let out = dir.path().join("audit.csv");
    ok(&rollout(
        d,
        &[
            "audit",
            "export",
            "--format",
            "csv",
            "--output",
            out.to_str().unwrap(),
        ],
    ));
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.starts_with("id,at,actor,actor_id,on_behalf_of,action,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), entries.len() + 1);
    let none = ok(&rollout(d, &["audit", "export", "--since", "2099-01-01"]));
    assert!(none.is_empty(), "{none}");
    let backwards = rollout(
        d,
        &[
            "audit",
            "export",
            "--since",
            "2026-04-02",
            "--until",
            "2026-04-01",
        ],
    );
    assert!(fails(&backwards).contains("--until must be after --since"));
    assert!(
        fails(&rollout(d, &["audit", "export", "--since", "yesterday"])).contains("neither a date")
    );
}

#[test]
fn dates_on_the_command_line_stay_in_the_supported_range() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&rollout(d, &["migrate"]));
    let email = "sato@office.example.jp";
    ok(&rollout(
        d,
        &[
            "user", "add", "--email", email, "--name", "佐藤", "--role", "VIEWER",
        ],
    ));
    let token = |days: &str| {
        rollout(
            d,
            &[
                "token",
                "create",
                "--user",
                email,
                "--name",
                "far",
                "--expires-in-days",
                days,
            ],
        )
    };
    // Past 2200-12-31 from any day this century, and the largest number the flag takes.
    for days in ["70000", "4294967295"] {
        let refused = fails(&token(days));
        assert!(
            refused.contains("--expires-in-days")
                && refused.contains("2200-12-31T23:59:59.999999Z"),
            "{days}: {refused}"
        );
    }
    let none = ok(&rollout(d, &["token", "list"]));
    assert!(none.starts_with("no tokens"), "nothing was written: {none}");
    ok(&token("30000"));
    let listed = ok(&rollout(d, &["token", "list"]));
    // PREFIX, NAME, USER, STATE, ID: the state of the one token is "expires <RFC 3339>".
    let state = listed
        .lines()
        .nth(1)
        .and_then(|row| row.split('\t').nth(3))
        .unwrap_or_default();
    let expiry = state.strip_prefix("expires ").unwrap_or_default();
    assert!(
        expiry.starts_with("21") && expiry.contains('T') && expiry.ends_with('Z'),
        "{listed}"
    );

    let jsonl = ok(&rollout(d, &["audit", "export", "--since", "1900-01-01"]));
    let created: Value = jsonl
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| e["action"] == "token.create")
        .expect("the token.create entry");
    assert_eq!(
        created["after"]["expiresAt"], expiry,
        "RFC 3339 in the audit trail"
    );
    for (flag, bad) in [
        ("--since", "1899-12-31"),
        ("--until", "2201-01-02"),
        ("--until", "9999-12-31T23:59:59-23:59"),
    ] {
        let refused = fails(&rollout(d, &["audit", "export", flag, bad]));
        assert!(
            refused.contains(flag) && refused.contains("outside the supported"),
            "{flag} {bad}: {refused}"
        );
    }
}

/// The review intake identity (issue 13) is made like any user: no bureau, and a token.
#[test]
fn a_review_intake_identity_and_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&rollout(d, &["migrate"]));
    std::fs::write(
        d.join("b.csv"),
        "code,name_ja,name_en\nKANKYO,環境局,Environment\n",
    )
    .unwrap();
    ok(&rollout(d, &["import", "bureaus", "b.csv"]));
    let add = |extra: &[&str]| {
        let args = [
            &["user", "add", "--email", "form@e-shinsei.example.jp"][..],
            &["--name", "電子申請フォーム", "--role", "review-intake"],
            extra,
        ]
        .concat();
        rollout(d, &args)
    };
    let with_bureau = fails(&add(&["--bureau", "KANKYO"]));
    assert!(
        with_bureau.contains("only bureau coordinators"),
        "{with_bureau}"
    );
    let added = ok(&add(&[]));
    assert!(
        added.contains("form@e-shinsei.example.jp\tREVIEW_INTAKE\t電子申請フォーム\t-\tactive"),
        "{added}"
    );
    let args = [
        "token",
        "create",
        "--user",
        "form@e-shinsei.example.jp",
        "--name",
        "form",
    ];
    let secret = ok(&rollout(d, &args)).trim().to_owned();
    assert!(secret.starts_with("rlt_"), "{secret}");
}
