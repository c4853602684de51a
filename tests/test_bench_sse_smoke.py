"""The SSE benchmark still runs (tiny sizes; speed itself is measured by bench/, not here)."""

from __future__ import annotations

from bench import sse


def test_the_sse_benchmark_runs_and_only_sse_kms_calls_kms():
    """Every row has a rate; SSE-KMS calls KMS (2 producer + 1 consumer call), the others never."""
    rows = sse.run(messages=20, boto3_messages=10, repeats=1)
    assert len(rows) == 2 * 2 * 3
    for row in rows:
        assert row["messages/s"] > 0
        assert (row["KMS calls"] == 3) == (row["queue"] == "SSE-KMS")
