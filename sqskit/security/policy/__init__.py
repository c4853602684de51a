"""The IAM policy language: parse, match, evaluate, explain.

Pure code with no service state: :func:`parse` a document (cached by its text),
build a :class:`Request` with a :class:`RequestContext`, and :func:`evaluate` it
against identity policies and a resource policy to get a :class:`Decision` that
explains itself. The services layer (``sqskit.services.access``) feeds it IAM's
policies and each call's caller.
"""

from __future__ import annotations

from .context import RequestContext, context_for
from .decision import AttachedPolicy, Decision, Match, Request
from .document import Policy, PolicyProblem, Statement, parse
from .evaluate import evaluate

__all__ = [
    "AttachedPolicy",
    "Decision",
    "Match",
    "Policy",
    "PolicyProblem",
    "Request",
    "RequestContext",
    "Statement",
    "context_for",
    "evaluate",
    "parse",
]
