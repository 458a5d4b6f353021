//! A digest as text in the recipient's language: the subject line and the plain-text body that
//! in-app notifications show and e-mails carry. Dates are written Japanese style in Japanese
//! (2026年12月7日) and ISO in English.

use chrono::{Datelike, NaiveDate};

use super::digest::Language;
use super::item::ReminderItem;
use super::rule::ReminderKind;

/// A rendered digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

fn kind_label(kind: ReminderKind, lang: Language) -> &'static str {
    use ReminderKind as K;
    match (kind, lang) {
        (K::TaskDueSoon { .. }, Language::Ja) => "期限が近いタスク",
        (K::TaskDueSoon { .. }, Language::En) => "Tasks due soon",
        (K::TaskOverdue, Language::Ja) => "期限切れのタスク",
        (K::TaskOverdue, Language::En) => "Overdue tasks",
        (K::StageSlaExceeded, Language::Ja) => "標準期間を超えた手続",
        (K::StageSlaExceeded, Language::En) => "Procedures past their stage's SLA",
        (K::ApprovalPending { .. }, Language::Ja) => "未決の承認依頼",
        (K::ApprovalPending { .. }, Language::En) => "Approvals waiting for a decision",
        (K::TargetQuarterAtRisk { .. }, Language::Ja) => "目標四半期に間に合わないおそれのある手続",
        (K::TargetQuarterAtRisk { .. }, Language::En) => {
            "Procedures at risk of missing their quarter"
        }
        (K::LawChangeFollowUp { .. }, Language::Ja) => "フォローアップが必要な法令改正要望",
        (K::LawChangeFollowUp { .. }, Language::En) => "Law-change requests to follow up",
        (K::MilestoneDue { .. }, Language::Ja) => "期日が近いマイルストーン",
        (K::MilestoneDue { .. }, Language::En) => "Milestones due",
        (K::StaleProcedure { .. }, Language::Ja) => "更新が止まっている手続",
        (K::StaleProcedure { .. }, Language::En) => "Procedures with no recent change",
        (K::QuarterlyReportDue { .. }, Language::Ja) => "四半期報告の作成",
        (K::QuarterlyReportDue { .. }, Language::En) => "Quarterly progress report due",
    }
}

/// A date as the language writes it.
pub fn date_text(d: NaiveDate, lang: Language) -> String {
    match lang {
        Language::Ja => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        Language::En => d.format("%Y-%m-%d").to_string(),
    }
}

fn item_line(item: &ReminderItem, kind: ReminderKind, lang: Language) -> String {
    let title = match lang {
        Language::En => item.title_en.as_deref().unwrap_or(&item.title_ja),
        Language::Ja => &item.title_ja,
    };
    let head = if item.reference == *title {
        title.to_owned()
    } else {
        format!("{} {}", item.reference, title)
    };
    use ReminderKind as K;
    let days = item.days;
    let detail = match (kind, lang) {
        (K::TaskDueSoon { .. } | K::MilestoneDue { .. }, Language::Ja) if days <= 0 => {
            format!("期日 {}（あと{}日）", date_opt(item, lang), -days)
        }
        (K::TaskDueSoon { .. } | K::MilestoneDue { .. }, Language::En) if days <= 0 => {
            format!("due {} (in {} days)", date_opt(item, lang), -days)
        }
        (K::TaskOverdue | K::TaskDueSoon { .. } | K::MilestoneDue { .. }, Language::Ja) => {
            format!("期日 {}（{}日超過）", date_opt(item, lang), days)
        }
        (K::TaskOverdue | K::TaskDueSoon { .. } | K::MilestoneDue { .. }, Language::En) => {
            format!("due {} ({} days overdue)", date_opt(item, lang), days)
        }
        (K::StageSlaExceeded, Language::Ja) => format!("標準期間を{days}日超過"),
        (K::StageSlaExceeded, Language::En) => format!("{days} days past the SLA"),
        (K::ApprovalPending { .. }, Language::Ja) => format!("{days}日間未決"),
        (K::ApprovalPending { .. }, Language::En) => format!("waiting {days} days"),
        (K::TargetQuarterAtRisk { .. }, Language::Ja) => {
            format!("目標四半期末 {}（あと{}日）", date_opt(item, lang), -days)
        }
        (K::TargetQuarterAtRisk { .. }, Language::En) => {
            format!(
                "target quarter ends {} (in {} days)",
                date_opt(item, lang),
                -days
            )
        }
        (K::LawChangeFollowUp { .. }, Language::Ja) => format!("{days}日間状況の変化なし"),
        (K::LawChangeFollowUp { .. }, Language::En) => format!("no status change for {days} days"),
        (K::StaleProcedure { .. }, Language::Ja) => format!("{days}日間更新なし"),
        (K::StaleProcedure { .. }, Language::En) => format!("no change for {days} days"),
        (K::QuarterlyReportDue { .. }, Language::Ja) => {
            format!("四半期末 {}（{}日経過）", date_opt(item, lang), days)
        }
        (K::QuarterlyReportDue { .. }, Language::En) => {
            format!("quarter ended {} ({} days ago)", date_opt(item, lang), days)
        }
    };
    format!("- {head}: {detail}")
}

fn date_opt(item: &ReminderItem, lang: Language) -> String {
    item.date.map(|d| date_text(d, lang)).unwrap_or_default()
}

/// The digest of `items` for a rule named `rule_name` of `kind`, fired on `day` (Tokyo).
pub fn render(
    rule_name: &str,
    kind: ReminderKind,
    day: NaiveDate,
    items: &[&ReminderItem],
    lang: Language,
) -> Rendered {
    let label = kind_label(kind, lang);
    let subject = match lang {
        Language::Ja => format!("【rollout】{label}（{}件）", items.len()),
        Language::En => format!("[rollout] {label} ({})", items.len()),
    };
    let mut body = match lang {
        Language::Ja => format!("{}\n{}（{}）\n\n", rule_name, label, date_text(day, lang)),
        Language::En => format!("{}\n{} ({})\n\n", rule_name, label, date_text(day, lang)),
    };
    for item in items {
        body.push_str(&item_line(item, kind, lang));
        body.push('\n');
    }
    Rendered { subject, body }
}
