"""The GPT page (Streamlit): the chat streamed with st.write_stream, then the last prompt + answer's
tokens and the next-token distribution at a chosen position, its attention, greedy against sampled
decoding, and a character-level GPT pre-trained live in a fragment. Glue only: the same logic as
the Gradio tab (demos.gpt.chat, live, views); models are held once per process by st_ui.resource.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import streamlit as st

from demos.gpt import options
from demos.gpt import wording as words
from shared import st_ui
from shared.limits import LimitError
from shared.live import ALREADY_RUNNING, Press

HERE = Path(__file__).parent
TICK_S = 0.6  # the live pre-training redraws this often, and trains 0.45 s of each tick: the rest draws
TICKER = st_ui.LiveTicker("gpt-train", TICK_S, train_share=0.75)


# ---- models and per-session memory ----------------------------------------------------------

def load(spec: str):
    """The logic's loader: one model per spec per process, shared by every session."""
    from demos.gpt.lm import load_lm

    spec = (spec or "").strip() or options.ASSISTANT
    return st_ui.resource(f"gpt-lm:{spec}", lambda: load_lm(spec))


def load_noting(spec: str):
    """The loader of an action a visitor started: says when the Hub model fell back to the bundled one."""
    lm = load(spec)
    st_ui.notify(lm.notice)
    return lm


def remembered(name: str, inputs: tuple, make: Callable[[], Any]) -> Any:
    return st_ui.remembered(f"gpt-memo-{name}", inputs, make)


def new_conversation() -> None:
    for key in ("gpt-history", "gpt-exchange", "gpt-status"):
        st.session_state.pop(key, None)
    st.session_state["gpt-message"] = options.DEFAULT_MESSAGE


# ---- 1 · chat --------------------------------------------------------------------------------

def settings_column() -> dict:
    labels = dict((value, label) for label, value in options.MODEL_CHOICES)
    chosen = st.selectbox("Model", [value for _, value in options.MODEL_CHOICES], format_func=lambda v: labels.get(v, v),
                          accept_new_options=True, key="gpt-model", help=words.MODEL_INFO)
    s = {"spec": chosen or options.ASSISTANT}
    s["max_new"] = slider("Max new tokens", options.MAX_NEW_SLIDER, "gpt-max-new")
    s["temperature"] = slider("Temperature", options.TEMPERATURE_SLIDER, "gpt-temperature", help=words.TEMPERATURE_INFO)
    s["top_k"] = slider("Top-k", options.TOP_K_SLIDER, "gpt-top-k", help=words.TOP_K_INFO)
    s["top_p"] = slider("Top-p", options.TOP_P_SLIDER, "gpt-top-p", help=words.TOP_P_INFO)
    s["seed"] = st_ui.seed_input("gpt-seed")
    st.button("New conversation", key="gpt-clear", on_click=new_conversation)
    return s


def slider(label: str, spec: options.Slider, key: str, **kwargs: Any) -> Any:
    return st_ui.spec_slider(label, spec, key, **kwargs)


def chat_section() -> dict:
    st.header(words.CHAT_HEADING)
    st.markdown(words.CHAT_INTRO)
    left, right = st.columns([5, 2])  # the settings column leaves room for the seed box and its dice
    with right:
        s = settings_column()
    with left:
        box = st.container(height=380, border=True)
        for role, text in st.session_state.get("gpt-history", []):
            box.chat_message(role).markdown(as_markdown(text))
        if "gpt-message" not in st.session_state:
            st.session_state["gpt-message"] = options.DEFAULT_MESSAGE
        message = st.text_area("Message", key="gpt-message", height=80, help=words.MESSAGE_INFO)
        send_col, stop_col = st.columns([1, 1], width=160)
        send = send_col.button("Send", type="primary", key="gpt-main-action")
        # any click reruns the page, which ends a streaming answer; the part written so far stays
        stop_col.button("Stop", key="gpt-stop", help="end the answer being written")
        status = st.empty()
        if send:
            with st_ui.shows_errors():
                stream_answer(box, status, message, s)
        status.markdown(st.session_state.get("gpt-status", words.PRESS_SEND))
    return s


def stream_answer(box: Any, status: Any, message: str, s: dict) -> None:
    """Write the answer into the conversation as it streams; keep the exchange for the sections below."""
    from demos.gpt import chat

    history = st.session_state.get("gpt-history", [])
    with st_ui.live_slot("gpt-writer").driving(options.ANSWER_RUNNING):
        updates = chat.answer(load_noting, s["spec"], history, message, s["max_new"], s["temperature"], s["top_k"],
                              s["top_p"], s["seed"])
        first = next(updates)  # the values are checked and the model loaded before anything is drawn
        box.chat_message("user").markdown(as_markdown(first.conversation[-2][1]))
        last: list = [first]
        with box.chat_message("assistant"):
            slot = st.empty()
            slot.write_stream(text_pieces(first, updates, status, last))
            slot.markdown(as_markdown(last[0].answer))  # the exact answer (a stream only appends)
    for notice in last[0].notices:
        st_ui.notify(notice)
    st.session_state["gpt-history"] = last[0].conversation
    st.session_state["gpt-exchange"] = last[0].exchange
    st.session_state["gpt-status"] = last[0].status
    st.session_state["gpt-answers"] = st.session_state.get("gpt-answers", 0) + 1


def as_markdown(text: str) -> str:
    """A chat text as Markdown that keeps its line breaks (a transcript model writes verse by verse)."""
    return text.replace("\n", "  \n")


def text_pieces(first: Any, updates: Iterator, status: Any, last: list) -> Iterator[str]:
    """What st.write_stream appends: each update's new text (the logic yields the answer so far)."""
    shown, update = "", first
    while True:
        status.caption(update.status)
        if update.answer.startswith(shown):  # decoding can rewrite a partial character: then wait
            yield update.answer[len(shown):]
            shown = update.answer
        last[0] = update
        if not update.done:  # kept if a click (Stop) ends the run here, as the Gradio chat keeps it
            st.session_state["gpt-history"] = update.conversation
            st.session_state["gpt-status"] = f"Stopped after: {update.status}"
        if update.done:
            return
        update = next(updates)


# ---- 2 · tokens and the distribution; 3 · attention ------------------------------------------

def tokens_section(s: dict) -> None:
    from demos.gpt import chat, views

    st.header(words.TOKENS_HEADING)
    st.markdown(words.tokens_intro("Pick a position"))
    exchange = st.session_state.get("gpt-exchange")
    if exchange is None:
        st.caption(words.CHAT_FIRST)
        return
    lm = load(exchange.spec)
    pieces = remembered("pieces", (exchange,),
                        lambda: views.token_pieces(lm.tokenizer, list(exchange.prompt), list(exchange.answer)))
    st.markdown(views.token_summary(list(exchange.prompt), list(exchange.answer), lm.context, pick="Pick a position"))
    st_ui.cannot("clicking a token to pick it (the Position slider picks it here).")
    ids = exchange.ids
    if len(ids) < 2:
        st.caption("There is no prediction to show: the text has a single token.")
        return
    position = st.select_slider("Position", options=list(range(1, len(ids))), value=len(ids) - 1,
                                format_func=lambda k: f"{k}: {pieces[k].text.strip() or pieces[k].text!r}",
                                key=f"gpt-position-{st.session_state.get('gpt-answers', 0)}")
    st.html(views.tokens_html(pieces, selected=position))
    with st_ui.shows_errors():
        inputs = (exchange, s["temperature"], s["top_k"], s["top_p"], position)
        figure, _ = remembered("distribution", inputs, lambda: chat.token_distribution(load, *inputs))
        st.plotly_chart(figure, theme=None, key="gpt-distribution")


def attention_section() -> None:
    from demos.gpt import chat

    st.header(words.ATTENTION_HEADING)
    st.markdown(words.ATTENTION_INTRO)
    exchange = st.session_state.get("gpt-exchange")
    if exchange is None:
        st.caption("Chat first: the attention map is drawn over the last prompt and answer.")
        return
    n_layers, n_heads = chat.layers_and_heads(load, exchange)
    a, b = st.columns(2)
    layer = a.slider("Layer", 0, n_layers - 1, min(n_layers - 1, options.DEFAULT_LAYER), help=words.LAYER_INFO,
                     key=f"gpt-layer-{n_layers}")
    head = b.selectbox("Head", ["mean", *[str(h) for h in range(n_heads)]], help=words.HEAD_INFO,
                       key=f"gpt-head-{n_heads}")
    with st_ui.shows_errors():
        figure, note = remembered("attention", (exchange, layer, head), lambda: chat.attention(load, exchange, layer, head))
        st.caption(note)
        st.plotly_chart(figure, theme=None, key="gpt-attention")


# ---- 4 · greedy against sampled --------------------------------------------------------------

def compare_section(s: dict) -> None:
    from demos.gpt import chat

    st.header(words.COMPARE_HEADING)
    st.markdown(words.COMPARE_INTRO)
    a, b, c = st.columns([4, 3, 1], vertical_alignment="bottom")
    prompt = a.text_input("Prompt", options.DEFAULT_COMPARE_PROMPT, key="gpt-compare-prompt")
    with b:
        max_new = slider("New tokens each", options.COMPARE_TOKENS_SLIDER, "gpt-compare-tokens")
    if c.button("Compare", key="gpt-compare-action"):
        with st_ui.shows_errors():
            with st.spinner("Continuing the prompt four ways…"):
                continuations, cut = chat.compare(load_noting, s["spec"], prompt, max_new, s["top_k"], s["top_p"],
                                                  s["seed"])
            st_ui.notify(cut)
            st.session_state["gpt-compared"] = continuations
    continuations = st.session_state.get("gpt-compared")
    if continuations:
        for column, continuation in zip(st.columns(len(continuations)), continuations):
            column.markdown(f"**{continuation.label}**")
            column.text(continuation.text)
            column.caption(f"mean probability of the chosen tokens: {continuation.mean_probability:.0%}")


# ---- 5 · pre-training, live ------------------------------------------------------------------

def pretrain_section() -> None:
    st.header(words.PRETRAIN_HEADING)
    st.markdown(words.PRETRAIN_INTRO)
    left, right = st.columns([2, 3])
    with left:
        if "gpt-train-text" not in st.session_state:
            st.session_state["gpt-train-text"] = options.default_training_text()
        text = st.text_area("Training text", key="gpt-train-text", height=220, help=words.TRAIN_TEXT_INFO)
        seconds = slider("Seconds to train", options.TRAIN_SECONDS_SLIDER, "gpt-train-seconds")
        seed = st_ui.seed_input("gpt-train-seed")
        start, pause, resume = st.columns(3)
        slot = st_ui.live_slot("gpt-trainer")
        if start.button("Pre-train", type="primary", key="gpt-train-action"):
            with st_ui.shows_errors():
                start_training(slot, text, seconds, seed)
        if pause.button("Stop", key="gpt-train-stop"):
            with st_ui.shows_errors():
                TICKER.pause(slot)
        can_resume = slot.run is not None and not slot.run.finished
        if resume.button("Resume", key="gpt-train-resume", disabled=not can_resume):
            with st_ui.shows_errors():
                TICKER.start(slot, Press(slot.run.step, cap_s=math.inf))
    with right:
        live_training(slot)


def start_training(slot, text: str, seconds: int, seed: int) -> None:  # noqa: ANN001 (shared.live.LiveRun)
    from demos.gpt import live

    if slot.busy:
        raise LimitError(ALREADY_RUNNING)
    slot.replace(live.CharTrainer(text, seconds, seed))  # checks the text, time and seed
    TICKER.halt()
    TICKER.start(slot, Press(0, cap_s=math.inf))


def live_training(slot) -> None:  # noqa: ANN001 (shared.live.LiveRun)
    """The session's run: while it is on, a fragment that trains one chunk per tick and redraws
    (only the fragment reruns); when it is off, the last picture, and no ticking."""
    from demos.gpt import views

    if slot.run is None:
        st.caption("Press **Pre-train**.")
        return

    def draw(record, speed: float | None) -> None:  # noqa: ANN001 (live.CharRecord or None)
        record = slot.run.record
        st.markdown(views.pretrain_status(record, slot.run.length_s))
        st.plotly_chart(views.loss_figure(record), theme=None, key="gpt-loss")
        st.markdown(views.pretrain_samples(record))

    TICKER.show(slot, draw)


# ---- the page --------------------------------------------------------------------------------

st_ui.header(words.TITLE, words.SUBTITLE)
st_ui.explainer(HERE)
chosen = chat_section()
tokens_section(chosen)
attention_section()
compare_section(chosen)
pretrain_section()
