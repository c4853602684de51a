"""Real-browser tests of the slide decks: every slide of every deck fits on the screen.

Each deck in ``slides/`` is opened from disk in Debian's chromium with every request to
another host blocked, at a 16:9 projector size (1280 x 720) and a 4:3 one (1024 x 768).
On every slide nothing may stick out: the slide must not need scrolling, no element may
reach below the slide or past its right edge, and no code block may be cut off. With the
speaker notes shown (N), the slide and its notes must both stay inside the window. The
index must link every deck. A deliberately overfull deck proves the measurement finds
what it looks for.

Run by ``make browser``; no JupyterLab needed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api")

from tools.coursebuild import deck  # noqa: E402

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENS = [(1280, 720), (1024, 768)]

#: what sticks out of the current slide, in pixels (an empty list: the slide fits)
MEASURE = """() => {
  const slide = document.querySelector('.slide.current');
  const box = slide.getBoundingClientRect();
  const out = [];
  if (slide.scrollHeight > slide.clientHeight + 1) out.push('scrolls by ' +
      (slide.scrollHeight - slide.clientHeight));
  for (const el of slide.querySelectorAll('*')) {
    const b = el.getBoundingClientRect();
    if (!b.height) continue;
    if (b.bottom > box.bottom + 1) out.push(el.tagName + ' below by ' +
        Math.round(b.bottom - box.bottom));
    if (b.right > box.right + 1) out.push(el.tagName + ' right by ' +
        Math.round(b.right - box.right));
    if (el.tagName === 'PRE' && el.scrollWidth > el.clientWidth + 1) out.push(
        'code cut by ' + (el.scrollWidth - el.clientWidth));
  }
  return out;
}"""
IN_WINDOW = """() => {
  const inside = el => { const b = el.getBoundingClientRect();
    return b.top >= 0 && b.bottom <= window.innerHeight + 1; };
  return inside(document.querySelector('.slide.current')) &&
         inside(document.querySelector('.notes.current'));
}"""


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run make browser, which installs it")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser, width: int, height: int, blocked: list[str]):
    context = browser.new_context(viewport={"width": width, "height": height})

    def guard(route):  # a deck loads nothing from the network
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context, context.new_page()


def overflowing(page, path: Path) -> list[str]:
    """``slide N: what sticks out`` for every slide of the deck at ``path``."""
    page.goto(path.as_uri() + "#1")
    found = []
    for number in range(1, page.locator(".slide").count() + 1):
        page.goto(path.as_uri() + f"#{number}")
        found += [f"slide {number}: {what}" for what in page.evaluate(MEASURE)]
    return found


def decks() -> list[Path]:
    return sorted(p for p in (ROOT / "slides").glob("*.html") if p.name != "index.html")


@pytest.mark.parametrize("width,height", SCREENS)
def test_every_slide_of_every_deck_fits_on_a_projector(browser, width, height) -> None:
    """At 1280 x 720 and 1024 x 768 no slide of any deck overflows, nothing is cut off,
    and no deck asks the network for anything."""
    blocked: list[str] = []
    context, page = _page(browser, width, height, blocked)
    problems = {p.name: overflowing(page, p) for p in decks()}
    context.close()
    assert {name: found for name, found in problems.items() if found} == {}
    assert blocked == []


def test_the_speaker_notes_fit_under_the_slide(browser) -> None:
    """With N pressed, the slide shrinks so that it and its notes are both on screen."""
    blocked: list[str] = []
    context, page = _page(browser, 1280, 720, blocked)
    for path in decks():
        page.goto(path.as_uri() + "#2")
        page.keyboard.press("n")
        assert page.locator(".notes.current").is_visible(), path.name
        assert page.evaluate(IN_WINDOW), path.name
        assert overflowing(page, path) == [], path.name
    context.close()


def test_the_index_links_every_deck(browser) -> None:
    """slides/index.html lists the overview and every lab deck, and each link opens."""
    blocked: list[str] = []
    context, page = _page(browser, 1280, 720, blocked)
    page.goto((ROOT / "slides" / "index.html").as_uri())
    links = page.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert sorted(links) == sorted(p.name for p in decks())
    for link in links:
        page.goto((ROOT / "slides" / link).as_uri())
        assert page.locator(".slide.current").is_visible(), link
    context.close()
    assert blocked == []


def test_the_measurement_finds_an_overfull_slide_and_cut_code(browser, tmp_path) -> None:
    """The fit test is not vacuous: a slide of forty bullets and a slide with a
    150-character code line are both reported."""
    bullets = "<ul>" + "".join(f"<li>point {n}</li>" for n in range(40)) + "</ul>"
    code = "<pre>" + "x" * 150 + "</pre>"
    html = deck._document("bad", "nowhere", [("slide", "<h2>Long</h2>" + bullets, "n"),
                                             ("slide", "<h2>Wide</h2>" + code, "n")], "bad")
    path = tmp_path / "bad.html"
    path.write_text(html, encoding="utf-8")
    blocked: list[str] = []
    context, page = _page(browser, 1280, 720, blocked)
    found = overflowing(page, path)
    context.close()
    assert any(re.match(r"slide 1: .*below by \d+", f) for f in found), found
    assert any(f.startswith("slide 2: code cut by") for f in found), found
