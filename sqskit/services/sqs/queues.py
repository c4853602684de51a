"""A queue as the SQS service sees it: name, URL, ARN, attributes, tags, and its engine.

The engine (``sqskit.engine``) holds the messages and knows only seconds; this record
holds everything that travels as strings on the wire and keeps the engine's settings
in step with the attributes.
Source: ../shared/reference/sqs-semantics.md section 3 (attributes) and md5-and-wire.md
section 7 (URLs and ARNs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ...base.arns import queue_arn, queue_url
from ...engine.queue import Queue, QueueSettings


@dataclass(eq=False)
class QueueRecord:
    """One queue of the account."""

    name: str
    account: str
    region: str
    engine: Queue
    attributes: dict[str, str]
    created_at: float
    token: int  # tells this queue's receipt handles from those of a namesake
    tags: dict[str, str] = field(default_factory=dict)
    last_modified_at: float = 0.0
    last_purge_at: float | None = None

    @property
    def url(self) -> str:
        return queue_url(self.region, self.account, self.name)

    @property
    def arn(self) -> str:
        return queue_arn(self.region, self.account, self.name)

    @property
    def fifo(self) -> bool:
        return self.attributes.get("FifoQueue") == "true"

    @property
    def policy(self) -> str | None:
        return self.attributes.get("Policy") or None

    @property
    def redrive_policy(self) -> dict[str, Any] | None:
        text = self.attributes.get("RedrivePolicy")
        return json.loads(text) if text else None

    def int_attribute(self, name: str) -> int:
        return int(self.attributes[name])

    def sync_engine(self) -> None:
        """Copy the numeric attributes the engine works with into its settings."""
        self.engine.settings = QueueSettings(
            visibility_timeout=self.int_attribute("VisibilityTimeout"),
            delay_seconds=self.int_attribute("DelaySeconds"),
            retention_period=self.int_attribute("MessageRetentionPeriod"),
        )

    def __repr__(self) -> str:
        kind = "FIFO" if self.fifo else "standard"
        return f"<QueueRecord {self.name} ({kind}, {len(self.engine)} messages)>"
