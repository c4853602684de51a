"""Receipt handles: opaque strings that name one act of receiving one message.

A handle packs the queue's token, the message's sequence number and the receive
serial (its receive count at that receive), sealed with a keyed tag so that sqskit
recognises handles it issued. Like AWS's, handles start with ``AQEB`` and are base64;
unlike AWS's they are short (AWS's run to several hundred characters).

A string sqskit never issued is ``ReceiptHandleIsInvalid``; a genuine handle for a
receive that is over (expired, superseded or deleted) is judged by the queue.
Source: ../shared/reference/sqs-semantics.md section 6.
"""

from __future__ import annotations

import base64
import binascii
import struct

from ...base.ids import IdSource

_PREFIX = "AQEB"
_LAYOUT = struct.Struct(">QQI")
_TAG = 8


def encode(ids: IdSource, queue_token: int, seq: int, serial: int) -> str:
    payload = _LAYOUT.pack(queue_token, seq, serial)
    return _PREFIX + base64.b64encode(payload + ids.mac(payload, _TAG)).decode("ascii")


def decode(ids: IdSource, handle: str) -> tuple[int, int, int] | None:
    """``(queue_token, seq, serial)`` if sqskit issued ``handle``, else None."""
    if not handle.startswith(_PREFIX):
        return None
    try:
        raw = base64.b64decode(handle[len(_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != _LAYOUT.size + _TAG:
        return None
    payload, tag = raw[: _LAYOUT.size], raw[_LAYOUT.size :]
    if ids.mac(payload, _TAG) != tag:
        return None
    token, seq, serial = _LAYOUT.unpack(payload)
    return token, seq, serial
