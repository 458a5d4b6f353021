"""The published figures generate.py must reproduce, checked on the generated rows with the
analytics' rules: a procedure is in scope at the end of a Tokyo day when it exists by then, is
not abolished, and is of Tokyo's authority; digitised when in scope and released. The same
figures are asserted again in Rust over the loaded histories (crates/rollout-app/src/demo/replay)."""

from __future__ import annotations

from replay_calendar import D
from replay_model import LAWS

PROCESS_SHARES = [  # (day, share in %, processes in scope)
    (D(2020, 9, 30), 5.0, 28_000), (D(2022, 3, 31), 21.1, 28_000),
    (D(2022, 9, 30), 27.6, 28_620), (D(2022, 12, 31), 30.0, 29_000),
    (D(2023, 3, 31), 50.7, 29_000), (D(2025, 9, 30), 88.6, 29_000),
]


def in_scope(p, day):
    state = p.state_on(day)
    return state is not None and state != "abolished" and p.authority == "TOKYO"


def digitised(p, day):
    return in_scope(p, day) and p.state_on(day) == "released"


def expect(what, got, want):
    assert got == want, f"{what}: {got}, expected {want}"


def check(procs):
    majors = [p for p in procs if p.category == "MAJOR"]
    expect("major procedures", len(majors), 169)
    expect("national majors", sum(p.authority == "NATIONAL" for p in majors), 40)
    expect("abolished majors", sum(p.state_on(D(2025, 9, 30)) == "abolished" for p in majors), 10)
    for day, n in [(D(2021, 3, 31), 56), (D(2021, 6, 30), 62), (D(2021, 9, 30), 68),
                   (D(2021, 12, 31), 71), (D(2022, 3, 31), 95), (D(2025, 9, 30), 115)]:
        expect(f"majors digitised by {day}", sum(digitised(p, day) for p in majors), n)
    for day in [D(2021, 3, 31), D(2021, 12, 31), D(2025, 9, 30)]:
        expect(f"majors in scope on {day}", sum(in_scope(p, day) for p in majors), 119)
    q3 = [p.name_ja for p in majors if p.authority == "TOKYO" and p.released_on()
          and D(2021, 10, 1) <= p.released_on() <= D(2021, 12, 31)]
    expect("majors released in 2021-10..12", len(q3), 3)
    assert "実習用通学定期乗車券の発売申込の届出" in q3, q3
    dec = D(2021, 12, 31)
    planned = [p.name_ja for p in majors if p.target_on(dec) == "FY2021-Q4"]
    expect("majors targeted at FY2021-Q4 on 2021-12-31", len(planned), 31)
    assert all(in_scope(p, dec) and not digitised(p, dec)
               for p in majors if p.target_on(dec) == "FY2021-Q4")
    assert "地球温暖化対策計画書の提出" in planned, planned
    left = [p for p in majors if in_scope(p, D(2025, 9, 30)) and not digitised(p, D(2025, 9, 30))]
    assert [p.target_on(D(2025, 9, 30))[:6] for p in left] == ["FY2026"] * 4, left
    for p in majors:
        if p.authority == "NATIONAL":
            expect(f"{p.name_ja} on {dec}", p.state_on(dec), "awaiting_law_change")
    subsidies = [p for p in procs if p.category == "SUBSIDY"]
    expect("subsidies", len(subsidies), 32)
    for day, n in [(D(2021, 9, 30), 12), (D(2021, 12, 31), 18), (D(2022, 6, 30), 32)]:
        expect(f"subsidies online by {day}", sum(digitised(p, day) for p in subsidies), n)
    expect("subsidies targeted at FY2021-Q4 on 2021-12-31",
           sum(p.target_on(dec) == "FY2021-Q4" for p in subsidies), 13)
    standard = [p for p in procs if p.category == "STANDARD"]
    for day, share, scope in PROCESS_SHARES:
        total = sum(p.process_count for p in standard if in_scope(p, day))
        done = sum(p.process_count for p in standard if digitised(p, day))
        expect(f"processes in scope on {day}", total, scope)
        assert abs(100 * done / total - share) <= 0.05, (day, done, total, share)
    # National procedures wait exactly while their law change is open.
    for p in procs:
        if p.law:
            requested, _, closed = LAWS[p.law]
            waits = [d for d, s, _, _ in p.events if s == "awaiting_law_change"]
            assert waits == [requested], (p.name_ja, waits)
            released = p.released_on()
            assert released is None or (closed and closed[1] <= released), p.name_ja
