//! What someone meets in their first hour with the `rollout` binary: the help, the messages of a
//! PostgreSQL URL without a user and of a bad setting, `demo --users`, and what `serve` says on a
//! database that already has users. Each test runs the real binary in a temporary directory.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rollout"));
    cmd.current_dir(dir).args(args).env_remove("PGUSER");
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("ROLLOUT_")) {
        cmd.env_remove(key);
    }
    cmd
}

fn rollout(dir: &Path, args: &[&str]) -> Output {
    command(dir, args)
        .output()
        .expect("the rollout binary runs")
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

#[test]
fn the_help_describes_the_product() {
    let dir = tempfile::tempdir().unwrap();
    let out = rollout(dir.path(), &["--help"]);
    assert_eq!(code(&out), 0);
    let help = stdout(&out);
    assert!(help.contains("from hearing to release"), "{help}");
    assert!(help.contains("rollout serve --demo"), "{help}");
    assert!(!help.contains("backend choice"), "{help}");
}

#[test]
fn a_postgres_url_without_a_user_is_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let out = rollout(
        dir.path(),
        &[
            "migrate",
            "--database-url",
            "postgres://127.0.0.1:5432/postgres",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("names no user"), "{err}");
    assert!(
        err.contains("postgres://postgres@127.0.0.1:5432/rollout") && err.contains("PGUSER"),
        "{err}"
    );
    assert!(!err.contains("anonymous\" does not exist"), "{err}");
}

#[test]
fn only_serve_checks_the_listen_address() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path(), &["migrate"])
        .env("ROLLOUT_LISTEN", "localhost")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = command(dir.path(), &["serve"])
        .env("ROLLOUT_LISTEN", "localhost")
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("listen address \"localhost\" is not"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_bundled_bureaus_import_and_the_demo_list_points_at_demo() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/demo");
    let bureaus = demo.join("bureaus.csv");
    let out = rollout(
        dir.path(),
        &["import", "bureaus", bureaus.to_str().unwrap()],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("imported 31 bureaus"),
        "{}",
        stdout(&out)
    );
    let procedures = demo.join("procedures.csv");
    let out = rollout(
        dir.path(),
        &["import", "procedures", procedures.to_str().unwrap()],
    );
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("not an import file: `rollout demo` loads it"),
        "{}",
        stderr(&out)
    );
}

/// `demo --users` prints the demo users' tokens once; a later `serve` on that database creates
/// nobody and says how to get a token.
#[test]
fn demo_users_then_serve_says_how_to_get_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let out = rollout(dir.path(), &["demo", "--synthetic", "20", "--users"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Demo users and their API tokens, shown only now:"),
        "{text}"
    );
    let logins: Vec<&str> = text.lines().filter(|l| l.contains(" rlt_")).collect();
    assert_eq!(logins.len(), 5, "{text}");
    assert!(
        logins[0].contains("PROJECT_OFFICE") && logins[0].contains("sato@office.demo"),
        "{text}"
    );

    let mut server = command(dir.path(), &["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines {
        let line = line.unwrap();
        let serving = line.starts_with("rollout is serving");
        seen.push(line);
        if serving {
            break;
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let text = seen.join("\n");
    assert!(
        text.contains("To get an API token: rollout token create --user <e-mail> --name"),
        "{text}"
    );
    assert!(!text.contains("rlt_"), "no token is shown again: {text}");
}
