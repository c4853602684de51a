"""Check of lab 05's disabled key (05.6): three reports sealed, then the key disabled.

Messages already queued stay sealed under data keys of the key that was in use when they
were sent: only that key can unwrap them, so the one repair is to make it usable again
(cancel a scheduled deletion, then enable it) and keep the queue on it. A new key,
turning SSE off, or scheduling deletion each leave the reports unreadable, and each gets
its own tip (reference sheet kms-envelope.md).
"""

from __future__ import annotations

from typing import Any

from ....base.errors import AwsError
from ....services.sqs.encryption import SealedBody
from ....world import World
from ... import winterday as wd
from ...exercises import attempted, exercise, fail, require
from ...feedback import NotAttempted
from ..look import expect_world, messages, queue


def _state(world: World, key_arn: str) -> str:
    kms: Any = world.service("kms")
    kms.settle(world.clock.now)
    key = kms.keys.get(key_arn.rsplit("/", 1)[-1])
    return "deleted" if key is None else str(key.state)


@exercise("05.6", mistakes={
    "rerun": "Run the cells of part 6 from the top: the parser must have sent the three "
             "reports before the key was disabled.",
    "lost": "The three reports must stay in parse-jobs for the consumer: do not purge or "
            "receive them.",
    "new-key": "Messages already queued stay sealed under data keys of the old key: a new "
               "key cannot open them. Enable the old key.",
    "sse-off": "Turning SSE off does not decrypt what is stored. Enable the key.",
    "scheduled-deletion": "Scheduling deletion makes it worse: in 7 to 30 days the reports "
                          "are lost for good. Cancel the deletion (the key comes back "
                          "Disabled), then enable the key.",
    "still-disabled": "The key that sealed the stuck reports is still Disabled: only that "
                      "key can unwrap their data keys. Make it usable again (EnableKey takes "
                      "the key id or ARN, not an alias).",
    "left-key": "Snowy's key works again, but parse-jobs no longer seals new jobs with it: "
                "set its KmsMasterKeyId back to alias/winterday-reports (requirement 1).",
})
def pipeline_restored(world: Any, stuck: Any) -> str:
    world = expect_world(world)
    attempted(stuck)
    wanted = {str(m) for m in stuck or []}
    require(wanted, "no reports got stuck, so there is nothing to restore", "rerun")
    record = queue(world, wd.QUEUE)
    found = [m for m in messages(world, record) if world.sqs.message_id(m) in wanted] \
        if record is not None else []
    if len(found) < len(wanted):
        fail(f"{len(wanted) - len(found)} of the {len(wanted)} stuck reports are gone from "
             f"{wd.QUEUE}", "lost")
    sealed = [m.body for m in found if isinstance(m.body, SealedBody)]
    key_arn = sealed[0].data_key.key_arn if sealed else None
    state = _state(world, key_arn) if key_arn else "Enabled"
    configured = record.attributes.get("KmsMasterKeyId", "") if record is not None else ""
    kms_service: Any = world.service("kms")
    try:
        now_key = kms_service.find_key(configured).arn if configured else ""
    except AwsError:
        now_key = configured
    if state == "Enabled":
        unreadable = [m for m in found if _unreadable(world, m)]
        require(not unreadable, f"{len(unreadable)} stuck reports still cannot be opened")
        if now_key != key_arn:
            fail(f"{wd.QUEUE} now seals with {configured or 'no KMS key'}", "left-key")
        return "the key is enabled again and the stuck reports can be read: nothing was lost"
    if state in ("PendingDeletion", "deleted"):
        fail("the key is scheduled for deletion", "scheduled-deletion")
    if not configured:
        fail("SSE is off, and the stuck reports are still sealed under the disabled key",
             "sse-off")
    if now_key != key_arn:
        fail("the queue now uses another key, and the stuck reports are still sealed under "
             "the disabled one", "new-key")
    if _tried_since_disabled(world):
        fail(f"Snowy's key is {state}", "still-disabled")
    raise NotAttempted()


#: calls that show a learner tried something after the key was disabled
REPAIRS = frozenset({"EnableKey", "CancelKeyDeletion", "ScheduleKeyDeletion", "CreateKey",
                     "PutKeyPolicy", "CreateAlias", "UpdateAlias", "SetQueueAttributes",
                     "CreateQueue"})


def _tried_since_disabled(world: World) -> bool:
    """Whether anybody made (or tried) a repair call after the last DisableKey."""
    events = list(world.trail)
    disabled = [i for i, e in enumerate(events) if e.name == "DisableKey" and not e.error_code]
    return bool(disabled) and any(e.name in REPAIRS for e in events[disabled[-1] + 1:])


def _unreadable(world: World, message: Any) -> bool:
    try:
        world.sqs.peek_body(message)
    except AwsError:
        return True
    return False
