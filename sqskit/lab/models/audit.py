"""The audit explorer's model: the trail as a filterable table, timelines, and its integrity.

Three views of one world's CloudTrail (``world.trail``):

* **the table**: one row per event (time, service, event, who, on what, outcome, from
  where), filtered by event name, principal, resource, service and "denied only";
* **a timeline**: what one principal did, in order, with runs of the same call folded
  into one line ("SendMessage on parse-jobs ×12, 09:05:00-09:41:00"), or what happened
  to one message (the message timeline: its SendMessage record and the engine's story);
* **integrity**: what ``aws cloudtrail validate-logs`` would say about the delivered log
  files and the digest chain, in words, never a signature or a hash.

Who is shown short: the role's name for a role session (CloudTrail records
``arn:aws:sts::<account>:assumed-role/<role>/<session>``), the user's name, ``root``,
the service (``s3.amazonaws.com``), ``anonymous``, with the account in front when it
is not the world's. Like the other models it reads the world and calls no API, so
exploring leaves no trace in the trail it explores. The text twin holds nothing random.
Source: ../shared/reference/cloudtrail-cloudwatch.md sections 1-4.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...security.events import TimeLike, TrailEvent, epoch_of
from ..watch import watch
from .timeline import TimelineModel

if TYPE_CHECKING:
    import pandas as pd

    from ...security.chain import ValidationReport
    from ...world import World

COLUMNS = ("time", "service", "event", "principal", "resource", "outcome", "from")
FILTERS = ("name", "principal", "resource", "service", "denied", "start", "end")
MAX_STEPS = 14  # timeline lines in the text twin (the widget shows them all)


def who(event: TrailEvent, account: str) -> str:
    """The caller in a word or two (see the module docstring)."""
    caller = event.caller
    if caller.type == "AWSService":
        return caller.service or caller.arn
    if caller.type == "Anonymous":
        return "anonymous"
    if caller.type == "Root":
        name = "root"
    elif caller.type == "AssumedRole":
        name = caller.arn.split(":assumed-role/", 1)[-1].split("/", 1)[0]
    else:
        name = caller.name or caller.arn.rsplit("/", 1)[-1]
    return name if caller.account == account else f"{caller.account}:{name}"


def clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%H:%M:%S")


def _resource(event: TrailEvent, aliases: dict[str, str]) -> str:
    if event.resources:
        arn = event.resources[0][1]
        name = arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
        return aliases.get(name, name)  # a KMS key by its alias, when it has one
    params = event.request_parameters or {}
    url = params.get("queueUrl") or params.get("queueName") or ""
    return str(url).rsplit("/", 1)[-1]


def _where(event: TrailEvent) -> str:
    caller = event.caller
    if caller.source_vpce:
        return caller.source_vpce
    if caller.invoked_by:
        return f"via {caller.invoked_by}"
    return caller.source_ip or "AWS Internal"


@dataclass(frozen=True)
class Row:
    """One event of the table."""

    at: float
    service: str
    event: str
    principal: str
    resource: str
    outcome: str  # "ok" or the errorCode
    where: str
    seq: int

    def cells(self) -> tuple[str, ...]:
        return (clock(self.at), self.service, self.event, self.principal, self.resource,
                self.outcome, self.where)


@dataclass(frozen=True)
class Step:
    """One line of a principal's timeline: a run of the same call."""

    first: float
    last: float
    event: str
    resource: str
    outcome: str
    count: int

    def text(self) -> str:
        span = clock(self.first) if self.first == self.last else \
            f"{clock(self.first)}-{clock(self.last)}"
        times = f" ×{self.count}" if self.count > 1 else ""
        on = f" on {self.resource}" if self.resource else ""
        result = "" if self.outcome == "ok" else f"  ✗ {self.outcome}"
        return f"{span:<17} {self.event}{on}{times}{result}"


class AuditModel:
    """What the audit explorer shows: filters, a table, a timeline, integrity."""

    def __init__(self, world: World, *, max_rows: int = 12, **filters: Any) -> None:
        self.world = world
        self.watcher = watch(world)
        self.max_rows = max_rows
        self._rows: list[Row] = []
        self.name: str | None = None
        self.principal: str | None = None
        self.resource: str | None = None
        self.service: str | None = None
        self.denied = False
        #: a time window (``"10:15"``, a datetime, ISO text or epoch seconds); None: open
        self.start: TimeLike | None = None
        self.end: TimeLike | None = None
        #: the timeline's subject: a principal (as shown in the table) or a MessageId
        self.focus: str | None = None
        self.set(**filters)

    def set(self, **changes: Any) -> AuditModel:
        """Change filters (``principal="ops-admin"``, ``denied=True``) or the ``focus``."""
        for key, value in changes.items():
            if key not in (*FILTERS, "focus", "max_rows"):
                raise AttributeError(f"the audit explorer has no setting {key!r}; it has "
                                     f"{', '.join((*FILTERS, 'focus'))}")
            setattr(self, key, value if value not in ("", "(all)") else None)
        self.denied = bool(self.denied)
        return self

    # -- the table -------------------------------------------------------------------------
    def all_rows(self) -> list[Row]:
        """Every event of the trail as a row (kept: events are only ever appended)."""
        trail = self.world.trail
        if len(self._rows) < len(trail):
            account = self.world.account_id
            kms = getattr(self.world, "_services", {}).get("kms")
            aliases = {a.target_key_id: n.removeprefix("alias/")
                       for n, a in getattr(kms, "aliases", {}).items() if a.target_key_id}
            self._rows += [
                Row(e.time, e.source.split(".", 1)[0], e.name, who(e, account),
                    _resource(e, aliases), e.error_code or "ok", _where(e), e.seq)
                for e in trail.events[len(self._rows):]]
        return self._rows

    def rows(self) -> list[Row]:
        """The events that pass every filter, oldest first."""
        return [r for r in self.all_rows() if self._keeps(r)]

    def _moment(self, value: TimeLike | None) -> float | None:
        """Epoch seconds; ``"10:15"`` or ``"10:15:30"`` is that time on the world's first day."""
        if value is None:
            return None
        if isinstance(value, str) and len(value) <= 8 and ":" in value:
            day = datetime.fromtimestamp(self.world.clock.start, tz=timezone.utc)
            hour, minute, *second = (int(p) for p in value.split(":"))
            return day.replace(hour=hour, minute=minute, second=second[0] if second else 0
                               ).timestamp()
        return epoch_of(value)

    def _in_window(self, at: float) -> bool:
        start, end = self._moment(self.start), self._moment(self.end)
        return (start is None or at >= start) and (end is None or at < end)

    def _keeps(self, row: Row) -> bool:
        return (self._in_window(row.at)
                and (self.name is None or row.event == self.name)
                and (self.principal is None or row.principal == self.principal)
                and (self.resource is None or row.resource == self.resource)
                and (self.service is None or row.service == self.service)
                and (not self.denied or _is_denial(row.outcome)))

    def choices(self) -> dict[str, list[str]]:
        """The values each filter can take, from the trail."""
        rows = self.all_rows()
        return {"name": sorted({r.event for r in rows}),
                "principal": sorted({r.principal for r in rows}),
                "resource": sorted({r.resource for r in rows if r.resource}),
                "service": sorted({r.service for r in rows})}

    def frame(self) -> pd.DataFrame:
        """The filtered table (every row, not only the first ``max_rows``)."""
        import pandas as pd

        return pd.DataFrame([r.cells() for r in self.rows()], columns=list(COLUMNS))

    # -- the timeline ----------------------------------------------------------------------
    def timeline(self) -> list[Step]:
        """What the focused principal did, runs of the same call folded together."""
        steps: list[Step] = []
        for row in self.all_rows():
            if row.principal != self.focus or not self._in_window(row.at):
                continue
            last = steps[-1] if steps else None
            if last is not None and (last.event, last.resource, last.outcome) == (
                    row.event, row.resource, row.outcome):
                steps[-1] = Step(last.first, row.at, row.event, row.resource, row.outcome,
                                 last.count + 1)
            else:
                steps.append(Step(row.at, row.at, row.event, row.resource, row.outcome, 1))
        return steps

    def timeline_text(self) -> str:
        if self.focus is None:
            return "Timeline: choose a principal or a MessageId."
        if self.focus not in {r.principal for r in self.all_rows()}:
            return TimelineModel(self.world, self.focus).text()
        steps = self.timeline()
        window = "" if self.start is None and self.end is None else \
            f" ({self._window_text()})"
        lines = [f"Timeline of {self.focus}{window}: {sum(s.count for s in steps)} calls"]
        if len(steps) > MAX_STEPS:
            lines.append(f"  (the last {MAX_STEPS} of {len(steps)} steps; narrow the time "
                         "window to see the others: start=/end=, or from/to)")
            steps = steps[-MAX_STEPS:]
        return "\n".join(lines + [f"  {s.text()}" for s in steps])

    def _window_text(self) -> str:
        start, end = self._moment(self.start), self._moment(self.end)
        return (f"from {clock(start) if start is not None else 'the start'} "
                f"to {clock(end) if end is not None else 'now'}")

    # -- integrity -------------------------------------------------------------------------
    def validation(self) -> ValidationReport | None:
        """What validate-logs says now (None when nothing has been delivered yet)."""
        report = self.world.trail.validate()
        return report if report.checks else None

    def integrity_text(self) -> str:
        report = self.validation()
        if report is None:
            return ("Integrity: no log file or digest delivered yet (log files every 5 "
                    "minutes, a digest every hour).")
        digests = [c for c in report.checks if c.kind == "digest"]
        logs = [c for c in report.checks if c.kind == "log"]
        waiting = [c for c in report.checks if c.status.startswith("not validated")]
        head = "Integrity: the digest chain holds" if report.ok else \
            "Integrity: INVALID: the delivered files were changed"
        lines = [f"{head} ({sum(c.valid for c in digests)}/{len(digests)} digest files "
                 f"valid, {sum(c.valid for c in logs)}/{len(logs) - len(waiting)} log files "
                 "valid)"]
        if waiting:
            lines.append(f"  {len(waiting)} log files not validated yet: no digest covers "
                         "them until the end of the hour")
        for check in report.invalid:
            kind = "digest" if check.kind == "digest" else "log file"
            lines.append(f"  ✗ {kind} {check.name}: {check.status}")
            if check.detail:
                lines.append(f"      {check.problem}: {check.detail}")
        return "\n".join(lines)

    # -- the text twin -------------------------------------------------------------------
    def filters_text(self) -> str:
        shown = [f"{k}={getattr(self, k)}" for k in FILTERS[:4] if getattr(self, k)]
        if self.denied:
            shown.append("denied only")
        if self.start is not None or self.end is not None:
            shown.append(self._window_text())
        return ", ".join(shown) or "none"

    def table_text(self) -> str:
        rows = self.rows()
        total = len(self.world.trail)
        head = (f"Audit explorer: {len(rows)} of {total} events (filters: "
                f"{self.filters_text()})")
        if not rows:
            return head + "\n(no event matches)"
        shown = rows[-self.max_rows:]
        cells = [COLUMNS, *(r.cells() for r in shown)]
        widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
        lines = [head]
        if len(rows) > len(shown):
            lines.append(f"(the last {len(shown)}; frame() has all {len(rows)})")
        lines += ["  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)).rstrip()
                  for cell in cells]
        return "\n".join(lines)

    def text(self) -> str:
        parts = [self.table_text()]
        if self.focus is not None:
            parts.append(self.timeline_text())
        parts.append(self.integrity_text())
        return "\n".join(parts)

    def __repr__(self) -> str:
        return f"<AuditModel {len(self.rows())} events; filters: {self.filters_text()}>"


def _is_denial(outcome: str) -> bool:
    from ...security.events import is_denied

    return outcome != "ok" and is_denied(outcome)
