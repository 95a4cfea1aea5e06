"""GAN page (Streamlit): the sample grid, latent walks with a scrub slider and the discriminator's
p(real), latent arithmetic, and a GAN trained live on 2-D points. Glue only: the same logic as the
Gradio tab (views.py, live.py), the same limits and defaults (options.py).

Nothing here recomputes unchanged work when Streamlit reruns the script on a widget change: the
grid and the walk are memoised in the logic, the last walk is kept in this session's state keyed by
its inputs (scrubbing only indexes its frames), and the live run lives in the session's LiveRun.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from demos.gan import views
from demos.gan import wording as words
from demos.gan.options import (
    AMOUNT_SLIDER,
    ATTRIBUTES,
    BATCH_SLIDER,
    D_STEPS_SLIDER,
    FIRST_PRESET,
    FPS_SLIDER,
    HIDDEN_SLIDER,
    INTERPOLATIONS,
    LAYERS_SLIDER,
    LOSSES,
    LR,
    PRESETS,
    PSI_SLIDER,
    R1_SLIDER,
    WALK,
    WALK_FRAMES_SLIDER,
    WAYPOINTS,
    Z_DIM_SLIDER,
)
from shared import limits, st_ui
from shared.datasets import TOY_2D_NAMES
from shared.live import STEP_WHILE_RUNNING

HERE = Path(__file__).parent
TICK_S = 0.5  # the live view's refresh while training: one short chunk of training per tick
LIVE = "gan-live"  # this session's run
TICKER = st_ui.LiveTicker("gan", TICK_S)


def _init(key: str, value: object) -> None:
    """A widget's first value, for the widgets this page also sets (presets, picked seeds)."""
    if key not in st.session_state:
        st.session_state[key] = value


def _gan_model() -> None:
    """The bundled GAN, loaded once per server (the logic's loader caches it per process too)."""
    from demos.gan import explore

    st_ui.notify(st_ui.resource("gan-shapes", explore.load_gan).notice)


# ---- 1 · the grid and the walk ---------------------------------------------------------------


def _add_picked_seed() -> None:
    """A grid seed picked below the grid goes to the end of the waypoints (Gradio: a tile click)."""
    seed = st.session_state.get("gan-grid-pick")
    if seed is not None:
        st.session_state["gan-waypoints"] = views.add_waypoint(st.session_state.get("gan-waypoints"), seed)
        st.session_state["gan-grid-pick"] = None


def grid_section() -> float:
    """The grid of samples; returns psi (the walk and the arithmetic use it too)."""
    left, right = st.columns([1, 3])
    with left:
        seed = st_ui.seed_input("gan-grid-seed", WALK.grid_seed, "Grid seed (tile i uses seed + i)")
        psi = st_ui.spec_slider("Truncation psi", PSI_SLIDER, key="gan-psi", help=words.PSI_INFO)
    with right, st_ui.shows_errors():
        grid = views.grid_picture(seed, psi)  # memoised: a rerun redraws nothing
        st_ui.notify(grid.notice)
        st.image(grid.png, caption="Samples: pick a seed below to add it as a waypoint")
        st.pills("Add a sample's seed to the waypoints", grid.seeds, key="gan-grid-pick", on_change=_add_picked_seed)
    st_ui.cannot("clicking a grid tile to add it as a waypoint (pick its seed under the grid instead)")
    return psi


@st.fragment
def scrub_view(media: views.WalkMedia) -> None:
    """The scrub slider and its frame: a fragment, so moving the slider reruns only this part, and
    it only indexes the computed frames (no model call)."""
    frame = st.slider("Scrub the walk", 0, media.last, key="gan-scrub")
    with st_ui.shows_errors():
        picture, caption = views.walk_frame(media.images, media.p_real, frame)
        st.image(picture, caption="Frame", width=256)
        st.markdown(caption)


def walk_section(psi: float) -> None:
    left, right = st.columns([1, 3])
    with left:
        _init("gan-waypoints", WALK.waypoints)
        seeds_text = st.text_input(f"Waypoint seeds ({WAYPOINTS.low} to {WAYPOINTS.high})", key="gan-waypoints",
                                   help="Pick grid seeds above to add them, or type seeds separated by commas.")
        frames = st_ui.spec_slider("Frames", WALK_FRAMES_SLIDER, key="gan-frames")
        mode = st.radio("Interpolation", INTERPOLATIONS, index=INTERPOLATIONS.index(WALK.mode), key="gan-mode",
                        help=words.INTERPOLATION_INFO, horizontal=True)
        fps = st_ui.spec_slider("Animation frames per second", FPS_SLIDER, key="gan-fps")
        inputs = (seeds_text, frames, mode, psi, fps)
        if st.button("Walk", key="gan-main-action", type="primary"):
            with st_ui.shows_errors(), st.spinner("Rendering the walk…"):
                media = views.walk_media(*inputs)  # validates; memoised
                st.session_state["gan-walk"] = (inputs, media)
                st.session_state["gan-scrub"] = 0  # a new walk starts at its first frame
    stored = st.session_state.get("gan-walk")
    with right:
        if stored is None:
            st.markdown("Press **Walk**, then drag the slider.")
            return
        walked, media = stored
        st_ui.notify(media.notice)
        if walked != inputs:
            st.caption("The settings have changed since this walk: press **Walk** to walk them.")
        frame_col, side_col = st.columns([1, 2])
        with frame_col:
            scrub_view(media)
        with side_col:
            st.image(media.gif, caption="Animation")
            st.download_button("Download the animation (GIF)", media.gif, "latent-walk.gif", "image/gif",
                               key="gan-gif-download")
        st.plotly_chart(media.figure, key="gan-p-real")
    st.image(media.filmstrip_png, caption=words.FILMSTRIP_CAPTION)


def _attribute_changed() -> None:
    _, (source, target) = views.attribute_pair(st.session_state["gan-attribute"])
    st.session_state["gan-source"], st.session_state["gan-target"] = source, target


def arithmetic_section(psi: float) -> None:
    st.subheader(words.ARITHMETIC_HEADING)
    st.markdown(words.ARITHMETIC_INTRO)
    _, first_pair = views.attribute_pair(WALK.attribute)
    _init("gan-attribute", WALK.attribute)
    _init("gan-source", first_pair[0])
    _init("gan-target", first_pair[1])
    left, right = st.columns([1, 3])
    with left:
        seed = st_ui.seed_input("gan-arith-seed", WALK.arithmetic_seed, "Sample seed")
        attribute = st.selectbox("Attribute", list(ATTRIBUTES), key="gan-attribute", on_change=_attribute_changed)
        values = list(ATTRIBUTES[attribute])
        from_col, to_col = st.columns(2)
        source = from_col.selectbox("From", values, key="gan-source")
        target = to_col.selectbox("To", values, key="gan-target")
        amount = st_ui.spec_slider("Amount along the direction", AMOUNT_SLIDER, key="gan-amount")
        pressed = st.button("Move the sample", key="gan-arith-go")
    inputs = (seed, attribute, source, target, amount, psi)
    stored = st.session_state.get("gan-arith")
    with right:
        # once moved, a changed input moves again (the tab does so when the amount slider is released)
        if pressed or (stored is not None and stored[0] != inputs):
            with st_ui.shows_errors(), st.spinner("Finding the direction and moving the sample…"):
                st.session_state["gan-arith"] = stored = (inputs, views.arithmetic_view(*inputs))
        if stored is not None and stored[0] == inputs:
            result = stored[1]
            st_ui.notify(result.notice)
            st.image(result.strip, caption=words.ARITHMETIC_STRIP_CAPTION)
            image_col, text_col = st.columns([1, 3])
            image_col.image(result.moved, caption="Moved sample", width=200)
            text_col.markdown(result.text)


# ---- the conditional GAN ---------------------------------------------------------------------


def conditional_section() -> None:
    """Tell the GAN what to draw: the same views as the tab (views.py), memoised there."""
    from demos.gan import views
    from demos.gan.options import CLASS_WALK_FRAMES_SLIDER, COLOUR_CHOICES, CONDITIONAL, SHAPE_CHOICES
    from shared.datasets import LABEL_NAMES

    c = CONDITIONAL
    st.subheader(words.CONDITIONAL_HEADING)
    st.markdown(words.CONDITIONAL_INTRO)
    left, right = st.columns([1, 3])
    with left:
        shape_col, colour_col = st.columns(2)
        shape = shape_col.selectbox("Shape", SHAPE_CHOICES, index=SHAPE_CHOICES.index(c.shape), key="gan-cond-shape")
        colour = colour_col.selectbox("Colour", COLOUR_CHOICES, index=COLOUR_CHOICES.index(c.colour), key="gan-cond-colour")
        seed = st_ui.seed_input("gan-cond-seed", c.seed, "Seed (tile i uses seed + i)")
        psi = st_ui.spec_slider("Truncation psi", PSI_SLIDER, key="gan-cond-psi", help=words.PSI_INFO)
    with right, st_ui.shows_errors(), st.spinner("Drawing…"):
        view = views.grid_view(shape, colour, seed, psi)  # memoised: a rerun redraws nothing
        st_ui.notify(view.notice)
        st.image(view.grid_png, caption=words.CONDITIONAL_GRID_CAPTION)
        st.markdown(view.text)
        st.image(view.truncation_png, caption=words.TRUNCATION_CAPTION)

    st.markdown(f"#### {words.CLASS_WALK_HEADING}")
    shapes, colours = LABEL_NAMES["shape"], LABEL_NAMES["colour"]
    left, right = st.columns([1, 3])
    with left:
        a, b = st.columns(2)
        from_shape = a.selectbox("From shape", shapes, index=shapes.index(c.walk_from[0]), key="gan-walk-from-shape")
        from_colour = b.selectbox("From colour", colours, index=colours.index(c.walk_from[1]), key="gan-walk-from-colour")
        a, b = st.columns(2)
        to_shape = a.selectbox("To shape", shapes, index=shapes.index(c.walk_to[0]), key="gan-walk-to-shape")
        to_colour = b.selectbox("To colour", colours, index=colours.index(c.walk_to[1]), key="gan-walk-to-colour")
        frames = st_ui.spec_slider("Frames", CLASS_WALK_FRAMES_SLIDER, key="gan-class-walk-frames")
    with right, st_ui.shows_errors(), st.spinner("Walking…"):
        walk = views.walk_view(from_shape, from_colour, to_shape, to_colour, seed, frames, psi)
        st.image(walk.by_class_png, caption="One latent, the class moving")
        st.image(walk.by_noise_png, caption="One class, the latent moving")
        st.markdown(walk.text)

    st.markdown(f"#### {words.SHARES_HEADING}")
    st.markdown(words.SHARES_INTRO)
    if st.button(words.SHARES_BUTTON, key="gan-shares-go") or st.session_state.get("gan-shares-shown"):
        st.session_state["gan-shares-shown"] = True
        with st_ui.shows_errors(), st.spinner("Sampling and classifying…"):
            shares = views.shares_view()  # memoised: measured once per server
            st.plotly_chart(shares.figure, key="gan-colour-shares")
            st.markdown(shares.text)


# ---- 2 · live training -----------------------------------------------------------------------


def _apply_preset_if_changed(slot, name: str) -> None:  # noqa: ANN001 (shared.live.LiveRun)
    """A (new) preset: a new run, and its settings written into the settings widgets (which come
    later in the script, so they may still be set in this run)."""
    from demos.gan import live

    if st.session_state.get("gan-preset-applied") == name:
        return
    settings, _, _ = live.apply_preset(slot, name)
    for field, value in zip(live.SETTING_FIELDS, live.setting_values(settings)):
        st.session_state[f"gan-{field}"] = value
    st.session_state["gan-preset-applied"] = name
    TICKER.halt()


def _setting_slider(field: str, spec: limits.Slider) -> object:
    """The spec's range and step; its value is the preset's, set in the session state (so none is passed)."""
    return st.slider(words.SETTING_LABELS[field], spec.shown.low, spec.shown.high, step=spec.step, key=f"gan-{field}")


def settings_widgets() -> list:
    """The run's settings in live.SETTING_FIELDS order (their values set by the preset)."""
    label = words.SETTING_LABELS
    return [
        st.selectbox(label["dataset"], list(TOY_2D_NAMES), format_func=TOY_2D_NAMES.get, key="gan-dataset"),
        st.radio(label["loss"], LOSSES, key="gan-loss", horizontal=True),
        _setting_slider("z_dim", Z_DIM_SLIDER), _setting_slider("g_hidden", HIDDEN_SLIDER),
        _setting_slider("g_layers", LAYERS_SLIDER), _setting_slider("d_hidden", HIDDEN_SLIDER),
        _setting_slider("d_layers", LAYERS_SLIDER),
        st.number_input(label["lr_g"], LR.low, LR.high, step=1e-4, format="%.5f", key="gan-lr_g"),
        st.number_input(label["lr_d"], LR.low, LR.high, step=1e-4, format="%.5f", key="gan-lr_d"),
        _setting_slider("d_steps", D_STEPS_SLIDER), _setting_slider("r1_gamma", R1_SLIDER), _setting_slider("batch", BATCH_SLIDER),
        st.number_input(label["seed"], limits.SEED.low, limits.SEED.high, step=1, key="gan-seed"),
    ]


def handle_buttons(slot, settings, start: bool, pause: bool, step: bool, reset: bool) -> None:  # noqa: ANN001
    """What a press does to the session's run (shared/live.py's protocol, ticked by TICKER)."""
    from demos.gan import live

    if slot.run is None or slot.run.settings != settings or reset:  # a changed setting starts a new run
        live.reset(slot, settings)
        TICKER.halt()
    if start:
        TICKER.start(slot, live.new_press(slot))
    if pause:
        TICKER.pause(slot)
    if step:
        if TICKER.running:  # as in the tab: Step moves a paused run on
            raise limits.LimitError(STEP_WHILE_RUNNING)
        live.step(slot, settings)


def live_view(slot) -> None:  # noqa: ANN001
    """The live picture; while running, a fragment that trains a chunk and redraws every TICK_S."""

    def draw(snap, speed: float | None) -> None:  # noqa: ANN001 (live.ToySnapshot or None)
        picture, status = views.live_view(slot.run, speed, snap)
        st.image(picture, caption="Live training")
        st.markdown(status)

    TICKER.show(slot, draw)


def training_section() -> None:
    from demos.gan import live

    st.header(words.TRAINING_HEADING)
    st.markdown(words.TRAINING_INTRO)
    slot = st_ui.live_slot(LIVE)
    left, right = st.columns([1, 3])
    with left:
        preset = st.selectbox("Preset", list(PRESETS), index=list(PRESETS).index(FIRST_PRESET), key="gan-preset")
        with st_ui.shows_errors():
            _apply_preset_if_changed(slot, preset)
        st.markdown(PRESETS[preset][1])
        top, bottom = st.columns(2), st.columns(2)
        start = top[0].button("▶ Start", key="gan-train-start", type="primary", width="stretch")
        pause = top[1].button("⏸ Pause", key="gan-train-pause", width="stretch")
        step = bottom[0].button("Step", key="gan-train-step", width="stretch")
        reset = bottom[1].button("↺ Reset", key="gan-train-reset", width="stretch")
        with st.expander(words.SETTINGS_HEADING):
            values = settings_widgets()
        with st_ui.shows_errors():
            handle_buttons(slot, live.settings_from_values(values), start, pause, step, reset)
        TICKER.notice()
    with right:
        if slot.run is not None:
            live_view(slot)


# ---- the page --------------------------------------------------------------------------------

st_ui.header(words.TITLE, words.SUBTITLE)
st_ui.explainer(HERE)
st.header(words.WALK_HEADING)
with st_ui.shows_errors():
    _gan_model()
psi = grid_section()
walk_section(psi)
arithmetic_section(psi)
conditional_section()
training_section()
