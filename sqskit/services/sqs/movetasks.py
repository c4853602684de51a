"""Message move tasks: StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask.

A move task redrives a dead-letter queue: it moves its messages back to the queues
they came from (their ``DeadLetterQueueSourceArn``) or into one chosen queue, at
``MaxNumberOfMessagesPerSecond`` (at most 500). The moving itself is
:class:`sqskit.engine.redrive.MessageMove`; this module gives it the API, a timer on
the world's clock (one step per virtual second, so ``world.clock.advance(10)`` moves
ten seconds' worth) and AWS's errors (recorded against AWS unless marked):

* the source must exist (ResourceNotFoundException "The resource that you specified
  for the SourceArn parameter doesn't exist.") and be some queue's dead-letter queue
  (InvalidParameterValue "Source queue must be configured as a Dead Letter Queue.");
* a given destination must exist (ResourceNotFoundException, ``DestinationArn``) and,
  sqskit's rule, be of the source's type (a standard message has no group to enter a
  FIFO queue with);
* one running task per source ("There is already a task running. Only one active task
  is allowed for a source queue arn at a given time.");
* a task handle is base64 JSON of the task id and source ARN; a malformed one is
  "Value for parameter TaskHandle is invalid.", an unknown source or task
  ResourceNotFoundException; only a RUNNING task can be cancelled (sqskit answers
  "Task does not exist." for the others, AWS's wording for that case is unverified);
* a task whose destination disappears fails with FailureReason
  ``AWS.SimpleQueueService.NonExistentQueue``.

Simplified: with no rate given AWS picks one ("system optimized"); sqskit moves 500
messages a second. Cancelling is immediate (AWS passes through CANCELLING). The
36-hour limit on a task and the 100 active tasks per account are not modelled. A
moved body is stored as it was, so a message keeps the encryption it had.
IAM: each call checks the actions AWS lists for it (reference iam-policy-evaluation.md
section 4) on the dead-letter queue, and ``sqs:SendMessage`` on the destinations.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from typing import Any

from ...base.clock import Timer
from ...base.errors import ResourceNotFoundException, SqsInvalidParameterValue, invalid_value
from ...engine.message import Message
from ...engine.queue import Queue
from ...engine.redrive import NON_EXISTENT_QUEUE, RUNNING, MessageMove, Route
from ..base import Call, Runtime
from .messaging import check_range
from .queues import QueueRecord
from .redrive import RedriveActions

MAX_RATE = 500
DEFAULT_RATE = 500  # AWS optimises the rate itself when none is given
MAX_LIST_RESULTS = 10
SOURCE_MISSING = "The resource that you specified for the SourceArn parameter doesn't exist."
DESTINATION_MISSING = (
    "The resource that you specified for the DestinationArn parameter doesn't exist."
)


@dataclass(eq=False)
class MoveTask:
    """One StartMessageMoveTask: who asked for what, and the move doing it."""

    task_id: str
    source_arn: str
    destination_arn: str | None
    requested_rate: int | None
    move: MessageMove
    timer: Timer | None = None

    @property
    def handle(self) -> str:
        document = {"taskId": self.task_id, "sourceArn": self.source_arn}
        return base64.b64encode(json.dumps(document, separators=(",", ":")).encode()).decode()

    def describe(self) -> dict[str, Any]:
        """This task as a ListMessageMoveTasks result entry."""
        move = self.move
        entry: dict[str, Any] = {
            "Status": move.status,
            "SourceArn": self.source_arn,
            "ApproximateNumberOfMessagesMoved": move.moved,
            "ApproximateNumberOfMessagesToMove": move.to_move,
            "StartedTimestamp": math.floor(move.started_at * 1000),
        }
        if move.status == RUNNING:
            entry["TaskHandle"] = self.handle
        if self.destination_arn is not None:
            entry["DestinationArn"] = self.destination_arn
        if self.requested_rate is not None:
            entry["MaxNumberOfMessagesPerSecond"] = self.requested_rate
        if move.failure is not None:
            entry["FailureReason"] = move.failure
        return entry

    def __repr__(self) -> str:
        return f"<MoveTask {self.task_id} {self.move!r}>"


def decode_handle(handle: str) -> tuple[str, str] | None:
    """``(task id, source ARN)`` from a task handle, or None if it is not one."""
    try:
        document = json.loads(base64.b64decode(handle.encode(), validate=True))
        return str(document["taskId"]), str(document["sourceArn"])
    except (ValueError, KeyError, TypeError):
        return None


class MoveTaskActions(RedriveActions):
    """Message move tasks for :class:`~sqskit.services.sqs.service.SqsService`."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        #: dead-letter queue ARN -> its tasks, oldest first
        self.move_tasks: dict[str, list[MoveTask]] = {}

    def _authorize_all(self, call: Call, actions: tuple[str, ...], record: QueueRecord) -> None:
        for action in actions:
            self._authorize_queue(call, action, record)

    # -- StartMessageMoveTask ------------------------------------------------------------------
    def start_message_move_task(
        self, call: Call, SourceArn: str, DestinationArn: str | None = None,
        MaxNumberOfMessagesPerSecond: int | None = None,
    ) -> dict[str, Any]:
        source = self.queue_by_arn(SourceArn)
        if source is None:
            raise ResourceNotFoundException(SOURCE_MISSING)
        self._authorize_all(call, ("sqs:StartMessageMoveTask", "sqs:ReceiveMessage",
                                   "sqs:DeleteMessage", "sqs:GetQueueAttributes"), source)
        check_range("MaxNumberOfMessagesPerSecond", MaxNumberOfMessagesPerSecond, 1, MAX_RATE,
                    f"Must be between 1 and {MAX_RATE}, if provided")
        sources = self.dead_letter_sources(source)
        if not sources:
            raise SqsInvalidParameterValue(
                "Source queue must be configured as a Dead Letter Queue."
            )
        if DestinationArn is not None:
            destination = self.queue_by_arn(DestinationArn)
            if destination is None:
                raise ResourceNotFoundException(DESTINATION_MISSING)
            if destination.fifo != source.fifo:
                raise invalid_value("DestinationArn", DestinationArn,
                                    "The destination must be of the same queue type as the source")
            sources = [destination]
        for target in sources:
            self._authorize_queue(call, "sqs:SendMessage", target)
        tasks = self.move_tasks.setdefault(SourceArn, [])
        if any(task.move.status == RUNNING for task in tasks):
            raise SqsInvalidParameterValue(
                "There is already a task running. Only one active task is allowed for a source "
                "queue arn at a given time."
            )
        move = MessageMove.start(
            source.engine, call.now, MaxNumberOfMessagesPerSecond or DEFAULT_RATE,
            self._router(DestinationArn), self._renew,
        )
        task = MoveTask(self.runtime.ids.uuid(), SourceArn, DestinationArn,
                        MaxNumberOfMessagesPerSecond, move)
        tasks.append(task)
        self._schedule(task, call.now + 1)
        return {"TaskHandle": task.handle}

    def _router(self, destination_arn: str | None) -> Route:
        def route(message: Message) -> Queue | None:
            arn = destination_arn or message.source_arn
            record = self.queue_by_arn(arn) if arn else None
            return record.engine if record is not None else None
        return route

    def _renew(self, old: Message, destination: Queue, now: float) -> Message:
        """The new message a move sends: same content, a new id, a fresh start."""
        return Message(
            self.runtime.ids.counter("message"), old.body, now,
            attributes=old.attributes, sender_id=old.sender_id, system=old.system,
            group_id=old.group_id,
            dedup_id=(old.dedup_id or self.message_id(old)) if destination.fifo else None,
        )

    def _schedule(self, task: MoveTask, when: float) -> None:
        task.timer = self.runtime.clock.call_at(
            when, lambda: self._step(task), label=f"message move task {task.task_id}"
        )

    def _step(self, task: MoveTask) -> None:
        task.timer = None
        source = self.queue_by_arn(task.source_arn)
        if source is None or source.engine is not task.move.source:
            task.move.fail(NON_EXISTENT_QUEUE)
            return
        if task.destination_arn is not None and self.queue_by_arn(task.destination_arn) is None:
            task.move.fail(NON_EXISTENT_QUEUE)
            return
        self._link_dead_letter(source)  # the dead-letter queue's own policy, as it is now
        upcoming = task.move.step(self.runtime.clock.now)
        if upcoming is not None:
            self._schedule(task, upcoming)

    # -- ListMessageMoveTasks / CancelMessageMoveTask -------------------------------------------
    def list_message_move_tasks(
        self, call: Call, SourceArn: str, MaxResults: int | None = None
    ) -> dict[str, Any]:
        source = self.queue_by_arn(SourceArn)
        if source is None:
            raise ResourceNotFoundException(SOURCE_MISSING)
        self._authorize_all(call, ("sqs:ListMessageMoveTasks", "sqs:GetQueueAttributes"), source)
        check_range("MaxResults", MaxResults, 1, MAX_LIST_RESULTS,
                    f"Must be between 1 and {MAX_LIST_RESULTS}, if provided")
        newest_first = self.move_tasks.get(SourceArn, [])[::-1][: MaxResults or 1]
        return {"Results": [task.describe() for task in newest_first]} if newest_first else {}

    def cancel_message_move_task(self, call: Call, TaskHandle: str) -> dict[str, Any]:
        decoded = decode_handle(TaskHandle)
        if decoded is None:
            raise SqsInvalidParameterValue("Value for parameter TaskHandle is invalid.")
        task_id, source_arn = decoded
        source = self.queue_by_arn(source_arn)
        if source is None:
            raise ResourceNotFoundException(SOURCE_MISSING)
        self._authorize_all(call, ("sqs:CancelMessageMoveTask", "sqs:ReceiveMessage",
                                   "sqs:DeleteMessage", "sqs:GetQueueAttributes"), source)
        task = next((t for t in self.move_tasks.get(source_arn, []) if t.task_id == task_id), None)
        if task is None or task.move.status != RUNNING:
            raise ResourceNotFoundException("Task does not exist.")
        task.move.cancel()
        if task.timer is not None:
            task.timer.cancel()
            task.timer = None
        return {"ApproximateNumberOfMessagesMoved": task.move.moved}
