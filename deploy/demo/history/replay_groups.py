"""The groups of procedures generate.py writes, each placed so that the programme's published
figures hold at their dates (README.md has the table): the major procedures within Tokyo's
authority, the national ones behind the law changes, the subsidies on jGrants, and the ~29,000
other processes grouped into illustrative bundles. Real procedures keep their names, sources
and, where a source gives one, their date; the rest is labelled 【例示】."""

from __future__ import annotations

import datetime as dt
import random

from replay_calendar import D, DAY, day_in, qadd, qspan, quarter_of
from replay_model import (
    CLOSED_LABEL, END, LAWS, SAAS_LIVE, SLIP_REASONS, UNBLOCK, Proc, forward, platform_for,
)
from replay_names import (
    NATIONAL_MAJORS, PREFIX_EN, PREFIX_JA, SUBSIDIES, bundle_subjects, subject_pool,
)

__all__ = ["END", "Proc", "SAAS_LIVE", "national", "real_row", "subsidies", "tokyo_majors",
           "standard_bundles"]

CATEGORY = {"major169": "MAJOR", "phase2": "STANDARD", "subsidy": "SUBSIDY"}
FALLBACK_BUREAU = "DIGITAL"  # as rollout demo: the bureau that runs the programme


def real_row(r: dict[str, str]) -> Proc:
    annual = r["annual_applications"].strip()
    return Proc(
        r["name_ja"], r["name_en"], r["bureau_code"] or FALLBACK_BUREAU, CATEGORY[r["category"]],
        r["authority"].upper(), synthetic=False, source=r["source"],
        bureau_source=r["bureau_code"], annual=int(annual) if annual else None,
    )


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def expand(plan: dict) -> list:
    return [q for q, n in plan.items() for _ in range(n)]


def release(p: Proc, rng: random.Random, rq, created_by: dt.date, *, planned_q4=False,
            slip_to=None, platform=None, day=None, lead=(60, 300)):
    """Creates `p` in April 2020 (or by `created_by`) and releases it in quarter `rq` (on `day`
    if given). A procedure of the plan for January–March 2022 was scheduled in FY2021 with that
    target; `slip_to` moves its target later in January–March 2022. Others are scheduled about
    `lead` days ahead with their release quarter as target, a fifth after a slip."""
    start, end = qspan(rq)
    if day is None:
        day = day_in(rng, max(start, D(2020, 5, 18)), end)
    p.platform = platform or p.platform or platform_for(rng, day, p.category)
    if p.platform == "SAAS_E_APPLICATION":
        assert day >= SAAS_LIVE, p.name_ja
    created = day_in(rng, D(2020, 4, 1), min(created_by, day - days(35)))
    p.create(created)
    earliest, latest = created + days(7), day - days(21)
    if planned_q4:
        schedule = day_in(rng, max(earliest, D(2021, 4, 1)), D(2021, 12, 24))
        forward(p, rng, schedule, day, "released", target=(2021, 4))
        if slip_to:
            p.target(day_in(rng, D(2022, 1, 11), D(2022, 3, 25)), slip_to, rng.choice(SLIP_REASONS))
        return
    pick = day - days(rng.randint(*lead))
    lo = min(max(earliest, pick - days(7)), max(earliest, latest))
    schedule = day_in(rng, lo, max(lo, min(latest, pick + days(7))))
    first = qadd(rq, -rng.randint(1, 2))
    window = (max(schedule + DAY, qspan(first)[0]), min(qspan(first)[1], day - DAY))
    slips = (rng.random() < 0.2 and first >= quarter_of(schedule) and first != (2021, 4)
             and window[0] <= window[1])
    forward(p, rng, schedule, day, "released", target=first if slips else rq)
    if slips:
        p.target(day_in(rng, *window), rq, rng.choice(SLIP_REASONS))


RELEASES_MAJOR = {
    (2020, 1): 8, (2020, 2): 14, (2020, 3): 16, (2020, 4): 18,  # 56 by 2021-03-31
    (2021, 1): 6, (2021, 2): 6, (2021, 3): 3,  # 68 by 2021-09-30, 71 by 2021-12-31
    (2021, 4): 24,  # of the 31 planned for January–March 2022; the other 7 slip:
    (2022, 1): 4, (2022, 2): 3, (2022, 3): 2, (2022, 4): 1,
    (2023, 1): 2, (2023, 2): 1, (2023, 3): 1, (2023, 4): 1,
    (2024, 1): 1, (2024, 2): 1, (2024, 4): 1, (2025, 1): 1, (2025, 2): 1,  # 115 by 2025-09-30
}
NAMED_MAJORS = {
    "労政会館の使用承認": (2021, 2),
    "狩猟免許の更新": (2021, 2),
    "実習用通学定期乗車券の発売申込の届出": (2021, 3),
    "動物取扱責任者研修の受講": (2021, 3),
    "地球温暖化対策計画書の提出": (2021, 4),
}
ABOLISH_REASONS = [
    "【例示】根拠となる要綱の廃止に伴い手続を廃止 / the guideline behind it was repealed",
    "【例示】他の手続に統合 / merged into another procedure",
    "【例示】事業終了に伴い手続を廃止 / the programme it served has ended",
]


def annual_major(rng):
    return int(rng.lognormvariate(9.0, 1.3))


def tokyo_majors(rng: random.Random, by_name: dict[str, Proc]) -> list[Proc]:
    """The 119 Tokyo-authority majors (5 real) and 10 abolished ones; returns the synthetic."""
    pool = subject_pool(rng)
    out: list[Proc] = []

    def synthetic() -> Proc:
        bureau, name_ja, name_en = pool.pop()
        p = Proc(name_ja, name_en, bureau, "MAJOR", "TOKYO", synthetic=True,
                 annual=annual_major(rng))
        out.append(p)
        return p

    slots = expand(RELEASES_MAJOR)
    for q in NAMED_MAJORS.values():
        slots.remove(q)
    entries = [(by_name[n], q) for n, q in NAMED_MAJORS.items()] + [(synthetic(), q) for q in slots]
    slip = iter([(2022, 1)] * 4 + [(2022, 2)] * 3)
    for p, q in entries:
        early = q == (2020, 1)
        platform = "SAAS_E_APPLICATION" if p.name_ja == "地球温暖化対策計画書の提出" else None
        day = day_in(rng, SAAS_LIVE, D(2022, 3, 25)) if platform else None
        if q in ((2022, 1), (2022, 2)):
            release(p, rng, q, D(2020, 4, 24), planned_q4=True, slip_to=next(slip))
        else:
            release(p, rng, q, D(2020, 4, 10) if early else D(2020, 4, 24),
                    planned_q4=q == (2021, 4), platform=platform, day=day)
    # Four left for FY2026: scheduled in 2023, slipped in 2024 and again in 2025.
    for i, q26 in enumerate([(2026, 1), (2026, 2), (2026, 3), (2026, 4)]):
        p = synthetic()
        p.platform = "SAAS_E_APPLICATION"
        p.create(day_in(rng, D(2020, 4, 1), D(2020, 4, 24)))
        first = (2024, rng.randint(2, 4))
        forward(p, rng, day_in(rng, D(2023, 4, 3), D(2023, 9, 29)), None, "scheduled", target=first)
        p.target(day_in(rng, *qspan(first)), (2025, rng.randint(2, 4)), rng.choice(SLIP_REASONS))
        p.target(day_in(rng, D(2025, 4, 1), D(2025, 9, 26)), q26, rng.choice(SLIP_REASONS))
        if i < 2:
            p.move(day_in(rng, D(2025, 4, 1), D(2025, 8, 29)), "built")
    for _ in range(10):
        p = synthetic()
        p.create(day_in(rng, D(2020, 4, 1), D(2020, 4, 24)))
        p.move(day_in(rng, D(2020, 7, 1), D(2021, 2, 26)), "abolished",
               comment=rng.choice(ABOLISH_REASONS))
    return out


def national(rng: random.Random, real: list[Proc]) -> list[Proc]:
    """Every national procedure (the 32 real ones, 5 of them major, and 35 illustrative
    majors) waits for its law change from the day it was requested; those whose change was
    enacted or withdrawn move on that day, as rollout's unblocking does."""
    covered = {"一般旅券の発給申請": "LAW-0001", "一般旅券の紛失・焼失の届出（紛失焼失申請）": "LAW-0001",
               "保育士登録申請": "LAW-0002", "産業廃棄物処理業の許可申請": "LAW-0003"}
    rest = [p for p in real if p.authority == "NATIONAL" and p.name_ja not in covered]
    pairs = [(p, covered[p.name_ja]) for p in real if p.name_ja in covered]
    pairs += [(p, f"LAW-{101 + i:04}") for i, p in enumerate(rest)]
    out = []
    for law, bureau, name_ja, name_en in NATIONAL_MAJORS:
        p = Proc(PREFIX_JA + name_ja, PREFIX_EN + name_en, bureau, "MAJOR", "NATIONAL",
                 synthetic=True, annual=annual_major(rng))
        out.append(p)
        pairs.append((p, law))
    for p, law in pairs:
        p.law = law
        requested, shown, closed = LAWS[law]
        p.create(day_in(rng, D(2020, 4, 1), D(2020, 6, 30)))
        p.move(requested, "awaiting_law_change",
               comment=f"国の法令改正が必要（{law}） / needs a national rule change ({law})")
        if closed is None:
            continue
        kind, on = closed
        why = f"{law} {kind} ({CLOSED_LABEL[kind]})"
        p.platform = "OTHER_NATIONAL_SYSTEM"
        if law == "LAW-0001":  # online passport applications began on 27 March 2023
            p.target(shown, (2022, 4))
            p.move(on, "scheduled", UNBLOCK, why)
            for state in ("built", "user_tested", "released"):
                p.move(on, state)
        elif law in ("LAW-0101", "LAW-0102"):
            p.target(shown, quarter_of(on))
            p.move(on, "scheduled", UNBLOCK, why)
            start = qspan(quarter_of(on))[0]
            p.move(day_in(rng, start + days(10), start + days(27)), "built")
            p.move(day_in(rng, start + days(38), start + days(60)), "user_tested")
            p.move(day_in(rng, start + days(61), start + days(83)), "released")
        elif law == "LAW-0103":  # the real brokerage licence went online via eMLIT on 2025-01-06
            p.move(on, "hearing", UNBLOCK, why)
            forward(p, rng, day_in(rng, D(2024, 7, 1), D(2024, 7, 19)), None, "scheduled",
                    target=(2024, 3))
            p.move(day_in(rng, D(2024, 9, 2), D(2024, 9, 20)), "built")
            p.target(day_in(rng, D(2024, 9, 24), D(2024, 9, 30)), (2024, 4), rng.choice(SLIP_REASONS))
            p.move(day_in(rng, D(2024, 12, 2), D(2024, 12, 13)), "user_tested")
            p.move(D(2025, 1, 6), "released")
        else:  # withdrawn: back to a hearing
            p.platform = ""
            p.move(on, "hearing", UNBLOCK, why)
    return out


RELEASES_SUBSIDY = {(2020, 4): 4, (2021, 1): 4, (2021, 2): 4, (2021, 3): 6, (2021, 4): 12, (2022, 1): 2}
REAL_SUBSIDY_QUARTER = (2021, 3)


def subsidies(rng: random.Random, by_name: dict[str, Proc]) -> list[Proc]:
    """32 subsidies on jGrants: 12 online by 2021-09-30, 18 by 2021-12-31, 13 planned for
    January–March 2022 (12 make it, one slips a quarter), the last in April–June 2022."""
    real = [p for p in by_name.values() if p.category == "SUBSIDY"]
    out = [Proc(PREFIX_JA + n, PREFIX_EN + e, b, "SUBSIDY", "TOKYO", synthetic=True)
           for b, n, e in SUBSIDIES]
    slots = expand(RELEASES_SUBSIDY)
    slots.remove(REAL_SUBSIDY_QUARTER)
    late = iter([True, False])  # of the two FY2022-Q1 releases, the first slipped from FY2021-Q4
    for p, q in [(real[0], REAL_SUBSIDY_QUARTER)] + list(zip(out, slots, strict=True)):
        p.annual = p.annual if not p.synthetic else rng.randint(40, 2500)
        start, end = qspan(q)
        day = day_in(rng, max(start, D(2021, 1, 12)), end)
        p.platform = "JGRANTS"
        p.create(day_in(rng, D(2020, 10, 1), D(2020, 11, 13)))
        slipped = q == (2022, 1) and next(late)
        if q == (2021, 4) or slipped:
            forward(p, rng, day_in(rng, D(2021, 7, 1), D(2021, 12, 24)), day, "released", (2021, 4))
            if slipped:
                p.target(day_in(rng, D(2022, 2, 1), D(2022, 3, 18)), q, rng.choice(SLIP_REASONS))
        elif q == (2022, 1):
            forward(p, rng, day_in(rng, D(2022, 1, 11), day - days(30)), day, "released", q)
        else:
            schedule = max(p.events[0][0] + days(7), day - days(rng.randint(45, 120)))
            forward(p, rng, day_in(rng, schedule, schedule + days(6)), day, "released", q)
    return out


# Processes digitised (category STANDARD, within scope), cumulative at each quarter's end. The
# published shares are 2020-09 (FY2020-Q2), 2022-03 (FY2021-Q4), 2022-09 (FY2022-Q2), 2022-12
# (FY2022-Q3), 2023-03 (FY2022-Q4) and 2025-09 (FY2025-Q2); the quarters between are
# interpolated (README.md).
STANDARD_DIGITISED = {
    (2020, 1): 600, (2020, 2): 1400, (2020, 3): 2000, (2020, 4): 2700,
    (2021, 1): 3300, (2021, 2): 3900, (2021, 3): 4700, (2021, 4): 5908,
    (2022, 1): 6800, (2022, 2): 7899, (2022, 3): 8700, (2022, 4): 14703,
    (2023, 1): 16000, (2023, 2): 17300, (2023, 3): 18600, (2023, 4): 20450,
    (2024, 1): 21300, (2024, 2): 22200, (2024, 3): 23100, (2024, 4): 24300,
    (2025, 1): 25000, (2025, 2): 25694,
}
# Processes found after the first inventory (28,000): 620 by 2022-09-30, 380 more by 2022-12-31.
FOUND_LATER = [((2023, 2), 620, D(2022, 7, 1), D(2022, 9, 15)),
               ((2023, 3), 380, D(2022, 10, 3), D(2022, 12, 15))]
FIRST_INVENTORY = 28_000
STANDARD_REAL = {  # name → (release quarter or None, platform, day when the source gives it)
    "教育職員免許状授与証明書の申請": ((2020, 3), "JOINT_E_APPLICATION", None),
    "都税に関する証明（納税証明等）の交付申請": ((2021, 1), "JOINT_E_APPLICATION", None),
    "都営住宅入居者募集への申込（定期募集）": ((2021, 3), "DEDICATED_SYSTEM", None),
    "地球温暖化対策報告書の提出（中小規模事業所）": ((2022, 1), "SAAS_E_APPLICATION", D(2022, 4, 1)),
    "指定相当地球温暖化対策事業所該当届出書の提出": ((2022, 4), "SAAS_E_APPLICATION", None),
    "道路台帳の閲覧（複写）・証明": (None, "SAAS_E_APPLICATION", None),
}
BUNDLE_WEIGHTS = {"FUKUSHI": 60, "HOKEN": 55, "SANGYO": 45, "KYOIKU": 40, "KEISHI": 40,
                  "TOSHI": 35, "KANKYO": 35, "KENSETSU": 30, "SEIKATSU": 25, "JUTAKU": 20,
                  "SHUZEI": 20, "SHOBO": 20, "SOUMU": 10, "SUIDO": 10, "GESUIDO": 8, "KOTSU": 8,
                  "KOWAN": 8, "KODOMO": 6, "SHIJO": 6, "ZAIMU": 6}


def sizes(rng: random.Random, total: int) -> list[int]:
    out = []
    while total > 0:
        s = min(total, round(rng.triangular(10, 180, 40)))
        s = total if total - s < 10 else s
        out.append(s)
        total -= s
    return out


def standard_bundles(rng, by_name, bureaus) -> list[Proc]:
    """The real Tokyo-authority STANDARD procedures and illustrative bundles of processes, sized
    so that the digitised processes hit STANDARD_DIGITISED exactly at each quarter's end."""
    real_in = {}
    for name, (q, platform, day) in STANDARD_REAL.items():
        p = by_name[name]
        p.platform = platform
        if q is None:
            p.create(day_in(rng, D(2020, 4, 1), D(2020, 4, 28)))
            forward(p, rng, day_in(rng, D(2025, 6, 2), D(2025, 6, 30)), None, "scheduled", (2025, 4))
            continue
        real_in[q] = real_in.get(q, 0) + p.process_count
        release(p, rng, q, D(2020, 4, 28), day=day or (day_in(rng, max(qspan(q)[0], SAAS_LIVE), qspan(q)[1])
                                                      if platform == "SAAS_E_APPLICATION" else None))
    weights = [(c, BUNDLE_WEIGHTS.get(c, 3)) for c in bureaus]
    numbers: dict[str, int] = {}
    out: list[Proc] = []

    def bundle(n: int) -> Proc:
        code = rng.choices([c for c, _ in weights], [w for _, w in weights])[0]
        numbers[code] = numbers.get(code, 0) + 1
        sj, se = rng.choice(bundle_subjects(code))
        b = bureaus[code]
        p = Proc(f"{PREFIX_JA}{b['name_ja']} {sj}関係手続群 {numbers[code]:03}（{n}手続）",
                 f"{PREFIX_EN}{b['name_en']}: {se} processes, bundle {numbers[code]:03} ({n})",
                 code, "STANDARD", "TOKYO", synthetic=True, process_count=n,
                 annual=None if rng.random() < 0.1 else max(1, int(n * rng.lognormvariate(5.5, 1.2))))
        out.append(p)
        return p

    previous = 0
    for q, cumulative in STANDARD_DIGITISED.items():
        found = sum(n for fq, n, _, _ in FOUND_LATER if fq == q)
        for n in sizes(rng, cumulative - previous - real_in.get(q, 0) - found):
            release(bundle(n), rng, q, D(2020, 4, 28), lead=(60, 330))
        previous = cumulative
    for q, total, lo, hi in FOUND_LATER:
        for n in sizes(rng, total):
            p = bundle(n)
            p.name_ja += "（追加把握分）"
            p.name_en += " (found later)"
            day = day_in(rng, *qspan(q))
            p.platform = platform_for(rng, day, "STANDARD")
            p.create(day_in(rng, lo, hi))
            forward(p, rng, day_in(rng, p.events[0][0] + days(14), day - days(60)), day, "released", q)
    open_total = FIRST_INVENTORY - sum(p.process_count for p in by_name.values()
                                       if p.category == "STANDARD" and p.authority == "TOKYO")
    open_total -= sum(p.process_count for p in out if p.events and "（追加把握分）" not in p.name_ja)
    for n in sizes(rng, open_total):
        p = bundle(n)
        p.create(day_in(rng, D(2020, 4, 1), D(2020, 4, 28)))
        r = rng.random()
        if r < 0.3:
            continue
        p.platform = platform_for(rng, None, "STANDARD")
        target = qadd((2025, 2), rng.randint(1, 4))
        if r < 0.65:
            forward(p, rng, day_in(rng, D(2024, 10, 1), D(2025, 9, 19)), None, "scheduled", target)
        elif r < 0.85:
            forward(p, rng, day_in(rng, D(2024, 4, 1), D(2025, 3, 31)),
                    day_in(rng, D(2025, 4, 1), D(2025, 9, 26)), "built", target)
        else:
            forward(p, rng, day_in(rng, D(2024, 4, 1), D(2024, 12, 27)),
                    day_in(rng, D(2025, 7, 1), D(2025, 9, 26)), "user_tested", (2025, rng.randint(3, 4)))
    return out
