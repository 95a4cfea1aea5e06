"""Every slider is declared once, in its demo's `options.py`, as a `shared.limits.Slider` spec (range
shown, starting value, step), and both front ends build it from that spec: the Gradio tab with
`shared.ui.spec_slider`, the Streamlit page with `shared.st_ui.spec_slider`.

These tests check the specs themselves, the Gradio helper, and (by reading the source with `ast`)
that the converted demos' UI files type no step of their own, the run-time-range sliders aside
(frame scrubbers, whose range is set once a run has its frames).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from shared import limits

ROOT = Path(__file__).resolve().parents[2]
DEMOS_WITH_OPTIONS = sorted(p.parent.name for p in (ROOT / "demos").glob("*/options.py"))
CONVERTED = DEMOS_WITH_OPTIONS  # every demo (it began with the six that typed steps in their UI files)

# Sliders that keep a step of their own: their range is set at run time (or they scrub a run's
# frames), so no spec in options.py can give it. (file under demos/, a piece of the call's source)
RUN_TIME_RANGE = {
    ("diffusion/images_ui.py", "maximum=len(rec) - 1"),  # the scrubber, set to the finished run's steps
    ("diffusion/images_ui.py", 'label="Go back through the steps"'),
    ("diffusion/ui.py", "maximum=toy.T"),  # the flow replay, set once a press has sampled its flow
    ("diffusion/ui.py", 'label="Replay the flow (reverse step)"'),
    ("gan/ui.py", "maximum=media.last"),  # the walk scrubber, set to the walk's frames
    ("gan/ui.py", 'label="Scrub the walk"'),
    ("vae/ui.py", "maximum=view.last_frame"),  # the interpolation scrubber, set to its frames
    ("vae/ui.py", 'label="Scrub the frames"'),
    ("vae/streamlit_page.py", 'st.slider("Scrub the frames", 0, view.last_frame'),
    ("gpt/ui.py", 'label="Layer"'),  # the attention layer, then set to the chosen model's own layers
}


def slider_specs(demo: str) -> dict[str, limits.Slider]:
    module = importlib.import_module(f"demos.{demo}.options")
    return {name: value for name, value in vars(module).items() if isinstance(value, limits.Slider)}


def test_every_converted_demo_declares_its_sliders() -> None:
    for demo in CONVERTED:
        assert demo in DEMOS_WITH_OPTIONS
        assert slider_specs(demo), f"demos/{demo}/options.py declares no limits.Slider"


@pytest.mark.parametrize("demo", DEMOS_WITH_OPTIONS)
def test_slider_specs_are_sane(demo: str) -> None:
    for name, spec in slider_specs(demo).items():
        where = f"demos/{demo}/options.py: {name}"
        assert isinstance(spec.shown, (limits.IntRange, limits.FloatRange)), where
        assert spec.shown.low < spec.shown.high, where
        assert spec.shown.low <= spec.value <= spec.shown.high, where
        assert spec.step > 0, where


def test_spec_slider_builds_the_spec() -> None:
    import gradio as gr

    from shared.ui import spec_slider

    spec = limits.Slider(limits.FloatRange("temperature", 0.1, 1.5), 0.8, 0.05)
    slider = spec_slider(spec, "Temperature", elem_id="test-temperature", info="how random")
    assert isinstance(slider, gr.Slider)
    assert (slider.minimum, slider.maximum, slider.value, slider.step) == (0.1, 1.5, 0.8, 0.05)
    assert (slider.label, slider.elem_id, slider.info) == ("Temperature", "test-temperature", "how random")

    whole = limits.Slider(limits.IntRange("number of steps", 10, 1000), 300, 10)
    slider = spec_slider(whole, "Steps")
    assert (slider.minimum, slider.maximum, slider.value, slider.step) == (10, 1000, 300, 10)


def ui_files(demo: str) -> list[Path]:
    return [p for p in sorted((ROOT / "demos" / demo).glob("*.py"))
            if p.stem == "ui" or p.stem.endswith("_ui") or p.stem == "streamlit_page"]


def is_number(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)


def is_slider_call(node: ast.Call) -> bool:
    """gr.Slider(...), st.slider(...) or columns[i].slider(...), st_ui.limit_slider(...)."""
    func = node.func
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr == "Slider":
        return isinstance(func.value, ast.Name) and func.value.id == "gr"
    return func.attr in ("slider", "limit_slider")


def literal_steps(path: Path) -> list[str]:
    """The source of every slider call in a file that passes a number as its step."""
    source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and is_slider_call(node)
                and any(k.arg == "step" and is_number(k.value) for k in node.keywords)):
            found.append(ast.get_source_segment(source, node) or "")
    return found


def exception_for(path: Path, call: str) -> tuple[str, str] | None:
    where = path.relative_to(ROOT / "demos").as_posix()
    return next((e for e in RUN_TIME_RANGE if e[0] == where and e[1] in call), None)


@pytest.mark.parametrize("demo", CONVERTED)
def test_ui_files_type_no_step(demo: str) -> None:
    """A slider's step comes from its spec in options.py, not from a number typed in a UI file."""
    typed = [f"{path.relative_to(ROOT)}: {call}" for path in ui_files(demo) for call in literal_steps(path)
             if exception_for(path, call) is None]
    assert not typed, "a step typed in a UI file (declare a limits.Slider in options.py):\n" + "\n".join(typed)


def test_the_run_time_range_exceptions_still_exist() -> None:
    """Each named exception still matches a slider call (a stale one would hide nothing, and mislead)."""
    used = {exception_for(path, call) for demo in CONVERTED for path in ui_files(demo) for call in literal_steps(path)}
    assert used >= RUN_TIME_RANGE, sorted(RUN_TIME_RANGE - used)
