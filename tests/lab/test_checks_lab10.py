"""Lab 10's verification catches each requirement broken on purpose, and its check names it.

Each variant below is the solution's ``build_pipeline`` with one small edit (a mutation of
the course source, so the variants follow the solution as it changes) that breaks exactly
one requirement: the verification must report that requirement, and only that one, as
broken, and the check must fail with that requirement's tip. Two more variants are the
usual last mistakes (a dead-letter queue without Snowy's key; lab 06's VPC-endpoint Deny,
which locks out the event source mapping's poller) and one stops the build with an error.
"""

from __future__ import annotations

import linecache
import re
from functools import cache
from typing import Any

import pytest

import sqskit
from sqskit.lab import winterday as wd
from tools.coursebuild.source import read

from .cases import Case, ids
from .conftest import COURSE


@cache
def solution_cells() -> tuple[str, str]:
    """(the handlers' cell, the build_pipeline cell) of the solution."""
    cells = [c.solution for c in read(COURSE / "10_capstone.py").cells if c.kind == "code"]
    handlers = next(c for c in cells if c.startswith("def parse_upload"))
    build = next(c for c in cells if c.startswith("def build_pipeline"))
    return handlers, build


def variant(*edits: tuple[str, str]) -> Any:
    """The solution's build_pipeline with each ``(old, new)`` edit applied (old must be there:
    a variant never silently stops breaking anything)."""
    handlers, build = solution_cells()
    for old, new in edits:
        assert old in build or re.search(old, build, re.S), f"not in the solution: {old!r}"
        build = build.replace(old, new) if old in build else re.sub(old, new, build,
                                                                    flags=re.S)
    namespace: dict[str, Any] = {"json": __import__("json"), "sqskit": sqskit, "winterday": wd}
    for number, text in enumerate((handlers, build)):
        name = f"<capstone variant {id(build)} {number}>"
        linecache.cache[name] = (len(text), None, text.splitlines(keepends=True), name)
        exec(compile(text, name, "exec"), namespace)
    return namespace["build_pipeline"]


def without(sid: str) -> tuple[str, str]:
    """Remove the queue-policy statement ``sid``."""
    return (r'\{"Sid": "' + re.escape(sid) + r'".*?\}\}\},\n\s*', "")


def stub(world, site):
    raise NotImplementedError


BREAKS: dict[str, tuple[tuple[str, str], ...]] = {
    "r1-flow": (('"BUCKET": site.bucket', '"BUCKET": "winterday-results"'),),
    "r2-encryption": (('sealed = {"KmsMasterKeyId": winterday.KEY_ALIAS}',
                       'sealed = {"KmsMasterKeyId": "alias/aws/sqs"}'),),
    "r3-send": (without("OnlyTheParserSends"),),
    "r4-receive": (without("OnlyTheConsumerReads"),),
    "r5-tls": (without("TlsOnly"),),
    "r6-dlq": (('"maxReceiveCount": 5', '"maxReceiveCount": 3'),),
    "r7-alarm": (("cloudwatch.put_metric_alarm(", "dict("),),
    "r8-vpc": ((',\n        VpcConfig={"SubnetIds": [site.subnet], "SecurityGroupIds": '
                '[site.security_group]})', ")"),),
}
DLQ_NOT_SEALED = (("QueueName=winterday.DEAD_LETTER_QUEUE, Attributes=sealed",
                   "QueueName=winterday.DEAD_LETTER_QUEUE, Attributes={}"),)
POLLER_VPCE = (('{"ArnNotEquals": {"aws:PrincipalArn": winterday.CONSUMER}}',
                '{"StringNotEquals": {"aws:SourceVpce": site.sqs_endpoint}}'),)
NO_PARTIAL_FAILURES = (('BatchSize=10,\n        FunctionResponseTypes=["ReportBatchItemFailures"])',
                        "BatchSize=10)"),)
SHORT_VISIBILITY = (('"VisibilityTimeout": "60"', '"VisibilityTimeout": "5"'),)
#: the consumer left out of the senders' Deny (as if it also had to send): IAM does not let
#: it send today, but "only the parser sends" must not rest on that
CONSUMER_EXEMPT = (('"Action": "sqs:SendMessage", "Resource": jobs_arn,\n'
                    '             "Condition": {"ArnNotEquals": {"aws:PrincipalArn": '
                    'winterday.PARSER}}}',
                    '"Action": "sqs:SendMessage", "Resource": jobs_arn,\n'
                    '             "Condition": {"ArnNotEquals": {"aws:PrincipalArn": '
                    '[winterday.PARSER, winterday.CONSUMER]}}}'),)
#: the same requirements written another way: StringNotLike on aws:PrincipalArn, the
#: reader's Deny also on ChangeMessageVisibility, the key by ARN, a longer visibility
#: timeout, the parser's key statement with GenerateDataKey* and a ViaService wildcard
ALTERNATIVE = (
    ('{"ArnNotEquals": {"aws:PrincipalArn": winterday.PARSER}}',
     '{"StringNotLike": {"aws:PrincipalArn": [winterday.PARSER]}}'),
    ('"Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"]',
     '"Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]'),
    ('"VisibilityTimeout": "60"', '"VisibilityTimeout": "120"'),
    ('"Action": ["kms:GenerateDataKey", "kms:Decrypt"]',
     '"Action": ["kms:GenerateDataKey*", "kms:Decrypt"]'),
    ('{"StringEquals": {"kms:ViaService": winterday.VIA_SQS}}',
     '{"StringLike": {"kms:ViaService": "sqs.*.amazonaws.com"}}'),
    ('sealed = {"KmsMasterKeyId": winterday.KEY_ALIAS}',
     'sealed = {"KmsMasterKeyId": kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]}'),
)
#: "only the parser sends" with NotPrincipal: on AWS a NotPrincipal naming a role does not
#: match the role's sessions, so the Deny catches the parser's function as well
NOT_PRINCIPAL = (('"Effect": "Deny", "Principal": "*",\n             "Action": "sqs:SendMessage", '
                  '"Resource": jobs_arn,\n             "Condition": {"ArnNotEquals": '
                  '{"aws:PrincipalArn": winterday.PARSER}}}',
                  '"Effect": "Deny", "NotPrincipal": {"AWS": winterday.PARSER},\n'
                  '             "Action": "sqs:SendMessage", "Resource": jobs_arn}'),)
ALARM_ON_SENT = (('MetricName="ApproximateNumberOfMessagesVisible"',
                  'MetricName="NumberOfMessagesSent"'),)
WRONG_ROLE = (("lam, parse_upload, role=winterday.PARSER",
               "lam, parse_upload, role=winterday.SNOWY"),)


@cache
def report(name: str) -> wd.Verification:
    edits = BREAKS.get(name) or {"dlq": DLQ_NOT_SEALED, "vpce": POLLER_VPCE,
                                 "solution": ()}[name]
    return wd.verify(variant(*edits))


def test_the_solution_meets_every_requirement() -> None:
    """All eight requirements hold for the solution, each with its evidence."""
    found = report("solution")
    assert found.ok, found.text()
    assert found.text().startswith("Verification: 8 of 8 requirements hold")


@pytest.mark.parametrize("requirement", sorted(BREAKS))
def test_the_verification_catches_each_requirement_broken_on_purpose(requirement: str) -> None:
    """One edit breaks one requirement: the verification reports exactly that one broken
    (the others still hold), with evidence that says what went wrong."""
    found = report(requirement)
    assert [f.key for f in found.broken] == [requirement], found.text()
    assert all(f.holds for f in found.findings if f.key != requirement)


def test_an_unsealed_dead_letter_queue_breaks_only_the_encryption_requirement() -> None:
    found = report("dlq")
    assert [f.key for f in found.broken] == ["r2-encryption"]
    assert "parse-jobs-dlq is encrypted with SSE-SQS" in found.broken[0].evidence


def test_a_vpc_endpoint_deny_locks_out_the_poller_and_stops_the_build() -> None:
    """Lab 06's reader Deny copied here: the event source mapping polls from the Lambda
    service, not through the endpoint, and Lambda checks the role may receive when the
    mapping is created: the build stops, and nothing is checked."""
    found = report("vpce")
    assert not found.ok and all(f.holds is None for f in found.findings)
    assert "does not have permissions to call ReceiveMessage" in found.note


def test_without_partial_batch_responses_the_dead_job_is_lost_and_the_alarm_replayed() -> None:
    """The mapping ignores batchItemFailures: the broken job is deleted after one try (6
    broken, with the reason); with no job in the DLQ the alarm is judged by a replayed
    arrival, so 7 still holds."""
    found = wd.verify(variant(*NO_PARTIAL_FAILURES))
    assert [f.key for f in found.broken] == ["r6-dlq"]
    assert "tried once" in found.broken[0].evidence
    assert "ReportBatchItemFailures" in found.broken[0].evidence
    assert "would go to ALARM 1 minute after a job lands" in found.findings[6].evidence


def test_a_consumer_exempt_from_the_senders_deny_breaks_only_the_send_requirement() -> None:
    """"Only the parser sends" is the queue policy's Deny for everyone else: a consumer
    left out of it could send the day its role gets sqs:* (a probe with that identity
    policy), although IAM does not let it today."""
    found = wd.verify(variant(*CONSUMER_EXEMPT))
    assert [f.key for f in found.broken] == ["r3-send"], found.text()
    assert "the consumer sends, were its role given sqs:* in IAM" in found.broken[0].evidence


def test_an_alarm_on_messages_sent_misses_a_redriven_job() -> None:
    """SQS does not count a job it moves to a dead-letter queue in that queue's
    NumberOfMessagesSent: such an alarm stays OK with a job in the DLQ, and the evidence
    says why; with no job in the DLQ (no partial batch responses) the replayed arrival
    does not set it off either."""
    found = wd.verify(variant(*ALARM_ON_SENT))
    assert [f.key for f in found.broken] == ["r7-alarm"], found.text()
    assert "a job SQS moves there by redrive is no call" in found.broken[0].evidence
    replayed = wd.verify(variant(*ALARM_ON_SENT, *NO_PARTIAL_FAILURES))
    assert [f.key for f in replayed.broken] == ["r6-dlq", "r7-alarm"], replayed.text()
    assert "would not set off" in replayed.broken[1].evidence


def test_the_requirements_written_another_way_all_hold() -> None:
    """The verification judges what the pipeline does, not how the solution spells it."""
    found = wd.verify(variant(*ALTERNATIVE))
    assert found.ok, found.text()


def test_a_build_that_stops_reports_the_error_and_checks_nothing() -> None:
    found = wd.verify(variant(*WRONG_ROLE))
    assert not found.ok and all(f.holds is None for f in found.findings)
    assert found.note.startswith("build_pipeline raised")


CASES = [
    Case("10.1", "the solution", lambda: (variant(),), "passed"),
    Case("10.1", "the stub", lambda: (stub,), "not attempted"),
    Case("10.1", "nothing yet", lambda: (...,), "not attempted"),
    Case("10.1", "not a function", lambda: ("build",), "failed"),
    Case("10.1", "a user as the parser's role", lambda: (variant(*WRONG_ROLE),), "failed",
         "build-raised"),
    Case("10.1", "a DLQ without Snowy's key", lambda: (variant(*DLQ_NOT_SEALED),), "failed",
         "dlq-not-sealed"),
    Case("10.1", "the reader pinned to the VPC endpoint", lambda: (variant(*POLLER_VPCE),),
         "failed", "poller-vpce"),
    Case("10.1", "a visibility timeout below the function timeout",
         lambda: (variant(*SHORT_VISIBILITY),), "failed", "visibility-short"),
    Case("10.1", "the consumer exempt from the senders' Deny",
         lambda: (variant(*CONSUMER_EXEMPT),), "failed", "r3-send"),
    Case("10.1", "the requirements written another way", lambda: (variant(*ALTERNATIVE),),
         "passed"),
    Case("10.1", "the parser kept out of a Deny with NotPrincipal", lambda: (
        variant(*NOT_PRINCIPAL),), "failed", "denies-too-much"),
    Case("10.1", "no partial batch responses", lambda: (variant(*NO_PARTIAL_FAILURES),),
         "failed", "no-partial-failures"),
    *(Case("10.1", f"broken: {key}", lambda key=key: (variant(*BREAKS[key]),), "failed", key)
      for key in sorted(BREAKS)),
]


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_lab10_check_judges_each_build_as_expected(case: Case) -> None:
    """The capstone: the solution passes; each broken requirement gets its tip."""
    case.run()
