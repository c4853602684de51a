"""Depth: does one receive + delete get slower as the queue gets deeper?

For each contender and depth, a fresh queue is filled to that depth (untimed, see
:meth:`bench.contenders.Contender.fill`), then one message at a time is received and
deleted (timed) and replaced by a new one (untimed), so the depth holds. The figure
is the median time of a take, less what reading the clock costs (not small next to a
take from a deque). A median, not a mean: on a busy machine one take in a few
hundred waits milliseconds for the CPU, which would swamp a mean of microseconds.

moto scans its whole queue on every receive, so a deep moto queue takes seconds per
take: it runs until a time budget is spent (at least three takes), and a depth whose
estimate would blow the budget is extrapolated linearly from the deepest measured
depth and marked ``~``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

from . import report
from .contenders import Contender, all_contenders
from .report import Goal, Progress, Report, median, micros, ratio

#: the project's goal: a receive at a million messages within 2x of one at ten
FLATNESS = 2.0
MIN_TAKES = 3
WARMUP_TAKES = 3


def run(
    *,
    depths: tuple[int, ...] = (10, 1_000, 10_000, 100_000, 1_000_000),
    moto_depths: tuple[int, ...] = (10, 1_000, 10_000, 100_000),
    takes: int = 20_000,
    boto3_takes: int = 2_000,
    moto_takes: int = 100,
    moto_budget: float = 60.0,
    quiet: bool = False,
) -> Report:
    """Microseconds per receive + delete at each depth, and the growth from depth 10."""
    progress = Progress("depth", quiet=quiet)
    plan = {
        "deque limit": (depths, takes),
        "sqskit engine": (depths, takes),
        "sqskit boto3": (depths, boto3_takes),
        "moto boto3": (moto_depths, moto_takes),
    }
    measured: dict[str, dict[int, float]] = {}
    extrapolated: set[tuple[str, int]] = set()
    for contender in all_contenders(sse=False):  # filled in the clear, so a plain queue
        wanted, count = plan[contender.name]
        results = measured[contender.name] = {}
        for level in wanted:
            budget = moto_budget if contender.name == "moto boto3" else float("inf")
            estimate = _estimate(results, level)
            if estimate is not None and estimate * MIN_TAKES > budget:
                results[level] = estimate
                extrapolated.add((contender.name, level))
                continue
            progress(f"{contender.name}: filling to {level:,}")
            label = f"{contender.name} at depth {level:,}"

            def tick(done: int, label: str = label) -> None:
                progress(f"{label}: {done:,} takes")

            results[level] = _per_take(contender, level, count, budget, tick)
    progress.done()
    return _report(measured, extrapolated, sorted({d for v in plan.values() for d in v[0]}))


def _estimate(results: dict[int, float], level: int) -> float | None:
    """Linear extrapolation from the deepest depth measured so far (moto's cost is O(n))."""
    if not results:
        return None
    deepest = max(results)
    return results[deepest] * level / deepest


def _per_take(
    contender: Contender, level: int, count: int, budget: float,
    report_progress: Callable[[int], None],
) -> float:
    contender.open()
    try:
        contender.fill(level)
        for _ in range(WARMUP_TAKES if budget == float("inf") else 1):  # deep moto: seconds each
            contender.take_one()
            contender.fill(1)
        samples: list[float] = []
        clock, overhead = report.clock, _timer_overhead()
        started = time.perf_counter()  # the budget is the patience of a person: wall time
        for done in range(count):
            before = clock()
            contender.take_one()
            samples.append(max(0.0, clock() - before - overhead))
            contender.fill(1)
            if done >= MIN_TAKES and time.perf_counter() - started > budget:
                break
            if done % 500 == 0:
                report_progress(done)
    finally:
        contender.close()
    return median(samples)


def _timer_overhead() -> float:
    """What reading the clock twice costs (subtracted: a deque take is not much more)."""
    clock = report.clock
    readings = []
    for _ in range(1_000):
        before = clock()
        readings.append(clock() - before)
    return sorted(readings)[len(readings) // 2]


def _report(
    measured: dict[str, dict[int, float]], extrapolated: set[tuple[str, int]],
    levels: list[int],
) -> Report:
    rows, goals, values = [], [], {}
    for name, results in measured.items():
        base = results[min(results)]
        row: dict[str, str] = {"contender": name}
        for level in levels:
            if level not in results:
                row[f"{level:,}"] = "—"
                continue
            mark = "~" if (name, level) in extrapolated else ""
            cell = ratio(results[level] / base)
            row[f"{level:,}"] = f"{mark}{micros(results[level])} ({mark}{cell})"
            values[f"{name} {level} s/take"] = results[level]
        deepest = max(results)
        values[f"{name} growth"] = results[deepest] / base
        rows.append(row)
        if name.startswith("sqskit") and deepest >= 1_000_000 and min(results) <= 10:
            growth = results[deepest] / base
            goals.append(Goal(
                f"{name}: a receive at {deepest:,} messages within {FLATNESS:g}x of one at "
                f"{min(results):,}", ratio(growth), growth <= FLATNESS,
            ))
    notes = [
        "cells: median microseconds per receive + delete (growth vs the shallowest depth)",
        "deep queues are filled through the engine (sqskit) or the backend (moto); "
        "the timed takes go through each contender's own surface",
    ]
    if extrapolated:
        notes.append("~ = extrapolated linearly from the deepest measured depth "
                     "(measuring it would exceed the time budget): "
                     + ", ".join(f"{n} at {d:,}" for n, d in sorted(extrapolated)))
    return Report("Depth: one receive + delete at growing queue depth", pd.DataFrame(rows),
                  goals, notes, values)
