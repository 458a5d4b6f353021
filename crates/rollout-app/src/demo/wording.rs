//! Words for the demo's evidence: hearing titles, issues and next steps, task titles, user-test
//! findings, reasons for a moved target. All of it is illustrative (made up for the demo, not
//! taken from real records); the finding themes follow the complaints the QOS improvement
//! guideline lists (slow result notices, identity checks and attachments, complicated input
//! screens), as `deploy/demo/README.md` says.

use rand::Rng;
use rand::rngs::SmallRng;

/// Said in every generated hearing's notes, so that nobody takes it for a real record.
pub(super) const ILLUSTRATIVE: &str = "デモ用の例示データです（実在の記録ではありません）。Illustrative demo record, not a real hearing.";

pub(super) fn pick<'a>(rng: &mut SmallRng, list: &'a [&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

/// Issues raised at a first hearing that decided nothing yet.
pub(super) const OPEN_ISSUES: &[&str] = &[
    "添付書類の電子化方法が未整理",
    "手数料の電子納付に対応が必要",
    "本人確認の方法（マイナンバーカード利用の可否）を確認中",
    "Paper forms are still required by the internal rules; the rules need amending",
    "審査部署が複数にまたがり、担当の整理が必要",
];

/// Issues settled at a hearing that agreed a quarter and a platform.
pub(super) const AGREED_ISSUES: &[&str] = &[
    "添付書類はPDFで受け付けることで合意",
    "押印を廃止し、電子申請で完結させる",
    "Fees will be paid online through the platform's payment module",
    "既存の申請様式を見直し、入力項目を削減する",
];

/// Issues of a procedure whose legal basis requires paper.
pub(super) const LAW_ISSUES: &[&str] = &[
    "根拠法令で書面による提出が定められている",
    "国の省令で原本の提示が求められている",
    "The enabling act requires a handwritten signature",
];

pub(super) const NEXT_STEPS_PROCEED: &[&str] = &[
    "申請画面の要件定義に着手",
    "プラットフォーム事業者と構築スケジュールを調整",
    "Draft the online form and review it with the policy department",
];

pub(super) const NEXT_STEPS_LAW: &[&str] = &[
    "所管省庁へ法令改正を要望",
    "国の検討状況を四半期ごとに確認",
    "Ask the ministry for a date for the amendment",
];

pub(super) const NEXT_STEPS_OPEN: &[&str] = &[
    "次回ヒアリングで実施時期を決定",
    "件数と処理フローを調査して再協議",
    "Collect application volumes before the next hearing",
];

pub(super) const NEXT_STEPS_ABOLISH: &[&str] = &[
    "廃止の承認申請を行う",
    "Prepare the abolition request for the project office",
];

/// Tasks the bureau's policy department carries.
pub(super) const BUREAU_TASKS: &[&str] = &[
    "申請件数と処理時間の調査",
    "添付書類の見直し案の作成",
    "申請様式（入力項目）の確定",
    "審査フローの整理",
    "Confirm the fee and payment method",
    "根拠規程の改正案の作成",
    "利用者向け案内文の作成",
];

/// Tasks the project office carries.
pub(super) const OFFICE_TASKS: &[&str] = &[
    "プラットフォーム事業者との構築日程調整",
    "所管省庁への照会",
    "利用者テストの参加者募集",
    "Share the hearing minutes with the bureau",
    "次回ヒアリングの日程調整",
];

pub(super) const COMPLETION_NOTES: &[&str] = &[
    "対応済み",
    "調査結果を共有済み",
    "Done; minutes filed",
    "次回ヒアリングで報告済み",
];

pub(super) const CANCEL_REASONS: &[&str] = &[
    "方針変更により不要となった",
    "Superseded by a later hearing",
];

/// Findings of user tests, along the complaints the QOS guideline names.
pub(super) const FINDINGS: &[&str] = &[
    "入力項目が多く、途中で離脱する参加者がいた",
    "添付書類のアップロード方法が分かりにくい",
    "本人確認の手順で迷う参加者が多かった",
    "Participants could not tell when the result would be notified",
    "スマートフォンで入力欄が画面からはみ出す",
    "申請完了後の控えの保存方法が分からない",
    "Error messages did not say which field was wrong",
];

/// Why a target quarter moved later.
pub(super) const SLIP_REASONS: &[&str] = &[
    "構築事業者との調整に時間を要したため",
    "利用者テストでの指摘事項への対応のため",
    "Platform release moved by a quarter",
    "規程改正の手続に時間を要したため",
];
