//! The atomic write batch: every [`Write`] applied in order in one transaction, through the
//! same helpers as the single writes (procedure create and patch, the one-statement transition,
//! approval request, audit insert), so a batch keeps their guarantees: compare-and-set on
//! versions, one history record per version, one pending request per procedure. The first
//! failure rolls everything back and names its index.

use rollout_store::{BatchError, StoreResult, Write};
use sqlx::{PgConnection, PgPool};

use super::{target, writes};
use crate::blockers::writes as blocker_writes;
use crate::reminders::{rules as reminder_rules, writes as reminder_writes};
use crate::{analytics, approvals, audit, errors, procedures, quality, transitions, web};

pub(crate) async fn apply_all(pool: &PgPool, batch: &[Write]) -> Result<(), BatchError> {
    let mut tx = pool
        .begin()
        .await
        .map_err(|e| BatchError::whole(errors::classify("begin", e)))?;
    lock_graph_version_first(&mut tx, batch)
        .await
        .map_err(BatchError::whole)?;
    lock_procedures_in_order(&mut tx, batch)
        .await
        .map_err(BatchError::whole)?;
    for (index, write) in batch.iter().enumerate() {
        // Dropping the transaction on error rolls back every earlier write of the batch.
        apply(&mut tx, write)
            .await
            .map_err(|error| BatchError { index, error })?;
    }
    tx.commit()
        .await
        .map_err(|e| BatchError::whole(errors::classify("commit", e)))
}

/// A batch that changes the graph takes the graph version's row lock before anything else, so
/// graph-changing batches queue on that one row first and only then lock procedures: were the
/// bump to take it at its place in the batch, a batch holding a procedure and waiting for the
/// version could deadlock with one holding the version and waiting for that procedure. Batches
/// that do not change the graph never touch the row. The compare-and-set itself stays at the
/// bump's index, so a conflict still names it.
async fn lock_graph_version_first(conn: &mut PgConnection, batch: &[Write]) -> StoreResult<()> {
    if !batch.iter().any(|w| {
        matches!(
            w,
            Write::BumpGraphVersion { .. } | Write::AdvanceGraphVersion
        )
    }) {
        return Ok(());
    }
    sqlx::query("SELECT 1 FROM graph_version WHERE id = 1 FOR NO KEY UPDATE")
        .execute(&mut *conn)
        .await
        .map_err(|e| errors::classify("lock the graph version", e))?;
    Ok(())
}

/// Two batches that change the same procedures in different orders (two hearings listing them
/// differently) would deadlock, each holding a row the other waits for. Locking every procedure
/// the batch changes up front, in id order, makes every such pair queue instead: the second
/// then finds the versions moved and fails with a conflict, as it would have without the race.
/// One statement, and only for batches that change more than one procedure.
async fn lock_procedures_in_order(conn: &mut PgConnection, batch: &[Write]) -> StoreResult<()> {
    let mut ids: Vec<uuid::Uuid> = batch
        .iter()
        .filter_map(|w| match w {
            Write::UpdateProcedure { id, .. } => Some(id.as_uuid()),
            Write::Transition(plan) => Some(plan.record.procedure_id.as_uuid()),
            _ => None,
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() < 2 {
        return Ok(());
    }
    sqlx::query("SELECT 1 FROM procedures WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE")
        .bind(&ids)
        .execute(&mut *conn)
        .await
        .map_err(|e| errors::classify("lock procedures", e))?;
    Ok(())
}

/// One write, inside the batch's transaction. Rows the helpers return are decoded there, so a
/// row that could not be read back fails the batch before it commits.
async fn apply(conn: &mut PgConnection, write: &Write) -> StoreResult<()> {
    match write {
        Write::CreateProcedure {
            procedure,
            creation,
        } => {
            procedures::create_in(conn, procedure, creation).await?;
        }
        Write::UpdateProcedure {
            id,
            expected_version,
            patch,
            now,
        } => {
            procedures::update_in(conn, *id, *expected_version, patch, *now).await?;
        }
        Write::Transition(plan) => {
            transitions::apply_plan_in(conn, plan, None, None).await?;
        }
        Write::OpenApproval(request) => {
            approvals::create_in(conn, request).await?;
        }
        Write::InsertHearing(hearing) => {
            writes::insert_hearings(conn, &[hearing]).await?;
        }
        Write::ClaimHearingKey {
            owner,
            key,
            fingerprint,
            hearing,
        } => writes::claim_hearing_key(conn, owner, key, fingerprint, *hearing).await?,
        Write::InsertUserTest(test) => {
            writes::insert_user_tests(conn, &[test]).await?;
        }
        Write::InsertTask(task) => {
            writes::insert_tasks(conn, &[task]).await?;
        }
        Write::UpdateTask {
            task,
            expected_version,
        } => {
            writes::update_task(conn, task, *expected_version).await?;
        }
        Write::TargetChange(change) => {
            target::insert(conn, &[change]).await?;
        }
        Write::Audit(entry) => audit::insert(&mut *conn, entry).await?,
        Write::FieldRevision(r) => analytics::insert_revision(conn, r).await?,
        Write::FreezeQuarter(s) => analytics::freeze(conn, s).await?,
        Write::BumpGraphVersion { expected } => {
            blocker_writes::bump_graph_version(conn, *expected).await?;
        }
        Write::AdvanceGraphVersion => crate::blockers::graph::advance(conn).await?,
        Write::InsertLawChange(law_change) => {
            blocker_writes::insert_law_changes(conn, &[law_change]).await?;
        }
        Write::UpdateLawChange {
            law_change,
            expected_version,
        } => blocker_writes::update_law_change(conn, law_change, *expected_version).await?,
        Write::LawChangeStatus(change) => {
            blocker_writes::insert_history(conn, &[change]).await?;
        }
        Write::InsertMilestone(milestone) => {
            blocker_writes::insert_milestones(conn, &[milestone]).await?;
        }
        Write::UpdateMilestone {
            milestone,
            expected_version,
        } => blocker_writes::update_milestone(conn, milestone, *expected_version).await?,
        Write::InsertDependency(dependency) => {
            blocker_writes::insert_dependency(conn, dependency).await?;
        }
        Write::RemoveDependency {
            id,
            removed_by,
            removed_at,
            reason,
        } => {
            blocker_writes::remove_dependency(
                conn,
                *id,
                *removed_by,
                *removed_at,
                reason.as_deref(),
            )
            .await?;
        }
        Write::InsertReminderRule(rule) => reminder_rules::insert_rule(conn, rule).await?,
        Write::UpdateReminderRule {
            rule,
            expected_version,
            reset_cursor,
        } => {
            reminder_rules::update_rule(conn, rule, *expected_version, *reset_cursor).await?;
        }
        Write::AdvanceRuleCursor {
            rule_id,
            attempt,
            from,
            to,
            missed,
            fired,
        } => {
            reminder_rules::advance_cursor(conn, *rule_id, *attempt, *from, *to, *missed, *fired)
                .await?;
        }
        Write::InsertFiring(firing) => reminder_rules::insert_firing(conn, firing).await?,
        Write::InsertNotifications(items) => {
            reminder_writes::insert_notifications(conn, items).await?;
        }
        Write::InsertDeliveries(items) => reminder_writes::insert_deliveries(conn, items).await?,
        Write::RecordReminded {
            rule_id,
            at,
            entries,
        } => reminder_writes::record_reminded(conn, *rule_id, *at, entries).await?,
        Write::Snooze(snooze) => reminder_writes::snooze(conn, snooze).await?,
        Write::SetLanguage { user_id, language } => {
            reminder_writes::set_language(conn, *user_id, *language).await?;
        }
        Write::InsertWebhookEndpoint(endpoint) => {
            reminder_writes::insert_endpoint(conn, endpoint).await?;
        }
        Write::UpdateWebhookEndpoint {
            endpoint,
            expected_version,
        } => reminder_writes::update_endpoint(conn, endpoint, *expected_version).await?,
        Write::RetryDelivery { id, now } => {
            reminder_writes::retry_delivery(conn, *id, *now).await?
        }
        Write::InsertQualityAssessment(assessment) => {
            quality::insert_assessment(conn, assessment).await?;
        }
        Write::InsertUserReview(review) => quality::insert_review(conn, review).await?,
        Write::InsertWebSession(session) => web::insert_session(conn, session).await?,
        Write::RevokeWebSession { id_hash, at } => {
            web::revoke_session(conn, id_hash, *at).await?;
        }
        Write::RevokeUserWebSessions { user, at } => {
            web::revoke_user_sessions(conn, *user, *at).await?;
        }
    }
    Ok(())
}
