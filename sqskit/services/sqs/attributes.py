"""Queue attributes: which exist, their ranges and defaults, and how they read back.

Every value travels as a string (``{"VisibilityTimeout": "30"}``). Settable numeric
attributes are checked against AWS's ranges; ``FifoQueue`` can only be given at
creation; FIFO-only attributes are refused on standard queues. JSON-valued
attributes (``Policy``, ``RedrivePolicy``, ``RedriveAllowPolicy``) are checked by the
modules that give them meaning (the policy language, ``redrive.py``) through the
``validators`` hook of :func:`validate`.

Recorded against AWS: a standard queue refuses every FIFO attribute, even
``FifoQueue: "false"`` ("Unknown Attribute FifoQueue."), with its own wording for
``DeduplicationScope`` and ``FifoThroughputLimit``; a FIFO queue accepts
``FifoQueue: "true"`` on SetQueueAttributes and refuses ``"false"`` (the type is fixed).

Simplified: a change takes effect at the next call (AWS: up to 60 seconds, up to 15
minutes for ``MessageRetentionPeriod``), and the ``ApproximateNumberOfMessages*``
counters are exact at once (AWS: they may lag a minute or more).

Source: ../shared/reference/sqs-semantics.md section 3.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ...base.errors import InvalidAttributeName, InvalidAttributeValue


@dataclass(frozen=True)
class Spec:
    """One settable queue attribute."""

    name: str
    default: str | None = None
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()
    fifo_only: bool = False
    create_only: bool = False


SETTABLE: dict[str, Spec] = {
    spec.name: spec
    for spec in (
        Spec("DelaySeconds", "0", 0, 900),
        Spec("MaximumMessageSize", "1048576", 1024, 1_048_576),
        Spec("MessageRetentionPeriod", "345600", 60, 1_209_600),
        Spec("ReceiveMessageWaitTimeSeconds", "0", 0, 20),
        Spec("VisibilityTimeout", "30", 0, 43_200),
        Spec("Policy"),
        Spec("RedrivePolicy"),
        Spec("RedriveAllowPolicy"),
        Spec("KmsMasterKeyId"),
        Spec("KmsDataKeyReusePeriodSeconds", "300", 60, 86_400),
        Spec("SqsManagedSseEnabled", "true", choices=("true", "false")),
        Spec("FifoQueue", "false", choices=("true", "false"), create_only=True),
        Spec("ContentBasedDeduplication", "false", choices=("true", "false"), fifo_only=True),
        Spec("DeduplicationScope", "queue", choices=("messageGroup", "queue"), fifo_only=True),
        Spec(
            "FifoThroughputLimit", "perQueue", choices=("perQueue", "perMessageGroupId"),
            fifo_only=True,
        ),
    )
}

#: computed attributes, in the order GetQueueAttributes lists them
COMPUTED = (
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
)
READABLE = frozenset(SETTABLE) | frozenset(COMPUTED) | {"All"}

Validator = Callable[[str, str], str]

#: recorded against AWS: SSE-KMS and SSE-SQS asked for in the same call
ONE_SSE_TYPE = (
    "You can use one type of server-side encryption (SSE) at one time. You can either enable "
    "KMS SSE or SQS SSE."
)
#: how a standard queue refuses a FIFO-only attribute (recorded against AWS)
_NOT_ON_STANDARD = {
    "DeduplicationScope": "You can specify the DeduplicationScope only when FifoQueue is set "
    "to true.",
    "FifoThroughputLimit": "You can specify the FifoThroughputLimit only when FifoQueue is "
    "set to true.",
}


def validate(
    attributes: Mapping[str, str],
    *,
    fifo: bool,
    creating: bool,
    validators: Mapping[str, Validator] | None = None,
) -> dict[str, str]:
    """Check attributes for CreateQueue/SetQueueAttributes; return them normalised."""
    out: dict[str, str] = {}
    for name, value in attributes.items():
        spec = SETTABLE.get(name)
        if spec is None:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        if not fifo and (spec.fifo_only or spec.create_only):
            raise InvalidAttributeName(
                _NOT_ON_STANDARD.get(name, f"Unknown Attribute {name}.")
            )
        value = str(value)
        if spec.create_only and not creating and value.lower() != "true":
            raise InvalidAttributeValue(
                f"Invalid value for the parameter {name}. Reason: Modifying queue type is "
                f"not supported."
            )
        if spec.low is not None and spec.high is not None:
            value = _check_int(name, value, spec.low, spec.high)
        elif spec.choices and value not in spec.choices:
            if spec.choices == ("true", "false") and value.lower() in spec.choices:
                value = value.lower()
            else:
                raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
        if validators and name in validators:
            value = validators[name](name, value)
        out[name] = value
    if out.get("KmsMasterKeyId") and out.get("SqsManagedSseEnabled") == "true":
        raise InvalidAttributeName(ONE_SSE_TYPE)
    return out


def _check_int(name: str, value: str, low: int, high: int) -> str:
    try:
        number = int(value.strip())
    except ValueError:
        raise InvalidAttributeValue(f"Invalid value for the parameter {name}.") from None
    if not low <= number <= high:
        raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
    return str(number)


def defaults(fifo: bool) -> dict[str, str]:
    """The attributes a new queue has before anything is set."""
    out = {
        spec.name: spec.default
        for spec in SETTABLE.values()
        if spec.default is not None and (fifo or not spec.fifo_only)
        and spec.name != "KmsDataKeyReusePeriodSeconds"
    }
    if not fifo:
        out.pop("FifoQueue")
    return out


def check_names(names: list[str]) -> None:
    """GetQueueAttributes: every requested name must be a known attribute."""
    for name in names:
        if name not in READABLE:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
