"""Server-side encryption of message bodies: SSE-KMS and SSE-SQS, with data-key caching.

What AWS does (kms-envelope.md section 3; the SQS guide's "Encryption at rest" and "Key
management" pages), and how sqskit does it:

* Only the **body** is encrypted; message attributes, ids and timestamps stay in the
  clear. Size limits and ``MD5OfMessageBody`` / ``MD5OfBody`` are over the plaintext.
* **SSE-KMS** (``KmsMasterKeyId``: key id, key ARN, alias or alias ARN; ``alias/aws/sqs``
  is created on first use): SQS gets a data key from KMS (``GenerateDataKey``, then
  ``Decrypt`` to verify it) with the encryption context ``{"aws:sqs:arn": <queue ARN>}``
  and seals the body with AES-256-GCM under it. A stored message keeps the ciphertext and
  the encrypted data key, never the data key itself.
* The KMS calls go through the KMS service **as the calling principal acting via
  sqs.amazonaws.com**: the key policy (and IAM) decide, ``kms:ViaService`` holds, and the
  audit trail records them. A producer needs ``kms:GenerateDataKey`` and ``kms:Decrypt``,
  a consumer ``kms:Decrypt``.
* **Data keys are cached** per queue and per principal (principals never share one) for
  ``KmsDataKeyReusePeriodSeconds`` (60..86,400, default 300) on the virtual clock, and so
  are the data keys a consumer decrypted. A producer and a consumer therefore cost 2 + 1
  KMS calls per period, the guide's ``R = B / D * (2P + C)``: :meth:`kms_requests` lists them.
* KMS failures become SQS's ``KMS.*`` errors (HTTP 400) on SendMessage, SendMessageBatch
  (for the whole call, as the model lists them) and ReceiveMessage.
* **SSE-SQS** (``SqsManagedSseEnabled``, the default over HTTPS): the same envelope under a
  key SQS owns: no KMS calls, no KMS permissions.
* Turning SSE on does not encrypt the backlog; turning it off leaves sealed messages
  sealed; a message moved to a dead-letter queue stays sealed under the source queue's
  key and context, so its consumer needs that key.

Choices where AWS documents nothing (unverified; one constant or line each to change):

* :attr:`KEYS_OUTLIVE_KEY_STATE`: a cached data key keeps working after its KMS key is
  disabled, scheduled for deletion or the permission is revoked, until its reuse period
  ends (what the caching rules imply; the lesson: disabling a key is not instant).
* A ReceiveMessage failing on KMS puts the messages it took back at once, but the attempt
  counts in ``ApproximateReceiveCount``: a redrive policy moves what nobody can decrypt.
* The error message is KMS's, followed by ``(Service: AWSKMS; Status Code: 400; Error
  Code: ...; Request ID: ...; Proxy: null)`` as SDK logs show it.

Not modelled here: SSE queues' HTTPS/SigV4 requirement (``InvalidSecurity``) and their
refusal of anonymous requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ...base.errors import (
    AwsError,
    KmsAccessDenied,
    KmsDisabled,
    KmsInvalidKeyUsage,
    KmsInvalidState,
    KmsNotFound,
    KmsThrottled,
    SqsError,
)
from ...engine.message import Message
from ...security import envelope
from ...security.envelope import SecretKey
from ..base import Call
from .batches import BatchActions
from .queues import QueueRecord

if TYPE_CHECKING:
    import pandas as pd

    from ..kms.service import KmsService

DEFAULT_REUSE_PERIOD = 300
SQS_OWNED_KEY_ID = "sqs-owned-key"  # names SSE-SQS's key inside its blobs

_SQS_ERRORS: dict[str, type[SqsError]] = {
    "DisabledException": KmsDisabled,
    "KMSInvalidStateException": KmsInvalidState,
    "NotFoundException": KmsNotFound,
    "InvalidArnException": KmsNotFound,
    "ValidationException": KmsNotFound,
    "AccessDeniedException": KmsAccessDenied,
    "InvalidKeyUsageException": KmsInvalidKeyUsage,
    "ThrottlingException": KmsThrottled,
}


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, a cheap cache key
class DataKeyRef:
    """A data key as stored beside the messages it sealed: encrypted, never in the clear."""

    encrypted: bytes  # the KMS ciphertext blob of the data key
    key_arn: str | None  # the KMS key that wraps it; None under SSE-SQS
    context_arn: str  # the queue ARN bound as encryption context
    created_at: float
    aad: bytes = field(repr=False)  # the canonical context, precomputed

    @property
    def context(self) -> dict[str, str]:
        return {"aws:sqs:arn": self.context_arn}

    def __repr__(self) -> str:
        return f"<DataKeyRef under {self.key_arn or 'SQS-owned key'} for {self.context_arn}>"


class SealedBody:
    """What an encrypted queue stores for a body: ``nonce || ciphertext || tag`` + its key."""

    __slots__ = ("ciphertext", "data_key")

    def __init__(self, ciphertext: bytes, data_key: DataKeyRef) -> None:
        self.ciphertext = ciphertext
        self.data_key = data_key

    def __repr__(self) -> str:
        return f"<SealedBody {len(self.ciphertext)} bytes, {self.data_key!r}>"


@dataclass
class _CachedDataKey:
    key: SecretKey
    ref: DataKeyRef
    expires_at: float


@dataclass(frozen=True)
class KmsRequest:
    """One KMS call SQS made for a principal (for the KMS-call count the labs show)."""

    at: float
    operation: str
    principal: str
    queue_arn: str
    outcome: str  # "ok" or the KMS error code


def sqs_error(failure: AwsError, request_id: str) -> SqsError:
    """The SQS ``KMS.*`` error for a failed KMS call."""
    kind = _SQS_ERRORS.get(failure.code, KmsInvalidState)
    return kind(
        f"{failure.message} (Service: AWSKMS; Status Code: {failure.status}; Error Code: "
        f"{failure.code}; Request ID: {request_id}; Proxy: null)",
        detail=failure.detail if failure.detail is not None else failure,
    )


class EncryptionActions(BatchActions):
    """SSE for :class:`~sqskit.services.sqs.service.SqsService`: the ``_seal``/``_open`` seams."""

    #: a cached data key survives its KMS key being disabled/deleted until its period ends
    KEYS_OUTLIVE_KEY_STATE: ClassVar[bool] = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._encrypting: dict[tuple[str, str, str], _CachedDataKey] = {}
        self._decrypting: dict[tuple[str, DataKeyRef], _CachedDataKey] = {}
        self._owned: SecretKey | None = None
        #: every KMS call made on a principal's behalf, in order
        self.kms_log: list[KmsRequest] = []

    # -- the seams -----------------------------------------------------------------------
    def _seal(self, call: Call, record: QueueRecord, body: str) -> Any:
        if not sse_mode(record):
            return super()._seal(call, record, body)
        cached = self._data_key_for_send(call, record)
        plaintext = body.encode("utf-8", "surrogatepass")
        return SealedBody(cached.key.seal(plaintext, cached.ref.aad), cached.ref)

    def _open(self, call: Call, record: QueueRecord, stored: Any) -> str:
        if not isinstance(stored, SealedBody):
            return super()._open(call, record, stored)
        cached = self._data_key_for_receive(call, record, stored.data_key)
        try:
            plaintext = cached.key.open(stored.ciphertext, stored.data_key.aad)
        except AwsError as failure:
            raise sqs_error(failure, call.request_id) from None
        return plaintext.decode("utf-8", "surrogatepass")

    def _check_send_batch(self, call: Call, record: QueueRecord, entries: list[dict]) -> None:
        super()._check_send_batch(call, record, entries)
        if sse_mode(record):  # one data key for the batch: a KMS failure fails the call
            self._data_key_for_send(call, record)

    def _receive(
        self, call: Call, record: QueueRecord, limit: int, visibility: int | None,
        attempt_id: str | None,
    ) -> list[Message]:
        taken = super()._receive(call, record, limit, visibility, attempt_id)
        try:
            for message in taken:
                if isinstance(message.body, SealedBody):
                    self._data_key_for_receive(call, record, message.body.data_key)
        except SqsError:
            now = self.runtime.clock.now
            for message in taken:  # give them back: visible again, the attempt counted
                if message.visible_at > now:  # (VisibilityTimeout=0 already gave it back)
                    record.engine.change_visibility(now, message.seq, message.receive_count, 0)
            raise
        return taken

    # -- data keys -------------------------------------------------------------------------
    def _data_key_for_send(self, call: Call, record: QueueRecord) -> _CachedDataKey:
        configured = record.attributes.get("KmsMasterKeyId") or ""
        who = principal_of(call)
        slot = (record.arn, who, configured)
        cached = self._encrypting.get(slot)
        if cached is not None and call.now < cached.expires_at:
            self._still_usable(call, cached.ref)
            return cached
        expires = call.now + reuse_period(record)
        if configured:
            context = {"aws:sqs:arn": record.arn}
            made = self._kms(call, record, "GenerateDataKey",
                             {"KeyId": configured, "KeySpec": "AES_256",
                              "EncryptionContext": context})
            self._kms(call, record, "Decrypt",  # SQS verifies every new data key
                      {"CiphertextBlob": made["CiphertextBlob"], "EncryptionContext": context})
            ref = _ref(made["CiphertextBlob"], made["KeyId"], record.arn, call.now)
            cached = _CachedDataKey(SecretKey(made["Plaintext"], "SQS data key"), ref, expires)
        else:
            data_key = SecretKey.generate("SQS data key")
            blob = envelope.seal_blob(self.sqs_owned_key(), SQS_OWNED_KEY_ID, 1,
                                      data_key.reveal(), {"aws:sqs:arn": record.arn})
            cached = _CachedDataKey(data_key, _ref(blob, None, record.arn, call.now), expires)
        self._encrypting[slot] = cached
        self._decrypting[(who, cached.ref)] = cached  # the producer's Decrypt verified it
        return cached

    def _data_key_for_receive(
        self, call: Call, record: QueueRecord, ref: DataKeyRef
    ) -> _CachedDataKey:
        who = principal_of(call)
        cached = self._decrypting.get((who, ref))
        if cached is not None and call.now < cached.expires_at:
            self._still_usable(call, ref)
            return cached
        if ref.key_arn is None:
            try:
                raw = envelope.open_blob(self.sqs_owned_key(), ref.encrypted, ref.context)
            except AwsError as failure:  # only if what is stored was corrupted
                raise sqs_error(failure, call.request_id) from None
        else:
            raw = self._kms(call, record, "Decrypt",
                            {"CiphertextBlob": ref.encrypted, "EncryptionContext": ref.context}
                            )["Plaintext"]
        cached = _CachedDataKey(SecretKey(raw, "SQS data key"), ref,
                                call.now + reuse_period(record))
        if len(self._decrypting) > 4096:  # forget what has expired
            self._decrypting = {k: v for k, v in self._decrypting.items()
                                if v.expires_at > call.now}
        self._decrypting[(who, ref)] = cached
        return cached

    def _still_usable(self, call: Call, ref: DataKeyRef) -> None:
        """Unless cached keys outlive their KMS key, refuse one whose key broke."""
        if self.KEYS_OUTLIVE_KEY_STATE or ref.key_arn is None:
            return
        kms = self.kms_service()
        key_id = ref.key_arn.rsplit("/", 1)[-1]
        try:
            kms.settle(call.now)
            key = kms.keys.get(key_id)
            if key is None:
                kms.find_key(ref.key_arn)  # raises NotFoundException
            else:
                key.check_usable()
        except AwsError as failure:
            raise sqs_error(failure, call.request_id) from None

    def sqs_owned_key(self) -> SecretKey:
        if self._owned is None:
            self._owned = SecretKey.generate("SQS-owned key")
        return self._owned

    # -- calling KMS as the principal, via SQS -------------------------------------------
    def kms_service(self) -> KmsService:
        return self.runtime.service("kms")  # type: ignore[return-value]

    def _kms(
        self, call: Call, record: QueueRecord, operation: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        kms = self.kms_service()
        kms_call = kms.new_call(operation, params, call.caller.via(self.event_source))
        kms_call.notes["on_behalf_of"] = call.request_id  # world.explain finds it there
        try:
            result = kms.handle(kms_call)
        except AwsError as failure:
            self.kms_log.append(KmsRequest(call.now, operation, principal_of(call),
                                           record.arn, failure.code))
            raise sqs_error(failure, kms_call.request_id) from None
        self.kms_log.append(KmsRequest(call.now, operation, principal_of(call), record.arn,
                                       "ok"))
        return result

    # -- teaching views --------------------------------------------------------------------
    def stored(self, queue_url: str) -> pd.DataFrame:
        """What the queue really stores, message by message, beside what a consumer gets.

        A facilitator's view: it reads past permissions and writes no audit record, but a
        disabled or deleted key still makes a body unreadable here, as it would for SQS.
        ``.attrs["kms_calls"]`` is the number of KMS calls SQS has made so far.
        """
        from .storage_view import stored_frame

        return stored_frame(self, self.queue_by_url(queue_url))

    def peek_body(self, message: Message) -> str:
        """A queued message's text for the lab views: no KMS call, no audit record.

        Raises an AwsError when the body cannot be opened (its key is disabled or gone).
        """
        body = message.body
        if isinstance(body, str):
            return body
        if not isinstance(body, SealedBody):
            raise TypeError(f"cannot open a stored body of type {type(body).__name__}")
        from .storage_view import open_body

        return open_body(self, body)

    def kms_requests(self) -> pd.DataFrame:
        """Every KMS call SQS made on a principal's behalf: when, what, who, for which queue."""
        import pandas as pd

        frame = pd.DataFrame(
            [vars(r) for r in self.kms_log],
            columns=["at", "operation", "principal", "queue_arn", "outcome"],
        )
        frame["at"] = pd.to_datetime(frame["at"], unit="s", utc=True)
        return frame


def sse_mode(record: QueueRecord) -> str | None:
    """``"SSE-KMS"``, ``"SSE-SQS"`` or None for a queue that stores bodies in the clear."""
    if record.attributes.get("KmsMasterKeyId"):
        return "SSE-KMS"
    if record.attributes.get("SqsManagedSseEnabled") == "true":
        return "SSE-SQS"
    return None


def reuse_period(record: QueueRecord) -> int:
    return int(record.attributes.get("KmsDataKeyReusePeriodSeconds", DEFAULT_REUSE_PERIOD))


def principal_of(call: Call) -> str:
    """Whom a data key belongs to: the IAM identity (sessions of one role share it)."""
    return call.caller.identity_arn or call.caller.arn


def _ref(blob: bytes, key_arn: str | None, queue_arn: str, now: float) -> DataKeyRef:
    context = {"aws:sqs:arn": queue_arn}
    return DataKeyRef(blob, key_arn, queue_arn, now, envelope.canonical_context(context))
