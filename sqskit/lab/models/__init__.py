"""Plain-Python models behind the lab widgets: each has a text and a DataFrame twin.

The models know the world and nothing of ipywidgets, so they are tested without a
browser; the widgets in ``sqskit.lab.widgets`` only draw what a model says.
"""

from .board import BoardModel, BoardSnapshot, Card, QueueView
from .clock import ClockModel, human_seconds
from .envelope import EnvelopeModel, EnvelopeSnapshot
from .playground import PlaygroundModel
from .probes import Probe, ProbeResult, ProbeTable, run_probes
from .timeline import TimelineModel, TimelineRow

__all__ = [
    "BoardModel",
    "BoardSnapshot",
    "Card",
    "ClockModel",
    "EnvelopeModel",
    "EnvelopeSnapshot",
    "PlaygroundModel",
    "Probe",
    "ProbeResult",
    "ProbeTable",
    "QueueView",
    "TimelineModel",
    "TimelineRow",
    "human_seconds",
    "run_probes",
]
