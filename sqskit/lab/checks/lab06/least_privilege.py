"""Check of lab 06's identity policy for the parser (06.1): least privilege.

An identity policy has no Principal (it belongs to whoever holds it). The parser's must
allow sending to parse-jobs and nothing else: no receive, purge or attribute changes,
and no other queue. ``sqs:SendMessageBatch`` is no IAM action (a batch is authorized as
``sqs:SendMessage``), so naming it does nothing (reference sheet iam-policy-evaluation.md).
"""

from __future__ import annotations

from typing import Any

from ... import winterday as wd
from ...exercises import exercise
from ...models.probes import ProbeResult
from ..callers import PAYROLL
from ..callers import probe as _p
from ..policies import Expectation, identity_documents, probe_set, valid, verify


@probe_set("06.1")
def parser_probes(parser_identity_policy: Any) -> tuple[list[Expectation], None]:
    mine = identity_documents(parser_identity_policy, "parser_identity_policy")
    expectations: list[Expectation] = [
        (_p("the parser sends a job", wd.PARSER, "sqs:SendMessage", "allow", identity=mine),
         "no-send"),
        (_p("the parser receives jobs", wd.PARSER, "sqs:ReceiveMessage", "deny",
            identity=mine), "too-many-actions"),
        (_p("the parser purges the queue", wd.PARSER, "sqs:PurgeQueue", "deny",
            identity=mine), "too-many-actions"),
        (_p("the parser changes the queue's attributes", wd.PARSER, "sqs:SetQueueAttributes",
            "deny", identity=mine), "too-many-actions"),
        (_p("the parser sends to payroll-jobs", wd.PARSER, "sqs:SendMessage", "deny", PAYROLL,
            identity=mine), "wildcard-resource"),
    ]
    return expectations, None


@exercise("06.1", mistakes={
    "principal-in-identity": "An identity policy has no Principal: it belongs to whoever "
                             "holds it (here, the role). Remove Principal.",
    "malformed": "Fix the document so the policy language accepts it (the message says "
                 "where).",
    "no-send": "Allow sqs:SendMessage on parse-jobs' ARN.",
    "batch-action": "There is no sqs:SendMessageBatch action: SendMessageBatch is authorized "
                    "as sqs:SendMessage.",
    "too-many-actions": "The parser only sends: allow sqs:SendMessage (and sqs:GetQueueUrl if "
                        "you like), not sqs:* or receive/delete/purge.",
    "wildcard-resource": "Name parse-jobs' ARN in Resource, not \"*\" or a wildcard that "
                         "covers other queues.",
})
def parser_least_privilege(parser_identity_policy: Any) -> str:
    expectations, _ = parser_probes(parser_identity_policy)
    text = (expectations[0][0].identity or ("",))[0]
    if '"Principal"' in text or '"NotPrincipal"' in text:
        valid(text, "identity", "principal-in-identity")
    if text:
        valid(text, "identity", "malformed")

    def classify(result: ProbeResult, mistake: str | None) -> str | None:
        if mistake == "no-send" and "sqs:sendmessagebatch" in text.lower():
            return "batch-action"
        return mistake

    verify(expectations, None, classify)
    note = (" (sqs:SendMessageBatch is no IAM action: batches are authorized as "
            "sqs:SendMessage, so that entry does nothing)"
            if "sqs:sendmessagebatch" in text.lower() else "")
    return "the parser may send to parse-jobs and do nothing else, anywhere else" + note
