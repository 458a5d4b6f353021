//! Demo identities: one user per role (two for the project office, because abolishing a
//! procedure needs two distinct approvals) and a token for each, so that someone trying rollout
//! can act as each role straight away. Only for demo databases: the tokens are printed.
//!
//! The users come with the demo data (the hearings, user tests and tasks name them as their
//! recorders and assignees); their tokens only when asked for (`demo --users`, `serve --demo`),
//! because a token is a secret that is shown once.

use rollout_domain::identity::{Email, Role, User};

use super::evidence::{DemoStaff, StaffMember};
use crate::{Actor, App, AppError, AppResult, CreateUser, IssuedToken};

/// A demo user and the secret of their token.
#[derive(Debug, Clone)]
pub struct DemoIdentity {
    pub user: User,
    pub token: IssuedToken,
}

const PEOPLE: &[(&str, &str, Role, Option<&str>)] = &[
    (
        "プロジェクト推進室 佐藤",
        "sato@office.demo",
        Role::ProjectOffice,
        None,
    ),
    (
        "プロジェクト推進室 鈴木",
        "suzuki@office.demo",
        Role::ProjectOffice,
        None,
    ),
    (
        "環境局 田中",
        "tanaka@kankyo.demo",
        Role::BureauCoordinator,
        Some("KANKYO"),
    ),
    (
        "生活文化局 高橋",
        "takahashi@seikatsu.demo",
        Role::BureauCoordinator,
        Some("SEIKATSU"),
    ),
    ("閲覧者 伊藤", "ito@viewer.demo", Role::Viewer, None),
];

impl App {
    /// The demo users, created if their e-mail address is not taken yet (the bureaus must
    /// exist), in the order of [`PEOPLE`].
    async fn demo_users(&self) -> AppResult<Vec<User>> {
        let system = Actor::system("demo");
        let mut out = Vec::with_capacity(PEOPLE.len());
        for (name, email, role, bureau) in PEOPLE {
            let address = Email::parse(email).map_err(|e| AppError::validation("email", e.0))?;
            if let Some(user) = self.store().user_by_email(&address).await? {
                out.push(user);
                continue;
            }
            let user = self
                .create_user(
                    &system,
                    CreateUser {
                        display_name: (*name).to_owned(),
                        email: (*email).to_owned(),
                        role: *role,
                        bureau_code: bureau.map(str::to_owned),
                    },
                )
                .await?;
            out.push(user);
        }
        Ok(out)
    }

    /// The demo users as the generated evidence names them.
    pub(super) async fn demo_staff(&self) -> AppResult<DemoStaff> {
        let users = self.demo_users().await?;
        let member = |u: &User| StaffMember {
            id: u.id,
            label: u.email.as_str().to_owned(),
        };
        Ok(DemoStaff {
            office: users
                .iter()
                .filter(|u| u.role == Role::ProjectOffice)
                .map(member)
                .collect(),
            coordinators: users
                .iter()
                .filter(|u| u.role == Role::BureauCoordinator)
                .filter_map(|u| Some((u.bureau_id?, member(u))))
                .collect(),
        })
    }

    /// The demo users (created if missing) and one new token each.
    pub async fn create_demo_identities(&self) -> AppResult<Vec<DemoIdentity>> {
        let system = Actor::system("demo");
        let mut out = Vec::with_capacity(PEOPLE.len());
        for user in self.demo_users().await? {
            let token = self
                .create_token(&system, Some(user.id), "demo", None)
                .await?;
            out.push(DemoIdentity { user, token });
        }
        Ok(out)
    }
}
