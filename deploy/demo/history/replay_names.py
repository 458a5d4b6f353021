"""Names for the illustrative rows of generate.py. Every name made here starts with 【例示】
("illustrative") in Japanese and [Illustrative] in English: they are plausible, not real."""

from __future__ import annotations

import random

PREFIX_JA = "【例示】"
PREFIX_EN = "[Illustrative] "

# (bureau, subject in Japanese, subject in English): businesses and activities each bureau
# licenses, each combined with ACTIONS for Tokyo-authority major procedures and bundles.
LICENSES = [
    ("HOKEN", "飲食店営業", "restaurant business"),
    ("HOKEN", "薬局開設", "pharmacy"),
    ("HOKEN", "医療機器販売業", "medical device sales"),
    ("HOKEN", "理容所・美容所", "barber and beauty salon"),
    ("HOKEN", "旅館業", "inn business"),
    ("HOKEN", "特定建築物", "specified building"),
    ("HOKEN", "動物取扱業", "animal handling business"),
    ("HOKEN", "温泉利用", "hot spring use"),
    ("FUKUSHI", "介護サービス事業所", "care service provider"),
    ("FUKUSHI", "障害福祉サービス事業所", "disability service provider"),
    ("FUKUSHI", "認可外保育施設", "unlicensed childcare facility"),
    ("FUKUSHI", "社会福祉法人", "social welfare corporation"),
    ("KANKYO", "浄化槽", "septic tank"),
    ("KANKYO", "指定作業場", "designated workplace"),
    ("SANGYO", "計量器", "measuring instrument"),
    ("TOSHI", "屋外広告物", "outdoor advertising"),
    ("TOSHI", "開発行為", "land development"),
    ("KENSETSU", "公園占用", "park occupancy"),
    ("KENSETSU", "河川占用", "river occupancy"),
    ("SHOBO", "危険物施設", "hazardous materials facility"),
    ("SHOBO", "消防用設備等", "fire-fighting equipment"),
    ("SUIDO", "給水装置工事事業者", "water supply contractor"),
    ("GESUIDO", "排水設備工事", "drainage works"),
    ("SEIKATSU", "私立学校", "private school"),
    ("KEISHI", "古物営業", "second-hand dealer"),
    ("KEISHI", "警備業", "security business"),
]

ACTIONS = [
    ("許可申請", "Permit application"),
    ("変更届出", "Notification of change"),
    ("廃止届出", "Notification of closure"),
    ("更新申請", "Renewal application"),
    ("再交付申請", "Re-issuance application"),
    ("証明書交付申請", "Certificate application"),
    ("登録申請", "Registration application"),
    ("承認申請", "Approval application"),
]

# Facilities residents book, combined with FACILITY_ACTIONS.
FACILITIES = [
    ("KENSETSU", "都立公園施設", "metropolitan park facilities"),
    ("KYOIKU", "都立学校施設", "metropolitan school facilities"),
    ("KOWAN", "港湾施設", "port facilities"),
    ("SHIJO", "市場施設", "market facilities"),
    ("SPORTS", "都立スポーツ施設", "metropolitan sports facilities"),
    ("ZAIMU", "都有財産", "metropolitan property"),
    ("SANGYO", "職業能力開発センター施設", "vocational training centre facilities"),
]

FACILITY_ACTIONS = [
    ("の利用申込", "Application to use"),
    ("の使用承認申請", "Approval to use"),
    ("の使用料減免申請", "Fee reduction for"),
    ("の利用取消届出", "Cancellation of use of"),
]

# Procedures named whole: (bureau, name_ja, name_en).
OTHERS = [
    ("SANGYO", "職業訓練の受講申込", "Application for vocational training"),
    ("SANGYO", "技能検定の受検申請", "Application for a skills test"),
    ("SANGYO", "中小企業制度融資の申込", "Application for an SME institutional loan"),
    ("KYOIKU", "教員採用選考の受験申込", "Application for the teacher recruitment examination"),
    ("SOUMU", "公文書の開示請求", "Request for disclosure of official documents"),
    ("SOUMU", "保有個人情報の開示請求", "Request for disclosure of personal information"),
    ("SHUZEI", "事業税の申告", "Enterprise tax return"),
    ("SHUZEI", "不動産取得税の申告", "Real-estate acquisition tax return"),
    ("ZAIMU", "競争入札参加資格審査の申請", "Application for tender eligibility"),
    ("KANKYO", "土壌汚染状況調査報告書の提出", "Submission of a soil contamination survey"),
    ("KANKYO", "自動車環境管理計画書の提出", "Submission of a vehicle environmental plan"),
    ("SEIKATSU", "消費生活相談の予約", "Booking a consumer affairs consultation"),
]

# The other procedures behind each national request (the law change the loader links them to),
# with the owning bureau of the request: (law change, bureau, name_ja, name_en).
NATIONAL_MAJORS = [
    ("LAW-0002", "FUKUSHI", "保育士証の書換え交付申請", "Rewrite of a nursery-teacher certificate"),
    ("LAW-0003", "KANKYO", "特別管理産業廃棄物処理業の許可申請", "Specially controlled industrial waste business permit"),
    ("LAW-0101", "TOSHI", "建築基準法に基づく許可の変更申請", "Amendment of a Building Standards Act permit"),
    ("LAW-0102", "TOSHI", "建設業の決算変更届", "Annual financial report of a construction business"),
    ("LAW-0103", "JUTAKU", "宅地建物取引業の免許換え申請", "Real-estate brokerage licence transfer"),
    ("LAW-0104", "JUTAKU", "宅地建物取引士 登録事項の変更届出", "Change of a transaction agent's registered details"),
    ("LAW-0105", "JUTAKU", "宅地建物取引士証の書換え交付申請", "Rewrite of a transaction agent card"),
    ("LAW-0105", "JUTAKU", "宅地建物取引士証の再交付申請", "Re-issuance of a transaction agent card"),
    ("LAW-0106", "JUTAKU", "宅地建物取引士 登録の移転申請", "Transfer of a transaction agent registration"),
    ("LAW-0107", "JUTAKU", "宅地建物取引業 案内所等の業務開始届出", "Notice of opening an on-site sales office"),
    ("LAW-0108", "JUTAKU", "宅地建物取引業者 専任の取引士の変更届出", "Change of a broker's full-time transaction agent"),
    ("LAW-0109", "JUTAKU", "宅地建物取引業 免許証の書換え交付申請", "Rewrite of a brokerage licence certificate"),
    ("LAW-0110", "JUTAKU", "宅地建物取引業 営業保証金の取戻し公告届出", "Notice of recovery of a business deposit"),
    ("LAW-0110", "JUTAKU", "宅地建物取引業者 死亡等の届出", "Notice of a broker's death or dissolution"),
    ("LAW-0111", "SEIKATSU", "NPO法人 解散の認定申請", "Approval of an NPO corporation's dissolution"),
    ("LAW-0112", "SEIKATSU", "NPO法人 役員変更等の届出", "Notice of change of NPO officers"),
    ("LAW-0113", "SEIKATSU", "NPO法人 事業報告書等の提出", "Annual business report of an NPO corporation"),
    ("LAW-0114", "SEIKATSU", "認定NPO法人 認定の有効期間の更新申請", "Renewal of certified NPO status"),
    ("LAW-0115", "HOKEN", "医療法人 設立認可申請", "Authorisation of a medical corporation"),
    ("LAW-0115", "HOKEN", "医療法人 定款変更認可申請", "Amendment of a medical corporation's articles"),
    ("LAW-0116", "KANKYO", "狩猟者登録の申請", "Hunter registration"),
    ("LAW-0117", "SHUZEI", "自動車税（種別割）減免の申請", "Automobile tax reduction application"),
    ("LAW-0118", "SHUZEI", "固定資産課税台帳の閲覧申請（23区内）", "Inspection of the fixed-asset tax register (23 wards)"),
    ("LAW-0119", "SHUZEI", "都税の徴収猶予の申請", "Deferral of metropolitan tax collection"),
    ("LAW-0120", "KENSETSU", "道路占用許可の変更申請（都道）", "Amendment of a road occupancy permit"),
    ("LAW-0120", "KENSETSU", "道路占用の廃止届出（都道）", "Notice of ending a road occupancy"),
    ("LAW-0121", "KENSETSU", "道路工事施行承認申請（都道）", "Approval of road works by a private party"),
    ("LAW-0122", "KENSETSU", "沿道区域内工作物の設置届出", "Notice of structures in a roadside zone"),
    ("LAW-0123", "KYOIKU", "特別免許状の授与申請", "Award of a special teaching licence"),
    ("LAW-0124", "KYOIKU", "教育職員免許状の領域追加申請", "Adding a field to a teaching licence"),
    ("LAW-0125", "KYOIKU", "教育職員検定（上進）の申請", "Teacher certification for a higher licence"),
    ("LAW-0125", "KYOIKU", "臨時免許状の授与申請", "Award of a temporary teaching licence"),
    ("LAW-0126", "HOKEN", "調理師免許証の書換え交付申請", "Rewrite of a cook licence"),
    ("LAW-0127", "HOKEN", "食品衛生責任者の変更届出", "Change of a food hygiene supervisor"),
    ("LAW-0128", "HOKEN", "食品営業許可の承継届出", "Succession of a food business permit"),
]

# Subsidy programmes (bureau, name_ja, name_en) made up in the shape of Tokyo's grants.
SUBSIDIES = [
    ("SANGYO", "中小企業デジタル化支援助成金", "SME digitalisation grant"),
    ("SANGYO", "創業助成金", "Start-up grant"),
    ("SANGYO", "商店街活性化支援補助金", "Shopping street revitalisation subsidy"),
    ("SANGYO", "テレワーク導入促進助成金", "Telework adoption grant"),
    ("SANGYO", "新製品・新技術開発助成金", "New product and technology development grant"),
    ("SANGYO", "展示会出展支援助成金", "Trade fair participation grant"),
    ("SANGYO", "事業承継支援助成金", "Business succession grant"),
    ("SANGYO", "インバウンド対応力強化支援補助金", "Inbound tourism readiness subsidy"),
    ("SANGYO", "宿泊施設バリアフリー化支援補助金", "Accessible accommodation subsidy"),
    ("SANGYO", "農林水産業 経営基盤強化補助金", "Farm and fishery business base subsidy"),
    ("SANGYO", "人材育成・定着支援助成金", "Staff training and retention grant"),
    ("KANKYO", "省エネ設備導入支援補助金", "Energy-saving equipment subsidy"),
    ("KANKYO", "電気自動車等導入促進補助金", "Electric vehicle purchase subsidy"),
    ("KANKYO", "住宅の断熱改修支援補助金", "Home insulation retrofit subsidy"),
    ("KANKYO", "太陽光発電設備導入補助金", "Solar power installation subsidy"),
    ("KANKYO", "燃料電池自動車導入補助金", "Fuel-cell vehicle subsidy"),
    ("KANKYO", "蓄電池システム導入補助金", "Home battery subsidy"),
    ("KANKYO", "プラスチック削減推進補助金", "Plastic reduction subsidy"),
    ("FUKUSHI", "介護職員宿舎借り上げ支援補助金", "Care worker housing subsidy"),
    ("FUKUSHI", "保育所等ICT化推進補助金", "Childcare ICT subsidy"),
    ("FUKUSHI", "障害者就労施設 設備整備補助金", "Sheltered workshop equipment subsidy"),
    ("HOKEN", "医療機関 感染症対策設備補助金", "Hospital infection-control equipment subsidy"),
    ("HOKEN", "薬局 オンライン服薬指導導入補助金", "Pharmacy online guidance subsidy"),
    ("JUTAKU", "マンション管理適正化支援補助金", "Condominium management subsidy"),
    ("JUTAKU", "既存住宅 耐震改修助成金", "Earthquake retrofit grant"),
    ("TOSHI", "木造住宅密集地域 建替え助成金", "Dense wooden housing rebuild grant"),
    ("SEIKATSU", "文化芸術活動支援助成金", "Arts and culture activity grant"),
    ("SEIKATSU", "町会・自治会活動支援補助金", "Neighbourhood association subsidy"),
    ("SPORTS", "地域スポーツクラブ活動支援補助金", "Community sports club subsidy"),
    ("STARTUP", "スタートアップ実証支援助成金", "Start-up pilot grant"),
    ("KODOMO", "子育て支援団体活動助成金", "Child-rearing support group grant"),
]


def subject_pool(rng: random.Random) -> list[tuple[str, str, str]]:
    """Every (bureau, name_ja, name_en) the combinations give, shuffled."""
    out = [(b, f"{PREFIX_JA}{sj}{aj}", f"{PREFIX_EN}{ae}: {se}")
           for b, sj, se in LICENSES for aj, ae in ACTIONS]
    out += [(b, f"{PREFIX_JA}{sj}{aj}", f"{PREFIX_EN}{ae} {se}")
            for b, sj, se in FACILITIES for aj, ae in FACILITY_ACTIONS]
    out += [(b, PREFIX_JA + nj, PREFIX_EN + ne) for b, nj, ne in OTHERS]
    rng.shuffle(out)
    return out


def bundle_subjects(bureau: str) -> list[tuple[str, str]]:
    """What a bureau's process bundles are about (a generic subject for bureaus not listed)."""
    mine = [(sj, se) for b, sj, se in LICENSES + FACILITIES if b == bureau]
    return mine or [("各種申請・届出", "applications and notices")]
