"""The Lambda service's registry, and how it runs a function (now, or later with retries).

Who a function *is* when it calls AWS: its execution role, as the session
``arn:aws:sts::<account>:assumed-role/<role>/<function>`` (AWS names the session after
the function). Where it calls from: a function outside a VPC reaches AWS over the
internet from Lambda's address space; a function in a VPC reaches a service through
the VPC's interface endpoint for that service if there is one (then its calls carry
``aws:SourceVpc`` and ``aws:SourceVpce`` and no ``aws:SourceIp``), otherwise through a
NAT gateway (sqskit assumes one exists). See ../shared/reference/integrations.md 2.8.

Asynchronous invocations (``InvocationType="Event"``, and every invocation by S3 or
SNS) wait on the world's clock and run when it next moves; a failed one is retried
twice, one and then two minutes later, as AWS does by default, then dropped.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any

from ...base.arns import Arn
from ...base.errors import (
    AwsError,
    LambdaAccessDenied,
    LambdaPreconditionFailed,
    LambdaResourceNotFound,
)
from ...base.identity import Caller, resolve_principal
from ..base import Call, Runtime, Service
from .functions import Function
from .sandbox import Invocation, LambdaContext, RoleSession, run_handler, stamp

if TYPE_CHECKING:
    from ...security.policy import Decision

#: where functions outside a VPC (or behind a NAT gateway) call AWS from (TEST-NET-3)
LAMBDA_EGRESS_IP = "203.0.113.80"
ASYNC_RETRIES = 2
ASYNC_RETRY_DELAYS = (60, 120)


class LambdaCore(Service):
    """Functions of one account and region, and the machinery that runs them."""

    name = "lambda"
    event_source = "lambda.amazonaws.com"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.functions: dict[str, Function] = {}
        self._sessions: dict[str, RoleSession] = {}

    # -- lookups ---------------------------------------------------------------------------
    def function_arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self.runtime.region}:{self.runtime.account_id}:function:{name}"

    def function(self, name_or_arn: str) -> Function:
        """The function a FunctionName parameter (name, ARN or partial ARN) names."""
        name = name_or_arn
        if name.startswith("arn:"):
            with contextlib.suppress(ValueError):
                name = Arn.parse(name).resource
        parts = name.split(":")
        if "function" in parts:
            parts = parts[parts.index("function") + 1:]
        name = parts[0]
        found = self.functions.get(name)
        if found is None:
            raise LambdaResourceNotFound(f"Function not found: {self.function_arn(name)}")
        return found

    def _authorize_function(self, call: Call, action: str, function: Function) -> None:
        self.authorize(call, action, function.arn, resource_policy=function.policy,
                       resource_account=self.runtime.account_id)

    def access_denied(self, decision: Decision) -> AwsError:
        """Lambda's AccessDenied: ``AccessDeniedException``, HTTP 403."""
        return LambdaAccessDenied(decision.message(), detail=decision)

    def _check_revision(self, function: Function, revision: str | None) -> None:
        if revision is not None and revision != function.revision_id:
            raise LambdaPreconditionFailed(
                "The Revision Id provided does not match the latest Revision Id. Call the "
                "GetFunction/GetAlias API to retrieve the latest Revision Id"
            )

    # -- identity and network of a running function ------------------------------------------
    def role_session_arn(self, function: Function) -> str:
        role = Arn.parse(function.role)
        role_name = role.resource.rsplit("/", 1)[-1]
        return f"arn:aws:sts::{role.account}:assumed-role/{role_name}/{function.name}"

    def role_caller(self, function: Function) -> Caller:
        """The execution role's session as the Lambda *service* uses it (the SQS poller)."""
        caller = resolve_principal(self.role_session_arn(function), self.runtime.account_id)
        caller = caller.with_context(identity_arn=function.role).via("lambda.amazonaws.com")
        return self.runtime.resolve_caller(caller)

    def network(self, function: Function, service_name: str) -> dict[str, Any]:
        """The request context of the function's own calls to ``service_name``."""
        if function.vpc:
            endpoint = self._vpc_endpoint(function.vpc["VpcId"], service_name)
            if endpoint is not None:
                return {"source_vpc": function.vpc["VpcId"], "source_vpce": endpoint,
                        "source_ip": None}
        return {"source_ip": LAMBDA_EGRESS_IP}

    def _vpc_endpoint(self, vpc_id: str, service_name: str) -> str | None:
        try:
            ec2 = self.runtime.service("ec2")
        except ValueError:
            return None
        finder = getattr(ec2, "endpoint_for", None)
        return finder(vpc_id, service_name) if finder else None

    def _session(self, function: Function) -> RoleSession:
        """The boto3 session handler code gets (one per execution environment)."""
        if function.arn not in self._sessions:
            principal = self.role_session_arn(function)

            def make_client(service_name: str) -> Any:
                return self.runtime.client(service_name, principal,
                                           **self.network(function, service_name))

            self._sessions[function.arn] = RoleSession(make_client, self.runtime.region)
        return self._sessions[function.arn]

    def _retire(self, function: Function) -> None:
        """Throw the warm environment away (new code or configuration: next run is cold)."""
        function.warm = None
        self._sessions.pop(function.arn, None)

    # -- running -----------------------------------------------------------------------------
    def run(self, function: Function, event: Any, trigger: str, attempt: int = 1) -> Invocation:
        """Invoke ``function`` with ``event`` now; keep and return the invocation."""
        clock = self.runtime.clock
        request_id = self.runtime.ids.uuid()
        cold = function.warm is None
        if cold:
            function.warm = {"stream": f"{stamp(clock.now)[:10].replace('-', '/')}/[$LATEST]"
                                       f"{self.runtime.ids.hex(16)}"}
        context = LambdaContext(
            function.name, function.arn, function.memory, request_id, function.log_group,
            function.warm["stream"], function.timeout, clock, started_at=clock.now,
        )

        def load() -> Any:
            if "handler" not in function.warm:
                function.warm["handler"] = function.package.load(function.handler)
            return function.warm["handler"]

        result, error, output = run_handler(
            load, json.loads(json.dumps(event)), context, self._variables(function),
            self._session(function), clock,
        )
        if error is not None and error["errorType"].startswith("Runtime.ImportModule"):
            function.warm = None  # a failed init is retried at the next invocation
        logs = (f"START RequestId: {request_id} Version: $LATEST\n{output}"
                f"END RequestId: {request_id}\n"
                f"REPORT RequestId: {request_id}\tDuration: 0.00 ms\tBilled Duration: 1 ms\t"
                f"Memory Size: {function.memory} MB\tMax Memory Used: {function.memory} MB"
                f"{chr(9) + 'Init Duration: 0.00 ms' if cold else ''}\n")
        invocation = Invocation(request_id, function.name, trigger, clock.now, event, result,
                                error, logs, attempt)
        function.invocations.append(invocation)
        return invocation

    def _variables(self, function: Function) -> dict[str, str]:
        region = self.runtime.region
        return {
            **function.variables,
            "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": function.log_group,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "LAMBDA_TASK_ROOT": "/var/task", "_HANDLER": function.handler,
        }

    def invoke_later(self, function: Function, event: Any, trigger: str, attempt: int = 1,
                     delay: float = 0) -> None:
        """Queue an asynchronous invocation (with AWS's two retries on error)."""
        arn = function.arn

        def fire() -> None:
            current = self.functions.get(function.name)
            if current is None or current.arn != arn:
                return  # deleted meanwhile: the event is dropped
            invocation = self.run(current, event, trigger, attempt)
            if not invocation.ok and attempt <= ASYNC_RETRIES:
                self.invoke_later(current, event, trigger, attempt + 1,
                                  ASYNC_RETRY_DELAYS[attempt - 1])

        self.runtime.clock.call_later(delay, fire, f"lambda {function.name} ({trigger})")

    # -- teaching surface ----------------------------------------------------------------
    def logs(self, function_name: str) -> str:
        """Every invocation's log of a function, oldest first (its CloudWatch log group)."""
        return "".join(i.logs for i in self.function(function_name).invocations)

    def __repr__(self) -> str:
        return f"<LambdaService {len(self.functions)} functions>"
