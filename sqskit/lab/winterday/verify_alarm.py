"""Lab 10's verification, requirement 7: an alarm tells pipeline-alarms within 5 minutes
of a job landing in the dead-letter queue.

An alarm is judged by when it would really fire, whatever metric and settings it uses:
a copy of it is fed a story (``checks/alarms.py``), one datapoint a minute as the
dead-letter queue publishes them: the queue empty for ten minutes, then one job lands
(at the top of a minute) and stays. Each metric of the queue tells that story its own
way (reference sheet cloudtrail-cloudwatch.md, section 6):

* ``ApproximateNumberOfMessagesVisible`` goes from 0 to 1;
* ``ApproximateAgeOfOldestMessage`` counts from the move, so it grows by 60 seconds a
  minute from the landing: an age alarm fires once the job is as old as its threshold
  (an alarm at 86400 seconds would speak up a day late);
* the metrics of calls (``NumberOfMessagesSent`` and the like) stay 0: a job SQS moves
  there by redrive is no call on the queue.

The alarm must stay out of ALARM while the queue is empty, and reach ALARM at most 5
minutes after the job lands (the bound of lab 08's DLQ alarm), Maximum or Average,
``>`` 0 or ``>=`` 1, a period of 60 seconds or of 300. When a job did land in the run
and has been there 5 minutes, the world's own alarm must also be in ALARM; either way it
must notify pipeline-alarms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .capstone import Run
from .story import DEAD_LETTER_QUEUE, topic_arn

#: requirement 7's bound: from the job landing to the alarm in ALARM
ALARM_WITHIN_MINUTES = 5
QUIET_MINUTES = 10  # the story: the queue empty this long, then one job lands
LANDED_MINUTES = 15  # and stays this long

#: the metrics of a queue's API calls: a job that SQS moves to a dead-letter queue by
#: redrive is no call on that queue, so none of them counts it (reference sheet
#: cloudtrail-cloudwatch.md: NumberOfMessagesSent leaves out redrive moves)
CALL_METRICS = frozenset({"NumberOfMessagesSent", "SentMessageSize", "NumberOfMessagesReceived",
                          "NumberOfMessagesDeleted", "NumberOfEmptyReceives"})
#: the metrics that stay 0 when a job lands by redrive (SentMessageSize has no datapoint)
STILL_ZERO = (CALL_METRICS - {"SentMessageSize"}) | {
    "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"}


def story(metric: str) -> tuple[list[float | None], str]:
    """What ``metric`` of the dead-letter queue publishes, minute by minute, and its unit.

    The datapoint of a minute is the queue as it stands at the minute's end, so the age
    after the job's first minute is 60 seconds. SentMessageSize has no datapoint in a
    minute without sends; a metric SQS does not publish has none at all.
    """
    quiet: list[float | None] = [0.0] * QUIET_MINUTES
    landed = range(1, LANDED_MINUTES + 1)
    if metric == "ApproximateNumberOfMessagesVisible":
        return quiet + [1.0 for _ in landed], "Count"
    if metric == "ApproximateAgeOfOldestMessage":
        return quiet + [60.0 * minutes for minutes in landed], "Seconds"
    if metric in STILL_ZERO:
        return quiet + [0.0 for _ in landed], "Count"
    return [None] * (QUIET_MINUTES + LANDED_MINUTES), "None"


@dataclass(frozen=True)
class Replayed:
    """How an alarm took the story: in ALARM while the queue was empty, and when it fired."""

    alarm: Any
    in_alarm_while_empty: bool
    minutes: int | None  # from the landing to ALARM; None: not in LANDED_MINUTES

    @property
    def in_time(self) -> bool:
        return not self.in_alarm_while_empty and self.minutes is not None \
            and self.minutes <= ALARM_WITHIN_MINUTES

    def why_not(self) -> str:
        """Why this alarm does not meet the requirement (for the evidence)."""
        name = f"{self.alarm.name} ({_settings(self.alarm)})"
        if self.in_alarm_while_empty:
            return f"{name} is in ALARM while {DEAD_LETTER_QUEUE} is still empty"
        if self.minutes is None:
            return (f"one job in {DEAD_LETTER_QUEUE} would not set off {name} in "
                    f"{LANDED_MINUTES} minutes{_blind([self.alarm])}")
        return (f"{name} would go to ALARM {self.minutes} minutes after a job lands in "
                f"{DEAD_LETTER_QUEUE}: more than {ALARM_WITHIN_MINUTES}")


def replayed(alarm: Any) -> Replayed:
    from ..checks.alarms import replay

    values, unit = story(alarm.metric.name)
    states = replay(alarm, values, unit)
    after = states[QUIET_MINUTES:]
    minutes = after.index("ALARM") + 1 if "ALARM" in after else None
    return Replayed(alarm, "ALARM" in states[:QUIET_MINUTES], minutes)


def _settings(alarm: Any) -> str:
    from ...monitoring.evaluation import COMPARISONS

    return (f"{alarm.statistic} of {alarm.metric.name} {COMPARISONS[alarm.comparison][1]} "
            f"{alarm.threshold:g}")


def _blind(alarms: list[Any]) -> str:
    """Why the alarms on call metrics cannot see a redriven job ('' if none is)."""
    blind = sorted({a.metric.name for a in alarms if a.metric.name in CALL_METRICS})
    return (f" ({', '.join(blind)} counts calls on the queue; a job SQS moves there by "
            "redrive is no call, so it is not counted)") if blind else ""


def _landed(run: Run) -> float | None:
    """When the first job still in the dead-letter queue landed there (None: none did)."""
    dead = run.world.sqs.queues.get(DEAD_LETTER_QUEUE)
    return None if dead is None else dead.engine.oldest_arrival(run.world.clock.now)


def dlq_alarm(run: Run) -> tuple[bool, str]:
    book = run.world.cloudwatch.book
    watching = [a for a in book.alarms.values()
                if dict(a.metric.dimensions).get("QueueName") == DEAD_LETTER_QUEUE]
    if not watching:
        return False, f"no alarm watches {DEAD_LETTER_QUEUE}"
    landed = _landed(run)
    if landed is not None:  # what happened: a job waits in the DLQ
        waited = math.floor((run.world.clock.now - landed) / 60)
        if waited >= ALARM_WITHIN_MINUTES and not any(a.state == "ALARM" for a in watching):
            names = ", ".join(f"{a.name} ({_settings(a)}: {a.state})" for a in watching)
            return False, (f"a job has been in the DLQ for {waited} minutes and no alarm "
                           f"fired: {names}{_blind(watching)}")
    replays = [replayed(a) for a in watching]
    in_time = [r for r in replays if r.in_time]
    if not in_time:
        return False, replays[0].why_not()
    told = [r for r in in_time if topic_arn() in r.alarm.alarm_actions]
    if not told:
        name = in_time[0].alarm.name
        return False, f"{name} fires but tells nobody ({topic_arn()} is no action)"
    alarm, minutes = told[0].alarm, told[0].minutes
    if landed is not None and alarm.state == "ALARM":
        took = max(1, math.ceil((alarm.state_updated_at - landed) / 60))
        how = f"went to ALARM {_minutes(took)} after the job landed"
    else:
        how = (f"would go to ALARM {_minutes(minutes)} after a job lands"
               + ("" if landed is not None else " (none reached the DLQ in this run)"))
    return True, f"{alarm.name} {how} and notifies {topic_arn().rsplit(':', 1)[-1]}"


def _minutes(count: int | None) -> str:
    return f"{count} minute{'s' * (count != 1)}"
