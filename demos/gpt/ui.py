"""The GPT tab: chat that streams, then the same text's tokens, next-token distributions, attention,
greedy against sampled decoding, and a character-level GPT pre-trained live. Glue only: the actions
are in chat.py and live.py (over lm.py and decoding.py), the drawing in views.py, the adapters to
Gradio's chat and token formats in chat_ui.py."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from demos.gpt import chat_ui, options
from demos.gpt import wording as words
from shared.live import LiveRun
from shared.presenter_ui import copy_link_button, linkable
from shared.ui import demo_container, explainer, fill_on_open, header, notify, shows_errors, spec_slider

HERE = Path(__file__).parent
CONCURRENCY = {"concurrency_limit": 2, "concurrency_id": "gpt-model"}


def _lm(spec: str | None):
    """The logic's loader: the model (cached per process), its notice shown as a warning."""
    lm = _quiet_lm(spec)
    notify(lm.notice)
    return lm


def _quiet_lm(spec: str | None):
    """The loader for the follow-up steps of an event whose first step showed the notice."""
    from demos.gpt.lm import load_lm

    return load_lm(spec or "")


def _token_outputs(exchange):  # noqa: ANN001 (chat.Exchange)
    from demos.gpt import views

    lm = _quiet_lm(exchange.spec)
    spans, colours = chat_ui.token_spans(views.token_pieces(lm.tokenizer, list(exchange.prompt), list(exchange.answer)))
    return (gr.HighlightedText(spans, color_map=colours),
            views.token_summary(list(exchange.prompt), list(exchange.answer), lm.context))


@shows_errors
def chat(writer: LiveRun, message: str, history: list, model_spec: str, max_new: int, temperature: float, top_k: int,
         top_p: float, seed: int):
    """Stream an answer, one at a time per session (`writer`); then the tokens of prompt + answer
    and the distribution of the last token."""
    with writer.driving(options.ANSWER_RUNNING):
        yield from _chat(message, history, model_spec, max_new, temperature, top_k, top_p, seed)


def _chat(message: str, history: list, model_spec: str, max_new: int, temperature: float, top_k: int, top_p: float,
          seed: int):
    from demos.gpt import chat as logic

    for update in logic.answer(_lm, model_spec or "", chat_ui.plain_history(history), message, max_new, temperature,
                               top_k, top_p, seed):
        for notice in update.notices:
            notify(notice)
        shown = chat_ui.chatbot_messages(update.conversation)
        if not update.done:
            yield (shown, "", update.status, *[gr.skip()] * 6)
            continue
        exchange = update.exchange
        tokens, summary = _token_outputs(exchange)
        n_layers, n_heads = logic.layers_and_heads(_quiet_lm, exchange)
        # the last token's distribution
        figure, exchange = logic.token_distribution(_quiet_lm, exchange, temperature, top_k, top_p)
        yield (shown, "", update.status, tokens, summary, exchange, figure,
               gr.Slider(maximum=n_layers - 1, value=min(n_layers - 1, options.DEFAULT_LAYER)),
               gr.Dropdown(["mean"] + [str(h) for h in range(n_heads)]))


@shows_errors
def click_token(view, model_spec: str, temperature: float, top_k: int, top_p: float, evt: gr.SelectData):  # noqa: ANN001
    """A token was clicked: its position is the index of its span."""
    return inspect_token(view, model_spec, temperature, top_k, top_p, evt.index if isinstance(evt.index, int) else None)


@shows_errors
def inspect_token(view, model_spec: str, temperature: float, top_k: int, top_p: float,  # noqa: ANN001 (chat.Exchange)
                  position: int | None = None):
    """The distribution the model gave at `position` of the last prompt + answer (default: the last token)."""
    from demos.gpt import chat as logic

    return logic.token_distribution(_lm, view, temperature, top_k, top_p, position)


@shows_errors
def redraw_distribution(view, model_spec: str, temperature: float, top_k: int, top_p: float):  # noqa: ANN001
    """The sliders moved: redraw the selected position's distribution under the new settings."""
    if view is None or view.position is None:
        options.TEMPERATURE.check(temperature), options.TOP_K.check(top_k), options.TOP_P.check(top_p)
        return gr.skip(), gr.skip()
    return inspect_token(view, model_spec, temperature, top_k, top_p, position=view.position)


@shows_errors
def show_attention(view, model_spec: str, layer: int, head: str):  # noqa: ANN001 (chat.Exchange)
    from demos.gpt import chat as logic

    return logic.attention(_lm, view, layer, head)


@shows_errors
def compare_decoding(prompt: str, model_spec: str, max_new: int, top_k: int, top_p: float, seed: int):
    """The same prompt, greedy and at each of COMPARE_TEMPERATURES, with the same seed."""
    from demos.gpt import chat as logic

    continuations, cut = logic.compare(_lm, model_spec or "", prompt, max_new, top_k, top_p, seed)
    notify(cut)
    return [c.shown for c in continuations]


@shows_errors
def pretrain(trainer: LiveRun, text: str, seconds: int, seed: int):
    """Train a fresh character-level GPT on the text, streaming the loss curve and samples; one
    run at a time per session (`trainer`)."""
    from demos.gpt import live, views

    for record in live.pretrain(trainer, text, seconds, seed):
        yield views.loss_figure(record), views.pretrain_samples(record), views.pretrain_status(record, seconds)


def linked_chat(writer: LiveRun, message: str, history: list, *settings):
    """`chat` for a presenter link: the same answer, but the message stays in its box (the
    outputs lack it), so 'Copy link to this view' gives the same link back."""
    for shown, _cleared, *rest in chat(writer, message, history, *settings):
        yield (shown, *rest)



def build() -> gr.Blocks:
    with demo_container("GPT") as demo:
        header(words.TITLE, words.SUBTITLE)
        explainer(HERE)

        gr.Markdown(f"## {words.CHAT_HEADING}\n{words.CHAT_INTRO}")
        view = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Conversation", height=380, elem_id="gpt-chat")
                with gr.Row():
                    message = gr.Textbox(options.DEFAULT_MESSAGE, label="Message", scale=5, max_lines=6,
                                         elem_id="gpt-message", info=words.MESSAGE_INFO)
                    send = gr.Button("Send", variant="primary", scale=1, elem_id="gpt-main-action")
                    stop = gr.Button("Stop", scale=0, min_width=70, elem_id="gpt-stop")
                status = gr.Markdown(words.PRESS_SEND, elem_id="gpt-status")
            with gr.Column(scale=1, min_width=260):
                model = gr.Dropdown(options.MODEL_CHOICES, value=options.ASSISTANT, allow_custom_value=True, label="Model",
                                    info=words.MODEL_INFO, elem_id="gpt-model")
                max_new = spec_slider(options.MAX_NEW_SLIDER, "Max new tokens")
                temperature = spec_slider(options.TEMPERATURE_SLIDER, "Temperature",
                                      info=words.TEMPERATURE_INFO, elem_id="gpt-temperature")
                top_k = spec_slider(options.TOP_K_SLIDER, "Top-k", info=words.TOP_K_INFO, elem_id="gpt-top-k")
                top_p = spec_slider(options.TOP_P_SLIDER, "Top-p", info=words.TOP_P_INFO)
                seed = gr.Number(0, precision=0, label="Seed", info="same seed, same settings: same answer")
                clear = gr.Button("New conversation")
        link_controls = {"model": model, "message": message, "tokens": max_new, "temp": temperature, "top_k": top_k,
                         "top_p": top_p, "seed": seed}
        copy_link_button("gpt", options.LINK_PARAMS, link_controls)

        gr.Markdown(f"## {words.TOKENS_HEADING}\n{words.tokens_intro('Click any token')}")
        summary = gr.Markdown(words.CHAT_FIRST, elem_id="gpt-token-summary")
        tokens = gr.HighlightedText(label="Tokens (id beside each)", show_legend=False, combine_adjacent=False,
                                    elem_id="gpt-tokens")
        dist_plot = gr.Plot(label="Next-token distribution", elem_id="gpt-distribution")

        gr.Markdown(f"## {words.ATTENTION_HEADING}\n{words.ATTENTION_INTRO}")
        with gr.Row():
            layer = gr.Slider(0, options.BUNDLED_LAYERS - 1, value=options.DEFAULT_LAYER, step=1, label="Layer",
                              info=words.LAYER_INFO, elem_id="gpt-layer")
            head = gr.Dropdown(["mean", *[str(h) for h in range(options.BUNDLED_HEADS)]], value="mean", label="Head",
                               info=words.HEAD_INFO)
            attn_btn = gr.Button("Show attention", elem_id="gpt-attention-action")
        attn_note = gr.Markdown()
        attn_plot = gr.Plot(label="Attention", elem_id="gpt-attention")

        gr.Markdown(f"## {words.COMPARE_HEADING}\n{words.COMPARE_INTRO}")
        with gr.Row():
            compare_prompt = gr.Textbox(options.DEFAULT_COMPARE_PROMPT, label="Prompt", scale=4,
                                        elem_id="gpt-compare-prompt")
            compare_tokens = spec_slider(options.COMPARE_TOKENS_SLIDER, "New tokens each", scale=3)
            compare_btn = gr.Button("Compare", scale=1, elem_id="gpt-compare-action")
        with gr.Row():
            compared = [gr.Textbox(label=name, lines=6, interactive=False, elem_id=f"gpt-compare-{k}")
                        for k, name in enumerate(options.COMPARE_LABELS)]

        gr.Markdown(f"## {words.PRETRAIN_HEADING}\n{words.PRETRAIN_INTRO}")
        with gr.Row():
            with gr.Column(scale=2):
                train_text = gr.Textbox(label="Training text", lines=8, max_lines=12, elem_id="gpt-train-text",
                                        info=words.TRAIN_TEXT_INFO)
                with gr.Row():
                    train_seconds = spec_slider(options.TRAIN_SECONDS_SLIDER, "Seconds to train",
                                            elem_id="gpt-train-seconds")
                    train_seed = gr.Number(0, precision=0, label="Seed")
                with gr.Row():
                    train_btn = gr.Button("Pre-train", variant="primary", elem_id="gpt-train-action")
                    train_stop = gr.Button("Stop")
                train_status = gr.Markdown(elem_id="gpt-train-status")
            with gr.Column(scale=3):
                loss_plot = gr.Plot(label="Loss", elem_id="gpt-loss")
                train_samples = gr.Markdown(elem_id="gpt-train-samples")

        settings = [temperature, top_k, top_p]
        writer = gr.State(LiveRun())  # one answer at a time per session
        event = gr.on([send.click, message.submit], chat, [writer, message, chatbot, model, max_new, *settings, seed],
                      [chatbot, message, status, tokens, summary, view, dist_plot, layer, head], api_name="gpt_chat", preprocess=False,
                      **CONCURRENCY)
        stop.click(None, cancels=[event])
        # a presenter link sets the chat's controls and sends its message (shared/presenter_ui.py)
        linkable(demo, "GPT", options.LINK_PARAMS, link_controls,
                 run=(linked_chat, [writer, message, chatbot, model, max_new, *settings, seed],
                      [chatbot, status, tokens, summary, view, dist_plot, layer, head]), run_options=CONCURRENCY)
        clear.click(lambda: ([], None, words.PRESS_SEND, options.DEFAULT_MESSAGE), None,
                    [chatbot, view, status, message], api_visibility="private", queue=False)
        tokens.select(click_token, [view, model, *settings], [dist_plot, view], api_visibility="private")
        gr.on([s.release for s in settings], redraw_distribution, [view, model, *settings], [dist_plot, view],
              api_name="gpt_distribution", preprocess=False, trigger_mode="always_last", **CONCURRENCY)
        gr.on([attn_btn.click, layer.release, head.change], show_attention, [view, model, layer, head],
              [attn_plot, attn_note], api_name="gpt_attention", preprocess=False, trigger_mode="always_last", **CONCURRENCY)
        compare_btn.click(compare_decoding, [compare_prompt, model, compare_tokens, top_k, top_p, seed], compared,
                          api_name="gpt_compare", preprocess=False, **CONCURRENCY)
        trainer = gr.State(LiveRun())  # one pre-training run at a time per session
        train_event = train_btn.click(pretrain, [trainer, train_text, train_seconds, train_seed],
                                      [loss_plot, train_samples, train_status],
                                      api_name="gpt_pretrain", preprocess=False, concurrency_limit=2, concurrency_id="gpt-pretrain")
        train_stop.click(None, cancels=[train_event])
        fill_on_open(demo, options.default_training_text, None, train_text)
    return demo
