//! The sheets behind the figures: the national requests (counts by group, then every open
//! request with its ministry, dates and procedures) and the data sheet (every procedure of every
//! topic that existed at the quarter's end, with the flags each figure counts), autofiltered
//! with a frozen header so that any figure can be reproduced by filtering.

use rollout_domain::analytics::report::{QuarterlyReport, RequestBucket, Topic};
use rust_xlsxwriter::{Worksheet, XlsxError};

use super::{Formats, excel_date, rows};
use crate::words::Words;

pub(super) fn national_sheet(
    s: &mut Worksheet,
    r: &QuarterlyReport,
    w: Words,
    f: &Formats,
) -> Result<(), XlsxError> {
    let n = &r.national;
    s.set_name(w.pick("国への要望", "National requests"))?;
    for (c, width) in [
        (0, 22),
        (1, 14),
        (2, 56),
        (3, 28),
        (4, 24),
        (5, 16),
        (6, 16),
        (7, 60),
    ] {
        s.set_column_width(c, width)?;
    }
    s.write_string_with_format(0, 0, w.national(n.as_of), &f.title)?;
    s.write_string(1, 0, w.as_of(n.as_of))?;
    s.write_string_with_format(rows::HEADER, 0, w.pick("区分", "Status"), &f.head)?;
    s.write_string_with_format(rows::HEADER, 1, w.pick("件数", "Requests"), &f.head)?;
    for (i, b) in RequestBucket::ALL.iter().enumerate() {
        let row = rows::NATIONAL_FIRST + i as u32;
        s.write_string(row, 0, w.bucket(*b))?;
        s.write_number(row, 1, n.count(*b) as f64)?;
    }
    s.write_string(rows::NATIONAL_TOTAL, 0, w.pick("合計", "Total"))?;
    s.write_number(rows::NATIONAL_TOTAL, 1, n.total() as f64)?;
    let head = [
        w.pick("区分", "Status"),
        w.pick("コード", "Code"),
        w.pick("要望", "Request"),
        w.pick("所管省庁", "Ministry"),
        w.pick("要望する局", "Requesting bureau"),
        w.pick("状態の記録日", "Status since"),
        w.pick("国が示した時期", "Date shown"),
        w.pick("対象手続", "Procedures"),
    ];
    let first = rows::NATIONAL_TOTAL + 2;
    for (c, h) in head.iter().enumerate() {
        s.write_string_with_format(first, c as u16, *h, &f.head)?;
    }
    let mut row = first;
    for q in &n.requests {
        row += 1;
        s.write_string(row, 0, w.bucket(q.bucket))?;
        s.write_string(row, 1, &q.code)?;
        s.write_string_with_format(row, 2, w.name(&q.title_ja, q.title_en.as_deref()), &f.wrap)?;
        if let Some(m) = &q.ministry_ja {
            s.write_string(row, 3, w.name(m, q.ministry_en.as_deref()))?;
        }
        if let Some(b) = r.bureaus.get(&q.owner_bureau_id) {
            s.write_string(row, 4, w.name(&b.name_ja, Some(&b.name_en)))?;
        }
        s.write_datetime_with_format(row, 5, excel_date(q.since)?, &f.date)?;
        if let Some(d) = q.date_shown {
            s.write_datetime_with_format(row, 6, excel_date(d)?, &f.date)?;
        }
        let names: Vec<String> = q
            .procedures
            .iter()
            .map(|p| format!("{} {}", p.code, w.name(&p.name, p.name_en.as_deref())))
            .collect();
        s.write_string_with_format(row, 7, names.join("\n"), &f.wrap)?;
    }
    if row > first {
        s.autofilter(first, 0, row, head.len() as u16 - 1)?;
    }
    Ok(())
}

pub(super) fn data_sheet(
    s: &mut Worksheet,
    r: &QuarterlyReport,
    w: Words,
    f: &Formats,
) -> Result<(), XlsxError> {
    s.set_name(w.pick("データ", "Data"))?;
    let head = [
        (w.pick("区分", "Topic"), 18),
        (w.pick("コード", "Code"), 14),
        (w.pick("手続名", "Procedure"), 48),
        (w.pick("局コード", "Bureau code"), 12),
        (w.pick("局", "Bureau"), 24),
        (w.pick("状態", "State"), 18),
        (w.pick("対象", "In scope"), 10),
        (w.pick("オンライン化済み", "Digitised"), 10),
        (w.pick("今期オンライン化", "Digitised this quarter"), 10),
        (w.pick("次期予定", "Planned next quarter"), 10),
        (w.pick("オンライン化日", "Digitised on"), 16),
        (w.pick("目標四半期", "Target quarter"), 12),
        (w.pick("事務数", "Processes"), 10),
        (w.pick("年間申請件数", "Annual applications"), 14),
        (w.pick("プラットフォーム", "Platform"), 22),
    ];
    for (c, (h, width)) in head.iter().enumerate() {
        s.set_column_width(c as u16, *width)?;
        s.write_string_with_format(0, c as u16, *h, &f.head)?;
    }
    let mut row = 0u32;
    for t in Topic::ALL {
        let topic = w.sheet(t);
        for e in &r.topic(t).rows {
            row += 1;
            s.write_string(row, 0, topic)?;
            s.write_string(row, 1, &e.code)?;
            s.write_string(row, 2, w.name(&e.name, e.name_en.as_deref()))?;
            if let Some(b) = r.bureaus.get(&e.bureau_id) {
                s.write_string(row, 3, b.code.as_str())?;
                s.write_string(row, 4, w.name(&b.name_ja, Some(&b.name_en)))?;
            }
            let state = r
                .state(&e.state)
                .map_or(e.state.as_str(), |l| w.pick(&l.label_ja, &l.label_en));
            s.write_string(row, 5, state)?;
            s.write_boolean(row, 6, e.in_scope)?;
            s.write_boolean(row, 7, e.digitised)?;
            s.write_boolean(row, 8, e.in_quarter)?;
            s.write_boolean(row, 9, e.planned)?;
            if let Some(d) = e.digitised_on {
                s.write_datetime_with_format(row, 10, excel_date(d)?, &f.date)?;
            }
            if let Some(q) = e.target_quarter {
                s.write_string(row, 11, q.to_string())?;
            }
            s.write_number(row, 12, f64::from(e.processes))?;
            if let Some(a) = e.annual_applications {
                s.write_number(row, 13, a as f64)?;
            }
            if let Some(p) = e.platform {
                s.write_string(row, 14, p.as_str())?;
            }
        }
    }
    s.set_freeze_panes(1, 0)?;
    s.autofilter(0, 0, row.max(1), head.len() as u16 - 1)?;
    Ok(())
}
