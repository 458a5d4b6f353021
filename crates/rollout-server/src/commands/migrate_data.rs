//! `rollout migrate-data --from sqlite:FILE --to postgres://…`: copies a whole SQLite database
//! into an empty PostgreSQL database, for a deployment that outgrew one machine. Every table of
//! the schema is copied (the list is read from the databases, never written down here, so a
//! table a later migration adds is copied too), in foreign-key order, in ONE transaction on the
//! target: a failure leaves the target as empty as it was. It refuses a source whose schema is
//! not this build's (both sides must have the same tables and columns) and a target holding
//! data; it moves identity sequences past the copied ids, compares every table's row count
//! before committing, prints the counts, and then runs `rollout verify`'s checks on the
//! target (exit 1 if they find a violation). Reading and converting values is the store
//! crates' (`rollout_store_sqlite::Export`, `rollout_store_postgres::Import`); this command
//! only drives them.

use rollout_store::SchemaState;
use rollout_store_sqlite::SqliteStore;

use super::verify;
use crate::backend::{Backend, Database, sqlite_file};
use crate::cli::MigrateDataArgs;
use crate::config::Config;
use crate::database_url::DatabaseUrl;
use crate::error::CliError;

/// Rows per insert statement: big enough to amortise a round trip, small enough to keep one
/// statement's text arrays a few megabytes.
const CHUNK: i64 = 2_000;

/// One table's row counts, for the summary.
#[derive(Debug)]
struct Copied {
    table: String,
    source: i64,
    target: i64,
}

pub async fn run(config: &Config, args: &MigrateDataArgs) -> Result<(), CliError> {
    let (from, to) = (&args.from, &args.to);
    if Backend::for_url(from)? != Backend::Sqlite || Backend::for_url(to)? != Backend::Postgres {
        return Err(CliError::user(
            "migrate-data copies a SQLite database into PostgreSQL: \
             --from sqlite:FILE --to postgres://USER@HOST/DB",
        ));
    }
    let source = open_source(from).await?;
    let result = copy(&source, from, to).await;
    source.close().await;
    let counts = result?;
    println!("{:<24} {:>10} {:>10}", "table", "source", "target");
    for c in &counts {
        println!("{:<24} {:>10} {:>10}", c.table, c.source, c.target);
    }
    let rows: i64 = counts.iter().map(|c| c.target).sum();
    println!(
        "copied {} tables, {rows} rows, from {from} to {to}; every table's row count matches",
        counts.len()
    );
    // The same checks as `rollout verify`, on what was committed.
    let verified = verify::check(to, config).await?;
    for line in verified.lines() {
        println!("verify: {line}");
    }
    let violations = verified.report.findings.len();
    if violations > 0 {
        return Err(CliError::user(format!(
            "the copy in {to} is committed, but `rollout verify` finds {violations} violation(s) \
             (listed above): look at them before pointing a server at it"
        )));
    }
    println!("verify: no violations in {to}");
    Ok(())
}

/// The source, refused unless its schema is exactly this build's.
async fn open_source(from: &DatabaseUrl) -> Result<SqliteStore, CliError> {
    if let Some(file) = sqlite_file(from).filter(|f| !f.exists()) {
        return Err(CliError::user(format!(
            "no database at {} ({from}): name the SQLite file to copy with --from sqlite:FILE",
            file.display()
        )));
    }
    let source = SqliteStore::connect(from.expose())
        .await
        .map_err(|e| CliError::store(format!("cannot open {from}"), e))?;
    let state = source
        .schema_state()
        .await
        .map_err(|e| CliError::store(format!("cannot read the schema version of {from}"), e));
    let refusal = match state {
        Err(e) => Some(e),
        Ok(SchemaState::Current) => None,
        Ok(SchemaState::Behind { missing }) => Some(CliError::user(format!(
            "the source {from} is at an older schema than this rollout (migrations {missing:?} \
             not applied): run `rollout migrate --database-url {from}` with this rollout first"
        ))),
        Ok(SchemaState::Newer { database, build }) => Some(CliError::user(format!(
            "the source {from} is at schema version {database}, newer than this rollout \
             (version {build}): use a rollout of the source's version"
        ))),
        Ok(SchemaState::Diverged { versions }) => Some(CliError::user(format!(
            "the source {from} records migrations {versions:?} that this rollout does not \
             have: use the rollout that migrated it"
        ))),
    };
    if let Some(e) = refusal {
        source.close().await;
        return Err(e);
    }
    Ok(source)
}

async fn copy(
    source: &SqliteStore,
    from: &DatabaseUrl,
    to: &DatabaseUrl,
) -> Result<Vec<Copied>, CliError> {
    // Migrates the target to this build's schema (refusing one a newer rollout migrated).
    let target_db = Database::connect(to).await?;
    let result = copy_into(source, &target_db, from, to).await;
    target_db.close().await;
    result
}

async fn copy_into(
    source: &SqliteStore,
    target_db: &Database,
    from: &DatabaseUrl,
    to: &DatabaseUrl,
) -> Result<Vec<Copied>, CliError> {
    let read = |e| CliError::store(format!("cannot read {from}"), e);
    let write = |e| CliError::store(format!("cannot write {to}"), e);
    let target = target_db
        .postgres()
        .ok_or_else(|| CliError::user("the target must be PostgreSQL"))?;
    let mut import = target.import().await.map_err(write)?;
    let occupied = import.non_empty().await.map_err(write)?;
    if !occupied.is_empty() {
        let list: Vec<String> = occupied.iter().map(|(t, n)| format!("{t} ({n})")).collect();
        return Err(CliError::user(format!(
            "the target {to} is not empty (rows in {}): migrate-data only copies into a new, \
             empty database; create one (createdb) and name it with --to",
            list.join(", ")
        )));
    }
    let mut export = source.export().await.map_err(read)?;
    let tables = import.tables().await.map_err(write)?;
    let mut theirs = export.tables().await.map_err(read)?;
    let mut ours = tables.clone();
    theirs.sort();
    ours.sort();
    if theirs != ours {
        return Err(CliError::user(format!(
            "the source's tables {theirs:?} are not the target's {ours:?}: both must be at \
             this rollout's schema"
        )));
    }
    import.clear_seeded().await.map_err(write)?;
    let mut counts = Vec::with_capacity(tables.len());
    for (n, table) in tables.iter().enumerate() {
        let columns = export.columns(table).await.map_err(read)?;
        let expected = export.count(table).await.map_err(read)?;
        let mut after = i64::MIN;
        let mut loaded: u64 = 0;
        loop {
            let (chunk, last) = export
                .chunk(table, &columns, after, CHUNK)
                .await
                .map_err(read)?;
            let Some(last) = last else { break };
            loaded += import.insert(table, &chunk).await.map_err(write)?;
            after = last;
        }
        eprintln!(
            "[{}/{}] {table}: {loaded} of {expected} rows copied",
            n + 1,
            tables.len()
        );
        let copied = import.count(table).await.map_err(write)?;
        if copied != expected {
            return Err(CliError::user(format!(
                "{table}: {expected} rows in the source but {copied} in the target; nothing \
                 was committed"
            )));
        }
        counts.push(Copied {
            table: table.clone(),
            source: expected,
            target: copied,
        });
    }
    let moved = import.reset_identities().await.map_err(write)?;
    eprintln!(
        "identity sequences moved past the copied ids: {}",
        moved.join(", ")
    );
    import.commit().await.map_err(write)?;
    Ok(counts)
}
