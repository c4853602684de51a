"""Reading a lab source (``course/NN_topic.py``, jupytext percent format).

A lab source is the only hand-edited file of a lab. Its YAML header carries the lab's
metadata under ``jupyter: kit:`` (see :data:`REQUIRED`), including its scenario card
(:data:`CARD_FIELDS`: size, difficulty, goal, summary, as CloudGoat's scenarios have);
its cells carry tags that say where each cell goes:

=================  ==========================  =====================  ==================
tag                student notebook (labs/)    solution notebook      elsewhere
=================  ==========================  =====================  ==================
(none)             kept                        kept
``slide``          kept                        kept                   a slide
``slide-only``     removed                     removed                a slide
``notes``          removed                     removed                speaker notes of
                                                                      the slide before
``facilitator``    removed                     kept                   FACILITATOR.md
``solution-only``  removed                     kept
``nbval-*``        kept (nbval reads them)     kept
=================  ==========================  =====================  ==================

Exercise code sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (nbgrader's
markers). The student notebook gets a stub instead: ``# YOUR CODE HERE`` followed by
``name = ...`` for each name the solution assigns at the top level, or by
``raise NotImplementedError`` inside a function body. Unbalanced, nested or
misspelt markers stop the build, so a missing END can never leak an answer.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jupytext

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = "# YOUR CODE HERE"
REQUIRED = ("lab", "title", "minutes", "card", "objectives", "keypoints")
#: the scenario card (CloudGoat's shape): how big, how hard, the goal, what happens
CARD_FIELDS = ("size", "difficulty", "goal", "summary")
SIZES = ("small", "medium", "large")
DIFFICULTIES = ("easy", "moderate", "hard")
TAGS = {"slide", "slide-only", "notes", "facilitator", "solution-only", "nbval-check-output",
        "nbval-ignore-output", "nbval-skip", "raises-exception"}
_MARKERISH = re.compile(r"(BEGIN|END)\s+SOLUTION", re.IGNORECASE)


class SourceError(ValueError):
    """A lab source the build refuses (with the file and line that caused it)."""


@dataclass
class Cell:
    """One cell of a lab source, with its solution and student forms."""

    kind: str  # "code" or "markdown"
    source: str  # as written (markers included)
    tags: list[str]
    solution: str = ""  # markers removed, answers kept
    student: str = ""  # answers replaced by stubs
    answer_lines: list[str] = field(default_factory=list)  # lines only the solution has

    @property
    def has_exercise(self) -> bool:
        return bool(self.answer_lines) or self.solution != self.student


@dataclass
class LabSource:
    """A parsed lab source."""

    path: Path
    meta: dict[str, Any]
    cells: list[Cell]

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def lab(self) -> str:
        return str(self.meta["lab"])

    def other_lines(self) -> set[str]:
        """Stripped lines that appear outside every solution region."""
        lines: set[str] = set()
        for cell in self.cells:
            lines.update(line.strip() for line in cell.student.splitlines())
        return lines


def read(path: Path) -> LabSource:
    """Parse ``path``; raise SourceError on bad metadata, tags or markers."""
    notebook = jupytext.read(path, fmt="py:percent")
    meta = dict(notebook.metadata.get("kit") or {})
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise SourceError(f"{path}: the header lacks kit: {', '.join(missing)}")
    minutes = meta["minutes"]
    if not isinstance(minutes, dict) or {"learning", "teaching"} - set(minutes):
        raise SourceError(f"{path}: kit.minutes needs learning and teaching")
    card = meta["card"]
    if not isinstance(card, dict) or set(CARD_FIELDS) - set(card):
        raise SourceError(f"{path}: kit.card needs {', '.join(CARD_FIELDS)}")
    if card["size"] not in SIZES or card["difficulty"] not in DIFFICULTIES:
        raise SourceError(f"{path}: kit.card size is one of {SIZES}, difficulty one of "
                          f"{DIFFICULTIES}")
    if not str(path.stem).startswith(str(meta["lab"])):
        raise SourceError(f"{path}: kit.lab {meta['lab']!r} does not match the file name")
    cells = []
    for number, raw in enumerate(notebook.cells, start=1):
        where = f"{path.name}, cell {number}"
        tags = list(raw.metadata.get("tags", []))
        unknown = set(tags) - TAGS
        if unknown:
            raise SourceError(f"{where}: unknown tag(s) {sorted(unknown)}")
        cell = Cell(raw.cell_type, raw.source, tags)
        if raw.cell_type == "code":
            cell.solution, cell.student, cell.answer_lines = split(raw.source, where)
        else:
            if _MARKERISH.search(raw.source):
                raise SourceError(f"{where}: solution markers belong in code cells")
            cell.solution = cell.student = raw.source
        cells.append(cell)
    return LabSource(path, meta, cells)


def split(code: str, where: str) -> tuple[str, str, list[str]]:
    """``(solution, student, answer lines)`` of one code cell."""
    solution: list[str] = []
    student: list[str] = []
    answers: list[str] = []
    inside_from: int | None = None
    for number, line in enumerate(code.splitlines(), start=1):
        marker = line.strip()
        if _MARKERISH.search(line) and marker not in (BEGIN, END):
            raise SourceError(f"{where}, line {number}: malformed marker {marker!r}")
        if marker == BEGIN:
            if inside_from is not None:
                raise SourceError(f"{where}, line {number}: BEGIN SOLUTION inside another "
                                  f"(opened on line {inside_from})")
            inside_from, indent, region = number, line[: len(line) - len(line.lstrip())], []
        elif marker == END:
            if inside_from is None:
                raise SourceError(f"{where}, line {number}: END SOLUTION without BEGIN")
            student += stub(region, indent)
            answers += region
            inside_from = None
        elif inside_from is not None:
            region.append(line)
            solution.append(line)
        else:
            solution.append(line)
            student.append(line)
    if inside_from is not None:
        raise SourceError(f"{where}, line {inside_from}: BEGIN SOLUTION without END")
    return "\n".join(solution), "\n".join(student), answers


def stub(region: list[str], indent: str) -> list[str]:
    """What a student sees instead of a solution region."""
    if indent:
        return [indent + STUB, indent + "raise NotImplementedError"]
    try:
        tree = ast.parse("\n".join(region))
    except SyntaxError:
        return [STUB]
    names: list[str] = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        for target in targets:
            if isinstance(target, ast.Name) and target.id not in names:
                names.append(target.id)
    return [STUB, *(f"{name} = ..." for name in names)]


def check_calls(code: str) -> list[str]:
    """Exercise ids of the ``check("NN.n", ...)`` calls in a cell."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "check" and node.args
                and isinstance(node.args[0], ast.Constant)):
            found.append(str(node.args[0].value))
    return found


def is_check_cell(code: str) -> bool:
    """True if a code cell holds nothing but ``check(...)`` calls (its output is compared)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    return bool(tree.body) and all(
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name) and node.value.func.id == "check"
        for node in tree.body
    )
