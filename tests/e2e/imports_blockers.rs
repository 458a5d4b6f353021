//! `rollout import law-changes|milestones|dependencies` and `rollout deps dot` against the
//! database of a running server, on both backends: good files are written (and drawn), a file
//! with bad lines reports every one and writes nothing, and an edge that would close a cycle
//! is refused with the cycle spelled in codes. The commands run in-process through the same
//! functions the binary calls, so their output can be read.

use std::path::{Path, PathBuf};

use rollout_server::cli::{DatabaseArgs, DepsDotArgs, ImportArgs, WorkflowArgs};
use rollout_server::commands::{deps, import};
use rollout_server::config::{Config, Layer};
use rollout_server::{CliError, DatabaseUrl};

use crate::common::{TestServer, both_backends, changed_tables};

/// The configuration the binary would resolve with `--database-url` pointing at the server's.
pub(crate) fn config(server: &TestServer) -> Config {
    let flags = Layer {
        database_url: Some(DatabaseUrl::new(&server.database_url)),
        ..Layer::default()
    };
    Config::resolve(Layer::default(), Layer::default(), flags).expect("a valid configuration")
}

fn args(file: PathBuf) -> ImportArgs {
    ImportArgs {
        file,
        database: DatabaseArgs { database_url: None },
        workflow: WorkflowArgs { workflow: None },
        actor: "e2e-import".to_owned(),
    }
}

/// Writes `text` as `name` in `dir` and imports it: the summary, or the error and every line
/// reported.
async fn run_import(
    server: &TestServer,
    dir: &Path,
    kind: import::Kind,
    name: &str,
    text: &str,
) -> Result<String, (String, Vec<String>)> {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let mut problems = Vec::new();
    let result = import::import(&config(server), kind, &args(path), &mut problems).await;
    let lines: Vec<String> = String::from_utf8(problems)
        .unwrap()
        .lines()
        .map(|l| {
            l.rsplit_once(&format!("{name}:"))
                .map_or(l, |(_, r)| r)
                .to_owned()
        })
        .collect();
    result.map_err(|e: CliError| (e.to_string(), lines))
}

/// `rollout deps dot` with the given root and depth.
pub(crate) async fn dot(
    server: &TestServer,
    root: Option<&str>,
    depth: usize,
) -> Result<String, String> {
    let args = DepsDotArgs {
        root: root.map(str::to_owned),
        depth,
        database: DatabaseArgs { database_url: None },
        workflow: WorkflowArgs { workflow: None },
    };
    deps::dot(&config(server), &args)
        .await
        .map_err(|e| e.to_string())
}

const LAWS: &str = "code,title_ja,title_en,level,ministry_ja,ministry_en,law_name,article,owner_bureau_code,status,requested_on,expected_effective_on,enacted_on,notes
LAW-0001,産廃許可のオンライン化,Waste permits online,NATIONAL_LAW,環境省,Ministry of the Environment,廃棄物の処理及び清掃に関する法律,,KANKYO,UNDER_STUDY,2021-03-01,,,
LAW-0002,建設業許可のオンライン化,,MINISTERIAL_ORDINANCE,国土交通省,,,,TOSHI,ENACTED,2021-03-01,2022-04-01,2022-04-01,
";

const MILESTONES: &str = "name,platform,planned_on,status,done_on,notes
SaaS live,SAAS_E_APPLICATION,2022-03-01,DONE,2022-03-01,first procedures from March 2022
";

const DEP_HEADER: &str = "procedure_code,on_kind,on_code,reason\n";

async fn set_up(server: &TestServer, dir: &Path) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("TOSHI", "都市整備局", "Bureau of Urban Development")
        .await;
    for (bureau, code) in [
        ("KANKYO", "KANKYO-0012"),
        ("TOSHI", "TOSHI-0003"),
        ("TOSHI", "TOSHI-0004"),
    ] {
        server.simple_procedure(bureau, code).await;
    }
    let summary = run_import(server, dir, import::Kind::LawChanges, "laws.csv", LAWS)
        .await
        .unwrap();
    assert!(
        summary.starts_with("imported 2 law changes in "),
        "{summary}"
    );
    let summary = run_import(server, dir, import::Kind::Milestones, "ms.csv", MILESTONES)
        .await
        .unwrap();
    assert!(
        summary.starts_with("imported 1 milestones in "),
        "{summary}"
    );
    let deps = format!(
        "{DEP_HEADER}KANKYO-0012,LAW_CHANGE,LAW-0001,needs the law\nKANKYO-0012,PROCEDURE,TOSHI-0003,\nTOSHI-0003,MILESTONE,SaaS live,\nTOSHI-0003,LAW_CHANGE,LAW-0002,\n"
    );
    let summary = run_import(server, dir, import::Kind::Dependencies, "deps.csv", &deps)
        .await
        .unwrap();
    assert!(
        summary.starts_with("imported 4 dependencies in "),
        "{summary}"
    );
}

async fn bad_lines_are_all_reported_and_nothing_is_written(server: TestServer) {
    let dir = tempfile::tempdir().unwrap();
    set_up(&server, dir.path()).await;
    let fingerprints = server.fingerprinter().await;
    let before = fingerprints.take().await;

    let laws = format!(
        "{}LAW-0001,重複,,NATIONAL_LAW,環境省,,,,KANKYO,REQUESTED,2021-03-01,,,\nLAW-0009,x,,NATIONAL_LAW,,,,,NOPE,DATE_SHOWN,,,,\nLAW-0010,ok,,TOKYO_ORDINANCE,,,,,KANKYO,NOT_REQUESTED,,,,\n",
        LAWS.lines().next().unwrap().to_owned() + "\n"
    );
    let (error, lines) = run_import(
        &server,
        dir.path(),
        import::Kind::LawChanges,
        "bad-laws.csv",
        &laws,
    )
    .await
    .unwrap_err();
    assert_eq!(
        lines,
        [
            "2: law change LAW-0001 already exists in the database",
            "3: ministry_ja is required for a national rule (NATIONAL_LAW)",
            "3: expected_effective_on is required when status is DATE_SHOWN",
        ],
        "{error}"
    );
    assert!(
        error.contains("nothing imported: 3 problem(s) on 2 line(s)"),
        "{error}"
    );

    let deps = format!(
        "{DEP_HEADER}TOSHI-0004,PROCEDURE,KANKYO-0012,\nTOSHI-0003,PROCEDURE,TOSHI-0004,closes the loop\nTOSHI-0003,MILESTONE,Nope,\nKANKYO-0012,LAW_CHANGE,LAW-0001,\nTOSHI-0004,SOMETHING,X,\n"
    );
    let (error, lines) = run_import(
        &server,
        dir.path(),
        import::Kind::Dependencies,
        "bad-deps.csv",
        &deps,
    )
    .await
    .unwrap_err();
    assert_eq!(
        lines,
        [
            "3: this dependency would close a cycle: TOSHI-0003 → TOSHI-0004 → KANKYO-0012 → TOSHI-0003",
            "4: on_code: unknown milestone \"Nope\"",
            "5: KANKYO-0012 already depends on LAW-0001 in the database",
            "6: on_kind \"SOMETHING\" is not one of LAW_CHANGE, MILESTONE, PROCEDURE (case does not matter)",
        ],
        "{error}"
    );
    let after = fingerprints.take().await;
    assert_eq!(
        changed_tables(&before, &after),
        Vec::<String>::new(),
        "nothing written"
    );
    fingerprints.close().await;
}

async fn deps_dot_draws_the_graph_and_a_neighbourhood(server: TestServer) {
    let dir = tempfile::tempdir().unwrap();
    set_up(&server, dir.path()).await;
    let whole = dot(&server, None, 3).await.unwrap();
    assert!(whole.trim_start().starts_with("digraph"), "{whole}");
    for label in [
        "KANKYO-0012",
        "TOSHI-0003",
        "LAW-0001",
        "LAW-0002",
        "SaaS live",
    ] {
        assert!(whole.contains(label), "{label} missing from\n{whole}");
    }
    assert!(
        !whole.contains("TOSHI-0004"),
        "a procedure without edges is not drawn:\n{whole}"
    );
    assert_eq!(whole.matches("->").count(), 4, "{whole}");

    let near = dot(&server, Some("TOSHI-0003"), 1).await.unwrap();
    for label in ["TOSHI-0003", "KANKYO-0012", "SaaS live", "LAW-0002"] {
        assert!(near.contains(label), "{label} missing from\n{near}");
    }
    assert!(!near.contains("LAW-0001"), "two steps away:\n{near}");
    assert_eq!(near.matches("->").count(), 3, "{near}");

    let unknown = dot(&server, Some("NOPE-0001"), 2).await.unwrap_err();
    assert_eq!(
        unknown,
        "--root \"NOPE-0001\" is not a procedure code, law change code or milestone name in this database"
    );
}

both_backends!(
    bad_lines_are_all_reported_and_nothing_is_written,
    deps_dot_draws_the_graph_and_a_neighbourhood
);
