"""The observing views: the audit explorer (CloudTrail) and the metrics view (CloudWatch).

Thin ipywidgets views over :class:`~sqskit.lab.models.audit.AuditModel` and
:class:`~sqskit.lab.models.metrics.MetricsModel`; each prints as its model's text twin
and has its DataFrame twin as ``frame()``. Both stay cheap while a lab runs: they
refresh when a notebook cell ends, not after each call inside it (``per_call = False``);
the audit explorer redraws its table only when the trail has grown or a filter changed,
and validates the log files only when asked (the **Validate logs** button, or
``text()``); the metrics view redraws its picture only when the clock has reached a new
minute (CloudWatch publishes once a minute) or on **Refresh**.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..models.audit import COLUMNS, AuditModel
from ..models.metrics import MetricsModel
from .html import FONT
from .views import _TextTwin

if TYPE_CHECKING:
    import pandas as pd

    from ...world import World

ALL = "(all)"
_CLOCK = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")
OUTCOME_COLOURS = {"ok": "#2e7d32"}


def _table_html(model: AuditModel) -> str:
    rows = model.rows()
    shown = rows[-model.max_rows:]
    head = "".join(f"<th style='text-align:left;padding:2px 6px'>{c}</th>" for c in COLUMNS)
    body = []
    for row in shown:
        cells = row.cells()
        colour = OUTCOME_COLOURS.get(row.outcome, "#c62828")
        tds = "".join(
            f"<td style='padding:1px 6px;{'color:' + colour if i == 5 else ''}'>"
            f"{escape(c)}</td>" for i, c in enumerate(cells))
        body.append(f"<tr data-outcome='{escape(row.outcome)}'>{tds}</tr>")
    more = (f"<small>the last {len(shown)} of {len(rows)} matching events "
            "(<code>explorer.frame()</code> has them all)</small>" if len(rows) > len(shown)
            else f"<small>{len(rows)} matching events of {len(model.world.trail)}</small>")
    return (f'<div class="sqskit-audit-table" style="{FONT}">{more}'
            f"<table style='border-collapse:collapse'><tr>{head}</tr>{''.join(body)}"
            "</table></div>")


def _pre(text: str, border: str = "#90a4ae") -> str:
    return (f'<pre style="{FONT};white-space:pre-wrap;border-left:4px solid {border};'
            f'padding:4px 8px;margin:4px 0">{escape(text)}</pre>')


class AuditExplorer(_TextTwin, w.VBox):
    """The trail as a table you filter, a timeline of one principal or message, integrity."""

    per_call = False  # redraw when a cell ends, not after every call of a running cell

    def __init__(self, world: World, *, max_rows: int = 12, **filters: Any) -> None:
        self.model = AuditModel(world, max_rows=max_rows, **filters)
        options = self.model.choices()
        m = self.model

        def dropdown(name: str, label: str) -> w.Dropdown:
            values = [ALL, *options[name]]
            current = getattr(m, name)
            return w.Dropdown(options=values, value=current if current in values else ALL,
                              description=label)

        self.name_filter = dropdown("name", "event")
        self.principal_filter = dropdown("principal", "principal")
        self.resource_filter = dropdown("resource", "resource")
        self.service_filter = dropdown("service", "service")
        self.denied_filter = w.Checkbox(value=m.denied, description="denied only", indent=False)
        self.start_filter = w.Text(value=str(m.start or ""), placeholder="10:25",
                                   description="from", layout=w.Layout(width="160px"))
        self.end_filter = w.Text(value=str(m.end or ""), placeholder="10:40",
                                 description="to", layout=w.Layout(width="160px"))
        self.focus = w.Combobox(value=m.focus or "", options=options["principal"],
                                placeholder="a principal, or a MessageId",
                                description="timeline", ensure_option=False)
        self.validate_button = w.Button(description="Validate logs", icon="check",
                                        tooltip="aws cloudtrail validate-logs, in words")
        self.table = w.HTML()
        self.timeline = w.HTML()
        self.integrity = w.HTML()
        for control in (self.name_filter, self.principal_filter, self.resource_filter,
                        self.service_filter, self.denied_filter, self.focus):
            control.observe(self._on_change, names="value")
        for field in (self.start_filter, self.end_filter):  # on Enter or leaving the field
            field.continuous_update = False
            field.observe(self._on_change, names="value")
        self.validate_button.on_click(lambda _: self.validate())
        filters_box = w.VBox([w.HBox([self.name_filter, self.principal_filter]),
                              w.HBox([self.resource_filter, self.service_filter]),
                              w.HBox([self.start_filter, self.end_filter,
                                      self.denied_filter])])
        super().__init__([w.HTML("<b>Audit explorer</b> (CloudTrail)"), filters_box,
                          self.table, w.HBox([self.focus]), self.timeline,
                          w.HBox([self.validate_button]), self.integrity])
        self.add_class("sqskit-audit-explorer")
        self._drawn: tuple[Any, ...] | None = None
        self.refresh()
        self.validate()
        self.model.watcher.subscribe(self)

    def _on_change(self, _: Any = None) -> None:
        window = {}
        for name, field in (("start", self.start_filter), ("end", self.end_filter)):
            text = field.value.strip()
            if text and not _CLOCK.fullmatch(text):
                continue  # half typed: keep the window as it was
            window[name] = text or None
        self.model.set(name=self.name_filter.value, principal=self.principal_filter.value,
                       resource=self.resource_filter.value, service=self.service_filter.value,
                       denied=self.denied_filter.value, focus=self.focus.value.strip(),
                       **window)
        self.refresh()

    def _state(self) -> tuple[Any, ...]:
        m = self.model
        return (len(m.world.trail), m.name, m.principal, m.resource, m.service, m.denied,
                m.focus, m.start, m.end)

    def refresh(self) -> None:
        state = self._state()
        if state == self._drawn:
            return
        self._drawn = state
        options = self.model.choices()
        for control, name in ((self.name_filter, "name"), (self.principal_filter, "principal"),
                              (self.resource_filter, "resource"),
                              (self.service_filter, "service")):
            values = [ALL, *options[name]]
            if list(control.options) != values:
                current = control.value
                control.options = values
                control.value = current if current in values else ALL
        self.focus.options = options["principal"]
        self.table.value = _table_html(self.model)
        self.timeline.value = _pre(self.model.timeline_text()) if self.model.focus else ""

    def validate(self) -> None:
        """Validate the delivered log files and digests now; show the verdict."""
        text = self.model.integrity_text()
        self.integrity.value = _pre(text, "#2e7d32" if "INVALID" not in text else "#c62828")

    def text(self) -> str:
        return self.model.text()

    def frame(self) -> pd.DataFrame:
        return self.model.frame()


class MetricsView(_TextTwin, w.VBox):
    """A queue's depth and age of the oldest message over time, its alarms and their states."""

    per_call = False  # a picture per call would cost more than the calls themselves

    def __init__(self, world: World, queue: str, queues: list[str] | None = None) -> None:
        self.model = MetricsModel(world, queue)
        names = list(queues or sorted(world.sqs.queues)) or [self.model.queue]
        if self.model.queue not in names:
            names.insert(0, self.model.queue)
        self.queue = w.Dropdown(options=names, value=self.model.queue, description="queue")
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.picture = w.Image(format="png", layout=w.Layout(max_width="820px"))
        self.alarms = w.HTML()
        self.queue.observe(self._on_queue, names="value")
        self.refresh_button.on_click(lambda _: self.refresh(force=True))
        super().__init__([w.HTML("<b>Metrics view</b> (CloudWatch, AWS/SQS)"),
                          w.HBox([self.queue, self.refresh_button]), self.picture,
                          self.alarms])
        self.add_class("sqskit-metrics-view")
        self._drawn: tuple[Any, ...] | None = None
        self.refresh()
        self.model.watcher.subscribe(self)

    def _on_queue(self, change: Any) -> None:
        self.model.queue = change["new"]
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> None:
        state = (self.model.queue, int(self.model.world.clock.now // 60),
                 len(self.model.world.cloudwatch.book.history))
        if state == self._drawn and not force:
            return
        self._drawn = state
        figure = self.model.figure()
        self.picture.value = figure._repr_png_()  # type: ignore[attr-defined]
        lines = [a for alarm in self.model.alarms() for a in alarm.text()]
        self.alarms.value = _pre("\n".join(lines) if lines else
                                 f"No alarm watches {self.model.queue}.", "#ef6c00")

    def text(self) -> str:
        return self.model.text()

    def frame(self) -> pd.DataFrame:
        return self.model.frame()
