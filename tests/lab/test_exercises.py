"""The exercise registry, the check runner and the hint ladder."""

from __future__ import annotations

import json

import pytest

from sqskit.lab import check, exercises, hint, progress
from sqskit.lab.exercises import EXERCISES, HINTS_DIR, Exercise, _run, lab_text, shown

from . import (
    engine_support,
    test_checks_lab00,
    test_checks_lab01,
    test_checks_lab02,
    test_checks_lab03,
    test_checks_lab04,
    test_checks_lab05,
    test_checks_lab06,
    test_checks_lab07,
    test_checks_lab08,
    test_checks_lab09,
    test_checks_lab10,
    test_checks_lab11,
)

TESTED_LABS = {"00": test_checks_lab00, "01": test_checks_lab01, "02": test_checks_lab02,
               "03": test_checks_lab03, "04": test_checks_lab04, "05": test_checks_lab05,
               "06": test_checks_lab06, "07": test_checks_lab07,
               "08": test_checks_lab08, "09": test_checks_lab09,
               "10": test_checks_lab10, "11": test_checks_lab11}


@pytest.mark.parametrize("lab", sorted(TESTED_LABS))
def test_every_anticipated_mistake_is_triggered_by_a_test(lab: str) -> None:
    """A tip nobody can reach is dead text: each declared mistake has a case that hits it,
    and each exercise has a passing case and a not-attempted case."""
    needs = {"02": engine_support.redrive, "03": engine_support.fifo}.get(lab)
    if needs is not None and not needs():
        pytest.skip(engine_support.NOT_YET)
    cases = TESTED_LABS[lab].CASES
    for ex in exercises(lab):
        mine = [c for c in cases if c.exercise == ex.id]
        hit = {c.mistake for c in mine if c.mistake}
        assert set(ex.mistakes) <= hit, f"{ex.id}: no test for {set(ex.mistakes) - hit}"
        assert {"passed", "not attempted", "failed"} <= {c.status for c in mine}, ex.id


def test_every_exercise_has_a_title_and_a_hint_ladder() -> None:
    """Titles and hints are data (hints/labNN.json); every check has both, at least 2 hints."""
    for ex in exercises():
        assert ex.title != ex.id, ex.id
        assert len(ex.hints) >= 2, ex.id


def test_every_hint_file_entry_belongs_to_a_registered_check() -> None:
    """A hint ladder without a check would never be shown: the two lists match."""
    for path in HINTS_DIR.glob("lab*.json"):
        for exercise_id in json.loads(path.read_text(encoding="utf-8")):
            assert exercise_id in EXERCISES, f"{path.name}: {exercise_id} has no check"
            assert exercise_id.startswith(path.stem[3:] + "."), exercise_id


def test_a_check_called_with_the_wrong_arguments_says_how_to_call_it() -> None:
    """Calling a check with too few arguments shows the right call, not a TypeError."""
    result = check("01.2")
    assert result.status == "error"
    assert 'check("01.2", print_next)' in result.line()


def test_an_unknown_exercise_lists_the_labs_exercises() -> None:
    """A typo in the exercise id names the exercises that exist."""
    line = check("01.9").line()
    assert "no exercise '01.9'" in line and "01.1, 01.2" in line


def test_a_check_that_trips_reports_it_in_one_line_without_a_traceback() -> None:
    """A bug in a check is the facilitator's problem, never a traceback for the learner."""

    def broken() -> str:
        raise ZeroDivisionError("boom")

    result = _run(Exercise("99.1", "broken", broken), (), {})
    assert result.status == "error"
    assert result.line().startswith("⚠️ 99.1 the check could not finish: ZeroDivisionError: boom")
    assert "tell your facilitator" in result.line()


def test_a_check_naming_an_undeclared_mistake_is_reported_as_a_check_error() -> None:
    """Every tip must be declared, so the facilitator guide lists them all."""
    from sqskit.lab.exercises import fail

    def sloppy() -> str:
        fail("wrong", "not-declared")

    assert _run(Exercise("99.2", "sloppy", sloppy), (), {}).status == "error"


def test_hints_come_one_rung_at_a_time_and_repeat_the_last() -> None:
    """hint() reveals the next hint each call; after the last, it shows the last again."""
    ladder = EXERCISES["00.1"].hints
    shown = [hint("00.1") for _ in range(len(ladder) + 1)]
    assert [h.number for h in shown] == [1, 2, 3, 3]
    assert shown[0].text == ladder[0] and shown[-1].text == ladder[-1]
    assert "(the last one)" in shown[-1].line()


def test_a_failed_check_says_which_hint_comes_next() -> None:
    """The hint note of a failure follows the learner's own ladder."""
    import sqskit

    world = sqskit.World(seed=0)
    world.clock.advance(45)
    assert 'hint("00.1") shows hint 1 of 3' in check("00.1", world).line()
    hint("00.1")
    assert 'hint("00.1") shows hint 2 of 3' in check("00.1", world).line()


def test_checks_and_hints_are_counted_in_the_learners_progress() -> None:
    """progress() counts attempts (a stub is not an attempt), hints, and passes."""
    import sqskit

    world = sqskit.World(seed=0)
    check("00.1", world)  # not attempted: not counted
    world.clock.advance(45)
    check("00.1", world)
    world.clock.advance(45)
    check("00.1", world)
    hint("00.2")
    table = progress("00")
    assert table.loc["00.1", "status"] == "passed"
    assert table.loc["00.1", "attempts"] == 2
    assert table.loc["00.2", "hints"] == 1
    assert table.loc["00.3", "status"] == "not attempted"


def test_the_hint_files_are_valid_and_titled() -> None:
    """Each lab's hint file parses and gives every exercise a title."""
    for lab in ("00", "01", "02", "03", "04", "05", "06"):
        assert all("title" in entry for entry in lab_text(lab).values())


def test_a_value_shown_in_a_check_message_is_cut_where_the_reader_can_see_it() -> None:
    """A short value is its repr; a long one keeps its dict keys whole, abbreviates long
    strings with '...', and ends with an ellipsis where it was cut."""
    assert shown({"batchItemFailures": []}) == "{'batchItemFailures': []}"
    long = {"batchItemFailures": [{"id": f"{n:08d}-0caa-4d67-9471-8b140971c0a4"}
                                  for n in range(5)]}
    text = shown(long)
    assert len(text) == 80 and text.endswith("…")
    assert text.startswith("{'batchItemFailures': [{'id': '00000000-...")
    assert shown("x" * 10, width=5) == "'xxx…"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/print-jobs"
    assert shown(url) == repr(url) and shown(url, 30) == repr(url)[:29] + "…"
