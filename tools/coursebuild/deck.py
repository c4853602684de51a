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
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from .source import LabSource

ASSETS = Path(__file__).parent / "deck"
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
_FORMATTER = HtmlFormatter(style="friendly", nowrap=False)


def _code(text: str) -> str:
    return highlight(text, PythonLexer(), _FORMATTER)


def _markdown(text: str) -> str:
    html = _MARKDOWN.render(text)
    return html


def slides_of(lab: LabSource, exercises: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """``(css class, slide html, notes html)`` for every slide of a lab."""
    meta = lab.meta
    minutes = meta["minutes"]
    title = (
        f"<h2>Lab {escape(lab.lab)}</h2><h1>{escape(meta['title'])}</h1>"
        f"<p>{escape(meta.get('story', 'Snowy’s printing service'))} · "
        f"{minutes['teaching']} minutes</p>"
    )
    slides = [["slide title", title, ""]]
    card = meta["card"]
    slides.append(["slide", "<h2>The scenario</h2><table>"
                   f"<tr><th>Size</th><td>{escape(card['size'])}</td></tr>"
                   f"<tr><th>Difficulty</th><td>{escape(card['difficulty'])}</td></tr>"
                   f"<tr><th>Goal</th><td>{_inline(card['goal'])}</td></tr>"
                   f"<tr><th>Summary</th><td>{_inline(card['summary'])}</td></tr></table>",
                   ""])
    slides.append(["slide", "<h2>You will</h2><ul>"
                   + "".join(f"<li>{_inline(o)}</li>" for o in meta["objectives"]) + "</ul>", ""])
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
                       "hint.</p>", ""])
    slides.append(["slide", "<h2>Key points</h2><ul>"
                   + "".join(f"<li>{_inline(k)}</li>" for k in meta["keypoints"]) + "</ul>", ""])
    return [(c, h, n) for c, h, n in slides]


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


def render(lab: LabSource, exercises: list[tuple[str, str]]) -> str:
    """The deck of ``lab`` as one HTML document."""
    return _document(f"Lab {lab.lab} · {lab.meta['title']}", f"course/{lab.path.name}",
                     slides_of(lab, exercises), lab.lab)


def overview_slides(text: str) -> list[tuple[str, str, str]]:
    """``(css class, slide html, notes html)`` for each slide of the overview's Markdown."""
    slides = []
    for number, part in enumerate(_split_parts(text)):
        body, _, notes = part.partition("\nNotes:")
        css = "slide title" if number == 0 else "slide"
        slides.append((css, _markdown(body), _markdown(notes.strip()) if notes else ""))
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
        "S opens them in a second window.</p>\n</body>\n</html>\n"
    )
