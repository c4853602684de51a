"""What every benchmark shares: timing, progress lines, and the tables it prints.

Figures are medians over repeated runs, timed by the wall clock
(``time.perf_counter``) or, with ``--cpu`` (:func:`use_cpu_time`), by the process's
CPU time, which other work on a busy machine disturbs far less. A :class:`Report` is
a titled table (a pandas DataFrame of formatted cells) plus the goals it checks; it
renders as aligned text for the terminal and as Markdown for ``bench/RESULTS.md``.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: the message body size every benchmark uses: 1 KiB
BODY_SIZE = 1024


def make_body(number: int = 0) -> str:
    """A 1 KiB ASCII body that starts with ``number`` (so bodies can differ)."""
    return f"{number:010d}".ljust(BODY_SIZE, "x")


#: the timer every benchmark reads (see :func:`use_cpu_time`)
clock: Callable[[], float] = time.perf_counter


def use_cpu_time(cpu: bool = True) -> None:
    """Time by this process's CPU time instead of the wall clock."""
    global clock
    clock = time.process_time if cpu else time.perf_counter


def timer_name() -> str:
    return "CPU time (time.process_time)" if clock is time.process_time else (
        "wall clock (time.perf_counter)"
    )


def timed(run: Callable[[], Any]) -> float:
    """Seconds ``run()`` takes, measured after a full garbage collection."""
    gc.collect()
    start = clock()
    run()
    return clock() - start


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


class Progress:
    """One status line on stderr, rewritten in place on a terminal."""

    def __init__(self, benchmark: str, *, quiet: bool = False) -> None:
        self.benchmark = benchmark
        self.quiet = quiet
        self._tty = sys.stderr.isatty()
        self._width = 0

    def __call__(self, message: str) -> None:
        if self.quiet:
            return
        line = f"[{self.benchmark}] {message}"
        if self._tty:
            sys.stderr.write("\r" + line.ljust(self._width))
            self._width = len(line)
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def done(self) -> None:
        if self._tty and not self.quiet and self._width:
            sys.stderr.write("\r" + " " * self._width + "\r")
            sys.stderr.flush()


@dataclass
class Goal:
    """A target from the project's performance goals, and whether this run met it."""

    text: str
    measured: str
    met: bool

    def line(self) -> str:
        return f"{'MET    ' if self.met else 'NOT MET'}  {self.text}: {self.measured}"


@dataclass
class Report:
    """A benchmark's result: a table of formatted cells, the goals, and footnotes."""

    title: str
    table: pd.DataFrame
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: the unformatted figures, for tests and for anyone who wants to compute more
    values: dict[str, float] = field(default_factory=dict)

    def text(self) -> str:
        parts = [self.title, "=" * len(self.title), self.table.to_string(index=False)]
        parts += [goal.line() for goal in self.goals]
        parts += [f"note: {note}" for note in self.notes]
        return "\n".join(parts)

    def markdown(self) -> str:
        columns = [str(c) for c in self.table.columns]
        rows = [[str(cell) for cell in row] for row in self.table.itertuples(index=False)]
        right = [
            all(_numeric(row[i]) for row in rows) and i > 0 for i in range(len(columns))
        ]
        lines = [
            f"### {self.title}",
            "",
            "| " + " | ".join(columns) + " |",
            "|" + "|".join("---:" if r else "---" for r in right) + "|",
        ]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        if self.goals:
            lines += [""] + [f"- **{'met' if g.met else 'NOT met'}**: {g.text}: {g.measured}"
                             for g in self.goals]
        if self.notes:
            lines += [""] + [f"- {note}" for note in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Report {self.title!r} {len(self.table)} rows>"


def _numeric(cell: str) -> bool:
    stripped = cell.replace(",", "").replace("x", "").replace("~", "").replace("µs", "").strip()
    try:
        float(stripped)
    except ValueError:
        return cell in ("—", "")
    return True


def rate(value: float) -> str:
    """Messages per second, grouped: ``12,345``."""
    return f"{value:,.0f}"


def micros(seconds: float) -> str:
    """A duration in microseconds with sensible precision."""
    us = seconds * 1e6
    if us >= 100:
        return f"{us:,.0f}"
    return f"{us:.2f}" if us < 10 else f"{us:.1f}"


def ratio(value: float) -> str:
    """A ratio as ``15.2x``, ``0.12x`` or, when tiny, ``0.0013x``."""
    if value < 0.01:
        return f"{value:.2g}x"
    return f"{value:.2f}x" if value < 10 else f"{value:,.1f}x"
