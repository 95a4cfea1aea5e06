"""The seam between logic and UI: every logic module of every demo (and of shared/) imports neither
gradio nor streamlit, so a Streamlit page and a Gradio tab call the same functions.

UI modules are named for it: `ui.py`, `*_ui.py` (Gradio), `streamlit_page.py` (Streamlit), and
`__main__.py` (launches a Gradio tab). Everything else is logic.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UI_LIBRARIES = ("gradio", "streamlit")


def is_ui_module(path: Path) -> bool:
    stem = path.stem
    return stem in ("ui", "__main__") or stem.endswith("_ui") or stem.endswith("streamlit_page")


def logic_modules() -> list[str]:
    """Dotted names of every logic module under demos/ and shared/."""
    names = []
    for package in ("demos", "shared"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if is_ui_module(path) or "__pycache__" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


PROBE = """
import importlib, json, sys
names = json.loads(sys.argv[1])
for name in names:
    importlib.import_module(name)
print(json.dumps(sorted(lib for lib in {libs} if lib in sys.modules)))
"""


def ui_libraries_imported_by(names: list[str]) -> list[str]:
    """Import `names` in a fresh interpreter; the UI libraries that got imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(libs=UI_LIBRARIES), json.dumps(names)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_module_lists_cover_every_demo() -> None:
    from demos import REGISTRY

    names = logic_modules()
    for spec in REGISTRY:
        assert any(n.startswith(f"demos.{spec.slug}.") for n in names), f"no logic module found for {spec.slug}"
        assert (ROOT / "demos" / spec.slug / "streamlit_page.py").exists(), f"{spec.slug} has no Streamlit page"
    assert "shared.limits" in names and "shared.ui" not in names and "shared.st_ui" not in names
    assert is_ui_module(ROOT / "demos/gan/ui.py") and is_ui_module(ROOT / "demos/diffusion/images_ui.py")
    assert not is_ui_module(ROOT / "demos/gan/explore.py")


def test_no_logic_module_imports_a_ui_library() -> None:
    names = logic_modules()
    if not ui_libraries_imported_by(names):
        return
    # name the culprits: each module alone, in its own interpreter
    culprits = {name: libs for name in names if (libs := ui_libraries_imported_by([name]))}
    raise AssertionError(f"logic modules that import a UI library: {culprits}")
