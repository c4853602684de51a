"""Throughput: send -> receive -> delete of 1 KiB messages, singly and in batches of ten.

Each contender (:mod:`bench.contenders`) runs the same cycle on a fresh queue, after a
short untimed warm-up; the rounds interleave the contenders so that a slow moment of
the machine hurts all of them alike, and each figure is the median over the rounds.
moto is slow, so it runs fewer messages (its rate does not depend on the count).
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from .contenders import Contender, all_contenders
from .report import Goal, Progress, Report, median, micros, rate, ratio, timed

WARMUP_CYCLES = 20
#: the project's goals (see the README's performance section)
BOTO3_OVER_MOTO = 5.0
ENGINE_OVER_LIMIT = 0.1


def run(
    *,
    messages: int = 200_000,
    boto3_messages: int = 5_000,
    moto_messages: int = 300,
    repeats: int = 5,
    batches: tuple[int, ...] = (1, 10),
    quiet: bool = False,
) -> Report:
    """Messages per second of every contender, and the ratios between them."""
    progress = Progress("throughput", quiet=quiet)
    contenders = all_contenders()
    budget = {
        "deque limit": messages,
        "sqskit engine": messages,
        "sqskit boto3": boto3_messages,
        "moto boto3": moto_messages,
    }
    rates: dict[tuple[str, int], list[float]] = defaultdict(list)
    for round_number in range(1, repeats + 1):
        for contender in contenders:
            for batch in batches:
                progress(f"round {round_number}/{repeats}: {contender.name}, batch of {batch}")
                cycles = max(1, budget[contender.name] // batch)
                rates[contender.name, batch].append(_rate(contender, cycles, batch))
    progress.done()
    return _report(contenders, batches, {key: median(v) for key, v in rates.items()},
                   repeats, budget)


def _rate(contender: Contender, cycles: int, batch: int) -> float:
    """Messages per second over ``cycles`` cycles on a fresh queue."""
    contender.open()
    try:
        contender.cycles(min(WARMUP_CYCLES, cycles), batch)
        moved = 0

        def run() -> None:
            nonlocal moved
            moved = contender.cycles(cycles, batch)

        seconds = timed(run)
    finally:
        contender.close()
    return moved / seconds


def _report(
    contenders: list[Contender], batches: tuple[int, ...], rates: dict[tuple[str, int], float],
    repeats: int, budget: dict[str, int],
) -> Report:
    rows, goals, values = [], [], {}
    for batch in batches:
        limit, moto = rates["deque limit", batch], rates["moto boto3", batch]
        mode = "single" if batch == 1 else f"batch of {batch}"
        for contender in contenders:
            value = rates[contender.name, batch]
            values[f"{contender.name} {mode} msgs/s"] = value
            rows.append({
                "mode": mode,
                "contender": contender.name,
                "msgs/s": rate(value),
                "cycles/s": rate(value / batch),
                "µs/msg": micros(1 / value),
                "vs limit": ratio(value / limit),
                "vs moto": ratio(value / moto),
            })
        boto3 = rates["sqskit boto3", batch] / moto
        engine = rates["sqskit engine", batch] / limit
        values[f"boto3/moto {mode}"] = boto3
        values[f"engine/limit {mode}"] = engine
        goals.append(Goal(f"{mode}: sqskit boto3 >= {BOTO3_OVER_MOTO:g}x moto",
                          ratio(boto3), boto3 >= BOTO3_OVER_MOTO))
        goals.append(Goal(f"{mode}: sqskit engine >= {ENGINE_OVER_LIMIT:g}x the deque limit",
                          ratio(engine), engine >= ENGINE_OVER_LIMIT))
    notes = [
        "sqskit's queue has the defaults a learner's gets over TLS: SSE-SQS seals every "
        "body with AES-256-GCM (moto stores bodies in the clear)",
        f"median of {repeats} rounds; messages per round: "
        + ", ".join(f"{name} {count:,}" for name, count in budget.items()),
    ]
    return Report("Throughput: send -> receive -> delete, 1 KiB messages", pd.DataFrame(rows),
                  goals, notes, values)
