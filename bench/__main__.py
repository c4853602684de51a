"""Run sqskit's benchmarks and print their tables (all of them unless some are named)."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date
from importlib.metadata import version
from typing import Any

from . import BENCHMARKS
from .report import timer_name, use_cpu_time

#: sizes for ``--quick``: the same benchmarks, about a minute in all
QUICK: dict[str, dict[str, Any]] = {
    "throughput": {"messages": 50_000, "boto3_messages": 1_000, "moto_messages": 100,
                   "repeats": 3},
    "depth": {"depths": (10, 1_000, 100_000, 1_000_000), "moto_depths": (10, 1_000),
              "takes": 5_000, "boto3_takes": 300, "moto_takes": 30, "moto_budget": 5.0},
    "memory": {"count": 100_000, "service_count": 10_000, "moto_count": 1_000},
    "layers": {"cycles": 1_000, "repeats": 3},
}


def machine() -> str:
    """One line about where the figures come from."""
    packages = ", ".join(f"{name} {version(name)}" for name in ("boto3", "moto", "pandas"))
    return (
        f"{date.today().isoformat()}; Python {platform.python_version()} on "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores; {packages}; "
        f"{load()}"
    )


def load() -> str:
    """The machine's load averages: other work running beside the benchmark skews it."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], metavar="benchmark",
                        help=f"any of {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, about a minute")
    parser.add_argument("--cpu", action="store_true",
                        help="time by CPU time, not the wall clock (for a busy machine)")
    parser.add_argument("--markdown", metavar="FILE",
                        help="also write the tables as Markdown to FILE")
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    use_cpu_time(args.cpu)
    command = f"python -m bench {' '.join(argv if argv is not None else sys.argv[1:])}"
    header = [machine(), f"timer: {timer_name()}", f"command: `{command.strip()}`"]
    print("\n".join(header))
    sections = ["\n".join(f"- {line}" for line in header)]
    for name in names:
        started = time.perf_counter()
        report = BENCHMARKS[name](**(QUICK[name] if args.quick else {}))
        took = time.perf_counter() - started
        print()
        print(report.text())
        print(f"({name} took {took:.0f} s)")
        sections.append(report.markdown())
    print(f"\nat the end: {load()}")
    sections.append(f"- at the end: {load()}")
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as out:
            out.write("\n\n".join(sections) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
