//! Listing procedures: the `ProcedureFilter` and `ProcedureOrder` inputs, their conversion to the
//! store's types, and the one listing routine behind both `Query.procedures` and
//! `Bureau.procedures`. Filtering and ordering happen in SQL; this module only checks the
//! arguments (page size, cursor, bureau codes, state keys) so a bad one is a VALIDATION error
//! rather than an empty page.

use async_graphql::{Context, InputObject};
use chrono::NaiveDate;
use rollout_app::targets::slip_condition;
use rollout_domain::BureauCode;
use rollout_domain::text::{self, TextKind};
use tracing::instrument;

use crate::connection::{ProcedureConnection, page_request, page_size};
use crate::enums::{Authority, OrderDirection, ProcedureCategory, ProcedureOrderField};
use crate::scalars::FiscalQuarter;
use crate::{app, errors, ids};

/// Which procedures to list; every given field narrows the result.
#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "ProcedureFilter")]
pub struct ProcedureFilterInput {
    /// Any of these bureaus.
    pub bureau_codes: Option<Vec<String>>,
    /// Any of these workflow state keys.
    pub states: Option<Vec<String>>,
    pub category: Option<ProcedureCategory>,
    pub authority: Option<Authority>,
    /// 10,000 or more applications a year (true), or fewer or unknown (false).
    pub is_priority: Option<bool>,
    /// The platform it goes online through (procedures without a platform yet never match).
    pub platform: Option<crate::enums::Platform>,
    /// Substring of the code, the Japanese name or the English name (at most 200 characters),
    /// ignoring case and full-/half-width differences: `ＫＡＮＫＹＯ` finds `KANKYO`, `ｼﾝｾｲ`
    /// finds `シンセイ`.
    pub search: Option<String>,
    pub target_quarter: Option<FiscalQuarter>,
    /// Procedures whose target quarter has ended (today in Tokyo) while they are neither done
    /// nor closed (true), or every other procedure (false).
    pub slipped: Option<bool>,
    /// Procedures with an open blocker, direct or transitive (true), or without (false).
    pub blocked: Option<bool>,
    /// Procedures whose earliest release falls after their target quarter, or whose deciding
    /// blocker has no date yet (true), or the others (false).
    pub at_risk: Option<bool>,
    /// Procedures that depend on this law change, milestone or procedure, directly or
    /// transitively.
    pub blocked_by: Option<async_graphql::ID>,
}

/// Sort order of a procedure listing.
#[derive(Debug, Clone, Copy, Default, InputObject)]
#[graphql(name = "ProcedureOrder")]
pub struct ProcedureOrderInput {
    #[graphql(default)]
    pub field: ProcedureOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl From<ProcedureOrderInput> for rollout_store::ProcedureOrder {
    fn from(o: ProcedureOrderInput) -> Self {
        Self {
            field: o.field.into(),
            direction: o.direction.into(),
        }
    }
}

impl ProcedureFilterInput {
    /// The store filter, with the conditions the dependency graph answers (`blocked`,
    /// `atRisk`, `blockedBy`) turned into the set of ids they select.
    pub(crate) async fn resolve(
        self,
        app: &rollout_app::App,
    ) -> async_graphql::Result<rollout_store::ProcedureFilter> {
        let conditions = rollout_app::deps::GraphConditions {
            blocked: self.blocked,
            at_risk: self.at_risk,
            blocked_by: self
                .blocked_by
                .as_ref()
                .map(|id| crate::deps::blocker_ref(id.as_str()))
                .transpose()?,
        };
        let mut filter = self.into_store(app.workflow(), app.today())?;
        filter.ids = app
            .graph_condition_ids(conditions)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(filter)
    }

    /// The store filter, or a VALIDATION error naming the bad bureau code or state key.
    /// `today` (in Tokyo) decides which quarters have ended for `slipped`.
    pub(crate) fn into_store(
        self,
        workflow: &rollout_domain::workflow::WorkflowDefinition,
        today: NaiveDate,
    ) -> async_graphql::Result<rollout_store::ProcedureFilter> {
        let bureau_codes = self
            .bureau_codes
            .unwrap_or_default()
            .iter()
            .map(|raw| BureauCode::parse(raw).map_err(|e| errors::validation(e.0)))
            .collect::<Result<Vec<_>, _>>()?;
        let states = self
            .states
            .unwrap_or_default()
            .iter()
            .map(|raw| {
                text::clean("states", TextKind::Identifier, raw)
                    .map_err(|e| errors::validation(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(unknown) = states.iter().find(|s| workflow.state(s).is_none()) {
            return Err(errors::validation(format!(
                "the workflow {} has no state {unknown:?}",
                workflow.version_tag()
            )));
        }
        Ok(rollout_store::ProcedureFilter {
            bureau_codes,
            states,
            category: self.category.map(Into::into),
            authority: self.authority.map(Into::into),
            is_priority: self.is_priority,
            platform: self.platform.map(Into::into),
            search: self
                .search
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            target_quarter: self.target_quarter.map(|q| q.0),
            slipped: self
                .slipped
                .map(|slipped| {
                    slip_condition(workflow, today, slipped).ok_or_else(|| {
                        errors::validation(format!("no supported quarter ended before {today}"))
                    })
                })
                .transpose()?,
            ids: None,
        })
    }
}

/// One page of procedures. `bureau`, when given, replaces the filter's bureau codes (for
/// `Bureau.procedures`).
#[instrument(skip_all, fields(first, bureau = bureau.map(BureauCode::as_str)))]
pub(crate) async fn list_procedures(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    filter: Option<ProcedureFilterInput>,
    order: Option<ProcedureOrderInput>,
    bureau: Option<&BureauCode>,
) -> async_graphql::Result<ProcedureConnection> {
    let app = app(ctx)?;
    let first = page_size(first)?;
    tracing::Span::current().record("first", first);
    let order = rollout_store::ProcedureOrder::from(order.unwrap_or_default());
    let after = after
        .map(|raw| ids::decode_procedure_cursor(&raw, order))
        .transpose()
        .map_err(|e| errors::validation(e.0))?;
    let mut filter = filter.unwrap_or_default().resolve(app).await?;
    if let Some(code) = bureau {
        filter.bureau_codes = vec![code.clone()];
    }
    let page = app
        .list_procedures(&filter, order, page_request(ctx, first, after))
        .await
        .map_err(|e| errors::graphql_error(&e))?;
    Ok(ProcedureConnection::new(page, order))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollout_domain::workflow::default_workflow;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()
    }

    #[test]
    fn slipped_becomes_a_condition_on_the_last_ended_quarter_and_unfinished_states() {
        let wf = default_workflow();
        let input = ProcedureFilterInput {
            slipped: Some(true),
            ..Default::default()
        };
        let slip = input.into_store(&wf, today()).unwrap().slipped.unwrap();
        assert_eq!(slip.last_ended.to_string(), "FY2026-Q2");
        assert!(slip.slipped);
        assert!(slip.unfinished_states.contains(&"built".to_owned()));
        assert!(!slip.unfinished_states.contains(&"released".to_owned()));
        assert!(!slip.unfinished_states.contains(&"abolished".to_owned()));
        let none = ProcedureFilterInput::default()
            .into_store(&wf, today())
            .unwrap();
        assert_eq!(none.slipped, None);
    }

    #[test]
    fn filters_convert_and_check_codes_and_states() {
        let wf = default_workflow();
        let input = ProcedureFilterInput {
            bureau_codes: Some(vec!["KANKYO".into()]),
            states: Some(vec!["scheduled".into()]),
            category: Some(ProcedureCategory::Subsidy),
            search: Some("  旅券 ".into()),
            ..Default::default()
        };
        let f = input.into_store(&wf, today()).unwrap();
        assert_eq!(f.bureau_codes[0].as_str(), "KANKYO");
        assert_eq!(f.states, ["scheduled"]);
        assert_eq!(f.category, Some(rollout_domain::Category::Subsidy));
        assert_eq!(f.search.as_deref(), Some("旅券"));

        let bad_code = ProcedureFilterInput {
            bureau_codes: Some(vec!["kankyo".into()]),
            ..Default::default()
        };
        assert!(
            bad_code
                .into_store(&wf, today())
                .unwrap_err()
                .message
                .contains("kankyo")
        );
        let bad_state = ProcedureFilterInput {
            states: Some(vec!["schedueld".into()]),
            ..Default::default()
        };
        let err = bad_state.into_store(&wf, today()).unwrap_err();
        assert!(
            err.message.contains("no state \"schedueld\""),
            "{}",
            err.message
        );
    }
}
