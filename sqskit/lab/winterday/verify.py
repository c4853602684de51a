"""Lab 10's verification: does a built pipeline meet each of Winterday's requirements?

:func:`verify` runs the learner's ``build_pipeline`` in a world of its own
(``capstone.exercise``: the build, three uploads, 15 minutes) and checks the eight
requirements one by one. Each check uses two kinds of evidence:

* **what happened** (``verify_outcomes.py``; ``verify_alarm.py`` for the alarm): results
  in the bucket, where the dead job ended up and after how many attempts, the alarm's
  state, what the trail recorded (the consumer's writes came through the S3 endpoint,
  the stored jobs are sealed under Snowy's key);
* **probes** (``verify_probes.py``): requests that must be allowed and requests that
  must be denied, decided by ``world.simulate`` against the world's own policies (the
  queue policy, the key policy and IAM).

The first probe that goes the wrong way is the evidence of a broken requirement. This
module holds the requirements, which check judges each, and the report: a
:class:`Finding` per requirement, gathered in a :class:`Verification`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .capstone import Run, exercise
from .verify_alarm import dlq_alarm
from .verify_outcomes import dead_letters, encryption, flow, vpc
from .verify_probes import probed, receive_probes, send_probes, tls_probes

if TYPE_CHECKING:
    import pandas as pd

REQUIREMENTS: tuple[tuple[str, str], ...] = (
    ("r1-flow", "An uploaded report is parsed and processed (S3, report-parser, parse-jobs, "
                "report-consumer, processed/)"),
    ("r2-encryption", "parse-jobs and its DLQ are encrypted with Snowy's key "
                      "(alias/winterday-reports), usable by the pipeline only, through SQS"),
    ("r3-send", "Only the report-parser function may send to parse-jobs"),
    ("r4-receive", "Only the report-consumer function may receive from parse-jobs"),
    ("r5-tls", "Every request to parse-jobs without TLS is refused"),
    ("r6-dlq", "A job that fails 5 times moves to parse-jobs-dlq"),
    ("r7-alarm", "An alarm tells pipeline-alarms within 5 minutes of a job landing in "
                 "parse-jobs-dlq, and stays quiet while it is empty"),
    ("r8-vpc", "report-consumer runs in Winterday's VPC and writes through its S3 endpoint"),
)


@dataclass(frozen=True)
class Finding:
    """One requirement: does it hold, and what shows it."""

    number: int
    key: str
    requirement: str
    holds: bool | None  # None: not checked (the build did not finish)
    evidence: str

    def line(self) -> str:
        mark = {True: "✓", False: "✗", None: "·"}[self.holds]
        return f"{mark} {self.number}. {self.requirement}\n      {self.evidence}"


class Verification:
    """The findings for every requirement: a text twin and a DataFrame twin."""

    def __init__(self, findings: list[Finding], note: str = "") -> None:
        self.findings = findings
        self.note = note

    @property
    def ok(self) -> bool:
        return all(f.holds for f in self.findings)

    @property
    def broken(self) -> list[Finding]:
        return [f for f in self.findings if f.holds is False]

    def text(self) -> str:
        held = sum(1 for f in self.findings if f.holds)
        lines = [f"Verification: {held} of {len(self.findings)} requirements hold"]
        if self.note:
            lines.append(self.note)
        return "\n".join(lines + [f.line() for f in self.findings])

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([(f.number, f.requirement, f.holds, f.evidence)
                             for f in self.findings],
                            columns=["number", "requirement", "holds", "evidence"])

    def __str__(self) -> str:
        return self.text()

    __repr__ = __str__


CHECKS: dict[str, Callable[[Run], tuple[bool, str]]] = {
    "r1-flow": flow,
    "r2-encryption": encryption,
    "r3-send": lambda run: probed(run.world, send_probes()),
    "r4-receive": lambda run: probed(run.world, receive_probes()),
    "r5-tls": lambda run: probed(run.world, tls_probes()),
    "r6-dlq": dead_letters,
    "r7-alarm": dlq_alarm,
    "r8-vpc": vpc,
}


def verify(build: Any) -> Verification:
    """Build the pipeline in a world of its own, run the morning, check every requirement."""
    run = exercise(build)
    return findings(run)


def findings(run: Run) -> Verification:
    if not run.built:
        return Verification([Finding(n, key, text, None, "not checked")
                             for n, (key, text) in enumerate(REQUIREMENTS, start=1)],
                            run.error)
    found = []
    for number, (key, text) in enumerate(REQUIREMENTS, start=1):
        try:
            holds, evidence = CHECKS[key](run)
        except Exception as err:  # a half-built pipeline: say what is missing
            holds, evidence = False, f"could not be checked: {type(err).__name__}: {err}"
        found.append(Finding(number, key, text, holds, evidence))
    return Verification(found)
