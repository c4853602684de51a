"""The trail's delivered log files as a table: what a SIEM or Athena would read.

``world.trail.to_frame()`` is CloudTrail's own copy of the events, which nobody can edit
(like an event data store of CloudTrail Lake). The log files CloudTrail delivered to the
trail's bucket can be edited by whoever may write to the bucket; lab 07 and lab 11 read
them with :func:`delivered_frame` and compare the two. Source:
../shared/reference/cloudtrail-cloudwatch.md sections 1 and 4.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from ...world import World

DELIVERED_COLUMNS = ("eventTime", "eventSource", "eventName", "principal", "sourceIPAddress",
                     "errorCode", "requestParameters", "responseElements", "eventID", "logFile")


def delivered_frame(world: World) -> pd.DataFrame:
    """Every record of every log file in the trail's bucket, as it is there now.

    Unlike ``world.trail.to_frame()`` (CloudTrail's own copy, which nobody can edit, like
    an event data store of CloudTrail Lake), these are the delivered files: whoever can
    write to the bucket can change them. ``logFile`` names the file each record is in;
    ``principal`` is ``userIdentity.arn`` (``"anonymous"`` for a caller who did not sign
    in, as in ``to_frame()``).
    """
    import gzip
    import json

    import pandas as pd

    bucket = world.trail.bucket  # delivers what is due first
    rows = []
    for key in bucket.log_files():
        stored = bucket.get(key)
        try:
            records = json.loads(gzip.decompress(stored.body))["Records"] if stored else []
        except (OSError, ValueError, KeyError, TypeError):
            records = []
        for record in records:
            identity = record.get("userIdentity") or {}
            who_ = identity.get("arn") or identity.get("invokedBy") or (
                "anonymous" if identity.get("accountId") == "ANONYMOUS_PRINCIPAL"
                else identity.get("type"))
            rows.append((
                pd.Timestamp(record.get("eventTime")), record.get("eventSource"),
                record.get("eventName"), who_,
                record.get("sourceIPAddress"), record.get("errorCode"),
                record.get("requestParameters"), record.get("responseElements"),
                record.get("eventID"), key.rsplit("/", 1)[-1],
            ))
    return pd.DataFrame(rows, columns=list(DELIVERED_COLUMNS))
