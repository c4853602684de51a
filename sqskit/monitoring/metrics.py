"""CloudWatch metrics: named time series of statistic sets, read back per period.

A metric is identified by its namespace, name and dimensions (``AWS/SQS``,
``NumberOfMessagesSent``, ``QueueName=jobs``). Each datapoint CloudWatch stores is a
*statistic set*: how many samples, their sum, minimum and maximum. A query asks for
a statistic (``Sum``, ``Average``, ``Minimum``, ``Maximum``, ``SampleCount``) per
period; the store merges the statistic sets that fall into each period.

Datapoints are kept at their storage resolution: one bucket per minute for standard
metrics, per second for high-resolution ones (``StorageResolution=1``). Buckets are
merged as they arrive, so a million ``PutMetricData`` values in one minute cost one
bucket.

Simplified: CloudWatch keeps 1-minute data for 15 days, then rolls it up to 5-minute
and 1-hour points; sqskit keeps every bucket for the life of the world. A series
keeps the unit of its first datapoint. Percentiles (``ExtendedStatistics``) are not
computed. Source: ../shared/reference/cloudtrail-cloudwatch.md sections 6 and 7.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
STANDARD_RESOLUTION = 60
HIGH_RESOLUTION = 1

Dimensions = tuple[tuple[str, str], ...]


@dataclass(slots=True)
class StatisticSet:
    """Samples summarised: count, sum, minimum, maximum."""

    sample_count: float = 0.0
    sum: float = 0.0
    minimum: float = math.inf
    maximum: float = -math.inf

    @classmethod
    def of(cls, value: float) -> StatisticSet:
        """A set holding one sample."""
        value = float(value)
        return cls(1.0, value, value, value)

    def add(self, value: float) -> None:
        """Take in one more sample."""
        self.sample_count += 1.0
        self.sum += value
        if value < self.minimum:
            self.minimum = value
        if value > self.maximum:
            self.maximum = value

    def merge(self, other: StatisticSet) -> None:
        """Take in every sample of ``other``."""
        self.sample_count += other.sample_count
        self.sum += other.sum
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)

    def value(self, statistic: str) -> float:
        """The named statistic of these samples (``Average`` = sum / count)."""
        if statistic == "Sum":
            return self.sum
        if statistic == "Average":
            return self.sum / self.sample_count if self.sample_count else 0.0
        if statistic == "Minimum":
            return self.minimum
        if statistic == "Maximum":
            return self.maximum
        if statistic == "SampleCount":
            return self.sample_count
        raise ValueError(f"unknown statistic {statistic!r}")

    def copy(self) -> StatisticSet:
        return StatisticSet(self.sample_count, self.sum, self.minimum, self.maximum)


@dataclass(frozen=True, slots=True)
class MetricId:
    """Namespace + name + dimensions (sorted by name): one time series."""

    namespace: str
    name: str
    dimensions: Dimensions = ()

    @classmethod
    def of(
        cls, namespace: str, name: str, dimensions: Iterable[tuple[str, str]] = ()
    ) -> MetricId:
        return cls(namespace, name, tuple(sorted(dimensions)))

    def __repr__(self) -> str:
        dims = ",".join(f"{k}={v}" for k, v in self.dimensions)
        return f"<MetricId {self.namespace} {self.name}{' ' + dims if dims else ''}>"


class Series:
    """The datapoints of one metric, bucketed by storage resolution, in time order."""

    __slots__ = ("_buckets", "_times", "metric", "unit")

    def __init__(self, metric: MetricId, unit: str) -> None:
        self.metric = metric
        self.unit = unit
        self._buckets: dict[float, StatisticSet] = {}
        self._times: list[float] = []  # sorted bucket starts

    def add(self, timestamp: float, stats: StatisticSet, resolution: int) -> None:
        """Merge ``stats`` into the bucket that holds ``timestamp``."""
        start = math.floor(timestamp / resolution) * resolution
        bucket = self._buckets.get(start)
        if bucket is not None:
            bucket.merge(stats)
            return
        self._buckets[start] = stats.copy()
        times = self._times
        if not times or start > times[-1]:
            times.append(start)
        else:
            bisect.insort(times, start)

    def between(self, start: float, end: float) -> Iterator[tuple[float, StatisticSet]]:
        """Buckets whose start lies in ``[start, end)``, oldest first."""
        times = self._times
        for index in range(bisect.bisect_left(times, start), bisect.bisect_left(times, end)):
            yield times[index], self._buckets[times[index]]

    def aggregate(self, start: float, end: float) -> StatisticSet | None:
        """Every sample in ``[start, end)`` as one set, or None if there is none."""
        total: StatisticSet | None = None
        for _, bucket in self.between(start, end):
            if total is None:
                total = bucket.copy()
            else:
                total.merge(bucket)
        return total

    @property
    def last_time(self) -> float | None:
        return self._times[-1] if self._times else None

    def __len__(self) -> int:
        return len(self._times)

    def __repr__(self) -> str:
        return f"<Series {self.metric!r} {len(self)} buckets, unit {self.unit}>"


class MetricStore:
    """Every metric of one account and region."""

    def __init__(self) -> None:
        self._series: dict[MetricId, Series] = {}

    def put(
        self,
        metric: MetricId,
        timestamp: float,
        stats: StatisticSet,
        unit: str = "None",
        resolution: int = STANDARD_RESOLUTION,
    ) -> None:
        """Store one datapoint (a statistic set) at ``timestamp``."""
        series = self._series.get(metric)
        if series is None:
            series = self._series[metric] = Series(metric, unit)
        series.add(timestamp, stats, resolution)

    def series(self, metric: MetricId) -> Series | None:
        return self._series.get(metric)

    def statistics(
        self, metric: MetricId, start: float, end: float, period: int, unit: str | None = None
    ) -> list[tuple[float, StatisticSet]]:
        """One merged set per ``period`` seconds from ``start``; empty periods are left out."""
        series = self._series.get(metric)
        if series is None or (unit is not None and unit != series.unit):
            return []
        out: list[tuple[float, StatisticSet]] = []
        for bucket_start, bucket in series.between(start, end):
            period_start = start + ((bucket_start - start) // period) * period
            if out and out[-1][0] == period_start:
                out[-1][1].merge(bucket)
            else:
                out.append((period_start, bucket.copy()))
        return out

    def metrics(
        self,
        namespace: str | None = None,
        name: str | None = None,
        dimensions: Iterable[tuple[str, str | None]] = (),
        since: float | None = None,
    ) -> list[MetricId]:
        """The metrics that match; a dimension filter with value None matches any value."""
        wanted = list(dimensions)
        found = []
        for metric, series in self._series.items():
            if namespace is not None and metric.namespace != namespace:
                continue
            if name is not None and metric.name != name:
                continue
            have = dict(metric.dimensions)
            if any(k not in have or (v is not None and have[k] != v) for k, v in wanted):
                continue
            if since is not None and (series.last_time is None or series.last_time < since):
                continue
            found.append(metric)
        found.sort(key=lambda m: (m.namespace, m.name, m.dimensions))
        return found

    def __len__(self) -> int:
        return len(self._series)

    def __repr__(self) -> str:
        return f"<MetricStore {len(self)} metrics>"
