//! People and automation that act in rollout: users with a role and, for bureau coordinators, a
//! bureau. How a request proves who it is (API token, JWT) is the server's business; what a user
//! may do is [`crate::authz`]'s.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::{BureauId, CodeError, UserId};

/// What a user may do, coarsely; [`crate::authz`] has the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Users, bureaus and the workflow; reads everything.
    Admin,
    /// Everything in every bureau, and approvals.
    ProjectOffice,
    /// Creates, updates and moves the procedures of their own bureau only.
    BureauCoordinator,
    /// Reads only.
    Viewer,
    /// A service identity, not a person: the review form of the e-application sites, which
    /// submits residents' user reviews and may do nothing else (not even read).
    ReviewIntake,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Self::Admin,
        Self::ProjectOffice,
        Self::BureauCoordinator,
        Self::Viewer,
        Self::ReviewIntake,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "ADMIN",
            Self::ProjectOffice => "PROJECT_OFFICE",
            Self::BureauCoordinator => "BUREAU_COORDINATOR",
            Self::Viewer => "VIEWER",
            Self::ReviewIntake => "REVIEW_INTAKE",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let up = raw.trim().to_ascii_uppercase().replace('-', "_");
        Self::ALL.iter().copied().find(|r| r.as_str() == up)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An e-mail address, checked for shape only (one `@`, something on both sides, no spaces) and
/// stored lower-cased so that it can serve as a unique login name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        let s = crate::codes::cleaned("e-mail address", crate::text::TextKind::Email, raw)?
            .trim()
            .to_lowercase();
        let ok = s.len() <= 254
            && !s.chars().any(char::is_whitespace)
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && !domain.is_empty() && !domain.contains('@')
            });
        if ok {
            Ok(Self(s))
        } else {
            Err(CodeError(format!("{raw:?} is not an e-mail address")))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub display_name: String,
    pub email: Email,
    pub role: Role,
    /// Set for bureau coordinators (required), absent for everyone else.
    pub bureau_id: Option<BureauId>,
    /// A disabled user cannot authenticate; their history stays.
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// Why a user definition is inconsistent (the role and the bureau disagree).
pub fn validate_user(
    display_name: &str,
    role: Role,
    bureau: Option<BureauId>,
) -> Vec<(&'static str, String)> {
    let mut errors = Vec::new();
    if display_name.trim().is_empty() {
        errors.push(("displayName", "display name must not be empty".to_owned()));
    }
    match (role, bureau) {
        (Role::BureauCoordinator, None) => {
            errors.push((
                "bureauCode",
                "a bureau coordinator needs a bureau".to_owned(),
            ));
        }
        (Role::BureauCoordinator, Some(_)) | (_, None) => {}
        (_, Some(_)) => errors.push((
            "bureauCode",
            format!("only bureau coordinators belong to a bureau, not {role}"),
        )),
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse() {
        assert_eq!(Role::parse("project_office"), Some(Role::ProjectOffice));
        assert_eq!(
            Role::parse("bureau-coordinator"),
            Some(Role::BureauCoordinator)
        );
        assert_eq!(Role::parse("review-intake"), Some(Role::ReviewIntake));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Tanaka@Metro.Tokyo.lg.jp ").unwrap().as_str(),
            "tanaka@metro.tokyo.lg.jp"
        );
        for bad in ["", "tanaka", "@x", "x@", "a b@c", "a@b@c"] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn role_and_bureau_must_agree() {
        let b = Some(BureauId(uuid::Uuid::nil()));
        assert!(validate_user("Tanaka", Role::BureauCoordinator, b).is_empty());
        assert!(validate_user("Tanaka", Role::Viewer, None).is_empty());
        assert_eq!(
            validate_user("Tanaka", Role::BureauCoordinator, None)[0].0,
            "bureauCode"
        );
        assert_eq!(validate_user("Tanaka", Role::Admin, b)[0].0, "bureauCode");
        assert_eq!(validate_user(" ", Role::Viewer, None)[0].0, "displayName");
    }
}
