//! The quality map: one page of priority procedures (10,000 or more applications a year) under
//! the listing's filter and order, each with its latest assessment, the aggregate of its
//! reviews in the review window and the Kano scores the domain computes from both. A page costs
//! the listing's statement (and its count, when asked) plus two batch reads, whatever its size.

use std::collections::HashMap;

use rollout_domain::authz::Action;
use rollout_domain::quality::{QualityAssessment, QualityScore, ReviewAggregate, kano};
use rollout_domain::{Procedure, ProcedureId};
use rollout_store::{Page, PageRequest, ProcedureCursor, ProcedureFilter, ProcedureOrder};
use tracing::instrument;

use crate::{Actor, App, AppResult};

/// One row of the map.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityMapRow {
    pub procedure: Procedure,
    /// The latest assessment; `None` before the first.
    pub assessment: Option<QualityAssessment>,
    /// Reviews submitted in the review window ([`App::review_window`]).
    pub reviews: ReviewAggregate,
    pub score: QualityScore,
}

impl App {
    /// One page of the quality map. The filter narrows the priority procedures; one that asks
    /// for non-priority procedures (`is_priority: false`) finds none.
    #[instrument(name = "app.quality_map", skip(self, actor, filter, page), fields(actor = %actor.label, first = page.first))]
    pub async fn quality_map(
        &self,
        actor: &Actor,
        filter: &ProcedureFilter,
        order: ProcedureOrder,
        page: PageRequest<ProcedureCursor>,
    ) -> AppResult<Page<QualityMapRow>> {
        self.require_quietly(actor, Action::Read)?;
        let mut filter = filter.clone();
        if filter.is_priority == Some(false) {
            // Priority and not priority: nothing; an empty id set says so without a new rule.
            filter.ids = Some(Vec::new());
        }
        filter.is_priority = Some(true);
        let window = self.review_window()?;
        let procedures = self.list_procedures(&filter, order, page).await?;
        let ids: Vec<ProcedureId> = procedures.items.iter().map(|p| p.id).collect();
        let mut latest: HashMap<ProcedureId, QualityAssessment> = self
            .store()
            .latest_quality_assessments(&ids)
            .await?
            .into_iter()
            .map(|a| (a.procedure_id, a))
            .collect();
        let mut reviews: HashMap<ProcedureId, ReviewAggregate> = HashMap::new();
        for c in self.store().review_counts(&ids, Some(&window)).await? {
            reviews
                .entry(c.procedure_id)
                .or_default()
                .add(c.rating, c.count);
        }
        let thresholds = self.quality_thresholds();
        let Page {
            items,
            has_next_page,
            has_previous_page,
            total_count,
        } = procedures;
        let items = items
            .into_iter()
            .map(|procedure| {
                let assessment = latest.remove(&procedure.id);
                let reviews = reviews.remove(&procedure.id).unwrap_or_default();
                let score = kano::score(
                    thresholds,
                    assessment.as_ref().map(|a| &a.indicators),
                    &reviews,
                );
                QualityMapRow {
                    procedure,
                    assessment,
                    reviews,
                    score,
                }
            })
            .collect();
        Ok(Page {
            items,
            has_next_page,
            has_previous_page,
            total_count,
        })
    }
}
