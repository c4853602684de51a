"""Build and check the course: ``course/NN_topic.py`` -> labs/, solutions/, slides/, guide.

usage::

    python tools/course.py build       # make course: write labs/ solutions/ slides/ FACILITATOR.md
    python tools/course.py check       # make course-check: rebuild in a temp dir, diff, leak check
    python tools/course.py run-labs    # run every student notebook end to end

Which labs are built is listed in ``course/labs.txt`` (one source name per line).

The drift check re-executes: ``check`` rebuilds everything, *including executing the
solution notebooks*, into a temporary folder and compares every file byte for byte
with what is committed. This is possible because a solution's outputs are a pure
function of the source and sqskit (seeded worlds, a virtual clock, stable widget text
twins; ``coursebuild/notebooks.py`` strips the only run-dependent parts) and it is
stronger than comparing sources: a change in sqskit that changes what a learner would
see (an id, an error message, a check's wording) fails CI until ``make course``
regenerates the notebooks and the change is reviewed in the diff. nbval then checks
the solutions once more, comparing only the cells that show results (check cells and
widget text twins, tagged ``nbval-check-output``), with ``tests/nbval_sanitize.cfg``.

The leak check looks for every line that sits inside a solution region (and nowhere
else in the source) in the student notebooks; any hit fails the check.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from tools.coursebuild import deck, guide, notebooks, source  # noqa: E402

COURSE = ROOT / "course"
LAB_LIST = COURSE / "labs.txt"
MIN_LEAK_LENGTH = 4  # answer lines shorter than this ("pass", ")") cannot leak anything
NOT_ATTEMPTED = "not attempted yet"


def lab_stems() -> list[str]:
    lines = LAB_LIST.read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def read_labs() -> list[source.LabSource]:
    return [source.read(COURSE / f"{stem}.py") for stem in lab_stems()]


def registry() -> dict[str, list[guide.ExerciseInfo]]:
    from sqskit.lab.exercises import exercises

    found: dict[str, list[guide.ExerciseInfo]] = {}
    for ex in exercises():
        info = guide.ExerciseInfo(ex.id, ex.title, dict(ex.mistakes))
        found.setdefault(ex.lab, []).append(info)
    return found


def validate(lab: source.LabSource, known: list[guide.ExerciseInfo]) -> list[str]:
    """Every check call names a registered exercise of this lab, and every one is checked."""
    called = [i for cell in lab.cells if cell.kind == "code"
              for i in source.check_calls(cell.solution)]
    ids = {e.id for e in known}
    problems = [f"{lab.path.name}: check({i!r}) names no exercise of lab {lab.lab}"
                for i in called if i not in ids]
    problems += [f"{lab.path.name}: exercise {i} is never checked"
                 for i in sorted(ids - set(called))]
    if not any(cell.answer_lines for cell in lab.cells) and ids:
        problems.append(f"{lab.path.name}: exercises but no solution regions")
    return problems


def build(out: Path, *, execute: bool = True, log: Any = print) -> list[str]:
    """Write the whole course under ``out``; return the problems found (empty = fine)."""
    labs = read_labs()
    known = registry()
    problems = [p for lab in labs for p in validate(lab, known.get(lab.lab, []))]
    if problems:
        return problems
    for lab in labs:
        started = time.perf_counter()
        exercises = known.get(lab.lab, [])
        first = exercises[0].id if exercises else ""
        student = notebooks.build(lab, "lab", first)
        notebooks.write(student, out / "labs" / f"{lab.stem}.ipynb")
        problems += leaks(lab, student)
        solution = notebooks.build(lab, "solution", first)
        if execute:
            with tempfile.TemporaryDirectory(prefix="sqskit-course-") as work:
                notebooks.normalise(notebooks.execute(solution, Path(work)))
        notebooks.write(solution, out / "solutions" / f"{lab.stem}.ipynb")
        listed = [(e.id, e.title) for e in exercises]
        mistakes = {e.id: e.mistakes for e in exercises}
        problems += deck.problems(f"slides/{lab.stem}.html",
                                  deck.slides_of(lab, listed, mistakes))
        _write(out / "slides" / f"{lab.stem}.html", deck.render(lab, listed, mistakes))
        log(f"built lab {lab.lab} ({lab.stem}) in {time.perf_counter() - started:.1f} s")
    overview_text = (COURSE / "overview.md").read_text(encoding="utf-8")
    problems += deck.problems("slides/overview.html", deck.overview_slides(overview_text))
    _write(out / "slides" / "overview.html", deck.overview(COURSE / "overview.md"))
    _write(out / "slides" / "index.html", deck.index(labs))
    checklist = (COURSE / "checklist.md").read_text(encoding="utf-8")
    _write(out / "FACILITATOR.md", guide.render(labs, known, checklist))
    _write(out / "labs" / "README.md", readme(labs))
    return problems


def readme(labs: list[source.LabSource]) -> str:
    rows = [f"| [{lab.lab} · {lab.meta['title']}]({lab.stem}.ipynb) | "
            f"{lab.meta['card']['summary']} | {lab.meta['card']['difficulty']} | "
            f"{lab.meta['minutes']['learning']} min |" for lab in labs]
    return "\n".join([
        "<!-- generated by tools/course.py from course/: edit the sources, then make course -->",
        "# The labs", "",
        "Open the labs in order. In each, run the cells from the top (Shift+Enter); exercise "
        "cells say `# YOUR CODE HERE`, and the cell after each one checks your answer. "
        "Everything runs on your machine: no AWS account, no cost, no clean-up.", "",
        "| Lab | What happens | Difficulty | Time on your own |", "|---|---|---|---|", *rows,
        "",
        "Stuck? Read the check's one line: it names the mistake and gives a tip; "
        "`hint(\"01.3\")` shows the next hint for exercise 01.3. Something odd (a cell run "
        "twice, the clock too far ahead)? Run the lab's reset cell (the first code cell) "
        "again: it starts the lab's world afresh; then run the cells below it again.", "",
        "Your progress is saved next to the notebooks (`.sqskit-progress-*.json`); "
        "`progress()` shows it.", "",
        "The executed answers in `../solutions/` are the facilitator's: they give away "
        "every answer, and the one of lab 11 prints its four flags. Do not open them before "
        "your session is over.", "",
    ])


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def leaks(lab: source.LabSource, student: Any) -> list[str]:
    """Answer lines of ``lab`` found in its student notebook."""
    elsewhere = lab.other_lines()
    answers = {line.strip() for cell in lab.cells for line in cell.answer_lines}
    answers = {a for a in answers if len(a) >= MIN_LEAK_LENGTH and a not in elsewhere}
    found = []
    for number, cell in enumerate(student.cells):
        for line in cell.source.splitlines():
            text = line.strip()
            if text in answers or text in (source.BEGIN, source.END):
                found.append(f"labs/{lab.stem}.ipynb cell {number}: leaks {text!r}")
    return found


def managed(root: Path) -> set[str]:
    """The generated files under ``root`` (relative paths)."""
    patterns = ["labs/*.ipynb", "labs/README.md", "solutions/*.ipynb", "slides/*.html",
                "FACILITATOR.md"]
    return {str(p.relative_to(root)) for pattern in patterns for p in root.glob(pattern)}


def drift(fresh: Path, committed: Path) -> list[str]:
    expected, actual = managed(fresh), managed(committed)
    problems = [f"{p}: missing (run make course)" for p in sorted(expected - actual)]
    problems += [f"{p}: not generated by any source (delete it)" for p in sorted(actual - expected)]
    for rel in sorted(expected & actual):
        if not filecmp.cmp(fresh / rel, committed / rel, shallow=False):
            problems.append(f"{rel}: differs from a fresh build (run make course; review the diff)")
    return problems


def run_labs(paths: list[Path]) -> list[str]:
    """Execute student notebooks; every check must say "not attempted yet"."""
    problems = []
    for path in paths:
        started = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory(prefix="sqskit-lab-") as work:
            try:
                notebooks.execute(nb, Path(work))
            except Exception as err:  # report which notebook broke, then go on
                problems.append(f"{path.name}: {type(err).__name__}: {str(err)[-800:]}")
                continue
        for number, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and source.check_calls(cell.source):
                text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                               for o in cell.outputs)
                if NOT_ATTEMPTED not in text:
                    problems.append(f"{path.name} cell {number}: a check on the stub says "
                                    f"{text.strip()[:120]!r}, not {NOT_ATTEMPTED!r}")
        print(f"ran {path.name} in {time.perf_counter() - started:.1f} s")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build", "check", "run-labs"])
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.command == "build":
        for folder in ("labs", "solutions", "slides"):
            for stale in (ROOT / folder).glob("*.ipynb" if folder != "slides" else "*.html"):
                stale.unlink()
        problems = build(ROOT)
    elif args.command == "check":
        with tempfile.TemporaryDirectory(prefix="sqskit-course-check-") as tmp:
            problems = build(Path(tmp))
            problems += drift(Path(tmp), ROOT)
        for lab in read_labs():
            path = ROOT / "labs" / f"{lab.stem}.ipynb"
            if path.exists():
                problems += leaks(lab, nbformat.read(path, as_version=4))
    else:
        problems = run_labs([ROOT / "labs" / f"{stem}.ipynb" for stem in lab_stems()])
    for problem in problems:
        print("FAIL", problem, file=sys.stderr)
    verdict = "FAILED" if problems else "ok"
    print(f"{args.command}: {verdict} in {time.perf_counter() - started:.1f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
