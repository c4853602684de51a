"""How a CloudWatch alarm turns datapoints into a state: M out of N, and missing data.

Each minute CloudWatch looks at the most recent periods of the alarm's metric. It
fetches more periods than the alarm evaluates (the *evaluation range*) and then:

* enough real datapoints (at least ``EvaluationPeriods``, N): the most recent N real
  ones decide, whatever ``TreatMissingData`` says;
* none at all: ``missing`` -> INSUFFICIENT_DATA, ``ignore`` -> keep the state,
  ``breaching`` -> ALARM, ``notBreaching`` -> OK;
* some, but fewer than N: ``breaching``/``notBreaching`` fill the gaps (as few as
  needed); ``missing``/``ignore`` decide from the real points alone when they can
  (M breaching -> ALARM, any non-breaching point -> OK).

ALARM needs ``DatapointsToAlarm`` (M) breaching points among the N evaluated;
otherwise OK. The one case the AWS text leaves open (only breaching points, fewer than
M) is settled so that AWS's published examples come out as documented: a breach still
inside the last N periods is INSUFFICIENT_DATA (``ignore``: keep the state); a breach
followed by N silent periods is ALARM (``ignore``: keep the state). The evaluation
range is N + 2 periods, as in AWS's example (5 fetched for N = 3); AWS says it depends
on the period. Source: ../shared/reference/cloudtrail-cloudwatch.md section 7, and the
CloudWatch user guide, "How alarm state is evaluated when data is missing".
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

State = Literal["OK", "ALARM", "INSUFFICIENT_DATA"]
STATES: tuple[State, ...] = ("OK", "ALARM", "INSUFFICIENT_DATA")
TREATMENTS = ("missing", "notBreaching", "breaching", "ignore")

#: ComparisonOperator -> (test, the words AWS uses in a state reason)
COMPARISONS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanOrEqualToThreshold": (operator.ge, "greater than or equal to"),
    "GreaterThanThreshold": (operator.gt, "greater than"),
    "LessThanThreshold": (operator.lt, "less than"),
    "LessThanOrEqualToThreshold": (operator.le, "less than or equal to"),
}


def evaluation_range(evaluation_periods: int) -> int:
    """How many periods an alarm fetches for N evaluation periods."""
    return evaluation_periods + 2


@dataclass(frozen=True)
class Verdict:
    """The outcome of one evaluation, with what it looked at (for the state reason)."""

    state: State
    #: (index in the evaluation range, oldest = 0; value or None for a filled gap)
    evaluated: tuple[tuple[int, float | None], ...]
    breaching: int
    #: "threshold", "insufficient", "kept" (ignore / nothing decided)
    why: str

    def __repr__(self) -> str:
        return f"<Verdict {self.state} ({self.breaching} breaching, {self.why})>"


def evaluate(
    points: Sequence[float | None],
    *,
    evaluation_periods: int,
    datapoints_to_alarm: int,
    comparison: str,
    threshold: float,
    treat_missing: str,
    current: State,
) -> Verdict:
    """The state for ``points`` (oldest first; None = no datapoint in that period)."""
    n, m = evaluation_periods, datapoints_to_alarm
    crosses = COMPARISONS[comparison][0]
    real = [(i, v) for i, v in enumerate(points) if v is not None]
    if len(real) >= n:
        recent = real[-n:]
        hits = sum(crosses(v, threshold) for _, v in recent)
        return Verdict("ALARM" if hits >= m else "OK", tuple(recent), hits, "threshold")
    if treat_missing in ("breaching", "notBreaching"):
        fill = n - len(real)
        hits = sum(crosses(v, threshold) for _, v in real)
        if treat_missing == "breaching":
            hits += fill
        filled: tuple[tuple[int, float | None], ...] = (*real, *((-1, None),) * fill)
        return Verdict("ALARM" if hits >= m else "OK", filled, hits, "threshold")
    if not real:
        if treat_missing == "ignore":
            return Verdict(current, (), 0, "kept")
        return Verdict("INSUFFICIENT_DATA", (), 0, "insufficient")
    hits = sum(crosses(v, threshold) for _, v in real)
    if hits >= m:
        return Verdict("ALARM", tuple(real), hits, "threshold")
    if hits < len(real):  # a real non-breaching point: the alarm cannot reach M
        return Verdict("OK", tuple(real), hits, "threshold")
    if treat_missing == "ignore":
        return Verdict(current, tuple(real), hits, "kept")
    newest_real = real[-1][0]
    silent_since = len(points) - 1 - newest_real  # periods without data after it
    if silent_since >= n:
        return Verdict("ALARM", tuple(real), hits, "threshold")
    return Verdict("INSUFFICIENT_DATA", tuple(real), hits, "insufficient")
