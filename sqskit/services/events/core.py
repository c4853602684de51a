"""EventBridge's registry of buses, the lookups actions share, and delivery to targets.

Delivery: for each rule an event matches, each target gets the event (or its
transformed input, ``model.py``) when the clock next moves, sent as
``events.amazonaws.com`` with ``aws:SourceArn`` = the rule: ``sqs:SendMessage`` (a FIFO
queue gets ``SqsParameters.MessageGroupId`` and, as deduplication id, the event id -
**unverified** which id AWS uses), an asynchronous ``lambda:InvokeFunction`` or
``sns:Publish``. A failure retrying cannot fix (refused by policy, missing target) goes
to the target's dead-letter queue with the attributes ``RULE_ARN``, ``TARGET_ARN``,
``ERROR_CODE`` and ``ERROR_MESSAGE``, or is dropped. ``rate()`` schedules send a
``Scheduled Event`` from ``aws.events``. Source: ../shared/reference/integrations.md 3.4.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from ...base.errors import (
    AwsError,
    EventsAccessDenied,
    EventsResourceNotFound,
    EventsValidation,
)
from ...base.identity import Caller
from ...base.timestamps import iso8601
from .. import delivery
from ..base import Call, Runtime, Service
from .model import EventBus, EventRule

if TYPE_CHECKING:
    from ...security.policy import Decision


def event_time(now: float) -> str:
    """An instant as EventBridge writes ``time``: ``2026-01-05T09:00:00Z``."""
    return iso8601(now)


class EventsCore(Service):
    """Buses and rules of one world, their lookups, and delivery to targets."""

    name = "events"
    event_source = "events.amazonaws.com"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.buses: dict[str, EventBus] = {}
        self.deliveries: list[delivery.Delivery] = []
        self._add_bus("default", runtime.clock.now)

    # -- lookups --------------------------------------------------------------------------
    def _add_bus(self, name: str, now: float) -> EventBus:
        arn = f"arn:aws:events:{self.runtime.region}:{self.runtime.account_id}:event-bus/{name}"
        self.buses[name] = EventBus(name, arn, now)
        return self.buses[name]

    def bus(self, name_or_arn: str | None) -> EventBus:
        name = (name_or_arn or "default").rsplit("event-bus/", 1)[-1]
        found = self.buses.get(name)
        if found is None:
            raise EventsResourceNotFound(f"Event bus {name} does not exist.")
        return found

    def rule(self, name: str, bus_name: str | None) -> EventRule:
        bus = self.bus(bus_name)
        found = bus.rules.get(name)
        if found is None:
            raise EventsResourceNotFound(f"Rule {name} does not exist on EventBus {bus.name}.")
        return found

    def _authorize(self, call: Call, action: str, resource: str,
                   bus: EventBus | None = None) -> None:
        self.authorize(call, action, resource, resource_policy=bus.policy if bus else None,
                       resource_account=self.runtime.account_id)

    def access_denied(self, decision: Decision) -> AwsError:
        """EventBridge's AccessDeniedException (HTTP 400, as its common errors say)."""
        return EventsAccessDenied(decision.message(), detail=decision)

    # -- delivery ---------------------------------------------------------------------------
    def _deliver(self, rule: EventRule, event: dict[str, Any], ingested_at: float) -> None:
        caller = delivery.service_caller(self.runtime, "events.amazonaws.com", rule.arn)
        for target in list(rule.targets.values()):
            body = rule.input_for(target, event, event_time(ingested_at))
            error = delivery.attempt(functools.partial(self._send, caller, target, body, event))
            delivery.record(self.deliveries, self.runtime, rule.arn, target["Id"],
                            target["Arn"], event["id"], error)
            dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
            if error is not None and dead_letter:
                self._dead_letter(caller, rule, target, body, error, dead_letter)

    def _send(self, caller: Caller, target: dict[str, Any], body: str,
              event: dict[str, Any]) -> None:
        arn = target["Arn"]
        service = arn.split(":")[2] if arn.count(":") >= 5 else ""
        if service == "sqs":
            group = (target.get("SqsParameters") or {}).get("MessageGroupId")
            delivery.send_to_queue(self.runtime, caller, arn, body, MessageGroupId=group,
                                   MessageDeduplicationId=event["id"] if group else None)
        elif service == "lambda":
            delivery.call(self.runtime, "lambda", "Invoke", {
                "FunctionName": arn, "InvocationType": "Event", "Payload": body.encode()},
                caller)
        elif service == "sns":
            delivery.call(self.runtime, "sns", "Publish", {"TopicArn": arn, "Message": body},
                          caller)
        else:
            raise EventsValidation(f"sqskit cannot deliver to {arn}")

    def _dead_letter(self, caller: Caller, rule: EventRule, target: dict[str, Any], body: str,
                     error: AwsError, queue_arn: str) -> None:
        attributes = {
            "RULE_ARN": rule.arn, "TARGET_ARN": target["Arn"],
            "ERROR_CODE": error.wire_code, "ERROR_MESSAGE": error.message[:256] or "-",
        }
        failed = delivery.attempt(lambda: delivery.send_to_queue(
            self.runtime, caller, queue_arn, body, MessageAttributes={
                k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()}))
        delivery.record(self.deliveries, self.runtime, rule.arn, f"{target['Id']} (DLQ)",
                        queue_arn, "dead-letter", failed)

    def _schedule(self, rule: EventRule, period: int) -> None:
        """A ``rate()`` rule sends a Scheduled Event to its targets every ``period``."""
        clock = self.runtime.clock

        def fire() -> None:
            current = self.buses.get(rule.bus)
            if current is None or current.rules.get(rule.name) is not rule:
                return
            if rule.state == "ENABLED":
                event = {"version": "0", "id": self.runtime.ids.uuid(),
                         "detail-type": "Scheduled Event", "source": "aws.events",
                         "account": self.runtime.account_id, "time": event_time(clock.now),
                         "region": self.runtime.region, "resources": [rule.arn], "detail": {}}
                self._deliver(rule, event, clock.now)
            rule.timer = clock.call_later(period, fire, f"schedule {rule.name}")

        rule.timer = clock.call_later(period, fire, f"schedule {rule.name}")
