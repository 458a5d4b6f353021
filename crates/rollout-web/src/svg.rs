//! Charts drawn on the server as inline SVG (no script, nothing from outside): horizontal bars
//! for funnels and rankings, stacked areas for the cumulative flow. Each chart is an image with
//! a text alternative (`role="img"`, `<title>`); the pages put the same numbers in a table
//! beside it, which is what screen readers and the CSV export use. Colours come from a palette
//! with at least 3:1 contrast against the white background (WCAG 1.4.11).

use std::fmt::Write;

use minijinja::{Environment, Value};

/// Fill colours, in order; all at least 3:1 against white.
const PALETTE: &[&str] = &[
    "#1f5fa8", "#c2410c", "#0f766e", "#7e22ce", "#b91c1c", "#4d7c0f", "#a16207", "#be185d",
];

pub fn register(env: &mut Environment<'static>) {
    env.add_function("bars", bars);
    env.add_function("stacked_area", stacked_area);
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn number(value: &Value) -> f64 {
    f64::try_from(value.clone()).unwrap_or(0.0)
}

/// Horizontal bars: `labels[i]` with `values[i]`, titled `title`.
pub fn bars(title: String, labels: Vec<Value>, values: Vec<Value>) -> Value {
    let rows = labels.len().min(values.len());
    let max = values.iter().map(number).fold(0.0_f64, f64::max).max(1.0);
    let (width, row, label_w) = (640.0, 26.0, 220.0);
    let height = row * rows as f64 + 8.0;
    let mut svg = format!(
        r#"<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet"><title>{}</title>"#,
        escape(&title)
    );
    for i in 0..rows {
        let y = row * i as f64 + 4.0;
        let value = number(&values[i]);
        let w = ((width - label_w - 70.0) * value / max).max(if value > 0.0 { 1.0 } else { 0.0 });
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text><rect x="{label_w}" y="{y}" width="{w:.1}" height="{}" fill="{}"/><text x="{}" y="{}" class="chart-value">{}</text>"##,
            label_w - 8.0,
            y + 15.0,
            escape(&labels[i].to_string()),
            row - 8.0,
            PALETTE[0],
            label_w + w + 6.0,
            y + 15.0,
            value
        );
    }
    svg.push_str("</svg>");
    Value::from_safe_string(svg)
}

/// A stacked area chart: `series[s][p]` is the count of series `s` (named `names[s]`) at point
/// `p` (labelled `xs[p]`); the first series is drawn at the bottom.
pub fn stacked_area(
    title: String,
    names: Vec<Value>,
    xs: Vec<Value>,
    series: Vec<Vec<Value>>,
) -> Value {
    let (width, height, left, bottom, legend) = (640.0, 240.0, 48.0, 24.0, 18.0);
    let points = xs.len();
    let total: Vec<f64> = (0..points)
        .map(|p| {
            series
                .iter()
                .map(|s| s.get(p).map(number).unwrap_or(0.0))
                .sum()
        })
        .collect();
    let max = total.iter().copied().fold(0.0_f64, f64::max).max(1.0);
    let plot_h = height - bottom - legend * ((names.len() as f64 / 4.0).ceil());
    let x = |p: usize| left + (width - left - 8.0) * p as f64 / (points.max(2) - 1) as f64;
    let y = |v: f64| plot_h - plot_h * v / max + 4.0;
    let mut svg = format!(
        r#"<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet"><title>{}</title>"#,
        escape(&title)
    );
    let _ = write!(
        svg,
        r#"<text x="4" y="14" class="chart-value">{max}</text><text x="4" y="{}" class="chart-value">0</text>"#,
        plot_h + 4.0
    );
    let mut below = vec![0.0; points];
    for (s, values) in series.iter().enumerate() {
        let above: Vec<f64> = (0..points)
            .map(|p| below[p] + values.get(p).map(number).unwrap_or(0.0))
            .collect();
        let mut path = String::new();
        for (p, top) in above.iter().enumerate() {
            let _ = write!(
                path,
                "{}{:.1},{:.1} ",
                if p == 0 { "M" } else { "L" },
                x(p),
                y(*top)
            );
        }
        for p in (0..points).rev() {
            let _ = write!(path, "L{:.1},{:.1} ", x(p), y(below[p]));
        }
        let _ = write!(
            svg,
            r#"<path d="{}Z" fill="{}"/>"#,
            path,
            PALETTE[s % PALETTE.len()]
        );
        below = above;
    }
    if let (Some(first), Some(last)) = (xs.first(), xs.last()) {
        let _ = write!(
            svg,
            r#"<text x="{left}" y="{}" class="chart-label">{}</text><text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>"#,
            plot_h + 20.0,
            escape(&first.to_string()),
            width - 8.0,
            plot_h + 20.0,
            escape(&last.to_string())
        );
    }
    for (s, name) in names.iter().enumerate() {
        let lx = left + 150.0 * (s % 4) as f64;
        let ly = plot_h + 26.0 + legend * (s / 4) as f64;
        let _ = write!(
            svg,
            r#"<rect x="{lx}" y="{ly}" width="12" height="12" fill="{}"/><text x="{}" y="{}" class="chart-label">{}</text>"#,
            PALETTE[s % PALETTE.len()],
            lx + 16.0,
            ly + 11.0,
            escape(&name.to_string())
        );
    }
    svg.push_str("</svg>");
    Value::from_safe_string(svg)
}

/// A procedure's neighbourhood as a graph: what it waits for on the left (law changes,
/// milestones, procedures), the procedure in the middle, what waits for it on the right, with
/// arrows in the direction work must flow.
pub fn dependency_graph(procedure: &serde_json::Value, lang: crate::i18n::Lang) -> String {
    let ja = lang == crate::i18n::Lang::Ja;
    let name = |v: &serde_json::Value| -> String {
        let text = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        match v["__typename"].as_str() {
            Some("LawChange") => format!(
                "{} {}",
                text("code"),
                if ja {
                    text("titleJa")
                } else {
                    v["titleEn"]
                        .as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| text("titleJa"))
                }
            ),
            Some("Milestone") => text("name"),
            _ => format!(
                "{} {}",
                text("code"),
                if !ja && v["nameEn"].is_string() {
                    text("nameEn")
                } else {
                    text("name")
                }
            ),
        }
    };
    let left: Vec<String> = procedure["blockers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(name)
        .collect();
    let right: Vec<String> = procedure["dependents"]
        .as_array()
        .into_iter()
        .flatten()
        .map(name)
        .collect();
    let rows = left.len().max(right.len()).max(1);
    let (width, row, box_w, box_h) = (760.0, 40.0, 230.0, 30.0);
    let height = row * rows as f64 + 10.0;
    let centre_y = height / 2.0 - box_h / 2.0;
    let title = if ja { "依存関係" } else { "Dependencies" };
    let mut svg = format!(
        r##"<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet"><title>{title}</title><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#4a4a4a"/></marker></defs>"##
    );
    let shorten = |s: &str| -> String {
        let mut out: String = s.chars().take(18).collect();
        if s.chars().count() > 18 {
            out.push('…');
        }
        escape(&out)
    };
    let node = |svg: &mut String, x: f64, y: f64, label: &str, fill: &str| {
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="4" fill="{fill}" stroke="#4a4a4a"/><text x="{}" y="{}" class="chart-label">{}</text>"##,
            x + 6.0,
            y + 19.0,
            shorten(label)
        );
    };
    let centre_x = (width - box_w) / 2.0;
    for (i, label) in left.iter().enumerate() {
        let y = row * i as f64 + 5.0;
        node(&mut svg, 0.0, y, label, "#fef3c7");
        let _ = write!(
            svg,
            r##"<line x1="{box_w}" y1="{}" x2="{centre_x}" y2="{}" stroke="#4a4a4a" marker-end="url(#arrow)"/>"##,
            y + box_h / 2.0,
            centre_y + box_h / 2.0
        );
    }
    for (i, label) in right.iter().enumerate() {
        let y = row * i as f64 + 5.0;
        node(&mut svg, width - box_w, y, label, "#dbeafe");
        let _ = write!(
            svg,
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#4a4a4a" marker-end="url(#arrow)"/>"##,
            centre_x + box_w,
            centre_y + box_h / 2.0,
            width - box_w,
            y + box_h / 2.0
        );
    }
    let me = format!(
        "{} {}",
        procedure["code"].as_str().unwrap_or_default(),
        procedure["name"].as_str().unwrap_or_default()
    );
    node(&mut svg, centre_x, centre_y, &me, "#ffffff");
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_escape_labels_and_scale_to_the_largest() {
        let svg = bars(
            "t<1>".into(),
            vec!["a&b".into(), "c".into()],
            vec![10.into(), 5.into()],
        )
        .to_string();
        assert!(svg.contains("<title>t&lt;1&gt;</title>"));
        assert!(svg.contains(">a&amp;b<"));
        assert!(svg.contains(r#"width="350.0""#), "{svg}");
        assert!(svg.contains(r#"width="175.0""#), "{svg}");
    }

    #[test]
    fn stacked_areas_draw_one_path_per_series() {
        let svg = stacked_area(
            "flow".into(),
            vec!["done".into(), "open".into()],
            vec!["2026-01-01".into(), "2026-04-01".into()],
            vec![vec![1.into(), 2.into()], vec![3.into(), 3.into()]],
        )
        .to_string();
        assert_eq!(svg.matches("<path").count(), 2);
        assert!(svg.contains("2026-04-01"));
    }
}
