"""Event buses, rules and targets, and what a target receives.

Every account has the ``default`` bus; custom buses are created by name. A rule lives on
one bus (ARN ``.../rule/<name>`` on the default bus, ``.../rule/<bus>/<name>`` on a
custom one), has an event pattern or a ``rate(...)`` schedule, and up to five targets.

By default a target receives the whole event as JSON. ``Input`` replaces it with a
constant; ``InputPath`` picks a part (``$.detail``); ``InputTransformer`` fills an
``InputTemplate`` with values picked by ``InputPathsMap`` (``<name>`` placeholders, plus
``<aws.events.rule-arn>``, ``<aws.events.rule-name>``, ``<aws.events.event.json>`` and
``<aws.events.event.ingestion-time>``). Simplified: a picked string is inserted as it is
(put quotes in the template where JSON needs them), anything else as JSON; JSONPath is
limited to ``$``, ``.field`` and ``[index]``. Source: integrations.md 3.1 and 3.4.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..patterns import Rules

_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> int | None:
    """Seconds between runs of ``rate(5 minutes)``; None if it is not a valid rate."""
    match = _RATE.match(expression)
    if not match:
        return None
    value, unit = int(match.group(1)), match.group(2).rstrip("s")
    if value < 1 or (value == 1) != (match.group(2) == unit):
        return None  # "rate(1 minutes)" and "rate(5 minute)" are refused, as AWS does
    return value * _UNIT[unit]


def json_path(document: Any, path: str) -> Any:
    """The value at ``$.a.b[0]`` (None when the path leads nowhere)."""
    if not path.startswith("$"):
        return None
    value = document
    for name, index in _STEP.findall(path[1:]):
        if name and isinstance(value, dict):
            value = value.get(name)
        elif index and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            return None
    return value


@dataclass(eq=False)
class EventRule:
    """One rule on one bus."""

    name: str
    arn: str
    bus: str
    pattern: str | None
    rules: Rules | None
    schedule: str | None = None
    state: str = "ENABLED"
    description: str | None = None
    role_arn: str | None = None
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    timer: Any = field(default=None, repr=False)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Name": self.name, "Arn": self.arn}
        if self.pattern is not None:
            out["EventPattern"] = self.pattern
        if self.schedule is not None:
            out["ScheduleExpression"] = self.schedule
        out["State"] = self.state
        if self.description is not None:
            out["Description"] = self.description
        if self.role_arn is not None:
            out["RoleArn"] = self.role_arn
        out["EventBusName"] = self.bus
        return out

    def input_for(self, target: dict[str, Any], event: dict[str, Any], ingested: str) -> str:
        """The text the target receives for ``event``."""
        if "Input" in target:
            return str(target["Input"])
        if "InputPath" in target:
            return json.dumps(json_path(event, target["InputPath"]))
        transformer = target.get("InputTransformer")
        if not transformer:
            return json.dumps(event)
        values: dict[str, Any] = {
            name: json_path(event, path)
            for name, path in (transformer.get("InputPathsMap") or {}).items()
        }
        values.update({"aws.events.rule-arn": self.arn, "aws.events.rule-name": self.name,
                       "aws.events.event.ingestion-time": ingested})

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "aws.events.event.json":
                return json.dumps(event)
            if name not in values:
                return match.group(0)
            value = values[name]
            return value if isinstance(value, str) else json.dumps(value)

        return _PLACEHOLDER.sub(fill, transformer["InputTemplate"])

    def __repr__(self) -> str:
        return f"<Rule {self.name} on {self.bus} {self.state} ({len(self.targets)} targets)>"


@dataclass(eq=False)
class EventBus:
    """One event bus and its rules."""

    name: str
    arn: str
    created_at: float
    description: str | None = None
    policy: str | None = None
    rules: dict[str, EventRule] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Name": self.name, "Arn": self.arn}
        if self.description:
            out["Description"] = self.description
        if self.policy:
            out["Policy"] = self.policy
        out["CreationTime"] = self.created_at
        out["LastModifiedTime"] = self.created_at
        return out

    def __repr__(self) -> str:
        return f"<EventBus {self.name} ({len(self.rules)} rules)>"
