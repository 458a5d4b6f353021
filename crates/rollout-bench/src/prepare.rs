//! Getting databases ready through the product's own CLI, timing the parts the issue measures:
//! `rollout demo --synthetic N` (the dataset), a project-office user and token for the clients,
//! and `rollout import procedures` of a generated CSV into a database that holds only bureaus.
//! Also, untimed, the stock of fresh procedures the `recordHearing` measurement consumes.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::binary::Rollout;

/// The real bureaus, as `rollout import bureaus` reads them.
const BUREAUS_CSV: &str = include_str!("../../../deploy/demo/bureaus.csv");
const BENCH_USER: &str = "bench@rollout.local";

/// Migrates `url` (untimed), then times `rollout demo --synthetic n` on it.
pub fn demo(rollout: &Rollout, url: &str, n: usize) -> anyhow::Result<Duration> {
    rollout.run(&["migrate", "--database-url", url])?;
    let n = n.to_string();
    let (_, took) = rollout.run(&["demo", "--synthetic", &n, "--database-url", url])?;
    Ok(took)
}

/// Adds the bench's project-office user and returns a fresh API token for it.
pub fn token(rollout: &Rollout, url: &str) -> anyhow::Result<String> {
    user_token(rollout, url, BENCH_USER, "PROJECT_OFFICE")
}

/// Adds a user with `role` (ADMIN, PROJECT_OFFICE) and returns a fresh API token for them.
pub fn user_token(rollout: &Rollout, url: &str, email: &str, role: &str) -> anyhow::Result<String> {
    let env = [("ROLLOUT_DATABASE_URL", url)];
    rollout.run_with(
        &[
            "user", "add", "--email", email, "--name", "Bench", "--role", role,
        ],
        &env,
    )?;
    let (stdout, _) = rollout.run_with(
        &["token", "create", "--user", email, "--name", "bench"],
        &env,
    )?;
    secret_in(&stdout).context("`rollout token create` printed no rlt_ secret")
}

fn secret_in(stdout: &str) -> Option<String> {
    stdout
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("rlt_") && !l.contains(char::is_whitespace))
        .map(str::to_owned)
}

/// Migrates `url`, imports the bureaus (untimed), then times `rollout import procedures` of
/// `rows` generated procedures.
pub fn import(rollout: &Rollout, url: &str, rows: usize, dir: &Path) -> anyhow::Result<Duration> {
    let bureaus = dir.join("bureaus.csv");
    let procedures = dir.join(format!("procedures-{rows}.csv"));
    std::fs::write(&bureaus, BUREAUS_CSV).context("cannot write the bureaus CSV")?;
    std::fs::write(&procedures, procedures_csv(rows)?)
        .context("cannot write the procedures CSV")?;
    rollout.run(&["migrate", "--database-url", url])?;
    let path = |p: &Path| p.display().to_string();
    rollout.run(&["import", "bureaus", &path(&bureaus), "--database-url", url])?;
    let (stdout, took) = rollout.run(&[
        "import",
        "procedures",
        &path(&procedures),
        "--database-url",
        url,
    ])?;
    if !stdout.contains(&format!("imported {rows} procedures")) {
        bail!("`rollout import procedures` did not report {rows} rows: {stdout}");
    }
    Ok(took)
}

/// Hearings per second the stock is sized for, over every client: 20 applied outcomes each.
/// One client on SQLite records about 120 a second (8 ms each), so 60 ran out within the
/// first run; 200 leaves room. A measurement that outruns it fails visibly ("ran out of
/// prepared procedures") rather than measuring something else.
pub const HEARINGS_PER_SECOND: f64 = 200.0;

/// Procedures `rollout import procedures` adds for the `recordHearing` measurement: `batches`
/// groups of `per_batch`, each group of one bureau, in `hearing` with no quarter or platform
/// (the hearing agrees them). Codes are `<BUREAU>-9rnnnn`, six digits, which neither the demo
/// (four) nor the import measurement (five) uses; `round` (0–9, one per measurement) keeps
/// each measurement's stock apart from the earlier ones'. Returns how many were imported.
pub fn hearing_stock(
    rollout: &Rollout,
    url: &str,
    round: usize,
    batches: usize,
    per_batch: usize,
    dir: &Path,
) -> anyhow::Result<usize> {
    if round > 9 {
        bail!("at most ten hearing measurements per database (round {round})");
    }
    let bureaus = bureau_codes()?;
    let mut csv = String::from(
        "code,name,name_en,bureau_code,category,authority,annual_applications,process_count,platform,target_quarter\n",
    );
    let mut numbers = vec![0_usize; bureaus.len()];
    for b in 0..batches {
        let i = b % bureaus.len();
        for _ in 0..per_batch {
            numbers[i] += 1;
            let n = numbers[i];
            writeln!(
                csv,
                "{bureau}-9{round}{n:04},ヒアリング対象手続{round}-{n},Hearing stock procedure {round}-{n},{bureau},STANDARD,TOKYO,,1,,",
                bureau = bureaus[i]
            )?;
        }
    }
    let rows = batches * per_batch;
    if numbers.iter().any(|n| *n > 9999) {
        bail!("a hearing stock of {rows} procedures needs more than four digits per bureau");
    }
    let path = dir.join(format!("hearing-stock-{round}-{rows}.csv"));
    std::fs::write(&path, csv).context("cannot write the hearing stock CSV")?;
    let file = path.display().to_string();
    let (stdout, _) = rollout.run(&["import", "procedures", &file, "--database-url", url])?;
    if !stdout.contains(&format!("imported {rows} procedures")) {
        bail!("`rollout import procedures` did not report {rows} rows: {stdout}");
    }
    Ok(rows)
}

/// Whether `code` is one of the hearing stock's (see [`hearing_stock`]).
pub fn is_stock_code(code: &str) -> bool {
    code.rsplit_once('-')
        .is_some_and(|(_, n)| n.len() == 6 && n.starts_with('9'))
}

pub fn bureau_codes() -> anyhow::Result<Vec<&'static str>> {
    let bureaus: Vec<&str> = BUREAUS_CSV
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .filter(|c| !c.is_empty())
        .collect();
    if bureaus.is_empty() {
        bail!("deploy/demo/bureaus.csv lists no bureaus");
    }
    Ok(bureaus)
}

/// A procedures CSV with `rows` valid rows spread over the real bureaus, every optional column
/// used in some rows.
fn procedures_csv(rows: usize) -> anyhow::Result<String> {
    let bureaus = bureau_codes()?;
    const PLATFORMS: [&str; 4] = ["SAAS_E_APPLICATION", "JOINT_E_APPLICATION", "JGRANTS", ""];
    let mut csv = String::from(
        "code,name,name_en,bureau_code,category,authority,annual_applications,process_count,platform,target_quarter\n",
    );
    for i in 0..rows {
        let bureau = bureaus[i % bureaus.len()];
        let number = i / bureaus.len() + 1;
        let volume = if i % 10 == 0 {
            String::new()
        } else {
            ((i * 7919) % 50_000).to_string()
        };
        let quarter = if i % 3 == 0 {
            String::new()
        } else {
            format!("FY{}-Q{}", 2026 + i % 3, 1 + i % 4)
        };
        writeln!(
            csv,
            "{bureau}-{number:05},取込手続{i},Imported procedure {i},{bureau},{},{},{volume},{},{},{quarter}",
            if i % 25 == 0 { "SUBSIDY" } else { "STANDARD" },
            if i % 8 == 0 { "NATIONAL" } else { "TOKYO" },
            1 + i % 3,
            PLATFORMS[i % PLATFORMS.len()],
        )?;
    }
    Ok(csv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_the_rlt_line() {
        assert_eq!(
            secret_in("rlt_abc123XYZ\n").as_deref(),
            Some("rlt_abc123XYZ")
        );
        assert_eq!(
            secret_in("created token\n    rlt_q\n").as_deref(),
            Some("rlt_q")
        );
        assert_eq!(secret_in("no secret here\n"), None);
    }

    #[test]
    fn stock_codes_have_six_digits_starting_with_nine() {
        assert!(is_stock_code("KANKYO-900001"));
        assert!(!is_stock_code("KANKYO-0001"), "a demo code");
        assert!(!is_stock_code("KANKYO-00001"), "an import measurement code");
        assert!(!is_stock_code("KANKYO-100001"));
    }

    #[test]
    fn the_generated_csv_has_unique_codes_and_every_column() {
        let csv = procedures_csv(100).expect("csv");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 101);
        assert!(lines.iter().all(|l| l.split(',').count() == 10));
        let codes: std::collections::HashSet<&str> = lines[1..]
            .iter()
            .filter_map(|l| l.split(',').next())
            .collect();
        assert_eq!(codes.len(), 100);
        assert!(lines[1].starts_with("SEISAKU-00001,"), "{}", lines[1]);
    }
}
