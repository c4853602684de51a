"""The envelope explorer's model: one message of an encrypted queue, layer by layer.

For one message it shows what the producer sent, the **data key** that sealed it (never
its bytes: a label, its reuse window and, in the widget only, a masked fingerprint), the
**encrypted data key** stored beside the message (which KMS key and material version it
names, the encryption context bound to it), the **stored ciphertext** (nonce, ciphertext
and tag sizes) and what a **consumer receives**; and what breaks when the KMS key is
disabled, pending deletion or gone (kms-envelope.md section 3, "Failure behaviour").

Like the queue board it reads the service's records, never the API: no KMS call, no
audit record. The text twin holds nothing random (lengths, labels, key ids, the plaintext
and its MD5), so a notebook prints the same every run; the random parts (ciphertext
bytes, the fingerprint) appear only in the widget.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...base.errors import AwsError
from ...engine.message import GONE
from ...security import envelope
from ...security.envelope import SecretKey
from ...services.sqs.encryption import SealedBody, reuse_period, sqs_error, sse_mode
from ..bodies import readable_body
from ..watch import watch
from .board import job_label
from .clock import human_seconds

if TYPE_CHECKING:
    from ...engine.message import Message
    from ...services.sqs.queues import QueueRecord
    from ...world import World

NONCE, TAG = envelope.NONCE_BYTES, envelope.TAG_BYTES
SHOWN_CHARS = 72


@dataclass(frozen=True)
class EnvelopeSnapshot:
    """The layers of one message's envelope at one instant."""

    queue: str
    message_id: str
    encryption: str  # "SSE-KMS", "SSE-SQS" or "none"
    sent: str | None  # the body as sent; None when nothing can open it now
    stored_bytes: int
    data_key: str = ""  # "data key #1 of parse-jobs, sealing 3 messages ..."
    fingerprint: str | None = None  # masked; for the widget only (random per run)
    encrypted_key_bytes: int = 0
    encrypted_key_names: str = ""  # "<key id> material v1"
    context: Mapping[str, str] | None = None
    kms_key: str = ""  # key ARN, or "SQS-owned key"
    key_alias: str | None = None
    key_state: str = ""  # Enabled, Disabled, PendingDeletion, deleted, SQS-owned
    consumer_receives: str = ""
    what_breaks: tuple[str, ...] = ()
    stored_prefix: str = ""  # first bytes of ciphertext, hex; for the widget only

    @property
    def readable(self) -> bool:
        return self.sent is not None

    def text(self) -> str:
        """The text twin: every layer, nothing random."""
        head = f"Envelope of message {self.message_id[:8]} in {self.queue} ({self.encryption})"
        if self.encryption == "none":
            return "\n".join([head, f"1. The producer sent     {_shown(self.sent)}",
                              f"2. Stored as sent        {self.stored_bytes} bytes, readable "
                              "by anyone who reads the storage", *self._breaks()])
        alias = f" ({self.key_alias})" if self.key_alias else ""
        body = self.stored_bytes - NONCE - TAG
        lines = [
            head,
            f"1. The producer sent     {_shown(self.sent)}",
            f"2. Data key              {self.data_key}",
            f"3. Encrypted data key    {self.encrypted_key_bytes} bytes, names "
            f"{self.encrypted_key_names}; context {json.dumps(dict(self.context or {}))}",
            f"   wrapped by            {self.kms_key}{alias}: {self.key_state}",
            f"4. Stored                {self.stored_bytes} bytes = {NONCE}-byte nonce + {body} "
            f"bytes of ciphertext + {TAG}-byte tag",
            f"5. The consumer receives {self.consumer_receives}",
            *self._breaks(),
        ]
        return "\n".join(lines)

    def _breaks(self) -> list[str]:
        return ["When the key breaks:", *(f"  - {line}" for line in self.what_breaks)]


def _shown(text: str | None) -> str:
    if text is None:
        return "(cannot be read now: the key that wraps its data key does not work)"
    size = len(text.encode("utf-8", "surrogatepass"))
    md5 = hashlib.md5(text.encode("utf-8", "surrogatepass")).hexdigest()
    cut = text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"
    return f"{size} bytes: {cut} (MD5OfMessageBody {md5[:12]}…)"


class EnvelopeModel:
    """The explorer's model for one message of one queue (by default, the newest)."""

    def __init__(self, world: World, queue: str, message: str | Mapping[str, Any] | None = None
                 ) -> None:
        self.world = world
        self.watcher = watch(world)
        self.queue_name = queue.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        if isinstance(message, Mapping):
            message = str(message.get("MessageId", ""))
        self.message_id = message

    def _record(self) -> QueueRecord:
        record = self.world.sqs.queues.get(self.queue_name)
        if record is None:
            raise LookupError(f"there is no queue {self.queue_name} in this world")
        return record

    def _messages(self, record: QueueRecord) -> list[Message]:
        record.engine.counts(self.world.clock.now)  # settle: expire what is due
        return [m for m in record.engine.messages() if m.state != GONE]

    def choices(self) -> list[tuple[str, str]]:
        """``(label, MessageId)`` of each message in the queue, oldest first."""
        record = self.world.sqs.queues.get(self.queue_name)
        if record is None:
            return []
        found = []
        for message in self._messages(record):
            message_id = self.world.sqs.message_id(message)
            label = job_label(readable_body(self.world, message))
            found.append((f"{message_id[:8]} · {label}", message_id))
        return found

    def _find(self, record: QueueRecord) -> Message | None:
        messages = self._messages(record)
        if self.message_id is None:
            return messages[-1] if messages else None
        for message in messages:
            if self.world.sqs.message_id(message) == self.message_id:
                return message
        return None

    def snapshot(self) -> EnvelopeSnapshot | None:
        """The envelope now; None when the message is no longer in the queue."""
        record = self._record()
        message = self._find(record)
        if message is None:
            return None
        sqs = self.world.sqs
        message_id = sqs.message_id(message)
        stored = message.body
        if not isinstance(stored, SealedBody):
            text = str(stored)
            return EnvelopeSnapshot(record.name, message_id, "none", text,
                                    len(text.encode("utf-8", "surrogatepass")),
                                    what_breaks=("This queue stores bodies as sent: no key can "
                                                 "break, and none protects them.",))
        ref = stored.data_key
        refs = _data_keys(record)
        number = next(i for i, r in enumerate(refs, start=1) if r is ref)
        sealing = sum(1 for m in record.engine.messages()
                      if isinstance(m.body, SealedBody) and m.body.data_key is ref)
        period = reuse_period(record)
        made_at = f"{datetime.fromtimestamp(ref.created_at, tz=timezone.utc):%H:%M:%S}"
        data_key = (f"data key #{number} of {record.name}: AES-256, 32 bytes, never stored in the "
                    f"clear; seals {sealing} message{'s' if sealing != 1 else ''} here; made at "
                    f"{made_at}, reused for {human_seconds(period)}")
        header = envelope.read_header(ref.encrypted)
        state, alias = self._key_state(ref.key_arn)
        sent, fingerprint, receives = self._open(stored)
        return EnvelopeSnapshot(
            queue=record.name, message_id=message_id,
            encryption=sse_mode(record) or ("SSE-KMS" if ref.key_arn else "SSE-SQS"),
            sent=sent, stored_bytes=len(stored.ciphertext), data_key=data_key,
            fingerprint=fingerprint, encrypted_key_bytes=len(ref.encrypted),
            encrypted_key_names=f"{header.key_id} material v{header.material_version}",
            context=ref.context, kms_key=ref.key_arn or "SQS-owned key", key_alias=alias,
            key_state=state, consumer_receives=receives,
            what_breaks=what_breaks(state, period),
            stored_prefix=stored.ciphertext[:8].hex(" "),
        )

    def _key_state(self, key_arn: str | None) -> tuple[str, str | None]:
        if key_arn is None:
            return "SQS-owned", None
        kms: Any = self.world.service("kms")
        kms.settle(self.world.clock.now)
        key_id = key_arn.rsplit("/", 1)[-1]
        key = kms.keys.get(key_id)
        alias = next((n for n, a in kms.aliases.items() if a.target_key_id == key_id), None)
        if key is None:
            return "deleted", alias
        return str(key.state), alias

    def _open(self, stored: SealedBody) -> tuple[str | None, str | None, str]:
        """(plaintext, masked fingerprint of the data key, what a consumer receives)."""
        service: Any = self.world.sqs
        ref = stored.data_key
        try:
            if ref.key_arn is None:
                raw = envelope.open_blob(service.sqs_owned_key(), ref.encrypted, ref.context)
            else:
                raw = service.kms_service().open_for_view(ref.encrypted, ref.context)
        except AwsError as failure:
            code = sqs_error(failure, "-").wire_code
            return None, None, f"nothing: ReceiveMessage fails with {code}"
        fingerprint = "sha256 " + hashlib.sha256(raw).hexdigest()[:4] + " •••• ••••"
        text = SecretKey(raw, "view").open(stored.ciphertext, ref.aad).decode(
            "utf-8", "surrogatepass")
        return text, fingerprint, text

    def text(self) -> str:
        found = self.snapshot()
        if found is None:
            which = self.message_id[:8] if self.message_id else "any message"
            return f"Envelope explorer: {which} is not in {self.queue_name} (any more)"
        return found.text()

    def __repr__(self) -> str:
        return f"<EnvelopeModel {self.queue_name} {self.message_id or 'newest'}>"


def _data_keys(record: QueueRecord) -> list[Any]:
    """The data keys of a queue's messages, in the order they first seal one."""
    found: list[Any] = []
    for message in record.engine.messages():
        body = message.body
        if isinstance(body, SealedBody) and not any(r is body.data_key for r in found):
            found.append(body.data_key)
    return found


def what_breaks(state: str, period: int) -> tuple[str, ...]:
    """What happens to senders, receivers and this message, for a key in ``state``."""
    if state == "SQS-owned":
        return ("SQS owns this key: no KMS calls, no key policy, nothing you can disable; "
                "also nothing you can audit or revoke.",)
    if state == "Enabled":
        return (
            "Now: the key is enabled; producers get data keys and consumers unwrap them.",
            f"Disabled: a producer keeps sending with its cached data key until its reuse "
            f"period ({human_seconds(period)}) ends, then SendMessage fails with "
            "KMS.DisabledException.",
            "Disabled: ReceiveMessage fails with KMS.DisabledException for messages whose data "
            "key the consumer has not unwrapped in its period; they stay queued, unreadable, "
            "until the key is enabled again.",
            "Deleted (after a 7 to 30 day waiting period): every message sealed under it is "
            "lost for good.",
        )
    if state == "Disabled":
        return (
            "Now: the key is disabled. No new data keys: SendMessage fails with "
            "KMS.DisabledException once cached data keys expire.",
            "This message's data key cannot be unwrapped: ReceiveMessage fails with "
            "KMS.DisabledException. Nothing is lost yet: enable the key.",
        )
    if state == "PendingDeletion":
        return (
            "Now: the key is pending deletion. Sends and receives fail with "
            "KMS.InvalidStateException.",
            "Cancel the deletion (the key comes back Disabled), then enable it; after the "
            "deletion date this message is lost for good.",
        )
    return ("Now: the key is deleted. This message can never be read again "
            "(KMS.NotFoundException).",)
