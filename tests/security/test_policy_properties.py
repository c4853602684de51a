"""Properties of policy evaluation that hold for every policy (hypothesis).

AWS's evaluation is monotone in a precise sense: an explicit Deny can only take
permissions away and an Allow can only add them (reference sheet section 3). So
adding a Deny statement never turns a denied request into an allowed one, and adding
an Allow statement never turns an allowed request into a denied one - whoever asks,
whatever the policies, same account or not, key policy or queue policy.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sqskit.base.identity import resolve_principal
from sqskit.security.policy import AttachedPolicy, Request, context_for, evaluate, parse

A, B = "111122223333", "444455556666"
Q = f"arn:aws:sqs:us-east-1:{A}:orders"
ALICE = f"arn:aws:iam::{A}:user/alice"
WORKER = f"arn:aws:iam::{B}:role/Worker"

actions = st.sampled_from(["sqs:*", "sqs:SendMessage", "sqs:receive*", "*", "kms:*",
                           "sqs:SetQueueAttributes", "sqs:DeleteMessage"])
resources = st.sampled_from(["*", Q, "arn:aws:sqs:*:*:ord*", f"arn:aws:sqs:us-east-1:{A}:other",
                             "arn:aws:kms:us-east-1:111122223333:key/*"])
principals = st.sampled_from(["*", {"AWS": A}, {"AWS": B}, {"AWS": ALICE}, {"AWS": WORKER},
                              {"AWS": [ALICE, A]}, {"Service": "sns.amazonaws.com"}])
conditions = st.sampled_from([
    None,
    {"Bool": {"aws:SecureTransport": "false"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}},
    {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
    {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
    {"Null": {"aws:PrincipalOrgID": "true"}},
    {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:events"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}},
])


@st.composite
def statements(draw, effect=None, resource_policy=False):
    statement = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    statement["NotAction" if draw(st.booleans()) else "Action"] = draw(actions)
    statement["NotResource" if draw(st.integers(0, 4)) == 0 else "Resource"] = draw(resources)
    if resource_policy:
        key = "NotPrincipal" if draw(st.integers(0, 4)) == 0 else "Principal"
        statement[key] = draw(principals)
    condition = draw(conditions)
    if condition:
        statement["Condition"] = condition
    return statement


def document(items):
    return json.dumps({"Version": "2012-10-17", "Statement": items})


@st.composite
def scenarios(draw):
    identity = draw(st.lists(st.lists(statements(), min_size=1, max_size=3), max_size=2))
    resource = draw(st.none() | st.lists(statements(resource_policy=True), min_size=1,
                                         max_size=3))
    principal = draw(st.sampled_from([ALICE, A, B, f"arn:aws:sts::{B}:assumed-role/Worker/s1",
                                      "sns.amazonaws.com", "anonymous"]))
    caller = resolve_principal(
        principal, A,
        secure_transport=draw(st.booleans()),
        source_ip=draw(st.sampled_from(["198.51.100.7", "192.0.2.1"])),
        source_vpce=draw(st.sampled_from([None, "vpce-1a2b3c4d", "vpce-9"])),
        source_arn=draw(st.sampled_from([None, f"arn:aws:sns:us-east-1:{A}:events"])),
    )
    target = draw(st.sampled_from([(Q, False), ("arn:aws:kms:us-east-1:111122223333:key/k",
                                                True)]))
    tags = draw(st.sampled_from([None, ("team",), ("team", "cost")]))
    request = Request(
        caller, draw(st.sampled_from(["sqs:SendMessage", "sqs:ReceiveMessage",
                                      "sqs:SetQueueAttributes", "kms:Decrypt"])),
        target[0],
        context_for(caller, 1.8e9, region="us-east-1",
                    extra={"aws:TagKeys": tags} if tags else None),
        resource_account=A, resource_policy_required=target[1],
        owner_only=draw(st.booleans()),
    )
    return identity, resource, request


def decide(identity, resource, request):
    attached = [AttachedPolicy("identity", f"identity {i}", parse(document(s), "identity"))
                for i, s in enumerate(identity)]
    rp = (AttachedPolicy("resource", "queue policy", parse(document(resource), "resource"))
          if resource else None)
    return evaluate(request, attached, rp)


def with_statement(identity, resource, statement, where):
    identity = [list(p) for p in identity]
    resource = list(resource) if resource else None
    if where == "identity":
        if identity:
            identity[0].append(statement)
        else:
            identity.append([statement])
    else:
        resource = [*(resource or []), statement]
    return identity, resource


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.data())
def test_adding_a_deny_statement_never_turns_a_denial_into_an_allow(scenario, data):
    """An explicit Deny only takes permissions away."""
    identity, resource, request = scenario
    where = data.draw(st.sampled_from(["identity", "resource"]))
    extra = data.draw(statements(effect="Deny", resource_policy=where == "resource"))
    before = decide(identity, resource, request)
    after = decide(*with_statement(identity, resource, extra, where), request)
    if not before.allowed:
        assert not after.allowed, after.explain()
    if before.explicit:
        assert after.explicit


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.data())
def test_adding_an_allow_statement_never_turns_an_allow_into_a_denial(scenario, data):
    """An Allow only adds permissions."""
    identity, resource, request = scenario
    where = data.draw(st.sampled_from(["identity", "resource"]))
    extra = data.draw(statements(effect="Allow", resource_policy=where == "resource"))
    before = decide(identity, resource, request)
    after = decide(*with_statement(identity, resource, extra, where), request)
    if before.allowed:
        assert after.allowed, after.explain()
    assert after.explicit == before.explicit  # an Allow never creates or removes a Deny


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_an_explicit_deny_always_names_an_applicable_deny_statement(scenario):
    """Explicit deny is decided by Deny statements; allows are decided by Allow statements."""
    decision = decide(*scenario)
    effects = {m.statement.effect for m in decision.deciding}
    if decision.explicit:
        assert effects == {"Deny"}
    else:
        assert effects <= {"Allow"}
    assert all(row["applies"] for row in decision.rows() if row["decides"])


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.data())
def test_a_deny_statement_that_applies_always_wins(scenario, data):
    """Explicit deny wins over every allow: same account, cross-account, root, key policy."""
    identity, resource, request = scenario
    where = data.draw(st.sampled_from(["identity", "resource"]))
    extra = data.draw(statements(effect="Deny", resource_policy=where == "resource"))
    extra["Sid"] = "Added"
    after = decide(*with_statement(identity, resource, extra, where), request)
    applies = [row["applies"] for row in after.rows() if row["statement"] == "Added"]
    assert applies  # the statement was considered
    if any(applies):
        assert after.explicit, after.explain()
