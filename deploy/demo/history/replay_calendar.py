"""Calendar helpers for generate.py: Tokyo business days (weekends, the public holidays of
rollout's own holiday oracle, the 29 December - 3 January closure), Japanese fiscal quarters
(FY2021-Q3 = October-December 2021) and seeded placement of days inside a span."""

from __future__ import annotations

import datetime as dt
import pathlib
import random

D = dt.date
DAY = dt.timedelta(days=1)

_ROOT = pathlib.Path(__file__).resolve().parents[3]
_HOLIDAYS_CSV = _ROOT / "crates/rollout-domain/src/reminders/testdata/jp_holidays_2000_2027.csv"


def _holidays() -> set[dt.date]:
    out = set()
    with open(_HOLIDAYS_CSV, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("date"):
                continue
            out.add(D.fromisoformat(line.split(",")[0]))
    return out


HOLIDAYS = _holidays()


def is_business_day(d: dt.date) -> bool:
    if d.weekday() >= 5 or d in HOLIDAYS:
        return False
    return not ((d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3))


def business_days(a: dt.date, b: dt.date) -> list[dt.date]:
    """The business days of [a, b]."""
    out, d = [], a
    while d <= b:
        if is_business_day(d):
            out.append(d)
        d += DAY
    return out


def quarter_of(d: dt.date) -> tuple[int, int]:
    fy = d.year if d.month >= 4 else d.year - 1
    return fy, (d.month - 4) % 12 // 3 + 1


def qname(q: tuple[int, int]) -> str:
    return f"FY{q[0]}-Q{q[1]}"


def qspan(q: tuple[int, int]) -> tuple[dt.date, dt.date]:
    fy, n = q
    month, year = 4 + 3 * (n - 1), fy
    if month > 12:
        month, year = month - 12, year + 1
    start = D(year, month, 1)
    after = D(year + (month + 3 > 12), (month + 3 - 1) % 12 + 1, 1)
    return start, after - DAY


def qadd(q: tuple[int, int], n: int) -> tuple[int, int]:
    i = q[0] * 4 + (q[1] - 1) + n
    return i // 4, i % 4 + 1


def day_in(rng: random.Random, a: dt.date, b: dt.date) -> dt.date:
    """A seeded business day in [a, b] (a itself when the span has none)."""
    days = business_days(a, b)
    return rng.choice(days) if days else a


def days_inside(rng: random.Random, start: dt.date, end: dt.date, fractions: list[float]) -> list[dt.date]:
    """Days strictly between start and end at about the given fractions of the span, moved to
    business days, increasing; when the span is too short they may share a day with a neighbour
    (the loader then orders them by minutes)."""
    span = (end - start).days
    out, last = [], start
    for f in fractions:
        d = start + dt.timedelta(days=round(span * f))
        while not is_business_day(d) and d > last + DAY:
            d -= DAY
        d = max(d, last + DAY) if span >= len(fractions) + 1 else max(d, last)
        d = min(d, end - DAY) if span >= len(fractions) + 1 else min(d, end)
        out.append(d)
        last = d
    return out
