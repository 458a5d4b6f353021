//! Words for generated data: procedure names built from a subject and an action (in Japanese and
//! English), and the comments that transitions requiring one carry.

use rand::Rng;
use rand::rngs::SmallRng;
use rollout_domain::Category;
use rollout_domain::workflow::StateKind;

const SUBJECTS: &[(&str, &str)] = &[
    ("飲食店営業", "restaurant business"),
    ("旅館業", "inn business"),
    ("屋外広告物", "outdoor advertising"),
    ("浄化槽", "septic tank"),
    ("特定建築物", "specified building"),
    ("産業廃棄物収集運搬業", "industrial waste collection"),
    ("薬局開設", "pharmacy"),
    ("介護サービス事業所", "care service provider"),
    ("保育所", "nursery"),
    ("理容所", "barber shop"),
    ("墓地経営", "cemetery operation"),
    ("温泉利用", "hot spring use"),
    ("毒物劇物販売業", "poisonous substance sales"),
    ("高圧ガス製造", "high-pressure gas production"),
    ("火薬類消費", "explosives use"),
    ("公園占用", "park occupancy"),
    ("河川占用", "river occupancy"),
    ("都有財産使用", "use of metropolitan property"),
    ("職業訓練受講", "vocational training enrolment"),
    ("都立学校施設利用", "use of metropolitan school facilities"),
    ("危険物取扱", "hazardous materials handling"),
    ("防火対象物使用", "fire-prevention object use"),
    ("給水装置工事", "water supply works"),
    ("排水設備", "drainage facilities"),
    ("医療機器販売業", "medical device sales"),
    ("動物取扱業", "animal handling business"),
    ("計量器", "measuring instrument"),
    ("景観計画区域内行為", "works in a landscape planning area"),
];

const ACTIONS: &[(&str, &str)] = &[
    ("許可申請", "Permit application"),
    ("変更届出", "Notification of change"),
    ("廃止届出", "Notification of closure"),
    ("更新申請", "Renewal application"),
    ("再交付申請", "Re-issuance application"),
    ("証明書交付申請", "Certificate application"),
    ("実績報告書の提出", "Submission of performance report"),
    ("登録申請", "Registration application"),
    ("承認申請", "Approval application"),
    ("使用料減免申請", "Fee reduction application"),
];

const SUBSIDIES: &[(&str, &str)] = &[
    ("中小企業デジタル化支援", "SME digitalisation support"),
    ("省エネ設備導入", "energy-saving equipment"),
    ("創業助成", "start-up grant"),
    ("商店街活性化", "shopping street revitalisation"),
    ("住宅の断熱改修", "home insulation retrofit"),
    ("電気自動車導入", "electric vehicle purchase"),
    ("テレワーク導入", "telework adoption"),
    ("若手職人育成", "young artisan training"),
];

fn pick<'a>(rng: &mut SmallRng, list: &'a [(&'a str, &'a str)]) -> (&'a str, &'a str) {
    list[rng.random_range(0..list.len())]
}

/// A Japanese name and its English rendering.
pub(super) fn procedure_name(rng: &mut SmallRng, category: Category) -> (String, String) {
    if category == Category::Subsidy {
        let (ja, en) = pick(rng, SUBSIDIES);
        return (
            format!("{ja}補助金 交付申請"),
            format!("Grant application: {en} subsidy"),
        );
    }
    let (subject_ja, subject_en) = pick(rng, SUBJECTS);
    let (action_ja, action_en) = pick(rng, ACTIONS);
    (
        format!("{subject_ja}の{action_ja}"),
        format!("{action_en} ({subject_en})"),
    )
}

/// A comment for a transition that requires one, fitting the state the history is heading to.
pub(super) fn comment(rng: &mut SmallRng, heading_to: StateKind) -> String {
    let options: &[&str] = match heading_to {
        StateKind::Blocked => &[
            "根拠法令で書面による提出が定められているため、国の法改正を待つ",
            "Awaiting a national law change: the enabling act requires a paper filing",
            "押印規定の見直しが国で検討中",
        ],
        StateKind::Closed => &[
            "条例改正により手続を廃止",
            "Abolished: merged into another procedure",
            "申請実績がなく事業終了に伴い廃止",
        ],
        _ => &["工程の見直しのため差し戻し"],
    };
    options[rng.random_range(0..options.len())].to_owned()
}
