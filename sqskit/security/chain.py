"""What log-file validation reports, and a teaching view of the digest chain.

:class:`ValidationReport` prints like ``aws cloudtrail validate-logs``: a line per file
that is not valid, then ``3/3 digest files valid`` and ``12/12 log files valid``. Each
:class:`FileCheck` also names the kind of change (``modified``, ``deleted``,
``inserted``, ``reordered``, ``moved``, ``forged``) and, where the trail can tell,
what changed inside a log file (:func:`diagnose`).

:class:`DigestChain` shows which digest vouches for which log files and which
previous digest, newest first: the picture behind "each digest signs the one before".
It prints no signatures or digest hashes (they come from a fresh RSA key each run).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from .events import iso

if TYPE_CHECKING:
    import pandas as pd

    from .integrity import Delivery

@dataclass(frozen=True)
class FileCheck:
    """The verdict on one digest or log file."""

    kind: str  # "digest" | "log"
    key: str
    status: str  # "valid", "INVALID: ...", "not validated: ..."
    problem: str | None = None
    detail: str = ""

    @property
    def valid(self) -> bool:
        return self.status == "valid"

    @property
    def invalid(self) -> bool:
        return self.status.startswith("INVALID")

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]

    def line(self, bucket: str) -> str:
        label = "Digest file" if self.kind == "digest" else "Log file"
        text = f"{label}\ts3://{bucket}/{self.key}\t{self.status}"
        return text + (f"\n\t({self.problem}: {self.detail})" if self.detail else "")

    def __repr__(self) -> str:
        return f"<FileCheck {self.kind} {self.name}: {self.status}>"


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a trail's files."""

    checks: tuple[FileCheck, ...]
    start: float
    end: float
    bucket: str
    trail: str

    @property
    def ok(self) -> bool:
        """True when no file is INVALID."""
        return not any(check.invalid for check in self.checks)

    @property
    def invalid(self) -> list[FileCheck]:
        return [check for check in self.checks if check.invalid]

    def problems(self) -> dict[str, str | None]:
        """File name -> kind of change, for every INVALID file."""
        return {check.name: check.problem for check in self.invalid}

    def _counts(self, kind: str) -> str:
        mine = [c for c in self.checks if c.kind == kind and not c.status.startswith("not ")]
        good = sum(c.valid for c in mine)
        noun = "digest files" if kind == "digest" else "log files"
        text = f"{good}/{len(mine)} {noun} valid"
        if good < len(mine):
            text += f", {len(mine) - good}/{len(mine)} {noun} INVALID"
        return text

    def __str__(self) -> str:
        span = f"{iso(self.start)} to {iso(self.end)}"
        lines = [f"Validating log files for trail {self.trail} between {iso(self.start)} "
                 f"and {iso(self.end)}", ""]
        lines += [check.line(self.bucket) for check in self.checks if not check.valid]
        lines += ["", f"Results requested for {span}", f"Results found for {span}:", "",
                  self._counts("digest"), self._counts("log")]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            [(c.kind, c.name, c.status, c.problem, c.detail) for c in self.checks],
            columns=["file", "name", "status", "problem", "detail"],
        )

    def __repr__(self) -> str:
        verdict = "valid" if self.ok else f"{len(self.invalid)} INVALID"
        return f"<ValidationReport {len(self.checks)} files, {verdict}>"

    def _repr_html_(self) -> str:
        return f"<pre>{escape(str(self))}</pre>"


def diagnose(raw: bytes, original: list[dict[str, Any]]) -> tuple[str, str]:
    """Compare a changed log file with the events the trail delivered in it.

    Returns ``(problem, detail)``: ``reordered`` when the same records appear in a
    different order, else ``modified`` with which events were changed (and which
    fields), inserted or deleted.
    """
    try:
        records = json.loads(raw)["Records"]
        ids = [record.get("eventID") for record in records]
    except (ValueError, KeyError, TypeError, AttributeError):
        return "modified", "it is no longer a CloudTrail log file"
    before = {record["eventID"]: record for record in original}
    parts = []
    changed = [r for r in records if r.get("eventID") in before and r != before[r["eventID"]]]
    if changed:
        fields = sorted({k for r in changed for k in _differences(r, before[r["eventID"]])})
        parts.append(f"{_events(changed)} changed ({', '.join(fields)})")
    inserted = [r for r in records if r.get("eventID") not in before]
    if inserted:
        parts.append(f"{_events(inserted)} inserted")
    present = set(ids)
    deleted = [r for r in original if r["eventID"] not in present]
    if deleted:
        parts.append(f"{_events(deleted)} deleted")
    if parts:
        return "modified", "; ".join(parts)
    if ids != [record["eventID"] for record in original]:
        return "reordered", "the same events in a different order"
    return "modified", "the same events, written differently"


def _differences(now: dict[str, Any], before: dict[str, Any]) -> list[str]:
    return [k for k in set(now) | set(before) if now.get(k) != before.get(k)]


def _events(records: list[dict[str, Any]]) -> str:
    shown = ", ".join(
        f"{r.get('eventName', '?')} at {r.get('eventTime', '?')}" for r in records[:3]
    )
    more = f" and {len(records) - 3} more" if len(records) > 3 else ""
    noun = "event" if len(records) == 1 else "events"
    return f"{len(records)} {noun} [{shown}{more}]"


@dataclass(frozen=True)
class ChainLink:
    """One digest in the chain, with what it vouches for."""

    digest: str
    start: float
    end: float
    log_files: tuple[tuple[str, str], ...]  # (name, first 12 hex of its SHA-256)
    previous: str | None
    status: str

    def __repr__(self) -> str:
        return f"<ChainLink {self.digest} {len(self.log_files)} log files: {self.status}>"


@dataclass(frozen=True)
class DigestChain:
    """The digests of a trail, newest first, each pointing at the one before."""

    links: tuple[ChainLink, ...]

    @classmethod
    def of(cls, delivery: Delivery, report: ValidationReport) -> DigestChain:
        """The chain of ``delivery``'s digests, each with its verdict in ``report``."""
        status = {check.key: check.status for check in report.checks if check.kind == "digest"}
        links = []
        for index, entry in enumerate(delivery.digests):
            previous = delivery.digests[index - 1].key if index else None
            links.append(ChainLink(
                digest=entry.key.rsplit("/", 1)[-1], start=entry.start, end=entry.end,
                log_files=tuple((log.key.rsplit("/", 1)[-1], log.hash[:12]) for log in entry.logs),
                previous=previous.rsplit("/", 1)[-1] if previous else None,
                status=status.get(entry.key, "not validated"),
            ))
        return cls(tuple(reversed(links)))

    def __str__(self) -> str:
        if not self.links:
            return "No digest yet: CloudTrail delivers the first one at the end of the hour."
        lines = ["Digest chain, newest first (each digest holds the hash and signature "
                 "of the one before it):"]
        for link in self.links:
            lines.append(f"{iso(link.start)[11:16]}-{iso(link.end)[11:16]}  {link.digest}  "
                         f"[{link.status}]")
            for name, digest in link.log_files:
                lines.append(f"    lists {name}  sha256 {digest}...")
            if not link.log_files:
                lines.append("    lists no log files (a quiet hour still gets a digest)")
            lines.append(f"    previous: {link.previous}" if link.previous
                         else "    previous: none (the chain starts here)")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [(iso(k.start), iso(k.end), k.digest, len(k.log_files), k.previous, k.status)
                for k in self.links]
        return pd.DataFrame(rows, columns=["start", "end", "digest", "log_files", "previous",
                                           "status"])

    def __repr__(self) -> str:
        return f"<DigestChain {len(self.links)} digests>"

    def _repr_html_(self) -> str:
        return f"<pre>{escape(str(self))}</pre>"
