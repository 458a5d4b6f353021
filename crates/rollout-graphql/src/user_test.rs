//! User tests as the API shows them (`UserTest`, `UserTestVerdict`) and `recordUserTest`. The
//! rules (a sound test, who may record one, what a PASS means for `built → user_tested`) live
//! in the domain and the `App`; this module converts input and shapes results. A page of user
//! tests shares one read of their recorders, and of their procedures when those are not
//! already at hand (`Procedure.userTests` hands its own procedure down).

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use rollout_app::RecordUserTest;
use rollout_domain::user_test as domain;
use tracing::instrument;

use crate::enums::UserTestVerdict;
use crate::errors::{UserError, payload_errors};
use crate::identity::User;
use crate::ids::{NodeType, global_id};
use crate::inputs::procedure_id;
use crate::loaders::{ProcedureBatch, UserBatch};
use crate::procedure::Procedure;
use crate::scalars::{Date, DateTime};
use crate::{actor, app};

/// A user test (利用者テスト) of a procedure's new screens.
#[derive(Debug, Clone)]
pub struct UserTest {
    row: domain::UserTest,
    /// The procedure, when the test was reached through it.
    procedure: Option<Procedure>,
    /// Shared by every test of the same page.
    page: Arc<PageRefs>,
}

#[derive(Debug)]
struct PageRefs {
    procedures: ProcedureBatch,
    recorders: UserBatch,
}

impl UserTest {
    /// The tests of one page, whose procedures and recorders load together.
    pub(crate) fn page(rows: Vec<domain::UserTest>) -> Vec<Self> {
        let page = Arc::new(PageRefs {
            procedures: ProcedureBatch::new(rows.iter().map(|t| t.procedure_id)),
            recorders: UserBatch::new(rows.iter().map(|t| t.recorded_by)),
        });
        rows.into_iter()
            .map(|row| Self {
                row,
                procedure: None,
                page: page.clone(),
            })
            .collect()
    }

    pub(crate) fn single(row: domain::UserTest) -> Self {
        Self::page(vec![row])
            .pop()
            .expect("a page of one user test has one user test")
    }

    /// The same test, reached through `procedure` (whose `procedure` field then costs nothing).
    pub(crate) fn through(self, procedure: &Procedure) -> Self {
        Self {
            procedure: Some(procedure.clone()),
            ..self
        }
    }

    pub(crate) fn row(&self) -> &domain::UserTest {
        &self.row
    }
}

#[Object]
impl UserTest {
    pub async fn id(&self) -> ID {
        global_id(NodeType::UserTest, self.row.id.as_uuid())
    }

    /// The procedure tested, as it is now.
    #[instrument(skip_all, fields(user_test = %self.row.id))]
    async fn procedure(&self, ctx: &Context<'_>) -> async_graphql::Result<Procedure> {
        match &self.procedure {
            Some(p) => Ok(p.clone()),
            None => {
                self.page
                    .procedures
                    .get(app(ctx)?, self.row.procedure_id)
                    .await
            }
        }
    }

    /// The day the test was held (Tokyo calendar).
    async fn held_on(&self) -> Date {
        Date(self.row.held_on)
    }

    async fn participants(&self) -> i32 {
        self.row.participants
    }

    async fn tasks_attempted(&self) -> i32 {
        self.row.tasks_attempted
    }

    async fn tasks_completed(&self) -> i32 {
        self.row.tasks_completed
    }

    /// Completed ÷ attempted tasks, 0 when nothing was attempted.
    async fn completion_rate(&self) -> f64 {
        self.row.completion_rate()
    }

    /// The median time participants took, in minutes.
    async fn median_minutes(&self) -> Option<f64> {
        self.row.median_minutes
    }

    /// System Usability Scale score, 0–100.
    async fn sus_score(&self) -> Option<f64> {
        self.row.sus_score
    }

    async fn findings(&self) -> &[String] {
        &self.row.findings
    }

    async fn verdict(&self) -> UserTestVerdict {
        self.row.verdict.into()
    }

    #[instrument(skip_all, fields(user_test = %self.row.id))]
    async fn recorded_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        self.page
            .recorders
            .get(app(ctx)?, self.row.recorded_by)
            .await
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }
}

/// A user test to record. It counts for `built → user_tested` when it is the latest one
/// recorded since the procedure last entered `built`.
#[derive(Debug, Clone, InputObject)]
pub struct RecordUserTestInput {
    pub procedure_id: ID,
    /// Today or earlier (Tokyo calendar).
    pub held_on: Date,
    /// At least 1.
    pub participants: i32,
    pub tasks_attempted: i32,
    /// At most `tasksAttempted`.
    pub tasks_completed: i32,
    pub median_minutes: Option<f64>,
    /// System Usability Scale score, 0–100.
    pub sus_score: Option<f64>,
    /// What the participants stumbled on, one finding each (at most 100).
    #[graphql(default)]
    pub findings: Vec<String>,
    pub verdict: UserTestVerdict,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct UserTestPayload {
    pub user_test: Option<UserTest>,
    pub errors: Vec<UserError>,
}

/// User tests.
#[derive(Debug, Default)]
pub(crate) struct UserTestMutation;

#[Object]
impl UserTestMutation {
    /// Records a user test of a procedure (coordinators of its bureau, the project office).
    #[instrument(skip_all, fields(procedure = %input.procedure_id.as_str()))]
    async fn record_user_test(
        &self,
        ctx: &Context<'_>,
        input: RecordUserTestInput,
    ) -> async_graphql::Result<UserTestPayload> {
        let actor = actor(ctx)?;
        let failed = |errors| UserTestPayload {
            user_test: None,
            errors,
        };
        let id = match procedure_id(&input.procedure_id, "procedureId") {
            Ok(id) => id,
            Err(e) => return Ok(failed(vec![e])),
        };
        let command = RecordUserTest {
            procedure_id: id,
            held_on: input.held_on.0,
            participants: input.participants,
            tasks_attempted: input.tasks_attempted,
            tasks_completed: input.tasks_completed,
            median_minutes: input.median_minutes,
            sus_score: input.sus_score,
            findings: input.findings,
            verdict: input.verdict.into(),
        };
        Ok(match app(ctx)?.record_user_test(&actor, command).await {
            Ok(test) => UserTestPayload {
                user_test: Some(UserTest::single(test)),
                errors: Vec::new(),
            },
            Err(e) => failed(payload_errors(&e, "procedureId")?),
        })
    }
}
