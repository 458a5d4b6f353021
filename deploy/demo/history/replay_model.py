"""The rows generate.py writes (one Proc per procedure: its fields, its moves and its target
changes), the law changes rollout's demo loader makes (mirrored from
crates/rollout-app/src/demo/laws.rs; the Rust tests check that the two agree), and the helpers
that lay a forward path (scheduled → built → user_tested → released) between two days."""

from __future__ import annotations

import datetime as dt
import random

from replay_calendar import D, DAY, days_inside, qname, quarter_of

# The last day of the dataset: the programme's latest published figure (88.6% of processes).
END = D(2025, 9, 30)
# The SaaS e-application platform carried its first procedures in March 2022 (the loader's
# milestone is done on 2022-03-01): nothing goes online through it before the 2nd.
SAAS_LIVE = D(2022, 3, 2)

FORWARD = ["scheduled", "built", "user_tested", "released"]
# The default workflow's transitions (crates/rollout-domain/src/workflow/default.toml).
ALLOWED = {
    ("hearing", "scheduled"), ("scheduled", "built"), ("built", "user_tested"),
    ("user_tested", "released"), ("scheduled", "hearing"), ("built", "scheduled"),
    ("user_tested", "built"), ("hearing", "awaiting_law_change"),
    ("scheduled", "awaiting_law_change"), ("built", "awaiting_law_change"),
    ("user_tested", "awaiting_law_change"), ("awaiting_law_change", "scheduled"),
    ("awaiting_law_change", "hearing"), ("hearing", "abolished"),
    ("scheduled", "abolished"), ("awaiting_law_change", "abolished"),
}
UNBLOCK = "system:unblock"


class Proc:
    def __init__(self, name_ja, name_en, bureau, category, authority, *, synthetic,
                 source="", bureau_source=None, process_count=1, annual=None):
        self.code = ""
        self.name_ja, self.name_en = name_ja, name_en
        self.bureau = bureau
        # What procedures.csv says: empty where the source does not name the bureau.
        self.bureau_source = bureau if bureau_source is None else bureau_source
        self.category, self.authority = category, authority
        self.synthetic, self.source = synthetic, source
        self.process_count, self.annual = process_count, annual
        self.platform, self.law = "", ""
        self.events: list[tuple[dt.date, str, str, str]] = []
        self.targets: list[tuple[dt.date, str, str]] = []

    def create(self, day):
        assert not self.events, self.name_ja
        self.events.append((day, "hearing", "", ""))

    def move(self, day, state, actor="", comment=""):
        last_day, last_state = self.events[-1][0], self.events[-1][1]
        assert day >= last_day, (self.name_ja, day, last_day)
        assert (last_state, state) in ALLOWED, (self.name_ja, last_state, state)
        self.events.append((day, state, actor, comment))

    def target(self, day, quarter, reason=""):
        assert not self.targets or day >= self.targets[-1][0], self.name_ja
        self.targets.append((day, qname(quarter), reason))

    def state_on(self, day):
        """The state at the end of `day`, or None before the procedure existed."""
        state = None
        for d, s, _, _ in self.events:
            if d <= day:
                state = s
        return state

    def target_on(self, day):
        target = None
        for d, q, _ in self.targets:
            if d <= day:
                target = q
        return target

    def released_on(self):
        return next((d for d, s, _, _ in self.events if s == "released"), None)

    def validate(self):
        assert self.events and self.events[0][1] == "hearing", self.name_ja
        assert all(d <= END for d, *_ in self.events), self.name_ja
        assert all(d <= END for d, *_ in self.targets), self.name_ja
        released = self.released_on()
        if self.platform == "SAAS_E_APPLICATION" and released:
            assert released >= SAAS_LIVE, (self.name_ja, released)
        states = [s for _, s, _, _ in self.events]
        if "built" in states:
            assert self.platform, f"{self.name_ja} was built without a platform"
        for i, s in enumerate(states):
            if s == "scheduled":
                assert self.target_on(self.events[i][0]), f"{self.name_ja} scheduled without a target"


def law_changes():
    """code → (requested, date shown or None, (kind, closed on) or None), as laws.rs makes them."""
    out = {
        "LAW-0001": (D(2021, 3, 1), D(2021, 12, 1), ("enacted", D(2023, 3, 27))),
        "LAW-0002": (D(2021, 3, 1), D(2021, 12, 1), None),
        "LAW-0003": (D(2021, 3, 1), None, None),
    }
    for i in range(28):
        requested = D(2020, 10, 1) + dt.timedelta(days=14 * i)
        shown = requested + dt.timedelta(days=120) if i < 5 else (D(2022, 9, 30) if 5 <= i < 8 else None)
        closed = None
        if i < 3:
            closed = ("enacted", D(2022 + i % 2, 4, 1))
        elif i == 16:
            closed = ("withdrawn", D(2024, 3, 29))
        out[f"LAW-{101 + i:04}"] = (requested, shown, closed)
    return out


LAWS = law_changes()
CLOSED_LABEL = {"enacted": "施行済み", "withdrawn": "取下げ"}


def forward(p: Proc, rng: random.Random, schedule, end, end_state, target=None):
    """scheduled on `schedule` (with `target` set that day if given), then each forward state up
    to `end_state`, which is reached on `end`; the states between at plausible shares of the
    span (most of it spent scheduled, the least user-tested)."""
    if target is not None:
        p.target(schedule, target)
    p.move(schedule, "scheduled")
    states = FORWARD[: FORWARD.index(end_state) + 1]
    if len(states) == 1:
        return
    shares = {2: [], 3: [rng.uniform(0.5, 0.7)], 4: [rng.uniform(0.45, 0.65), rng.uniform(0.78, 0.92)]}
    for day, state in zip(days_inside(rng, schedule, end, shares[len(states)]), states[1:-1]):
        p.move(day, state)
    p.move(end, states[-1])


def platform_for(rng: random.Random, released, category="MAJOR"):
    """Before the SaaS platform: the joint e-application service, dedicated systems, Mynaportal;
    after it, mostly SaaS."""
    if category == "SUBSIDY":
        return "JGRANTS"
    if released is not None and released < SAAS_LIVE:
        return rng.choices(["JOINT_E_APPLICATION", "DEDICATED_SYSTEM", "MYNA_PORTAL"], [6, 3, 1])[0]
    return rng.choices(["SAAS_E_APPLICATION", "JOINT_E_APPLICATION", "DEDICATED_SYSTEM"], [7, 2, 1])[0]


SLIP_REASONS = [
    "【例示】利用者テストの指摘対応のため / fixes after the user test",
    "【例示】様式の見直しに時間を要したため / the forms took longer to rework",
    "【例示】システム改修の調整のため / waiting for a system change",
    "【例示】関係機関との調整のため / coordination with other bodies",
]
