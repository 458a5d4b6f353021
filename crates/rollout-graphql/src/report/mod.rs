//! `quarterlyReport(quarter, lang)`: the quarterly progress report as Markdown and HTML in the
//! requested language (rendered by `rollout-report` only when selected) and as typed figures per
//! topic ([`figures`]), which are the same in both languages. The XLSX is not in the payload:
//! the server serves it at `xlsxPath` (an authenticated download). Anyone who may query may read
//! it; the use case is `App::quarterly_report`.

mod figures;

use std::sync::Arc;

use async_graphql::{Context, Object};
use rollout_domain::analytics::report as domain;
use rollout_report::{render_html, render_markdown};
use tracing::instrument;

use crate::reminders::Language;
use crate::scalars::{Date, DateTime, FiscalQuarter};
use crate::{actor, app, errors};

pub use figures::QuarterlyReportFigures;

#[derive(Debug, Default)]
pub(crate) struct ReportQuery;

#[Object]
impl ReportQuery {
    /// The quarterly progress report of a fiscal quarter, in the programme's published
    /// structure: per topic (major procedures; other procedures, by processes; subsidies
    /// through jGrants) the progress in the quarter, the national requests and next quarter's
    /// plan. Japanese by default; English is a translation with the same figures. A quarter
    /// that has not started is refused (VALIDATION); one still running is reported so far.
    #[instrument(skip_all, fields(quarter = %quarter.0))]
    async fn quarterly_report(
        &self,
        ctx: &Context<'_>,
        quarter: FiscalQuarter,
        #[graphql(default_with = "Language::Ja")] lang: Language,
    ) -> async_graphql::Result<QuarterlyReport> {
        actor(ctx)?;
        let report = app(ctx)?
            .quarterly_report(quarter.0)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(QuarterlyReport {
            report: Arc::new(report),
            lang,
        })
    }
}

/// A quarter's progress report in one language.
#[derive(Debug, Clone)]
pub struct QuarterlyReport {
    report: Arc<domain::QuarterlyReport>,
    lang: Language,
}

#[Object]
impl QuarterlyReport {
    async fn quarter(&self) -> FiscalQuarter {
        FiscalQuarter(self.report.quarter)
    }

    /// The language of `markdown` and `html`.
    async fn language(&self) -> Language {
        self.lang
    }

    /// The Tokyo date the figures are as of (the end of that day): the quarter's last day, or
    /// today while the quarter runs.
    async fn as_of(&self) -> Date {
        Date(self.report.as_of)
    }

    /// Whether the quarter had ended; otherwise the figures are the quarter's so far.
    async fn complete(&self) -> bool {
        self.report.complete
    }

    /// The quarter the plan (今後の取組) is for.
    async fn next_quarter(&self) -> Option<FiscalQuarter> {
        self.report.next_quarter.map(FiscalQuarter)
    }

    /// The report as CommonMark with GitHub tables.
    async fn markdown(&self) -> String {
        render_markdown(&self.report, self.lang.into())
    }

    /// The report as a complete, self-contained HTML document.
    async fn html(&self) -> String {
        render_html(&self.report, self.lang.into())
    }

    /// The figures, per topic, the same in every language.
    async fn figures(&self) -> QuarterlyReportFigures {
        QuarterlyReportFigures::new(&self.report)
    }

    /// How the figures compare with the quarter's frozen snapshot; null when it was not frozen.
    async fn snapshot(&self) -> Option<ReportSnapshotCheck> {
        self.report.snapshot.as_ref().map(|s| ReportSnapshotCheck {
            frozen_at: DateTime(s.frozen_at),
            matches: s.difference.is_none(),
            difference: s.difference.clone(),
        })
    }

    /// Where to download the workbook (XLSX) of this report, relative to the server; it needs
    /// the same bearer token as this request.
    async fn xlsx_path(&self) -> String {
        let lang: rollout_domain::reminders::Language = self.lang.into();
        format!(
            "/reports/quarterly/{}.xlsx?lang={}",
            self.report.quarter,
            lang.as_str()
        )
    }
}

/// A report against its quarter's frozen snapshot.
#[derive(Debug, Clone, async_graphql::SimpleObject)]
pub struct ReportSnapshotCheck {
    pub frozen_at: DateTime,
    /// Whether every figure equals the frozen one.
    pub matches: bool,
    /// The first figure that differs (history was changed since the freeze).
    pub difference: Option<String>,
}
