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
use rollout_store::StoreResult;
use sqlx::{AssertSqlSafe, FromRow, SqlitePool};

use super::rows::{FIRING_COLUMNS, FiringRow, RULE_COLUMNS, RuleRow};
use crate::approvals::{REQUEST_COLUMNS, RequestRow};
use crate::blockers::rows::{LAW_CHANGE_COLUMNS, LawChangeRow, MILESTONE_COLUMNS, MilestoneRow};
use crate::errors::ctx;
use crate::evidence::rows::{TASK_COLUMNS, TaskRow};
use crate::rows::{
    day, decode_all, instant, parse_instant, parse_key, parse_uuid, parse_with, uuid,
};

fn keys_json<T: Copy>(all: &[T], keep: impl Fn(T) -> bool, key: fn(T) -> &'static str) -> String {
    let keys: Vec<&str> = all.iter().copied().filter(|s| keep(*s)).map(key).collect();
    serde_json::Value::from(keys).to_string()
}

pub(crate) async fn rules(
    reader: &SqlitePool,
    id: Option<ReminderRuleId>,
) -> StoreResult<Vec<ReminderRule>> {
    let filter = if id.is_some() { " WHERE id = ?" } else { "" };
    let sql = format!("SELECT {RULE_COLUMNS} FROM reminder_rules{filter} ORDER BY name");
    let mut q = sqlx::query_as::<_, RuleRow>(AssertSqlSafe(sql));
    if let Some(id) = id {
        q = q.bind(uuid(id.0));
    }
    let rows = q
        .fetch_all(reader)
        .await
        .map_err(ctx("load reminder rules"))?;
    decode_all(rows, RuleRow::into_domain)
}

pub(crate) async fn firings(
    reader: &SqlitePool,
    rule: ReminderRuleId,
    limit: usize,
) -> StoreResult<Vec<Firing>> {
    let sql = format!(
        "SELECT {FIRING_COLUMNS} FROM reminder_firings WHERE rule_id = ? \
         ORDER BY tick_at DESC LIMIT ?"
    );
    let rows: Vec<FiringRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(rule.0))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(reader)
        .await
        .map_err(ctx("load firings"))?;
    decode_all(rows, FiringRow::into_domain)
}

pub(crate) async fn firing(reader: &SqlitePool, id: FiringId) -> StoreResult<Option<Firing>> {
    let sql = format!("SELECT {FIRING_COLUMNS} FROM reminder_firings WHERE id = ?");
    let row: Option<FiringRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(uuid(id.0))
        .fetch_optional(reader)
        .await
        .map_err(ctx("load firing"))?;
    row.map(FiringRow::into_domain).transpose()
}

/// `due_key` is the due date or a far-future stand-in, so the range leaves undated tasks out.
pub(crate) async fn open_tasks_due_by(
    reader: &SqlitePool,
    date: NaiveDate,
) -> StoreResult<Vec<Task>> {
    let sql = format!(
        "SELECT {TASK_COLUMNS} FROM tasks WHERE status = 'OPEN' AND due_key <= ? \
         ORDER BY due_key, id"
    );
    let rows: Vec<TaskRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(day(date))
        .fetch_all(reader)
        .await
        .map_err(ctx("load open tasks due"))?;
    decode_all(rows, TaskRow::into_domain)
}

#[derive(Debug, FromRow)]
struct ActivityRow {
    id: String,
    code: String,
    name: String,
    name_en: Option<String>,
    bureau_id: String,
    state: String,
    annual_applications: Option<i64>,
    target_quarter: Option<String>,
    updated_at: String,
    state_entered_at: String,
}

impl ActivityRow {
    fn into_domain(self) -> StoreResult<ProcedureActivity> {
        Ok(ProcedureActivity {
            id: ProcedureId(parse_uuid("procedures.id", &self.id)?),
            code: parse_with("procedures.code", &self.code, ProcedureCode::parse)?,
            name: self.name,
            name_en: self.name_en,
            bureau_id: BureauId(parse_uuid("procedures.bureau_id", &self.bureau_id)?),
            state: self.state,
            annual_applications: self.annual_applications,
            target_quarter: self
                .target_quarter
                .map(|raw| parse_with("procedures.target_quarter", &raw, FiscalQuarter::parse))
                .transpose()?,
            updated_at: parse_instant("procedures.updated_at", &self.updated_at)?,
            state_entered_at: parse_instant("transition_records.at", &self.state_entered_at)?,
        })
    }
}

/// One statement: the state's entry is the `at` of the procedure's latest history record (by
/// procedure version, the true order of a history), found by one seek of the unique
/// (procedure_id, procedure_version) index per procedure.
pub(crate) async fn procedure_activity(
    reader: &SqlitePool,
    states: &[String],
) -> StoreResult<Vec<ProcedureActivity>> {
    let filter = if states.is_empty() {
        ""
    } else {
        " WHERE p.state IN (SELECT value FROM json_each(?))"
    };
    let sql = format!(
        "SELECT p.id, p.code, p.name, p.name_en, p.bureau_id, p.state, p.annual_applications, \
         p.target_quarter, p.updated_at, \
         COALESCE((SELECT r.at FROM transition_records r WHERE r.procedure_id = p.id \
           ORDER BY r.procedure_version DESC LIMIT 1), p.created_at) AS state_entered_at \
         FROM procedures p{filter} ORDER BY p.code"
    );
    let mut q = sqlx::query_as::<_, ActivityRow>(AssertSqlSafe(sql));
    if !states.is_empty() {
        q = q.bind(serde_json::Value::from(states.to_vec()).to_string());
    }
    let rows = q
        .fetch_all(reader)
        .await
        .map_err(ctx("load procedure activity"))?;
    decode_all(rows, ActivityRow::into_domain)
}

#[derive(Debug, FromRow)]
struct PendingRow {
    #[sqlx(flatten)]
    request: RequestRow,
    procedure_code: String,
    procedure_name: String,
    procedure_bureau_id: String,
}

pub(crate) async fn pending_approvals(reader: &SqlitePool) -> StoreResult<Vec<PendingApproval>> {
    let sql = format!(
        "SELECT r.*, p.code AS procedure_code, p.name AS procedure_name, \
         p.bureau_id AS procedure_bureau_id \
         FROM (SELECT {REQUEST_COLUMNS} FROM approval_requests WHERE status = 'PENDING') r \
         JOIN procedures p ON p.id = r.procedure_id ORDER BY r.created_at, r.id"
    );
    let rows: Vec<PendingRow> = sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(reader)
        .await
        .map_err(ctx("load pending approvals"))?;
    decode_all(rows, |row| {
        Ok(PendingApproval {
            request: row.request.into_domain()?,
            procedure_code: parse_with(
                "procedures.code",
                &row.procedure_code,
                ProcedureCode::parse,
            )?,
            procedure_name: row.procedure_name,
            bureau_id: BureauId(parse_uuid(
                "procedures.bureau_id",
                &row.procedure_bureau_id,
            )?),
        })
    })
}

#[derive(Debug, FromRow)]
struct LawActivityRow {
    #[sqlx(flatten)]
    law_change: LawChangeRow,
    last_status_at: String,
}

/// The last status change is the latest history record's `at` (the creation record included),
/// else the creation time.
pub(crate) async fn open_law_change_activity(
    reader: &SqlitePool,
) -> StoreResult<Vec<LawChangeActivity>> {
    let sql = format!(
        "SELECT {LAW_CHANGE_COLUMNS}, \
         COALESCE((SELECT MAX(h.at) FROM law_change_history h \
           WHERE h.law_change_id = law_changes.id), created_at) AS last_status_at \
         FROM law_changes WHERE status IN (SELECT value FROM json_each(?)) ORDER BY code"
    );
    let open = keys_json(
        LawChangeStatus::ALL,
        LawChangeStatus::is_open,
        LawChangeStatus::as_str,
    );
    let rows: Vec<LawActivityRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(open)
        .fetch_all(reader)
        .await
        .map_err(ctx("load open law changes"))?;
    decode_all(rows, |row| {
        Ok(LawChangeActivity {
            law_change: row.law_change.into_domain()?,
            last_status_at: parse_instant("law_change_history.at", &row.last_status_at)?,
        })
    })
}

pub(crate) async fn planned_milestones(reader: &SqlitePool) -> StoreResult<Vec<Milestone>> {
    let sql = format!(
        "SELECT {MILESTONE_COLUMNS} FROM milestones \
         WHERE status IN (SELECT value FROM json_each(?)) \
         ORDER BY planned_on IS NULL, planned_on, name, id"
    );
    let open = keys_json(
        MilestoneStatus::ALL,
        MilestoneStatus::is_open,
        MilestoneStatus::as_str,
    );
    let rows: Vec<MilestoneRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(open)
        .fetch_all(reader)
        .await
        .map_err(ctx("load planned milestones"))?;
    decode_all(rows, MilestoneRow::into_domain)
}

#[derive(Debug, FromRow)]
struct PersonRow {
    id: String,
    display_name: String,
    email: String,
    role: String,
    bureau_id: Option<String>,
    disabled: bool,
    language: Option<String>,
}

pub(crate) async fn people(reader: &SqlitePool) -> StoreResult<Vec<Person>> {
    let rows: Vec<PersonRow> = sqlx::query_as(
        "SELECT u.id, u.display_name, u.email, u.role, u.bureau_id, u.disabled, p.language \
         FROM users u LEFT JOIN user_preferences p ON p.user_id = u.id ORDER BY u.email, u.id",
    )
    .fetch_all(reader)
    .await
    .map_err(ctx("load people"))?;
    decode_all(rows, |row| {
        Ok(Person {
            id: UserId(parse_uuid("users.id", &row.id)?),
            display_name: row.display_name,
            email: row.email,
            role: parse_key("users.role", &row.role, Role::parse)?,
            bureau: row
                .bureau_id
                .map(|raw| parse_uuid("users.bureau_id", &raw).map(BureauId))
                .transpose()?,
            disabled: row.disabled,
            language: row
                .language
                .map(|raw| parse_key("user_preferences.language", &raw, Language::parse))
                .transpose()?
                .unwrap_or_default(),
        })
    })
}

fn pairs(rows: Vec<(String, String)>, column: &str) -> StoreResult<Vec<(UserId, String)>> {
    rows.into_iter()
        .map(|(user, key)| Ok((UserId(parse_uuid(column, &user)?), key)))
        .collect()
}

pub(crate) async fn snoozed(
    reader: &SqlitePool,
    today: NaiveDate,
) -> StoreResult<Vec<(UserId, String)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT user_id, item_key FROM snoozes WHERE until_on >= ? ORDER BY user_id, item_key",
    )
    .bind(day(today))
    .fetch_all(reader)
    .await
    .map_err(ctx("load snoozes"))?;
    pairs(rows, "snoozes.user_id")
}

pub(crate) async fn reminded_since(
    reader: &SqlitePool,
    rule: ReminderRuleId,
    since: DateTime<Utc>,
) -> StoreResult<Vec<(UserId, String)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT user_id, item_key FROM reminded_items WHERE rule_id = ? AND last_at >= ? \
         ORDER BY user_id, item_key",
    )
    .bind(uuid(rule.0))
    .bind(instant(since))
    .fetch_all(reader)
    .await
    .map_err(ctx("load reminded items"))?;
    pairs(rows, "reminded_items.user_id")
}
