"""Check of lab 11's fixed queue policy (11.5), judged by probes.

The door the intruder came through is the old template's Principal "*" Allow, which a
deployment put back on parse-jobs. The fix must shut it without locking the pipeline
out: probes ask the policy evaluator about requests that must be allowed (the parser
sends over TLS, the consumer receives and deletes through Winterday's endpoint) and
requests that must be denied (anonymous callers, other accounts, deploy-bot and
ops-admin with ``sqs:*`` in IAM, the consumer from the internet, plain HTTP), each tied
to the mistake that would turn it around (``policies.py``): lab 06's rules, together.
"""

from __future__ import annotations

from typing import Any

from ... import winterday as wd
from ...exercises import exercise
from ...winterday import incident as story
from ..callers import ALL_SQS, IN_VPC, SCRAPER, probe
from ..policies import Expectation, document, probe_set, statements, valid, verify


def incident_probes() -> list[Expectation]:
    return [
        (probe("the parser sends over TLS", wd.PARSER, "sqs:SendMessage", "allow"),
         "broke-parser"),
        (probe("the consumer receives through Winterday's endpoint", wd.CONSUMER,
            "sqs:ReceiveMessage", "allow", **IN_VPC), "broke-consumer"),
        (probe("the consumer deletes through Winterday's endpoint", wd.CONSUMER,
            "sqs:DeleteMessage", "allow", **IN_VPC), "broke-consumer"),
        (probe("an anonymous caller on the internet receives", "anonymous", "sqs:ReceiveMessage",
            "deny"), "still-public"),
        (probe("an anonymous caller on the internet sends", "anonymous", "sqs:SendMessage",
            "deny"), "still-public"),
        (probe(f"a role of account {wd.OUTSIDER_ACCOUNT} (sqs:* in its IAM) receives", SCRAPER,
            "sqs:ReceiveMessage", "deny", identity=(ALL_SQS,)), "still-public"),
        (probe("deploy-bot (sqs:* in IAM) receives", story.DEPLOY_BOT, "sqs:ReceiveMessage",
            "deny", identity=(ALL_SQS,)), "reader-open"),
        (probe("ops-admin (sqs:* in IAM) receives from the internet", wd.OPS_ADMIN,
            "sqs:ReceiveMessage", "deny"), "reader-open"),
        (probe("ops-admin (sqs:* in IAM) receives through Winterday's endpoint", wd.OPS_ADMIN,
            "sqs:ReceiveMessage", "deny", **IN_VPC), "reader-one-deny"),
        (probe("the consumer receives from the internet, not through the endpoint", wd.CONSUMER,
            "sqs:ReceiveMessage", "deny"), "reader-one-deny"),
        (probe("ops-admin (sqs:* in IAM) sends a job", wd.OPS_ADMIN, "sqs:SendMessage", "deny"),
         "send-open"),
        (probe("the parser sends over plain HTTP", wd.PARSER, "sqs:SendMessage", "deny",
            secure_transport=False), "no-tls"),
    ]


@probe_set("11.5")
def fix_probes(incident_policy: Any) -> tuple[list[Expectation], str]:
    return incident_probes(), document(statements(incident_policy, "incident_policy"))


MISTAKES_11_5 = {
    "malformed": "Fix the document so the policy language accepts it (the message says "
                 "where).",
    "still-public": "Principal \"*\" with an Allow lets anybody in, signed in or not. Remove "
                    "that statement: Winterday's own identity policies already let the "
                    "parser and the consumer in.",
    "reader-open": "Only the consumer, through Winterday's endpoint, may receive: lab 06's "
                   "two Denies (aws:SourceVpce and aws:PrincipalArn).",
    "reader-one-deny": "Two rules, two Denies on ReceiveMessage: one unless the request "
                       "comes through Winterday's endpoint (aws:SourceVpce), one unless the "
                       "caller is the consumer (aws:PrincipalArn). Conditions in one "
                       "statement must all match for it to apply, so a single Deny with both "
                       "lets the consumer in from anywhere and anybody in through the "
                       "endpoint.",
    "send-open": "Only the parser may send: Deny sqs:SendMessage unless aws:PrincipalArn is "
                 "the parser's role.",
    "no-tls": "Keep lab 06's TLS-only Deny ({\"Bool\": {\"aws:SecureTransport\": "
              "\"false\"}}).",
    "broke-parser": "The parser must still send (its identity policy allows it; make sure "
                    "no Deny catches it).",
    "broke-consumer": "The consumer, through Winterday's endpoint, must still receive and "
                      "delete.",
}


@exercise("11.5", mistakes=MISTAKES_11_5)
def policy_fixed(incident_policy: Any) -> str:
    expectations, policy = fix_probes(incident_policy)
    valid(policy, "resource", "malformed")
    verify(expectations, policy)
    return ("nobody outside Winterday gets in; only the parser sends, only the consumer "
            "reads, only over TLS")
