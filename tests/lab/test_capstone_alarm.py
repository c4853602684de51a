"""Lab 10's requirement 7 judges the learner's alarm by when it would really fire.

Requirement 7 says the alarm tells pipeline-alarms within 5 minutes of a job landing in
parse-jobs-dlq, and stays quiet while it is empty. Each case below is the solution's
``build_pipeline`` with its alarm rewritten (a mutation of the course source, as in
``test_checks_lab10.py``), verified twice: as built (the broken job lands in the DLQ
during the run) and without partial batch responses (no job lands, so only the replayed
landing can judge the alarm).
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from sqskit.lab import winterday as wd

from .cases import Case, ids
from .test_checks_lab10 import NO_PARTIAL_FAILURES, variant

#: the solution's alarm settings, from MetricName to ComparisonOperator
SETTINGS = re.compile(r'MetricName="ApproximateNumberOfMessagesVisible",\n(.*?)'
                      r'ComparisonOperator="GreaterThanThreshold"', re.S)
DIMENSIONS = '        Dimensions=[{"Name": "QueueName", "Value": winterday.DEAD_LETTER_QUEUE}],\n'


def alarm(metric: str, statistic: str, period: int, periods: int, threshold: float,
          comparison: str, extra: str = "") -> tuple[str, str]:
    """An edit that gives the solution's alarm these settings."""
    return (SETTINGS.pattern, f'MetricName="{metric}",\n{DIMENSIONS}'
            f'        Statistic="{statistic}", Period={period}, EvaluationPeriods={periods}, '
            f'Threshold={threshold},{extra}\n        ComparisonOperator="{comparison}"')


VISIBLE, AGE = "ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"
GT, GE = "GreaterThanThreshold", "GreaterThanOrEqualToThreshold"

#: alarms that meet requirement 7, written in different ways
IN_TIME = {
    "depth, Maximum > 0 over 60 s": alarm(VISIBLE, "Maximum", 60, 1, 0, GT),
    "depth, Average > 0 over 300 s": alarm(VISIBLE, "Average", 300, 1, 0, GT),
    "depth, Sum >= 1 over 60 s, 3 of 3": alarm(VISIBLE, "Sum", 60, 3, 1, GE),
    "age, Maximum >= 60 over 60 s": alarm(AGE, "Maximum", 60, 1, 60, GE),
    "age, Average > 120 over 120 s": alarm(AGE, "Average", 120, 1, 120, GT),
    "age, Maximum > 240 over 60 s": alarm(AGE, "Maximum", 60, 1, 240, GT),
}
#: alarms that do not, and what the evidence says in each run
TOO_LATE = {
    "age, Maximum > 86400 (a day)": (alarm(AGE, "Maximum", 60, 1, 86400, GT),
                                     "no alarm fired", "would not set off"),
    "age, Maximum > 400": (alarm(AGE, "Maximum", 60, 1, 400, GT),
                           "would go to ALARM 7 minutes after a job lands",
                           "would go to ALARM 7 minutes after a job lands"),
    "depth > 0, 6 of 6 periods of 60 s": (
        alarm(VISIBLE, "Maximum", 60, 6, 0, GT), "would go to ALARM 6 minutes",
        "would go to ALARM 6 minutes"),
    "depth >= 0 (always in ALARM)": (alarm(VISIBLE, "Maximum", 60, 1, 0, GE),
                                     "in ALARM while parse-jobs-dlq is still empty",
                                     "in ALARM while parse-jobs-dlq is still empty"),
    "age in the wrong unit (Count)": (alarm(AGE, "Maximum", 60, 1, 60, GT, ' Unit="Count",'),
                                      "no alarm fired", "would not set off"),
}


@cache
def report(edit: tuple[str, str], landed: bool) -> wd.Verification:
    return wd.verify(variant(edit) if landed else variant(edit, *NO_PARTIAL_FAILURES))


@pytest.mark.parametrize("landed", [True, False], ids=["job-lands", "replayed"])
@pytest.mark.parametrize("name", sorted(IN_TIME))
def test_an_alarm_that_fires_within_5_minutes_meets_requirement_7(name: str, landed: bool) -> None:
    """Any alarm on the DLQ that reaches ALARM within 5 minutes of a job landing and stays
    quiet while the queue is empty meets the requirement, whatever its metric (depth, or
    the age, which counts from the move), statistic, comparison or period."""
    found = report(IN_TIME[name], landed)
    seventh = found.findings[6]
    assert seventh.key == "r7-alarm" and seventh.holds, seventh.evidence
    assert "notifies pipeline-alarms" in seventh.evidence


@pytest.mark.parametrize("landed", [True, False], ids=["job-lands", "replayed"])
@pytest.mark.parametrize("name", sorted(TOO_LATE))
def test_an_alarm_that_would_not_tell_in_time_breaks_requirement_7(name: str, landed: bool) -> None:
    """An age alarm at an SLA-sized threshold speaks up when the job is that old, not when
    it lands (the DLQ's age counts from the move); so does an alarm that needs many
    periods; an alarm in ALARM while the queue is empty tells nothing; an alarm whose Unit
    is not the metric's gets no datapoints. Each breaks requirement 7, and only it."""
    edit, as_run, as_replayed = TOO_LATE[name]
    found = report(edit, landed)
    expected = ["r7-alarm"] if landed else ["r6-dlq", "r7-alarm"]
    assert [f.key for f in found.broken] == expected, found.text()
    assert (as_run if landed else as_replayed) in found.findings[6].evidence


def test_the_evidence_says_how_soon_the_alarm_fired() -> None:
    """The solution's alarm (Maximum of the DLQ's depth > 0, one period of 60 s) fires in
    the minute the job lands; with no job landed, the replay says so."""
    assert "went to ALARM 1 minute after the job landed" in report(
        IN_TIME["depth, Maximum > 0 over 60 s"], True).findings[6].evidence
    assert "would go to ALARM 1 minute after a job lands (none reached the DLQ" in report(
        IN_TIME["depth, Maximum > 0 over 60 s"], False).findings[6].evidence


CASES = [
    Case("10.1", "an age alarm at a day's threshold", lambda: (variant(
        TOO_LATE["age, Maximum > 86400 (a day)"][0]),), "failed", "r7-alarm"),
    Case("10.1", "an age alarm at 60 seconds", lambda: (variant(
        IN_TIME["age, Maximum >= 60 over 60 s"]),), "passed"),
]


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_lab10_check_judges_the_alarm_by_when_it_fires(case: Case) -> None:
    """The capstone check fails a too-slow alarm with requirement 7's tip, and passes an
    age alarm that fires in time."""
    case.run()
