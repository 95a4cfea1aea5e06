"""Each sentence a user reads is written once: no string of 40 or more characters appears in two UI
files (`ui.py`, `*_ui.py`, `streamlit_page.py`) anywhere under demos/. A sentence both front ends show
lives in the demo's `wording.py` (or another logic module) and both import it, so they cannot drift.

Strings are read with `ast` (docstrings and the literal parts of f-strings included), their whitespace
collapsed, and split into sentences at sentence ends, line breaks and Markdown markers, so a shared
sentence inside two different paragraphs is found too; a whole string of 40 or more characters is
compared as well, so one made of short sentences is found.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHORTEST = 40


def ui_files() -> list[Path]:
    return [p for p in sorted((ROOT / "demos").rglob("*.py"))
            if p.stem == "ui" or p.stem.endswith("_ui") or p.stem.endswith("streamlit_page")]


def string_pieces(source: str) -> list[str]:
    """Every string constant of a module, f-string literal parts included."""
    return [node.value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def sentences(text: str) -> list[str]:
    """The pieces of `text` a reader sees as sentences, at least SHORTEST characters long, and the
    whole string too when it is that long (short sentences that make a long string together)."""
    whole = re.sub(r"\s+", " ", text).strip(" *_`#|-")
    out = [whole] if len(whole) >= SHORTEST else []
    for part in re.split(r"\n|\*\*|(?<=[.!?:;])\s+", text):
        part = re.sub(r"\s+", " ", part).strip(" *_`#|-")
        if len(part) >= SHORTEST and part not in out:
            out.append(part)
    return out


def repeated_sentences(files: list[Path], root: Path = ROOT) -> dict[str, list[str]]:
    """Each sentence found in more than one of `files`, with those files (relative to `root`)."""
    where: dict[str, set[str]] = defaultdict(set)
    for path in files:
        for piece in string_pieces(path.read_text()):
            for sentence in sentences(piece):
                where[sentence].add(str(path.relative_to(root)))
    return {s: sorted(f) for s, f in where.items() if len(f) > 1}


def test_the_splitter_finds_a_sentence_shared_inside_two_paragraphs(tmp_path: Path) -> None:
    shared = "The decoder turns its mean back into an image, pixel by pixel."
    a, b = tmp_path / "ui.py", tmp_path / "streamlit_page.py"
    a.write_text(f'TEXT = "**Reconstruct.** {shared} Then more."\n')
    b.write_text(f'def f(x):\n    return f"{{x}}\\n{shared}"\n')
    assert repeated_sentences([a, b], tmp_path) == {shared: ["streamlit_page.py", "ui.py"]}
    assert sentences("Short. " + "x" * 20) == []
    assert sentences("Short. **Bold.** " + "y" * 40) == ["Short. **Bold.** " + "y" * 40, "y" * 40]
    short_ones = "Pick one. Press Start. Watch it learn. Then stop."  # 40+ characters, no sentence of 40
    a.write_text(f'TEXT = "{short_ones}"\n')
    b.write_text(f'OTHER = """{short_ones}"""\n')
    assert repeated_sentences([a, b], tmp_path) == {short_ones: ["streamlit_page.py", "ui.py"]}


def test_no_sentence_is_written_in_two_ui_files() -> None:
    files = ui_files()
    assert len(files) >= 18, [str(f) for f in files]  # every demo's tab and page, the overview's too
    repeated = repeated_sentences(files)
    listing = "\n".join(f"{files} {sentence!r}" for sentence, files in sorted(repeated.items()))
    assert not repeated, f"{len(repeated)} sentences written in two UI files; move each to the demo's wording.py:\n{listing}"
