"""Lab widgets (ipywidgets): clock controls, the queue board, the message timeline.

Each is a view over a plain-Python model (``sqskit.lab.models``) and prints as that
model's text twin.
"""

from .views import ClockControls, Dashboard, MessageTimeline, QueueBoard

__all__ = ["ClockControls", "Dashboard", "MessageTimeline", "QueueBoard"]
