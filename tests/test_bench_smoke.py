"""The benchmarks in bench/ still run (tiny sizes, no timing assertions).

Performance is measured by ``python -m bench``, never by the test suite; this only
keeps the benchmark code from rotting as sqskit changes underneath it.
"""

from __future__ import annotations

import pytest

import bench
from bench.limit import DequeQueue

TINY = {
    "throughput": {"messages": 40, "boto3_messages": 20, "moto_messages": 10, "repeats": 1},
    "depth": {"depths": (10, 100), "moto_depths": (10, 100), "takes": 20, "boto3_takes": 5,
              "moto_takes": 3},
    "memory": {"count": 200, "service_count": 50, "moto_count": 20},
    "layers": {"cycles": 20, "repeats": 1},
}


@pytest.fixture(scope="module")
def reports():
    """Each benchmark's report at tiny sizes, run once for the whole module."""
    return {name: run(quiet=True, **TINY[name]) for name, run in bench.BENCHMARKS.items()}


@pytest.mark.parametrize("name", sorted(bench.BENCHMARKS))
def test_each_benchmark_runs_at_tiny_sizes_and_renders_its_table(reports, name):
    """Every benchmark runs end to end and renders as text and Markdown with its goals."""
    report = reports[name]
    assert len(report.table) > 0
    assert all(value > 0 for value in report.values.values())
    text, markdown = report.text(), report.markdown()
    assert report.title in text
    assert markdown.startswith(f"### {report.title}")
    for goal in report.goals:
        assert goal.text in text and goal.text in markdown


def test_the_benchmarks_compare_all_four_contenders_side_by_side(reports):
    """Throughput puts the limit, the engine, boto3-on-sqskit and moto in one table."""
    report = reports["throughput"]
    assert set(report.table["contender"]) == {
        "deque limit", "sqskit engine", "sqskit boto3", "moto boto3",
    }
    assert {"vs limit", "vs moto"} <= set(report.table.columns)


def test_the_deque_limit_is_a_working_at_least_once_queue():
    """The reference queue hands messages out in order and deletes only what it handed out."""
    queue = DequeQueue()
    first, second = queue.send("a"), queue.send("b")
    assert queue.receive(1) == [(first, "a")]
    assert queue.delete(first) and not queue.delete(first)
    assert not queue.delete(second)  # not received yet
    assert queue.receive(10) == [(second, "b")]
    assert len(queue) == 1
