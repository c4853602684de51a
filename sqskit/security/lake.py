"""The trail as a table: a pandas DataFrame, and SQL over it in the spirit of CloudTrail Lake.

:func:`frame` gives one row per event with the columns a lab asks questions with:
when (``eventTime``, UTC), what (``eventSource``, ``eventName``, ``eventCategory``,
``readOnly``), who (``principal`` = ``userIdentity.arn``, ``principalType``,
``principalId``, ``accountId``, ``invokedBy``), from where (``sourceIPAddress``,
``userAgent``, ``vpcEndpointId``), on what (``resource``, ``resourceType``,
``resourceName``), the outcome (``errorCode``, ``errorMessage``, ``denied``), the
recorded ``requestParameters``/``responseElements`` (dicts) and the ids.

:func:`query` runs SQL with DuckDB over a view ``events`` of that frame. As in
CloudTrail Lake, ``userIdentity`` is a struct (``userIdentity.arn``,
``userIdentity.principalid``) and ``requestParameters`` is JSON
(``requestParameters->>'queueUrl'``); ``eventTime`` is a UTC timestamp and ``$now`` is
the world's virtual time, so "the last hour" is ``eventTime > $now - INTERVAL 1 HOUR``.
Simplified: Lake stores events in ORC and only allows SELECT; DuckDB runs whatever it
is given, on a private in-memory copy. pandas and duckdb are imported lazily.
Source: ../shared/reference/cloudtrail-cloudwatch.md section 5.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .events import TrailEvent, is_denied

if TYPE_CHECKING:
    import pandas as pd

    from .trail import Trail

COLUMNS = (
    "eventTime", "eventSource", "eventName", "principal", "principalType", "principalId",
    "accountId", "invokedBy", "sourceIPAddress", "userAgent", "vpcEndpointId", "resource",
    "resourceType", "resourceName", "readOnly", "eventCategory", "managementEvent",
    "errorCode", "errorMessage", "denied", "requestParameters", "responseElements",
    "requestID", "eventID",
)


BOOLEANS = ("readOnly", "managementEvent", "denied")


def frame(events: Sequence[TrailEvent]) -> pd.DataFrame:
    """One row per event, with :data:`COLUMNS`."""
    import pandas as pd

    who: dict[int, tuple[Any, ...]] = {}  # id(caller) -> its columns, computed once
    rows_who = []
    for event in events:
        caller = event.caller
        key = id(caller)
        columns = who.get(key)
        if columns is None:
            service = caller.type == "AWSService"
            columns = who[key] = (
                caller.arn, "AWSAccount" if caller.type == "Anonymous" else caller.type,
                caller.principal_id, caller.account,
                caller.service if service else caller.invoked_by,
                (caller.service if service else caller.source_ip) or "AWS Internal",
                caller.service if service else caller.user_agent,
                caller.source_vpce,
            )
        rows_who.append(columns)
    first = [e.resources[0] if e.resources else (None, None) for e in events]
    data: dict[str, Any] = {
        "eventTime": pd.to_datetime([e.time for e in events], unit="s", utc=True),
        "eventSource": [e.source for e in events],
        "eventName": [e.name for e in events],
    }
    for index, column in enumerate((
        "principal", "principalType", "principalId", "accountId", "invokedBy",
        "sourceIPAddress", "userAgent", "vpcEndpointId",
    )):
        data[column] = [row[index] for row in rows_who]
    data["resource"] = [arn for _, arn in first]
    data["resourceType"] = [kind for kind, _ in first]
    data["resourceName"] = [arn.rsplit(":", 1)[-1] if arn else None for _, arn in first]
    data["readOnly"] = [e.read_only for e in events]
    data["eventCategory"] = ["Management" if e.management else "Data" for e in events]
    data["managementEvent"] = [e.management for e in events]
    data["errorCode"] = [e.error_code for e in events]
    data["errorMessage"] = [e.error_message for e in events]
    data["denied"] = [is_denied(e.error_code) for e in events]
    data["requestParameters"] = [e.request_parameters for e in events]
    data["responseElements"] = [e.response_elements for e in events]
    data["requestID"] = [e.request_id for e in events]
    data["eventID"] = [e.event_id for e in events]
    for column in COLUMNS:  # text stays object, so frames built in parts concatenate alike
        if column not in BOOLEANS and column != "eventTime":
            data[column] = pd.Series(data[column], dtype=object)
    return pd.DataFrame(data, columns=list(COLUMNS))


def cached_frame(trail: Trail) -> pd.DataFrame:
    """The whole trail as a frame, extended (not rebuilt) as events arrive."""
    import pandas as pd

    cached: pd.DataFrame | None = getattr(trail, "_frame", None)
    done = 0 if cached is None else len(cached)
    if cached is not None and done == len(trail):
        return cached
    tail = frame(trail.events[done:])
    whole = tail if cached is None or done == 0 else pd.concat([cached, tail], ignore_index=True)
    trail._frame = whole  # type: ignore[attr-defined]
    return whole


def query(trail: Trail, sql: str, *, now: float, **parameters: Any) -> pd.DataFrame:
    """Run ``sql`` over the view ``events``; ``$now`` and ``parameters`` are bound."""
    import duckdb

    table = cached_frame(trail).copy(deep=False)
    table["eventTime"] = table["eventTime"].dt.tz_localize(None)  # naive UTC for plain SQL
    wants = sql.lower()
    for column in ("requestParameters", "responseElements"):
        table[column] = (
            [None if v is None else json.dumps(v) for v in table[column]]
            if column.lower() in wants else None
        )
    connection = duckdb.connect()
    try:
        connection.register("trail_frame", table)
        connection.execute(
            "CREATE VIEW events AS SELECT * REPLACE ("
            " CAST(requestParameters AS JSON) AS requestParameters,"
            " CAST(responseElements AS JSON) AS responseElements),"
            " struct_pack(type := principalType, principalId := principalId, arn := principal,"
            " accountId := accountId, invokedBy := invokedBy) AS userIdentity"
            " FROM trail_frame"
        )
        bound = dict(parameters)
        if "$now" in sql:
            bound["now"] = datetime.fromtimestamp(now, tz=timezone.utc).replace(tzinfo=None)
        result: pd.DataFrame = connection.execute(sql, bound or None).df()
    finally:
        connection.close()
    return result


def who(events: Sequence[TrailEvent]) -> pd.DataFrame:
    """Calls per principal and action: how many, how many denied, first and last time."""
    import pandas as pd

    table = frame(events)
    columns = ["principal", "eventName", "calls", "denied", "first", "last"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    grouped = table.groupby(["principal", "eventName"], sort=True).agg(
        calls=("eventID", "size"), denied=("denied", "sum"),
        first=("eventTime", "min"), last=("eventTime", "max"),
    )
    return grouped.reset_index()[columns]
