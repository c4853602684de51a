"""Check of lab 11's ``validate_job`` (11.6): the consumer must not trust the sender.

A queue delivers whatever anybody allowed to send put on it, so the consumer checks
each job before it acts on it. The check runs the learner's validator on good jobs
(which it must return unchanged) and on the intruder's forged jobs and other malformed
bodies (which it must refuse with ValueError; any other error would crash the consumer);
each accepted bad body names its own mistake.
"""

from __future__ import annotations

import json
from typing import Any

from ... import winterday as wd
from ...exercises import attempted, exercise, fail, require, run_learner, shown
from ...feedback import LearnerCodeRaised
from ...winterday import incident as story


def _good_jobs() -> list[dict[str, Any]]:
    import random

    return story._jobs(random.Random(story.SEED + "-jobs"), 44)


def _bad(original: dict[str, Any], **changes: Any) -> str:
    found = {**original, **changes}
    return json.dumps({k: v for k, v in found.items() if v is not None})


def refused_bodies() -> list[tuple[str, str, str]]:
    """(what it is, body, the mistake of accepting it)."""
    good = wd.report(512, "elm-bakery")
    forged = story._plan()["forged"]
    return [
        ("a job whose key climbs out of uploads/", json.dumps(forged[0]), "accepts-traversal"),
        ("a job in somebody else's bucket", json.dumps(forged[1]), "accepts-other-bucket"),
        ("a job with a callback address", json.dumps(forged[2]), "accepts-extra-field"),
        ("a key for another customer's report", _bad(
            good, key="uploads/2025-q4/acme-ltd.pdf"), "accepts-wrong-key"),
        ("a key with ../ inside", _bad(good, key="uploads/2025-q4/../2025-q3/elm-bakery.pdf"),
         "accepts-traversal"),
        ("a customer Winterday does not have", _bad(
            good, customer="evil-corp", key="uploads/2025-q4/evil-corp.pdf"),
         "accepts-unknown-customer"),
        ("a job id with five digits", _bad(good, job="P-12345"), "accepts-bad-id"),
        ("a job id that is a number", _bad(good, job=512), "accepts-bad-id"),
        ("a job without its customer", _bad(good, customer=None), "accepts-malformed"),
        ("a list instead of an object", json.dumps([good]), "accepts-malformed"),
        ("text that is not JSON", "print P-0512 please", "accepts-malformed"),
    ]


@exercise("11.6", mistakes={
    "returns-bool": "Return the job (the dict) when it is valid, and raise ValueError when "
                    "it is not: the consumer uses what you return.",
    "rejects-good": "A job the parser sent is refused: check each rule against a good job "
                    "(winterday.report(1)).",
    "crashes": "For anything invalid raise ValueError (json.loads already raises a "
               "ValueError subclass); a KeyError or TypeError would crash the consumer.",
    "accepts-traversal": "The key must be exactly uploads/<quarter in lower case>/"
                         "<customer>.pdf: build it and compare, rather than look for a "
                         "prefix.",
    "accepts-other-bucket": "The bucket must be winterday-reports (winterday.BUCKET).",
    "accepts-extra-field": "Exactly five keys: job, bucket, key, customer, quarter. An extra "
                           "one (a callback address) is a forged job.",
    "accepts-wrong-key": "The key must name the job's own customer and quarter.",
    "accepts-unknown-customer": "The customer must be one of winterday.CUSTOMERS.",
    "accepts-bad-id": "job is text: \"P-\" and four digits (re.fullmatch(r\"P-\\d{4}\", ...)).",
    "accepts-malformed": "Refuse anything that is not a JSON object with every field as "
                         "text.",
})
def jobs_validated(validate_job: Any) -> str:
    attempted(validate_job)
    for job in [*_good_jobs()[:12], wd.report(7, "fjord-shipping", "2024-Q1")]:
        try:
            returned = run_learner(validate_job, json.dumps(job))
        except LearnerCodeRaised as err:
            fail(f"job {job['job']} ({job['customer']}) was refused: {err.detail}",
                 "rejects-good")
        if returned is True or returned is False or returned is None:
            fail(f"validate_job returned {returned!r} for a good job", "returns-bool")
        require(returned == job, f"validate_job returned {shown(returned, 60)}, not the job",
                "returns-bool")
    for what, text, mistake in refused_bodies():
        try:
            returned = run_learner(validate_job, text)
        except LearnerCodeRaised as err:
            if isinstance(err.error, ValueError):
                continue
            fail(f"{what}: {err.detail}", "crashes")
        if returned is False or returned is None:
            fail(f"validate_job returned {returned!r} for {what}", "returns-bool")
        fail(f"{what} was accepted", mistake)
    return (f"every good job passes, and all {len(refused_bodies())} forged or malformed "
            "ones are refused")
