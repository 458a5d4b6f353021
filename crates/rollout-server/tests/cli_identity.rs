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
    ok(&rollout(d, &["demo"]));
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
    assert_eq!(listed.lines().count(), 2, "{listed}");

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
    assert!(
        tokens.contains("laptop") && tokens.contains(&secret[..12]) && !tokens.contains(&secret),
        "{tokens}"
    );
    let id = tokens.split('\t').next().unwrap().to_owned();

    ok(&rollout(
        d,
        &["user", "disable", "tanaka@kankyo.example.jp"],
    ));
    assert!(ok(&rollout(d, &["user", "list"])).contains("DISABLED"));
    ok(&rollout(d, &["token", "revoke", &id]));
    assert!(ok(&rollout(d, &["token", "list"])).contains("revoked"));
    assert!(fails(&rollout(d, &["token", "revoke", "not-an-id"])).contains("not a token id"));

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
        "user.update",
        "token.revoke",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    let created_user = entries
        .iter()
        .find(|e| e["action"] == "user.create")
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
    assert_eq!(
        ok(&rollout(d, &["token", "list"])),
        "",
        "nothing was written"
    );
    ok(&token("30000"));
    let listed = ok(&rollout(d, &["token", "list"]));
    let expiry = listed
        .trim_end()
        .rsplit("expires ")
        .next()
        .unwrap_or_default();
    assert!(
        expiry.len() == "2108-01-01T00:00:00.123456Z".len() && expiry.ends_with('Z'),
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
