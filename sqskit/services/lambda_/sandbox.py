"""Running a handler the way Lambda's Python runtime does, inside the learner's process.

While a handler runs, sqskit sets up what a Lambda execution environment provides and
takes it all down afterwards (even if the handler raises):

* ``boto3``'s default session becomes a session of the function's **execution role**:
  ``boto3.client("sqs")`` (and ``boto3.resource``) inside the handler hands out sqskit
  clients that act as ``arn:aws:sts::<account>:assumed-role/<role>/<function>``, carry
  the function's VPC and VPC endpoint (``aws:SourceVpc`` / ``aws:SourceVpce``) when it
  runs in a VPC, and so are held to the role's policies exactly like any other caller;
* the environment variables: the function's own plus Lambda's (``AWS_REGION``,
  ``AWS_LAMBDA_FUNCTION_NAME``, ``LAMBDA_TASK_ROOT`` ...);
* the output: ``print`` and ``logging`` go to the invocation's log (``START`` /
  ``END`` / ``REPORT`` lines around them, ``[INFO]\\t<time>\\t<request id>\\t...`` for
  log records), never to the notebook;
* errors: an exception becomes Lambda's error payload (``errorMessage``,
  ``errorType``, ``requestId``, ``stackTrace``) and an ``[ERROR]`` log entry, never a
  traceback in the notebook.

Simplified: the handler runs in zero virtual time (``Duration: 0.00 ms``) and cannot be
stopped at its timeout; a ``boto3.session.Session()`` the handler builds itself is an
ordinary boto3 session, not the role's (and it has no way to reach AWS from here).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session

from ...base.timestamps import iso8601
from .code import TASK_ROOT, HandlerError

#: what a Tail log result holds at most (AWS: the last 4 KB)
TAIL_BYTES = 4096
_SITE = re.compile(r"^.*[/\\](?:site|dist)-packages[/\\]")


def stamp(now: float) -> str:
    """An instant as a Lambda log line writes it: ``2026-01-05T09:00:00.000Z``."""
    return iso8601(now, millis=True)


@dataclass
class Invocation:
    """One run of a function: what went in, what came out, and its log."""

    request_id: str
    function_name: str
    trigger: str  # "Invoke", "sqs", "s3", "sns", "events"
    started_at: float
    event: Any
    result: Any = None
    error: dict[str, Any] | None = None
    logs: str = ""
    attempt: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def payload(self) -> bytes:
        """What Invoke returns: the result (or the error object) as JSON."""
        return json.dumps(self.error if self.error is not None else self.result).encode()

    def tail(self) -> str:
        """The end of the log, as ``LogType="Tail"`` returns it (decoded)."""
        return self.logs.encode("utf-8")[-TAIL_BYTES:].decode("utf-8", "ignore")

    def __repr__(self) -> str:
        outcome = "ok" if self.ok else f"{self.error['errorType']}"  # type: ignore[index]
        return f"<Invocation {self.function_name} {self.request_id[:8]} ({self.trigger}) {outcome}>"


@dataclass
class LambdaContext:
    """The ``context`` argument: facts about this invocation."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    timeout: int
    clock: Any = field(repr=False)
    started_at: float = 0.0
    function_version: str = "$LATEST"
    identity: Any = None
    client_context: Any = None

    def get_remaining_time_in_millis(self) -> int:
        used = self.clock.now - self.started_at
        return max(0, int((self.timeout - used) * 1000))


    def __repr__(self) -> str:
        return f"<LambdaContext {self.function_name} request {self.aws_request_id}>"

class RoleSession(boto3.session.Session):
    """A boto3 session whose clients are sqskit clients of the execution role."""

    def __init__(self, make_client: Callable[[str], Any], region: str) -> None:
        core = botocore.session.Session()
        core.set_config_variable("config_file", "/dev/null/none")
        core.set_config_variable("credentials_file", "/dev/null/none")
        super().__init__(
            botocore_session=core, region_name=region,
            aws_access_key_id="SQSKITROLE", aws_secret_access_key="sqskit-offline-never-signed",
        )
        self._make_client = make_client
        self._clients: dict[str, Any] = {}

    def client(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        if service_name not in self._clients:
            self._clients[service_name] = self._make_client(service_name)
        return self._clients[service_name]

    def __repr__(self) -> str:
        return f"<RoleSession {sorted(self._clients)}>"


class _LambdaLogFormat(logging.Formatter):
    def __init__(self, request_id: str, clock: Any) -> None:
        super().__init__()
        self.request_id, self.clock = request_id, clock

    def format(self, record: logging.LogRecord) -> str:
        text = f"[{record.levelname}]\t{stamp(self.clock.now)}\t{self.request_id}\t"
        text += record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return text


@contextlib.contextmanager
def environment(variables: dict[str, str], session: RoleSession, output: io.StringIO,
                request_id: str, clock: Any) -> Iterator[None]:
    """Install the execution environment; restore the learner's afterwards."""
    saved_env = {k: os.environ.get(k) for k in variables}
    saved_session = boto3.DEFAULT_SESSION
    handler = logging.StreamHandler(output)
    handler.setFormatter(_LambdaLogFormat(request_id, clock))
    root = logging.getLogger()
    # a function invoked from inside another one logs to its own log only
    outer = [h for h in root.handlers if isinstance(h.formatter, _LambdaLogFormat)]
    for other in outer:
        root.removeHandler(other)
    os.environ.update(variables)
    boto3.DEFAULT_SESSION = session
    root.addHandler(handler)
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            yield
    finally:
        root.removeHandler(handler)
        for other in outer:
            root.addHandler(other)
        boto3.DEFAULT_SESSION = saved_session
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def error_payload(error: BaseException, request_id: str) -> dict[str, Any]:
    """Lambda's error object for an exception raised by the handler (or its import)."""
    if isinstance(error, HandlerError):
        return {"errorMessage": error.message, "errorType": error.error_type,
                "requestId": request_id, "stackTrace": []}
    frames = traceback.extract_tb(error.__traceback__)[1:]  # drop the runtime's own frame
    stack = [_runtime_path(line) for line in traceback.format_list(frames)]
    return {"errorMessage": str(error), "errorType": type(error).__name__,
            "requestId": request_id, "stackTrace": stack}


def error_log(payload: dict[str, Any]) -> str:
    text = f"[ERROR] {payload['errorType']}: {payload['errorMessage']}"
    if payload["stackTrace"]:
        text += "\nTraceback (most recent call last):\n" + "".join(payload["stackTrace"])
    return text.rstrip() + "\n"


def _runtime_path(line: str) -> str:
    """Library frames read as they would in Lambda (``/var/runtime/...``)."""
    head, sep, rest = line.partition('File "')
    if not sep:
        return line
    path, quote, tail = rest.partition('"')
    if _SITE.match(path):
        path = _SITE.sub("/var/runtime/", path)
    elif not path.startswith(TASK_ROOT):
        path = "/var/runtime/" + os.path.basename(path)
    return f'{head}File "{path}{quote}{tail}'


def run_handler(
    load: Callable[[], Callable[..., Any]], event: Any, context: LambdaContext,
    variables: dict[str, str], session: RoleSession, clock: Any,
) -> tuple[Any, dict[str, Any] | None, str]:
    """Run one invocation; return (result, error payload or None, the output text)."""
    output = io.StringIO()
    result: Any = None
    error: dict[str, Any] | None = None
    with environment(variables, session, output, context.aws_request_id, clock):
        try:
            handler = load()
            result = handler(event, context)
        except Exception as err:  # the handler's exception is Lambda's "Unhandled" error
            error = error_payload(err, context.aws_request_id)
        except SystemExit as exit_:  # sys.exit() ends the runtime process in Lambda
            error = {"errorMessage": f"RequestId: {context.aws_request_id} Error: Runtime "
                                     f"exited with error: exit status {exit_.code}",
                     "errorType": "Runtime.ExitError", "requestId": context.aws_request_id,
                     "stackTrace": []}
        else:
            try:
                json.dumps(result)
            except (TypeError, ValueError) as err:
                error = {"errorMessage": f"Unable to marshal response: {err}",
                         "errorType": "Runtime.MarshalError",
                         "requestId": context.aws_request_id, "stackTrace": []}
        finally:
            sys.stdout.flush()
    text = output.getvalue()
    if error is not None:
        if text and not text.endswith("\n"):
            text += "\n"
        text += error_log(error)
    return (None if error else result), error, text
