"""A Lambda function as the service keeps it: configuration, code, policy, history.

The configuration is what ``GetFunctionConfiguration`` shows (runtime, handler, role,
timeout, memory, environment, VPC, ...). The *resource-based policy* holds the
statements ``AddPermission`` adds, e.g. "``s3.amazonaws.com`` may invoke me for bucket
X": it is what lets another service (S3, SNS, EventBridge) invoke the function.
``invocations`` keeps every run with its log, for the learner to read.

Simplified: there are no versions or aliases (everything is ``$LATEST``), no layers,
and a function is ``Active`` as soon as it is created (AWS reports ``Pending`` for a
moment first). Source: botocore's Lambda model (shapes), AWS Lambda developer guide.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ...base.errors import LambdaInvalidParameterValue
from .code import Package
from .sandbox import Invocation

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ROLE = re.compile(r"^arn:aws[a-zA-Z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]+$")
_ENV_KEY = re.compile(r"^[a-zA-Z]([a-zA-Z0-9_])+$")
RESERVED_ENV = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise LambdaInvalidParameterValue(
            f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+"
        )


def check_role(role: str) -> None:
    if not _ROLE.match(role):
        raise LambdaInvalidParameterValue(
            f"1 validation error detected: Value '{role}' at 'role' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"
        )


def check_settings(timeout: int | None, memory: int | None,
                   environment: dict[str, Any] | None) -> None:
    """Ranges and reserved names AWS enforces on CreateFunction/UpdateFunctionConfiguration."""
    if timeout is not None and not 1 <= timeout <= 900:
        raise LambdaInvalidParameterValue(
            f"1 validation error detected: Value '{timeout}' at 'timeout' failed to satisfy "
            "constraint: Member must have value less than or equal to 900"
        )
    if memory is not None and not 128 <= memory <= 10240:
        raise LambdaInvalidParameterValue(
            f"1 validation error detected: Value '{memory}' at 'memorySize' failed to satisfy "
            "constraint: Member must have value less than or equal to 10240"
        )
    variables = (environment or {}).get("Variables") or {}
    reserved = sorted(k for k in variables if k in RESERVED_ENV)
    if reserved:
        raise LambdaInvalidParameterValue(
            "Lambda was unable to configure your environment variables because the environment "
            f"variables you have provided contains reserved keys that are currently not "
            f"supported for modification. Reserved keys used in this request: {', '.join(reserved)}"
        )
    for key in variables:
        if not _ENV_KEY.match(key):
            raise LambdaInvalidParameterValue(
                "Lambda was unable to configure your environment variables because the "
                f"environment variables you have provided contains invalid keys: {key}"
            )
    if len(json.dumps(variables).encode()) > 4096:
        raise LambdaInvalidParameterValue(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided exceeded the 4KB limit."
        )


@dataclass(eq=False)
class Function:
    """One function ($LATEST)."""

    name: str
    arn: str
    runtime: str
    role: str
    handler: str
    package: Package
    last_modified: float
    revision_id: str
    timeout: int = 3
    memory: int = 128
    description: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    #: {"SubnetIds", "SecurityGroupIds", "VpcId"} when the function runs in a VPC
    vpc: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    statements: list[dict[str, Any]] = field(default_factory=list)
    invocations: list[Invocation] = field(default_factory=list)
    #: the loaded handler (a warm execution environment); None until the next cold start
    warm: Any = None

    @property
    def policy(self) -> str | None:
        """The resource-based policy document, or None without statements."""
        if not self.statements:
            return None
        return json.dumps({"Version": "2012-10-17", "Id": "default",
                           "Statement": self.statements}, separators=(",", ":"))

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"

    def configuration(self, iso_modified: str) -> dict[str, Any]:
        """The FunctionConfiguration members AWS returns for a zip-packaged function."""
        out: dict[str, Any] = {
            "FunctionName": self.name,
            "FunctionArn": self.arn,
            "Runtime": self.runtime,
            "Role": self.role,
            "Handler": self.handler,
            "CodeSize": self.package.size,
            "Description": self.description,
            "Timeout": self.timeout,
            "MemorySize": self.memory,
            "LastModified": iso_modified,
            "CodeSha256": self.package.sha256,
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": self.revision_id,
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
            "EphemeralStorage": {"Size": 512},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": self.log_group},
        }
        if self.variables:
            out["Environment"] = {"Variables": dict(self.variables)}
        if self.vpc:
            out["VpcConfig"] = {**self.vpc, "Ipv6AllowedForDualStack": False}
        return out

    def __repr__(self) -> str:
        where = f" in {self.vpc['VpcId']}" if self.vpc else ""
        runs = len(self.invocations)
        return f"<Function {self.name} ({self.runtime}, {runs} invocations){where}>"
