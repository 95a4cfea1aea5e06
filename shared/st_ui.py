"""Streamlit pieces every page shares: header, explainer, seed box, error display, the per-session
live run and the page's one place for model handles. Imports streamlit, never gradio; a page calls
the same logic functions its Gradio tab calls (the seam: demos/*/ modules other than ui.py,
*_ui.py and streamlit_page.py import neither UI library).

Streamlit reruns a page's script from the top on every widget change, so:
- models come from `resource(...)` (st.cache_resource: one per process, shared by every user and
  thread; the logic's loaders are thread-safe and hold no per-user state);
- a user's runs and results live in `st.session_state` (`session_slot`, `live_slot`);
- work that depends only on unchanged inputs is memoised in the logic, so a rerun redoes nothing.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from shared import limits, live
from shared.checkpoints import CheckpointError
from shared.live import LiveRun, Press

log = logging.getLogger("genai-demos")
T = TypeVar("T")


def header(title: str, subtitle: str) -> None:
    """The title line of a page (the Gradio tab's header)."""
    st.title(title)
    st.caption(subtitle)


def explainer(demo_dir: str | Path, expanded: bool = False) -> None:
    """A collapsible panel rendering the demo's EXPLAINER.md (the same text as the Gradio tab's)."""
    path = Path(demo_dir) / "EXPLAINER.md"
    text = path.read_text(encoding="utf-8") if path.exists() else f"*(no {path.name} yet)*"
    with st.expander("How it works · what to try", expanded=expanded):
        st.markdown(text)


def seed_input(key: str, value: int = 0, label: str = "Seed") -> int:
    """A seed box with a dice button that draws a fresh seed. Returns the seed as typed (the logic
    checks its range, with a message that names the seed)."""
    if key not in st.session_state:
        st.session_state[key] = value
    # a row whose box stretches and whose dice keeps its own width, however narrow the column
    with st.container(horizontal=True, vertical_alignment="bottom", wrap=False):
        seed = st.number_input(label, step=1, key=key, width="stretch")
        # the dice is the one place randomness is wanted without a seed: it makes the seed
        st.button("🎲", key=f"{key}-dice", help="a fresh random seed", width="content",
                  on_click=lambda: st.session_state.__setitem__(key, secrets.randbelow(2**31)))
    return int(seed)


def user_message(exc: Exception) -> str:
    """The message a visitor sees for an error (the Gradio tabs' `shows_errors` wording)."""
    if isinstance(exc, (limits.LimitError, CheckpointError)):
        return str(exc)
    log.exception("unexpected error in a Streamlit page", exc_info=exc)
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return (f"Something went wrong ({type(exc).__name__}{': ' + first if first else ''}). "
            "The app is still running; try other values.")


@contextlib.contextmanager
def shows_errors() -> Iterator[None]:
    """`with shows_errors(): ...`: a bad value or a failed load is shown as st.error with a clear
    message, never as a stack trace, and the rest of the page still renders. Streamlit's own
    control-flow exceptions (a rerun, a stop) pass through."""
    try:
        yield
    except limits.LimitError as exc:
        st.error(str(exc))
    except CheckpointError as exc:
        st.error(str(exc))
    except Exception as exc:
        if type(exc).__module__.startswith("streamlit"):
            raise
        st.error(user_message(exc))


def notify(notice: str | None) -> None:
    """A non-fatal notice (e.g. 'the Hub cannot be reached, using the bundled model')."""
    if notice:
        st.warning(notice)


def resource(name: str, load: Callable[[], T]) -> T:
    """A model or other heavy, read-only object, loaded once per process (st.cache_resource) and
    shared by every session. `name` identifies it (the cache key: include the model id, e.g.
    "gpt-lm:<id>"); `load` must be thread-safe (the logic's loaders are)."""
    return _cached_resource(name, load)


@st.cache_resource(show_spinner="Loading the model (once per server)…", hash_funcs={type(lambda: 0): lambda f: f.__qualname__})
def _cached_resource(name: str, load: Callable[[], Any]) -> Any:
    return load()


def session_slot(key: str, make: Callable[[], T]) -> T:
    """This visitor's own object under `key`, made on first use (st.session_state is per session)."""
    if key not in st.session_state:
        st.session_state[key] = make()
    return st.session_state[key]


def live_slot(key: str) -> LiveRun:
    """This visitor's live run (GAN / diffusion / GPT training): one LiveRun per session, whose
    lock refuses a second driver exactly as in the Gradio tabs."""
    return session_slot(key, LiveRun)


def warm_up_once(warm_up: Callable[[], object]) -> None:
    """Start `warm_up` once per server process, in a low-priority background thread (the Gradio
    suite does the same after serving its page: demos/warm_up.py)."""
    _warm_up_started(warm_up)


@st.cache_resource(show_spinner=False)
def _warm_up_started(_warm_up: Callable[[], object]) -> bool:  # a leading "_": not hashed by the cache
    import os
    import threading

    def run() -> None:
        with contextlib.suppress(OSError, AttributeError):  # not Linux: the normal priority
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        _warm_up()

    threading.Thread(target=run, name="warm-up", daemon=True).start()
    return True


class LiveTicker:
    """A live run on a page (shared/live.py's protocol), ticked by a fragment: Start turns the
    ticking on; each tick trains one short chunk of the session's run and redraws only the
    fragment; the press's time cap, the run's end or Pause turn it off (the cap with a notice).

        ticker = LiveTicker("gan", tick_s=0.5)
        if start: ticker.start(slot, Press(slot.run.step, cap_s))
        if pause: ticker.pause(slot)
        ticker.show(slot, draw)              # draw(frame or None, steps per second or None)
    """

    def __init__(self, key: str, tick_s: float, train_share: float = 0.7) -> None:
        self.key, self.tick_s, self.train_share = key, tick_s, train_share

    @property
    def running(self) -> bool:
        return bool(st.session_state.get(f"{self.key}-running"))

    def halt(self) -> None:
        """Stop ticking (the run stays as it is)."""
        st.session_state[f"{self.key}-running"] = False

    def start(self, slot: LiveRun, press: Press) -> None:
        """Start ticking with this press, unless the run is full (refused) or already ticking."""
        if slot.run is not None and slot.run.finished:
            raise limits.LimitError(live.FINISHED)
        if not self.running:
            st.session_state[f"{self.key}-press"] = press
            st.session_state[f"{self.key}-running"] = True

    def pause(self, slot: LiveRun) -> None:
        """What Pause does: the run stops where it is, and the ticking with it."""
        self.halt()
        live.pause(slot)

    def notice(self) -> None:
        """The notice of a press that ended by its cap, once."""
        text = st.session_state.pop(f"{self.key}-notice", None)
        if text:
            st.info(text)

    def show(self, slot: LiveRun, draw: Callable[[Any, float | None], None]) -> None:
        """The live view: while ticking, a fragment that trains one chunk per tick, then draws."""
        ticking = self.running

        @st.fragment(run_every=self.tick_s if ticking else None)
        def view() -> None:
            frame = speed = None
            press: Press | None = st.session_state.get(f"{self.key}-press")
            if self.running and slot.run is not None and press is not None:
                seconds = self.train_share * self.tick_s
                with shows_errors():
                    for frame in live.start(slot, press, seconds=seconds, chunk_s=seconds):  # noqa: B007 (the last frame)
                        pass
                    speed = press.speed(slot.run.step)
            draw(frame, speed)
            if ticking and (press is None or press.capped or slot.run is None or slot.run.finished):
                self.halt()
                if press is not None and press.capped:
                    st.session_state[f"{self.key}-notice"] = live.capped_text(press.cap_s)
                st.rerun(scope="app")  # the whole page: the view stops ticking, the buttons update

        view()


def limit_slider(label: str, rng: limits.IntRange | limits.FloatRange, value: float, key: str,
                 step: float | None = None, **kwargs: Any) -> Any:
    """A slider whose range comes from the logic's limits (defined once, for both front ends)."""
    is_int = isinstance(rng, limits.IntRange)
    lo, hi = (int(rng.low), int(rng.high)) if is_int else (float(rng.low), float(rng.high))
    value = int(value) if is_int else float(value)
    if step is not None:
        step = int(step) if is_int else float(step)
    return st.slider(label, lo, hi, value, step=step, key=key, **kwargs)


def told_controls(prefix: str, told: bool, shape: str, colour: str, label: str, info: str) -> tuple[bool, str, str]:
    """Telling an image model what to draw (shared/told.py): a box, and the shape and colour asked
    for (greyed out when not told); keys `<prefix>-told`, `-shape`, `-colour`."""
    from shared.told import COLOUR_CHOICES, SHAPE_CHOICES

    told = st.checkbox(label, told, key=f"{prefix}-told", help=info)
    shape_col, colour_col = st.columns(2)
    shape = shape_col.selectbox("Shape", SHAPE_CHOICES, index=SHAPE_CHOICES.index(shape), key=f"{prefix}-shape",
                                disabled=not told)
    colour = colour_col.selectbox("Colour", COLOUR_CHOICES, index=COLOUR_CHOICES.index(colour), key=f"{prefix}-colour",
                                  disabled=not told)
    return told, shape, colour


def spec_slider(label: str, spec: limits.Slider, key: str, **kwargs: Any) -> Any:
    """A slider from a `limits.Slider` spec (range, starting value, step) in the demo's options."""
    return limit_slider(label, spec.shown, spec.value, key, step=spec.step, **kwargs)


def remembered(key: str, inputs: tuple, make: Callable[[], T]) -> T:
    """make() once per distinct inputs in this session: a rerun for another widget redoes nothing."""
    held = st.session_state.get(key)
    if held is None or held[0] != inputs:
        held = st.session_state[key] = (inputs, make())
    return held[1]


def cannot(what: str) -> None:
    """One line saying what this page cannot do that its Gradio tab does."""
    st.caption(f"Not on this page: {what}")


def streamed_png(slot, image: Any, caption: str = "") -> None:  # noqa: ANN001 (a Streamlit placeholder)
    """A picture drawn into a placeholder that a loop redraws, embedded in the page as a data: URI
    at the placeholder's width (pixelated, never blurred). st.image serves its pictures from the
    session's media store, which drops the pictures a run replaced when the run ends; a browser
    still behind on the stream then asks for one and gets a 404 (streamlit/streamlit#1294, #4825).
    An embedded picture has nothing to fetch."""
    import base64
    import html

    from shared.image_files import png_bytes

    uri = "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode()
    text = f'<figcaption style="text-align:center;opacity:.7;font-size:.85em">{html.escape(caption)}</figcaption>' if caption else ""
    slot.html(f'<figure style="margin:0"><img src="{uri}" alt="{html.escape(caption)}" '
              f'style="width:100%;image-rendering:pixelated">{text}</figure>')


ST_IMAGE_WIDTH = 1460  # st.image serves a wider picture resized down, bilinear (its MAXIMUM_CONTENT_WIDTH)


def full_size_image(image: Any, caption: str = "", where: Any = None) -> None:
    """A generator's picture (uint8 (H, W, 3)) as it is, in `where` (a container; the page by default):
    st.image, or, when wider than st.image keeps, embedded (streamed_png). A resize would erase the
    watermark of samples shown marked (shared/watermark.py: a VAE sheet marked is 1,608 pixels wide)."""
    from shared.image_files import png_bytes

    where = st if where is None else where
    if image.shape[1] > ST_IMAGE_WIDTH:
        streamed_png(where.empty(), image, caption)
    else:
        where.image(png_bytes(image), caption=caption or None, output_format="PNG")


PICTURE_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]  # what st.file_uploader accepts for a picture


@contextlib.contextmanager
def uploaded_path(upload: Any, max_bytes: int) -> Iterator[str | None]:
    """An st.file_uploader file as a path the logic can open (a temporary copy, removed afterwards),
    or None when nothing is uploaded; a file over max_bytes gets a clear message first."""
    import tempfile

    if upload is None:
        yield None
        return
    if upload.size > max_bytes:
        raise limits.LimitError(f"The file is larger than {max_bytes // 2**20} MB.")
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as tmp:
        tmp.write(upload.getvalue())
        tmp.flush()
        yield tmp.name
