"""Watching a world: what the views need to stay current and to tell a message's story.

A :class:`Watcher` hooks into a world in two documented places and changes nothing
about what the world does:

* the audit sink (``world.audit``), which sees every API call and its outcome: the
  watcher wraps whatever sink is there and passes every record on unchanged, then
  tells its views that something happened;
* each queue engine's ``observer`` callback, which reports what happens to a message
  (sent, received, returned when its visibility timeout ends, deleted, expired,
  moved to a dead-letter queue): the watcher keeps these :class:`EngineEvent` records
  (the last :data:`MAX_EVENTS`) for the message timeline, chaining to any observer
  that was already installed.

Views register with :meth:`Watcher.subscribe` and are held weakly. They refresh after
each call a learner's code makes (every call while queues are small, every
:data:`BUSY_STRIDE` calls once they hold more than :data:`BUSY_MESSAGES`; a view that is
costly to draw says ``per_call = False`` and skips these), when a clock control moves
time, and after each notebook cell (an IPython ``post_run_cell`` hook), which catches a
learner's own ``world.clock.advance(...)``. Calls made inside clock
timers (simulated printers) do not refresh the views one by one: the views catch up
when the clock stops. Events before the watcher existed are not known.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..engine.message import Message

if TYPE_CHECKING:
    from ..base.errors import AwsError
    from ..services.base import AuditSink, Call
    from ..world import World

MAX_EVENTS = 100_000
MAX_VIEWS = 12  # views refreshed per world: the newest ones (re-run cells leave old ones)
BUSY_MESSAGES = 500  # above this many messages, views refresh every BUSY_STRIDE calls
BUSY_STRIDE = 100


@dataclass(frozen=True)
class EngineEvent:
    """One thing that happened to one message in one queue, as the engine reported it."""

    at: float
    queue: str
    event: str
    seq: int
    receive_count: int
    visible_at: float

    def __repr__(self) -> str:
        return f"<EngineEvent {self.event} #{self.seq} in {self.queue} at {self.at:g}>"


class _Tee:
    """An audit sink that passes every record on, then tells the watcher."""

    def __init__(self, inner: AuditSink, watcher: Watcher) -> None:
        self.inner = inner
        self.watcher = weakref.ref(watcher)

    def record(self, call: Call, result: dict[str, Any] | None, error: AwsError | None) -> None:
        self.inner.record(call, result, error)
        watcher = self.watcher()
        if watcher is not None:
            watcher.after_call(call)

    def __getattr__(self, name: str) -> Any:  # the trail's own methods stay reachable
        return getattr(self.inner, name)

    def __repr__(self) -> str:
        return f"<watched {self.inner!r}>"


def _is_ours(observer: object) -> bool:
    return bool(getattr(observer, "_sqskit_lab", False))


class Watcher:
    """Follows one world for the lab views (see the module docstring)."""

    def __init__(self, world: World) -> None:
        self.world: World = weakref.proxy(world)  # a view must not keep a world alive
        self.events: deque[EngineEvent] = deque(maxlen=MAX_EVENTS)
        self.message_ids: dict[str, int] = {}  # MessageId -> seq
        self._listeners: list[weakref.ref[Any]] = []
        self._calls_since_refresh = 0
        self._observed: dict[str, Any] = {}  # queue name -> engine we observe
        world.audit = _Tee(world.audit, self)
        self.attach_queues()
        _WATCHERS.add(self)

    # -- following the queues ----------------------------------------------------------------
    def attach_queues(self) -> None:
        """Observe every queue of the world (new ones are picked up after each call)."""
        for name, record in self.world.sqs.queues.items():
            engine = record.engine
            if self._observed.get(name) is engine and _is_ours(engine.observer):
                continue
            engine.observer = self._observer_for(name, engine.observer)
            self._observed[name] = engine

    def _observer_for(
        self, queue: str, previous: Callable[[str, Message, float], None] | None
    ) -> Callable[[str, Message, float], None]:
        def observe(event: str, message: Message, now: float) -> None:
            if previous is not None:
                previous(event, message, now)
            if event == "sent":
                self.message_ids[self.world.sqs.message_id(message)] = message.seq
            self.events.append(EngineEvent(
                now, queue, event, message.seq, message.receive_count, message.visible_at
            ))

        observe._sqskit_lab = 1  # type: ignore[attr-defined]
        return observe

    def settle(self) -> None:
        """Bring every queue up to now, so lazily computed events are recorded."""
        now = self.world.clock.now
        for record in self.world.sqs.queues.values():
            record.engine.counts(now)

    # -- telling the views -------------------------------------------------------------------
    def subscribe(self, view: Any) -> None:
        """Call ``view.refresh()`` whenever the world changes (the newest MAX_VIEWS views).

        Views are held weakly. ipywidgets keeps every widget alive until it is closed, so
        re-running a cell leaves the old view behind; only the newest views are kept
        current, which bounds the cost of a call however often cells are re-run.
        """
        self._listeners = [*self._listeners, weakref.ref(view)][-MAX_VIEWS:]

    def after_call(self, call: Call) -> None:
        self.attach_queues()
        if self.world.clock.in_timer:
            return  # a simulation step: the views refresh once the clock stops moving
        self._calls_since_refresh += 1
        total = sum(len(r.engine) for r in self.world.sqs.queues.values())
        if total < BUSY_MESSAGES or self._calls_since_refresh >= BUSY_STRIDE:
            self.changed(per_call=True)

    def changed(self, *, per_call: bool = False) -> None:
        """Refresh every live view now (after a single call: only views that want that;
        a view with ``per_call = False``, costly to draw, waits for the cell to end)."""
        self._calls_since_refresh = 0
        alive = []
        for ref in self._listeners:
            view = ref()
            if view is not None and getattr(view, "comm", True) is not None:
                alive.append(ref)
                if not per_call or getattr(view, "per_call", True):
                    view.refresh()
        self._listeners = alive

    def __repr__(self) -> str:
        return f"<Watcher {len(self._observed)} queues, {len(self.events)} events>"


_BY_WORLD: weakref.WeakKeyDictionary[Any, Watcher] = weakref.WeakKeyDictionary()
_WATCHERS: weakref.WeakSet[Watcher] = weakref.WeakSet()
_HOOKED = False


def watch(world: World) -> Watcher:
    """The watcher of ``world`` (installed on first use)."""
    found = _BY_WORLD.get(world)
    if found is None:
        found = _BY_WORLD[world] = Watcher(world)
        _hook_notebook()
    return found


def _after_cell(*_: Any) -> None:
    for watcher in list(_WATCHERS):
        try:
            watcher.attach_queues()
            watcher.changed()
        except ReferenceError:  # its world is gone
            _WATCHERS.discard(watcher)


def _hook_notebook() -> None:
    """Refresh views after every notebook cell (once per kernel; no-op outside IPython)."""
    global _HOOKED
    if _HOOKED:
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.events.register("post_run_cell", _after_cell)
        _HOOKED = True
