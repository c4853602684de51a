"""A world: one AWS account in one region, with its own virtual clock and all its state.

Everything lives in a :class:`World`: queues, keys, roles, the audit trail, metrics.
Two worlds never share anything, so each lab (and each test) starts from a fresh one.
``world.client(service, principal=...)`` hands out real boto3 clients that act as a
principal with a request context (TLS or not, source IP, VPC, VPC endpoint).

The module-level default world (:func:`sqskit.reset`, :func:`sqskit.client`) is the
same machinery, kept for notebooks: re-running ``sqskit.reset()`` is the reset button.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .base.clock import DEFAULT_START, VirtualClock
from .base.identity import DEFAULT_SOURCE_IP, DEFAULT_USER_AGENT, Caller, resolve_principal
from .base.ids import IdSource
from .client import make_client
from .protocol.records import CloudTrailRecorder
from .security.policy import Decision
from .security.trail import Trail
from .services.access import DecisionLog, PolicyAuthorizer
from .services.audit import combine
from .services.base import AuditSink, Authorizer, NoAudit, Service
from .services.cloudtrail import CloudTrailService
from .services.cloudwatch.service import CloudWatchService
from .services.ec2 import Ec2Service  # integrations
from .services.events.service import EventsService  # integrations
from .services.iam.service import IamService
from .services.kms.service import KmsService  # KMS: keys and envelope encryption
from .services.lambda_.service import LambdaService  # integrations
from .services.s3.service import S3Service  # integrations
from .services.sns.service import SnsService  # integrations
from .services.sqs.service import SqsService

#: the placeholder account every world uses unless told otherwise
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"

#: service name (as boto3 spells it) -> the class that serves it
SERVICES: dict[str, Callable[[Any], Service]] = {
    "sqs": SqsService,
    "iam": IamService,
    "kms": KmsService,  # KMS: keys, aliases, key policies, envelope encryption
    # -- integrations --
    "sns": SnsService,
    "lambda": LambdaService,
    "ec2": Ec2Service,
    "s3": S3Service,
    "events": EventsService,
    # -- audit and monitoring --
    "cloudtrail": CloudTrailService,
    "cloudwatch": CloudWatchService,
}


class World:
    """One isolated account + region + virtual clock."""

    def __init__(
        self,
        seed: int = 0,
        *,
        account_id: str = DEFAULT_ACCOUNT,
        region: str = DEFAULT_REGION,
        start: datetime | float = DEFAULT_START,
        clock: VirtualClock | None = None,
        strict: bool = False,
        trail: bool = True,
        metrics: bool = True,
    ) -> None:
        self.seed = seed
        self.account_id = account_id
        self.region = region
        self.clock = clock if clock is not None else VirtualClock(start)
        self.ids = IdSource(seed)
        #: check every response against botocore's output shape (the test suite does)
        self.strict = strict
        self._services: dict[str, Service] = {}
        # -- policies: every call is evaluated; decisions are kept for world.explain -----------
        self.decisions = DecisionLog()
        self.policies = PolicyAuthorizer(self, self.decisions)
        self.access: Authorizer = self.policies
        self.audit: AuditSink = NoAudit()  # replaced at once by the trail and the meters
        self._install_audit(trail=trail, metrics=metrics)

    # -- audit trail and metrics (CloudTrail, CloudWatch) ----------------------------------------
    def _install_audit(self, *, trail: bool, metrics: bool) -> None:
        """Record every call in ``world.trail`` and meter SQS queues (each can be switched off).

        The bench compares a world with both on (the default) and both off.
        """
        self.trail: Trail = self.cloudtrail.trail
        self.trail.enabled = trail
        sinks: list[AuditSink] = []
        if trail:
            sinks.append(CloudTrailRecorder(self.trail, self.clock, self._event_source))
        if metrics:
            sinks.append(self.cloudwatch.enable_sqs_metrics())
        self.audit = combine(sinks)

    def _event_source(self, service_name: str) -> str:
        factory = SERVICES.get(service_name)
        return str(getattr(factory, "event_source", "") or "")

    @property
    def cloudtrail(self) -> CloudTrailService:
        return self.service("cloudtrail")  # type: ignore[return-value]

    @property
    def cloudwatch(self) -> CloudWatchService:
        """CloudWatch: metrics, alarms, ``on_alarm``/``on_action`` callbacks, ``plot_queue``."""
        return self.service("cloudwatch")  # type: ignore[return-value]

    # -- services and clients ---------------------------------------------------------------
    def service(self, name: str) -> Service:
        """The world's service object for ``name`` (created on first use)."""
        if name not in self._services:
            factory = SERVICES.get(name)
            if factory is None:
                raise ValueError(
                    f"sqskit has no {name!r} service; it offers: {', '.join(sorted(SERVICES))}"
                )
            self._services[name] = factory(self)
        return self._services[name]

    @property
    def sqs(self) -> SqsService:
        """Direct access to the SQS service (for views and bulk demos, not for labs)."""
        return self.service("sqs")  # type: ignore[return-value]

    def caller(
        self,
        principal: str | None = None,
        *,
        secure_transport: bool = True,
        source_ip: str | None = DEFAULT_SOURCE_IP,
        source_vpc: str | None = None,
        source_vpce: str | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> Caller:
        """The :class:`Caller` a client with these settings acts as."""
        return resolve_principal(
            principal, self.account_id,
            secure_transport=secure_transport, source_ip=source_ip, source_vpc=source_vpc,
            source_vpce=source_vpce, user_agent=user_agent,
        )

    def client(
        self,
        service_name: str,
        principal: str | None = None,
        *,
        secure_transport: bool = True,
        source_ip: str | None = DEFAULT_SOURCE_IP,
        source_vpc: str | None = None,
        source_vpce: str | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> Any:
        """A real boto3 client for ``service_name``, acting as ``principal``.

        ``principal`` is an IAM user or role ARN, an account id, a service principal
        (``"sns.amazonaws.com"``) or ``"anonymous"``; None is the account's root user.
        The keyword arguments are the request context policies see: TLS or not
        (``aws:SecureTransport``), the source IP, and the VPC and VPC endpoint the
        call arrives through (``aws:SourceVpc``, ``aws:SourceVpce``).
        """
        if service_name not in SERVICES:
            self.service(service_name)  # raises the helpful error
        caller = self.caller(
            principal, secure_transport=secure_transport, source_ip=source_ip,
            source_vpc=source_vpc, source_vpce=source_vpce, user_agent=user_agent,
        )
        return make_client(self, service_name, caller)

    # -- policies: explain a decision, simulate a request ---------------------------------
    def explain(self, what: Any = None) -> Decision | None:
        """Why a call was allowed or denied.

        ``what`` is a ``ClientError`` (or an sqskit ``AwsError``), a response
        dictionary, a request id, or nothing for the latest denial (None if there
        was none). The answer is a :class:`~sqskit.security.policy.Decision`:
        print it, or show it in a notebook as a table.
        """
        return self.policies.explain(what)

    def simulate(
        self,
        principal: str | None,
        action: str,
        resource: str,
        *,
        resource_policy: str | dict[str, Any] | None = None,
        identity_policies: list[str | dict[str, Any]] | None = None,
        context: dict[str, Any] | None = None,
        at: datetime | float | None = None,
        source_arn: str | None = None,
        source_account: str | None = None,
        via: str | None = None,
        **network: Any,
    ) -> Decision:
        """The decision AWS would make for a request, without making it (a policy simulator).

        Policies default to the world's own (the caller's IAM policies, the queue's
        policy); pass documents (JSON text or dicts) to try others. ``network`` takes
        the same request context as :meth:`client` (``secure_transport``,
        ``source_ip``, ``source_vpc``, ``source_vpce``); ``at`` sets ``aws:CurrentTime``.
        ``via`` is a service making the request for the principal, as SQS calls KMS for
        an SSE queue's producers and consumers (``via="sqs.amazonaws.com"``: the key
        policy then sees ``kms:ViaService`` = ``sqs.<region>.amazonaws.com``).
        """
        caller = self.caller(principal, **network)
        if source_arn or source_account:
            caller = caller.with_context(source_arn=source_arn, source_account=source_account)
        if via:
            caller = caller.via(via)
        when = self.clock.now if at is None else (
            at.timestamp() if isinstance(at, datetime) else float(at))
        return self.policies.simulate(
            caller, action, resource, now=when,
            resource_policy=_as_text(resource_policy),
            identity_policies=None if identity_policies is None
            else [_as_text(p) or "" for p in identity_policies],
            context=context,
        )

    def resolve_caller(self, caller: Caller) -> Caller:
        """Hook: the caller as the world knows it at call time (IAM may enrich it)."""
        iam = self._services.get("iam")  # policies: a known user/role's real ARN and id
        if iam is not None and caller.type in ("IAMUser", "AssumedRole"):
            caller = iam.resolve(caller)  # type: ignore[attr-defined]
        return caller

    def __repr__(self) -> str:
        return (
            f"<World seed={self.seed} account={self.account_id} region={self.region} "
            f"at {self.clock.isoformat()}>"
        )


def _as_text(document: str | dict[str, Any] | None) -> str | None:
    return json.dumps(document) if isinstance(document, dict) else document


_default: World | None = None


def reset(seed: int = 0, **options: Any) -> World:
    """Replace the default world with a fresh one; return it."""
    global _default
    _default = World(seed, **options)
    return _default


def default_world() -> World:
    """The default world, created on first use."""
    return _default if _default is not None else reset()


def client(service_name: str, principal: str | None = None, **context: Any) -> Any:
    """A boto3 client of the default world (see :meth:`World.client`)."""
    return default_world().client(service_name, principal, **context)
