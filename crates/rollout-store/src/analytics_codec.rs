//! What both backends share for the analytics port: the JSON a frozen quarter's figures are
//! stored as, and the assembly of loaded rows into [`ProcedureFacts`]. Encoding and grouping
//! only, no rule; kept beside the port so the SQLite and PostgreSQL forms cannot drift.

use std::collections::HashMap;

use rollout_domain::analytics::kpi::{KpiFigures, Ratio};
use rollout_domain::analytics::snapshot::{CategoryFigures, QuarterFigures};
use rollout_domain::analytics::{FieldRevision, ProcedureFacts, StateChange, TargetMove};
use rollout_domain::{Category, FiscalQuarter, Procedure, ProcedureId};
use serde_json::{Value, json};

fn ratio(r: Ratio) -> Value {
    json!([r.digitised, r.in_scope])
}

fn figures(f: &KpiFigures) -> Value {
    json!({
        "procedures": ratio(f.procedures),
        "processes": ratio(f.processes),
        "applications": ratio(f.applications),
        "outOfScope": f.out_of_scope,
    })
}

/// The stored form of a quarter's figures (version 1).
pub fn figures_to_json(q: &QuarterFigures) -> String {
    let categories: Vec<Value> = q
        .categories
        .iter()
        .map(|c| {
            json!({
                "category": c.category.as_str(),
                "figures": figures(&c.figures),
                "digitisedInQuarter": c.digitised_in_quarter,
                "processesInQuarter": c.processes_in_quarter,
            })
        })
        .collect();
    json!({
        "v": 1,
        "quarter": q.quarter.to_string(),
        "overall": figures(&q.overall),
        "digitisedInQuarter": q.digitised_in_quarter,
        "processesInQuarter": q.processes_in_quarter,
        "categories": categories,
    })
    .to_string()
}

fn read_ratio(v: &Value) -> Option<Ratio> {
    Some(Ratio {
        digitised: v.get(0)?.as_i64()?,
        in_scope: v.get(1)?.as_i64()?,
    })
}

fn read_figures(v: &Value) -> Option<KpiFigures> {
    Some(KpiFigures {
        procedures: read_ratio(v.get("procedures")?)?,
        processes: read_ratio(v.get("processes")?)?,
        applications: read_ratio(v.get("applications")?)?,
        out_of_scope: v.get("outOfScope")?.as_i64()?,
    })
}

/// Reads [`figures_to_json`]'s form; `None` when it is not that form.
pub fn figures_from_json(raw: &str) -> Option<QuarterFigures> {
    let v: Value = serde_json::from_str(raw).ok()?;
    if v.get("v")?.as_i64()? != 1 {
        return None;
    }
    let categories = v
        .get("categories")?
        .as_array()?
        .iter()
        .map(|c| {
            Some(CategoryFigures {
                category: Category::parse(c.get("category")?.as_str()?)?,
                figures: read_figures(c.get("figures")?)?,
                digitised_in_quarter: c.get("digitisedInQuarter")?.as_i64()?,
                processes_in_quarter: c.get("processesInQuarter")?.as_i64()?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(QuarterFigures {
        quarter: FiscalQuarter::parse(v.get("quarter")?.as_str()?).ok()?,
        overall: read_figures(v.get("overall")?)?,
        digitised_in_quarter: v.get("digitisedInQuarter")?.as_i64()?,
        processes_in_quarter: v.get("processesInQuarter")?.as_i64()?,
        categories,
    })
}

/// Groups loaded rows into facts, keeping the order of `procedures` and, within a procedure, the
/// order of the rows (the backends load them oldest first).
pub fn assemble_facts(
    procedures: Vec<Procedure>,
    changes: Vec<(ProcedureId, StateChange)>,
    revisions: Vec<FieldRevision>,
    moves: Vec<(ProcedureId, TargetMove)>,
) -> Vec<ProcedureFacts> {
    let index: HashMap<ProcedureId, usize> = procedures
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    let mut out: Vec<ProcedureFacts> = procedures
        .into_iter()
        .map(|p| ProcedureFacts {
            id: p.id,
            code: p.code.as_str().to_owned(),
            name: p.name,
            name_en: p.name_en,
            bureau_id: p.bureau_id,
            category: p.category,
            authority: p.authority,
            annual_applications: p.annual_applications,
            process_count: p.process_count,
            platform: p.platform,
            target_quarter: p.target_quarter,
            changes: Vec::new(),
            revisions: Vec::new(),
            target_moves: Vec::new(),
        })
        .collect();
    for (id, c) in changes {
        if let Some(&i) = index.get(&id) {
            out[i].changes.push(c);
        }
    }
    for r in revisions {
        if let Some(&i) = index.get(&r.procedure_id) {
            out[i].revisions.push(r);
        }
    }
    for (id, m) in moves {
        if let Some(&i) = index.get(&id) {
            out[i].target_moves.push(m);
        }
    }
    out
}
