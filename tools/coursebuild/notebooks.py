"""Student and solution notebooks from a lab source; executing and normalising them.

Both notebooks open with a generated header (title, time, objectives, how checks and
hints work) and end with the key points. Cells get stable ids (``cell-07``), only
their tags as metadata, and check cells are tagged ``nbval-check-output`` so nbval
compares what they print. Solutions are executed with nbclient and then normalised
so that rebuilding gives the same bytes: widget-view data (random model ids) is
dropped, leaving each widget's text twin; consecutive stream outputs are merged;
kernel version details are fixed. Student notebooks are never executed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from traitlets.config import Config

from .source import Cell, LabSource, is_check_cell

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: header keys for the facilitator (the guide and the decks), kept out of the notebooks
FACILITATOR_ONLY = ("prepare",)
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3", "mimetype": "text/x-python",
                 "file_extension": ".py", "nbconvert_exporter": "python"}
HOW_IT_WORKS = (
    "**How this lab works.** Run the cells from the top, one by one (Shift+Enter). "
    "An *exercise* cell says `# YOUR CODE HERE`: write your answer there and run it. "
    "The cell after it checks your answer and answers in one line: ✅ checks passed, "
    "❌ not yet (with a tip), or ⏳ not attempted yet. Stuck? `hint(\"{first}\")` shows a "
    "hint; call it again for the next one. Re-running the reset cell starts the lab over "
    "with a fresh world."
)


def header(lab: LabSource, variant: str, first_exercise: str) -> str:
    meta = lab.meta
    minutes = meta["minutes"]
    lines = [
        f"<!-- generated from course/{lab.path.name} by tools/course.py: edit that file -->",
        f"# Lab {lab.lab} · {meta['title']}",
        "",
        f"*{meta.get('story', 'Snowy’s printing service')}* · about {minutes['learning']} "
        f"minutes on your own, {minutes['teaching']} in a workshop",
    ]
    lines += ["", card_markdown(meta["card"])]
    if variant == "solution":
        lines += ["", "**Solution notebook** (for facilitators): every exercise answered, "
                      "every output as it should be."]
    lines += ["", "**You will:**", *(f"- {o}" for o in meta["objectives"])]
    if first_exercise:
        lines += ["", HOW_IT_WORKS.format(first=first_exercise)]
    return "\n".join(lines)


def card_markdown(card: dict[str, str]) -> str:
    """The scenario card as a Markdown quote: size and difficulty, goal, summary."""
    return "\n".join([
        f"> **Scenario** · size: {card['size']} · difficulty: {card['difficulty']}  ",
        f"> **Goal:** {card['goal']}  ",
        f"> **Summary:** {card['summary']}",
    ])


def keypoints(lab: LabSource) -> str:
    return "\n".join(["## Key points", "", *(f"- {k}" for k in lab.meta["keypoints"])])


def _new_cell(kind: str, source: str, tags: list[str], number: int) -> Any:
    maker = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = maker(source)
    cell.id = f"cell-{number:02d}"
    cell.metadata = {"tags": tags} if tags else {}
    return cell


def build(lab: LabSource, variant: str, first_exercise: str) -> Any:
    """The ``"lab"`` (student) or ``"solution"`` notebook of ``lab``, unexecuted."""
    dropped = {"slide-only", "notes"} | ({"facilitator", "solution-only"}
                                         if variant == "lab" else set())
    nb = nbformat.v4.new_notebook()
    nb.cells.append(_new_cell("markdown", header(lab, variant, first_exercise), [], 0))
    for cell in lab.cells:
        if dropped & set(cell.tags):
            continue
        nb.cells.append(_cell_for(cell, variant, len(nb.cells)))
    nb.cells.append(_new_cell("markdown", keypoints(lab), [], len(nb.cells)))
    kit = {k: v for k, v in lab.meta.items() if k not in FACILITATOR_ONLY}
    kit.update(generated=True, source=f"course/{lab.path.name}", variant=variant)
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO),
                   "kit": kit}
    return nb


def _cell_for(cell: Cell, variant: str, number: int) -> Any:
    text = cell.student if variant == "lab" else cell.solution
    tags = [t for t in cell.tags if t not in ("slide", "solution-only")]
    if cell.kind == "code" and is_check_cell(cell.solution) and "nbval-check-output" not in tags:
        tags.append("nbval-check-output")
    if "facilitator" in cell.tags and not text.lstrip().startswith(">"):
        text = "> **Facilitator note.** " + text
    return _new_cell(cell.kind, text, tags, number)


def execute(nb: Any, workdir: Path, timeout: int = 120) -> Any:
    """Run a notebook in a kernel (cells tagged nbval-skip are not run); return it."""
    env_before = dict(os.environ)
    os.environ.update(
        SQSKIT_PROGRESS_DIR=str(workdir / "progress"), SQSKIT_LEARNER="me", PYTHONHASHSEED="0",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env_before.get("PYTHONPATH")) if p),
    )
    try:
        NotebookClient(
            nb, timeout=timeout, kernel_name="python3", skip_cells_with_tag="nbval-skip",
            record_timing=False, store_widget_state=False,
            resources={"metadata": {"path": str(workdir)}},
            config=Config({"KernelManager": {"transport_encryption": "auto"}}),
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    return nb


def normalise(nb: Any) -> Any:
    """Make an executed notebook byte-stable (see the module docstring)."""
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        merged: list[Any] = []
        for output in cell.outputs:
            if output.output_type in ("display_data", "execute_result"):
                output.data.pop(WIDGET_VIEW, None)
                output.metadata = {}
            if (output.output_type == "stream" and merged
                    and merged[-1].output_type == "stream" and merged[-1].name == output.name):
                merged[-1].text += output.text
                continue
            merged.append(output)
        cell.outputs = merged
    return nb


def write(nb: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


ROOT = Path(__file__).resolve().parents[2]
