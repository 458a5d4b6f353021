//! Who is acting, and from where. An [`Actor`] is either an authenticated user (every GraphQL
//! request, once the server has checked its credentials) or the system itself (the CLI, which
//! runs with the database's own credentials, and housekeeping such as expiring requests).
//! Permission checks apply to users; the system is trusted, as anyone who can run the CLI
//! against the database could change it directly anyway.

use rollout_domain::UserId;
use rollout_domain::identity::User;

/// Where a request came from, for the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMeta {
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

/// The acting party of a use case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The authenticated user; `None` for the system.
    pub user: Option<User>,
    /// How the actor appears in history and the audit trail: an e-mail address or `system:…`.
    pub label: String,
    pub meta: RequestMeta,
}

impl Actor {
    pub fn user(user: User, meta: RequestMeta) -> Self {
        Self {
            label: user.email.as_str().to_owned(),
            user: Some(user),
            meta,
        }
    }

    /// The system acting for a named purpose (`system:import`, `system:expiry`).
    pub fn system(purpose: &str) -> Self {
        Self {
            user: None,
            label: format!("system:{purpose}"),
            meta: RequestMeta::default(),
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.user.as_ref().map(|u| u.id)
    }
}
