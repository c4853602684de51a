"""The worked policy examples (tests/data/policy_examples.json), ready to run.

Each example names the caller's identity policy, a queue or key policy, the request
and the expected decision. :func:`decide` runs one through the pure evaluator; the
end-to-end tests run the same data through boto3 clients.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqskit.base.identity import resolve_principal
from sqskit.security.policy import AttachedPolicy, Decision, Request, context_for, evaluate, parse

DATA = json.loads((Path(__file__).parent / "data" / "policy_examples.json").read_text())
NAMES: dict[str, str] = DATA["names"]
EXAMPLES: list[dict[str, Any]] = DATA["examples"]
START = "2026-01-05T09:00:00Z"


def fill(value: Any) -> Any:
    """Replace ``{Q}``-style placeholders everywhere in ``value``."""
    if isinstance(value, str):
        for name, text in NAMES.items():
            value = value.replace("{" + name + "}", text)
        return value
    if isinstance(value, list):
        return [fill(v) for v in value]
    if isinstance(value, dict):
        return {k: fill(v) for k, v in value.items()}
    return value


def document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": fill(statements)})


def epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def caller_for(example: dict[str, Any]):
    ctx = fill(example.get("context", {}))
    settings = {k: ctx[k] for k in ("secure_transport", "source_ip", "source_vpce",
                                     "source_arn", "source_account") if k in ctx}
    return resolve_principal(fill(example["principal"]), NAMES["A"], **settings)


def decide(example: dict[str, Any]) -> Decision:
    """Run one example through the evaluator (no services involved)."""
    ctx = fill(example.get("context", {}))
    caller = caller_for(example)
    resource = fill(example.get("resource", "{Q}"))
    extra = {"aws:TagKeys": tuple(ctx["tag_keys"])} if "tag_keys" in ctx else None
    context = context_for(caller, epoch(ctx.get("now", START)), region="us-east-1", extra=extra)
    identity = []
    if example.get("identity"):
        identity.append(AttachedPolicy("identity", "identity policy",
                                       parse(document(example["identity"]), "identity")))
    resource_policy = None
    if example.get("queue_policy"):
        resource_policy = AttachedPolicy("resource", "queue policy",
                                         parse(document(example["queue_policy"]), "resource"))
    if example.get("key_policy"):
        resource_policy = AttachedPolicy("resource", "key policy",
                                         parse(document(example["key_policy"]), "resource"))
    request = Request(
        caller, example["action"], resource, context,
        resource_account=resource.split(":")[4],
        resource_policy_required="key_policy" in example,
        owner_only=example.get("owner_only", False),
    )
    return evaluate(request, identity, resource_policy)
