"""The FIFO benchmark still runs (tiny sizes; speed itself is measured by bench/, not here)."""

from __future__ import annotations

from bench import fifo


def test_the_fifo_benchmark_runs_for_every_contender_and_grouping():
    """Every contender gets a positive figure for each grouping that fits its depths."""
    figures = fifo.run(depths=(20,), boto3_depths=(20,), moto_depths=(20,), takes=2,
                       boto3_takes=1, moto_takes=1, repeats=1, memory_count=100)
    for action in ("take", "send"):
        for contender, rows in figures[action].items():
            assert set(rows) == {("1 group", 20), ("10 groups", 20)}, contender
            assert all(value > 0 for value in rows.values())
    assert figures["bytes"] > 0
    assert "| sqskit engine | 1 group |" in fifo.render(figures)
