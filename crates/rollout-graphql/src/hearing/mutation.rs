//! `recordHearing`: one `App` use case. When anything is wrong, every problem comes back in the
//! payload's `errors` with the path of its outcome (`["outcomes","3","expectedVersion"]` for a
//! stale version, `["outcomes","1"]` for a move the workflow refuses) and nothing is written.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use rollout_app::{NewTask, RecordHearing, RecordOutcome};
use rollout_domain::{ProcedureId, UserId};
use tracing::instrument;

use super::Hearing;
use crate::enums::{HearingDecision, HearingKind, Platform};
use crate::errors::{ErrorCode, UserError, payload_errors};
use crate::ids::{NodeType, decode_global_id_as};
use crate::scalars::{Date, FiscalQuarter};
use crate::{actor, app};

#[derive(Debug, Clone, InputObject)]
pub struct RecordHearingInput {
    /// The bureau the hearing was held with.
    pub bureau_code: String,
    /// Not in the future (Asia/Tokyo).
    pub held_on: Date,
    pub kind: HearingKind,
    /// 1 to 200 characters; with the date, the comment of every move the hearing makes.
    pub title: String,
    #[graphql(default)]
    pub attendees: Vec<String>,
    pub notes: Option<String>,
    /// 1 to 200, one per procedure.
    pub outcomes: Vec<HearingOutcomeInput>,
    /// Makes the request safe to retry: a retry with the same key and input returns the first
    /// hearing (`replayed: true`) and writes nothing.
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, InputObject)]
pub struct HearingOutcomeInput {
    pub procedure_id: ID,
    /// Checked when `apply` is true: the procedure must still be at this version.
    pub expected_version: i32,
    pub decision: HearingDecision,
    pub agreed_target_quarter: Option<FiscalQuarter>,
    pub agreed_platform: Option<Platform>,
    pub issues: Option<String>,
    pub next_step: Option<String>,
    /// Apply what was agreed: set the quarter and platform, then make the decision's move.
    #[graphql(default)]
    pub apply: bool,
    #[graphql(default)]
    pub tasks: Vec<NewTaskInput>,
}

/// A task a hearing leaves for its outcome's procedure (and that procedure's bureau).
#[derive(Debug, Clone, InputObject)]
pub struct NewTaskInput {
    pub title: String,
    pub description: Option<String>,
    /// A User id.
    pub assignee_id: Option<ID>,
    /// Not before today (Asia/Tokyo).
    pub due_on: Option<Date>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct HearingPayload {
    pub hearing: Option<Hearing>,
    /// True when this answers a retry with the same idempotency key; nothing was written.
    pub replayed: bool,
    pub errors: Vec<UserError>,
}

impl HearingPayload {
    fn failed(errors: Vec<UserError>) -> Self {
        Self {
            hearing: None,
            replayed: false,
            errors,
        }
    }
}

/// The uuid of an id of type `ty` inside the input, or a VALIDATION error at `path`.
fn nested_id(
    id: &ID,
    ty: NodeType,
    path: &[&str],
    errors: &mut Vec<UserError>,
) -> Option<uuid::Uuid> {
    decode_global_id_as(id, ty)
        .map_err(|e| errors.push(UserError::new(ErrorCode::Validation, path, e.0)))
        .ok()
}

impl RecordHearingInput {
    fn into_command(self) -> Result<RecordHearing, Vec<UserError>> {
        let mut errors = Vec::new();
        let mut outcomes = Vec::with_capacity(self.outcomes.len());
        for (i, o) in self.outcomes.into_iter().enumerate() {
            let i = i.to_string();
            let procedure = nested_id(
                &o.procedure_id,
                NodeType::Procedure,
                &["outcomes", &i, "procedureId"],
                &mut errors,
            );
            let mut tasks = Vec::with_capacity(o.tasks.len());
            for (j, t) in o.tasks.into_iter().enumerate() {
                let j = j.to_string();
                let assignee = t.assignee_id.as_ref().and_then(|id| {
                    let path = ["outcomes", &i, "tasks", &j, "assigneeId"];
                    nested_id(id, NodeType::User, &path, &mut errors)
                });
                tasks.push(NewTask {
                    title: t.title,
                    description: t.description,
                    assignee_id: assignee.map(UserId),
                    due_on: t.due_on.map(|d| d.0),
                });
            }
            outcomes.push(RecordOutcome {
                procedure_id: ProcedureId(procedure.unwrap_or_default()),
                expected_version: o.expected_version,
                decision: o.decision.into(),
                agreed_target_quarter: o.agreed_target_quarter.map(|q| q.0),
                agreed_platform: o.agreed_platform.map(Into::into),
                issues: o.issues,
                next_step: o.next_step,
                apply: o.apply,
                tasks,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(RecordHearing {
            bureau_code: self.bureau_code,
            held_on: self.held_on.0,
            kind: self.kind.into(),
            title: self.title,
            attendees: self.attendees,
            notes: self.notes,
            outcomes,
            idempotency_key: self.idempotency_key,
        })
    }
}

#[derive(Debug, Default)]
pub(crate) struct HearingMutation;

#[Object]
impl HearingMutation {
    /// Records a hearing and applies its applied outcomes in one transaction: all or nothing.
    #[instrument(skip_all, fields(bureau = %input.bureau_code, outcomes = input.outcomes.len()))]
    async fn record_hearing(
        &self,
        ctx: &Context<'_>,
        input: RecordHearingInput,
    ) -> async_graphql::Result<HearingPayload> {
        let actor = actor(ctx)?;
        let command = match input.into_command() {
            Ok(command) => command,
            Err(errors) => return Ok(HearingPayload::failed(errors)),
        };
        Ok(match app(ctx)?.record_hearing(&actor, command).await {
            Ok(recorded) => HearingPayload {
                hearing: Some(Hearing::single(recorded.hearing)),
                replayed: recorded.replayed,
                errors: Vec::new(),
            },
            Err(e) => HearingPayload::failed(payload_errors(&e, "bureauCode")?),
        })
    }
}
