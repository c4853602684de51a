"""The lab widgets: thin ipywidgets views over the models in ``sqskit.lab.models``.

Each view draws its model and nothing more; its plain-text form (what ``print(view)``
shows, what a notebook stores as ``text/plain`` and what nbval compares) is the
model's text twin, and ``view.frame()`` gives the DataFrame twin. A view refreshes
itself when its world changes (see ``sqskit.lab.watch``); ``refresh()`` does it by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..models.board import BoardModel
from ..models.clock import ClockModel
from ..models.timeline import TimelineModel, _clock_time
from .html import FONT, board_html, timeline_html

if TYPE_CHECKING:
    import pandas as pd

    from ...world import World


class _TextTwin:
    """Mixin: the text twin is the plain-text form of the widget."""

    def text(self) -> str:
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})  # type: ignore[misc]
        bundle["text/plain"] = self.text()
        return bundle

    def __str__(self) -> str:
        return self.text()


class ClockControls(_TextTwin, w.VBox):
    """Buttons that move the virtual clock: by N seconds, or to the next event."""

    def __init__(self, world: World, seconds: int = 30) -> None:
        self.model = ClockModel(world)
        self.time = w.HTML()
        self.seconds = w.BoundedIntText(value=seconds, min=1, max=1_209_600, step=1,
                                        layout=w.Layout(width="100px"),
                                        tooltip="seconds to advance")
        self.advance_button = w.Button(description="Advance", icon="forward",
                                       tooltip="move the virtual clock forward by N seconds")
        self.next_button = w.Button(description="Next event", icon="step-forward",
                                    tooltip="jump to the next moment something changes")
        self.status = w.HTML()
        self.advance_button.on_click(lambda _: self.advance(self.seconds.value))
        self.next_button.on_click(lambda _: self.next_event())
        row = w.HBox([self.time, w.HTML("&nbsp;seconds:"), self.seconds, self.advance_button,
                      self.next_button])
        super().__init__([row, self.status])
        self.add_class("sqskit-clock")
        self.refresh()
        self.model.watcher.subscribe(self)

    def advance(self, seconds: float) -> None:
        self.model.advance(seconds)  # the watcher refreshes every view, this one too
        self.refresh()

    def next_event(self) -> None:
        self.model.advance_to_next_event()
        self.refresh()

    def refresh(self) -> None:
        self.time.value = f'<span style="{FONT}">🕘 <b>{self.model.label()}</b></span>'
        self.status.value = f'<span style="{FONT}">{self.model.last_action}</span>'

    def text(self) -> str:
        return self.model.text()


class QueueBoard(_TextTwin, w.VBox):
    """The live queue board: visible, in-flight and delayed messages as cards."""

    def __init__(self, world: World, queues: Iterable[str] | None = None,
                 max_cards: int = 6) -> None:
        self.model = BoardModel(world, queues, max_cards=max_cards)
        self.html = w.HTML()
        super().__init__([self.html])
        self.add_class("sqskit-queue-board")
        self.refresh()
        self.model.watcher.subscribe(self)

    def refresh(self) -> None:
        self.html.value = board_html(self.model.snapshot())

    def text(self) -> str:
        return self.model.text()

    def frame(self) -> pd.DataFrame:
        return self.model.frame()


class MessageTimeline(_TextTwin, w.VBox):
    """What happened to one message, from the trail when there is one."""

    def __init__(self, world: World, message: str | Mapping[str, Any]) -> None:
        self.model = TimelineModel(world, message)
        self.html = w.HTML()
        super().__init__([self.html])
        self.add_class("sqskit-timeline")
        self.refresh()
        self.model.watcher.subscribe(self)

    def refresh(self) -> None:
        rows = self.model.rows()
        title = f"Timeline of message {self.model.message_id[:8]} (from the {self.model.source})"
        self.html.value = timeline_html(title, [(_clock_time(r.at), r) for r in rows])

    def text(self) -> str:
        return self.model.text()

    def frame(self) -> pd.DataFrame:
        return self.model.frame()


class Dashboard(_TextTwin, w.VBox):
    """Clock controls above a queue board: the usual view of a lab."""

    def __init__(self, world: World, queues: Iterable[str] | None = None,
                 seconds: int = 30) -> None:
        self.clock = ClockControls(world, seconds)
        self.board = QueueBoard(world, queues)
        super().__init__([self.clock, self.board])

    def refresh(self) -> None:
        self.clock.refresh()
        self.board.refresh()

    def text(self) -> str:
        return f"{self.clock.text()}\n{self.board.text()}"

    def frame(self) -> pd.DataFrame:
        return self.board.frame()
