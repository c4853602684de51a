"""Every condition operator family, with absent keys, IfExists, Null and set qualifiers.

Data: tests/data/policy_conditions.json - one row per (operator, key, policy values,
request value, expected truth), from the reference sheet's section 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sqskit.security.policy import RequestContext, parse

CASES = json.loads(
    (Path(__file__).parent.parent / "data" / "policy_conditions.json").read_text()
)["cases"]


def condition(operator: str, key: str, values: list):
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sqs:*", "Resource": "*",
        "Condition": {operator: {key: values}},
    }]}
    return parse(json.dumps(document)).statements[0].conditions[0]


@pytest.mark.parametrize(
    "operator,key,values,seen,expected", CASES,
    ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(CASES)],
)
def test_a_condition_is_true_exactly_when_aws_says(operator, key, values, seen, expected):
    """Operators compare as documented; absent keys are false except for negated
    operators, IfExists, Null "true" and ForAllValues."""
    request = {} if seen is None else {key: tuple(seen) if isinstance(seen, list) else seen}
    context = RequestContext(request, now=0.0)
    assert condition(operator, key, values).holds(context) is expected


def test_the_context_computes_the_time_keys_from_the_virtual_clock():
    """aws:CurrentTime (ISO 8601, UTC) and aws:EpochTime come from the request's instant."""
    context = RequestContext({}, now=1893456000.0)
    assert context["aws:CurrentTime"] == "2030-01-01T00:00:00Z"
    assert context["AWS:EPOCHTIME"] == "1893456000"


def test_a_condition_check_reports_the_value_the_request_had():
    """An explanation shows each condition with the context value it saw."""
    check = condition("Bool", "aws:SecureTransport", ["true"]).check(
        RequestContext({"aws:SecureTransport": "false"}, now=0.0))
    assert check.seen == "false" and not check.holds
    assert check.describe() == "Bool aws:SecureTransport 'true': request has 'false' -> false"
