//! The rollout model and its rules: bureaus, procedures, the Japanese fiscal calendar, the workflow
//! definition (a state graph validated with petgraph) and the engine that decides transitions.
//!
//! This crate does no IO, spawns nothing and never reads the clock: "now" is always a parameter.
//! It carries no wire (serde/GraphQL) derives on its model types; the only serde use is two TOML
//! file formats: the workflow definition's ([`workflow::file`]) and the quality thresholds'
//! ([`quality::thresholds`]).
#![forbid(unsafe_code)]

pub mod analytics;
pub mod approval;
pub mod audit;
pub mod authz;
pub mod blockers;
pub mod bounds;
pub mod bureau;
pub mod codes;
pub mod deps;
pub mod fiscal;
pub mod hearing;
pub mod history;
pub mod identity;
pub mod ids;
pub mod procedure;
// Issue 13: the quality map of priority procedures and user reviews.
pub mod quality;
pub mod reminders;
pub mod summary;
pub mod target;
pub mod task;
pub mod text;
pub mod token;
pub mod user_test;
// Issue 14: server-side sessions of the web dashboard.
pub mod web_session;
pub mod workflow;

pub use bounds::OutOfRange;
pub use bureau::{Bureau, NewBureau};
pub use codes::{BureauCode, CodeError, IdempotencyKey, ProcedureCode};
pub use fiscal::{FiscalQuarter, FiscalQuarterError, FiscalYear};
pub use history::TransitionRecord;
pub use ids::{
    ApprovalRequestId, AuditEntryId, BureauId, DelegationId, DeliveryId, DependencyId, FiringId,
    HearingId, LawChangeId, LawChangeStatusChangeId, MilestoneId, NotificationId, ProcedureId,
    ReminderRuleId, TaskId, TokenId, TransitionRecordId, UserId, UserTestId, WebhookEndpointId,
};
pub use ids::{QualityAssessmentId, UserReviewId};
pub use procedure::{Authority, Category, NewProcedure, Platform, Procedure, ProcedurePatch};
pub use summary::RolloutSummary;
