//! The report as a neutral document (headings, paragraphs, lists, tables of plain text), built
//! once from the model in one language; the Markdown and HTML renderers only serialise it, so
//! both say exactly the same thing. Text here is unescaped: each renderer escapes for itself.

use rollout_domain::analytics::report::{
    Measure, NationalRequest, QuarterlyReport, ReportRow, RequestBucket, Topic, TopicReport, share,
};

use crate::words::{Language, Words, number};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub lang: Language,
    pub title: String,
    /// Paragraphs under the title.
    pub lead: Vec<String>,
    pub sections: Vec<Section>,
    /// Paragraphs at the end (definitions, provenance).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub parts: Vec<Part>,
}

/// A titled part of a section (進捗状況, 国への要望, 今後の取組).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub heading: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Para(String),
    /// A lead-in sentence and its items.
    List(String, Vec<String>),
    Table(Table),
}

/// A table whose first column heads each row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Builds the document of a report in one language.
pub fn document(r: &QuarterlyReport, lang: Language) -> Document {
    let w = Words::new(lang);
    let scope_note = w.pick(
        "対象は都の権限でオンライン化できる手続(廃止されたもの、法令の根拠が国にあるものを除く)。事務数は約28,000の行政事務のうち各手続が占める数。",
        "In scope: procedures Tokyo can put online on its own authority (abolished procedures and those with a national legal basis are out). Processes: how many of the ~28,000 administrative processes each procedure stands for.",
    );
    let provenance = provenance(r, w);
    let mut lead = vec![w.as_of(r.as_of)];
    if !r.complete {
        lead.push(
            w.pick(
                "四半期の途中のため、数値は基準日までの速報値です。",
                "The quarter has not ended: the figures are those so far.",
            )
            .to_owned(),
        );
    }
    Document {
        lang,
        title: w.title(r.quarter),
        lead,
        sections: Topic::ALL
            .iter()
            .enumerate()
            .map(|(i, &t)| topic_section(r, r.topic(t), i + 1, w))
            .collect(),
        notes: vec![scope_note.to_owned(), provenance],
    }
}

/// Where the figures come from, and how they compare with the quarter's frozen snapshot.
fn provenance(r: &QuarterlyReport, w: Words) -> String {
    let date = w.date(r.as_of);
    let ja = w.lang == Language::Ja;
    let replayed = if ja {
        format!("数値は rollout の履歴から{date}終了時点(日本時間)で再現したものです。")
    } else {
        format!("Figures are replayed from rollout's history as of the end of {date} (Asia/Tokyo).")
    };
    let check = match &r.snapshot {
        None if !r.complete => String::new(),
        None => w
            .pick(
                "同四半期のスナップショットはまだ確定されていません。",
                "The quarter's snapshot has not been frozen yet.",
            )
            .to_owned(),
        Some(s) => {
            let frozen = w.date(rollout_domain::analytics::tokyo_date(s.frozen_at));
            match (&s.difference, ja) {
                (None, true) => {
                    format!("{frozen}に確定した同四半期のスナップショットと一致します。")
                }
                (None, false) => format!("They equal the quarter's snapshot frozen on {frozen}."),
                (Some(d), true) => format!(
                    "注意: {frozen}に確定したスナップショットと異なります(履歴が変更されています: {d})。"
                ),
                (Some(d), false) => format!(
                    "Warning: they differ from the snapshot frozen on {frozen} (history was changed since: {d})."
                ),
            }
        }
    };
    if check.is_empty() {
        replayed
    } else {
        format!("{replayed}{}{check}", if ja { "" } else { " " })
    }
}

fn topic_section(r: &QuarterlyReport, t: &TopicReport, n: usize, w: Words) -> Section {
    let mut parts = vec![progress(r, t, w)];
    // The programme reports its requests to the national government with the major
    // procedures; the section counts every open national request.
    if t.topic == Topic::Major {
        parts.push(national(r, w));
    }
    parts.push(plan(r, t, w));
    Section {
        heading: format!("{n} {}", w.topic(t.topic)),
        parts,
    }
}

/// "3手続" in the topic's headline measure, with the processes for procedures counts.
fn amount(t: Topic, procedures: i64, processes: i64, w: Words) -> String {
    match t {
        Topic::Major => w.procedures(procedures),
        Topic::Subsidy => w.subsidies(procedures),
        Topic::Other => w
            .pick("{p}({q})", "{p} ({q})")
            .replace("{p}", &w.processes(processes))
            .replace("{q}", &w.procedures(procedures)),
    }
}

fn progress(r: &QuarterlyReport, t: &TopicReport, w: Words) -> Part {
    let m = t.topic.headline();
    let months = w.months(r.quarter);
    let new = amount(t.topic, t.in_quarter.procedures, t.in_quarter.processes, w);
    let total = number(t.digitised.get(m));
    let scope = number(t.in_scope.get(m));
    let rate = w.percent(t.rate());
    let ja = w.lang == Language::Ja;
    let summary = match (t.topic, ja) {
        (Topic::Major, true) => format!(
            "今期({months})に{new}をオンライン化し、累計で{total}手続(都の権限で可能な{scope}手続の{rate})となりました。"
        ),
        (Topic::Major, false) => format!(
            "{new} went online this quarter ({months}), {total} in all: {rate} of the {scope} within Tokyo's authority."
        ),
        (Topic::Other, true) => format!(
            "今期({months})に{new}をオンライン化し、累計で{total}事務(対象{scope}事務の{rate})となりました。"
        ),
        (Topic::Other, false) => format!(
            "{new} went online this quarter ({months}); {total} of the {scope} processes in scope ({rate}) are online."
        ),
        (Topic::Subsidy, true) => format!(
            "今期({months})にjGrantsで{new}の受付を開始し、累計で{total}件(目標{scope}件の{rate})となりました。"
        ),
        (Topic::Subsidy, false) => format!(
            "{new} opened on jGrants this quarter ({months}), {total} in all: {rate} of the {scope} targeted."
        ),
    };
    let mut blocks = vec![Block::Para(summary), Block::Table(figures_table(t, w))];
    if t.topic == Topic::Other {
        let (d, s) = (r.overall_digitised.processes, r.overall_in_scope.processes);
        let rate = w.percent(share(d, s));
        blocks.push(Block::Para(if ja {
            format!(
                "全手続の合計では{}事務のうち{}事務({rate})がオンライン化済みです。",
                number(s),
                number(d)
            )
        } else {
            format!(
                "Across all procedures, {} of {} processes ({rate}) are online.",
                number(d),
                number(s)
            )
        }));
    }
    if !t.in_quarter_examples.is_empty() {
        let items = t
            .in_quarter_examples
            .iter()
            .map(|row| example(r, row, row.digitised_on.map(|d| w.date(d)), w))
            .collect();
        blocks.push(Block::List(
            w.pick("今期の主な例:", "Examples this quarter:").to_owned(),
            items,
        ));
    }
    Part {
        heading: w.progress(r.quarter),
        blocks,
    }
}

fn figures_table(t: &TopicReport, w: Words) -> Table {
    let row = |label: &str, procedures: String, processes: String| {
        vec![label.to_owned(), procedures, processes]
    };
    let scope_label = if t.topic == Topic::Subsidy {
        w.pick("目標(対象)", "Targeted (in scope)")
    } else {
        w.pick("対象(都の権限で可能なもの)", "In scope (Tokyo can decide)")
    };
    Table {
        caption: format!("{}: {}", w.topic(t.topic), w.pick("数値", "figures")),
        head: vec![
            w.pick("指標", "Figure").to_owned(),
            w.pick("手続数", "Procedures").to_owned(),
            w.pick("事務数", "Processes").to_owned(),
        ],
        rows: vec![
            row(
                w.pick("今期オンライン化", "Digitised this quarter"),
                number(t.in_quarter.procedures),
                number(t.in_quarter.processes),
            ),
            row(
                w.pick("累計オンライン化", "Digitised in all"),
                number(t.digitised.procedures),
                number(t.digitised.processes),
            ),
            row(
                scope_label,
                number(t.in_scope.procedures),
                number(t.in_scope.processes),
            ),
            row(
                w.pick("オンライン化率", "Share digitised"),
                w.percent(share(
                    t.digitised.get(Measure::Procedures),
                    t.in_scope.get(Measure::Procedures),
                )),
                w.percent(share(
                    t.digitised.get(Measure::Processes),
                    t.in_scope.get(Measure::Processes),
                )),
            ),
            row(
                w.pick("次期予定", "Planned next quarter"),
                number(t.planned.procedures),
                number(t.planned.processes),
            ),
        ],
    }
}

/// "name(bureau、detail)" / "name (bureau, detail)".
fn example(r: &QuarterlyReport, row: &ReportRow, detail: Option<String>, w: Words) -> String {
    let name = w.name(&row.name, row.name_en.as_deref());
    let bureau = r
        .bureaus
        .get(&row.bureau_id)
        .map(|b| w.name(&b.name_ja, Some(&b.name_en)).to_owned());
    let extra: Vec<String> = bureau.into_iter().chain(detail).collect();
    match (extra.is_empty(), w.lang) {
        (true, _) => name.to_owned(),
        (false, Language::Ja) => format!("{name}({})", extra.join("、")),
        (false, Language::En) => format!("{name} ({})", extra.join(", ")),
    }
}

fn national(r: &QuarterlyReport, w: Words) -> Part {
    let n = &r.national;
    let total = w.requests(n.total());
    let summary = if w.lang == Language::Ja {
        format!("国の法令改正等が必要な手続について、国へ{total}を要望しています。")
    } else {
        format!(
            "{total} to the national government for the legal changes procedures need {} open.",
            were(n.total())
        )
    };
    let mut rows: Vec<Vec<String>> = RequestBucket::ALL
        .iter()
        .filter(|&&b| b != RequestBucket::Declined || n.count(b) > 0)
        .map(|&b| {
            let examples: Vec<String> = n.examples(b).map(|q| request(q, w)).collect();
            vec![
                w.bucket(b).to_owned(),
                number(n.count(b)),
                examples.join(w.pick("、", "; ")),
            ]
        })
        .collect();
    rows.push(vec![
        w.pick("合計", "Total").to_owned(),
        number(n.total()),
        String::new(),
    ]);
    Part {
        heading: w.national(n.as_of),
        blocks: vec![
            Block::Para(summary),
            Block::Table(Table {
                caption: w.national(n.as_of),
                head: vec![
                    w.pick("区分", "Status").to_owned(),
                    w.pick("件数", "Requests").to_owned(),
                    w.pick("主な例", "Examples").to_owned(),
                ],
                rows,
            }),
        ],
    }
}

/// "title(ministry、date)" / "title (ministry, date)".
fn request(q: &NationalRequest, w: Words) -> String {
    let title = w.name(&q.title_ja, q.title_en.as_deref());
    let ministry = q
        .ministry_ja
        .as_deref()
        .map(|m| w.name(m, q.ministry_en.as_deref()).to_owned());
    let date = q.date_shown.map(|d| w.date(d));
    let extra: Vec<String> = ministry.into_iter().chain(date).collect();
    match (extra.is_empty(), w.lang) {
        (true, _) => title.to_owned(),
        (false, Language::Ja) => format!("{title}({})", extra.join("、")),
        (false, Language::En) => format!("{title} ({})", extra.join(", ")),
    }
}

fn plan(r: &QuarterlyReport, t: &TopicReport, w: Words) -> Part {
    let heading = w.plan(r.next_quarter);
    let Some(next) = r.next_quarter else {
        return Part {
            heading,
            blocks: vec![],
        };
    };
    let months = w.months(next);
    let what = amount(t.topic, t.planned.procedures, t.planned.processes, w);
    let are = if t.planned.get(t.topic.headline()) == 1 {
        "is"
    } else {
        "are"
    };
    let summary = match (t.topic, w.lang) {
        (Topic::Subsidy, Language::Ja) => {
            format!("{months}に{what}の補助金をjGrantsで受付開始する予定です。")
        }
        (Topic::Subsidy, Language::En) => {
            format!("{what} {are} planned to open on jGrants in {months}.")
        }
        (_, Language::Ja) => format!("{months}に{what}のオンライン化を予定しています。"),
        (_, Language::En) => format!("{what} {are} planned to go online in {months}."),
    };
    let mut blocks = vec![Block::Para(summary)];
    if !t.planned_examples.is_empty() {
        let items = t
            .planned_examples
            .iter()
            .map(|row| example(r, row, None, w))
            .collect();
        blocks.push(Block::List(
            w.pick("主な例:", "Examples:").to_owned(),
            items,
        ));
    }
    Part { heading, blocks }
}

fn were(n: i64) -> &'static str {
    if n == 1 { "was" } else { "were" }
}
