"""CloudWatch's state in a world: the metric store, the alarms, the SQS meter, the minute timer.

Time drives CloudWatch: at the top of every minute (a *background* timer on the
world's clock: it fires as time passes but is no event a long poll or "advance to the
next event" waits for) the SQS meter publishes the minute that ended, then every
alarm is evaluated. The timer runs while a queue is active or an alarm exists.

Alarm actions are ARNs; on a state change each one is delivered to a Python callback
registered for it (:meth:`CloudWatchCore.on_action`), or, when the world has a service
for the ARN (``sns``, ``lambda``), as that service's call (``Publish``, ``Invoke``)
made by ``cloudwatch.amazonaws.com``; otherwise the alarm history records that the
action failed. :meth:`CloudWatchCore.on_alarm`
registers a callback for every state change of every alarm.
Source: ../shared/reference/cloudtrail-cloudwatch.md sections 6 and 7.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ...base.clock import Timer
from ...base.errors import AwsError
from ...base.identity import resolve_principal
from ...monitoring.alarms import AlarmBook, MetricAlarm, StateChange, iso_millis
from ...monitoring.metrics import MetricStore
from ..base import Call, Runtime, Service
from .sqs_meter import SqsMeter

MINUTE = 60
CLOUDWATCH = "cloudwatch.amazonaws.com"
#: AWS's region names in alarm notifications
REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)", "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)", "eu-central-1": "EU (Frankfurt)",
}

ActionCallback = Callable[[StateChange, dict[str, Any]], object]


class CloudWatchCore(Service):
    """The state of CloudWatch in one world."""

    name = "cloudwatch"
    event_source = "monitoring.amazonaws.com"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.store = MetricStore()
        self.book = AlarmBook(self._changed)
        self.sqs_meter: SqsMeter | None = None
        self.tags: dict[str, dict[str, str]] = {}
        self._timer: Timer | None = None
        #: True while the minute timer is pending (read by the meters on every message)
        self.armed = False
        self._listeners: list[Callable[[StateChange], object]] = []
        self._actions: dict[str, ActionCallback] = {}

    def enable_sqs_metrics(self) -> SqsMeter:
        """Start metering SQS queues; returns the meter (an audit sink the world installs)."""
        if self.sqs_meter is None:
            self.sqs_meter = SqsMeter(self.runtime, self.store, self)
        return self.sqs_meter

    # -- the minute timer -------------------------------------------------------------------
    def wake(self) -> None:
        """Make sure the minute timer runs (something is active)."""
        if self._timer is None:
            now = self.runtime.clock.now
            self._timer = self.runtime.clock.call_at(
                (now // MINUTE + 1) * MINUTE, self._tick, label="CloudWatch minute",
                background=True,
            )
            self.armed = True

    def _tick(self) -> None:
        self._timer, self.armed = None, False
        now = self.runtime.clock.now
        busy = self.sqs_meter.publish(now) if self.sqs_meter is not None else False
        self.book.evaluate(self.store, now)
        if busy or self.book.alarms:
            self.wake()

    # -- actions -----------------------------------------------------------------------------
    def on_alarm(self, callback: Callable[[StateChange], object]) -> None:
        """Call ``callback(change)`` on every state change of every alarm."""
        self._listeners.append(callback)

    def on_action(self, arn: str, callback: ActionCallback) -> None:
        """Deliver alarm actions for ``arn`` to ``callback(change, notification)``."""
        self._actions[arn] = callback

    def _changed(self, change: StateChange) -> None:
        for listener in list(self._listeners):
            listener(change)
        alarm = change.alarm
        if not alarm.actions_enabled:
            return
        for arn in alarm.actions_for(change.new_state):
            self._act(arn, change)

    def _act(self, arn: str, change: StateChange) -> None:
        alarm, now = change.alarm, change.timestamp
        message = self.notification(change)
        callback = self._actions.get(arn)
        error: str | None = None
        if callback is not None:
            callback(change, message)
        else:
            error = self._deliver(arn, change, message)
        self.book.record_action(alarm, arn, error, now)

    def _deliver(self, arn: str, change: StateChange, message: dict[str, Any]) -> str | None:
        """Hand the notification to the world's service for ``arn``; an error text or None."""
        service_name = arn.split(":", 3)[2] if arn.count(":") >= 3 else ""
        try:
            service = self.runtime.service(service_name)
        except ValueError:
            return (f"sqskit has no {service_name} service yet; register a callback with "
                    f"world.cloudwatch.on_action({arn!r}, ...)")
        caller = resolve_principal(CLOUDWATCH, self.runtime.account_id).with_context(
            source_arn=change.alarm.arn, source_account=self.runtime.account_id
        )
        if service_name == "sns":
            operation = "Publish"
            params: dict[str, Any] = {
                "TopicArn": arn, "Subject": self.subject(change)[:100],
                "Message": json.dumps(message),
            }
        elif service_name == "lambda":
            operation = "Invoke"
            params = {"FunctionName": arn, "InvocationType": "Event",
                      "Payload": json.dumps(message).encode()}
        else:
            return f"sqskit cannot deliver alarm actions to {service_name}"
        call = service.new_call(operation, params, caller)
        try:
            service.handle(call)
        except AwsError as err:
            return f"{err.wire_code}: {err.message}"
        return None

    def subject(self, change: StateChange) -> str:
        region = REGION_NAMES.get(self.runtime.region, self.runtime.region)
        return f'{change.new_state}: "{change.alarm.name}" in {region}'

    def notification(self, change: StateChange) -> dict[str, Any]:
        """The JSON message CloudWatch publishes for a state change (SNS format)."""
        alarm = change.alarm
        return {
            "AlarmName": alarm.name,
            "AlarmDescription": alarm.description,
            "AWSAccountId": self.runtime.account_id,
            "AlarmConfigurationUpdatedTimestamp": iso_millis(alarm.configuration_updated_at),
            "NewStateValue": change.new_state,
            "NewStateReason": change.reason,
            "StateChangeTime": iso_millis(change.timestamp),
            "Region": REGION_NAMES.get(self.runtime.region, self.runtime.region),
            "AlarmArn": alarm.arn,
            "OldStateValue": change.old_state,
            "OKActions": list(alarm.ok_actions),
            "AlarmActions": list(alarm.alarm_actions),
            "InsufficientDataActions": list(alarm.insufficient_data_actions),
            "Trigger": {
                "MetricName": alarm.metric.name,
                "Namespace": alarm.metric.namespace,
                "StatisticType": "Statistic",
                "Statistic": alarm.statistic.upper(),
                "Unit": alarm.unit,
                "Dimensions": [{"value": v, "name": k} for k, v in alarm.metric.dimensions],
                "Period": alarm.period,
                "EvaluationPeriods": alarm.evaluation_periods,
                "DatapointsToAlarm": alarm.datapoints_to_alarm,
                "ComparisonOperator": alarm.comparison,
                "Threshold": alarm.threshold,
                "TreatMissingData": alarm.treat_missing,
                "EvaluateLowSampleCountPercentile": "",
            },
        }

    def alarm(self, name: str) -> MetricAlarm:
        """The alarm called ``name`` (for views and tests)."""
        return self.book.alarms[name]

    def _authorize_account(self, call: Call, action: str, resource: str = "*") -> None:
        self.authorize(call, f"cloudwatch:{action}", resource,
                       resource_account=self.runtime.account_id)
