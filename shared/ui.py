"""Gradio pieces every demo shares: theme, tab header, explainer panel, seed control, error
handling and a standalone launcher. Imports gradio, never torch.
"""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import functools
import inspect
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from shared import image_files, limits, process_memory
from shared.checkpoints import CheckpointError

log = logging.getLogger("genai-demos")

# System fonts only: the default theme fonts come from Google Fonts, which a talk's bad network
# (or Spaces behind a firewall) may not reach.
THEME = gr.themes.Soft(
    primary_hue="indigo", secondary_hue="amber", neutral_hue="slate",
    font=["ui-sans-serif", "system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
)
CSS = """
.demo-header h1 { margin-bottom: 0.1em; }
.demo-header p { margin-top: 0; opacity: 0.8; }
.dice-button { max-width: 3.2em; min-width: 3.2em !important; align-self: end; }
.concept-map { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 14px; }
.concept-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 12px 14px;
                background: var(--block-background-fill); }
.concept-card h4 { margin: 0 0 6px 0; }
.concept-card p { margin: 0 0 8px 0; font-size: 0.92em; line-height: 1.4; }
.concept-card .links { font-size: 0.85em; opacity: 0.85; }
.concept-card .open { font-weight: 600; }
.concept-card .coming { font-style: italic; opacity: 0.7; }
.concept-section { margin: 18px 0 8px 0; }
.error-tab { border-left: 4px solid #d33; padding-left: 12px; }
.placeholder { opacity: 0.7; padding: 2em 1em; text-align: center; }
.judged-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(118px, 1fr)); gap: 8px; }
.judged { margin: 0; padding: 4px; border-radius: 6px; border: 2px solid #38a169; font-size: 0.72em; line-height: 1.25; }
.judged.invalid { border-color: #e53e3e; }
.judged img { width: 96px; height: 96px; image-rendering: pixelated; display: block; margin: 0 auto 3px auto; }
.judged figcaption span { opacity: 0.7; }
"""


def header(title: str, subtitle: str) -> gr.Markdown:
    """The title line of a tab."""
    return gr.Markdown(f"# {title}\n{subtitle}", elem_classes=["demo-header"])


def explainer(demo_dir: str | Path, open: bool = False) -> gr.Accordion:
    """A collapsible panel rendering the demo's EXPLAINER.md: what you see, what to try."""
    path = Path(demo_dir) / "EXPLAINER.md"
    text = path.read_text(encoding="utf-8") if path.exists() else f"*(no {path.name} yet)*"
    with gr.Accordion("How it works · what to try", open=open) as panel:
        gr.Markdown(text, latex_delimiters=[{"left": "$$", "right": "$$", "display": True},
                                            {"left": "$", "right": "$", "display": False}])
    return panel


def seed_control(value: int = 0, label: str = "Seed", elem_id: str | None = None) -> gr.Number:
    """A seed box with a dice button beside it that draws a fresh seed. Returns the box."""
    with gr.Row(equal_height=True):
        # no minimum/maximum here: shared.limits checks the range with a message that names the seed
        seed = gr.Number(value=value, label=label, precision=0, elem_id=elem_id, scale=4)
        dice = gr.Button("🎲", elem_classes=["dice-button"], scale=0, min_width=40)
    # the dice is the one place randomness is wanted without a seed: it makes the seed
    dice.click(lambda: secrets.randbelow(2**31), outputs=seed, api_visibility="private", queue=False)
    return seed


def told_controls(prefix: str, told: bool, shape: str, colour: str, label: str, info: str
                  ) -> tuple[gr.Checkbox, gr.Dropdown, gr.Dropdown]:
    """Telling an image model what to draw (shared/told.py): a box, and the shape and colour asked
    for; elem_ids `<prefix>-told`, `-shape`, `-colour`."""
    from shared.told import COLOUR_CHOICES, SHAPE_CHOICES

    told_box = gr.Checkbox(told, label=label, info=info, elem_id=f"{prefix}-told")
    with gr.Row():
        shape_box = gr.Dropdown(list(SHAPE_CHOICES), value=shape, label="Shape", min_width=100, elem_id=f"{prefix}-shape")
        colour_box = gr.Dropdown(list(COLOUR_CHOICES), value=colour, label="Colour", min_width=100,
                                 elem_id=f"{prefix}-colour")
    return told_box, shape_box, colour_box


def spec_slider(spec: limits.Slider, label: str, **kwargs: Any) -> gr.Slider:
    """A slider from a `limits.Slider` spec in the demo's options (range shown, starting value, step),
    the same spec the Streamlit page builds its slider from (shared.st_ui.spec_slider)."""
    return gr.Slider(spec.shown.low, spec.shown.high, value=spec.value, step=spec.step, label=label, **kwargs)


def _as_user_error(exc: Exception) -> gr.Error:
    if isinstance(exc, gr.Error):
        return exc
    if isinstance(exc, (limits.LimitError, CheckpointError)):
        return gr.Error(str(exc))
    log.exception("unexpected error in a demo callback")
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return gr.Error(f"Something went wrong ({type(exc).__name__}{': ' + first if first else ''}). "
                    "The app is still running; try other values.")


def shows_errors(fn: Callable) -> Callable:
    """Decorate a UI callback so a bad value or a failed load reaches the user as a clear
    message (gr.Error) and never as a stack trace. Works for plain and generator callbacks."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def gen_wrapper(*args: Any, **kwargs: Any):
            try:
                yield from fn(*args, **kwargs)
            except Exception as exc:
                raise _as_user_error(exc) from exc

        return gen_wrapper

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise _as_user_error(exc) from exc

    return wrapper


_EMBEDDED = contextvars.ContextVar("genai_demos_embedded", default=False)


@contextlib.contextmanager
def embedded_demos() -> Any:
    """While open, demo_container() gives a plain Column in the caller's block (app.py builds
    every demo inside its tab this way)."""
    token = _EMBEDDED.set(True)
    try:
        yield
    finally:
        _EMBEDDED.reset(token)


def demo_container(title: str) -> gr.Blocks | gr.Column:
    """A demo's outer block: a Blocks of its own when it runs alone (`python -m demos.<slug>`);
    inside the suite (embedded_demos), a Column in the suite's tab, since every Blocks builds its
    own FastAPI app twice over (about 0.2 s a demo at start-up) only to be copied into the suite."""
    return gr.Column() if _EMBEDDED.get() else gr.Blocks(title=title)


def fill_on_open(demo: gr.Blocks | gr.Column, fn: Callable, inputs: Any, outputs: Any) -> None:
    """Register what fills part of a demo when it is first shown: in the suite when its tab is
    first opened (or deep-linked), standalone when the page opens. Nothing runs for the tabs a
    visitor never opens, so thirty people opening the link at once do not pay for every tab."""
    demo.__dict__.setdefault("open_fills", []).append((fn, inputs, outputs))


def open_fills(demo: gr.Blocks | gr.Column) -> list[tuple[Callable, Any, Any]]:
    return demo.__dict__.get("open_fills", [])


def started(outputs: int, at: int, text: str) -> Any:
    """A stream's first message, sent before its first frame is computed: `text` into output `at`,
    every other output unchanged (gr.skip()). A visitor sees the server at work within the first
    200 ms, not only Gradio's pending overlay (issue 32); one more message costs the page little."""
    values: list[Any] = [gr.skip()] * outputs
    values[at] = text
    return tuple(values) if outputs > 1 else values[0]


def file_path(value: object) -> str | None:
    """The local path of an uploaded file, whether Gradio preprocessed it (a path) or not (the
    public listeners skip preprocessing so that bad values reach the app's own checks, and a file
    then arrives as Gradio's FileData dict)."""
    if isinstance(value, dict):
        value = value.get("path")
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise limits.LimitError(f"Expected a file; got {limits.kind_of(value)}.")
    return value


def editor_value(path: str) -> dict[str, Any]:
    """A gr.ImageEditor's value holding the picture at `path` as its background, nothing drawn on it."""
    return {"background": path, "layers": [], "composite": path}


def editor_path(value: object) -> str | None:
    """The picture in a gr.ImageEditor's raw value (its flattened composite, else its background: a
    dict of FileData dicts), or a plain file, as a local path; None if there is none."""
    if isinstance(value, dict) and ("composite" in value or "background" in value):
        return file_path(value.get("composite")) or file_path(value.get("background"))
    return file_path(value)


def shapes_editor(label: str, elem_id: str, side: int = 256, **kwargs: Any) -> gr.ImageEditor:
    """A picture to upload or draw, the brush in the shapes data's six colours (a drawing is read on
    the data's background)."""
    from shared.datasets import COLOURS

    return gr.ImageEditor(type="filepath", image_mode="RGB", sources=("upload", "clipboard"), label=label,
                          brush=gr.Brush(default_size=24, colors=[f"#{r:02x}{g:02x}{b:02x}" for r, g, b in COLOURS.values()],
                                         default_color="#dc2d2d"),
                          transforms=(), layers=False, canvas_size=(side, side), height=320, elem_id=elem_id, **kwargs)


def notify(notice: str | None) -> None:
    """Show a non-fatal notice (e.g. 'the Hub cannot be reached, using the bundled model')."""
    if notice:
        gr.Warning(notice)


def arg_parser(description: str) -> argparse.ArgumentParser:
    """--host/--port, defaulting to Gradio's own environment variables (as Spaces sets them)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                        help="address to serve on (default 127.0.0.1; 0.0.0.0 to share on a network)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    parser.add_argument("--watermark", action="store_true",
                        help="mark every image a generator shows with an invisible 48-bit watermark naming its model "
                             "and seed, read back in the Provenance tab (default: GENAI_DEMOS_WATERMARK=1 in the "
                             "environment; off)")
    return parser


def apply_switches(args: argparse.Namespace) -> None:
    """The server-wide switches of arg_parser's flags, set before the app is built."""
    if args.watermark:
        from shared import watermark

        watermark.enable(True)


QUEUE_MAX = 64  # events waiting at once; beyond it a visitor is told the app is busy and to try again
RELEASE_GRACE_S = 30.0  # a closed page's session is freed this long after, unless it is back in use
CACHE_CLEANUP = (900, 1800)  # every 15 minutes, Gradio removes the output files older than 30 minutes


def release_sessions_on_close(blocks: gr.Blocks, grace_s: float = RELEASE_GRACE_S) -> None:
    """Free a session's state (live runs, recordings, chat views) soon after its page closes.

    Gradio keeps a closed session's state for an hour, in case the page reconnects; under an
    audience that is thirty sets of models and recordings held for nothing. The session's state is
    deleted (its delete callbacks stop any live run) `grace_s` after the close, unless the session
    was used again meanwhile (a page whose connection dropped and came back).
    """

    def release(request: gr.Request) -> None:
        session, closed_at = request.session_hash, time.time()
        holder = getattr(blocks, "state_holder", None)
        if not session or holder is None:
            return

        def free() -> None:
            used = holder.time_last_used.get(session)
            if used is not None and used.timestamp() > closed_at + 0.5:
                return  # back in use
            with holder.lock:
                state = holder.session_data.pop(session, None)
                holder.time_last_used.pop(session, None)
            if state is None:
                return
            # every State's delete callback (Gradio's own deletion skips states that were only read)
            for key, value in list(state.state_data.items()):
                callback = getattr(state.blocks_config.blocks.get(key), "delete_callback", None)
                try:
                    if callback is not None:
                        callback(value)
                except Exception:
                    log.exception("a session state's delete callback failed")
            state.state_data.clear()
            process_memory.trim_soon()

        timer = threading.Timer(grace_s, free)
        timer.daemon = True
        timer.start()

    # Registered without `with blocks:`, whose exit would build the configuration of every component
    # again (0.2 s for the suite); launch() builds it once more anyway, with this event in it.
    blocks.unload(release)


# What Gradio's data models stand for, in words (the model named in a pydantic ValidationError)
_DATA_MODELS = {
    "FileData": "a file (from a script: gradio_client.handle_file(path))",
    "ListFiles": "a list of files",
    "ChatbotDataMessages": "a conversation: a list of {'role': 'user' or 'assistant', 'content': ...} messages",
    "EditorData": "an image-editor value: {'background': file, 'layers': [files], 'composite': file}",
}


def readable_input_errors() -> None:
    """Say in words when a request's file, conversation or image-editor value has the wrong shape.

    Gradio checks such values against its data models before any app code runs (whether or not a
    listener preprocesses), and a value of the wrong shape then fails with pydantic's text
    ("1 validation error for FileData ... For further information visit ..."). Every other value
    reaches the app's own checks (the public listeners skip preprocessing). Gradio turns every
    error into a message with `utils.error_payload`; this wraps it once per process.
    """
    from gradio import queueing, utils
    from pydantic import ValidationError

    original = utils.error_payload
    if getattr(original, "translates_validation_errors", False):
        return

    def error_payload(error: BaseException | None, show_error: bool) -> dict:
        if isinstance(error, ValidationError):
            wanted = _DATA_MODELS.get(error.title, "a value of another kind")
            error = gr.Error(f"This request holds a value the app cannot read where it expects {wanted}.")
        return original(error, show_error)

    error_payload.translates_validation_errors = True  # type: ignore[attr-defined]
    utils.error_payload = queueing.error_payload = error_payload


def warm_up_after_serving(port: int, warm_up: Callable[[], object], timeout_s: float = 120.0) -> threading.Thread:
    """Run `warm_up` in a daemon thread once the server answers on `port`, so the first page is served
    first and a first press finds its models loaded. `warm_up` lowers this thread's priority itself once
    what a first press waits for is ready (demos/warm_up.py)."""

    def run() -> None:
        import urllib.error
        import urllib.request

        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                    break
            except urllib.error.HTTPError:  # any answer at all: the server is up
                break
            except OSError:
                time.sleep(0.2)
        warm_up()

    thread = threading.Thread(target=run, name="warm-up", daemon=True)
    thread.start()
    return thread


def set_up_queue(blocks: gr.Blocks) -> None:
    """The suite's queue. Gradio's queue() builds the app's routes again, with the configuration of
    every component made so far: called first thing inside `with gr.Blocks()` (app.py) it costs
    nothing, called by launch() on the whole suite 0.1 s of its start-up."""
    # Two CPU cores: more parallel model calls only thrash. Model-heavy events also share a
    # concurrency_id per model (see each demo's ui.py), so thirty users never run thirty models.
    blocks.queue(default_concurrency_limit=2, max_size=QUEUE_MAX)
    blocks.suite_queue = True


def launch(blocks: gr.Blocks, host: str, port: int, warm_up: Callable[[], object] | None = None, **kwargs: Any) -> tuple:
    """Serve a Blocks app with the suite's theme; the one place launch options live. `warm_up`
    runs in the background once the page is served (demos/warm_up.py)."""
    if not getattr(blocks, "suite_queue", False):
        set_up_queue(blocks)
    blocks.delete_cache = CACHE_CLEANUP
    release_sessions_on_close(blocks)
    readable_input_errors()
    process_memory.keep_large_blocks_returnable()
    # The suite's output files (shared.image_files) are written once, atomically, under names
    # taken from their content: Gradio can serve them where they are instead of hashing and
    # copying each one into its cache on every request.
    image_files.FOLDER.mkdir(parents=True, exist_ok=True)
    gr.set_static_paths([image_files.FOLDER])
    # show_error: a value of the wrong type sent through the API fails in Gradio's own input
    # processing, before any callback; without it the caller sees only "upstream app raised an
    # exception". Callbacks already turn their own errors into plain messages (shows_errors).
    from shared.presenter_ui import PRESENT_CSS, PRESENT_JS

    if warm_up is not None:
        warm_up_after_serving(port, warm_up)
    return blocks.launch(server_name=host, server_port=port, theme=THEME, css=CSS + PRESENT_CSS, js=PRESENT_JS, show_error=True,
                         footer_links=["api", "gradio"], **kwargs)


def run_standalone(build: Callable[[], gr.Blocks], title: str, argv: Sequence[str] | None = None) -> None:
    """`python -m demos.<slug>`: serve one demo alone."""
    args = arg_parser(f"Serve the {title} demo alone.").parse_args(argv)
    apply_switches(args)
    logging.basicConfig(level=logging.INFO)
    demo = build()
    with demo:
        for fn, inputs, outputs in open_fills(demo):
            demo.load(fn, inputs, outputs, api_visibility="private")
    launch(demo, args.host, args.port)
