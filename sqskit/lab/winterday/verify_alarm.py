"""Lab 10's verification, requirement 7: an alarm tells pipeline-alarms when a job lands in
the dead-letter queue.

When a job reached the dead-letter queue in the run, an alarm watching it must be in
ALARM; when none did (requirement 6 broken), an arrival is replayed through a copy of
each alarm (``checks/alarms.py``). Alarms on the metrics of calls never see a redriven
job, and the evidence says why.
"""

from __future__ import annotations

from typing import Any

from .capstone import Run
from .story import DEAD_LETTER_QUEUE, topic_arn

#: the metrics of a queue's API calls: a job that SQS moves to a dead-letter queue by
#: redrive is no call on that queue, so none of them counts it (reference sheet
#: cloudtrail-cloudwatch.md: NumberOfMessagesSent leaves out redrive moves)
CALL_METRICS = frozenset({"NumberOfMessagesSent", "SentMessageSize", "NumberOfMessagesReceived",
                          "NumberOfMessagesDeleted", "NumberOfEmptyReceives"})


def _blind(alarms: list[Any]) -> str:
    """Why the alarms on call metrics cannot see a redriven job ('' if none is)."""
    blind = sorted({a.metric.name for a in alarms if a.metric.name in CALL_METRICS})
    return (f" ({', '.join(blind)} counts calls on the queue; a job SQS moves there by "
            "redrive is no call, so it is not counted)") if blind else ""


def dlq_alarm(run: Run) -> tuple[bool, str]:
    book = run.world.cloudwatch.book
    watching = [a for a in book.alarms.values()
                if dict(a.metric.dimensions).get("QueueName") == DEAD_LETTER_QUEUE]
    if not watching:
        return False, f"no alarm watches {DEAD_LETTER_QUEUE}"
    dead = run.world.sqs.queues.get(DEAD_LETTER_QUEUE)
    if dead is not None and len(dead.engine):
        fired = [a for a in watching if a.state == "ALARM"]
        if not fired:
            names = ", ".join(f"{a.name} ({a.metric.name}: {a.state})" for a in watching)
            return False, f"a job is in the DLQ and no alarm fired: {names}{_blind(watching)}"
        how = "went to ALARM"
    else:  # no job reached the DLQ in this run (requirement 6): replay an arrival instead
        from ..checks.alarms import replay

        fired = [a for a in watching if a.metric.name not in CALL_METRICS
                 and "ALARM" in replay(a, [0.0] * 6 + [1.0] * 5)]
        if not fired:
            return False, (f"one job in {DEAD_LETTER_QUEUE} would not set off "
                           f"{watching[0].name}{_blind(watching)}")
        how = "would go to ALARM for one job (none reached the DLQ in this run)"
    told = [a for a in fired if topic_arn() in a.alarm_actions]
    if not told:
        return False, f"{fired[0].name} fires but tells nobody ({topic_arn()} is no action)"
    return True, f"{told[0].name} {how} and notifies {topic_arn().rsplit(':', 1)[-1]}"
