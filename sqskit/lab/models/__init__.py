"""Plain-Python models behind the lab widgets: each has a text and a DataFrame twin.

The models know the world and nothing of ipywidgets, so they are tested without a
browser; the widgets in ``sqskit.lab.widgets`` only draw what a model says.
"""

from .audit import AuditModel
from .board import BoardModel, BoardSnapshot, Card, QueueView
from .clock import ClockModel, human_seconds
from .delivered import delivered_frame
from .envelope import EnvelopeModel, EnvelopeSnapshot
from .metrics import MetricsModel
from .playground import PlaygroundModel
from .probes import Probe, ProbeResult, ProbeTable, run_probes
from .timeline import TimelineModel, TimelineRow

__all__ = [
    "AuditModel",
    "BoardModel",
    "BoardSnapshot",
    "Card",
    "ClockModel",
    "EnvelopeModel",
    "EnvelopeSnapshot",
    "MetricsModel",
    "PlaygroundModel",
    "Probe",
    "ProbeResult",
    "ProbeTable",
    "QueueView",
    "TimelineModel",
    "TimelineRow",
    "delivered_frame",
    "human_seconds",
    "run_probes",
]
