"""Probes: requests with the decision a policy must give them, and their results.

A :class:`Probe` is one request ("the parser sends over plain HTTP") with the answer it
must get (allow or deny) and the identity policies its principal brings. Its decision
comes from the world's own evaluator (``world.policies.decide``), exactly as
``world.simulate`` makes it (with the probe's labelled identity policies), so a probe can
also stand for requests SQS makes on a caller's behalf (``via="sqs.amazonaws.com"``, as
``world.simulate(..., via=...)``: SSE's KMS calls, with the keys KMS adds itself).
The lab checks judge a learner's policy by its probes; the policy playground shows them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ...base.identity import DEFAULT_SOURCE_IP, Caller
from ...security.policy import AttachedPolicy, Decision, parse

if TYPE_CHECKING:
    import pandas as pd

    from ...world import World

Expect = Literal["allow", "deny"]



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
        kms = len(parts) > 2 and parts[2] == "kms"
        context = dict(self.context)
        if kms:  # the keys KMS adds to every request (kms:ViaService when SQS calls)
            kms_service: Any = world.service("kms")
            context = {**kms_service.request_context(caller), **context}
        return world.policies.decide(
            caller, self.action, self.resource, now=world.clock.now,
            resource_policy=resource_text,
            resource_account=parts[4] if len(parts) > 5 and parts[4] else caller.account,
            context=context or None, resource_policy_required=kms, identity_policies=identity,
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
