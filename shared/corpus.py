"""The shipped English text corpus: the King James Version of the Bible (1611), public domain.

It comes from Debian's `bible-kjv-text` package (the data file of the Bible Retrieval System,
read with the `bible` program of `bible-kjv`), reformatted as plain text: one line per verse, the
verse numbers dropped, a heading line ("Genesis 1") and a blank line before every chapter.
4.2 MB of text, 0.9 MB as `data/corpus/kjv.txt.xz`; data/corpus/SOURCE.md records the source and
licence. Rebuild it (on Debian, as root) with

    python -m shared.corpus

The GPT demo pre-trains its bundled model on it; chapters are split between training and
validation (every 20th chapter is held out), so validation text is unseen but of the same kind.
"""

from __future__ import annotations

import lzma
import re
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from shared.checkpoints import REPO_ROOT

CORPUS_FILE = REPO_ROOT / "data" / "corpus" / "kjv.txt.xz"
HELD_OUT_EVERY = 20  # every 20th chapter is validation text
_HEADING = re.compile(r"^(?:[1-3] )?[A-Z][A-Za-z ]* \d+$")


@lru_cache(maxsize=1)
def load_corpus() -> str:
    """The whole corpus as one string (4.2 million characters)."""
    return lzma.decompress(CORPUS_FILE.read_bytes()).decode("utf-8")


def chapters(text: str) -> list[str]:
    """The chapters, each starting with its heading line."""
    return [c.strip("\n") + "\n" for c in re.split(r"\n\n(?=(?:[1-3] )?[A-Z][A-Za-z ]* \d+\n)", text) if c.strip()]


def split_corpus(text: str | None = None) -> tuple[str, str]:
    """(training text, validation text): every HELD_OUT_EVERY-th chapter is held out."""
    parts = chapters(load_corpus() if text is None else text)
    train = [c for i, c in enumerate(parts) if i % HELD_OUT_EVERY != HELD_OUT_EVERY - 1]
    val = [c for i, c in enumerate(parts) if i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1]
    return "\n".join(train), "\n".join(val)


def reformat(bible_output: str) -> str:
    """The `bible` program's listing ("  3 And God said, ..." wrapped at 80 columns) as the corpus text."""
    out: list[str] = []
    verse: str | None = None
    for line in bible_output.splitlines():
        numbered = re.match(r"^\s+(\d+) (.*)$", line)
        if numbered:
            if verse:
                out.append(verse)
            verse = numbered.group(2).strip()
        elif not line.strip():
            if verse:
                out.append(verse)
            verse = None
            out.append("")
        elif verse is not None and not _HEADING.match(line.strip()):
            verse += " " + line.strip()  # a wrapped verse goes on
        else:
            if verse:
                out.append(verse)
            verse = None
            out.append(line.strip())
    if verse:
        out.append(verse)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


def build() -> None:
    """Download the two Debian packages, read the whole text with their program, write CORPUS_FILE."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["apt-get", "download", "bible-kjv", "bible-kjv-text"], cwd=tmp, check=True)
        for deb in Path(tmp).glob("*.deb"):
            subprocess.run(["dpkg", "-x", str(deb), "root"], cwd=tmp, check=True)
        root = Path(tmp) / "root"
        listing = subprocess.run([str(root / "usr/bin/bible"), "-p", str(root / "usr/lib"), "gen1:1-rev22:21"],
                                 check=True, capture_output=True, text=True).stdout
    text = reformat(listing)
    CORPUS_FILE.parent.mkdir(parents=True, exist_ok=True)
    CORPUS_FILE.write_bytes(lzma.compress(text.encode("utf-8"), preset=9))
    print(f"wrote {CORPUS_FILE}: {len(text):,} characters, {len(chapters(text))} chapters")


if __name__ == "__main__":
    build()
