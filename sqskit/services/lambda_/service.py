"""AWS Lambda: functions (create, read, update, delete), Invoke, and resource policies.

``CreateFunction`` takes a real zip (``Code={"ZipFile": ...}``, or an object in an
sqskit S3 bucket via ``S3Bucket``/``S3Key``) and an execution role. ``Invoke`` runs the
handler at once (``RequestResponse``: the result or error comes back in ``Payload``,
``FunctionError: Unhandled`` marks a handler error, ``LogType="Tail"`` returns the end
of the log base64-encoded in ``LogResult``), later (``Event``: HTTP 202, run when the
clock next moves, retried twice on error) or not at all (``DryRun``: HTTP 204, only the
permission check). ``AddPermission`` writes the function's resource-based policy, which
is what lets S3, SNS or EventBridge invoke it.

Simplified: Python runtimes only (sqskit runs the handler in the learner's Python);
no versions, aliases, layers, container images or code signing.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ...base.arns import Arn
from ...base.errors import (
    AwsError,
    LambdaInvalidParameterValue,
    LambdaInvalidRequestContent,
    LambdaRequestTooLarge,
    LambdaResourceConflict,
)
from ...base.timestamps import iso8601
from ..base import Call, blob_bytes
from .code import Package
from .functions import Function, check_name, check_role, check_settings
from .permissions import PermissionActions, trusts

SYNC_PAYLOAD_LIMIT = 6_291_456
ASYNC_PAYLOAD_LIMIT = 1_048_576


def _iso(now: float) -> str:
    """An instant as Lambda writes ``LastModified``: ``2026-01-05T09:00:00.000+0000``."""
    return iso8601(now, millis=True, zone="+0000")


class LambdaService(PermissionActions):
    """The Lambda service of one world."""

    # -- functions -------------------------------------------------------------------------
    def create_function(
        self, call: Call, FunctionName: str, Role: str, Code: dict[str, Any],
        Runtime: str | None = None, Handler: str | None = None, Description: str = "",
        Timeout: int | None = None, MemorySize: int | None = None,
        Environment: dict[str, Any] | None = None, VpcConfig: dict[str, Any] | None = None,
        Tags: dict[str, str] | None = None, PackageType: str = "Zip", **unsupported: Any,
    ) -> dict[str, Any]:
        check_name(FunctionName)
        arn = self.function_arn(FunctionName)
        self.authorize(call, "lambda:CreateFunction", arn,
                       resource_account=self.runtime.account_id)
        if FunctionName in self.functions:
            raise LambdaResourceConflict(f"Function already exist: {FunctionName}")
        check_role(Role)
        self._check_runtime(PackageType, Runtime, Handler)
        check_settings(Timeout, MemorySize, Environment)
        self._check_role_usable(Role)
        package = Package.from_zip(self._zip(Code))
        function = Function(
            name=FunctionName, arn=arn, runtime=str(Runtime), role=Role, handler=str(Handler),
            package=package, last_modified=call.now, revision_id=self.runtime.ids.uuid(),
            timeout=Timeout or 3, memory=MemorySize or 128, description=Description,
            variables=dict((Environment or {}).get("Variables") or {}),
            vpc=self._vpc(VpcConfig), tags=dict(Tags or {}),
        )
        self.functions[FunctionName] = function
        return function.configuration(_iso(call.now))

    def _check_runtime(self, package_type: str, runtime: str | None,
                       handler: str | None) -> None:
        if package_type != "Zip":
            raise LambdaInvalidParameterValue("sqskit runs zip-packaged functions only.")
        if not runtime or not handler:
            raise LambdaInvalidParameterValue(
                "Runtime and Handler are mandatory parameters for functions created with "
                "deployment packages."
            )
        if not runtime.startswith("python3"):
            raise LambdaInvalidParameterValue(
                f"sqskit runs Python handlers only; the runtime {runtime} is not available here."
            )

    def _check_role_usable(self, role: str) -> None:
        """With IAM in the world, the role must exist and trust ``lambda.amazonaws.com``."""
        try:
            iam: Any = self.runtime.service("iam")
        except ValueError:
            return
        arn = Arn.parse(role)
        try:
            identity = iam.role(arn.account, arn.resource.rsplit("/", 1)[-1])
        except AwsError:
            identity = None
        if identity is None or not trusts(getattr(identity, "trust_policy", ""),
                                          "lambda.amazonaws.com"):
            raise LambdaInvalidParameterValue(
                "The role defined for the function cannot be assumed by Lambda."
            )

    def _zip(self, code: dict[str, Any]) -> bytes:
        if code.get("ZipFile") is not None:
            return bytes(code["ZipFile"])
        if code.get("S3Bucket") and code.get("S3Key"):
            try:
                s3: Any = self.runtime.service("s3")
                return bytes(s3.object_bytes(code["S3Bucket"], code["S3Key"]))
            except (ValueError, AwsError, AttributeError):
                raise LambdaInvalidParameterValue(
                    "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error "
                    "Message: The specified key does not exist."
                ) from None
        raise LambdaInvalidParameterValue("Please provide a source for function code.")

    def _vpc(self, config: dict[str, Any] | None) -> dict[str, Any] | None:
        """Resolve VpcConfig (subnets and security groups) through EC2, if the world has it."""
        subnets = list((config or {}).get("SubnetIds") or [])
        groups = list((config or {}).get("SecurityGroupIds") or [])
        if not subnets and not groups:
            return None
        try:
            ec2: Any = self.runtime.service("ec2")
        except ValueError:
            raise LambdaInvalidParameterValue(
                "sqskit needs its EC2 service for VPC functions"
            ) from None
        vpc_id = ec2.vpc_of(subnets, groups)  # raises the Lambda error AWS gives
        return {"SubnetIds": subnets, "SecurityGroupIds": groups, "VpcId": vpc_id}

    def get_function(self, call: Call, FunctionName: str,
                     Qualifier: str | None = None) -> dict[str, Any]:
        function = self.function(FunctionName)
        self._authorize_function(call, "lambda:GetFunction", function)
        location = (f"https://awslambda-{self.runtime.region}-tasks.s3.{self.runtime.region}."
                    f"amazonaws.com/snapshots/{self.runtime.account_id}/{function.name}")
        out: dict[str, Any] = {
            "Configuration": function.configuration(_iso(function.last_modified)),
            "Code": {"RepositoryType": "S3", "Location": location},
        }
        if function.tags:
            out["Tags"] = dict(function.tags)
        return out

    def get_function_configuration(self, call: Call, FunctionName: str,
                                   Qualifier: str | None = None) -> dict[str, Any]:
        function = self.function(FunctionName)
        self._authorize_function(call, "lambda:GetFunctionConfiguration", function)
        return function.configuration(_iso(function.last_modified))

    def list_functions(self, call: Call, Marker: str | None = None,
                       MaxItems: int | None = None, **_: Any) -> dict[str, Any]:
        self.authorize(call, "lambda:ListFunctions", "*",
                       resource_account=self.runtime.account_id)
        names = sorted(self.functions)
        start = int(Marker) if Marker and Marker.isdigit() else 0
        size = MaxItems or 50
        page = [self.functions[n].configuration(_iso(self.functions[n].last_modified))
                for n in names[start:start + size]]
        out: dict[str, Any] = {"Functions": page}
        if start + size < len(names):
            out["NextMarker"] = str(start + size)
        return out

    def delete_function(self, call: Call, FunctionName: str,
                        Qualifier: str | None = None) -> dict[str, Any]:
        function = self.function(FunctionName)
        self._authorize_function(call, "lambda:DeleteFunction", function)
        self._retire(function)
        del self.functions[function.name]
        return {"StatusCode": 204}

    def update_function_code(self, call: Call, FunctionName: str, ZipFile: bytes | None = None,
                             S3Bucket: str | None = None, S3Key: str | None = None,
                             RevisionId: str | None = None, **_: Any) -> dict[str, Any]:
        function = self.function(FunctionName)
        self._authorize_function(call, "lambda:UpdateFunctionCode", function)
        self._check_revision(function, RevisionId)
        function.package = Package.from_zip(
            self._zip({"ZipFile": ZipFile, "S3Bucket": S3Bucket, "S3Key": S3Key}))
        self._updated(call, function)
        return function.configuration(_iso(call.now))

    def update_function_configuration(
        self, call: Call, FunctionName: str, Role: str | None = None,
        Handler: str | None = None, Description: str | None = None,
        Timeout: int | None = None, MemorySize: int | None = None,
        Environment: dict[str, Any] | None = None, VpcConfig: dict[str, Any] | None = None,
        Runtime: str | None = None, RevisionId: str | None = None, **_: Any,
    ) -> dict[str, Any]:
        function = self.function(FunctionName)
        self._authorize_function(call, "lambda:UpdateFunctionConfiguration", function)
        self._check_revision(function, RevisionId)
        check_settings(Timeout, MemorySize, Environment)
        if Role is not None:
            check_role(Role)
            self._check_role_usable(Role)
            function.role = Role
        if Runtime is not None:
            self._check_runtime("Zip", Runtime, Handler or function.handler)
            function.runtime = Runtime
        for attribute, value in (("handler", Handler), ("description", Description),
                                 ("timeout", Timeout), ("memory", MemorySize)):
            if value is not None:
                setattr(function, attribute, value)
        if Environment is not None:
            function.variables = dict(Environment.get("Variables") or {})
        if VpcConfig is not None:
            function.vpc = self._vpc(VpcConfig)
        self._updated(call, function)
        return function.configuration(_iso(call.now))

    def _updated(self, call: Call, function: Function) -> None:
        function.last_modified = call.now
        function.revision_id = self.runtime.ids.uuid()
        self._retire(function)

    # -- Invoke ------------------------------------------------------------------------------
    def invoke(self, call: Call, FunctionName: str, InvocationType: str = "RequestResponse",
               LogType: str = "None", Payload: Any = None, Qualifier: str | None = None,
               **_: Any) -> dict[str, Any]:
        function = self.function(FunctionName)
        self._authorize_function(call, "lambda:InvokeFunction", function)
        if InvocationType == "DryRun":
            return {"StatusCode": 204}
        if InvocationType not in ("RequestResponse", "Event"):
            raise LambdaInvalidParameterValue(
                f"1 validation error detected: Value '{InvocationType}' at 'invocationType' "
                "failed to satisfy constraint: Member must satisfy enum value set: "
                "[Event, RequestResponse, DryRun]"
            )
        data = blob_bytes(Payload)
        limit = SYNC_PAYLOAD_LIMIT if InvocationType == "RequestResponse" else ASYNC_PAYLOAD_LIMIT
        if len(data) > limit:
            raise LambdaRequestTooLarge(
                f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
            )
        try:
            event = json.loads(data) if data.strip() else {}
        except ValueError as err:
            raise LambdaInvalidRequestContent(
                f"Could not parse request body into json: Could not parse payload into json: "
                f"{err}"
            ) from None
        trigger = call.caller.service.split(".")[0] if call.caller.service else "Invoke"
        if InvocationType == "Event":
            self.invoke_later(function, event, trigger)
            return {"StatusCode": 202, "Payload": b""}
        invocation = self.run(function, event, trigger)
        out: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": "$LATEST",
                               "Payload": invocation.payload}
        if not invocation.ok:
            out["FunctionError"] = "Unhandled"
        if LogType == "Tail":
            out["LogResult"] = base64.b64encode(invocation.tail().encode()).decode("ascii")
        return out
