"""The worked examples of the IAM reference sheet, run through the pure evaluator.

Data: tests/data/policy_examples.json (ids 1-14b from the sheet's section 5, ids x* from
rules the sheet states). Each case names the expected outcome, the reason (which of
AWS's rules decided) and, where it matters, the deciding statements.
"""

from __future__ import annotations

import pytest

from tests.policy_cases import EXAMPLES, decide


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_each_worked_example_gets_the_decision_aws_documents(example):
    """Default deny, explicit deny wins, same/cross-account allows, service principals."""
    decision = decide(example)
    assert decision.outcome == example["expect"], (example["rule"], decision.explain())
    assert decision.reason == example["reason"], (example["rule"], decision.explain())


@pytest.mark.parametrize(
    "example", [e for e in EXAMPLES if "deciding" in e], ids=lambda e: e["id"]
)
def test_the_deciding_statements_are_the_ones_the_rule_names(example):
    """A decision names the statements (by Sid) that decided it."""
    decision = decide(example)
    sids = [m.statement.sid for m in decision.deciding if m.statement.sid]
    assert sids == example["deciding"]


@pytest.mark.parametrize(
    "example", [e for e in EXAMPLES if "missing" in e], ids=lambda e: e["id"]
)
def test_missing_condition_keys_are_reported(example):
    """A condition key absent from the request context is listed as missing."""
    assert list(decide(example).missing_keys) == example["missing"]


def test_every_example_in_the_sheet_is_covered():
    """All fourteen numbered examples of the reference sheet appear in the table."""
    numbered = {e["id"].rstrip("abc") for e in EXAMPLES if not e["id"].startswith("x")}
    assert numbered == {str(n) for n in range(1, 15)}
