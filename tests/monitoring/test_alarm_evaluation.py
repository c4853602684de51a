"""How an alarm turns datapoints into a state (sqskit.monitoring.evaluation)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sqskit.monitoring.evaluation import COMPARISONS, evaluate, evaluation_range

TABLE = Path(__file__).parent / "data" / "missing_data.csv"


def _rows() -> list[tuple[int, int, str, str, str]]:
    lines = [line for line in TABLE.read_text().splitlines() if not line.startswith("#")]
    rows = []
    for row in csv.DictReader(lines):
        for treatment in ("missing", "ignore", "breaching", "notBreaching"):
            rows.append((int(row["evaluation_periods"]), int(row["datapoints_to_alarm"]),
                         row["points"], treatment, row[treatment]))
    return rows


@pytest.mark.parametrize("n, m, points, treatment, expected", _rows(),
                         ids=lambda v: str(v).replace(" ", ""))
@pytest.mark.parametrize("current", ["OK", "ALARM", "INSUFFICIENT_DATA"])
def test_missing_data_is_treated_as_aws_documents(n, m, points, treatment, expected, current):
    """Every row of AWS's missing-data tables, for every treatment and starting state."""
    values = [None if p == "-" else (5.0 if p == "X" else 1.0) for p in points.split()]
    assert len(values) == evaluation_range(n)
    verdict = evaluate(values, evaluation_periods=n, datapoints_to_alarm=m,
                       comparison="GreaterThanThreshold", threshold=3.0,
                       treat_missing=treatment, current=current)
    assert verdict.state == (current if expected == "retain" else expected)


def test_enough_real_datapoints_decide_whatever_the_treatment():
    """With at least N real points, the most recent N decide and TreatMissingData is ignored."""
    points = [5.0, None, 1.0, 1.0, 1.0]
    for treatment in ("missing", "ignore", "breaching", "notBreaching"):
        verdict = evaluate(points, evaluation_periods=3, datapoints_to_alarm=1,
                           comparison="GreaterThanThreshold", threshold=3.0,
                           treat_missing=treatment, current="ALARM")
        assert verdict.state == "OK"
        assert [v for _, v in verdict.evaluated] == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("operator, value, breaches", [
    ("GreaterThanThreshold", 3.0, False),
    ("GreaterThanThreshold", 3.5, True),
    ("GreaterThanOrEqualToThreshold", 3.0, True),
    ("LessThanThreshold", 3.0, False),
    ("LessThanThreshold", 2.5, True),
    ("LessThanOrEqualToThreshold", 3.0, True),
])
def test_comparison_operators_compare_the_datapoint_with_the_threshold(operator, value, breaches):
    """The four static ComparisonOperator values, at and around the threshold of 3."""
    assert COMPARISONS[operator][0](value, 3.0) is breaches
    verdict = evaluate([value] * 3, evaluation_periods=1, datapoints_to_alarm=1,
                       comparison=operator, threshold=3.0, treat_missing="missing",
                       current="INSUFFICIENT_DATA")
    assert verdict.state == ("ALARM" if breaches else "OK")


def test_m_out_of_n_needs_m_breaching_points_not_consecutive():
    """DatapointsToAlarm M of EvaluationPeriods N: breaching points need not be adjacent."""
    kwargs = dict(evaluation_periods=5, datapoints_to_alarm=3, comparison="GreaterThanThreshold",
                  threshold=0.0, treat_missing="missing", current="OK")
    assert evaluate([None, None, 1, 0, 1, 0, 1], **kwargs).state == "ALARM"
    assert evaluate([None, None, 1, 0, 1, 0, 0], **kwargs).state == "OK"
