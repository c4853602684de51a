"""ARNs and queue URLs, in the formats AWS uses.

``arn:<partition>:<service>:<region>:<account>:<resource>`` and
``https://sqs.<region>.amazonaws.com/<account>/<queue-name>`` (the legacy
``https://queue.amazonaws.com/...`` and ``https://<region>.queue.amazonaws.com/...``
forms are accepted on input). Source: ../shared/reference/md5-and-wire.md section 7.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Arn:
    """A parsed ARN; ``str(arn)`` gives it back."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> Arn:
        """Parse ``text``; raise ValueError if it is not an ARN."""
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or not parts[2]:
            raise ValueError(f"not an ARN: {text!r}")
        return cls(parts[1], parts[2], parts[3], parts[4], parts[5])

    def __str__(self) -> str:
        return (
            f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"
        )

    def __repr__(self) -> str:
        return f"<Arn {self}>"


def queue_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:sqs:{region}:{account}:{name}"


def queue_url(region: str, account: str, name: str) -> str:
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


_QUEUE_PATH = re.compile(r"^/(\d{12})/([^/]+)/?$")


def parse_queue_url(url: str) -> tuple[str, str] | None:
    """``(account, name)`` from a queue URL, or None if it is not one.

    Like botocore, sqskit routes by the last two path segments and does not insist on
    the host: ``http://localhost:4566/123456789012/jobs`` names the same queue.
    """
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    match = _QUEUE_PATH.match(path)
    if not match:
        return None
    return match.group(1), match.group(2)
