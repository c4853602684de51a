"""The audit trail: one CloudTrail event per API call, kept compact and rendered on demand.

Every request to a sqskit service ends in a :class:`~sqskit.security.events.TrailEvent`
(the protocol layer builds it from the request, its outcome and the caller).

:class:`Trail` is the container ``world.trail``: iterate it, :meth:`Trail.filter` it
(event name, principal, resource, time range, error code), turn it into a DataFrame
or query it with SQL (``lake.py``), and check its integrity (delivered and signed in
``integrity.py``, checked in ``validation.py``). Events arrive in completion order,
which is time order on the virtual clock, so time ranges are found by bisection.

Sources: ../shared/reference/cloudtrail-cloudwatch.md sections 1-3.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..base.identity import Caller
from .chain import DigestChain, ValidationReport
from .events import TimeLike, TrailEvent, epoch_of
from .validation import validate

if TYPE_CHECKING:
    import pandas as pd

    from .bucket import TrailBucket
    from .integrity import Delivery


class EventList(list[TrailEvent]):
    """Some events of a trail (a filter's answer), with a DataFrame view."""

    def to_frame(self) -> pd.DataFrame:
        from .lake import frame

        return frame(self)

    def __repr__(self) -> str:
        return f"<EventList {len(self)} events>"


class Trail:
    """The account's trail: every event, in order, plus its delivered log files."""

    def __init__(
        self,
        *,
        account: str,
        region: str,
        started: float,
        now: Callable[[], float],
        event_id: Callable[[int], str],
        name: str = "sqskit-trail",
    ) -> None:
        self.account, self.region, self.name, self.started = account, region, name, started
        self.arn = f"arn:aws:cloudtrail:{region}:{account}:trail/{name}"
        self.enabled = True
        self._now = now
        self._event_id = event_id
        self.events: list[TrailEvent] = []
        self._times: list[float] = []
        self._management: list[int] = []  # positions of management events (Event history)
        self._delivery: Delivery | None = None

    # -- recording -------------------------------------------------------------------------
    def append(self, event: TrailEvent) -> None:
        """Keep ``event`` (called by the recorder at the end of every request)."""
        if not self.enabled:
            return
        event.seq = len(self.events) + 1
        event.trail = self
        if event.management:
            self._management.append(len(self.events))
        self.events.append(event)
        self._times.append(event.time)

    def event_id(self, seq: int) -> str:
        return self._event_id(seq)

    # -- reading ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self) -> Iterator[TrailEvent]:
        return iter(self.events)

    def __getitem__(self, index: int) -> TrailEvent:
        return self.events[index]

    def between(
        self, start: float | None = None, end: float | None = None, *, inclusive: bool = False
    ) -> list[TrailEvent]:
        """Events with ``start <= eventTime < end`` (``<= end`` if inclusive; None = open)."""
        low = 0 if start is None else bisect.bisect_left(self._times, start)
        if end is None:
            high = len(self._times)
        elif inclusive:
            high = bisect.bisect_right(self._times, end)
        else:
            high = bisect.bisect_left(self._times, end)
        return self.events[low:high]

    def management_events(self, start: float, end: float) -> list[TrailEvent]:
        """Management events with ``start <= eventTime <= end``, oldest first (Event history)."""
        times, positions = self._times, self._management
        low = bisect.bisect_left(positions, bisect.bisect_left(times, start))
        high = bisect.bisect_left(positions, bisect.bisect_right(times, end))
        return [self.events[i] for i in positions[low:high]]

    def filter(
        self,
        name: str | Iterable[str] | None = None,
        *,
        principal: str | None = None,
        resource: str | None = None,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
        error_code: str | None = None,
        source: str | None = None,
        denied: bool | None = None,
        category: str | None = None,
    ) -> EventList:
        """The events that match every given criterion.

        ``principal`` matches the caller's ARN, its role or user ARN, principal id or
        name; ``resource`` matches a resource ARN, its last segment (a queue name) or
        a queue URL; ``start``/``end`` take datetimes, ISO strings or epoch seconds.
        """
        names = {name} if isinstance(name, str) else set(name) if name is not None else None
        match_resource = _resource_matcher(resource) if resource is not None else None
        out = EventList()
        for event in self.between(
            None if start is None else epoch_of(start), None if end is None else epoch_of(end)
        ):
            if names is not None and event.name not in names:
                continue
            if principal is not None and not _is_principal(event.caller, principal):
                continue
            if match_resource is not None and not match_resource(event):
                continue
            if error_code is not None and event.error_code != error_code:
                continue
            if source is not None and event.source != source:
                continue
            if denied is not None and (event.error_code is not None and event.denied) != denied:
                continue
            if category is not None and event.category != category:
                continue
            out.append(event)
        return out

    def to_frame(self) -> pd.DataFrame:
        """Every event as a DataFrame, one row per event (see ``lake.py`` for columns)."""
        from .lake import cached_frame

        return cached_frame(self)

    def query(self, sql: str, **parameters: Any) -> pd.DataFrame:
        """Run SQL over the events (table ``events``), in the spirit of CloudTrail Lake.

        ``$now`` is the virtual clock's current time; see :func:`sqskit.security.lake.query`.
        """
        from .lake import query

        return query(self, sql, now=self._now(), **parameters)

    def who(
        self, name: str | Iterable[str] | None = None, *, resource: str | None = None,
        since: float | None = None,
    ) -> pd.DataFrame:
        """Who called what how often (and how often denied), e.g. who received from a queue."""
        from .lake import who

        start = None if since is None else self._now() - since
        return who(self.filter(name, resource=resource, start=start))

    # -- integrity -------------------------------------------------------------------------
    def attach(self, delivery: Delivery) -> None:
        self._delivery = delivery

    @property
    def delivery(self) -> Delivery:
        if self._delivery is None:
            raise RuntimeError("this trail delivers no log files")
        self._delivery.catch_up(self._now())
        return self._delivery

    @property
    def bucket(self) -> TrailBucket:
        """The bucket holding the delivered log and digest files (tamper with it here)."""
        return self.delivery.bucket

    def validate(
        self, start: TimeLike | None = None, end: TimeLike | None = None
    ) -> ValidationReport:
        """Check every digest and log file, as ``aws cloudtrail validate-logs`` does."""
        return validate(
            self.delivery,
            None if start is None else epoch_of(start), None if end is None else epoch_of(end),
        )

    def chain(self) -> DigestChain:
        """A teaching view of the digest chain: which digest vouches for which files."""
        delivery = self.delivery
        return DigestChain.of(delivery, validate(delivery))

    def __repr__(self) -> str:
        state = "" if self.enabled else " (off)"
        return f"<Trail {self.name}{state}: {len(self.events)} events>"


def _is_principal(caller: Caller, wanted: str) -> bool:
    return wanted in (caller.arn, caller.identity_arn, caller.principal_id, caller.name) or (
        caller.invoked_by == wanted
    )


def _resource_matcher(resource: str) -> Callable[[TrailEvent], bool]:
    if resource.startswith(("https://", "http://")):
        parts = resource.rstrip("/").rsplit("/", 2)
        resource = parts[-1] if len(parts) == 3 else resource

    def matches(event: TrailEvent) -> bool:
        return any(
            resource in (arn, arn.rsplit(":", 1)[-1], arn.rsplit("/", 1)[-1])
            for _, arn in event.resources
        )

    return matches
