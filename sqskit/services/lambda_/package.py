"""From a handler written in a notebook to a deployment package, and on to CreateFunction.

A learner writes ``def handler(event, context): ...`` in a cell. :func:`build_zip`
turns it into what one would upload to AWS: a zip holding ``lambda_function.py`` with
the function's source, preceded by what the source needs from the notebook:

* the modules it uses (``import json``, ``import boto3``, ``import x as y``), and
  things imported from modules (``from decimal import Decimal``);
* other functions and classes of the notebook it calls (their source, recursively);
* constants it reads (strings, numbers, tuples, dicts ... anything ``repr`` writes back
  as a literal), including variables of an enclosing function.

Anything else (an open file, a client object) is left out, so the function fails with a
``NameError`` as it would in AWS: a Lambda function cannot see the notebook's memory.
:func:`deploy_function` then calls the real ``CreateFunction`` with that zip.
"""

from __future__ import annotations

import ast
import inspect
import io
import textwrap
import types
import zipfile
from typing import Any

MODULE = "lambda_function"


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names


def _is_literal(value: Any) -> bool:
    try:
        return ast.literal_eval(repr(value)) == value
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False


def _source(obj: Any) -> str:
    return textwrap.dedent(inspect.getsource(obj))


class _Bundle:
    """Collects the import lines, constants and definitions a handler depends on."""

    def __init__(self) -> None:
        self.imports: list[str] = []
        self.constants: list[str] = []
        self.definitions: list[str] = []
        self.seen: set[int] = set()

    def add_function(self, function: Any) -> None:
        if id(function) in self.seen:
            return
        self.seen.add(id(function))
        scope = dict(function.__globals__)
        closure = inspect.getclosurevars(function).nonlocals
        for name in sorted(_global_names(function.__code__) | set(closure)):
            if name in closure:
                self.add_value(name, closure[name], function.__module__)
            elif name in scope:
                self.add_value(name, scope[name], function.__module__)
        self.definitions.append(_source(function))

    def add_value(self, name: str, value: Any, home: str) -> None:
        if isinstance(value, types.ModuleType):
            line = (f"import {value.__name__}" if value.__name__ == name
                    else f"import {value.__name__} as {name}")
            self._once(self.imports, line)
        elif inspect.isfunction(value) and value.__module__ == home:
            self.add_function(value)
        elif inspect.isclass(value) and value.__module__ == home:
            if id(value) not in self.seen:
                self.seen.add(id(value))
                self.definitions.insert(0, _source(value))
        elif getattr(value, "__module__", None) and getattr(value, "__qualname__", None) \
                and value.__module__ != home and "." not in value.__qualname__:
            alias = "" if value.__qualname__ == name else f" as {name}"
            self._once(self.imports, f"from {value.__module__} import {value.__qualname__}{alias}")
        elif _is_literal(value):
            self._once(self.constants, f"{name} = {value!r}")

    @staticmethod
    def _once(lines: list[str], line: str) -> None:
        if line not in lines:
            lines.append(line)

    def text(self) -> str:
        parts = ["\n".join(self.imports), "\n".join(self.constants), *self.definitions]
        return "\n\n".join(p.strip("\n") for p in parts if p.strip()) + "\n"


def handler_module(handler: Any) -> str:
    """The source of ``lambda_function.py`` for a handler function."""
    if not inspect.isfunction(handler):
        raise TypeError("handler must be a Python function: def handler(event, context): ...")
    bundle = _Bundle()
    bundle.add_function(handler)
    return bundle.text()


def build_zip(handler: Any) -> bytes:
    """A deployment package (zip bytes) containing ``lambda_function.py``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(f"{MODULE}.py", date_time=(2026, 1, 5, 9, 0, 0))
        info.external_attr = 0o644 << 16
        archive.writestr(info, handler_module(handler))
    return buffer.getvalue()


def deploy_function(
    target: Any, handler: Any, *, role: str, name: str | None = None,
    runtime: str = "python3.12", **options: Any,
) -> dict[str, Any]:
    """Deploy ``handler`` with boto3's ``CreateFunction``; return its response.

    ``target`` is a world (``sqskit.World``) or a boto3 Lambda client; ``role`` is the
    execution role ARN; other keyword arguments are CreateFunction's own (``Timeout``,
    ``MemorySize``, ``Environment``, ``VpcConfig``, ``Description``, ``Tags``).
    """
    client = target if hasattr(target, "create_function") else target.client("lambda")
    return client.create_function(
        FunctionName=name or handler.__name__,
        Runtime=runtime, Role=role, Handler=f"{MODULE}.{handler.__name__}",
        Code={"ZipFile": build_zip(handler)}, **options,
    )
