//! The one gate every use case passes: [`App::require`] asks the domain's `authorize` and, when
//! it refuses, records the attempt in the audit trail before answering FORBIDDEN. The answer says
//! what the role may not do, never anything about the target.

use rollout_domain::audit::AuditOutcome;
use rollout_domain::authz::{self, Action};

use crate::audit::Target;
use crate::{Actor, App, AppError, AppResult};

impl App {
    /// Succeeds for the system and for users the domain allows; otherwise records the refusal
    /// (as `audit_action` on `target`) and returns `Forbidden`.
    pub(crate) async fn require(
        &self,
        actor: &Actor,
        action: Action,
        audit_action: &str,
        target: &Target,
    ) -> AppResult<()> {
        let Some(user) = &actor.user else {
            return Ok(());
        };
        match authz::authorize(user, action) {
            Ok(()) => Ok(()),
            Err(denied) => {
                self.record_denied(actor, audit_action, target, AuditOutcome::Forbidden)
                    .await;
                Err(AppError::Forbidden {
                    message: denied.to_string(),
                })
            }
        }
    }
}

impl App {
    /// As [`App::require`] for reads: refuses with FORBIDDEN without an audit entry (reads
    /// are not audited).
    pub(crate) fn require_quietly(&self, actor: &Actor, action: Action) -> AppResult<()> {
        match &actor.user {
            None => Ok(()),
            Some(user) => authz::authorize(user, action).map_err(|denied| AppError::Forbidden {
                message: denied.to_string(),
            }),
        }
    }
}
