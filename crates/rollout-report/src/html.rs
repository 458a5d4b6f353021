//! The report as one self-contained HTML5 document: a `lang` attribute, one `<h1>`, a `<section>`
//! per topic with `<h2>` and `<h3>`, tables with a `<caption>` and `<th scope>` on both axes, an
//! inline stylesheet and nothing loaded from elsewhere (no script, font, image or link). Every
//! text is escaped.

use std::fmt::Write as _;

use crate::document::{Block, Document, Table};

const STYLE: &str = "body{font-family:system-ui,'Hiragino Sans','Noto Sans JP',sans-serif;\
max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.6;color:#1a1a1a}\
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #767676;padding:.25rem .5rem}\
td{text-align:right}td.text{text-align:left}caption{text-align:left;font-weight:bold}\
footer{margin-top:2rem;font-size:.9rem;color:#333}";

pub fn html(doc: &Document) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        doc.lang.as_str(),
        esc(&doc.title),
        esc(&doc.title)
    );
    for p in &doc.lead {
        let _ = writeln!(out, "<p>{}</p>", esc(p));
    }
    for (i, s) in doc.sections.iter().enumerate() {
        let _ = writeln!(
            out,
            "<section aria-labelledby=\"s{i}\">\n<h2 id=\"s{i}\">{}</h2>",
            esc(&s.heading)
        );
        for part in &s.parts {
            let _ = writeln!(out, "<h3>{}</h3>", esc(&part.heading));
            for b in &part.blocks {
                block(&mut out, b);
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n");
    if !doc.notes.is_empty() {
        out.push_str("<footer>\n");
        for n in &doc.notes {
            let _ = writeln!(out, "<p>{}</p>", esc(n));
        }
        out.push_str("</footer>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Para(p) => {
            let _ = writeln!(out, "<p>{}</p>", esc(p));
        }
        Block::List(lead, items) => {
            let _ = writeln!(out, "<p>{}</p>\n<ul>", esc(lead));
            for i in items {
                let _ = writeln!(out, "<li>{}</li>", esc(i));
            }
            out.push_str("</ul>\n");
        }
        Block::Table(t) => table(out, t),
    }
}

fn table(out: &mut String, t: &Table) {
    let _ = write!(
        out,
        "<table>\n<caption>{}</caption>\n<thead><tr>",
        esc(&t.caption)
    );
    for h in &t.head {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        out.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            if i == 0 {
                let _ = write!(out, "<th scope=\"row\">{}</th>", esc(c));
            } else if !crate::markdown::is_figure(c) {
                let _ = write!(out, "<td class=\"text\">{}</td>", esc(c));
            } else {
                let _ = write!(out, "<td>{}</td>", esc(c));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Escapes text for element content and quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
