"""The seam between logic and UI: every logic module of every demo (and of shared/) imports neither
gradio nor streamlit, so a Streamlit page and a Gradio tab call the same functions.

UI modules are named for it: `ui.py`, `*_ui.py` (Gradio), `streamlit_page.py` (Streamlit), and
`__main__.py` (launches a Gradio tab). Everything else is logic.
"""

from __future__ import annotations

import ast
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


# ---- every import, read from the source: those inside functions too ----------------------------


def module_files() -> dict[str, Path]:
    """Dotted name -> file, for every module of demos/ and shared/ and the two app entry points."""
    files = {}
    for package in ("demos", "shared"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                parts = path.relative_to(ROOT).with_suffix("").parts
                files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    for entry in ("app", "streamlit_app"):
        files[entry] = ROOT / f"{entry}.py"
    return files


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[tuple[str, int]]:
    """(imported module, line) for every import statement of the file, wherever it stands; an imported
    name that is itself a module (`from demos.clip import options`) counts as that module."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {(alias.name, node.lineno) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # a relative import
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add((full if full in known else base, node.lineno))
    return found


def import_graph() -> dict[str, set[tuple[str, int]]]:
    """Module -> (module of this tree it imports, line); outside libraries left out."""
    known = module_files()
    graph = {}
    for name, path in known.items():
        targets = set()
        for target, line in imports_of(name, path, known):
            while target and target not in known:  # `shared.limits.LimitError` -> shared.limits
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add((target, line))
        graph[name] = targets
    return graph


def demo_of(name: str) -> str | None:
    """The demo folder a module belongs to (demos.<slug>.<module>), None for the app level."""
    parts = name.split(".")
    return parts[1] if parts[0] == "demos" and len(parts) > 2 else None


def test_no_logic_module_imports_a_ui_library_anywhere_in_its_source() -> None:
    """The import test above sees only what runs at import; this one reads imports inside functions too."""
    known = module_files()
    found = [f"{name}:{line} imports {lib}" for name, path in known.items()
             if not is_ui_module(path) and name not in ("app", "streamlit_app")
             for lib, line in imports_of(name, path, {}) if lib.split(".")[0] in UI_LIBRARIES]
    assert not found, found


def test_no_demo_imports_another_and_shared_imports_no_demo() -> None:
    crossing = []
    for name, targets in import_graph().items():
        for target, line in sorted(targets):
            if name.startswith("shared") and target.startswith("demos"):
                crossing.append(f"{name}:{line} (shared) imports {target}")
            elif demo_of(name) and demo_of(target) and demo_of(target) != demo_of(name):
                crossing.append(f"{name}:{line} imports another demo's {target}")
    assert not crossing, "\n".join(crossing)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_circles_are_found_and_the_import_graph_has_none() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    graph = {name: {t for t, _ in targets} for name, targets in import_graph().items()}
    assert len(graph) > 150 and "demos.clip.explore" in graph["demos.clip.ui"]
    assert not circles(graph), circles(graph)
