"""Lab widgets (ipywidgets): clock controls, the queue board, the message timeline, the
policy playground and the envelope explorer.

Each is a view over a plain-Python model (``sqskit.lab.models``) and prints as that
model's text twin.
"""

from .security import EnvelopeExplorer, PolicyPlayground
from .views import ClockControls, Dashboard, MessageTimeline, QueueBoard

__all__ = ["ClockControls", "Dashboard", "EnvelopeExplorer", "MessageTimeline",
           "PolicyPlayground", "QueueBoard"]
