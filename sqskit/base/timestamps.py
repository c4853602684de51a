"""How AWS writes an instant: ISO 8601 in UTC, spelled three ways.

============================================  ============================================
``2026-01-05T09:00:00Z``                      CloudTrail ``eventTime``, EventBridge
                                              ``time``, ``aws:CurrentTime``, XML and
                                              CloudTrail-record timestamps
``2026-01-05T09:00:00.000Z``                  SNS ``Timestamp``, S3 event ``eventTime``,
                                              REST-JSON timestamps, Lambda log lines
``2026-01-05T09:00:00.000+0000``              Lambda ``LastModified``, CloudWatch alarm
                                              timestamps and history data
============================================  ============================================

Every instant inside sqskit is epoch seconds on the virtual clock; this is the one place
that turns one into text. Milliseconds are truncated, never rounded up.
Sources: the reference sheets' sample responses (integrations.md, cloudtrail-cloudwatch.md).
"""

from __future__ import annotations

from datetime import datetime, timezone


def iso8601(when: float | datetime, *, millis: bool = False, zone: str = "Z") -> str:
    """``when`` as AWS writes it: to the second, or to the millisecond, with ``zone``."""
    moment = when if isinstance(when, datetime) else datetime.fromtimestamp(when, timezone.utc)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}{zone}"
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + zone
