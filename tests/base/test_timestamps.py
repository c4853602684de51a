"""AWS writes an instant three ways; sqskit turns epoch seconds into each in one place."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from sqskit.base.timestamps import iso8601

START = datetime(2026, 1, 5, 9, 0, 0, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize(("options", "expected"), [
    ({}, "2026-01-05T09:00:01Z"),
    ({"millis": True}, "2026-01-05T09:00:01.250Z"),
    ({"millis": True, "zone": "+0000"}, "2026-01-05T09:00:01.250+0000"),
])
def test_an_instant_is_written_in_each_of_the_spellings_aws_uses(options, expected):
    """Seconds (CloudTrail), milliseconds with Z (SNS, S3), milliseconds with +0000 (Lambda)."""
    assert iso8601(START + 1.25, **options) == expected


def test_milliseconds_are_truncated_not_rounded():
    """999.9 ms is still in the same millisecond: 09:00:00.999, never 09:00:01.000."""
    assert iso8601(START + 0.9999, millis=True) == "2026-01-05T09:00:00.999Z"


def test_an_aware_datetime_is_written_in_utc():
    """A datetime in another zone is the same instant, written in UTC."""
    paris = datetime(2026, 1, 5, 10, 0, 0, tzinfo=timezone(timedelta(hours=1)))
    assert iso8601(paris) == "2026-01-05T09:00:00Z"
