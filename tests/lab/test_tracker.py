"""Progress files: one per learner, counts only, mergeable by a facilitator."""

from __future__ import annotations

import json

from sqskit.lab import merge_progress, set_learner
from sqskit.lab.feedback import CheckResult
from sqskit.lab.tracker import Progress, main


def record(store: Progress, exercise: str, *statuses: str) -> None:
    for status in statuses:
        store.record_check(CheckResult(exercise, status, "x"))  # type: ignore[arg-type]


def test_progress_survives_a_kernel_restart(tmp_path) -> None:
    """The file is the memory: a new store for the same learner reads it back."""
    store = Progress("ana", tmp_path)
    record(store, "01.2", "failed", "passed")
    store.record_hint("01.2", 2)
    again = Progress("ana", tmp_path)
    assert again.records["01.2"].attempts == 2
    assert again.records["01.2"].attempts_to_pass == 2
    assert again.hints_used("01.2") == 2


def test_the_progress_file_holds_counts_and_no_times(tmp_path) -> None:
    """Nothing but counts is stored (no wall-clock time, nothing to leak)."""
    store = Progress("ana", tmp_path)
    record(store, "00.1", "passed")
    data = json.loads((tmp_path / ".sqskit-progress-ana.json").read_text())
    assert data == {"learner": "ana", "exercises": {"00.1": {
        "attempts": 1, "attempts_to_pass": 1, "hints": 0, "last": "passed", "passed": True}}}


def test_a_damaged_progress_file_starts_afresh(tmp_path) -> None:
    """A half-written or edited file never breaks a lab."""
    (tmp_path / ".sqskit-progress-ana.json").write_text("{not json")
    assert Progress("ana", tmp_path).records == {}


def test_a_learners_name_becomes_a_safe_file_name(tmp_path) -> None:
    """Names with spaces or slashes cannot escape the progress folder."""
    store = set_learner("Ana María/../x", tmp_path)
    record(store, "00.1", "passed")
    assert store.path.parent == tmp_path
    assert store.path.name == ".sqskit-progress-Ana-Mar-a-x.json"


def test_a_facilitator_merges_several_learners_into_one_table(tmp_path, capsys) -> None:
    """merge_progress reads a folder of files; the CLI prints a learner × exercise table."""
    record(Progress("ana", tmp_path), "00.1", "passed")
    record(Progress("ben", tmp_path), "00.1", "failed")
    table = merge_progress(tmp_path)
    assert set(table["learner"]) == {"ana", "ben"}
    mine = table.set_index(["learner", "exercise"])["status"]
    assert mine["ana", "00.1"] == "passed" and mine["ben", "00.1"] == "not yet"
    assert main(["merge", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "ana" in out and "ben" in out and "not yet" in out


def test_merging_nothing_says_so(tmp_path, capsys) -> None:
    """An empty folder is reported, not shown as an empty table."""
    assert main(["merge", str(tmp_path)]) == 1
    assert "no progress files" in capsys.readouterr().out
