//! Substitute approvers and the approval queries. A person who decides approvals may name a
//! substitute for a date range (Asia/Tokyo dates, inclusive); the substitute's decisions record
//! both names. Listing closes expired requests first, so what is shown as PENDING is pending.

use chrono::NaiveDate;
use rollout_domain::approval::{self, ApprovalRequest, ApprovalStatus, Delegation};
use rollout_domain::authz::{self, Action};
use rollout_domain::identity::Role;
use rollout_domain::{DelegationId, UserId};
use rollout_store::{ApprovalCursor, ApprovalFilter, MAX_PAGE_SIZE, Page, PageRequest};

use crate::audit::{Target, delegation_json};
use crate::procedures::field_errors;
use crate::{Actor, App, AppError, AppResult, new_uuid};

impl App {
    /// The actor names `delegate` as their substitute from `starts_on` to `ends_on`.
    pub async fn create_delegation(
        &self,
        actor: &Actor,
        delegate: UserId,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
    ) -> AppResult<Delegation> {
        let Some(me) = actor.user.clone() else {
            return Err(AppError::validation(
                "delegateId",
                "delegations are made by people",
            ));
        };
        let target = Target::kind("Delegation");
        let needed = me.role;
        self.require(
            actor,
            Action::DecideApproval(needed),
            "delegation.create",
            &target,
        )
        .await?;
        let delegate = self
            .store()
            .user(delegate)
            .await?
            .ok_or_else(|| AppError::validation("delegateId", "no such user"))?;
        let errors = approval::validate_delegation(&me, &delegate, starts_on, ends_on);
        if !errors.is_empty() {
            return Err(AppError::Validation(field_errors(errors)));
        }
        if ends_on < self.today() {
            return Err(AppError::validation(
                "endsOn",
                "the delegation would already be over",
            ));
        }
        let d = Delegation {
            id: DelegationId(new_uuid()),
            delegator: me.id,
            delegate: delegate.id,
            starts_on,
            ends_on,
            created_at: self.now(),
            revoked_at: None,
        };
        let audit = self.audit_entry(
            actor,
            "delegation.create",
            &Target::new("Delegation", d.id),
            None,
            Some(delegation_json(&d)),
        );
        Ok(self.store().create_delegation(&d, &audit).await?)
    }

    /// Ends a delegation early; the delegator (or an admin) may.
    pub async fn revoke_delegation(
        &self,
        actor: &Actor,
        id: DelegationId,
    ) -> AppResult<Delegation> {
        let target = Target::new("Delegation", id);
        let d = self
            .store()
            .delegation(id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                entity: "delegation",
                key: id.to_string(),
            })?;
        if actor.user.is_some() && actor.user_id() != Some(d.delegator) {
            self.require(actor, Action::ManageUsers, "delegation.revoke", &target)
                .await?;
        }
        let mut after = d.clone();
        after.revoked_at = Some(self.now());
        let audit = self.audit_entry(
            actor,
            "delegation.revoke",
            &target,
            Some(delegation_json(&d)),
            Some(delegation_json(&after)),
        );
        Ok(self
            .store()
            .revoke_delegation(id, self.now(), &audit)
            .await?)
    }

    /// Delegations given by or to the actor (everyone's for admins and the system).
    pub async fn list_delegations(&self, actor: &Actor) -> AppResult<Vec<Delegation>> {
        let all = crate::reads::sees_everyones(actor);
        Ok(self
            .store()
            .list_delegations(if all { None } else { actor.user_id() })
            .await?)
    }

    /// One page of approval requests, newest first, counted only when `page.with_total`.
    pub async fn list_approvals(
        &self,
        filter: &ApprovalFilter,
        page: PageRequest<ApprovalCursor>,
    ) -> AppResult<Page<ApprovalRequest>> {
        if page.first > MAX_PAGE_SIZE {
            return Err(AppError::validation(
                "first",
                format!("first must be at most {MAX_PAGE_SIZE}"),
            ));
        }
        self.expire_due_approvals().await?;
        Ok(self.store().list_approval_requests(filter, &page).await?)
    }

    /// Pending requests the actor could decide now, as themselves or as a substitute: not their
    /// own, not yet voted on by them, needing a role they (or whoever they stand in for today)
    /// can decide for, and for a coordinator's role only of that coordinator's bureau. At most
    /// [`MAX_PAGE_SIZE`], oldest deadline first.
    pub async fn my_pending_approvals(&self, actor: &Actor) -> AppResult<Vec<ApprovalRequest>> {
        let Some(me) = &actor.user else {
            return Ok(Vec::new());
        };
        self.expire_due_approvals().await?;
        let mut deciders = vec![me.clone()];
        for d in self.store().delegations_to(me.id, self.today()).await? {
            deciders.extend(self.store().user(d.delegator).await?);
        }
        // (role, bureau): what each decider may decide; a coordinator only in their bureau.
        let mut scopes: Vec<(Role, Option<rollout_domain::BureauId>)> = Vec::new();
        for decider in &deciders {
            for &role in Role::ALL {
                if authz::authorize(decider, Action::DecideApproval(role)).is_err() {
                    continue;
                }
                let scope = match (role, decider.bureau_id) {
                    (Role::BureauCoordinator, Some(bureau)) => (role, Some(bureau)),
                    // A coordinator without a bureau decides nothing.
                    (Role::BureauCoordinator, None) => continue,
                    _ => (role, None),
                };
                if !scopes.contains(&scope) {
                    scopes.push(scope);
                }
            }
        }
        let bureau_ids: Vec<_> = scopes.iter().filter_map(|(_, b)| *b).collect();
        let bureaus = self.store().bureaus_by_ids(&bureau_ids).await?;
        let mut out = Vec::new();
        for (role, bureau) in scopes {
            let bureau_codes = match bureau {
                None => Vec::new(),
                Some(id) => match bureaus.iter().find(|b| b.id == id) {
                    Some(b) => vec![b.code.clone()],
                    None => continue,
                },
            };
            let filter = ApprovalFilter {
                statuses: vec![ApprovalStatus::Pending],
                role: Some(role),
                bureau_codes,
                not_voted_by: Some(me.id),
                ..ApprovalFilter::default()
            };
            let page = self
                .store()
                .list_approval_requests(
                    &filter,
                    &PageRequest {
                        first: MAX_PAGE_SIZE,
                        after: None,
                        with_total: false,
                    },
                )
                .await?;
            out.extend(page.items.into_iter().filter(|r| r.requested_by != me.id));
        }
        out.sort_by_key(|r| (r.expires_at, r.id));
        out.dedup_by_key(|r| r.id);
        out.truncate(MAX_PAGE_SIZE);
        Ok(out)
    }
}
