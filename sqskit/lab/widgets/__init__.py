"""Lab widgets (ipywidgets): clock controls, the queue board, the message timeline, the
policy playground, the envelope explorer, the audit explorer and the metrics view.

Each is a view over a plain-Python model (``sqskit.lab.models``) and prints as that
model's text twin.
"""

from .observe import AuditExplorer, MetricsView
from .security import EnvelopeExplorer, PolicyPlayground
from .views import ClockControls, Dashboard, MessageTimeline, QueueBoard

__all__ = ["AuditExplorer", "ClockControls", "Dashboard", "EnvelopeExplorer",
           "MessageTimeline", "MetricsView", "PolicyPlayground", "QueueBoard"]
