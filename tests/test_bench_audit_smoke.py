"""The audit benchmark still runs (tiny sizes; it measures nothing here)."""

from __future__ import annotations

from bench import audit


def test_the_audit_benchmark_runs_end_to_end():
    """Both parts produce their rows: every path and setting, and the trail's queries."""
    rows = audit.slowdown({"engine": 100, "service": 20, "boto3": 10}, repeats=1)
    assert [(r["path"], r["batch"]) for r in rows] == [
        ("engine", 1), ("engine", 10), ("service", 1), ("service", 10), ("boto3", 1),
        ("boto3", 10)]
    labels = [label for label, _ in audit.million(300, validate=True)]
    assert labels[0] == "events recorded" and labels[-1] == "deliver log files + validate"
