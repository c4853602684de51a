"""The policy playground's model: one request, the policies that judge it, and the decision.

A learner picks a principal, an action, a resource and the request context (TLS or
not, the VPC endpoint it comes through, the source ARN and account a service acts
for, whether SQS calls KMS on the caller's behalf), may edit the resource policy (a
queue or key policy) or stand in an identity policy, and reads the decision with its
explanation: the deciding statement, each condition with the value the request had.
Nothing here changes the world: decisions come from the world's own evaluator, exactly
as ``world.simulate`` makes them (``sqskit.services.access``), on copies of the
policies.

:class:`~sqskit.lab.models.probes.Probe` is one such request with the answer it must get
("the parser sends over TLS: allow"); the playground shows a table of them under the
decision, as the lab checks run them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...security.policy import Decision, PolicyProblem
from ..watch import watch
from .probes import Probe, ProbeTable, run_probes

if TYPE_CHECKING:
    from ...world import World

DEFAULT_ACTIONS = (
    "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
    "sqs:SetQueueAttributes", "sqs:PurgeQueue", "kms:GenerateDataKey", "kms:Decrypt",
    "kms:DisableKey", "kms:PutKeyPolicy",
)


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
            return self.world.service("kms").policy_for(arn)  # type: ignore[attr-defined]
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


