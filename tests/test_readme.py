"""The README's examples run as printed: each Python snippet prints its "prints" block.

A reader's first contact with sqskit is the README. Every fenced ``python`` block in it
is run here in a fresh namespace; where the block is followed by a line ``prints`` and a
fenced block, what the snippet printed must be exactly that text (trailing spaces
aside), so an example can never drift from what sqskit does.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"

#: a fenced block: its info string and its text
_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
_PRINTS = re.compile(r"\A\s*prints\s*\Z")


@dataclass(frozen=True)
class Snippet:
    """A ``python`` block of the README, where it starts, and what it should print."""

    heading: str
    line: int
    code: str
    expected: str | None  # None: the README shows no output for it

    def __repr__(self) -> str:
        return f"<Snippet {self.heading!r} at README.md:{self.line}>"


def snippets(text: str) -> list[Snippet]:
    """Every ``python`` block, paired with the block after it when a ``prints`` line joins them."""
    fences = list(_FENCE.finditer(text))
    found = []
    for index, fence in enumerate(fences):
        if fence.group("info").strip() != "python":
            continue
        expected = None
        if index + 1 < len(fences):
            after = fences[index + 1]
            if _PRINTS.match(text[fence.end():after.start()]):
                expected = after.group("body")
        headings = re.findall(r"^#+ (.+)$", text[: fence.start()], re.M)
        found.append(Snippet(headings[-1] if headings else "README",
                             text.count("\n", 0, fence.start()) + 2, fence.group("body"),
                             expected))
    return found


def _normalised(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


SNIPPETS = snippets(README.read_text(encoding="utf-8"))


def test_the_readme_has_examples_with_their_output():
    """The parser finds the README's examples; a README without any would pass vacuously."""
    assert len(SNIPPETS) >= 1
    assert any(s.expected is not None for s in SNIPPETS)


def test_the_snippet_parser_pairs_code_with_the_block_after_prints():
    """Only a ``prints`` line joins a snippet to its output; other blocks are left alone."""
    text = ("# A\n\n```python\nprint(1)\n```\n\nprints\n\n```\n1\n```\n\n"
            "# B\n\n```python\nx = 2\n```\n\n```bash\nmake test\n```\n")
    first, second = snippets(text)
    assert (first.heading, first.code, first.expected) == ("A", "print(1)\n", "1\n")
    assert (second.heading, second.code, second.expected) == ("B", "x = 2\n", None)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda s: s.heading)
def test_a_readme_snippet_prints_what_the_readme_says(snippet: Snippet):
    """The snippet runs without error, and its output is the README's ``prints`` block."""
    output = io.StringIO()
    code = compile(snippet.code, f"README.md:{snippet.line}", "exec")
    with contextlib.redirect_stdout(output):
        exec(code, {"__name__": "__readme__"})
    if snippet.expected is not None:
        assert _normalised(output.getvalue()) == _normalised(snippet.expected)
