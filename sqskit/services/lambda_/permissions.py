"""A function's resource-based policy: AddPermission, RemovePermission, GetPolicy.

The policy says who else may invoke the function: ``AddPermission`` adds a statement
such as "``s3.amazonaws.com`` may call ``lambda:InvokeFunction`` for the bucket
``arn:aws:s3:::reports`` of account 123456789012" (``Condition`` on ``AWS:SourceArn`` and
``AWS:SourceAccount``). S3, SNS and EventBridge invoke functions only when it allows
them. Statement ids are unique per function; every change gives a new ``RevisionId``.
The trust side (who may *be* the function: its execution role's trust policy) is
checked when a function is created, with :func:`trusts`.
"""

from __future__ import annotations

import json
from typing import Any

from ...base.errors import LambdaResourceConflict, LambdaResourceNotFound
from ..base import Call
from .mappings import EventSourceActions


def trusts(document: str | None, service: str) -> bool:
    """Does a role's trust policy let ``service`` assume it (an Allow of sts:AssumeRole)?"""
    try:
        statements = json.loads(document or "{}").get("Statement", [])
    except (ValueError, AttributeError):
        return False
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") or {}
        services = principal.get("Service", []) if isinstance(principal, dict) else []
        services = [services] if isinstance(services, str) else services
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if statement.get("Effect") == "Allow" and service in services and any(
                a.lower() in ("sts:assumerole", "sts:*", "*") for a in actions):
            return True
    return False


class PermissionActions(EventSourceActions):
    """Resource-policy actions of :class:`~sqskit.services.lambda_.service.LambdaService`."""

    # -- resource-based policy -----------------------------------------------------------------
    def add_permission(
        self, call: Call, FunctionName: str, StatementId: str, Action: str, Principal: str,
        SourceArn: str | None = None, SourceAccount: str | None = None,
        RevisionId: str | None = None, PrincipalOrgID: str | None = None, **_: Any,
    ) -> dict[str, Any]:
        function = self.function(FunctionName)
        self._authorize_function(call, "lambda:AddPermission", function)
        self._check_revision(function, RevisionId)
        if any(s["Sid"] == StatementId for s in function.statements):
            raise LambdaResourceConflict(
                f"The statement id ({StatementId}) provided already exists. Please provide a "
                "new statement id, or remove the existing statement."
            )
        if Principal == "*":
            principal: Any = "*"
        elif Principal.endswith(".amazonaws.com"):
            principal = {"Service": Principal}
        elif Principal.isdigit():
            principal = {"AWS": f"arn:aws:iam::{Principal}:root"}
        else:
            principal = {"AWS": Principal}
        statement: dict[str, Any] = {"Sid": StatementId, "Effect": "Allow",
                                     "Principal": principal, "Action": Action,
                                     "Resource": function.arn}
        condition: dict[str, Any] = {}
        if SourceAccount:
            condition["StringEquals"] = {"AWS:SourceAccount": SourceAccount}
        if PrincipalOrgID:
            condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = PrincipalOrgID
        if SourceArn:
            condition["ArnLike"] = {"AWS:SourceArn": SourceArn}
        if condition:
            statement["Condition"] = condition
        function.statements.append(statement)
        function.revision_id = self.runtime.ids.uuid()
        return {"Statement": json.dumps(statement, separators=(",", ":"))}

    def remove_permission(self, call: Call, FunctionName: str, StatementId: str,
                          RevisionId: str | None = None, **_: Any) -> None:
        function = self.function(FunctionName)
        self._authorize_function(call, "lambda:RemovePermission", function)
        self._check_revision(function, RevisionId)
        kept = [s for s in function.statements if s["Sid"] != StatementId]
        if len(kept) == len(function.statements):
            raise LambdaResourceNotFound(
                f"Statement {StatementId} is not found in resource policy."
            )
        function.statements = kept
        function.revision_id = self.runtime.ids.uuid()

    def get_policy(self, call: Call, FunctionName: str,
                   Qualifier: str | None = None) -> dict[str, Any]:
        function = self.function(FunctionName)
        self._authorize_function(call, "lambda:GetPolicy", function)
        if function.policy is None:
            raise LambdaResourceNotFound("The resource you requested does not exist.")
        return {"Policy": function.policy, "RevisionId": function.revision_id}
