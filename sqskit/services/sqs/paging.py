"""Paging queue names as ListQueues and ListDeadLetterSourceQueues do.

Recorded against AWS: without ``MaxResults`` a list call returns every name (up to
1,000) and no ``NextToken``; with it, a ``NextToken`` comes back whenever more names
remain. The token is opaque to the caller; sqskit's is the base64 of ``{"after": <the
last name shown>}``, so the next page starts after that name even if queues were
created or deleted in between. A token sqskit did not issue is InvalidParameterValue
(wording unverified).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence

from ...base.errors import SqsInvalidParameterValue
from .messaging import check_range

MAX_RESULTS = 1000


def name_page(
    names: Sequence[str], next_token: str | None, max_results: int | None
) -> tuple[list[str], str | None]:
    """One page of ``names`` (sorted) and the NextToken of the page after it, if any."""
    check_range("MaxResults", max_results, 1, MAX_RESULTS,
                f"MaxResults must be an integer between 1 and {MAX_RESULTS}")
    start = 0
    if next_token:
        after = _decode(next_token)
        if after is None:
            raise SqsInvalidParameterValue("Invalid NextToken value.")
        start = next((i for i, name in enumerate(names) if name > after), len(names))
    limit = max_results or MAX_RESULTS
    page = list(names[start : start + limit])
    more = max_results is not None and start + limit < len(names)
    return page, _encode(page[-1]) if more else None


def _encode(name: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": name}, separators=(",", ":"))
                                    .encode()).decode()


def _decode(token: str) -> str | None:
    try:
        return str(json.loads(base64.urlsafe_b64decode(token.encode()))["after"])
    except (ValueError, KeyError, TypeError):
        return None
