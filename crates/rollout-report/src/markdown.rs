//! The report as CommonMark with GitHub tables: a `#` title, a `##` per topic, a `###` per part.
//! Wording comes from [`crate::document`]; every text from the data (names, titles) is escaped
//! so that it can neither format nor break a table.

use std::fmt::Write as _;

use crate::document::{Block, Document, Table};

pub fn markdown(doc: &Document) -> String {
    let mut out = String::with_capacity(8 * 1024);
    let _ = writeln!(out, "# {}\n", esc(&doc.title));
    for p in &doc.lead {
        let _ = writeln!(out, "{}\n", esc(p));
    }
    for s in &doc.sections {
        let _ = writeln!(out, "## {}\n", esc(&s.heading));
        for part in &s.parts {
            let _ = writeln!(out, "### {}\n", esc(&part.heading));
            for b in &part.blocks {
                block(&mut out, b);
            }
        }
    }
    if !doc.notes.is_empty() {
        out.push_str("---\n\n");
        for n in &doc.notes {
            let _ = writeln!(out, "{}\n", esc(n));
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Para(p) => {
            let _ = writeln!(out, "{}\n", esc(p));
        }
        Block::List(lead, items) => {
            let _ = writeln!(out, "{}\n", esc(lead));
            for i in items {
                let _ = writeln!(out, "- {}", esc(i));
            }
            out.push('\n');
        }
        Block::Table(t) => table(out, t),
    }
}

fn table(out: &mut String, t: &Table) {
    let row = |out: &mut String, cells: &[String]| {
        out.push('|');
        for c in cells {
            let _ = write!(out, " {} |", esc(c));
        }
        out.push('\n');
    };
    row(out, &t.head);
    out.push('|');
    for i in 0..t.head.len() {
        // Figures right-aligned, text (the row heads, examples) left.
        let numeric = i > 0 && t.rows.iter().all(|r| r.get(i).is_none_or(|c| is_figure(c)));
        out.push_str(if numeric { " ---: |" } else { " --- |" });
    }
    out.push('\n');
    for r in &t.rows {
        row(out, r);
    }
    out.push('\n');
}

/// A cell that holds a figure (digits, separators, a percentage or a dash) or nothing.
pub(crate) fn is_figure(cell: &str) -> bool {
    !cell.chars().any(char::is_alphabetic)
}

/// Escapes CommonMark's inline punctuation (and a leading list or heading marker cannot form
/// because every escaped line starts with text the renderer wrote). Line breaks become spaces,
/// so a name cannot end a paragraph or a table row.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '&' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}
