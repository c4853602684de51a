"""Checks of lab 07 (the audit trail): questions answered from the trail, and its integrity.

The learner's world ran Winterday's morning (``winterday.morning``), so each check works
out the right answer from that world's own trail (never from a fixed number) and then
recognises the answers a learner reaches on the way: every SendMessage counted, the
role's ARN compared with the session ARN CloudTrail records, one denial code where there
are three, the consumer who was locked out named as the one who locked it out ...

The SQL of 07.2 runs with ``world.trail.query`` (DuckDB over a copy of the events: it
changes nothing). The cover-up of 07.5 is tried in a scratch world with the same morning.
"""

from __future__ import annotations

import gzip
import hashlib
from typing import Any

from ...security.events import is_denied
from ...world import World
from .. import winterday as wd
from ..exercises import attempted, exercise, fail, require, run_learner, shown
from .look import expect_world
from .times import clock_at, clock_of, hm

TRAIL_COLUMNS = ("eventTime, eventSource, eventName, principal, errorCode, denied, "
                 "requestParameters ...")


def _name(arn: Any) -> str:
    """``report-parser`` from a role, session or user ARN; the text itself otherwise."""
    text = str(arn)
    if ":assumed-role/" in text:
        return text.split(":assumed-role/", 1)[1].split("/", 1)[0]
    return text.rsplit("/", 1)[-1] if "/" in text else text


def _count(value: Any, name: str) -> int:
    attempted(value)
    if hasattr(value, "__len__") and not isinstance(value, (str, bytes)):
        fail(f"{name} should be a number; it is a {type(value).__name__} of {len(value)} "
             "items (take len() of it)", "not-a-number")
    try:
        number = int(value)
    except (TypeError, ValueError):
        fail(f"{name} should be a number, not {shown(value, 40)}", "not-a-number")
    if number != value:
        fail(f"{name} should be a whole number, not {value!r}", "not-a-number")
    return number


def _events(world: World, name: str) -> list[Any]:
    return [e for e in world.trail if e.name == name]


# -- 07.1: count with a DataFrame ---------------------------------------------------------------
@exercise("07.1", mistakes={
    "not-a-number": "Count the rows: len(...) of the filtered frame, or .sum() of a boolean "
                    "column.",
    "all-sends": "Not every SendMessage is the parser's: filter on the principal too.",
    "failed-included": "One of the parser's sends was refused (look at its errorCode): count "
                       "only events without an errorCode.",
    "role-arn": "CloudTrail records the role *session*, "
                "arn:aws:sts::123456789012:assumed-role/report-parser/<session>, not the "
                "role's ARN: match the role's name (str.contains(\"report-parser\")).",
    "every-call": "The parser's role also appears in KMS events (SQS asks KMS for data keys "
                  "as the parser): count only eventName == \"SendMessage\".",
})
def parser_sends_counted(world: Any, parser_sends: Any) -> str:
    world = expect_world(world)
    count = _count(parser_sends, "parser_sends")
    sends = _events(world, "SendMessage")
    by_parser = [e for e in sends if _name(e.caller.arn) == "report-parser"]
    right = sum(1 for e in by_parser if e.error_code is None)
    require(right, "no SendMessage by the parser in this world's trail: run the cells from "
            "the top (the reset cell runs the morning)")
    if count == right:
        return f"the parser sent {right} jobs this morning (and one more was refused)"
    if count == 0:
        fail("0 sends: nothing matched", "role-arn")
    if count == len(sends):
        fail(f"{count} is every SendMessage in the trail", "all-sends")
    if count == len(by_parser):
        fail(f"{count} includes the parser's refused send", "failed-included")
    everything = sum(1 for e in world.trail if _name(e.caller.arn) == "report-parser")
    if count in (everything, everything - len(by_parser) + right) or count > len(sends):
        fail(f"{count} counts the parser's KMS calls too", "every-call")
    fail(f"{count} is not what the trail says")


# -- 07.2: SQL --------------------------------------------------------------------------------
DENIAL_CODES = "AccessDenied, KMS.AccessDeniedException and AccessDeniedException"


@exercise("07.2", mistakes={
    "sql-error": "The query did not run; read DuckDB's message. The table is events; its "
                 "columns include " + TRAIL_COLUMNS + ".",
    "not-grouped": "One row per principal: GROUP BY principal, with count(*) AS n.",
    "one-code": "A denial has one of three codes: AccessDenied (SQS's own policies), "
                "KMS.AccessDeniedException (SQS saying that KMS refused) and "
                "AccessDeniedException (KMS itself). The denied column is true for all three.",
    "all-errors": "Not every error is a denial: GetQueueUrl for a queue that does not exist "
                  "fails too. Keep only denials (the denied column).",
    "no-counts": "Return how often each principal was denied: a count(*) column.",
})
def denials_query(world: Any, denied_sql: Any) -> str:
    world = expect_world(world)
    attempted(denied_sql)
    if not isinstance(denied_sql, str) or not denied_sql.strip():
        fail("denied_sql should be the SQL text of your query (a string)")
    try:
        result = world.trail.query(denied_sql)
    except Exception as problem:  # DuckDB's errors: show their first line
        fail(f"the query failed: {str(problem).splitlines()[0][:200]}", "sql-error")
    truth: dict[str, int] = {}
    errors: dict[str, int] = {}
    for event in world.trail:
        if event.error_code is not None:
            errors[_name(event.caller.arn)] = errors.get(_name(event.caller.arn), 0) + 1
            if is_denied(event.error_code):
                truth[_name(event.caller.arn)] = truth.get(_name(event.caller.arn), 0) + 1
    require(truth, "this world's trail holds no denial: run the cells from the top")
    found = _principal_counts(result)
    names = [n for n, _ in found]
    if len(set(names)) < len(names):
        fail(f"the result has {len(names)} rows for {len(set(names))} principals",
             "not-grouped")
    counts = dict(found)
    if any(v is None for v in counts.values()):
        fail("the result has no column of counts", "no-counts")
    if counts == truth:
        listed = ", ".join(f"{k} {v}" for k, v in sorted(truth.items(), key=lambda i: -i[1]))
        return f"denied events per principal: {listed}"
    if counts == errors:
        fail("the result counts every error, not only denials", "all-errors")
    if set(counts) <= set(truth) and all((counts[k] or 0) <= truth[k] for k in counts):
        fail(f"the result finds {sum(v or 0 for v in counts.values())} of the "
             f"{sum(truth.values())} denied events", "one-code")
    fail(f"the result says {counts}, which is not what the trail holds")


def _principal_counts(result: Any) -> list[tuple[str, int | None]]:
    """``(principal name, count)`` per row: the first column naming a principal, the first
    numeric column."""
    columns = list(getattr(result, "columns", []))
    rows = result.to_dict("records") if hasattr(result, "to_dict") else []
    who = next((c for c in columns if rows and all(
        isinstance(r[c], (str, dict)) for r in rows)), None)
    number = next((c for c in columns if rows and all(
        isinstance(r[c], (int, float)) and not isinstance(r[c], bool) for r in rows)), None)
    if who is None:
        fail("the result has no column naming the principals (principal, or "
             "userIdentity.arn)", "not-grouped")
    out = []
    for row in rows:
        value = row[who]
        name = _name(value.get("arn") if isinstance(value, dict) else value)
        out.append((name, int(row[number]) if number is not None else None))
    return out


# -- 07.3: Event history ------------------------------------------------------------------------
@exercise("07.3", mistakes={
    "victim": "The consumer is the one the change locked out. Who made the change? The "
              "PutKeyPolicy events of Event history say (Username).",
    "first-change": "That PutKeyPolicy is the set-up at 09:00, when the consumer still had "
                    "its statement. Look for the next one.",
    "the-fix": "That PutKeyPolicy gave the consumer its statement back: it is the fix. The "
               "one before it locked the consumer out.",
    "first-denial": "That is when the consumer was first refused (the first job sealed "
                    "under a new data key). The policy changed a little earlier.",
    "no-time": "Give the time as text (\"10:20:00\") or as the EventTime datetime.",
})
def key_policy_change(world: Any, changed_by: Any, changed_at: Any) -> str:
    world = expect_world(world)
    attempted(changed_by, changed_at)
    changes = _events(world, "PutKeyPolicy")
    require(len(changes) >= 3, "this world's trail lacks the morning's key-policy changes: "
            "run the cells from the top")
    setup, culprit, fix = changes[0], changes[1], changes[2]
    who = _name(changed_by).lower()
    if who in ("report-consumer", "consumer"):
        fail(f"{changed_by}'s receives were refused from 10:21", "victim")
    require(who in ("snowy", _name(culprit.caller.arn)), f"{changed_by} did not change the "
            "key policy")
    when = clock_of(changed_at)
    if when is None:
        fail(f"changed_at {shown(changed_at, 40)} holds no time", "no-time")
    if when[:2] == clock_at(setup.time)[:2]:
        fail(f"{changed_at} is the set-up", "first-change")
    if when[:2] == clock_at(fix.time)[:2]:
        fail(f"{changed_at} is when the policy was restored", "the-fix")
    denied = next((e for e in world.trail if e.error_code and is_denied(e.error_code)
                   and _name(e.caller.arn) == "report-consumer"), None)
    if denied is not None and when[:2] == clock_at(denied.time)[:2]:
        fail(f"{changed_at} is the consumer's first refusal", "first-denial")
    require(when[:2] == clock_at(culprit.time)[:2], f"{changed_at} is not when the key policy "
            "changed")
    return (f"Snowy's PutKeyPolicy at {hm(culprit.time, seconds=True)} dropped the "
            f"consumer's statement; she restored it at {hm(fix.time, seconds=True)}")


# -- 07.4: the tampered log file ------------------------------------------------------------------
@exercise("07.4", mistakes={
    "digest": "That is a digest file; the digests are valid. Which *log file* does "
              "validate() report as INVALID?",
    "valid-file": "That log file is valid. Print world.trail.validate() and read the line "
                  "that says INVALID.",
    "wrong-who": "Whose records are missing? Compare the delivered file with CloudTrail's "
                 "own copy (world.trail) at the times validate() names.",
    "not-yet": "Run the cell that tampers with the log file first.",
})
def tampered_log(world: Any, tampered_file: Any, hidden_who: Any) -> str:
    world = expect_world(world)
    attempted(tampered_file, hidden_who)
    report = world.trail.validate()
    bad = [c for c in report.invalid if c.kind == "log"]
    if not bad:
        fail("no log file is INVALID in this world", "not-yet")
    # a FileCheck of validate() (report.invalid[0]) names its file as well as its .name does
    name = str(getattr(tampered_file, "name", tampered_file)).rsplit("/", 1)[-1]
    if "CloudTrail-Digest" in name:
        fail(f"{name} is a digest", "digest")
    if name not in {c.name for c in bad}:
        fail(f"{name or tampered_file!r} is not the INVALID log file", "valid-file")
    delivered = {r["eventID"] for r in world.trail.bucket.read(bad[0].key)["Records"]}
    check = bad[0]
    entry = next(e for e in world.trail.delivery.logs if e.key == check.key)
    missing = [e for e in world.trail.between(entry.start, entry.end)
               if e.event_id not in delivered]
    hidden = {_name(e.caller.arn) for e in missing}
    if _name(hidden_who).lower() not in hidden:
        fail(f"{hidden_who} is not whose records were deleted", "wrong-who")
    return (f"{name} was edited: {len(missing)} records of {', '.join(sorted(hidden))} were "
            "deleted from it")


# -- 07.5: the cover-up ---------------------------------------------------------------------------
@exercise("07.5", mistakes={
    "hash-of-gzip": "CloudTrail hashes the *uncompressed* log file: "
                    "hashlib.sha256(gzip.decompress(obj.body)).hexdigest().",
    "not-written": "The digest did not change: write the edited document back with "
                   "bucket.write(digest_key, document).",
    "wrong-entry": "Change the logFiles entry whose s3Object is log_key.",
    "entry-removed": "A digest that no longer lists a delivered log file gives the cover-up "
                     "away too: keep the entry whose s3Object is log_key and change its "
                     "hashValue.",
    "deleted": "Deleting files is caught too (INVALID: not found). Make the digest vouch for "
               "the edited log file instead.",
})
def cover_up_caught(cover_up: Any) -> str:
    world = World(seed=7)
    wd.morning(world, quiet=True)
    log_key = wd.hide_reads(world)
    bucket = world.trail.bucket
    digest_key = next(d.key for d in world.trail.delivery.digests
                      if any(log.key == log_key for log in d.logs))
    before = bucket.read(digest_key)
    run_learner(cover_up, bucket, log_key, digest_key)
    if bucket.get(log_key) is None or bucket.get(digest_key) is None:
        fail("a file is gone from the bucket", "deleted")
    after = bucket.read(digest_key)
    if after == before:
        fail("the digest is unchanged", "not-written")
    raw = bucket.get(log_key).body  # type: ignore[union-attr]
    wanted = hashlib.sha256(gzip.decompress(raw)).hexdigest()
    entries = {e["s3Object"]: e["hashValue"] for e in after.get("logFiles", [])}
    if log_key not in entries:
        fail("the digest no longer lists the edited log file", "entry-removed")
    if entries.get(log_key) == hashlib.sha256(raw).hexdigest():
        fail("the digest holds the hash of the gzip bytes", "hash-of-gzip")
    if entries.get(log_key) != wanted:
        fail("the digest's entry for the edited log file still has the old hash",
             "wrong-entry")
    verdict = {c.key: c.status for c in world.trail.validate().checks}
    require(verdict.get(digest_key, "").startswith("INVALID"),
            f"validation says the digest is {verdict.get(digest_key)}")
    return ("your digest vouches for the edited file, and validation still catches it: "
            f"{verdict[digest_key]}: only CloudTrail's private key signs a digest")
