"""Checks of lab 11's four flags (11.1 to 11.4): facts about the prepared incident.

The facts come from ``winterday.incident``: who came in, which delivered log files were
edited, how many reads the intruder made, which jobs it forged. This module holds only
their salted SHA-256 hashes (and, for the lists, one hash per item, so a check can say
"2 of your 3 are right" without saying which are missing); neither the answers nor code
that computes them is in any check. What a check does compute is a plausible *wrong*
answer (the count the edited log files show), to name the mistake.
"""

from __future__ import annotations

import hashlib
import numbers
import re
from collections.abc import Iterable
from typing import Any

from ....base.identity import DEFAULT_SOURCE_IP
from ... import winterday as wd
from ...exercises import attempted, exercise, fail, shown
from ..look import expect_world

SALT = "sqskit-lab11-winterday"

#: sha256(SALT:exercise:normalised answer); for lists also one hash per item
FLAGS: dict[str, str] = {
    "11.1": "a17e1dda1b9bb03fe58431c6aef9f6455fdb4b8c6ffda70a94952bbe97329131",
    "11.2": "87cfcd8090c871bc44fee0b9e9fa0d07f594fb515fd5ac64ef500f6faf140d47",
    "11.3": "bb14d3bf712d6da223fcd3c5ac923d1d41bd80adfba70331252a75fa95a1abe7",
    "11.4": "a5b464cda6dc26876e17c871cfd86fd29536c2ed2fe204e753e8f6e4da0c8743",
}
ITEMS: dict[str, frozenset[str]] = {
    "11.2": frozenset({
        "322c4a1d32856e686581ecd536ab1a31eb4a6fd14cfa5736e191712f2837d306",
        "415f6dd9e01938e832f5a2bc11f7f4ebb29af788eaef3af432ff083b4522fd9b",
        "4596963fa59735d8e2e7dd99cb5159f9743b4fdd30e64d7d4a8047bbb093e32a",
        "9a0dba866ffde235f7ed70c4885c0c64c30415692bafdda2d2d8093ea0dbe84b",
        "af01a7c1086256a94c8ef7be83a101660985cc264e0c62d44492d41df46677cc",
        "b9a4f4d886ada1ff902932d4e4639b248e1f1e2b41ec62f773c08a1d61af64d1",
        "dfe29648f1b4d46dda23776c380547da0fe38dda46a494d22dd16574ed9ec335"}),
    "11.4": frozenset({
        "2654cae2a9112ea7dbce100eac0fbc843730290e8be43e8ea778c6eddc695f4a",
        "6e4fbe96bd19bfebf108083f80014da48b5ab6a95f037d560d077cd295df5f5b",
        "9b1ae374cfb15ad5f43d7b11c0433a871a5379b0837cf1700025e748d4223029"}),
}


def digest(exercise_id: str, text: str) -> str:
    return hashlib.sha256(f"{SALT}:{exercise_id}:{text}".encode()).hexdigest()


def listed(value: Any) -> list[str]:
    """A learner's list answer, normalised: names only (no paths), stripped, sorted."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        fail(f"the answer should be a list, not {type(value).__name__}", "not-a-list")
    return sorted({str(v).strip().rsplit("/", 1)[-1] for v in value})


def judge_items(exercise_id: str, found: list[str], wrong: str, missing: str) -> None:
    """Fail unless ``found`` is exactly the flag's list: first how many of the learner's
    items are wrong (``"2 of your 3 files were not edited"``), then how many are missing
    (told only as a count: the check does not know which ones)."""
    right = {item for item in found if digest(exercise_id, item) in ITEMS[exercise_id]}
    if len(right) < len(found):
        fail(f"{len(found) - len(right)} of your {len(found)} {wrong}", "some-wrong")
    if digest(exercise_id, ",".join(found)) != FLAGS[exercise_id]:
        fail(f"{len(found)} {missing}", "some-missing")


def _captured(exercise_id: str, what: str) -> str:
    return f"flag {exercise_id[-1]} of 4 captured: {what}"


# -- 11.1: who came in -------------------------------------------------------------------------
_ADDRESS = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


@exercise("11.1", mistakes={
    "anonymous": "Right: nobody signed in. CloudTrail records an anonymous caller with no "
                 "ARN (type AWSAccount, accountId ANONYMOUS_PRINCIPAL); what identifies it is "
                 "the sourceIPAddress. Give that.",
    "deploy-bot": "deploy-bot opened the door (the SetQueueAttributes at 09:40) but never "
                  "read a job. Who came in through it?",
    "winterday": "That address is Winterday's own clients'. Look for requests from an "
                 "address nobody at Winterday uses.",
    "not-an-address": "Give the intruder's IP address as text, such as \"192.0.2.1\".",
    "wrong": "That is not the intruder's address. Filter the delivered records for "
             "ReceiveMessage and SendMessage by callers who are not Winterday's.",
})
def intruder(attacker: Any) -> str:
    attempted(attacker)
    if not isinstance(attacker, str):
        kind = type(attacker).__name__
        fail(f"attacker is a {kind}, not text" + (
            ": take one value out of it (a Series' .iloc[0], a list's [0])"
            if hasattr(attacker, "__len__") else ""), "not-an-address")
    text = attacker.strip()
    if text.lower() in ("anonymous", "anonymous_principal") or "anonymous" in text.lower():
        fail(f"{text!r} is what the intruder is, not who", "anonymous")
    if "deploy-bot" in text:
        fail(f"{text} is who changed the policy", "deploy-bot")
    if not _ADDRESS.match(text):
        fail(f"{shown(text, 60)} is not an IP address", "not-an-address")
    if text in (DEFAULT_SOURCE_IP, "203.0.113.80"):
        fail(f"{text} is Winterday's own", "winterday")
    if digest("11.1", text) != FLAGS["11.1"]:
        fail(f"{text} is not it", "wrong")
    return _captured("11.1", f"the intruder called from {text}, without signing in")


# -- 11.2: the edited log files ----------------------------------------------------------------
@exercise("11.2", mistakes={
    "not-a-list": "Give a list of log file names (the INVALID lines of validate()).",
    "digest-files": "The digests are valid: which *log files* are INVALID?",
    "some-wrong": "Some of those files are valid. Take the files validate() reports as "
                  "INVALID: [c.name for c in report.invalid].",
    "some-missing": "Right so far, but more files were edited: take every INVALID one.",
    "empty": "validate() reports the edited log files as INVALID (report.invalid; in "
             "report.to_frame() their status starts with \"INVALID\"). List their names.",
})
def tampered_files_found(tampered_files: Any) -> str:
    attempted(tampered_files)
    found = listed(tampered_files)
    if not found:
        fail("the list is empty", "empty")
    if any("CloudTrail-Digest" in item for item in found):
        fail("the list holds digest files", "digest-files")
    judge_items("11.2", found, "files were not edited", "edited files found")
    return _captured("11.2", f"{len(found)} log files were edited to hide the intruder")


# -- 11.3: how many reads ----------------------------------------------------------------------
@exercise("11.3", mistakes={
    "not-a-number": "Give a number: how many ReceiveMessage calls the intruder made.",
    "delivered-count": "That is what the delivered log files show, and some of them were "
                       "edited. CloudTrail's own copy (world.trail, like CloudTrail Lake) has "
                       "every record.",
    "wrong": "Count the intruder's ReceiveMessage events in CloudTrail's own copy, "
             "world.trail (world.trail.query or to_frame()).",
})
def intruder_reads(world: Any, reads: Any) -> str:
    world = expect_world(world)
    attempted(reads)
    if not _whole_number(reads):
        fail(f"reads is {shown(reads, 40)}", "not-a-number")
    count = int(reads)
    if digest("11.3", str(count)) == FLAGS["11.3"]:
        return _captured("11.3", f"{count} reads, more than the edited log files admit")
    delivered = wd.delivered_frame(world)
    seen = delivered[(delivered["eventName"] == "ReceiveMessage")
                     & (delivered["principal"] == "anonymous")]
    if count == len(seen):
        fail(f"{count} reads is what the edited files show", "delivered-count")
    fail(f"{count} is not it", "wrong")


def _whole_number(value: Any) -> bool:
    """A whole number of any kind (numpy's from a query or a DataFrame too), not a bool."""
    return (not isinstance(value, bool) and isinstance(value, numbers.Real)
            and float(value).is_integer())


# -- 11.4: the forged jobs ---------------------------------------------------------------------
@exercise("11.4", mistakes={
    "not-a-list": "Give a list of job ids, such as [\"P-0123\", \"P-0456\"].",
    "message-ids": "Those are MessageIds. Give the jobs' ids (the \"job\" field of each "
                   "forged message's body).",
    "some-wrong": "Some of those jobs are the parser's. A forged job is one whose "
                  "SendMessage came from the intruder (its responseElements.messageId).",
    "some-missing": "Right so far, but the intruder sent more. Look in CloudTrail's own copy: "
                    "the edited log files hide the later sends.",
    "empty": "No forged job found yet. The intruder's successful SendMessage records in "
             "CloudTrail's own copy (world.trail: the edited log files hide some) hold the "
             "MessageIds; look for them among winterday.waiting_jobs(world).",
})
def forged_jobs_found(forged_jobs: Any) -> str:
    attempted(forged_jobs)
    found = listed(forged_jobs)
    if not found:
        fail("the list is empty", "empty")
    if any(re.match(r"^[0-9a-f]{8}-", item) for item in found):
        fail("those look like MessageIds", "message-ids")
    judge_items("11.4", found, "jobs were not forged", "of the forged jobs found")
    return _captured("11.4", f"{len(found)} forged jobs: {', '.join(found)}")
