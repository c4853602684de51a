"""CloudWatch's alarm actions: PutMetricAlarm, DescribeAlarms, DescribeAlarmHistory, ...

``PutMetricAlarm`` creates or replaces a static-threshold alarm on one metric
(``Statistic``, ``Period``, ``EvaluationPeriods``, ``DatapointsToAlarm``,
``ComparisonOperator``, ``Threshold``, ``TreatMissingData``); a replaced alarm keeps
its state. The alarm is evaluated at the top of every minute from then on
(``sqskit.monitoring.alarms``). ``SetAlarmState`` sets a state until the next
evaluation (and runs the actions if the state changed). History keeps two weeks.

Simplified: no metric-math, anomaly-detection, composite or percentile alarms; no
``EvaluateLowSampleCountPercentile``. Source: ../shared/reference/cloudtrail-cloudwatch.md
section 7; botocore's model for the shapes.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ...base.errors import (
    CwInvalidFormat,
    CwInvalidParameterCombination,
    CwLimitExceeded,
    CwMissingParameter,
    CwResourceNotFound,
    CwValidationError,
)
from ...monitoring.alarms import MetricAlarm
from ...monitoring.evaluation import COMPARISONS, STATES, TREATMENTS
from ...monitoring.metrics import STATISTICS, MetricId
from ..base import Call
from . import checks
from .metrics_api import MetricActions

MAX_ACTIONS = 5
MAX_ALARMS = 5000
MAX_RECORDS = 100
ONE_DAY = 86_400


class AlarmActions(MetricActions):
    """The alarm half of :class:`~sqskit.services.cloudwatch.service.CloudWatchService`."""

    def alarm_arn(self, name: str) -> str:
        return f"arn:aws:cloudwatch:{self.runtime.region}:{self.runtime.account_id}:alarm:{name}"

    # -- PutMetricAlarm --------------------------------------------------------------------
    def put_metric_alarm(self, call: Call, AlarmName: str, **given: Any) -> None:
        arn = self.alarm_arn(AlarmName)
        self._authorize_account(call, "PutMetricAlarm", arn)
        for unsupported in ("Metrics", "ThresholdMetricId", "ExtendedStatistic",
                            "EvaluationCriteria"):
            if given.get(unsupported):
                raise CwValidationError(
                    f"sqskit supports static-threshold alarms on one metric; {unsupported} "
                    f"is not supported."
                )
        for required in ("MetricName", "Namespace", "Statistic", "Period", "EvaluationPeriods",
                         "ComparisonOperator", "Threshold"):
            if given.get(required) is None:
                raise CwMissingParameter(f"The parameter {required} is required.")
        statistic, period = given["Statistic"], given["Period"]
        if statistic not in STATISTICS:
            raise CwValidationError(f"Invalid value {statistic} for Statistic.")
        if period not in (10, 20, 30) and (period <= 0 or period % 60):
            raise CwValidationError("Period must be 10, 20, 30 or a multiple of 60")
        periods = given["EvaluationPeriods"]
        if periods * period > ONE_DAY:
            raise CwValidationError(
                "Metrics cannot be checked across more than a day "
                "(EvaluationPeriods * Period must be <= 86400)"
            )
        datapoints = given.get("DatapointsToAlarm") or periods
        if datapoints > periods:
            raise CwValidationError(
                "DatapointsToAlarm must be less than or equal to EvaluationPeriods"
            )
        if given["ComparisonOperator"] not in COMPARISONS:
            raise CwValidationError(
                f"sqskit supports the static comparison operators "
                f"({', '.join(COMPARISONS)}), not {given['ComparisonOperator']}."
            )
        treat = given.get("TreatMissingData") or "missing"
        if treat not in TREATMENTS:
            raise CwValidationError(
                f"TreatMissingData must be one of {', '.join(TREATMENTS)}, not {treat}."
            )
        actions = {}
        for kind in ("OKActions", "AlarmActions", "InsufficientDataActions"):
            arns = list(given.get(kind) or [])
            if len(arns) > MAX_ACTIONS:
                raise CwValidationError(f"The maximum number of {kind} is {MAX_ACTIONS}.")
            for action in arns:
                checks.check_arn(action)
            actions[kind] = arns
        if AlarmName not in self.book.alarms and len(self.book.alarms) >= MAX_ALARMS:
            raise CwLimitExceeded(f"The maximum number of alarms ({MAX_ALARMS}) is reached.")
        alarm = MetricAlarm(
            name=AlarmName, arn=arn,
            metric=MetricId.of(given["Namespace"], given["MetricName"],
                               checks.dimensions(given.get("Dimensions"))),
            statistic=statistic, period=period, evaluation_periods=periods,
            datapoints_to_alarm=datapoints, threshold=float(given["Threshold"]),
            comparison=given["ComparisonOperator"], treat_missing=treat,
            unit=given.get("Unit"), description=given.get("AlarmDescription"),
            actions_enabled=given.get("ActionsEnabled", True),
            ok_actions=actions["OKActions"], alarm_actions=actions["AlarmActions"],
            insufficient_data_actions=actions["InsufficientDataActions"],
        )
        alarm.explicit = tuple(k for k in ("DatapointsToAlarm", "TreatMissingData")
                               if given.get(k))
        if given.get("Tags"):
            self.tags[arn] = {t["Key"]: t["Value"] for t in given["Tags"]}
        self.book.put(alarm, call.now)
        self.wake()

    # -- DescribeAlarms --------------------------------------------------------------------
    def describe_alarms(
        self, call: Call, AlarmNames: list[str] | None = None, AlarmNamePrefix: str | None = None,
        AlarmTypes: list[str] | None = None, StateValue: str | None = None,
        ActionPrefix: str | None = None, MaxRecords: int | None = None,
        NextToken: str | None = None, **_: Any,
    ) -> dict[str, Any]:
        self._authorize_account(call, "DescribeAlarms")
        if AlarmNames and AlarmNamePrefix:
            raise CwInvalidParameterCombination(
                "AlarmNames and AlarmNamePrefix cannot be given together."
            )
        limit = self._max_records(MaxRecords)
        if StateValue is not None and StateValue not in STATES:
            raise CwValidationError(f"Invalid value {StateValue} for StateValue.")
        alarms = sorted(self.book.alarms.values(), key=lambda a: a.name)
        if AlarmNames:
            alarms = [a for a in alarms if a.name in AlarmNames]
        if AlarmNamePrefix:
            alarms = [a for a in alarms if a.name.startswith(AlarmNamePrefix)]
        if StateValue:
            alarms = [a for a in alarms if a.state == StateValue]
        if ActionPrefix:
            alarms = [a for a in alarms if any(
                x.startswith(ActionPrefix)
                for x in a.ok_actions + a.alarm_actions + a.insufficient_data_actions
            )]
        if AlarmTypes is not None and "MetricAlarm" not in AlarmTypes:
            alarms = []
        start = checks.read_token(NextToken)
        out: dict[str, Any] = {"MetricAlarms": [self._describe(a) for a in
                                                alarms[start : start + limit]]}
        if AlarmTypes is not None and "CompositeAlarm" in AlarmTypes:
            out["CompositeAlarms"] = []
        if start + limit < len(alarms):
            out["NextToken"] = checks.page_token(start + limit)
        return out

    @staticmethod
    def _max_records(value: int | None) -> int:
        if value is not None and not 1 <= value <= MAX_RECORDS:
            raise CwValidationError(f"MaxRecords must be between 1 and {MAX_RECORDS}.")
        return value or MAX_RECORDS

    def _describe(self, alarm: MetricAlarm) -> dict[str, Any]:
        given = alarm.explicit
        out: dict[str, Any] = {
            "AlarmName": alarm.name,
            "AlarmArn": alarm.arn,
            "AlarmConfigurationUpdatedTimestamp": alarm.configuration_updated_at,
            "ActionsEnabled": alarm.actions_enabled,
            "OKActions": list(alarm.ok_actions),
            "AlarmActions": list(alarm.alarm_actions),
            "InsufficientDataActions": list(alarm.insufficient_data_actions),
            "StateValue": alarm.state,
            "StateReason": alarm.state_reason,
            "StateUpdatedTimestamp": alarm.state_updated_at,
            "MetricName": alarm.metric.name,
            "Namespace": alarm.metric.namespace,
            "Statistic": alarm.statistic,
            "Dimensions": [{"Name": k, "Value": v} for k, v in alarm.metric.dimensions],
            "Period": alarm.period,
            "EvaluationPeriods": alarm.evaluation_periods,
            "Threshold": alarm.threshold,
            "ComparisonOperator": alarm.comparison,
            "StateTransitionedTimestamp": alarm.state_updated_at,
        }
        if alarm.description is not None:
            out["AlarmDescription"] = alarm.description
        if alarm.state_reason_data:
            out["StateReasonData"] = alarm.state_reason_data
        if alarm.unit:
            out["Unit"] = alarm.unit
        if "DatapointsToAlarm" in given:
            out["DatapointsToAlarm"] = alarm.datapoints_to_alarm
        if "TreatMissingData" in given:
            out["TreatMissingData"] = alarm.treat_missing
        return out

    # -- history -------------------------------------------------------------------------------
    def describe_alarm_history(
        self, call: Call, AlarmName: str | None = None, AlarmTypes: list[str] | None = None,
        HistoryItemType: str | None = None, StartDate: datetime | None = None,
        EndDate: datetime | None = None, MaxRecords: int | None = None,
        NextToken: str | None = None, ScanBy: str | None = None, **_: Any,
    ) -> dict[str, Any]:
        self._authorize_account(call, "DescribeAlarmHistory")
        limit = self._max_records(MaxRecords)
        start = None if StartDate is None else checks.epoch(StartDate)
        end = None if EndDate is None else checks.epoch(EndDate)
        items = [
            h for h in self.book.history
            if (AlarmName is None or h.alarm_name == AlarmName)
            and (HistoryItemType is None or h.kind == HistoryItemType)
            and (start is None or h.timestamp >= start) and (end is None or h.timestamp <= end)
        ]
        if AlarmTypes is not None and "MetricAlarm" not in AlarmTypes:
            items = []
        if ScanBy != "TimestampAscending":
            items.reverse()
        first = checks.read_token(NextToken)
        out: dict[str, Any] = {"AlarmHistoryItems": [
            {"AlarmName": h.alarm_name, "AlarmType": "MetricAlarm", "Timestamp": h.timestamp,
             "HistoryItemType": h.kind, "HistorySummary": h.summary, "HistoryData": h.data}
            for h in items[first : first + limit]
        ]}
        if first + limit < len(items):
            out["NextToken"] = checks.page_token(first + limit)
        return out

    # -- DeleteAlarms / SetAlarmState / actions on and off ------------------------------------
    def delete_alarms(self, call: Call, AlarmNames: list[str]) -> None:
        for name in AlarmNames:
            self._authorize_account(call, "DeleteAlarms", self.alarm_arn(name))
        missing = [n for n in AlarmNames if n not in self.book.alarms]
        if missing:
            raise CwResourceNotFound(f"{len(missing)} out of the {len(AlarmNames)} alarms "
                                     f"named {missing} were not found")
        for name in AlarmNames:
            self.book.delete(name, call.now)
            self.tags.pop(self.alarm_arn(name), None)

    def set_alarm_state(
        self, call: Call, AlarmName: str, StateValue: str, StateReason: str,
        StateReasonData: str | None = None,
    ) -> None:
        self._authorize_account(call, "SetAlarmState", self.alarm_arn(AlarmName))
        alarm = self.book.alarms.get(AlarmName)
        if alarm is None:
            raise CwResourceNotFound(f"Alarm {AlarmName} not found")
        if StateValue not in STATES:
            raise CwValidationError(f"Invalid value {StateValue} for StateValue.")
        if StateReasonData is not None:
            try:
                json.loads(StateReasonData)
            except ValueError:
                raise CwInvalidFormat("StateReasonData is not valid JSON.") from None
        self.book.set_state(alarm, StateValue, StateReason, StateReasonData, call.now)

    def enable_alarm_actions(self, call: Call, AlarmNames: list[str]) -> None:
        self._switch(call, AlarmNames, True)

    def disable_alarm_actions(self, call: Call, AlarmNames: list[str]) -> None:
        self._switch(call, AlarmNames, False)

    def _switch(self, call: Call, names: list[str], enabled: bool) -> None:
        action = "EnableAlarmActions" if enabled else "DisableAlarmActions"
        for name in names:
            self._authorize_account(call, action, self.alarm_arn(name))
            if name in self.book.alarms:
                self.book.alarms[name].actions_enabled = enabled
