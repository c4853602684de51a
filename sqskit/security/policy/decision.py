"""A policy decision that can explain itself.

:func:`~sqskit.security.policy.evaluate.evaluate` returns a :class:`Decision`: the
outcome (``allowed``, ``explicit deny`` or ``implicit deny``), the statements that
decided it, and a one-line reason. Everything else a learner may want - every
statement considered, each condition with the value the request had, the condition
keys the request lacked - is worked out only when asked (:meth:`Decision.explain`,
:meth:`Decision.rows`, :meth:`Decision.to_frame`, the notebook table), by re-running
the same matching on the same frozen inputs. So a decision costs almost nothing on
the hot path and explains itself fully later.

:meth:`Decision.message` is the text AWS puts in an AccessDenied error:
``User: <arn> is not authorized to perform: <action> on resource: <arn> because no
identity-based policy allows the <action> action`` or ``... with an explicit deny in a
resource-based policy`` (../shared/reference/iam-policy-evaluation.md, "What
AccessDenied looks like").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from . import explain as _explain

if TYPE_CHECKING:
    import pandas as pd

    from ...base.identity import Caller
    from .context import RequestContext
    from .document import Policy, Statement

Outcome = Literal["allowed", "explicit deny", "implicit deny"]

#: what an explanation calls the resource policy of each service (by the ARN's service)
POLICY_LABELS = {"sqs": "queue policy", "kms": "key policy", "sns": "topic policy",
                 "s3": "bucket policy", "lambda": "function policy"}


def policy_label(resource: str) -> str:
    """``queue policy`` for a queue ARN, ``key policy`` for a key ARN, ..."""
    parts = resource.split(":")
    return POLICY_LABELS.get(parts[2] if len(parts) > 2 else "", "resource-based policy")
PolicyKind = Literal["identity", "resource"]

#: reason code -> the sentence an explanation starts with ({rp}: the resource policy's name)
REASONS = {
    "root": "the account's root user may do anything in its own account (no policy needed)",
    "identity-allow": "an identity-based policy allows it; in the same account that suffices",
    "resource-allow": "the {rp} allows this principal; in the same account that suffices",
    "service-allow": "the {rp} allows this principal (no identity policy applies to it)",
    "both-allow": "cross-account: an identity-based policy AND the {rp} both allow it",
    "key-allow": "the {rp} allows it (a key policy must always allow, directly or by "
                 "delegating to the account)",
    "explicit-deny-identity": "an identity-based policy has a Deny that applies; an explicit "
                              "deny always wins",
    "explicit-deny-resource": "the {rp} has a Deny that applies; an explicit deny always wins",
    "no-identity-allow": "no identity-based policy allows it (default deny)",
    "no-resource-allow": "the {rp} does not allow it (default deny)",
    "owner-only": "only the owner's account may call this action; cross-account grants in "
                  "the {rp} do not apply to it",
}


@dataclass(frozen=True)
class AttachedPolicy:
    """A policy and where it sits: a user's inline policy, a managed policy, a queue policy."""

    kind: PolicyKind
    label: str  # e.g. "inline policy SendOnly of user alice", "queue policy", "key policy"
    policy: Policy

    def __repr__(self) -> str:
        return f"<AttachedPolicy {self.label}>"


@dataclass(frozen=True)
class Request:
    """What is asked: who, which action, on what, with which context."""

    caller: Caller
    action: str
    resource: str
    context: RequestContext
    resource_account: str | None = None
    #: KMS: the key policy must allow (directly or by delegating to the account)
    resource_policy_required: bool = False
    #: the action ignores cross-account grants (SQS SetQueueAttributes, AddPermission ...)
    owner_only: bool = False

    @property
    def same_account(self) -> bool:
        return self.resource_account is None or self.resource_account == self.caller.account

    def __repr__(self) -> str:
        return f"<Request {self.action} on {self.resource} by {self.caller.arn}>"


@dataclass(frozen=True)
class Match:
    """A statement that applies to the request."""

    policy: AttachedPolicy
    statement: Statement
    via: str = "direct"  # "account": the Principal names the caller's account (delegation)

    def describe(self) -> str:
        st = self.statement
        return f"{self.policy.label}, statement {st.label} ({st.effect})"

    def __repr__(self) -> str:
        return f"<Match {self.describe()}>"


class Decision:
    """Allowed, explicit deny or implicit deny - and why."""

    __slots__ = ("deciding", "outcome", "policies", "reason", "request")

    def __init__(
        self,
        outcome: Outcome,
        reason: str,
        request: Request,
        policies: tuple[AttachedPolicy, ...],
        deciding: tuple[Match, ...] = (),
    ) -> None:
        self.outcome: Outcome = outcome
        self.reason = reason
        self.request = request
        self.policies = policies
        self.deciding = deciding

    # -- the verdict ------------------------------------------------------------------
    @property
    def allowed(self) -> bool:
        return self.outcome == "allowed"

    @property
    def explicit(self) -> bool:
        return self.outcome == "explicit deny"

    @property
    def action(self) -> str:
        return self.request.action

    @property
    def resource(self) -> str:
        return self.request.resource

    @property
    def principal(self) -> str:
        return self.request.caller.arn

    @property
    def resource_policy_label(self) -> str:
        found = [p.label for p in self.policies if p.kind == "resource"]
        return found[0] if found else policy_label(self.resource)

    @property
    def why(self) -> str:
        """The reason in one sentence."""
        return REASONS[self.reason].format(rp=self.resource_policy_label)

    def message(self, *, lowercase_action: bool = False) -> str:
        """The AccessDenied text AWS returns for this decision (only for denials)."""
        action = self.action.lower() if lowercase_action else self.action
        head = (f"User: {self.principal} is not authorized to perform: {action} "
                f"on resource: {self.resource}")
        if self.reason == "explicit-deny-identity":
            return f"{head} with an explicit deny in an identity-based policy"
        if self.reason == "explicit-deny-resource":
            return f"{head} with an explicit deny in a resource-based policy"
        kind = "identity" if self.reason == "no-identity-allow" else "resource"
        return f"{head} because no {kind}-based policy allows the {action} action"

    # -- the explanation (computed on demand) -----------------------------------------------
    @property
    def missing_keys(self) -> tuple[str, ...]:
        """Condition keys that statements about this request asked for and it lacked."""
        return _explain.missing_keys(self)

    def explain(self) -> str:
        """A plain-text account of the decision: verdict, deciding statements, the rule."""
        return _explain.text(self)

    def rows(self) -> list[dict[str, Any]]:
        """One row per statement considered (a table for notebooks and checks)."""
        return _explain.rows(self)

    def to_frame(self) -> pd.DataFrame:
        """:meth:`rows` as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.rows())

    def _repr_html_(self) -> str:
        return _explain.html(self)

    def __str__(self) -> str:
        return self.explain()

    def __repr__(self) -> str:
        decided = f" ({self.deciding[0].describe()})" if self.deciding else ""
        return (f"<Decision {self.outcome}: {self.action} on {self.resource} "
                f"by {self.principal}{decided}>")
