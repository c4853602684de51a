"""A learner's progress: checks tried, hints used, exercises passed, kept in a local file.

Each learner has one small JSON file, ``.sqskit-progress-<learner>.json``, in the
folder named by ``SQSKIT_PROGRESS_DIR`` (default: the notebook's folder). Nothing
leaves the machine and no wall-clock time is stored: the file holds counts only, so
a facilitator can collect the files and merge them (:func:`merge_progress`, or
``python -m sqskit.lab.tracker merge FOLDER``) into one table per class.

The learner's name comes from ``SQSKIT_LEARNER`` or :func:`set_learner`; the default
is ``"me"``. The current store is process state, like the default world: one learner
per kernel.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .feedback import CheckResult

FILE_PREFIX = ".sqskit-progress-"
COLUMNS = ["exercise", "title", "status", "attempts", "hints"]


@dataclass
class Record:
    """What one learner did on one exercise."""

    attempts: int = 0  # checks run on an answer (a stub does not count)
    hints: int = 0  # hints revealed
    passed: bool = False  # passed at least once
    attempts_to_pass: int | None = None
    last: str = "not attempted"

    @property
    def status(self) -> str:
        if self.passed:
            return "passed"
        return "not yet" if self.attempts else "not attempted"


class Progress:
    """The progress file of one learner."""

    def __init__(self, learner: str = "me", directory: str | Path | None = None) -> None:
        self.learner = _safe_name(learner)
        self.directory = Path(directory if directory is not None else os.getcwd())
        self.records: dict[str, Record] = {}
        self._load()

    @property
    def path(self) -> Path:
        return self.directory / f"{FILE_PREFIX}{self.learner}.json"

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.records = {k: Record(**v) for k, v in data.get("exercises", {}).items()}
        except (OSError, ValueError, TypeError):
            self.records = {}  # a missing or damaged file starts afresh

    def save(self) -> None:
        """Write the file atomically (a crash never leaves half a file)."""
        data = {
            "learner": self.learner,
            "exercises": {k: asdict(v) for k, v in sorted(self.records.items())},
        }
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            scratch = self.path.with_suffix(".tmp")
            scratch.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
            scratch.replace(self.path)
        except OSError:
            pass  # a read-only folder must not break a lab; progress is a convenience

    # -- recording ---------------------------------------------------------------------
    def record_check(self, result: CheckResult) -> None:
        record = self.records.setdefault(result.exercise, Record())
        if result.status in ("passed", "failed"):
            record.attempts += 1
        if result.passed and not record.passed:
            record.passed = True
            record.attempts_to_pass = record.attempts
        record.last = result.status
        self.save()

    def record_hint(self, exercise_id: str, number: int) -> None:
        record = self.records.setdefault(exercise_id, Record())
        record.hints = max(record.hints, number)
        self.save()

    def hints_used(self, exercise_id: str) -> int:
        record = self.records.get(exercise_id)
        return record.hints if record else 0

    # -- showing -------------------------------------------------------------------------
    def rows(self, lab: str | None = None) -> list[dict[str, Any]]:
        """One row per exercise of the labs touched (or of ``lab``)."""
        from .exercises import exercises

        labs = {lab} if lab is not None else {k.split(".")[0] for k in self.records}
        rows = []
        for ex in exercises():
            if ex.lab not in labs:
                continue
            record = self.records.get(ex.id, Record())
            rows.append({
                "exercise": ex.id, "title": ex.title, "status": record.status,
                "attempts": record.attempts, "hints": record.hints,
            })
        return rows

    def frame(self, lab: str | None = None) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.rows(lab), columns=COLUMNS).set_index("exercise")

    def __repr__(self) -> str:
        passed = sum(r.passed for r in self.records.values())
        return f"<Progress of {self.learner}: {passed} of {len(self.records)} exercises passed>"


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", name.strip()).strip("-")
    return cleaned or "me"


_current: Progress | None = None


def current() -> Progress:
    """The progress store of this kernel's learner (opened on first use)."""
    global _current
    if _current is None:
        _current = Progress(
            os.environ.get("SQSKIT_LEARNER", "me"), os.environ.get("SQSKIT_PROGRESS_DIR")
        )
    return _current


def set_learner(name: str, directory: str | Path | None = None) -> Progress:
    """Record progress under ``name`` from now on (in ``directory``, if given)."""
    global _current
    _current = Progress(name, directory if directory is not None
                        else os.environ.get("SQSKIT_PROGRESS_DIR"))
    return _current


def progress(lab: str | None = None) -> pd.DataFrame:
    """Your progress as a table: one row per exercise of the labs you have started."""
    return current().frame(lab)


def merge_progress(*sources: str | Path) -> pd.DataFrame:
    """One table of several learners' progress (files, or folders holding them)."""
    import pandas as pd

    rows = []
    for path in sorted(_progress_files(sources)):
        store = Progress.__new__(Progress)
        store.directory, store.records = path.parent, {}
        store.learner = path.name[len(FILE_PREFIX):-len(".json")]
        store._load()
        rows += [{"learner": store.learner, **row} for row in store.rows()]
    return pd.DataFrame(rows, columns=["learner", *COLUMNS])


def _progress_files(sources: Iterable[str | Path]) -> Iterable[Path]:
    for source in sources:
        path = Path(source)
        if path.is_dir():
            yield from path.glob(f"{FILE_PREFIX}*.json")
        elif path.is_file():
            yield path


def main(argv: list[str]) -> int:
    """``python -m sqskit.lab.tracker merge FOLDER...``: print the class table."""
    if len(argv) < 2 or argv[0] != "merge":
        print("usage: python -m sqskit.lab.tracker merge FOLDER_OR_FILE...", file=sys.stderr)
        return 2
    table = merge_progress(*argv[1:])
    if table.empty:
        print("no progress files found")
        return 1
    print(table.pivot_table(index="learner", columns="exercise", values="status",
                            aggfunc="first").fillna("").to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
