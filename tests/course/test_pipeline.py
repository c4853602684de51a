"""The course pipeline: one source per lab -> student and solution notebooks, decks, guide."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import nbformat
import pytest

from tools import course
from tools.coursebuild import deck, guide, notebooks, source

ROOT = Path(__file__).resolve().parents[2]

HEADER = '''# ---
# jupyter:
#   kit:
#     lab: "98"
#     title: "A test lab"
#     minutes: {learning: 10, teaching: 15}
#     card: {size: small, difficulty: easy, goal: "Win the game", summary: "A game is played"}
#     objectives: [Learn]
#     keypoints: [Learned]
# ---
'''


def write_lab(tmp_path: Path, body: str, name: str = "98_test.py") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


EXERCISE = '''
# %%
def f(x):
    """Double x."""
    ### BEGIN SOLUTION
    secret_value = x * 2
    return secret_value
    ### END SOLUTION

# %%
### BEGIN SOLUTION
answer = 42
other: int = 7
### END SOLUTION
print(answer)

# %%
check("98.1", f)

# %% [markdown] tags=["facilitator"]
# Watch for off-by-one.

# %% [markdown] tags=["slide"]
# ## A slide
# ---
# ## Another slide

# %% [markdown] tags=["notes"]
# Say hello.
'''


def test_a_stub_replaces_each_solution_region(tmp_path) -> None:
    """Inside a function the stub raises NotImplementedError; at the top level it assigns
    ... to each name the solution assigns, so later cells still run."""
    lab = source.read(write_lab(tmp_path, EXERCISE))
    function, top = lab.cells[0], lab.cells[1]
    assert function.student.splitlines()[2:] == [
        "    # YOUR CODE HERE", "    raise NotImplementedError"]
    assert top.student.splitlines() == ["# YOUR CODE HERE", "answer = ...", "other = ...",
                                        "print(answer)"]
    assert "### BEGIN" not in function.solution and "secret_value = x * 2" in function.solution


@pytest.mark.parametrize("body, message", [
    ("# %%\n### BEGIN SOLUTION\nx = 1\n", "BEGIN SOLUTION without END"),
    ("# %%\nx = 1\n### END SOLUTION\n", "END SOLUTION without BEGIN"),
    ("# %%\n### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside another"),
    ("# %%\n## BEGIN SOLUTION\nx = 1\n## END SOLUTION\n", "malformed marker"),
    ("# %% [markdown]\n# ### BEGIN SOLUTION\n", "belong in code cells"),
    ("# %% tags=[\"slides\"]\nx = 1\n", "unknown tag"),
])
def test_the_build_refuses_unbalanced_or_misspelt_markers(tmp_path, body, message) -> None:
    """A missing END would leak an answer; a misspelt marker would silently keep one."""
    with pytest.raises(source.SourceError, match=message):
        source.read(write_lab(tmp_path, body))


def test_the_build_refuses_a_header_without_the_lab_metadata(tmp_path) -> None:
    """Objectives, minutes and key points are required: the guide is built from them."""
    path = tmp_path / "98_bare.py"
    path.write_text("# %%\nx = 1\n", encoding="utf-8")
    with pytest.raises(source.SourceError, match="lacks kit"):
        source.read(path)


@pytest.mark.parametrize("card, message", [
    ("", "lacks kit: card"),
    ("#     card: {size: small, difficulty: easy, goal: g}\n", "kit.card needs"),
    ("#     card: {size: huge, difficulty: easy, goal: g, summary: s}\n", "size is one of"),
    ("#     card: {size: small, difficulty: trivial, goal: g, summary: s}\n", "difficulty one"),
])
def test_the_build_refuses_a_missing_or_odd_scenario_card(tmp_path, card, message) -> None:
    """Every lab has a scenario card in CloudGoat's shape, with sizes and difficulties
    from a fixed list (the guide and the decks sort and compare them)."""
    header = re.sub(r"#     card: .*\n", card, HEADER)
    path = tmp_path / "98_card.py"
    path.write_text(header, encoding="utf-8")
    with pytest.raises(source.SourceError, match=message):
        source.read(path)


def test_the_scenario_card_is_in_the_notebook_the_deck_and_the_guide(tmp_path) -> None:
    """The card heads both notebooks, has a slide of its own, and sits in the guide."""
    lab = source.read(write_lab(tmp_path, EXERCISE))
    header = notebooks.build(lab, "lab", "98.1").cells[0].source
    assert "> **Scenario** · size: small · difficulty: easy" in header
    assert "> **Goal:** Win the game" in header
    slides = deck.slides_of(lab, [])
    assert "<h2>The scenario</h2>" in slides[1][1] and "A game is played" in slides[1][1]
    text = guide.render([lab], {})
    assert "| 98 | A test lab | small | easy | 10 | 15 | 0 |" in text
    assert "- *Goal:* Win the game" in text


def test_the_overview_deck_has_a_title_slide_and_speaker_notes(tmp_path) -> None:
    """Markdown slides split at ---; what follows "Notes:" is the speaker notes."""
    path = tmp_path / "overview.md"
    path.write_text("# Title\n\nNotes:\nSay hi.\n\n---\n\n## Two\n\n- a point\n",
                    encoding="utf-8")
    slides = deck.overview_slides(path.read_text(encoding="utf-8"))
    assert [css for css, _, _ in slides] == ["slide title", "slide"]
    assert "Say hi." in slides[0][2] and "Say hi." not in slides[0][1]
    assert "<li>a point</li>" in slides[1][1] and slides[1][2] == ""
    html = deck.overview(path)
    assert html.count('<section class="slide') == 2 and "overview · 2/2" in html


def test_the_committed_overview_deck_covers_the_story_the_security_features_and_practices(
) -> None:
    """The overview (slides/overview.html) tells the seed's story: the mailbox analogy,
    how SQS works, its security features, best practices; every slide has notes."""
    html = (ROOT / "slides" / "overview.html").read_text(encoding="utf-8")
    for title in ("A queue is a mailbox", "How SQS works", "Security feature 1",
                  "Security feature 2", "Best practices"):
        assert title in html, title
    assert '<aside class="notes"><p>(no notes)</p>' not in html


def test_the_student_notebook_has_stubs_no_outputs_and_no_facilitator_notes(tmp_path) -> None:
    """labs/ gets stubs, no outputs, no facilitator or speaker notes; both notebooks are
    marked generated and tag check cells for nbval."""
    lab = source.read(write_lab(tmp_path, EXERCISE))
    student = notebooks.build(lab, "lab", "98.1")
    solution = notebooks.build(lab, "solution", "98.1")
    text = "\n".join(c.source for c in student.cells)
    assert "secret_value" not in text and "Watch for off-by-one" not in text
    assert "Say hello" not in text
    assert "Facilitator note" in "\n".join(c.source for c in solution.cells)
    assert all(c.get("outputs", []) == [] for c in student.cells)
    assert student.metadata["kit"]["generated"] is True
    checks = [c for c in student.cells if c.source.startswith("check(")]
    assert checks[0].metadata["tags"] == ["nbval-check-output"]
    assert [c.id for c in student.cells] == [f"cell-{n:02d}" for n in range(len(student.cells))]


def test_the_leak_check_finds_an_answer_line_in_a_student_notebook(tmp_path) -> None:
    """Any line that only the solution has is a leak if it shows up in labs/."""
    lab = source.read(write_lab(tmp_path, EXERCISE))
    student = notebooks.build(lab, "lab", "98.1")
    assert course.leaks(lab, student) == []
    student.cells[1].source += "\n    secret_value = x * 2"
    assert course.leaks(lab, student) == [
        "labs/98_test.ipynb cell 1: leaks 'secret_value = x * 2'"]


def test_executed_solutions_are_normalised_to_stable_bytes() -> None:
    """Widget views (random model ids) are dropped, leaving the text twin; split stream
    outputs are merged; the kernel's version details are fixed."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="a\n"),
        nbformat.v4.new_output("stream", name="stdout", text="b\n"),
        nbformat.v4.new_output("execute_result", data={
            "text/plain": "twin", notebooks.WIDGET_VIEW: {"model_id": "random"}},
            execution_count=1),
    ]
    nb.cells = [cell]
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    notebooks.normalise(nb)
    assert [o.get("text") for o in cell.outputs] == ["a\nb\n", None]
    assert cell.outputs[1].data == {"text/plain": "twin"}
    assert "version" not in nb.metadata["language_info"]


def test_a_deck_has_title_slides_notes_exercises_and_key_points(tmp_path) -> None:
    """Slide cells (split at ---) become slides, a notes cell annotates the slide before."""
    lab = source.read(write_lab(tmp_path, EXERCISE))
    slides = deck.slides_of(lab, [("98.1", "Double it")])
    bodies = [body for _, body, _ in slides]
    assert "A test lab" in bodies[0]
    assert any("A slide" in b for b in bodies) and any("Another slide" in b for b in bodies)
    assert "Say hello" in slides[bodies.index(next(b for b in bodies if "Another" in b))][2]
    assert "Double it" in bodies[-2] and "Learned" in bodies[-1]


EXTERNAL = re.compile(r"https?://(?!127\.0\.0\.1|localhost)[^\s\"'<>)]+")


def test_the_committed_decks_load_nothing_from_the_network() -> None:
    """A deck opens offline: no http(s) URL to another host anywhere in it."""
    decks = sorted((ROOT / "slides").glob("*.html"))
    assert decks, "slides/ is empty: run make course"
    for path in decks:
        assert EXTERNAL.findall(path.read_text(encoding="utf-8")) == [], path.name


def test_the_url_scan_would_notice_a_cdn_link() -> None:
    """The offline test is not vacuous."""
    assert EXTERNAL.findall('<script src="https://cdn.jsdelivr.net/x.js">')


def test_the_guide_plans_both_agendas_from_the_teaching_minutes(tmp_path) -> None:
    """Labs fill the half day in order, with breaks; what does not fit is named."""
    labs = []
    for number, minutes in (("91", 60), ("92", 60), ("93", 60), ("94", 60)):
        path = tmp_path / f"{number}_x.py"
        path.write_text(HEADER.replace('"98"', f'"{number}"').replace(
            "teaching: 15", f"teaching: {minutes}"), encoding="utf-8")
        labs.append(source.read(path))
    text = guide.render(labs, {})
    half = text.split("### Half day")[1].split("### Full day")[0]
    assert "| 09:25 | 10:25 | Lab 91" in half and "Break" in half
    assert "self-study" in half and "Lab 94" in half
    full = text.split("### Full day")[1]
    assert "Lunch" in full and "self-study" not in full.split("## Lab")[0]


def test_every_lab_in_the_build_list_exists_and_parses() -> None:
    """course/labs.txt names only sources that parse, and every check call names a
    registered exercise of its lab (and every exercise is checked)."""
    known = course.registry()
    for lab in course.read_labs():
        assert course.validate(lab, known.get(lab.lab, [])) == [], lab.stem


def test_every_course_source_parses_even_when_not_built() -> None:
    """Sources waiting for engine features still have balanced markers and metadata."""
    for path in sorted((ROOT / "course").glob("[0-9][0-9]_*.py")):
        assert source.read(path).lab == path.name[:2]


def _agendas(text: str) -> dict[str, list[list[tuple[str, str, str]]]]:
    """Each agenda of the guide as its days, each day as rows (start, end, what)."""
    found: dict[str, list[list[tuple[str, str, str]]]] = {}
    for block in text.split("## Agendas", 1)[1].split("\n## Lab ")[0].split("### ")[1:]:
        title, body = block.split("\n", 1)
        days: list[list[tuple[str, str, str]]] = []
        for chunk in re.split(r"\*\*Day \d\*\*", body):
            rows = [tuple(c.strip() for c in line.strip("|").split("|"))
                    for line in chunk.splitlines()
                    if re.match(r"\| \d\d:\d\d \| \d\d:\d\d \|", line)]
            if rows:
                days.append(rows)  # type: ignore[arg-type]
        found[title] = days
    return found


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def test_every_agenda_adds_up_and_the_longest_covers_every_lab() -> None:
    """In the committed guide each day runs without gaps or overlaps from 09:00 to its end
    (12:30 for the half day, 17:00 otherwise), no two taught blocks exceed 90 minutes
    without a break or lunch between them (one lab may be longer on its own), and the
    three-day agenda teaches every lab of course/labs.txt, in order."""
    text = (ROOT / "FACILITATOR.md").read_text(encoding="utf-8")
    agendas = _agendas(text)
    assert {t.split(" (")[0].split(":")[0] for t in agendas} >= {
        "Half day", "Full day", "Two days", "Three days"}
    for title, days in agendas.items():
        for rows in days:
            assert rows[0][0] == "09:00", title
            assert rows[-1][1] == ("12:30" if title.startswith("Half") else "17:00"), title
            for before, after in itertools.pairwise(rows):
                assert before[1] == after[0], (title, before, after)
            run = 0
            for start, end, what in rows:
                if what.startswith("Lab "):
                    length = _minutes(end) - _minutes(start)
                    assert run == 0 or run + length <= guide.WORK_BEFORE_BREAK, (title, what)
                    run += length
                elif what.startswith(("Break", "Lunch")):
                    run = 0
    three = next(days for title, days in agendas.items() if title.startswith("Three days"))
    taught = [what.split(" · ")[0] for rows in three for _, _, what in rows
              if what.startswith("Lab ")]
    assert taught == [f"Lab {lab.lab}" for lab in course.read_labs()]


SECTION = re.compile(r'<section class="slide[^"]*">')
NOTES = re.compile(r'<aside class="notes">(.*?)</aside>', re.DOTALL)


def test_every_slide_of_every_committed_deck_has_speaker_notes() -> None:
    """An instructor presses N on any slide of any deck and finds something to say:
    every deck has one notes panel per slide and none is the empty placeholder."""
    decks = sorted(p for p in (ROOT / "slides").glob("*.html") if p.name != "index.html")
    assert decks, "slides/ is empty: run make course"
    for path in decks:
        html = path.read_text(encoding="utf-8")
        notes = NOTES.findall(html)
        assert len(notes) == len(SECTION.findall(html)), path.name
        empty = [n for n, text in enumerate(notes, start=1) if not deck.text_of(text)
                 or "(no notes)" in text]
        assert empty == [], f"{path.name}: slides without notes {empty}"


def test_every_lab_deck_keeps_the_slide_rules() -> None:
    """No lab deck or the overview has a slide without notes, a code block longer than
    MAX_CODE_LINES or wider than MAX_CODE_COLUMNS, or a wall of text (the build fails
    on these too)."""
    known = course.registry()
    for lab in course.read_labs():
        exercises = known.get(lab.lab, [])
        slides = deck.slides_of(lab, [(e.id, e.title) for e in exercises],
                                {e.id: e.mistakes for e in exercises})
        assert deck.problems(lab.stem, slides) == []
    overview = (ROOT / "course" / "overview.md").read_text(encoding="utf-8")
    assert deck.problems("overview", deck.overview_slides(overview)) == []


BAD_DECK = '''
# %% [markdown] tags=["slide"]
# ## Silent slide
#
# Nothing to say about this one.

# %% [markdown] tags=["slide"]
# ## Long code
#
# ```
''' + "".join(f"# line {n}\n" for n in range(20)) + '''# ```

# %% [markdown] tags=["notes"]
# Read the code.

# %% [markdown] tags=["slide"]
# ## Wide code
#
# ```
# ''' + "x" * 120 + '''
# ```

# %% [markdown] tags=["notes"]
# Scroll right.

# %% [markdown] tags=["slide"]
# ## A wall
#
# ''' + "word " * 260 + '''

# %% [markdown] tags=["notes"]
# Too much.
'''


def test_the_slide_rules_catch_a_deck_with_silent_long_wide_and_wordy_slides(tmp_path) -> None:
    """A slide with no notes cell, a 20-line code block, a 120-column code line and a
    1,300-character paragraph each fail the build with a message naming the slide."""
    lab = source.read(write_lab(tmp_path, BAD_DECK))
    found = deck.problems("98_test.html", deck.slides_of(lab, []))
    assert any("slide 4: no speaker notes" in p for p in found), found
    assert any("slide 5: a code block of 2" in p for p in found), found
    assert any("slide 6: a code line of 120 characters" in p for p in found), found
    assert any("slide 7:" in p and "wall" not in p and "split the slide" in p
               for p in found), found
    assert len(found) == 4, found


def test_a_long_slide_gets_the_dense_class_and_a_short_one_does_not(tmp_path) -> None:
    """Slides with more than DENSE_CHARACTERS of text are set in a smaller font."""
    lab = source.read(write_lab(tmp_path, BAD_DECK))
    classes = {deck.text_of(body)[:12]: css for css, body, _ in deck.slides_of(lab, [])}
    assert classes["A wall word "] == "slide dense"
    assert classes["Silent slide"] == "slide"


def test_generated_slides_get_notes_from_the_lab_metadata(tmp_path) -> None:
    """Title: timing and what to prepare; exercises: the mistakes the checks recognise,
    with their tips; key points: the discussion prompts."""
    text = HEADER.replace("#     keypoints: [Learned]", "#     keypoints: [Learned]\n"
                          "#     prepare: [Bring a whiteboard]\n"
                          "#     discussion: [\"Why would a game end?\"]")
    path = tmp_path / "98_test.py"
    path.write_text(text + EXERCISE, encoding="utf-8")
    lab = source.read(path)
    slides = deck.slides_of(lab, [("98.1", "Double it")],
                            {"98.1": {"tripled": "Twice, not three times."}})
    assert "15 minutes" in slides[0][2] and "Bring a whiteboard" in slides[0][2]
    assert "tripled" in slides[-2][2] and "Twice, not three times." in slides[-2][2]
    assert "Why would a game end?" in slides[-1][2]


def test_the_guide_opens_with_the_workshop_checklist_and_says_what_to_prepare() -> None:
    """FACILITATOR.md tells an instructor, before the first lab: machine requirements,
    make lab ahead of time, offline use, how to reset a learner's notebook, and when to
    hand out the solutions; each lab section says what to prepare."""
    text = (ROOT / "FACILITATOR.md").read_text(encoding="utf-8")
    before = text.split("## The labs at a glance")[0]
    for needle in ("## Before the workshop", "Python 3.10", "`make lab` **before the day",
                   "Offline on the day", "## During the workshop", "fresh copy of",
                   "sqskit.reset", "## After the workshop", "Hand out `solutions/`"):
        assert needle in before, needle
    sections = text.split("\n## Lab ")[1:]
    assert len(sections) == len(course.lab_stems())
    assert all("**Before you teach it**" in s for s in sections)


def test_facilitator_only_metadata_stays_out_of_the_notebooks(tmp_path) -> None:
    """What to prepare is for the facilitator: the notebooks' kit metadata omits it."""
    path = tmp_path / "98_test.py"
    path.write_text(HEADER.replace("#     keypoints: [Learned]", "#     keypoints: [Learned]\n"
                                   "#     prepare: [Bring a whiteboard]") + EXERCISE,
                    encoding="utf-8")
    lab = source.read(path)
    assert lab.meta["prepare"] == ["Bring a whiteboard"]
    for variant in ("lab", "solution"):
        assert "prepare" not in notebooks.build(lab, variant, "98.1").metadata["kit"]
