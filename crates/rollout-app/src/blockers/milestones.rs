//! Milestones (a platform going live, a system procurement): the project office creates and
//! updates them and sets their status (`Action::ManageBlockers`). DONE records the day it
//! happened (`on`, else today in Tokyo); a milestone that becomes DONE or CANCELLED moves the
//! procedures it alone held back, in the same batch (`unblock`). A milestone has no history
//! table: the audit trail keeps each status change with its reason.

use chrono::NaiveDate;
use rollout_domain::authz::Action;
use rollout_domain::blockers::{BlockerRef, Milestone, MilestoneStatus};
use rollout_domain::text::TextKind;
use rollout_domain::{MilestoneId, Platform};
use rollout_store::Write;
use serde_json::json;
use tracing::instrument;

use super::unblock::Unblocked;
use super::{GraphBatch, check_version, milestone_json, non_blank};
use crate::audit::Target;
use crate::text::TextChecks;
use crate::{Actor, App, AppError, AppResult, new_uuid};

/// A milestone to create (PLANNED).
#[derive(Debug, Clone)]
pub struct CreateMilestone {
    pub name: String,
    pub platform: Option<Platform>,
    pub planned_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

/// The fields to change; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct UpdateMilestone {
    pub name: Option<String>,
    pub platform: Option<Option<Platform>>,
    pub planned_on: Option<Option<NaiveDate>>,
    pub notes: Option<Option<String>>,
}

/// A status to set; `on` is the day a DONE milestone happened (today when absent).
#[derive(Debug, Clone)]
pub struct ChangeMilestoneStatus {
    pub status: MilestoneStatus,
    pub on: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// A status set, and what it unblocked.
#[derive(Debug, Clone)]
pub struct MilestoneStatusChanged {
    pub milestone: Milestone,
    pub unblocked: Unblocked,
}

fn not_found(id: MilestoneId) -> AppError {
    AppError::NotFound {
        entity: "milestone",
        key: id.to_string(),
    }
}

fn check_name(name: &str) -> AppResult<()> {
    if name.trim().is_empty() {
        return Err(AppError::validation(
            "name",
            "a name needs 1 to 200 characters",
        ));
    }
    Ok(())
}

impl App {
    #[instrument(name = "app.create_milestone", skip_all, fields(actor = %actor.label))]
    pub async fn create_milestone(
        &self,
        actor: &Actor,
        input: CreateMilestone,
    ) -> AppResult<Milestone> {
        let mut input = input;
        TextChecks::default()
            .check("name", TextKind::Name, &mut input.name)
            .check_opt("notes", TextKind::Comment, input.notes.as_mut())
            .finish()?;
        let id = MilestoneId(new_uuid());
        let target = Target::new("Milestone", id);
        self.require(actor, Action::ManageBlockers, "milestone.create", &target)
            .await?;
        check_name(&input.name)?;
        let now = self.now();
        let milestone = Milestone {
            id,
            name: input.name.trim().to_owned(),
            platform: input.platform,
            planned_on: input.planned_on,
            status: MilestoneStatus::Planned,
            done_on: None,
            notes: non_blank(input.notes),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let audit = self.audit_entry(
            actor,
            "milestone.create",
            &target,
            None,
            Some(milestone_json(&milestone)),
        );
        self.commit_on_graph(|_graph| {
            let (milestone, audit) = (milestone.clone(), audit.clone());
            async move {
                let writes = vec![
                    Write::InsertMilestone(milestone.clone()),
                    Write::Audit(audit),
                ];
                Ok(GraphBatch::advancing(writes, milestone))
            }
        })
        .await
    }

    #[instrument(name = "app.update_milestone", skip_all, fields(milestone = %id, actor = %actor.label))]
    pub async fn update_milestone(
        &self,
        actor: &Actor,
        id: MilestoneId,
        expected_version: i32,
        input: UpdateMilestone,
    ) -> AppResult<Milestone> {
        let mut input = input;
        TextChecks::default()
            .check_opt("name", TextKind::Name, input.name.as_mut())
            .check_opt(
                "notes",
                TextKind::Comment,
                input.notes.as_mut().and_then(Option::as_mut),
            )
            .finish()?;
        if let Some(name) = &input.name {
            check_name(name)?;
        }
        let input = &input;
        self.commit_on_graph(|_graph| async move {
            let current = self
                .store()
                .milestone(id)
                .await?
                .ok_or_else(|| not_found(id))?;
            let target = Target::new("Milestone", id);
            self.require(actor, Action::ManageBlockers, "milestone.update", &target)
                .await?;
            check_version(expected_version, current.version)?;
            let now = self.now();
            let after = Milestone {
                name: input
                    .name
                    .as_ref()
                    .map_or_else(|| current.name.clone(), |n| n.trim().to_owned()),
                platform: input.platform.unwrap_or(current.platform),
                planned_on: input.planned_on.unwrap_or(current.planned_on),
                notes: input
                    .notes
                    .clone()
                    .map_or_else(|| current.notes.clone(), non_blank),
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            let unchanged = Milestone {
                version: after.version,
                updated_at: now,
                ..current.clone()
            };
            if after == unchanged {
                return Err(AppError::validation(
                    "input",
                    "nothing to update: give at least one changed field",
                ));
            }
            let audit = self.audit_entry(
                actor,
                "milestone.update",
                &target,
                Some(milestone_json(&current)),
                Some(milestone_json(&after)),
            );
            let writes = vec![
                Write::UpdateMilestone {
                    milestone: after.clone(),
                    expected_version: current.version,
                },
                Write::Audit(audit),
            ];
            Ok(GraphBatch::advancing(writes, after))
        })
        .await
    }

    /// Sets a milestone's status; DONE or CANCELLED moves the procedures it alone held back.
    #[instrument(name = "app.change_milestone_status", skip_all, fields(milestone = %id, to = %cmd.status.as_str(), actor = %actor.label))]
    pub async fn change_milestone_status(
        &self,
        actor: &Actor,
        id: MilestoneId,
        expected_version: i32,
        cmd: ChangeMilestoneStatus,
    ) -> AppResult<MilestoneStatusChanged> {
        let mut cmd = cmd;
        TextChecks::default()
            .check_opt("reason", TextKind::Comment, cmd.reason.as_mut())
            .finish()?;
        if cmd.on.is_some() && cmd.status != MilestoneStatus::Done {
            return Err(AppError::validation(
                "on",
                "only a DONE milestone takes a date",
            ));
        }
        let reason = non_blank(cmd.reason.clone());
        let (cmd, reason) = (&cmd, &reason);
        self.commit_on_graph(|graph| async move {
            let current = self
                .store()
                .milestone(id)
                .await?
                .ok_or_else(|| not_found(id))?;
            let target = Target::new("Milestone", id);
            self.require(actor, Action::ManageBlockers, "milestone.status", &target)
                .await?;
            check_version(expected_version, current.version)?;
            if current.status == cmd.status {
                return Err(AppError::Problems(vec![crate::hearings::problem(
                    crate::ErrorCode::InvalidTransition,
                    &["status"],
                    format!("the milestone is already {}", cmd.status.as_str()),
                )]));
            }
            let today = self.today();
            if let Some(on) = cmd.on.filter(|on| *on > today) {
                return Err(AppError::validation(
                    "on",
                    format!("{on} is in the future: a milestone is DONE once it happened"),
                ));
            }
            let now = self.now();
            let after = Milestone {
                status: cmd.status,
                done_on: (cmd.status == MilestoneStatus::Done).then(|| cmd.on.unwrap_or(today)),
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            let mut after_json = milestone_json(&after);
            after_json["reason"] = json!(reason);
            let audit = self.audit_entry(
                actor,
                "milestone.status",
                &target,
                Some(milestone_json(&current)),
                Some(after_json),
            );
            let mut writes = vec![
                Write::UpdateMilestone {
                    milestone: after.clone(),
                    expected_version: current.version,
                },
                Write::Audit(audit),
            ];
            let mut events = Vec::new();
            let closes = current.is_open() && !after.is_open();
            let unblocked = if closes {
                let mut why = format!("{} {}", after.name, after.status.as_str().to_lowercase());
                if let Some(r) = reason {
                    why = format!("{why}: {r}");
                }
                self.plan_unblock(
                    &graph,
                    BlockerRef::Milestone(id),
                    &why,
                    &mut writes,
                    &mut events,
                )
                .await?
            } else {
                Unblocked::default()
            };
            let mut batch = GraphBatch::on_if(
                closes,
                &graph,
                writes,
                MilestoneStatusChanged {
                    milestone: after,
                    unblocked,
                },
            );
            batch.events = events;
            Ok(batch)
        })
        .await
    }
}
