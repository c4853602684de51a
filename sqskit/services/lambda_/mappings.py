"""The event source mapping API: Create, Get, List, Update and Delete EventSourceMapping.

A mapping starts in state ``Creating`` and becomes ``Enabled`` (or ``Disabled``) when
the clock next moves; an update passes through ``Updating``, a deletion through
``Deleting``. At creation Lambda checks, as AWS does, that the function's execution
role may receive from, delete from and read the attributes of the queue (``The provided
execution role does not have permissions to call ReceiveMessage on SQS``), so a missing
permission shows up at once rather than as a silent poller. It also refuses a queue whose
visibility timeout is shorter than the function's timeout (``Queue visibility timeout: 30
seconds is less than Function timeout: 60 seconds``). Not modelled: the same check when
a later UpdateFunctionConfiguration raises the timeout past the queue's.

Only SQS queues are event sources here. Source: ../shared/reference/integrations.md 2.2;
parameter ranges from botocore's Lambda model.
"""

from __future__ import annotations

import json
from typing import Any

from ...base.arns import Arn
from ...base.errors import (
    AwsError,
    LambdaInvalidParameterValue,
    LambdaResourceConflict,
    LambdaResourceNotFound,
)
from ..base import Call
from ..patterns import PatternError, compile_pattern
from .event_source import Mapping, Poller

_NOT_FOUND = "The resource you requested does not exist."


class EventSourceActions(Poller):
    """Event source mapping actions of :class:`~sqskit.services.lambda_.service.LambdaService`."""

    def create_event_source_mapping(
        self, call: Call, FunctionName: str, EventSourceArn: str | None = None,
        Enabled: bool = True, BatchSize: int | None = None,
        MaximumBatchingWindowInSeconds: int | None = None,
        FunctionResponseTypes: list[str] | None = None,
        FilterCriteria: dict[str, Any] | None = None,
        ScalingConfig: dict[str, Any] | None = None, **unsupported: Any,
    ) -> dict[str, Any]:
        function = self.function(FunctionName)
        self._authorize_function(call, "lambda:CreateEventSourceMapping", function)
        source = EventSourceArn or ""
        try:
            service = Arn.parse(source).service
        except ValueError:
            service = ""
        if service != "sqs":
            raise LambdaInvalidParameterValue("Unrecognized event source, must be SQS queue ARN")
        sqs: Any = self.runtime.service("sqs")
        record = sqs.queue_by_arn(source)
        if record is None:
            raise LambdaInvalidParameterValue(
                "Error occurred while ReceiveMessage. SQS Error Code: "
                "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified "
                "queue does not exist or you do not have access to it."
            )
        for existing in self.mappings.values():
            if existing.source_arn == source and existing.function_arn == function.arn:
                raise LambdaResourceConflict(
                    f'An event source mapping with SQS arn (" {source} ") and function '
                    f'(" {function.name} ") already exists. Please update or delete the '
                    f"existing mapping with UUID {existing.uuid}"
                )
        settings = self._check_settings(
            record.fifo, BatchSize if BatchSize is not None else 10,
            MaximumBatchingWindowInSeconds or 0, FunctionResponseTypes, FilterCriteria,
            ScalingConfig,
        )
        visibility = record.int_attribute("VisibilityTimeout")
        if visibility < function.timeout:
            # AWS refuses a mapping whose batches could reappear while the function still
            # works on them (it advises six times the function timeout, but enforces only this)
            raise LambdaInvalidParameterValue(
                f"Queue visibility timeout: {visibility} seconds is less than Function "
                f"timeout: {function.timeout} seconds"
            )
        self._check_role(call, function, record)
        uuid = self.runtime.ids.uuid()
        mapping = Mapping(
            uuid=uuid,
            arn=f"arn:aws:lambda:{self.runtime.region}:{self.runtime.account_id}:"
                f"event-source-mapping:{uuid}",
            source_arn=source, function_arn=function.arn, enabled=Enabled,
            last_modified=call.now, **settings,
        )
        self.mappings[uuid] = mapping
        self._start(mapping)
        return mapping.configuration()

    def _check_settings(
        self, fifo: bool, batch_size: int, window: int, response_types: list[str] | None,
        filter_criteria: dict[str, Any] | None, scaling: dict[str, Any] | None,
    ) -> dict[str, Any]:
        if not 1 <= batch_size <= 10_000 or (fifo and batch_size > 10):
            limit = 10 if fifo else 10_000
            raise LambdaInvalidParameterValue(
                f"BatchSize must be between 1 and {limit} for this event source."
            )
        if not 0 <= window <= 300:
            raise LambdaInvalidParameterValue(
                "MaximumBatchingWindowInSeconds must be between 0 and 300."
            )
        if batch_size > 10 and window < 1:
            raise LambdaInvalidParameterValue(
                "Maximum batch window in seconds must be greater than 0 if maximum batch size "
                "is greater than 10"
            )
        if fifo and window:
            raise LambdaInvalidParameterValue("Batching window is not supported for FIFO queues.")
        types = list(response_types or [])
        if any(t != "ReportBatchItemFailures" for t in types) or len(types) > 1:
            raise LambdaInvalidParameterValue(
                "FunctionResponseTypes must be [] or ['ReportBatchItemFailures']."
            )
        filters = []
        for item in (filter_criteria or {}).get("Filters") or []:
            try:
                pattern = json.loads(item.get("Pattern", ""))
                if not isinstance(pattern, dict):
                    raise PatternError("Filter pattern must be a JSON object")
                filters.append(compile_pattern(pattern))
            except (ValueError, PatternError) as err:
                raise LambdaInvalidParameterValue(
                    f"Invalid filter pattern definition. {err}"
                ) from None
        maximum = (scaling or {}).get("MaximumConcurrency")
        if maximum is not None and not 2 <= maximum <= 1000:
            raise LambdaInvalidParameterValue("MaximumConcurrency must be between 2 and 1000.")
        return {"batch_size": batch_size, "window": window, "response_types": types,
                "filter_criteria": filter_criteria or None, "filters": filters,
                "scaling": scaling or None}

    def _check_role(self, call: Call, function: Any, record: Any) -> None:
        """Lambda's creation-time check that the execution role can read the queue."""
        sqs: Any = self.runtime.service("sqs")
        probe = sqs.new_call("GetQueueAttributes", {}, self.role_caller(function))
        for action in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes"):
            try:
                sqs.authorize(probe, f"sqs:{action}", record.arn,
                              resource_policy=record.policy, resource_account=record.account)
            except AwsError as denied:
                if denied.status != 403:
                    raise
                raise LambdaInvalidParameterValue(
                    f"The provided execution role does not have permissions to call {action} "
                    "on SQS"
                ) from None

    def _mapping(self, uuid: str) -> Mapping:
        mapping = self.mappings.get(uuid)
        if mapping is None or mapping.state == "Deleting":
            raise LambdaResourceNotFound(_NOT_FOUND)
        return mapping

    def get_event_source_mapping(self, call: Call, UUID: str) -> dict[str, Any]:
        mapping = self._mapping(UUID)
        self.authorize(call, "lambda:GetEventSourceMapping", mapping.arn,
                       resource_account=self.runtime.account_id)
        return {**mapping.configuration(), "LastProcessingResult": mapping.last_result}

    def list_event_source_mappings(
        self, call: Call, EventSourceArn: str | None = None, FunctionName: str | None = None,
        Marker: str | None = None, MaxItems: int | None = None,
    ) -> dict[str, Any]:
        self.authorize(call, "lambda:ListEventSourceMappings", "*",
                       resource_account=self.runtime.account_id)
        function_arn = self.function(FunctionName).arn if FunctionName else None
        found = [
            {**m.configuration(), "LastProcessingResult": m.last_result}
            for m in self.mappings.values()
            if (EventSourceArn is None or m.source_arn == EventSourceArn)
            and (function_arn is None or m.function_arn == function_arn)
        ]
        start = int(Marker) if Marker and Marker.isdigit() else 0
        size = MaxItems or 100
        out: dict[str, Any] = {"EventSourceMappings": found[start:start + size]}
        if start + size < len(found):
            out["NextMarker"] = str(start + size)
        return out

    def update_event_source_mapping(
        self, call: Call, UUID: str, FunctionName: str | None = None,
        Enabled: bool | None = None, BatchSize: int | None = None,
        MaximumBatchingWindowInSeconds: int | None = None,
        FunctionResponseTypes: list[str] | None = None,
        FilterCriteria: dict[str, Any] | None = None,
        ScalingConfig: dict[str, Any] | None = None, **unsupported: Any,
    ) -> dict[str, Any]:
        mapping = self._mapping(UUID)
        self.authorize(call, "lambda:UpdateEventSourceMapping", mapping.arn,
                       resource_account=self.runtime.account_id)
        if mapping.state in ("Creating", "Updating"):
            raise LambdaResourceConflict(
                "The operation cannot be performed at this time. The event source mapping is "
                f"currently in the {mapping.state} state."
            )
        function = self.function(FunctionName) if FunctionName else None
        sqs: Any = self.runtime.service("sqs")
        record = sqs.queue_by_arn(mapping.source_arn)
        settings = self._check_settings(
            bool(record and record.fifo),
            mapping.batch_size if BatchSize is None else BatchSize,
            mapping.window if MaximumBatchingWindowInSeconds is None
            else MaximumBatchingWindowInSeconds,
            mapping.response_types if FunctionResponseTypes is None else FunctionResponseTypes,
            mapping.filter_criteria if FilterCriteria is None else FilterCriteria,
            mapping.scaling if ScalingConfig is None else ScalingConfig,
        )
        for name, value in settings.items():
            setattr(mapping, name, value)
        if function is not None:
            mapping.function_arn = function.arn
        if Enabled is not None:
            mapping.enabled = Enabled
        mapping.state = "Updating"
        mapping.last_modified = call.now
        self._wake(mapping)
        return mapping.configuration()

    def delete_event_source_mapping(self, call: Call, UUID: str) -> dict[str, Any]:
        mapping = self._mapping(UUID)
        self.authorize(call, "lambda:DeleteEventSourceMapping", mapping.arn,
                       resource_account=self.runtime.account_id)
        mapping.state = "Deleting"
        mapping.last_modified = call.now
        self._wake(mapping)
        return mapping.configuration()
