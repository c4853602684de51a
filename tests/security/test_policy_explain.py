"""Every decision explains itself: verdict, deciding statements, conditions, missing keys.

The AccessDenied text follows AWS's pattern (reference sheet, "What AccessDenied looks
like"): "... because no identity-based policy allows the <action> action" for an
implicit deny, "... with an explicit deny in a resource-based policy" for an explicit one.
"""

from __future__ import annotations

from tests.policy_cases import EXAMPLES, decide

BY_ID = {e["id"]: e for e in EXAMPLES}


def test_an_explanation_names_the_deciding_statement_and_its_condition():
    """Example 2: the TLS-only Deny decides; the explanation shows the value it saw."""
    text = decide(BY_ID["2"]).explain()
    assert "DENIED (explicit deny)" in text
    assert 'queue policy, statement "DenyPlainHttp" (Deny)' in text
    assert "Bool aws:SecureTransport 'false': request has 'false' -> true" in text
    assert "an explicit deny always wins" in text


def test_an_explanation_says_why_a_statement_did_not_apply():
    """Example 8: the Allow did not apply because its condition key was absent."""
    text = decide(BY_ID["8"]).explain()
    assert "does not apply (condition false: StringEquals aws:SourceVpce" in text
    assert "request has absent -> false" in text
    assert "Missing context keys: aws:SourceVpce" in text


def test_an_explanation_states_the_cross_account_rule():
    """Example 4: cross-account, the queue policy alone is not enough."""
    decision = decide(BY_ID["4"])
    text = decision.explain()
    assert "cross-account" in text and "AND" in text
    assert "names the account" not in text  # nothing decided an allow
    assert "matches via account" in {r["principal"] for r in decision.rows()}


def test_rows_give_one_row_per_statement_with_applies_and_decides():
    """rows(): a table of every statement considered, for notebooks and checks."""
    rows = decide(BY_ID["13"]).rows()
    assert [r["statement"] for r in rows] == ["#1", "WorkerSends", "OrgOnly"]
    assert [r["applies"] for r in rows] == [True, True, True]
    assert [r["decides"] for r in rows] == [False, False, True]
    assert rows[2]["conditions"] == "Null aws:PrincipalOrgID 'true': request has absent -> true"


def test_a_decision_becomes_a_dataframe_and_an_html_table():
    """to_frame() and the notebook view show the same rows."""
    decision = decide(BY_ID["7a"])
    frame = decision.to_frame()
    assert list(frame["statement"]) == ["#1", "OnlyConsume"]
    html = decision._repr_html_()
    assert "<table>" in html and "DENIED (explicit deny)" in html and "OnlyConsume" in html


def test_the_access_denied_message_follows_aws_wording():
    """Implicit and explicit denials, identity-based and resource-based."""
    head = ("User: arn:aws:iam::111122223333:user/alice is not authorized to perform: "
            "sqs:SendMessage on resource: arn:aws:sqs:us-east-1:111122223333:orders ")
    assert decide(BY_ID["8"]).message() == (
        head + "because no identity-based policy allows the sqs:SendMessage action")
    explicit = "with an explicit deny in"
    assert decide(BY_ID["7a"]).message() == head + f"{explicit} an identity-based policy"
    assert decide(BY_ID["8b"]).message() == head + f"{explicit} a resource-based policy"
    assert decide(BY_ID["x10"]).message().endswith(
        "because no resource-based policy allows the kms:GenerateDataKey action")


def test_sqs_lower_cases_the_action_in_its_message():
    """SQS writes sqs:sendmessage (recorded against AWS); KMS keeps the case."""
    assert "perform: sqs:sendmessage on" in decide(BY_ID["8"]).message(lowercase_action=True)


def test_an_allowed_decision_explains_itself_too():
    """Example 4b: allowed because both the identity policy and the queue policy allow."""
    decision = decide(BY_ID["4b"])
    assert decision.allowed and "ALLOWED" in decision.explain()
    assert "both allow it" in decision.why
    assert repr(decision).startswith("<Decision allowed: sqs:SendMessage on")
