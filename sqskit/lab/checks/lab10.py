"""Checks of lab 10 (the capstone): the whole pipeline, judged by the verification.

The check runs ``winterday.verify`` on the learner's ``build_pipeline`` (a world of its
own, three uploads, 15 minutes, then every requirement with what happened and with
allowed and denied probes) and fails on the first requirement that does not hold, with a
tip for that requirement. Some broken states have a tip of their own because they are
common: a VPC-endpoint Deny that locks out the event source mapping's poller, a
dead-letter queue left without Snowy's key, an event source mapping without partial
batch responses, and a visibility timeout shorter than the function's timeout (which
CreateEventSourceMapping refuses).
"""

from __future__ import annotations

from typing import Any

from .. import winterday as wd
from ..exercises import attempted, exercise, fail
from ..feedback import NotAttempted

#: the order a learner builds in: the first broken requirement in it gets the tip (the end
#: to end flow, and the dead job it brings to the DLQ, hold only once the rest is built)
BUILD_ORDER = ("r2-encryption", "r5-tls", "r3-send", "r4-receive", "r8-vpc", "r1-flow",
               "r6-dlq", "r7-alarm")


@exercise("10.1", mistakes={
    "build-raised": "build_pipeline stopped with an error (the message says which call and "
                    "why); fix that step and run the verification again.",
    "visibility-short": "Lambda will not map a queue whose visibility timeout is shorter than "
                        "the function's timeout (a batch would come back while the function "
                        "still works on it): give parse-jobs a VisibilityTimeout of at least "
                        "the consumer's Timeout; AWS advises six times it.",
    "denies-too-much": "A request the pipeline needs was denied by a Deny of your queue "
                       "policy (the evidence names it): each Deny must leave out the one "
                       "principal it protects, with a Condition on aws:PrincipalArn. (A "
                       "NotPrincipal naming a role does not match the role's sessions, which "
                       "is how a function calls, so it denies the function too.)",
    "r1-flow": "Follow an upload: S3 must invoke report-parser (add_permission and the bucket "
               "notification), the parser needs JOBS_URL, the consumer an event source "
               "mapping and BUCKET.",
    "r2-encryption": "Create the key as Snowy with winterday.key_policy(<the parser's "
                     "statement>), alias it alias/winterday-reports, and give both queues "
                     "KmsMasterKeyId.",
    "dlq-not-sealed": "The dead-letter queue keeps failed jobs for days: seal it with Snowy's "
                      "key too (KmsMasterKeyId on parse-jobs-dlq).",
    "r3-send": "In one account an Allow in a queue policy takes nothing away: Deny "
               "sqs:SendMessage to everyone whose aws:PrincipalArn is not the parser's role.",
    "r4-receive": "Deny sqs:ReceiveMessage (and DeleteMessage) to everyone whose "
                  "aws:PrincipalArn is not the consumer's role.",
    "poller-vpce": "The event source mapping polls from the Lambda service with the "
                   "consumer's role, never through the VPC endpoint, and Lambda checks that "
                   "it may receive when you create the mapping: restrict the reader by role "
                   "(aws:PrincipalArn), not by aws:SourceVpce.",
    "r5-tls": "Add lab 06's Deny for {\"Bool\": {\"aws:SecureTransport\": \"false\"}} on "
              "sqs:*.",
    "r6-dlq": "RedrivePolicy {\"deadLetterTargetArn\": <parse-jobs-dlq's ARN>, "
              "\"maxReceiveCount\": 5} on parse-jobs.",
    "no-partial-failures": "The consumer reports a failed job in batchItemFailures, but "
                           "Lambda reads that only when the event source mapping has "
                           "FunctionResponseTypes=[\"ReportBatchItemFailures\"] (lab 09).",
    "r7-alarm": "Alarm on ApproximateNumberOfMessagesVisible of parse-jobs-dlq (> 0, Period "
                "60, 1 evaluation period: it must fire within 5 minutes of a job landing), "
                "with AlarmActions=[site.topic].",
    "r8-vpc": "Deploy report-consumer with VpcConfig={\"SubnetIds\": [site.subnet], "
              "\"SecurityGroupIds\": [site.security_group]}.",
})
def pipeline_verified(build_pipeline: Any) -> str:
    attempted(build_pipeline)
    if not callable(build_pipeline):
        fail(f"build_pipeline is a {type(build_pipeline).__name__}: define it with def")
    try:
        run = wd.capstone.exercise(build_pipeline)
    except NotImplementedError:
        raise NotAttempted() from None
    if not run.built:
        policy = run.world.sqs.policy_for(wd.queue_arn()) or ""
        locked_out = "permissions to call ReceiveMessage" in run.error
        fail(run.error, "poller-vpce" if locked_out and "aws:SourceVpce" in policy
             else "visibility-short" if "is less than Function timeout" in run.error
             else "build-raised")
    report = wd.verify_run(run)
    if report.ok:
        return f"all {len(report.findings)} requirements hold, each with its probes"
    keys = {f.key: f for f in report.broken}
    first = next(keys[k] for k in BUILD_ORDER if k in keys)
    mistake = first.key
    if first.key in ("r3-send", "r4-receive", "r5-tls") and \
            "must be allowed, was denied" in first.evidence:
        mistake = "denies-too-much"  # not a missing Deny: one that catches the pipeline
    elif first.key == "r2-encryption" and wd.DEAD_LETTER_QUEUE in first.evidence:
        mistake = "dlq-not-sealed"
    elif first.key == "r6-dlq" and "ReportBatchItemFailures" in first.evidence:
        mistake = "no-partial-failures"
    fail(f"{len(report.broken)} of {len(report.findings)} requirements broken; the first to "
         f"build, {first.number} ({first.requirement.split(' (')[0]}): {first.evidence}",
         mistake)
