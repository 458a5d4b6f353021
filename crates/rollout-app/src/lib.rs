//! rollout's use cases: create and update bureaus and procedures, move procedures through the
//! workflow (with idempotent retries), list and summarise, import CSV files and generate demo
//! data. This is where the clock is read and where the domain's decisions meet the store, and
//! where committed changes are published to live subscribers (`events`).
//!
//! It knows nothing of GraphQL, HTTP or which database is in use: it holds an `Arc<dyn Store>`.
#![forbid(unsafe_code)]

mod actor;
pub mod analytics;
mod approvals;
pub mod audit;
mod authz;
pub mod cache;
mod clock;
mod delegations;
pub mod demo;
pub mod deps;
mod error;
pub mod events;
pub mod guard_facts;
mod identity;
pub mod import;
pub mod metrics;
mod procedures;
mod reads;
mod text;
mod transitions;
// Issue 10: user tests and target history (h-ut).
pub mod targets;
mod user_tests;
// Issue 15: the data checks of `rollout verify`.
pub mod verify;
// Issue 10: hearings and tasks.
mod hearings;
mod tasks;
// Issue 11: law changes, milestones, dependencies and the automatic unblocking.
mod blockers;
pub mod reminders;
// Issue 13: the quarterly progress report.
mod report;
// Issue 13: the quality map, quality assessments and user reviews.
pub mod quality;
// Issue 14: server-side sessions of the web dashboard.
mod web_sessions;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::workflow::WorkflowDefinition;
use rollout_store::Store;

pub use actor::{Actor, RequestMeta};
pub use approvals::DecisionOutcome;
pub use blockers::{
    AddDependency, ChangeLawChangeStatus, ChangeMilestoneStatus, CreateLawChange, CreateMilestone,
    LawChangeStatusChanged, MilestoneStatusChanged, StillBlocked, Unblocked, UpdateLawChange,
    UpdateMilestone,
};
pub use cache::{CacheChange, CacheInvalidator};
pub use clock::{Clock, FixedClock, SystemClock, TOKYO};
pub use error::{AppError, AppResult, ErrorCode, FieldError, Problem};
pub use events::{EventKind, EventRelay, ProcedureEvent};
pub use hearings::{HearingRecorded, NewTask, RecordHearing, RecordOutcome};
pub use identity::{CreateUser, IssuedToken, JwtIdentity, UpdateUser};
pub use procedures::{CreateBureau, CreateProcedure, UpdateProcedure};
pub use tasks::{CreateTask, UpdateTask};
pub use transitions::{TransitionCommand, TransitionOutcome};
pub use user_tests::RecordUserTest;
pub use web_sessions::OpenedSession;

/// Settings of the use cases that deployments may tune.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppSettings {
    /// Days after which an undecided approval request expires.
    pub approval_expiry_days: u32,
    /// Days from `scheduled` to release assumed for earliest release where history has too
    /// few released procedures of the platform to measure it.
    pub release_lead_days: u32,
    /// Whether e-mail is configured: rules with the EMAIL channel queue e-mails only then.
    pub email_enabled: bool,
    /// User reviews one review intake identity may submit per minute (at least 1; a burst of
    /// this many, then one every 60/n seconds).
    pub review_rate_per_minute: u32,
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            approval_expiry_days: 14,
            release_lead_days: 180,
            email_enabled: false,
            review_rate_per_minute: quality::DEFAULT_REVIEW_RATE_PER_MINUTE,
        }
    }
}

/// The application: a store, the loaded workflow definition and a clock.
#[derive(Debug, Clone)]
pub struct App {
    store: Arc<dyn Store>,
    workflow: Arc<WorkflowDefinition>,
    clock: Arc<dyn Clock>,
    settings: AppSettings,
    /// Shared by every clone, so that a change made through any of them reaches every
    /// subscriber of the process (and, with a relay, of every replica).
    events: events::EventBus,
    /// Verified tokens and bureaus, shared by every clone like `events` (see `cache`).
    caches: cache::Caches,
    /// The dependency graph of the latest version this process has read, shared like `events`.
    graph: Arc<deps::GraphCache>,
    /// The law change's life cycle (embedded, run by the same engine as `workflow`).
    law_change_workflow: Arc<WorkflowDefinition>,
    /// Analytics settings and the cached facts, shared like `events`.
    analytics: Arc<analytics::AnalyticsState>,
    /// The quality thresholds and the user-review limiter, shared by every clone.
    quality: Arc<quality::QualityState>,
}

impl App {
    pub fn new(store: Arc<dyn Store>, workflow: WorkflowDefinition, clock: Arc<dyn Clock>) -> Self {
        let settings = AppSettings::default();
        let quality = Arc::new(quality::QualityState::new(
            rollout_domain::quality::QualityThresholds::default(),
            settings.review_rate_per_minute,
            clock.clone(),
        ));
        Self {
            store,
            workflow: Arc::new(workflow),
            clock,
            settings,
            events: events::EventBus::new(events::EVENT_BUFFER),
            caches: cache::Caches::default(),
            graph: Arc::default(),
            law_change_workflow: Arc::new(rollout_domain::workflow::law_change_workflow()),
            analytics: Arc::default(),
            quality,
        }
    }

    pub fn with_settings(mut self, settings: AppSettings) -> Self {
        self.settings = settings;
        self.quality = Arc::new(quality::QualityState::new(
            self.quality.thresholds().clone(),
            settings.review_rate_per_minute,
            self.clock.clone(),
        ));
        self
    }

    /// Replaces the analytics settings (targets, forecast window); the facts cache starts
    /// empty.
    pub fn with_analytics(mut self, settings: analytics::AnalyticsSettings) -> Self {
        self.analytics = Arc::new(analytics::AnalyticsState {
            settings,
            cache: Default::default(),
        });
        self
    }

    pub fn settings(&self) -> AppSettings {
        self.settings
    }

    /// The store, for reads that need no rule (data loaders, point reads).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub(crate) fn graph_cache(&self) -> &deps::GraphCache {
        &self.graph
    }

    pub fn workflow(&self) -> &WorkflowDefinition {
        &self.workflow
    }

    /// The law change's workflow definition.
    pub fn law_change_workflow(&self) -> &WorkflowDefinition {
        &self.law_change_workflow
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today's date in Asia/Tokyo, the programme's calendar.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&TOKYO).date_naive()
    }

    /// Refuses a workflow definition that does not know every state stored procedures are in,
    /// naming those states, so that replacing the workflow cannot strand procedures.
    pub async fn check_stored_states(&self) -> AppResult<()> {
        let unknown: Vec<String> = self
            .store
            .states_in_use()
            .await?
            .into_iter()
            .filter(|s| self.workflow.state(s).is_none())
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(AppError::validation(
                "workflow",
                format!(
                    "procedures are stored in states the workflow {} does not define: {}",
                    self.workflow.version_tag(),
                    unknown.join(", ")
                ),
            ))
        }
    }
}

/// A new time-ordered id (UUID v7).
pub(crate) fn new_uuid() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
