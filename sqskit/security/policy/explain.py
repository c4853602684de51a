"""How a :class:`~sqskit.security.policy.decision.Decision` explains itself.

For each statement of each policy considered, :func:`trace` records what matched:
the principal (resource policies), the action, the resource, and every condition
with the value the request had for its key. :func:`text`, :func:`rows` and
:func:`html` render that for a learner; nothing here changes a decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from .conditions import ConditionCheck

if TYPE_CHECKING:
    from .decision import AttachedPolicy, Decision
    from .document import Statement

_RULES = {
    "same": "same account - an Allow in an identity-based policy OR in the {rp} is enough "
            "(an Allow naming only the account delegates to identity policies); any "
            "applicable Deny wins.",
    "cross": "cross-account - the caller's identity-based policy AND the {rp} must both "
             "allow; any applicable Deny wins.",
    "key": "key policy - the key policy must allow (directly, or by naming the account so "
           "that identity-based policies count); across accounts the identity-based policy "
           "must allow too; any applicable Deny wins.",
    "service": "AWS service or anonymous caller - only the {rp} can allow it; any "
               "applicable Deny wins.",
}


@dataclass(frozen=True)
class StatementTrace:
    """What one statement made of the request."""

    policy: AttachedPolicy
    statement: Statement
    principal: str  # "n/a" (identity policy), "matches", "matches via account", "no match"
    action: bool
    resource: bool
    conditions: tuple[ConditionCheck, ...]

    @property
    def applies(self) -> bool:
        return (self.principal != "no match" and self.action and self.resource
                and all(c.holds for c in self.conditions))

    def failed(self) -> str:
        """Why the statement does not apply (empty if it does)."""
        if self.principal == "no match":
            return "principal does not match"
        if not self.action:
            return "action does not match"
        if not self.resource:
            return "resource does not match"
        false = [c for c in self.conditions if not c.holds]
        return f"condition false: {false[0].describe()}" if false else ""

    def __repr__(self) -> str:
        verdict = "applies" if self.applies else self.failed()
        return (f"<StatementTrace {self.policy.label}, statement {self.statement.label}: "
                f"{verdict}>")


def trace(decision: Decision) -> list[StatementTrace]:
    """Every statement of every policy, matched against the request without shortcuts."""
    request = decision.request
    caller, context = request.caller, request.context
    out = []
    for attached in decision.policies:
        for statement in attached.policy.statements:
            via = statement.principal_match(caller)
            if attached.kind == "identity":
                principal = "n/a"
            elif via is None:
                principal = "no match"
            else:
                principal = ("matches via account" if via == "account" and caller.type != "Root"
                             else "matches")
            out.append(StatementTrace(
                attached, statement, principal,
                statement.matches_action(request.action),
                statement.matches_resource(request.resource, context),
                tuple(c.check(context) for c in statement.conditions),
            ))
    return out


def missing_keys(decision: Decision) -> tuple[str, ...]:
    """Keys that conditions of otherwise-matching statements asked for and the request lacked."""
    found: dict[str, None] = {}
    for t in trace(decision):
        if t.principal != "no match" and t.action and t.resource:
            for check in t.conditions:
                if check.seen is None:
                    found.setdefault(check.key, None)
    return tuple(found)


def _rule(decision: Decision) -> str:
    request = decision.request
    if request.caller.type in ("AWSService", "Anonymous"):
        key = "service"
    elif request.resource_policy_required:
        key = "key"
    else:
        key = "same" if request.same_account else "cross"
    return _RULES[key].format(rp=decision.resource_policy_label)


def _deciding_ids(decision: Decision) -> set[int]:
    return {id(m.statement) for m in decision.deciding}


def text(decision: Decision) -> str:
    """The explanation as plain text (what ``print(decision)`` shows)."""
    request = decision.request
    caller = request.caller
    verdict = "ALLOWED" if decision.allowed else f"DENIED ({decision.outcome})"
    where = ("same account" if request.same_account
             else f"account {request.resource_account}: cross-account")
    lines = [
        f"Decision: {verdict}",
        f"  principal: {caller.arn} ({caller.type}, account {caller.account})",
        f"  action:    {request.action}",
        f"  resource:  {request.resource} ({where})",
        f"Why: {decision.why}.",
    ]
    if decision.deciding:
        lines.append("Deciding statement(s):")
        for match in decision.deciding:
            lines.append(f"  {match.describe()}"
                         + (" - names the account (delegation)" if match.via == "account" else ""))
            for condition in match.statement.conditions:
                lines.append(f"    {condition.check(request.context).describe()}")
    lines.append(f"Rule: {_rule(decision)}")
    traces = trace(decision)
    if traces:
        lines.append("Statements considered:")
        deciding = _deciding_ids(decision)
        for t in traces:
            state = "applies" if t.applies else f"does not apply ({t.failed()})"
            mark = "  <- decides" if id(t.statement) in deciding else ""
            lines.append(f"  {t.policy.label}, statement {t.statement.label} "
                         f"{t.statement.effect}: {state}{mark}")
    else:
        lines.append("Statements considered: none (no policy applies to this principal)")
    missing = missing_keys(decision)
    lines.append("Missing context keys: " + (", ".join(missing) if missing else "none"))
    return "\n".join(lines)


def rows(decision: Decision) -> list[dict[str, Any]]:
    """One dictionary per statement considered."""
    deciding = _deciding_ids(decision)
    return [
        {
            "policy": t.policy.label,
            "kind": t.policy.kind,
            "statement": t.statement.sid or f"#{t.statement.index + 1}",
            "effect": t.statement.effect,
            "principal": t.principal,
            "action": "matches" if t.action else "no match",
            "resource": "matches" if t.resource else "no match",
            "conditions": "; ".join(c.describe() for c in t.conditions),
            "applies": t.applies,
            "decides": id(t.statement) in deciding,
        }
        for t in trace(decision)
    ]


def html(decision: Decision) -> str:
    """A notebook view: verdict, reason, and the statements table."""
    color = "#1a7f37" if decision.allowed else "#cf222e"
    verdict = "ALLOWED" if decision.allowed else f"DENIED ({decision.outcome})"
    head = (f"<p><b style='color:{color}'>{verdict}</b> {escape(decision.action)} on "
            f"<code>{escape(decision.resource)}</code> by <code>{escape(decision.principal)}"
            f"</code><br>{escape(decision.why)}.</p>")
    table = rows(decision)
    if not table:
        return head
    columns = list(table[0])
    header = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(row[c]))}</td>" for c in columns) + "</tr>"
        for row in table
    )
    return f"{head}<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
