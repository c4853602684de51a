"""A teaching view: what an encrypted queue really stores, next to what a consumer receives.

One row per message still in the queue, oldest first. For a sealed body: the size and the
first bytes of the ciphertext, the encrypted data key (a self-describing KMS blob: the
key id and material version it names), the KMS key ARN (or SQS's own key under SSE-SQS),
and the plaintext a consumer would get, or why it could not (key disabled, deleted...).
This view reads past permissions and writes no audit record; it never shows a key.
Source: ../shared/reference/kms-envelope.md section 3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...base.errors import AwsError
from ...engine.message import Message
from ...security import envelope
from ...security.envelope import SecretKey
from .encryption import SealedBody, sqs_error, sse_mode
from .queues import QueueRecord

if TYPE_CHECKING:
    import pandas as pd

    from .encryption import EncryptionActions

COLUMNS = [
    "message_id", "state", "stored_as", "stored_bytes", "stored_prefix",
    "encrypted_data_key", "data_key_names", "kms_key", "consumer_receives",
]
PREFIX_BYTES = 12


def stored_frame(service: EncryptionActions, record: QueueRecord) -> pd.DataFrame:
    import pandas as pd

    rows = [_row(service, record, m) for m in record.engine.messages()]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame.attrs["queue"] = record.name
    frame.attrs["encryption"] = sse_mode(record) or "none"
    frame.attrs["kms_calls"] = len(service.kms_log)
    return frame


def _row(service: EncryptionActions, record: QueueRecord, message: Message) -> dict[str, Any]:
    body = message.body
    row: dict[str, Any] = {"message_id": service.message_id(message),
                           "state": message.state_name}
    if not isinstance(body, SealedBody):
        text = str(body)
        return {**row, "stored_as": "plaintext", "stored_bytes": len(text.encode()),
                "stored_prefix": text[:PREFIX_BYTES], "encrypted_data_key": "",
                "data_key_names": "", "kms_key": "", "consumer_receives": text}
    ref = body.data_key
    header = envelope.read_header(ref.encrypted)
    return {
        **row,
        "stored_as": "SSE-KMS" if ref.key_arn else "SSE-SQS",
        "stored_bytes": len(body.ciphertext),
        "stored_prefix": body.ciphertext[:PREFIX_BYTES].hex() + "...",
        "encrypted_data_key": f"{ref.encrypted[:PREFIX_BYTES].hex()}... "
                              f"({len(ref.encrypted)} bytes)",
        "data_key_names": f"{header.key_id} material v{header.material_version}",
        "kms_key": ref.key_arn or "SQS-owned key",
        "consumer_receives": _plaintext(service, body),
    }


def open_body(service: EncryptionActions, body: SealedBody) -> str:
    """The plaintext of a sealed body, for views: no KMS call, no audit record.

    Raises the KMS error when the body cannot be opened (key disabled or deleted).
    """
    ref = body.data_key
    if ref.key_arn is None:
        raw = envelope.open_blob(service.sqs_owned_key(), ref.encrypted, ref.context)
    else:
        raw = service.kms_service().open_for_view(ref.encrypted, ref.context)
    return SecretKey(raw, "view").open(body.ciphertext, ref.aad).decode("utf-8", "surrogatepass")


def _plaintext(service: EncryptionActions, body: SealedBody) -> str:
    try:
        return open_body(service, body)
    except AwsError as failure:
        return f"(cannot decrypt: {sqs_error(failure, '-').wire_code})"
