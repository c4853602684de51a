"""CloudWatch's metric actions: PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics.

``PutMetricData`` is for custom namespaces (anything not starting with ``AWS/``);
values may be single (``Value``), statistic sets (``StatisticValues``) or value/count
arrays (``Values``/``Counts``); timestamps may lie up to two weeks in the past and two
hours in the future. Reads merge datapoints per period from ``StartTime`` (rounded
down to the minute). Datapoints come back oldest first from GetMetricStatistics (AWS
does not promise an order) and newest first from GetMetricData (its default
``TimestampDescending``).

Simplified: no metric math (``Expression``), no percentiles, no cross-account reads.
Source: ../shared/reference/cloudtrail-cloudwatch.md section 6; botocore's model.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from ...base.errors import (
    CwInvalidParameterCombination,
    CwInvalidParameterValue,
    CwMissingParameter,
    CwValidationError,
)
from ...monitoring.metrics import HIGH_RESOLUTION, STANDARD_RESOLUTION, MetricId, StatisticSet
from ..base import Call
from . import checks
from .core import CloudWatchCore

MAX_METRIC_DATA = 1000
PAST_LIMIT = 14 * 86_400
FUTURE_LIMIT = 2 * 3600
LIST_PAGE = 500
DEFAULT_MAX_DATAPOINTS = 100_800
_QUERY_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")


class MetricActions(CloudWatchCore):
    """The metric half of :class:`~sqskit.services.cloudwatch.service.CloudWatchService`."""

    # -- PutMetricData ---------------------------------------------------------------------
    def put_metric_data(
        self, call: Call, Namespace: str, MetricData: list[dict[str, Any]] | None = None,
        **_: Any,
    ) -> None:
        self._authorize_account(call, "PutMetricData")
        if Namespace.startswith("AWS/"):
            raise CwInvalidParameterValue(
                f"The value {Namespace} for parameter Namespace is invalid."
            )
        data = MetricData or []
        if not data:
            raise CwMissingParameter("The parameter MetricData is required.")
        if len(data) > MAX_METRIC_DATA:
            raise CwInvalidParameterValue(
                f"The collection MetricData must not have a size greater than {MAX_METRIC_DATA}."
            )
        ready = [self._datum(call, Namespace, index, d) for index, d in enumerate(data, 1)]
        for metric, when, stats, unit, resolution in ready:  # all checked before any is kept
            self.store.put(metric, when, stats, unit, resolution)
        self.wake_if_alarmed()

    def wake_if_alarmed(self) -> None:
        if self.book.alarms:
            self.wake()

    def _datum(
        self, call: Call, namespace: str, index: int, datum: dict[str, Any]
    ) -> tuple[MetricId, float, StatisticSet, str, int]:
        where = f"MetricData.member.{index}"
        dims = checks.dimensions(datum.get("Dimensions"), f"{where}.Dimensions")
        when = call.now if datum.get("Timestamp") is None else checks.epoch(datum["Timestamp"])
        if when < call.now - PAST_LIMIT or when > call.now + FUTURE_LIMIT:
            raise CwInvalidParameterValue(
                f"The parameter {where}.Timestamp must specify a time no more than two weeks "
                f"in the past and no more than two hours in the future."
            )
        given = [k for k in ("Value", "StatisticValues", "Values") if datum.get(k) is not None]
        if len(given) > 1:
            raise CwInvalidParameterCombination(
                f"The parameters {where}.{given[0]} and {where}.{given[1]} are mutually "
                f"exclusive and you have specified both."
            )
        if not given:
            raise CwMissingParameter(f"The parameter {where}.Value is required.")
        if given[0] == "Value":
            stats = StatisticSet.of(_finite(datum["Value"], f"{where}.Value"))
        elif given[0] == "StatisticValues":
            s = datum["StatisticValues"]
            stats = StatisticSet(
                _finite(s["SampleCount"], where), _finite(s["Sum"], where),
                _finite(s["Minimum"], where), _finite(s["Maximum"], where),
            )
            if stats.sample_count <= 0 or stats.minimum > stats.maximum:
                raise CwInvalidParameterValue(
                    f"The parameter {where}.StatisticValues is not a valid statistic set."
                )
        else:
            stats = self._values(datum, where)
        resolution = datum.get("StorageResolution") or STANDARD_RESOLUTION
        if resolution not in (HIGH_RESOLUTION, STANDARD_RESOLUTION):
            raise CwInvalidParameterValue(
                f"The parameter {where}.StorageResolution must be 1 or 60."
            )
        metric = MetricId.of(namespace, datum["MetricName"], dims)
        return metric, when, stats, datum.get("Unit") or "None", resolution

    @staticmethod
    def _values(datum: dict[str, Any], where: str) -> StatisticSet:
        values = [_finite(v, f"{where}.Values") for v in datum["Values"]]
        counts = datum.get("Counts")
        if counts is not None and len(counts) != len(values):
            raise CwInvalidParameterValue(
                f"The parameters {where}.Values and {where}.Counts must be of the same size."
            )
        stats = StatisticSet()
        for value, count in zip(values, counts or [1.0] * len(values), strict=True):
            stats.sample_count += count
            stats.sum += value * count
            stats.minimum, stats.maximum = min(stats.minimum, value), max(stats.maximum, value)
        if not values:
            raise CwMissingParameter(f"The parameter {where}.Values is required.")
        return stats

    # -- GetMetricStatistics -------------------------------------------------------------
    def get_metric_statistics(
        self, call: Call, Namespace: str, MetricName: str, StartTime: datetime,
        EndTime: datetime, Period: int, Dimensions: list[dict[str, str]] | None = None,
        Statistics: list[str] | None = None, ExtendedStatistics: list[str] | None = None,
        Unit: str | None = None,
    ) -> dict[str, Any]:
        self._authorize_account(call, "GetMetricStatistics")
        statistics = checks.check_statistics(Statistics, ExtendedStatistics)
        checks.check_period(Period)
        start, end = _start(checks.epoch(StartTime), Period), checks.epoch(EndTime)
        checks.check_range(start, end)
        checks.check_datapoints(start, end, Period)
        metric = MetricId.of(Namespace, MetricName, checks.dimensions(Dimensions))
        series = self.store.series(metric)
        points = []
        for when, stats in self.store.statistics(metric, start, end, Period, Unit):
            point: dict[str, Any] = {"Timestamp": when}
            for statistic in statistics:
                point[statistic] = float(stats.value(statistic))
            point["Unit"] = series.unit if series is not None else "None"
            points.append(point)
        return {"Label": MetricName, "Datapoints": points}

    # -- GetMetricData ---------------------------------------------------------------------
    def get_metric_data(
        self, call: Call, MetricDataQueries: list[dict[str, Any]], StartTime: datetime,
        EndTime: datetime, NextToken: str | None = None, ScanBy: str | None = None,
        MaxDatapoints: int | None = None, LabelOptions: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        self._authorize_account(call, "GetMetricData")
        if not MetricDataQueries:
            raise CwMissingParameter("The parameter MetricDataQueries is required.")
        ids = [q["Id"] for q in MetricDataQueries]
        for index, query_id in enumerate(ids, 1):
            if not _QUERY_ID.match(query_id):
                raise CwValidationError(
                    f"The value {query_id} for parameter MetricDataQueries.member.{index}.Id "
                    f"is invalid."
                )
        if len(set(ids)) != len(ids):
            raise CwValidationError("The values for parameter MetricDataQueries.Id are not "
                                    "unique.")
        begin, end = checks.epoch(StartTime), checks.epoch(EndTime)
        checks.check_range(begin, end)
        offset = checks.read_token(NextToken)
        returned = [q for q in MetricDataQueries if q.get("ReturnData", True)]
        page = max(1, (MaxDatapoints or DEFAULT_MAX_DATAPOINTS) // max(1, len(returned)))
        results, more = [], False
        for index, query in enumerate(MetricDataQueries, 1):
            series = self._query(query, index, begin, end)
            if not query.get("ReturnData", True):
                continue
            if ScanBy != "TimestampAscending":
                series.reverse()
            chunk = series[offset : offset + page]
            more = more or offset + page < len(series)
            results.append({
                "Id": query["Id"],
                "Label": query.get("Label") or query["MetricStat"]["Metric"].get("MetricName", ""),
                "Timestamps": [t for t, _ in chunk],
                "Values": [v for _, v in chunk],
                "StatusCode": "PartialData" if offset + page < len(series) else "Complete",
            })
        out: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
        if more:
            out["NextToken"] = checks.page_token(offset + page)
        return out

    def _query(
        self, query: dict[str, Any], index: int, begin: float, end: float
    ) -> list[tuple[float, float]]:
        if query.get("Expression") is not None:
            raise CwValidationError(
                "sqskit does not evaluate metric math: give MetricStat, not Expression "
                f"(MetricDataQueries.member.{index})."
            )
        stat_query = query.get("MetricStat")
        if stat_query is None:
            raise CwValidationError(
                f"Exactly one of MetricStat and Expression must be given in "
                f"MetricDataQueries.member.{index}."
            )
        stat, period = stat_query["Stat"], query.get("Period") or stat_query["Period"]
        checks.check_period(period, f"MetricDataQueries.member.{index}.MetricStat.Period")
        checks.check_statistics([stat], None)
        spec = stat_query["Metric"]
        if not spec.get("Namespace") or not spec.get("MetricName"):
            raise CwMissingParameter(
                f"The parameters Namespace and MetricName are required in "
                f"MetricDataQueries.member.{index}.MetricStat.Metric."
            )
        metric = MetricId.of(spec["Namespace"], spec["MetricName"],
                             checks.dimensions(spec.get("Dimensions")))
        return [(t, float(s.value(stat))) for t, s in self.store.statistics(
            metric, _start(begin, period), end, period, stat_query.get("Unit"))]

    # -- ListMetrics -----------------------------------------------------------------------
    def list_metrics(
        self, call: Call, Namespace: str | None = None, MetricName: str | None = None,
        Dimensions: list[dict[str, str]] | None = None, NextToken: str | None = None,
        RecentlyActive: str | None = None, IncludeLinkedAccounts: bool | None = None,
        OwningAccount: str | None = None,
    ) -> dict[str, Any]:
        self._authorize_account(call, "ListMetrics")
        if RecentlyActive is not None and RecentlyActive != "PT3H":
            raise CwInvalidParameterValue(
                f"The value {RecentlyActive} for parameter RecentlyActive is invalid."
            )
        since = call.now - 3 * 3600 if RecentlyActive else None
        filters = [(d["Name"], d.get("Value")) for d in Dimensions or ()]
        found = self.store.metrics(Namespace, MetricName, filters, since)
        start = checks.read_token(NextToken)
        chunk = found[start : start + LIST_PAGE]
        out: dict[str, Any] = {"Metrics": [
            {"Namespace": m.namespace, "MetricName": m.name,
             "Dimensions": [{"Name": k, "Value": v} for k, v in m.dimensions]}
            for m in chunk
        ]}
        if start + LIST_PAGE < len(found):
            out["NextToken"] = checks.page_token(start + LIST_PAGE)
        return out


def _finite(value: Any, where: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise CwInvalidParameterValue(f"The value {value} for parameter {where} is invalid.")
    return number


def _start(start: float, period: int) -> float:
    """CloudWatch rounds StartTime down to the minute (to the second for short periods)."""
    unit = 60 if period >= 60 else 1
    return math.floor(start / unit) * unit
