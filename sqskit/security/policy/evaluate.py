"""Policy evaluation as AWS does it: default deny, explicit deny wins, then the allows.

The steps (../shared/reference/iam-policy-evaluation.md section 3, AWS pages EV and XA):

1. Find every statement that applies: action, resource, principal (resource policies
   only) and all conditions match.
2. Any applicable **Deny**, in any policy, decides: explicit deny.
3. Otherwise the applicable **Allows** decide, by who is asking for what:

   * the account's **root user** needs no identity policy (sqskit's documented
     simplification of "root may do anything in its own account"); a resource
     policy can still deny it, and a key policy must still allow it;
   * **AWS services and anonymous callers** have no identity policies: the
     resource policy must name them (``"Service": "sns.amazonaws.com"`` or ``"*"``);
   * **same account**: an Allow in an identity-based policy OR in the resource
     policy suffices - but a resource-policy Allow that names only the *account*
     delegates to the account's own policies, it grants nothing by itself;
   * **cross-account**: both must allow - the caller's identity policy AND the
     resource policy (naming the caller, its role, or its account);
   * **key policies** (``resource_policy_required``, KMS): the key policy must allow,
     directly or by delegating to the account (then an identity policy must allow
     too), in the same account as well as across accounts;
   * **owner-only actions** (SQS AddPermission, SetQueueAttributes ...): cross-account
     grants do not apply.

4. Otherwise: implicit deny.

Not modelled: permissions boundaries, session policies, SCPs, groups.
"""

from __future__ import annotations

from collections.abc import Sequence

from .decision import AttachedPolicy, Decision, Match, Request

_IAM_PRINCIPALS = ("Root", "IAMUser", "AssumedRole")


def applicable(attached: AttachedPolicy, request: Request) -> list[Match]:
    """The statements of ``attached`` that apply to ``request``."""
    action, resource, context = request.action, request.resource, request.context
    caller = request.caller
    out = []
    for statement in attached.policy.statements:
        if not statement.matches_action(action):
            continue
        via = statement.principal_match(caller)
        if via is None:
            continue
        if not statement.matches_resource(resource, context):
            continue
        if statement.conditions and not statement.conditions_hold(context):
            continue
        if caller.type == "Root":
            via = "direct"  # the account principal *is* the root user
        out.append(Match(attached, statement, via))
    return out


def evaluate(
    request: Request,
    identity: Sequence[AttachedPolicy] = (),
    resource: AttachedPolicy | None = None,
) -> Decision:
    """Decide ``request`` against the caller's identity policies and a resource policy."""
    policies = (*identity, resource) if resource is not None else tuple(identity)
    identity_allows: list[Match] = []
    denies: list[Match] = []
    for attached in identity:
        for match in applicable(attached, request):
            (denies if match.statement.effect == "Deny" else identity_allows).append(match)
    if denies:
        return Decision("explicit deny", "explicit-deny-identity", request, policies,
                        tuple(denies))
    direct: list[Match] = []
    delegated: list[Match] = []
    if resource is not None:
        for match in applicable(resource, request):
            if match.statement.effect == "Deny":
                denies.append(match)
            else:
                (direct if match.via == "direct" else delegated).append(match)
    if denies:
        return Decision("explicit deny", "explicit-deny-resource", request, policies,
                        tuple(denies))
    reason, deciding = _allows(request, identity_allows, direct, delegated)
    if deciding is None:
        return Decision("implicit deny", reason, request, policies)
    return Decision("allowed", reason, request, policies, tuple(deciding))


def _allows(
    request: Request, identity: list[Match], direct: list[Match], delegated: list[Match]
) -> tuple[str, list[Match] | None]:
    """Step 3: the reason, and the deciding Allow statements (None: implicit deny)."""
    caller = request.caller
    if caller.type not in _IAM_PRINCIPALS:  # AWS services, anonymous callers
        return ("service-allow", direct) if direct else ("no-resource-allow", None)
    root = caller.type == "Root"
    identity_ok = root or bool(identity)
    same = request.same_account
    if request.owner_only and not same:
        return "owner-only", None
    if request.resource_policy_required:
        if not (direct or (delegated and identity_ok)):
            return "no-resource-allow", None
        if not same and not identity_ok:
            return "no-identity-allow", None
        return "key-allow", direct or delegated + identity
    if same:
        if identity_ok:
            return ("root" if root and not identity else "identity-allow"), identity
        if direct:
            return "resource-allow", direct
        return "no-identity-allow", None
    if not (direct or delegated):
        return "no-resource-allow", None
    if not identity_ok:
        return "no-identity-allow", None
    return "both-allow", identity + direct + delegated
