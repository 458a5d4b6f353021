#!/usr/bin/env python3
"""Generates the replay dataset (procedures.csv, events.csv, targets.csv beside this file) from
the real procedures of ../procedures.csv and the programme's published figures, as README.md
describes. Deterministic (one seeded RNG, no clock): running it again rewrites the same files.
It checks every published figure before writing (see replay_checks.py) and stops if one is off.

    python3 deploy/demo/history/generate.py
"""

from __future__ import annotations

import csv
import pathlib
import random
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the data

from replay_checks import check
from replay_groups import Proc, national, real_row, standard_bundles, subsidies, tokyo_majors

HERE = pathlib.Path(__file__).resolve().parent
SEED = 0x5245_504C_4159  # "REPLAY"


def read_csv(name: str) -> list[dict[str, str]]:
    with open(HERE.parent / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def assign_codes(procs: list[Proc]) -> None:
    """`BUREAU-0001`… per bureau, in list order: the real procedures first, as `rollout demo`
    numbers them, so that a real procedure has the same code in both data sets."""
    numbers: dict[str, int] = {}
    for p in procs:
        numbers[p.bureau] = numbers.get(p.bureau, 0) + 1
        p.code = f"{p.bureau}-{numbers[p.bureau]:04}"


def write(procs: list[Proc]) -> None:
    with open(HERE / "procedures.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([
            "code", "name_ja", "name_en", "bureau_code", "category", "authority",
            "process_count", "annual_applications", "platform", "law_change", "synthetic",
            "source",
        ])
        for p in procs:
            w.writerow([
                p.code, p.name_ja, p.name_en, p.bureau_source, p.category, p.authority,
                p.process_count, "" if p.annual is None else p.annual, p.platform, p.law,
                "true" if p.synthetic else "false", p.source,
            ])
    with open(HERE / "events.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "date", "to_state", "actor", "comment"])
        for p in procs:
            for day, state, actor, comment in p.events:
                w.writerow([p.code, day.isoformat(), state, actor, comment])
    with open(HERE / "targets.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "date", "target_quarter", "reason"])
        for p in procs:
            for day, quarter, reason in p.targets:
                w.writerow([p.code, day.isoformat(), quarter, reason])


def main() -> None:
    rng = random.Random(SEED)
    bureaus = {r["code"]: r for r in read_csv("bureaus.csv")}
    real = [real_row(r) for r in read_csv("procedures.csv")]
    by_name = {p.name_ja: p for p in real}
    majors = tokyo_majors(rng, by_name)
    nationals = national(rng, real)
    subs = subsidies(rng, by_name)
    bundles = standard_bundles(rng, by_name, bureaus)
    # Every real procedure got its history from one of the groups.
    for p in real:
        assert p.events, f"no history for the real procedure {p.name_ja}"
    procs = real + majors + nationals + subs + bundles
    assign_codes(procs)
    for p in procs:
        p.validate()
    check(procs)
    write(procs)
    print(
        f"wrote {len(procs)} procedures, {sum(len(p.events) for p in procs)} events, "
        f"{sum(len(p.targets) for p in procs)} target changes"
    )


if __name__ == "__main__":
    main()
