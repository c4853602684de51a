"""The limit: the least work any queue engine written in Python can do per message.

An at-least-once queue must keep waiting messages in arrival order and remember the
ones it handed out until they are deleted. :class:`DequeQueue` does exactly that
with a ``deque`` of ``(id, body)`` tuples and a dict of messages in flight, and
nothing else: no visibility timeouts, delays, retention, receipts or counts. No
faithful engine can beat it, so "sqskit's engine / this" says how much of Python's
ceiling the engine keeps.
"""

from __future__ import annotations

from collections import deque


class DequeQueue:
    """A FIFO of ``(id, body)`` with an in-flight table; ids are a counter."""

    __slots__ = ("_inflight", "_next_id", "_ready")

    def __init__(self) -> None:
        self._ready: deque[tuple[int, str]] = deque()
        self._inflight: dict[int, tuple[int, str]] = {}
        self._next_id = 0

    def send(self, body: str) -> int:
        self._next_id += 1
        self._ready.append((self._next_id, body))
        return self._next_id

    def receive(self, max_messages: int = 1) -> list[tuple[int, str]]:
        ready, inflight = self._ready, self._inflight
        taken: list[tuple[int, str]] = []
        while ready and len(taken) < max_messages:
            message = ready.popleft()
            inflight[message[0]] = message
            taken.append(message)
        return taken

    def delete(self, message_id: int) -> bool:
        return self._inflight.pop(message_id, None) is not None

    def __len__(self) -> int:
        return len(self._ready) + len(self._inflight)

    def __repr__(self) -> str:
        return f"<DequeQueue ready={len(self._ready)} in_flight={len(self._inflight)}>"
