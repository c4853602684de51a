"""The queue's ``Policy`` attribute: validated when set, as SQS does.

A malformed document (bad JSON, a missing Principal, an unknown operator, an ARN that
is not one ...) fails CreateQueue / SetQueueAttributes with InvalidAttributeValue and
AWS's terse message ``Invalid value for the parameter Policy.`` (recorded against AWS);
what exactly is wrong rides along in the error's ``detail`` for the learner. ``""``
removes the policy. SQS's policy quotas (reference sheet, "Queue-policy rules": 8,192
bytes, 20 statements, 50 principals, 10 conditions, 7 actions per statement) fail with
OverLimit; that code is in the model, the message wording is **unverified**.
"""

from __future__ import annotations

from ...base.errors import InvalidAttributeValue, OverLimit
from ...security.policy import Policy, PolicyProblem, parse

MAX_BYTES = 8192
MAX_STATEMENTS = 20
MAX_PRINCIPALS = 50
MAX_CONDITIONS = 10
MAX_ACTIONS = 7


def check_queue_policy(text: str) -> Policy:
    """The compiled policy, or the error SQS returns for it."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise OverLimit(f"Policy size of {size} bytes was found, maximum allowed is "
                        f"{MAX_BYTES}.")
    try:
        policy = parse(text, "resource")
    except PolicyProblem as problem:
        raise InvalidAttributeValue("Invalid value for the parameter Policy.",
                                    detail=problem) from None
    _check_counts(policy)
    return policy


def _check_counts(policy: Policy) -> None:
    statements = policy.statements
    counts = (
        ("statements", len(statements), MAX_STATEMENTS),
        ("principals", sum(s.principals.count() for s in statements if s.principals),
         MAX_PRINCIPALS),
        ("conditions", sum(len(s.conditions) for s in statements), MAX_CONDITIONS),
        ("actions in a statement", max(len(s.actions.written) for s in statements),
         MAX_ACTIONS),
    )
    for what, found, limit in counts:
        if found > limit:
            raise OverLimit(f"{found} {what} were found, maximum allowed is {limit}.")


def validate_policy_attribute(name: str, value: str) -> str:
    """The ``_attribute_validators`` hook for ``Policy`` (``""`` removes the policy)."""
    if value != "":
        check_queue_policy(value)
    return value
