"""Amazon EventBridge: buses, rules, targets, PutEvents and TestEventPattern.

``PutEvents`` turns each entry into an event envelope (``version`` ``"0"``, ``id``,
``detail-type``, ``source``, ``account``, ``time``, ``region``, ``resources``,
``detail``), matches it against the enabled rules of its bus (``patterns.py``) and hands
it to each rule's targets (``core.py`` delivers, ``model.py`` shapes the input).
Per-entry problems come back in ``Entries[i].ErrorCode`` with ``FailedEntryCount``.

Simplified: only ``rate()`` schedules (no ``cron()``); no archives, replays, API
destinations, partner sources or cross-account buses.
Source: ../shared/reference/integrations.md section 3.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from typing import Any

from botocore.utils import parse_timestamp

from ...base.errors import (
    EventsLimitExceeded,
    EventsResourceAlreadyExists,
    EventsValidation,
)
from ..base import Call
from .core import EventsCore, event_time
from .model import EventBus, EventRule, rate_seconds
from .patterns import compile_event_pattern, matches

_NAME = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")
_BUS_NAME = re.compile(r"^[/.\-_A-Za-z0-9]{1,256}$")
MAX_TARGETS = 5
MAX_ENTRY_SIZE = 262_144


class EventsService(EventsCore):
    """The EventBridge service of one world."""

    # -- buses ------------------------------------------------------------------------------
    def create_event_bus(self, call: Call, Name: str, Description: str | None = None,
                         **_: Any) -> dict[str, Any]:
        arn = f"arn:aws:events:{self.runtime.region}:{self.runtime.account_id}:event-bus/{Name}"
        self._authorize(call, "events:CreateEventBus", arn)
        if not _BUS_NAME.match(Name) or Name.startswith("aws."):
            raise EventsValidation(f"Event bus name {Name} is not valid.")
        if Name in self.buses:
            raise EventsResourceAlreadyExists(f"Event bus {Name} already exists.")
        bus = self._add_bus(Name, call.now)
        bus.description = Description
        out: dict[str, Any] = {"EventBusArn": bus.arn}
        if Description:
            out["Description"] = Description
        return out

    def delete_event_bus(self, call: Call, Name: str) -> None:
        if Name == "default":
            raise EventsValidation("Cannot delete event bus default.")
        bus = self.buses.get(Name)
        if bus is None:
            return  # deleting a missing bus succeeds
        self._authorize(call, "events:DeleteEventBus", bus.arn, bus)
        for rule in bus.rules.values():
            if rule.timer is not None:
                rule.timer.cancel()
        del self.buses[Name]

    def describe_event_bus(self, call: Call, Name: str | None = None) -> dict[str, Any]:
        bus = self.bus(Name)
        self._authorize(call, "events:DescribeEventBus", bus.arn, bus)
        return bus.describe()

    def list_event_buses(self, call: Call, NamePrefix: str | None = None,
                         **_: Any) -> dict[str, Any]:
        self._authorize(call, "events:ListEventBuses", "*")
        return {"EventBuses": [b.describe() for n, b in sorted(self.buses.items())
                               if n.startswith(NamePrefix or "")]}

    # -- rules ------------------------------------------------------------------------------
    def put_rule(self, call: Call, Name: str, EventPattern: str | None = None,
                 ScheduleExpression: str | None = None, State: str | None = None,
                 Description: str | None = None, RoleArn: str | None = None,
                 EventBusName: str | None = None, **_: Any) -> dict[str, Any]:
        bus = self.bus(EventBusName)
        arn = (f"arn:aws:events:{self.runtime.region}:{self.runtime.account_id}:rule/"
               + (Name if bus.name == "default" else f"{bus.name}/{Name}"))
        self._authorize(call, "events:PutRule", arn, bus)
        if not _NAME.match(Name):
            raise EventsValidation(
                f"1 validation error detected: Value '{Name}' at 'name' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+"
            )
        if EventPattern is None and ScheduleExpression is None:
            raise EventsValidation(
                "Parameter(s) EventPattern or ScheduleExpression must be specified."
            )
        rules = compile_event_pattern(EventPattern) if EventPattern is not None else None
        period = None
        if ScheduleExpression is not None:
            if bus.name != "default":
                raise EventsValidation(
                    "ScheduleExpression is supported only on the default event bus."
                )
            period = rate_seconds(ScheduleExpression)
            if period is None:
                raise EventsValidation("Parameter ScheduleExpression is not valid.")
        existing = bus.rules.get(Name)
        rule = EventRule(Name, arn, bus.name, EventPattern, rules, ScheduleExpression,
                         State or (existing.state if existing else "ENABLED"),
                         Description, RoleArn)
        if existing is not None:
            rule.targets = existing.targets
            if existing.timer is not None:
                existing.timer.cancel()
        bus.rules[Name] = rule
        if period is not None:
            self._schedule(rule, period)
        return {"RuleArn": arn}

    def describe_rule(self, call: Call, Name: str, EventBusName: str | None = None) -> dict:
        rule = self.rule(Name, EventBusName)
        self._authorize(call, "events:DescribeRule", rule.arn)
        return {**rule.describe(), "CreatedBy": self.runtime.account_id}

    def list_rules(self, call: Call, NamePrefix: str | None = None,
                   EventBusName: str | None = None, **_: Any) -> dict[str, Any]:
        bus = self.bus(EventBusName)
        self._authorize(call, "events:ListRules", "*")
        return {"Rules": [r.describe() for n, r in sorted(bus.rules.items())
                          if n.startswith(NamePrefix or "")]}

    def delete_rule(self, call: Call, Name: str, EventBusName: str | None = None,
                    Force: bool = False) -> None:
        bus = self.bus(EventBusName)
        rule = bus.rules.get(Name)
        if rule is None:
            return
        self._authorize(call, "events:DeleteRule", rule.arn)
        if rule.targets:
            raise EventsValidation("Rule can't be deleted since it has targets.")
        if rule.timer is not None:
            rule.timer.cancel()
        del bus.rules[Name]

    def enable_rule(self, call: Call, Name: str, EventBusName: str | None = None) -> None:
        rule = self.rule(Name, EventBusName)
        self._authorize(call, "events:EnableRule", rule.arn)
        rule.state = "ENABLED"

    def disable_rule(self, call: Call, Name: str, EventBusName: str | None = None) -> None:
        rule = self.rule(Name, EventBusName)
        self._authorize(call, "events:DisableRule", rule.arn)
        rule.state = "DISABLED"

    # -- targets ----------------------------------------------------------------------------
    def put_targets(self, call: Call, Rule: str, Targets: list[dict[str, Any]],
                    EventBusName: str | None = None) -> dict[str, Any]:
        rule = self.rule(Rule, EventBusName)
        self._authorize(call, "events:PutTargets", rule.arn)
        new_ids = {t["Id"] for t in Targets} - set(rule.targets)
        if len(rule.targets) + len(new_ids) > MAX_TARGETS:
            raise EventsLimitExceeded(
                "The requested resource exceeds the maximum number allowed."
            )
        for target in Targets:
            if not _NAME.match(target["Id"]):
                raise EventsValidation(f"Parameter Id is not valid for target {target['Id']}.")
            inputs = [k for k in ("Input", "InputPath", "InputTransformer") if k in target]
            if len(inputs) > 1:
                raise EventsValidation(
                    "Only one of Input, InputPath, or InputTransformer must be provided for "
                    f"target {target['Id']}."
                )
            if "Input" in target:
                try:
                    json.loads(target["Input"])
                except ValueError:
                    raise EventsValidation(
                        f"Parameter Input is not valid for target {target['Id']}."
                    ) from None
            if target["Arn"].endswith(".fifo") and not (
                    target.get("SqsParameters") or {}).get("MessageGroupId"):
                raise EventsValidation(
                    f"Parameter(s) SqsParameters must be specified for target: {target['Id']}."
                )
        for target in Targets:
            rule.targets[target["Id"]] = dict(target)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def list_targets_by_rule(self, call: Call, Rule: str, EventBusName: str | None = None,
                             **_: Any) -> dict[str, Any]:
        rule = self.rule(Rule, EventBusName)
        self._authorize(call, "events:ListTargetsByRule", rule.arn)
        return {"Targets": [dict(t) for t in rule.targets.values()]}

    def remove_targets(self, call: Call, Rule: str, Ids: list[str],
                       EventBusName: str | None = None, Force: bool = False) -> dict[str, Any]:
        rule = self.rule(Rule, EventBusName)
        self._authorize(call, "events:RemoveTargets", rule.arn)
        for target_id in Ids:
            rule.targets.pop(target_id, None)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    # -- events -----------------------------------------------------------------------------
    def put_events(self, call: Call, Entries: list[dict[str, Any]], **_: Any) -> dict[str, Any]:
        if len(Entries) > 10:
            raise EventsValidation(
                "1 validation error detected: Value at 'entries' failed to satisfy constraint: "
                "Member must have length less than or equal to 10"
            )
        results, failed = [], 0
        for entry in Entries:
            bus = self.bus(entry.get("EventBusName"))
            self._authorize(call, "events:PutEvents", bus.arn, bus)
            problem = self._check_entry(entry)
            if problem is not None:
                failed += 1
                results.append({"ErrorCode": problem[0], "ErrorMessage": problem[1]})
                continue
            event = self._envelope(call, entry)
            results.append({"EventId": event["id"]})
            self._route(bus, event, call.now)
        return {"FailedEntryCount": failed, "Entries": results}

    @staticmethod
    def _check_entry(entry: dict[str, Any]) -> tuple[str, str] | None:
        for name in ("Source", "DetailType", "Detail"):
            if not entry.get(name):
                return ("InvalidArgument",
                        f"Parameter {name} is not valid. Reason: {name} is a required argument.")
        if str(entry["Source"]).startswith("aws."):
            return "NotAuthorizedForSourceException", "Not authorized for the source."
        try:
            detail = json.loads(entry["Detail"])
        except ValueError:
            detail = None
        if not isinstance(detail, dict):
            return "MalformedDetail", "Detail is malformed."
        size = sum(len(str(entry.get(k, "")).encode()) for k in ("Source", "DetailType", "Detail"))
        size += sum(len(r.encode()) for r in entry.get("Resources") or []) + 14 * ("Time" in entry)
        if size > MAX_ENTRY_SIZE:
            return "EntrySizeTooLarge", "Entry size exceeds the limit."
        return None

    def _envelope(self, call: Call, entry: dict[str, Any]) -> dict[str, Any]:
        moment = entry.get("Time")
        if moment is None:
            when = call.now
        elif isinstance(moment, (int, float)):
            when = float(moment)
        else:  # a datetime or a date string, as boto3 accepts them
            when = (moment if isinstance(moment, datetime) else parse_timestamp(moment)).timestamp()
        return {
            "version": "0", "id": self.runtime.ids.uuid(), "detail-type": entry["DetailType"],
            "source": entry["Source"], "account": self.runtime.account_id, "time": event_time(when),
            "region": self.runtime.region, "resources": list(entry.get("Resources") or []),
            "detail": json.loads(entry["Detail"]),
        }

    def _route(self, bus: EventBus, event: dict[str, Any], now: float) -> None:
        chosen = [r for r in bus.rules.values() if r.state == "ENABLED" and r.rules is not None
                  and matches(r.rules, event)]
        for rule in chosen:
            self.runtime.clock.call_at(now, functools.partial(self._deliver, rule, event, now),
                                       f"events {rule.name}")

    def test_event_pattern(self, call: Call, EventPattern: str, Event: str) -> dict[str, Any]:
        rules = compile_event_pattern(EventPattern)
        try:
            event = json.loads(Event)
        except ValueError:
            event = None
        required = ("id", "account", "source", "time", "region", "detail-type")
        if not isinstance(event, dict) or any(k not in event for k in required):
            raise EventsValidation("Parameter Event is not valid.")
        return {"Result": matches(rules, event)}

    def __repr__(self) -> str:
        return f"<EventsService {len(self.buses)} buses>"
