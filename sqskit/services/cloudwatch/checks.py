"""What CloudWatch checks in a request beyond botocore's model: periods, statistics, ranges.

Error codes and HTTP statuses are CloudWatch's (``InvalidParameterValue``,
``InvalidParameterCombination``, ``MissingParameter``, ``ValidationError``); the exact
wording of the messages is unverified unless a test says otherwise.
"""

from __future__ import annotations

import base64
import json
import math
from datetime import datetime

from ...base.errors import (
    CwInvalidNextToken,
    CwInvalidParameterCombination,
    CwInvalidParameterValue,
    CwValidationError,
)
from ...monitoring.metrics import STATISTICS
from ...security.events import epoch_of

HIGH_RESOLUTION_PERIODS = (1, 5, 10, 30)
MAX_DATAPOINTS = 1440
MAX_DIMENSIONS = 30


def epoch(value: datetime | float) -> float:
    return epoch_of(value)


def check_period(period: int, name: str = "Period") -> None:
    """1, 5, 10, 30 (high resolution) or a multiple of 60."""
    if period <= 0 or (period not in HIGH_RESOLUTION_PERIODS and period % 60):
        raise CwInvalidParameterValue(
            f"The parameter {name} must be a multiple of 60 or one of 1, 5, 10, 30."
        )


def check_statistics(statistics: list[str] | None, extended: list[str] | None) -> list[str]:
    if bool(statistics) == bool(extended):
        raise CwInvalidParameterCombination(
            "Must specify either Statistics or ExtendedStatistics, but not both."
        )
    if extended:
        raise CwInvalidParameterValue(
            "sqskit does not compute percentiles (ExtendedStatistics); use Statistics."
        )
    assert statistics is not None
    for statistic in statistics:
        if statistic not in STATISTICS:
            raise CwInvalidParameterValue(
                f"The parameter Statistics contains the invalid value {statistic}; valid "
                f"values are {', '.join(STATISTICS)}."
            )
    return statistics


def check_range(start: float, end: float) -> None:
    if start >= end:
        raise CwInvalidParameterValue(
            "The parameter StartTime must be less than the parameter EndTime."
        )


def check_datapoints(start: float, end: float, period: int) -> None:
    wanted = math.ceil((end - start) / period)
    if wanted > MAX_DATAPOINTS:
        raise CwInvalidParameterCombination(
            f"You have requested up to {wanted:,} datapoints, which exceeds the limit of "
            f"{MAX_DATAPOINTS:,}. You may reduce the datapoints requested by increasing "
            f"Period, or decreasing the time range."
        )


def dimensions(
    given: list[dict[str, str]] | None, where: str = "Dimensions"
) -> list[tuple[str, str]]:
    pairs = [(d["Name"], d["Value"]) for d in given or ()]
    if len(pairs) > MAX_DIMENSIONS:
        raise CwInvalidParameterValue(
            f"The collection {where} must not have a size greater than {MAX_DIMENSIONS}."
        )
    if len({name for name, _ in pairs}) != len(pairs):
        raise CwInvalidParameterValue(f"No metric may have duplicate dimension names ({where}).")
    return pairs


def check_arn(arn: str) -> None:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[2]:
        raise CwValidationError(f"Invalid arn syntax: {arn}")


def page_token(position: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"at": position}).encode()).decode()


def read_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["at"])
    except (ValueError, KeyError, TypeError):
        raise CwInvalidNextToken() from None
