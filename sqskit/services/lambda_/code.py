"""A function's deployment package: a real zip, and the handler module loaded from it.

``CreateFunction(Code={"ZipFile": ...})`` receives the bytes of a zip archive, as AWS
does. sqskit checks that it unzips, records its size and ``CodeSha256`` (base64 of the
SHA-256 of the zip), and, at the first invocation (the *cold start*), reads the
handler's module out of the archive and runs it in a fresh module namespace of its own:
nothing goes into ``sys.modules``, so two functions never see each other's globals,
and a new deployment starts from a clean slate. The module keeps its globals between
invocations, like a warm Lambda execution environment.

The handler is named ``"<module>.<function>"`` (``lambda_function.handler``); the module
file is ``<module>.py`` at the top of the archive, compiled under the name
``/var/task/<module>.py`` so tracebacks read as they do in AWS.

Simplified: one module per package (other modules in the archive are not importable);
modules from the learner's environment (``json``, ``boto3``) import as usual.
"""

from __future__ import annotations

import base64
import hashlib
import io
import linecache
import types
import zipfile
from dataclasses import dataclass

from ...base.errors import LambdaInvalidParameterValue

TASK_ROOT = "/var/task"


class HandlerError(Exception):
    """The runtime could not find the handler (AWS's ``Runtime.*`` errors)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


@dataclass(frozen=True)
class Package:
    """The uploaded zip of one function version."""

    zip_bytes: bytes
    sources: dict[str, str]  # file name -> text, for the .py files in the archive

    @classmethod
    def from_zip(cls, data: bytes) -> Package:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                sources = {
                    name: archive.read(name).decode("utf-8")
                    for name in archive.namelist()
                    if name.endswith(".py")
                }
        except (zipfile.BadZipFile, UnicodeDecodeError, ValueError):
            raise LambdaInvalidParameterValue(
                "Could not unzip uploaded file. Please check your file, then try to upload again."
            ) from None
        return cls(data, sources)

    @property
    def size(self) -> int:
        return len(self.zip_bytes)

    @property
    def sha256(self) -> str:
        """``CodeSha256``: base64 of the SHA-256 digest of the zip."""
        return base64.b64encode(hashlib.sha256(self.zip_bytes).digest()).decode("ascii")

    def load(self, handler: str) -> types.FunctionType:
        """Import the handler's module in its own namespace; return the handler function."""
        module_name, _, function_name = handler.rpartition(".")
        source = self.sources.get(f"{module_name.replace('.', '/')}.py")
        if not module_name or source is None:
            raise HandlerError(
                "Runtime.ImportModuleError",
                f"Unable to import module '{module_name}': No module named '{module_name}'",
            )
        filename = f"{TASK_ROOT}/{module_name.replace('.', '/')}.py"
        self.register_source(filename, source)
        module = types.ModuleType(module_name)
        module.__file__ = filename
        try:
            code = compile(source, filename, "exec")
        except SyntaxError as err:
            raise HandlerError(
                "Runtime.UserCodeSyntaxError",
                f"Syntax error in module '{module_name}': {err.msg} ({err.filename}, "
                f"line {err.lineno})",
            ) from None
        try:
            exec(code, module.__dict__)  # the learner's module, run as Lambda's runtime runs it
        except Exception as err:
            raise HandlerError(
                "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {err}"
            ) from err
        function = getattr(module, function_name, None)
        if not callable(function):
            raise HandlerError(
                "Runtime.HandlerNotFound",
                f"Handler '{function_name}' missing on module '{module_name}'",
            )
        return function

    @staticmethod
    def register_source(filename: str, source: str) -> None:
        """Let tracebacks show the handler's lines (``linecache`` is how Python finds them)."""
        lines = source.splitlines(keepends=True)
        linecache.cache[filename] = (len(source), None, lines, filename)

    def __repr__(self) -> str:
        return f"<Package {self.size} bytes, {sorted(self.sources)}>"
