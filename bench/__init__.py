"""sqskit's benchmarks: how fast and how small the teaching engine is, measured against peers.

Run ``python -m bench`` (or ``make bench``) from the repository root; name benchmarks
to run only those (``python -m bench throughput depth memory``); add ``--quick`` for a
run of about a minute. Every table shows absolute figures *and* ratios computed in the
same run, because only ratios carry from one machine to another:

* ``throughput``: send -> receive -> delete cycles of 1 KiB messages, one at a time and
  in batches of ten, through four contenders (:mod:`bench.contenders`): a minimal
  deque-based queue (the limit for any engine written in Python), sqskit's engine
  called directly, sqskit through its boto3 client, and moto through boto3.
* ``depth``: the time of one receive + delete as the queue holds 10 ... 1,000,000
  messages (sqskit should stay flat; moto scans its whole queue).
* ``memory``: bytes a queued message costs beyond its body, at a million messages.
* ``layers``: where the time of a boto3 cycle goes (engine, service, wire, botocore).

The benchmarks are never run by the test suite (``tests/test_bench_smoke.py`` only
checks, with tiny sizes, that they still run). Results: ``bench/RESULTS.md``.
"""

from __future__ import annotations

from collections.abc import Callable

from . import depth, layers, memory, throughput
from .report import Report

#: benchmark name -> its ``run`` function; each takes sizes as keywords, returns a Report
BENCHMARKS: dict[str, Callable[..., Report]] = {
    "throughput": throughput.run,
    "depth": depth.run,
    "memory": memory.run,
    "layers": layers.run,
}

__all__ = ["BENCHMARKS", "Report", "depth", "layers", "memory", "throughput"]
