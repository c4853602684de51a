"""The world's authorizer: every SQS, KMS and IAM call is evaluated against policies.

:class:`PolicyAuthorizer` implements the :class:`~sqskit.services.base.Authorizer`
protocol. For each call it builds the request context from the caller (TLS, source IP,
VPC endpoint, principal keys, ``aws:CurrentTime`` from the virtual clock, plus what the
service adds), fetches the caller's identity policies from IAM, compiles the resource
policy the service passes (queue policy, key policy; cached by text), and lets
:func:`~sqskit.security.policy.evaluate` decide. A denial raises the calling service's
own AccessDenied error (:meth:`Service.access_denied`) with the decision attached as
``detail``; every decision is kept in a :class:`DecisionLog` under the request id, so
``world.explain(err)`` finds it.

Owner-only actions (reference sheet, "Queue-policy rules": AddPermission, CreateQueue,
DeleteQueue, ListQueues, ListQueueTags, RemovePermission, SetQueueAttributes,
TagQueue, UntagQueue) ignore cross-account grants.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from ..base.errors import AccessDenied, AwsError, InternalFailure
from ..base.identity import Caller
from ..security.policy import (
    AttachedPolicy,
    Decision,
    Policy,
    PolicyProblem,
    Request,
    context_for,
    evaluate,
    parse,
)
from ..security.policy.context import Value
from ..security.policy.decision import policy_label
from .base import Call, Runtime, Service

if TYPE_CHECKING:
    from .iam.core import IamCore

OWNER_ONLY = frozenset({
    "sqs:addpermission", "sqs:createqueue", "sqs:deletequeue", "sqs:listqueues",
    "sqs:listqueuetags", "sqs:removepermission", "sqs:setqueueattributes", "sqs:tagqueue",
    "sqs:untagqueue",
})


class DecisionLog:
    """The latest decisions of a world, by request id (bounded: old ones are forgotten)."""

    def __init__(self, capacity: int = 1000) -> None:
        self.capacity = capacity
        self._by_request: OrderedDict[str, list[Decision]] = OrderedDict()
        self.latest_denial: Decision | None = None

    def record(self, request_id: str, decision: Decision) -> None:
        found = self._by_request.get(request_id)
        if found is None:
            self._by_request[request_id] = [decision]
            if len(self._by_request) > self.capacity:
                self._by_request.popitem(last=False)
        else:
            found.append(decision)
        if not decision.allowed:
            self.latest_denial = decision

    def get(self, request_id: str) -> Decision | None:
        """The decision of a request: its denial if it had one, else its last decision."""
        found = self._by_request.get(request_id)
        if not found:
            return None
        denials = [d for d in found if not d.allowed]
        return denials[0] if denials else found[-1]

    def __len__(self) -> int:
        return len(self._by_request)

    def __repr__(self) -> str:
        return f"<DecisionLog {len(self)} requests>"


class PolicyAuthorizer:
    """Evaluates identity policies and resource policies, as AWS does, on every call."""

    def __init__(self, runtime: Runtime, log: DecisionLog | None = None) -> None:
        self.runtime = runtime
        self.log = log if log is not None else DecisionLog()

    def authorize(
        self,
        call: Call,
        action: str,
        resource: str,
        *,
        resource_policy: str | None = None,
        resource_account: str | None = None,
        context: dict[str, Any] | None = None,
        resource_policy_required: bool = False,
    ) -> None:
        """Return if allowed; raise the calling service's AccessDenied if not."""
        decision = self.decide(
            call.caller, action, resource, now=call.now, resource_policy=resource_policy,
            resource_account=resource_account, context=context,
            resource_policy_required=resource_policy_required,
        )
        self.log.record(call.request_id, decision)
        parent = call.notes.get("on_behalf_of")  # e.g. the SQS request a KMS call serves
        if parent:
            self.log.record(str(parent), decision)
        if not decision.allowed:
            holder = self._service(call.service)
            if holder is None:  # a service the world does not register (yet)
                raise AccessDenied(decision.message(), detail=decision)
            raise holder.access_denied(decision)

    def decide(
        self,
        caller: Caller,
        action: str,
        resource: str,
        *,
        now: float,
        resource_policy: str | None = None,
        resource_account: str | None = None,
        context: Mapping[str, Value] | None = None,
        resource_policy_required: bool = False,
        identity_policies: tuple[AttachedPolicy, ...] | None = None,
    ) -> Decision:
        """The decision for one request, without raising (what ``world.simulate`` uses)."""
        iam = self._iam() if caller.type in ("IAMUser", "AssumedRole") else None
        if identity_policies is None:
            identity_policies = iam.identity_policies(caller) if iam is not None else ()
        extra = dict(context or {})
        entity = iam.identity_of(caller) if iam is not None else None
        if entity is not None and entity.tags:
            for key, value in entity.tags.items():
                extra.setdefault(f"aws:PrincipalTag/{key}", value)
        request = Request(
            caller, action, resource,
            context_for(caller, now, region=self.runtime.region, extra=extra or None),
            resource_account=resource_account,
            resource_policy_required=resource_policy_required,
            owner_only=action.lower() in OWNER_ONLY,
        )
        attached = None
        if resource_policy:
            attached = AttachedPolicy("resource", policy_label(resource),
                                      self._compile(resource_policy))
        return evaluate(request, identity_policies, attached)

    def simulate(
        self,
        caller: Caller,
        action: str,
        resource: str,
        *,
        now: float,
        resource_policy: str | None = None,
        identity_policies: list[str] | None = None,
        context: Mapping[str, Value] | None = None,
    ) -> Decision:
        """Like IAM's policy simulator: the decision for a request nobody makes.

        The resource policy defaults to the one the world holds for ``resource`` (a
        queue's or a key's policy); identity policies default to the caller's in IAM. A
        key ARN gets KMS's rule (the key policy must allow) and KMS's condition keys
        (``kms:CallerAccount``; ``kms:ViaService`` for a caller acting through another
        service, ``Caller.via``). A malformed document raises
        :class:`~sqskit.security.policy.PolicyProblem` saying what is wrong and where,
        which is how a learner finds out why SQS answered "Invalid value for the
        parameter Policy.".
        """
        parts = resource.split(":")
        service = parts[2] if len(parts) > 5 else ""
        holder = self._service(service) if service else None
        if resource_policy is None and holder is not None:
            policy_for = getattr(holder, "policy_for", None)
            resource_policy = policy_for(resource) if policy_for is not None else None
        service_context = getattr(holder, "request_context", None)
        if service_context is not None:  # keys the service adds itself (kms:ViaService ...)
            context = {**service_context(caller), **(context or {})}
        if resource_policy is not None:
            parse(resource_policy, "resource")  # a malformed one raises PolicyProblem
        identity = None
        if identity_policies is not None:
            identity = tuple(
                AttachedPolicy("identity", f"identity policy {i + 1}", parse(text, "identity"))
                for i, text in enumerate(identity_policies)
            )
        return self.decide(
            caller, action, resource, now=now, resource_policy=resource_policy,
            resource_account=(parts[4] if len(parts) > 5 and parts[4] else caller.account),
            context=context, resource_policy_required=service == "kms",
            identity_policies=identity,
        )

    def explain(self, what: Any = None) -> Decision | None:
        """The decision behind an error, a response, a request id - or the latest denial."""
        if what is None:
            return self.log.latest_denial
        if isinstance(what, Decision):
            return what
        if isinstance(getattr(what, "detail", None), Decision):
            return what.detail
        response = getattr(what, "response", what)  # botocore ClientError, or a response
        request_id = what if isinstance(what, str) else None
        if isinstance(response, dict):
            request_id = response.get("ResponseMetadata", {}).get("RequestId")
        found = self.log.get(request_id) if request_id else None
        if found is None:
            raise LookupError(
                f"no policy decision is recorded for request {request_id!r} (sqskit keeps "
                f"the decisions of the last {self.log.capacity} requests)"
            )
        return found

    def _service(self, name: str) -> Service | None:
        try:
            return self.runtime.service(name)
        except ValueError:
            return None

    @staticmethod
    def _compile(text: str) -> Policy:
        try:
            return parse(text, "resource")
        except PolicyProblem as problem:  # stored policies were validated when set
            error: AwsError = InternalFailure(f"stored resource policy is invalid: {problem}")
            raise error from None

    def _iam(self) -> IamCore | None:
        return cast("IamCore | None", self._service("iam"))

    def __repr__(self) -> str:
        return f"<PolicyAuthorizer {self.log!r}>"
