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
