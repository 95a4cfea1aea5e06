"""diffusers and transformers are lazy modules that two threads must not first import from at once
(shared/heavy.py): every place a demo takes a name from them, outside the training scripts, makes
the library ready first. A race seen in the suite: the Streamlit Arena's Measure now beside the
warm-up thread, "cannot import name 'DDPMScheduler' from 'diffusers'"."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
IMPORT = re.compile(r"^(\s*)from (diffusers|transformers) import ", re.M)


def test_every_name_taken_from_a_lazy_library_is_taken_after_it_is_made_ready():
    unguarded = []
    for path in sorted((REPO / "demos").rglob("*.py")):
        if path.name.startswith("train"):  # a training script runs alone in its process
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            found = IMPORT.match(line)
            if not found:
                continue
            before = "\n".join(lines[max(0, number - 3):number])
            if f'heavy.ready("{found.group(2)}")' not in before:
                unguarded.append(f"{path.relative_to(REPO)}:{number + 1}: {line.strip()}")
    assert not unguarded, "\n".join(unguarded)
