//! Reading rules and firings, and the facts the reminder kinds select from: open tasks due by a
//! date, procedures with the instant they entered their state, pending approvals with their
//! procedure, open law changes with their last status change, planned milestones, people with
//! their language, running snoozes and the quiet-period record. Each is one statement; which
//! statuses count as open is asked of the domain and bound, never written here.

use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::blockers::{LawChangeStatus, Milestone, MilestoneStatus};
use rollout_domain::identity::Role;
use rollout_domain::reminders::{
    Firing, Language, LawChangeActivity, PendingApproval, Person, ProcedureActivity, ReminderRule,
};
use rollout_domain::task::Task;
use rollout_domain::{
    BureauId, FiringId, FiscalQuarter, ProcedureCode, ProcedureId, ReminderRuleId, UserId,
};
use rollout_store::{StoreError, StoreResult};
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, PgPool};
use uuid::Uuid;

use super::rows::{self as reminder_rows, FIRING_COLUMNS, RULE_COLUMNS};
use crate::blockers::rows::{self as blocker_rows, LAW_CHANGE_COLUMNS, MILESTONE_COLUMNS};
use crate::errors;
use crate::evidence::rows::{self as evidence_rows, TASK_COLUMNS};
use crate::rows::{self, get, keyed, parsed, parsed_opt, request_columns};

fn keys<T: Copy>(
    all: &[T],
    keep: impl Fn(T) -> bool,
    key: fn(T) -> &'static str,
) -> Vec<&'static str> {
    all.iter().copied().filter(|s| keep(*s)).map(key).collect()
}

async fn fetch<T>(
    pool: &PgPool,
    query: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
    what: &'static str,
    decode: fn(&PgRow) -> Result<T, StoreError>,
) -> StoreResult<Vec<T>> {
    let found = query.fetch_all(pool).await.map_err(errors::db(what))?;
    rows::all(&found, decode)
}

pub(crate) async fn rules(
    pool: &PgPool,
    id: Option<ReminderRuleId>,
) -> StoreResult<Vec<ReminderRule>> {
    let sql = format!(
        "SELECT {RULE_COLUMNS} FROM reminder_rules WHERE ($1::uuid IS NULL OR id = $1) \
         ORDER BY name"
    );
    let q = sqlx::query(AssertSqlSafe(sql)).bind(id.map(|id| id.as_uuid()));
    fetch(pool, q, "load reminder rules", reminder_rows::rule).await
}

pub(crate) async fn firings(
    pool: &PgPool,
    rule: ReminderRuleId,
    limit: usize,
) -> StoreResult<Vec<Firing>> {
    let sql = format!(
        "SELECT {FIRING_COLUMNS} FROM reminder_firings WHERE rule_id = $1 \
         ORDER BY tick_at DESC LIMIT $2"
    );
    let q = sqlx::query(AssertSqlSafe(sql))
        .bind(rule.as_uuid())
        .bind(i64::try_from(limit).unwrap_or(i64::MAX));
    fetch(pool, q, "load firings", reminder_rows::firing).await
}

pub(crate) async fn firing(pool: &PgPool, id: FiringId) -> StoreResult<Option<Firing>> {
    let sql = format!("SELECT {FIRING_COLUMNS} FROM reminder_firings WHERE id = $1");
    let q = sqlx::query(AssertSqlSafe(sql)).bind(id.as_uuid());
    Ok(fetch(pool, q, "load firing", reminder_rows::firing)
        .await?
        .pop())
}

pub(crate) async fn open_tasks_due_by(pool: &PgPool, date: NaiveDate) -> StoreResult<Vec<Task>> {
    let sql = format!(
        "SELECT {TASK_COLUMNS} FROM tasks WHERE status = 'OPEN' AND due_key <= $1 \
         ORDER BY due_key, id"
    );
    let q = sqlx::query(AssertSqlSafe(sql)).bind(date);
    fetch(pool, q, "load open tasks due", evidence_rows::task).await
}

fn activity(row: &PgRow) -> StoreResult<ProcedureActivity> {
    const T: &str = "procedures";
    Ok(ProcedureActivity {
        id: ProcedureId(get(row, "id")?),
        code: parsed(row, T, "code", ProcedureCode::parse)?,
        name: get(row, "name")?,
        name_en: get(row, "name_en")?,
        bureau_id: BureauId(get(row, "bureau_id")?),
        state: get(row, "state")?,
        annual_applications: get(row, "annual_applications")?,
        target_quarter: parsed_opt(row, T, "target_quarter", FiscalQuarter::parse)?,
        updated_at: get(row, "updated_at")?,
        state_entered_at: get(row, "state_entered_at")?,
    })
}

/// One statement: the state's entry is the `at` of the procedure's latest history record (by
/// procedure version, the true order of a history), found by one index seek per procedure
/// (`LATERAL` over the unique (procedure_id, procedure_version) key).
pub(crate) async fn procedure_activity(
    pool: &PgPool,
    states: &[String],
) -> StoreResult<Vec<ProcedureActivity>> {
    let q = sqlx::query(
        "SELECT p.id, p.code, p.name, p.name_en, p.bureau_id, p.state, p.annual_applications, \
         p.target_quarter, p.updated_at, COALESCE(r.at, p.created_at) AS state_entered_at \
         FROM procedures p LEFT JOIN LATERAL (SELECT at FROM transition_records \
           WHERE procedure_id = p.id ORDER BY procedure_version DESC LIMIT 1) r ON TRUE \
         WHERE cardinality($1::text[]) = 0 OR p.state = ANY($1) ORDER BY p.code",
    )
    .bind(states);
    fetch(pool, q, "load procedure activity", activity).await
}

fn pending(row: &PgRow) -> StoreResult<PendingApproval> {
    Ok(PendingApproval {
        request: rows::request(row)?,
        procedure_code: parsed(row, "procedures", "procedure_code", ProcedureCode::parse)?,
        procedure_name: get(row, "procedure_name")?,
        bureau_id: BureauId(get(row, "procedure_bureau_id")?),
    })
}

pub(crate) async fn pending_approvals(pool: &PgPool) -> StoreResult<Vec<PendingApproval>> {
    let q = sqlx::query(concat!(
        "SELECT r.*, p.code AS procedure_code, p.name AS procedure_name, \
         p.bureau_id AS procedure_bureau_id FROM (SELECT ",
        request_columns!(),
        " FROM approval_requests WHERE status = 'PENDING') r \
         JOIN procedures p ON p.id = r.procedure_id ORDER BY r.created_at, r.id"
    ));
    fetch(pool, q, "load pending approvals", pending).await
}

fn law_activity(row: &PgRow) -> StoreResult<LawChangeActivity> {
    Ok(LawChangeActivity {
        law_change: blocker_rows::law_change(row)?,
        last_status_at: get(row, "last_status_at")?,
    })
}

/// The last status change is the latest history record's `at` (the creation record included),
/// else the creation time.
pub(crate) async fn open_law_change_activity(pool: &PgPool) -> StoreResult<Vec<LawChangeActivity>> {
    let sql = format!(
        "SELECT {LAW_CHANGE_COLUMNS}, \
         COALESCE((SELECT MAX(h.at) FROM law_change_history h \
           WHERE h.law_change_id = law_changes.id), created_at) AS last_status_at \
         FROM law_changes WHERE status = ANY($1) ORDER BY code"
    );
    let open = keys(
        LawChangeStatus::ALL,
        LawChangeStatus::is_open,
        LawChangeStatus::as_str,
    );
    let q = sqlx::query(AssertSqlSafe(sql)).bind(open);
    fetch(pool, q, "load open law changes", law_activity).await
}

pub(crate) async fn planned_milestones(pool: &PgPool) -> StoreResult<Vec<Milestone>> {
    let sql = format!(
        "SELECT {MILESTONE_COLUMNS} FROM milestones WHERE status = ANY($1) \
         ORDER BY planned_on NULLS LAST, name, id"
    );
    let open = keys(
        MilestoneStatus::ALL,
        MilestoneStatus::is_open,
        MilestoneStatus::as_str,
    );
    let q = sqlx::query(AssertSqlSafe(sql)).bind(open);
    fetch(pool, q, "load planned milestones", blocker_rows::milestone).await
}

fn person(row: &PgRow) -> StoreResult<Person> {
    let language: Option<String> = get(row, "language")?;
    Ok(Person {
        id: UserId(get(row, "id")?),
        display_name: get(row, "display_name")?,
        email: get(row, "email")?,
        role: parsed(row, "users", "role", keyed(Role::parse))?,
        bureau: get::<Option<Uuid>>(row, "bureau_id")?.map(BureauId),
        disabled: get(row, "disabled")?,
        language: match language {
            None => Language::default(),
            Some(raw) => Language::parse(&raw)
                .ok_or_else(|| rows::corrupt("user_preferences", "language", &raw))?,
        },
    })
}

pub(crate) async fn people(pool: &PgPool) -> StoreResult<Vec<Person>> {
    let q = sqlx::query(
        "SELECT u.id, u.display_name, u.email, u.role, u.bureau_id, u.disabled, p.language \
         FROM users u LEFT JOIN user_preferences p ON p.user_id = u.id ORDER BY u.email, u.id",
    );
    fetch(pool, q, "load people", person).await
}

fn pair(row: &PgRow) -> StoreResult<(UserId, String)> {
    Ok((UserId(get(row, "user_id")?), get(row, "item_key")?))
}

pub(crate) async fn snoozed(pool: &PgPool, today: NaiveDate) -> StoreResult<Vec<(UserId, String)>> {
    let q = sqlx::query(
        "SELECT user_id, item_key FROM snoozes WHERE until_on >= $1 ORDER BY user_id, item_key",
    )
    .bind(today);
    fetch(pool, q, "load snoozes", pair).await
}

pub(crate) async fn reminded_since(
    pool: &PgPool,
    rule: ReminderRuleId,
    since: DateTime<Utc>,
) -> StoreResult<Vec<(UserId, String)>> {
    let q = sqlx::query(
        "SELECT user_id, item_key FROM reminded_items WHERE rule_id = $1 AND last_at >= $2 \
         ORDER BY user_id, item_key",
    )
    .bind(rule.as_uuid())
    .bind(since);
    fetch(pool, q, "load reminded items", pair).await
}
