//! API tokens: long random secrets given to people and automation. The secret is shown once at
//! creation and only a hash is stored; a token is looked up by that hash. Generating secrets and
//! hashing them needs randomness and a digest, so it happens in `rollout_auth::token`; this
//! module holds the stored shape and the rule for when a token may be used.

use chrono::{DateTime, Utc};

use crate::{TokenId, UserId};

/// The stored hash of a token secret (lower-case hex SHA-256). Secrets have 256 bits of
/// randomness, so a fast hash is enough: there is nothing to brute-force as with passwords.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(pub String);

/// An API token as stored, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: TokenId,
    pub user_id: UserId,
    /// What the token is for, chosen by its owner ("reminder job", "tanaka laptop").
    pub name: String,
    /// The first characters of the secret, to recognise it in a list without revealing it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Why a token that exists may not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejection {
    #[error("the token was revoked")]
    Revoked,
    #[error("the token has expired")]
    Expired,
}

impl ApiToken {
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), TokenRejection> {
        if self.revoked_at.is_some_and(|t| t <= now) {
            Err(TokenRejection::Revoked)
        } else if self.expires_at.is_some_and(|t| t <= now) {
            Err(TokenRejection::Expired)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use uuid::Uuid;

    #[test]
    fn usable_until_revoked_or_expired() {
        let now = DateTime::UNIX_EPOCH + TimeDelta::days(100);
        let mut t = ApiToken {
            id: TokenId(Uuid::nil()),
            user_id: UserId(Uuid::nil()),
            name: "job".into(),
            prefix: "rlt_abcd".into(),
            created_at: DateTime::UNIX_EPOCH,
            expires_at: None,
            last_used_at: None,
            revoked_at: None,
        };
        assert_eq!(t.check(now), Ok(()));
        t.expires_at = Some(now);
        assert_eq!(t.check(now), Err(TokenRejection::Expired));
        t.expires_at = Some(now + TimeDelta::seconds(1));
        assert_eq!(t.check(now), Ok(()));
        t.revoked_at = Some(now - TimeDelta::seconds(1));
        assert_eq!(t.check(now), Err(TokenRejection::Revoked));
    }
}
