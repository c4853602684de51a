"""The policy playground's model: one request, the policies that judge it, and the decision.

A learner picks a principal, an action, a resource and the request context (TLS or
not, the VPC endpoint it comes through, the source ARN and account a service acts
for, whether SQS calls KMS on the caller's behalf), may edit the resource policy (a
queue or key policy) or stand in an identity policy, and reads the decision with its
explanation: the deciding statement, each condition with the value the request had.
Nothing here changes the world: decisions come from the world's own evaluator, exactly
as ``world.simulate`` makes them (``sqskit.services.access``), on copies of the
policies.

:class:`Probe` is one such request with the answer it must get ("the parser sends
over TLS: allow"). The lab checks judge a learner's policy by running probes
(:func:`run_probes`) and report the first that goes the wrong way, with its decision's
reason; the playground shows the same table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from ...base.identity import DEFAULT_SOURCE_IP, Caller
from ...security.policy import AttachedPolicy, Decision, PolicyProblem, parse
from ..watch import watch

if TYPE_CHECKING:
    import pandas as pd

    from ...world import World

Expect = Literal["allow", "deny"]

DEFAULT_ACTIONS = (
    "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
    "sqs:SetQueueAttributes", "sqs:PurgeQueue", "kms:GenerateDataKey", "kms:Decrypt",
    "kms:DisableKey", "kms:PutKeyPolicy",
)


def _text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


@dataclass(frozen=True)
class Probe:
    """A request, with the decision a policy must give it (``expect``; None: just ask)."""

    says: str
    principal: str | None
    action: str
    resource: str
    expect: Expect | None = None
    secure_transport: bool = True
    source_ip: str | None = DEFAULT_SOURCE_IP
    source_vpc: str | None = None
    source_vpce: str | None = None
    source_arn: str | None = None
    source_account: str | None = None
    #: an AWS service calling for the principal (``"sqs.amazonaws.com"``: SSE's KMS calls)
    via: str | None = None
    context: tuple[tuple[str, str], ...] = ()
    #: the principal's identity policies (JSON text); None: what the world's IAM holds
    identity: tuple[str, ...] | None = field(default=None, repr=False)

    def caller(self, world: World) -> Caller:
        caller = world.caller(self.principal, secure_transport=self.secure_transport,
                              source_ip=self.source_ip, source_vpc=self.source_vpc,
                              source_vpce=self.source_vpce)
        if self.source_arn or self.source_account:
            caller = caller.with_context(source_arn=self.source_arn,
                                         source_account=self.source_account)
        return caller.via(self.via) if self.via else caller

    def extra_context(self, caller: Caller) -> dict[str, str]:
        """The service keys a real call would carry (KMS adds kms:CallerAccount, ...)."""
        extra = dict(self.context)
        if self.resource.startswith("arn:aws:kms:"):
            extra.setdefault("kms:CallerAccount", caller.account)
            if self.via:
                service, region = self.via.split(".", 1)[0], self.resource.split(":")[3]
                extra.setdefault("kms:ViaService", f"{service}.{region}.amazonaws.com")
        return extra

    def decide(self, world: World, resource_policy: Any = None) -> Decision:
        """The decision for this request; malformed policies raise PolicyProblem."""
        resource_text = None if resource_policy is None else _text(resource_policy)
        if resource_text is not None:
            parse(resource_text, "resource")  # a readable PolicyProblem, not an internal error
        identity = None
        if self.identity is not None:
            label = f"identity policy of {short(self.principal)}"
            identity = tuple(AttachedPolicy("identity", label, parse(text, "identity"))
                             for text in self.identity)
        parts = self.resource.split(":")
        caller = self.caller(world)
        return world.policies.decide(
            caller, self.action, self.resource, now=world.clock.now,
            resource_policy=resource_text,
            resource_account=parts[4] if len(parts) > 5 and parts[4] else caller.account,
            context=self.extra_context(caller) or None,
            resource_policy_required=len(parts) > 2 and parts[2] == "kms",
            identity_policies=identity,
        )

    def where(self) -> str:
        """The request context in words: ``TLS, from the internet``."""
        parts = ["TLS" if self.secure_transport else "plain HTTP"]
        if self.source_vpce:
            parts.append(f"through {self.source_vpce}")
        elif self.via:
            parts.append(f"via {self.via}")
        elif self.source_ip:
            parts.append("from the internet")
        if self.source_arn:
            parts.append(f"for {self.source_arn}")
        if self.source_account:
            parts.append(f"source account {self.source_account}")
        return ", ".join(parts)

    def __repr__(self) -> str:
        return f"<Probe {self.says!r}: {self.expect or 'ask'}>"


def short(principal: str | None) -> str:
    """``report-parser`` for a role ARN, ``root`` for None, the text otherwise."""
    if principal is None:
        return "account root"
    if principal.startswith("arn:") and "/" in principal:
        return principal.rsplit("/", 1)[-1]
    if principal.endswith(":root"):
        return f"account {principal.split(':')[4]}"
    return principal


@dataclass(frozen=True)
class ProbeResult:
    """A probe and the decision it got."""

    probe: Probe
    decision: Decision

    @property
    def got(self) -> Expect:
        return "allow" if self.decision.allowed else "deny"

    @property
    def ok(self) -> bool:
        return self.probe.expect is None or self.probe.expect == self.got

    def deciding(self) -> str:
        """The deciding statement(s), each with its conditions as the request saw them."""
        context = self.decision.request.context
        found = []
        for match in self.decision.deciding:
            conditions = "; ".join(c.check(context).describe()
                                   for c in match.statement.conditions)
            found.append(match.describe() + (f" [{conditions}]" if conditions else ""))
        return ", ".join(found)

    def reason(self) -> str:
        """Why, in one sentence: the rule and, when one decided, the statement."""
        outcome = "allowed" if self.decision.allowed else f"denied ({self.decision.outcome})"
        deciding = self.deciding()
        return f"{outcome}: {self.decision.why}" + (f"; deciding: {deciding}" if deciding else "")

    def line(self) -> str:
        mark = "✓" if self.ok else "✗"
        expected = f"must {self.probe.expect}" if self.probe.expect else "asked"
        return f"{mark} {expected:<10} got {self.got:<5}  {self.probe.says} ({self.probe.where()})"

    def __repr__(self) -> str:
        return f"<ProbeResult {self.line()}>"


class ProbeTable:
    """Probes and their results: a text twin and a DataFrame twin."""

    def __init__(self, results: Sequence[ProbeResult], title: str = "Probes") -> None:
        self.results = list(results)
        self.title = title

    @property
    def failures(self) -> list[ProbeResult]:
        return [r for r in self.results if not r.ok]

    def text(self) -> str:
        passed = sum(r.ok for r in self.results)
        head = f"{self.title}: {passed} of {len(self.results)} as expected"
        return "\n".join([head, *(r.line() for r in self.results)])

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([
            {"probe": r.probe.says, "principal": short(r.probe.principal),
             "action": r.probe.action, "context": r.probe.where(),
             "expected": r.probe.expect or "", "got": r.got, "ok": r.ok,
             "why": r.decision.why}
            for r in self.results
        ], columns=["probe", "principal", "action", "context", "expected", "got", "ok", "why"])

    def __str__(self) -> str:
        return self.text()

    __repr__ = __str__


def run_probes(world: World, probes: Iterable[Probe], resource_policy: Any = None,
               title: str = "Probes") -> ProbeTable:
    """Each probe's decision under ``resource_policy`` (None: no resource policy)."""
    return ProbeTable([ProbeResult(p, p.decide(world, resource_policy)) for p in probes], title)


# -- the playground -----------------------------------------------------------------------
NETWORKS = ("internet", "VPC endpoint")


class PlaygroundModel:
    """What the policy playground shows and lets a learner change."""

    def __init__(
        self,
        world: World,
        *,
        principals: Mapping[str, str | None] | None = None,
        actions: Sequence[str] | None = None,
        resources: Mapping[str, str] | None = None,
        endpoints: Mapping[str, str] | None = None,
    ) -> None:
        self.world = world
        self.watcher = watch(world)
        self.principals: dict[str, str | None] = dict(principals or default_principals(world))
        self.actions = list(actions or DEFAULT_ACTIONS)
        self.resources = dict(resources or default_resources(world))
        #: VPC endpoint id -> its VPC id, for the network choice
        self.endpoints = dict(endpoints or {})
        self.principal = next(iter(self.principals))
        self.action = self.actions[0]
        self.resource = next(iter(self.resources), "")
        self.secure_transport = True
        self.source_vpce: str | None = None  # None: from the internet
        self.source_arn = ""
        self.source_account = ""
        self.via_sqs = False
        #: an edited resource policy (JSON text); None: the one the world holds
        self.resource_policy: str | None = None
        #: an identity policy standing in for the principal's; None: the world's IAM
        self.identity_policy: str | None = None

    # -- the request ----------------------------------------------------------------------
    def set(self, **changes: Any) -> PlaygroundModel:
        """Change some fields (``principal="report-parser"``, ``secure_transport=False``)."""
        for name, value in changes.items():
            if not hasattr(self, name) or name.startswith("_") or name == "world":
                raise AttributeError(f"the playground has no setting {name!r}")
            setattr(self, name, value)
        return self

    def probe(self) -> Probe:
        """The current request as a probe (no expectation)."""
        vpce = self.source_vpce or None
        return Probe(
            says="the playground's request",
            principal=self.principals.get(self.principal, self.principal),
            action=self.action,
            resource=self.resources.get(self.resource, self.resource),
            secure_transport=self.secure_transport,
            source_vpc=self.endpoints.get(vpce) if vpce else None,
            source_vpce=vpce,
            source_arn=self.source_arn or None,
            source_account=self.source_account or None,
            via="sqs.amazonaws.com" if self.via_sqs else None,
            identity=None if self.identity_policy is None else (self.identity_policy,),
        )

    def world_policy(self) -> str | None:
        """The policy the world holds for the chosen resource (queue policy, key policy)."""
        arn = self.resources.get(self.resource, self.resource)
        parts = arn.split(":")
        if len(parts) < 6:
            return None
        if parts[2] == "sqs":
            return self.world.sqs.policy_for(arn)
        if parts[2] == "kms":
            keys = getattr(self.world.service("kms"), "keys", {})
            key = keys.get(parts[5].split("/", 1)[-1])
            return key.policy if key is not None else None
        return None

    def effective_resource_policy(self) -> str | None:
        return self.resource_policy if self.resource_policy is not None else self.world_policy()

    def decide(self) -> Decision:
        """The decision (raises PolicyProblem if an edited policy is malformed)."""
        return self.probe().decide(self.world, self.effective_resource_policy())

    def outcome(self) -> Decision | PolicyProblem:
        try:
            return self.decide()
        except PolicyProblem as problem:
            return problem

    def run(self, probes: Iterable[Probe], title: str = "Probes") -> ProbeTable:
        """Probes against the playground's resource policy (edited or the world's)."""
        return run_probes(self.world, probes, self.effective_resource_policy(), title)

    # -- the text twin -------------------------------------------------------------------
    def describe_request(self) -> list[str]:
        probe = self.probe()
        which = "edited" if self.resource_policy is not None else "as the world holds it"
        identity = ("a stand-in identity policy" if self.identity_policy is not None
                    else "the principal's identity policies from IAM")
        return [
            f"Request: {probe.action} on {probe.resource}",
            f"  by {self.principal} ({probe.principal or 'the account root user'})",
            f"  context: {probe.where()}",
            f"  policies: the resource policy {which}; {identity}",
        ]

    def text(self) -> str:
        found = self.outcome()
        lines = ["Policy playground", *self.describe_request()]
        if isinstance(found, PolicyProblem):
            lines.append(f"The edited policy is not valid: {found}")
        else:
            lines.append(found.explain())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<PlaygroundModel {self.principal} {self.action} on {self.resource}>"


def default_principals(world: World) -> dict[str, str | None]:
    """The account root, the world's IAM users and roles, an outsider, anonymous."""
    found: dict[str, str | None] = {"account root": None}
    iam = getattr(world, "_services", {}).get("iam")
    if iam is not None:
        for identity in iam.directory(world.account_id).identities():
            found[identity.name] = identity.arn
    found["anonymous"] = "anonymous"
    return found


def default_resources(world: World) -> dict[str, str]:
    """The world's queues and KMS keys, by name (aliases for keys where there is one)."""
    found = {name: record.arn for name, record in world.sqs.queues.items()}
    kms = getattr(world, "_services", {}).get("kms")
    if kms is not None:
        names = {a.target_key_id: n for n, a in kms.aliases.items() if a.target_key_id}
        for key_id, key in kms.keys.items():
            found[names.get(key_id, key_id)] = key.arn
    return found


def with_expectation(probe: Probe, expect: Expect) -> Probe:
    return replace(probe, expect=expect)
