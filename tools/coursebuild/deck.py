"""A slide deck per lab, and the overview deck: self-contained HTML files that open offline.

Slides come from the source's ``slide`` and ``slide-only`` cells (a Markdown cell is a
slide; a ``---`` line inside it starts another; a code cell becomes a slide of code),
framed by a title slide built from the lab's metadata, the lab's scenario card, a slide
listing the exercises, and the key points. A ``notes`` cell holds the speaker notes of
the slide before it. The overview deck (``course/overview.md``) is Markdown: slides
separated by ``---`` lines, speaker notes after a ``Notes:`` line; the first slide is
the title slide.

Everything the deck needs is inlined: the stylesheet and the small script in
``deck/`` (arrows to move, N for notes, S for a speaker window, print for PDF) and
the code highlighting (Pygments, at build time). No CDN, no web fonts, no external
URL: a test checks the decks for ``http(s)://`` links to other hosts.

Every slide has speaker notes. The slides the build makes get theirs from the lab's
metadata: the timing and what to prepare (title), the goal (scenario), the mistakes
the checks recognise, with their tips (exercises), and the discussion prompts (key
points). A slide written in the source needs a ``notes`` cell after it;
:func:`problems` lists the slides without notes, code blocks too long or too wide to
read from the back of a room, and slides that are walls of text, and the build fails
on any of them. A slide with much text gets the ``dense`` class (a smaller font).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape, unescape
from pathlib import Path

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from .source import LabSource

ASSETS = Path(__file__).parent / "deck"
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
_FORMATTER = HtmlFormatter(style="friendly", nowrap=False)

#: what fits on a slide at 1280 x 720 (checked by the browser test of every deck)
MAX_CODE_LINES = 16  # lines of a code block
MAX_CODE_COLUMNS = 90  # characters in a line of a code block (94 fit at 1280 x 720)
DENSE_CHARACTERS = 600  # more visible text than this: a smaller font
MAX_CHARACTERS = 1000  # more than this is a wall of text: split the slide
_TAG = re.compile(r"<[^>]+>")
_PRE = re.compile(r"<pre[^>]*>(.*?)</pre>", re.DOTALL)


def _code(text: str) -> str:
    return highlight(text, PythonLexer(), _FORMATTER)


def _markdown(text: str) -> str:
    html = _MARKDOWN.render(text)
    return html


def text_of(html: str) -> str:
    """The visible text of a slide's HTML (what a wall-of-text rule counts)."""
    return " ".join(unescape(_TAG.sub(" ", html)).split())


def problems(name: str, slides: list[tuple[str, str, str]]) -> list[str]:
    """What makes a deck hard to present: slides without notes, code too long or too
    wide for a slide, walls of text."""
    found = []
    for number, (_, body, notes) in enumerate(slides, start=1):
        where = f"{name} slide {number}"
        if not text_of(notes):
            found.append(f"{where}: no speaker notes (add a notes cell after the slide)")
        if len(text_of(body)) > MAX_CHARACTERS:
            found.append(f"{where}: {len(text_of(body))} characters of text, more than "
                         f"{MAX_CHARACTERS}: split the slide")
        for block in _PRE.findall(body):
            lines = unescape(_TAG.sub("", block)).rstrip("\n").split("\n")
            if len(lines) > MAX_CODE_LINES:
                found.append(f"{where}: a code block of {len(lines)} lines, more than "
                             f"{MAX_CODE_LINES}")
            wide = max(len(line) for line in lines)
            if wide > MAX_CODE_COLUMNS:
                found.append(f"{where}: a code line of {wide} characters, more than "
                             f"{MAX_CODE_COLUMNS}")
    return found


def _timing_notes(lab: LabSource) -> str:
    minutes = lab.meta["minutes"]
    prepare = lab.meta.get("prepare") or []
    html = (f"<p>About {minutes['teaching']} minutes taught with discussion "
            f"({minutes['learning']} for a learner on their own). Learners open "
            f"<code>labs/{escape(lab.stem)}.ipynb</code> and run its first cell.</p>")
    if prepare:
        html += "<p>Before the session:</p><ul>" + "".join(
            f"<li>{_inline(p)}</li>" for p in prepare) + "</ul>"
    return html


def _exercise_notes(exercises: list[tuple[str, str]],
                    mistakes: Mapping[str, Mapping[str, str]]) -> str:
    html = ("<p>Let learners work; walk round. The checks recognise these mistakes and "
            "answer each with its tip (more in FACILITATOR.md):</p><ul>")
    for ident, title in exercises:
        tips = mistakes.get(ident, {})
        html += f"<li><b>{escape(ident)}</b> {escape(title)}"
        if tips:
            html += "<ul>" + "".join(f"<li><i>{escape(k)}</i>: {escape(v)}</li>"
                                     for k, v in tips.items()) + "</ul>"
        html += "</li>"
    return html + "</ul>"


def _keypoint_notes(lab: LabSource) -> str:
    prompts = lab.meta.get("discussion") or []
    if not prompts:
        return "<p>Ask a learner to say each point in their own words.</p>"
    return ("<p>Discussion (pick one or two):</p><ul>"
            + "".join(f"<li>{_inline(p)}</li>" for p in prompts) + "</ul>")


def slides_of(lab: LabSource, exercises: list[tuple[str, str]],
              mistakes: Mapping[str, Mapping[str, str]] | None = None,
              ) -> list[tuple[str, str, str]]:
    """``(css class, slide html, notes html)`` for every slide of a lab; ``mistakes``
    maps an exercise id to the mistakes its check recognises (key -> tip)."""
    meta = lab.meta
    minutes = meta["minutes"]
    title = (
        f"<h2>Lab {escape(lab.lab)}</h2><h1>{escape(meta['title'])}</h1>"
        f"<p>{escape(meta.get('story', 'Snowy’s printing service'))} · "
        f"{minutes['teaching']} minutes</p>"
    )
    slides = [["slide title", title, _timing_notes(lab)]]
    card = meta["card"]
    slides.append(["slide", "<h2>The scenario</h2><table>"
                   f"<tr><th>Size</th><td>{escape(card['size'])}</td></tr>"
                   f"<tr><th>Difficulty</th><td>{escape(card['difficulty'])}</td></tr>"
                   f"<tr><th>Goal</th><td>{_inline(card['goal'])}</td></tr>"
                   f"<tr><th>Summary</th><td>{_inline(card['summary'])}</td></tr></table>",
                   "<p>Read the goal aloud: it is what the learners can say they did at the "
                   f"end. Difficulty {escape(card['difficulty'])}; come back to the goal at "
                   "the key points.</p>"])
    slides.append(["slide", "<h2>You will</h2><ul>"
                   + "".join(f"<li>{_inline(o)}</li>" for o in meta["objectives"]) + "</ul>",
                   "<p>Ask who has met any of these at work; one minute, no more. Each "
                   "objective is practised by an exercise with a check.</p>"])
    for cell in lab.cells:
        tags = set(cell.tags)
        if "notes" in tags:
            slides[-1][2] += _markdown(cell.source)
        elif tags & {"slide", "slide-only"}:
            if cell.kind == "code":
                slides.append(["slide", _code(cell.solution), ""])
                continue
            for part in _split_parts(cell.source):
                slides.append(["slide", _markdown(part), ""])
    if exercises:
        rows = "".join(f"<tr><td><code>{escape(i)}</code></td><td>{escape(t)}</td></tr>"
                       for i, t in exercises)
        slides.append(["slide", f"<h2>Exercises</h2><table>{rows}</table>"
                       "<p>Each check answers in one line; <code>hint(\"…\")</code> gives a "
                       "hint.</p>", _exercise_notes(exercises, mistakes or {})])
    slides.append(["slide", "<h2>Key points</h2><ul>"
                   + "".join(f"<li>{_inline(k)}</li>" for k in meta["keypoints"]) + "</ul>",
                   _keypoint_notes(lab)])
    return [(_density(c, h), h, n) for c, h, n in slides]


def _density(css: str, body: str) -> str:
    return css + " dense" if len(text_of(body)) > DENSE_CHARACTERS else css


def _inline(text: str) -> str:
    html = _MARKDOWN.renderInline(str(text))
    return html


def _split_parts(text: str) -> list[str]:
    parts, current = [], []
    for line in text.splitlines():
        if line.strip() == "---":
            parts.append("\n".join(current))
            current = []
        else:
            current.append(line)
    parts.append("\n".join(current))
    return [p for p in parts if p.strip()]


def render(lab: LabSource, exercises: list[tuple[str, str]],
           mistakes: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The deck of ``lab`` as one HTML document."""
    return _document(f"Lab {lab.lab} · {lab.meta['title']}", f"course/{lab.path.name}",
                     slides_of(lab, exercises, mistakes), lab.lab)


def overview_slides(text: str) -> list[tuple[str, str, str]]:
    """``(css class, slide html, notes html)`` for each slide of the overview's Markdown."""
    slides = []
    for number, part in enumerate(_split_parts(text)):
        body, _, notes = part.partition("\nNotes:")
        css = "slide title" if number == 0 else "slide"
        html = _markdown(body)
        slides.append((_density(css, html), html, _markdown(notes.strip()) if notes else ""))
    return slides


def overview(path: Path) -> str:
    """The overview deck (``course/overview.md``) as one HTML document."""
    text = path.read_text(encoding="utf-8")
    return _document("sqskit · SQS through a security lens", f"course/{path.name}",
                     overview_slides(text), "overview")


def _document(title: str, source: str, slides: list[tuple[str, str, str]], label: str) -> str:
    total = len(slides)
    sections = "\n".join(
        f'<section class="{css}">{body}<div class="footer">{escape(label)} · '
        f"{number}/{total}</div></section>"
        for number, (css, body, _) in enumerate(slides, start=1)
    )
    notes = "\n".join(f'<aside class="notes">{n or "<p>(no notes)</p>"}</aside>'
                      for _, _, n in slides)
    style = (ASSETS / "deck.css").read_text(encoding="utf-8") + _FORMATTER.get_style_defs(
        ".highlight")
    script = (ASSETS / "deck.js").read_text(encoding="utf-8")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<!-- generated from {source} by tools/course.py: edit that file -->\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)}</title>\n"
        f"<style>\n{style}\n</style>\n</head>\n<body>\n<div class=\"deck\">\n{sections}\n"
        f"{notes}\n</div>\n<div class=\"help\">← → move · N notes · S speaker window</div>\n"
        f"<script>\n{script}\n</script>\n</body>\n</html>\n"
    )


def index(labs: list[LabSource]) -> str:
    """``slides/index.html``: the overview deck, then one deck per lab."""
    items = '<li><a href="overview.html">Overview: SQS through a security lens</a></li>'
    items += "".join(
        f'<li><a href="{escape(lab.stem)}.html">Lab {escape(lab.lab)} · '
        f"{escape(lab.meta['title'])}</a> ({lab.meta['minutes']['teaching']} min; "
        f"{escape(lab.meta['card']['size'])}, {escape(lab.meta['card']['difficulty'])})</li>"
        for lab in labs
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<!-- generated by tools/course.py -->\n<title>sqskit slides</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;"
        "line-height:1.5}</style>\n</head>\n<body>\n<h1>sqskit slide decks</h1>\n"
        f"<ul>{items}</ul>\n<p>Open a deck; arrows move, N shows the speaker notes, "
        "S opens them in a second window, Home and End jump to the first and last slide; "
        "the browser's Print makes a PDF with one slide a page. Minutes are teaching "
        "time, with discussion.</p>\n<p>Plan with <code>FACILITATOR.md</code> at the "
        "top of the kit: the checklist before the workshop, agendas from half a day to "
        "three days, and for each lab what to prepare and the mistakes learners make."
        "</p>\n</body>\n</html>\n"
    )
