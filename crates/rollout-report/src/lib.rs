//! Renders the quarterly progress report ([`rollout_domain::analytics::report::QuarterlyReport`])
//! as Markdown, HTML and XLSX, in Japanese (the default) or English. It owns the wording
//! ([`words`]) and the layouts; it computes no figure (the domain does), and knows nothing of
//! HTTP, SQL or the clock, so the same report renders to the same text and the same bytes.
//!
//! The Markdown and HTML are serialisations of one neutral [`document::Document`], so they say
//! the same thing; the XLSX writes the figures as numbers into fixed cells ([`xlsx::rows`]) and
//! adds the data behind them.
#![forbid(unsafe_code)]

pub mod document;
mod html;
mod markdown;
pub mod words;
pub mod xlsx;

use rollout_domain::analytics::report::QuarterlyReport;

pub use words::Language;

/// The XLSX workbook could not be written.
#[derive(Debug, thiserror::Error)]
#[error("the quarterly report's workbook could not be written: {0}")]
pub struct XlsxError(#[from] rust_xlsxwriter::XlsxError);

/// The MIME type of the XLSX workbook.
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The report as CommonMark with GitHub tables.
pub fn render_markdown(report: &QuarterlyReport, lang: Language) -> String {
    markdown::markdown(&document::document(report, lang))
}

/// The report as a complete, self-contained HTML document.
pub fn render_html(report: &QuarterlyReport, lang: Language) -> String {
    html::html(&document::document(report, lang))
}

/// The report as an XLSX workbook: one sheet per topic, the national requests and the data.
pub fn render_xlsx(report: &QuarterlyReport, lang: Language) -> Result<Vec<u8>, XlsxError> {
    Ok(xlsx::workbook(report, lang)?)
}

/// A file name for the report: `quarterly-report-FY2021-Q3-ja.xlsx`.
pub fn file_name(report: &QuarterlyReport, lang: Language, extension: &str) -> String {
    format!(
        "quarterly-report-{}-{}.{extension}",
        report.quarter,
        lang.as_str()
    )
}
