//! The project office's view, computed from history: what was true as of any date
//! ([`facts`]), the scope Tokyo can decide and what entered or left it ([`scope`]), the KPIs by
//! procedures, processes and applications ([`kpi`]), programme targets ([`targets`]), quarter
//! snapshots ([`snapshot`]), percentiles ([`percentile`]), flow metrics and the cumulative flow
//! ([`flow`]), bottlenecks ([`bottleneck`]), the Monte Carlo forecast of the targets
//! ([`forecast`]). Pure functions over plain data: the
//! app loads the facts from the store and passes "today" in.

pub mod bottleneck;
pub mod facts;
pub mod flow;
pub mod forecast;
pub mod kpi;
pub mod percentile;
pub mod report;
pub mod scope;
pub mod snapshot;
pub mod targets;

pub use facts::{
    FieldRevision, ProcedureAt, ProcedureFacts, RevisedField, StateChange, TargetMove, end_of_day,
    revisions_between, tokyo_date,
};

#[cfg(test)]
mod tests;
