"""Lab 07's checks fail on each anticipated mistake (with its tip) and pass on the solution.

The answers are judged against Winterday's morning (``winterday.morning``), built once:
the solution's own cells compute the passing answers from it; the wrong ones are what a
learner new to CloudTrail gets on the way (every SendMessage counted, the role ARN
compared with the session ARN, one denial code of three, the victim named as the culprit,
the hash of the gzip bytes ...).
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cache

import pytest

import sqskit
from sqskit.lab import winterday as wd

from .cases import Case, ids
from .conftest import solution_namespace, solution_values


@cache
def morning() -> sqskit.World:
    world = sqskit.World(seed=7)
    wd.morning(world, quiet=True)
    return world


@cache
def tampered() -> tuple[sqskit.World, str]:
    world = sqskit.World(seed=7)
    wd.morning(world, quiet=True)
    return world, wd.hide_reads(world)


def solution(*names: str, world: sqskit.World | None = None) -> dict:
    world = world or morning()
    return solution_values("07_audit", *names, world=world, frame=world.trail.to_frame(),
                           cloudtrail=world.client("cloudtrail"))


def cover(change):
    """A cover_up that edits the digest's entry for the log file with ``change``."""

    def cover_up(bucket, log_key, digest_key):
        document = bucket.read(digest_key)
        change(bucket, log_key, document)
        bucket.write(digest_key, document)

    return cover_up


def gzip_hash(bucket, log_key, document):
    import hashlib

    for entry in document["logFiles"]:
        if entry["s3Object"] == log_key:
            entry["hashValue"] = hashlib.sha256(bucket.get(log_key).body).hexdigest()


def first_entry(bucket, log_key, document):
    document["logFiles"][0]["hashValue"] = "0" * 64


def drop_entry(bucket, log_key, document):
    document["logFiles"] = [e for e in document["logFiles"] if e["s3Object"] != log_key]


def forgot_to_write(bucket, log_key, digest_key):
    document = bucket.read(digest_key)
    document["logFiles"] = []


def delete_digest(bucket, log_key, digest_key):
    bucket.delete(digest_key)


SQL = "SELECT principal, count(*) AS n FROM events WHERE {} GROUP BY principal"
T1020 = datetime(2026, 1, 5, 10, 20, tzinfo=timezone.utc)

CASES = [
    # 07.1 counting with a DataFrame
    Case("07.1", "the solution's count", lambda: (morning(), solution(
        "parser_sends")["parser_sends"]), "passed"),
    Case("07.1", "nothing yet", lambda: (morning(), ...), "not attempted"),
    Case("07.1", "a filtered frame, not its length", lambda: (morning(), morning(
        ).trail.to_frame().head(30)), "failed", "not-a-number"),
    Case("07.1", "every SendMessage", lambda: (morning(), 32), "failed", "all-sends"),
    Case("07.1", "the refused send included", lambda: (morning(), 31), "failed",
         "failed-included"),
    Case("07.1", "compared with the role ARN", lambda: (morning(), 0), "failed", "role-arn"),
    Case("07.1", "every call of the parser", lambda: (morning(), sum(
        1 for e in morning().trail if "report-parser" in e.caller.arn)), "failed",
        "every-call"),
    Case("07.1", "not the world", lambda: ("world", 30), "failed"),
    # 07.2 SQL
    Case("07.2", "the solution's query", lambda: (morning(), solution(
        "denied_sql")["denied_sql"]), "passed"),
    Case("07.2", "grouped by userIdentity.arn", lambda: (morning(), "SELECT userIdentity.arn "
         "AS who, count(*) AS n FROM events WHERE denied GROUP BY userIdentity.arn"),
         "passed"),
    Case("07.2", "nothing yet", lambda: (morning(), ...), "not attempted"),
    Case("07.2", "a misspelt column", lambda: (morning(), SQL.format("deny")), "failed",
         "sql-error"),
    Case("07.2", "no GROUP BY", lambda: (morning(), "SELECT principal, eventName FROM events "
         "WHERE denied"), "failed", "not-grouped"),
    Case("07.2", "only AccessDenied", lambda: (morning(), SQL.format(
        "errorCode = 'AccessDenied'")), "failed", "one-code"),
    Case("07.2", "AccessDenied and AccessDeniedException", lambda: (morning(), SQL.format(
        "errorCode IN ('AccessDenied', 'AccessDeniedException')")), "failed", "one-code"),
    Case("07.2", "every error", lambda: (morning(), SQL.format("errorCode IS NOT NULL")),
         "failed", "all-errors"),
    Case("07.2", "principals without counts", lambda: (morning(), "SELECT DISTINCT principal "
         "FROM events WHERE denied"), "failed", "no-counts"),
    # 07.3 Event history
    Case("07.3", "the solution's answer", lambda: (morning(), *solution(
        "changed_by", "changed_at").values()), "passed"),
    Case("07.3", "the user ARN and the time as text", lambda: (morning(), wd.SNOWY,
                                                               "10:20"), "passed"),
    Case("07.3", "nothing yet", lambda: (morning(), ..., ...), "not attempted"),
    Case("07.3", "the consumer", lambda: (morning(), "report-consumer", T1020), "failed",
         "victim"),
    Case("07.3", "the set-up", lambda: (morning(), "snowy", "09:00:00"), "failed",
         "first-change"),
    Case("07.3", "the fix", lambda: (morning(), "snowy", "10:35:00"), "failed", "the-fix"),
    Case("07.3", "the first refusal", lambda: (morning(), "snowy", "10:21:30"), "failed",
         "first-denial"),
    Case("07.3", "a time without a time", lambda: (morning(), "snowy", "this morning"),
         "failed", "no-time"),
    Case("07.3", "ops-admin", lambda: (morning(), "ops-admin", T1020), "failed"),
    # 07.4 the edited log file
    Case("07.4", "the solution's answer", lambda: (tampered()[0], *solution(
        "tampered_file", "hidden_who", world=tampered()[0]).values()), "passed"),
    Case("07.4", "the whole key and the user ARN", lambda: (tampered()[0], tampered()[1],
                                                             wd.OPS_ADMIN), "passed"),
    Case("07.4", "nothing yet", lambda: (tampered()[0], ..., ...), "not attempted"),
    Case("07.4", "validate()'s FileCheck itself", lambda: (tampered()[0], tampered()[0].trail
                                                            .validate().invalid[0], "ops-admin"),
         "passed"),
    Case("07.4", "before the tampering", lambda: (morning(), "x.json.gz", "ops-admin"),
         "failed", "not-yet"),
    Case("07.4", "a digest", lambda: (tampered()[0], tampered()[0].trail.bucket.digest_files(
        )[0], "ops-admin"), "failed", "digest"),
    Case("07.4", "a valid log file", lambda: (tampered()[0], tampered()[0].trail.bucket
                                              .log_files()[0], "ops-admin"), "failed",
         "valid-file"),
    Case("07.4", "the consumer", lambda: (tampered()[0], tampered()[1], "report-consumer"),
         "failed", "wrong-who"),
    # 07.5 the cover-up
    Case("07.5", "the solution's cover_up", lambda: (solution_namespace("07_audit")[
        "cover_up"],), "passed"),
    Case("07.5", "nothing yet", lambda: (...,), "not attempted"),
    Case("07.5", "the hash of the gzip bytes", lambda: (cover(gzip_hash),), "failed",
         "hash-of-gzip"),
    Case("07.5", "the wrong entry", lambda: (cover(first_entry),), "failed", "wrong-entry"),
    Case("07.5", "edited but not written back", lambda: (forgot_to_write,), "failed",
         "not-written"),
    Case("07.5", "deletes the digest", lambda: (delete_digest,), "failed", "deleted"),
    Case("07.5", "drops the file's entry from the digest", lambda: (cover(drop_entry),),
         "failed", "entry-removed"),
]


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_lab07_checks_judge_each_answer_as_expected(case: Case) -> None:
    """The audit trail: right answers pass; each anticipated mistake gets its tip."""
    case.run()


def test_the_morning_is_the_same_every_run() -> None:
    """Deterministic: two mornings give the same events, ids and times, so the checks'
    answers and the solution's outputs never change."""
    first, second = sqskit.World(seed=7), sqskit.World(seed=7)
    wd.morning(first, quiet=True)
    wd.morning(second, quiet=True)
    assert [e.record for e in first.trail] == [e.record for e in second.trail]


def test_hiding_reads_edits_exactly_one_log_file_and_validation_names_it() -> None:
    """hide_reads deletes ops-admin's two ReceiveMessage records from one delivered file;
    validation reports that file, and only that file, as INVALID."""
    world, key = tampered()
    report = world.trail.validate()
    assert [c.key for c in report.invalid] == [key]
    assert report.invalid[0].detail.startswith("2 events [ReceiveMessage at")
