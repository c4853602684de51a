"""The standard-queue engine against a tiny reference model, under random operations.

Hypothesis drives sends (with and without delay), receives (with and without a
visibility override), deletes and visibility changes with any receipt handle ever
issued (stale ones included), and clock advances. After every step the engine must
agree with the model: no message lost or invented, none delivered while invisible or
twice in one receive, only the newest handle acting, the 12-hour cap enforced, and
the visible / in-flight / delayed counters equal to the model's.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    precondition,
    rule,
)

from sqskit.engine.message import Message
from sqskit.engine.queue import (
    MAX_VISIBILITY,
    Queue,
    QueueSettings,
    StaleReceipt,
    VisibilityBeyondLimit,
)

VISIBILITY = 30
RETENTION = 600


@dataclass
class Expected:
    """What the model knows about one message."""

    seq: int
    sent_at: int
    visible_at: int
    receives: int = 0
    received_at: int | None = None
    gone: bool = False

    def state(self, now: int) -> str:
        if self.gone:
            return "gone"
        if self.visible_at <= now:
            return "visible"
        return "in flight" if self.receives else "delayed"


class StandardQueueMachine(RuleBasedStateMachine):
    """Random traffic on one standard queue, checked step by step against the model."""

    receipts = Bundle("receipts")

    def __init__(self) -> None:
        super().__init__()
        self.queue = Queue("model", QueueSettings(VISIBILITY, 0, RETENTION))
        self.now = 0
        self.seq = 0
        self.model: dict[int, Expected] = {}

    # -- the model's own clock rules --------------------------------------------------------
    def expire(self) -> None:
        for expected in self.model.values():
            if not expected.gone and self.now - expected.sent_at >= RETENTION:
                expected.gone = True

    def live(self) -> list[Expected]:
        self.expire()
        return [e for e in self.model.values() if not e.gone]

    # -- rules --------------------------------------------------------------------------------
    @rule(delay=st.one_of(st.none(), st.integers(0, 120)))
    def send(self, delay: int | None) -> None:
        self.seq += 1
        self.queue.send(self.now, Message(self.seq, f"m{self.seq}", self.now), delay)
        self.model[self.seq] = Expected(self.seq, self.now, self.now + (delay or 0))

    @rule(
        target=receipts,
        limit=st.integers(1, 10),
        visibility=st.one_of(st.none(), st.integers(0, 90)),
    )
    def receive(self, limit: int, visibility: int | None):
        visible = [e for e in self.live() if e.visible_at <= self.now]
        got = self.queue.receive(self.now, limit, visibility)
        seqs = [m.seq for m in got]
        assert len(seqs) == len(set(seqs)), f"a message was delivered twice: {seqs}"
        assert len(got) == min(limit, len(visible)), "a visible message was not delivered"
        allowed = {e.seq for e in visible}
        assert set(seqs) <= allowed, f"delivered while invisible: {set(seqs) - allowed}"
        handles = []
        for message in got:
            expected = self.model[message.seq]
            expected.receives += 1
            expected.received_at = self.now
            expected.visible_at = self.now + (VISIBILITY if visibility is None else visibility)
            assert message.receive_count == expected.receives
            handles.append((message.seq, expected.receives))
        return multiple(*handles)

    @rule(receipt=receipts)
    def delete(self, receipt: tuple[int, int]) -> None:
        seq, serial = receipt
        expected = self.model[seq]
        self.expire()
        acts = not expected.gone and expected.receives == serial
        assert self.queue.delete(self.now, seq, serial) is acts
        if acts:
            expected.gone = True

    @rule(
        receipt=receipts,
        timeout=st.one_of(
            st.sampled_from([0, 1, 30]), st.integers(0, 60),
            st.integers(MAX_VISIBILITY - 200, MAX_VISIBILITY),
        ),
    )
    def change_visibility(self, receipt: tuple[int, int], timeout: int) -> None:
        seq, serial = receipt
        expected = self.model[seq]
        self.expire()
        try:
            self.queue.change_visibility(self.now, seq, serial, timeout)
        except StaleReceipt:
            assert expected.gone or expected.receives != serial
            return
        except VisibilityBeyondLimit:
            assert expected.received_at is not None
            assert self.now - expected.received_at + timeout > MAX_VISIBILITY
            return
        assert not expected.gone and expected.receives == serial
        assert expected.received_at is not None
        assert self.now - expected.received_at + timeout <= MAX_VISIBILITY
        expected.visible_at = self.now + timeout

    @rule(receipt=receipts)
    def release(self, receipt: tuple[int, int]) -> None:
        """ChangeMessageVisibility to 0, the common "give it back" call."""
        self.change_visibility(receipt, 0)

    @rule(seconds=st.one_of(st.sampled_from([0, 1, 30]), st.integers(0, 150)))
    def advance(self, seconds: int) -> None:
        self.now += seconds

    @precondition(lambda self: self.now > 0)
    @rule()
    def purge(self) -> None:
        live = len(self.live())
        assert self.queue.purge(self.now) == live
        for expected in self.model.values():
            expected.gone = True

    # -- what must always hold ---------------------------------------------------------------
    @invariant()
    def counters_match_the_model(self) -> None:
        states = [e.state(self.now) for e in self.live()]
        expected = (states.count("visible"), states.count("in flight"), states.count("delayed"))
        assert self.queue.counts(self.now) == expected
        assert len(self.queue) == len(states)

    @invariant()
    def every_live_message_is_still_held(self) -> None:
        held = {m.seq for m in self.queue.messages()}
        assert held == {e.seq for e in self.live()}


StandardQueueMachine.TestCase.settings = settings(
    max_examples=300, stateful_step_count=30, deadline=None, database=None, derandomize=True
)
TestStandardQueueAgainstTheModel = StandardQueueMachine.TestCase
TestStandardQueueAgainstTheModel.__doc__ = (
    "Random sends, receives, deletes, visibility changes and clock advances agree with "
    "the reference model (no loss, no delivery while invisible, consistent counters)."
)
