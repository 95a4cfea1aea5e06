"""The GPT tab: chat that streams, then the same text's tokens, next-token distributions, attention,
greedy against sampled decoding, and a character-level GPT pre-trained live. Glue only: the logic is
in lm.py, decoding.py and charlm.py, the drawing in views.py."""

from __future__ import annotations

import time
from pathlib import Path

import gradio as gr

from demos.gpt import options
from shared import limits
from shared.live import LiveRun
from shared.ui import explainer, fill_on_open, header, notify, shows_errors

HERE = Path(__file__).parent
CONCURRENCY = {"concurrency_limit": 2, "concurrency_id": "gpt-model"}
UPDATE_S = 0.05  # chat updates at most 20 times a second: the text still looks continuous
DEFAULT_MESSAGE = "And God said,"
ANSWER_RUNNING = "The model is still writing its answer: press Stop first, or wait for it to finish."
PRETRAIN_RUNNING = "This session is already pre-training: press Stop first, or wait for it to finish."


def _lm(spec: str | None):  # noqa: ANN202
    from demos.gpt.lm import load_lm

    lm = load_lm(spec or "")
    notify(lm.notice)
    return lm


def _settings(max_new, temperature, top_k, top_p):  # noqa: ANN001, ANN202
    return (options.NEW_TOKENS.check(max_new), options.TEMPERATURE.check(temperature), options.TOP_K.check(top_k),
            options.TOP_P.check(top_p))


def _view(lm, prompt_ids: list[int], answer_ids: list[int]) -> dict:  # noqa: ANN001
    """What the inspection sections work on: the last prompt and answer, as token ids."""
    return {"spec": lm.spec, "source": lm.source, "prompt": list(prompt_ids), "answer": list(answer_ids),
            "position": None}


def _token_outputs(lm, view: dict):  # noqa: ANN001, ANN202
    from demos.gpt import views

    spans, colours = views.token_spans(lm.tokenizer, view["prompt"], view["answer"])
    return gr.HighlightedText(spans, color_map=colours), views.token_summary(view["prompt"], view["answer"], lm.context)


@shows_errors
def chat(writer: LiveRun, message: str, history: list, model_spec: str, max_new: int, temperature: float, top_k: int,
         top_p: float, seed: int):
    """Stream an answer, one at a time per session (`writer`); then the tokens of prompt + answer
    and the distribution of the last token."""
    with writer.driving(ANSWER_RUNNING):
        yield from _chat(message, history, model_spec, max_new, temperature, top_k, top_p, seed)


def _chat(message: str, history: list, model_spec: str, max_new: int, temperature: float, top_k: int, top_p: float,
          seed: int):
    from demos.gpt import decoding, lm as lm_module
    from shared.background import run_ahead

    max_new, temperature, top_k, top_p = _settings(max_new, temperature, top_k, top_p)
    text = lm_module.clean_text(message)
    lm = _lm(model_spec)
    messages = lm_module.check_history(history) + [{"role": "user", "content": text}]
    max_new = min(max_new, lm.context // 2)  # leave the prompt at least half the context
    ids, cut = lm_module.encode_prompt(lm, lm_module.prompt_text(lm, messages), lm.context - max_new)
    notify(cut)
    shown = messages + [{"role": "assistant", "content": ""}]
    last, run = 0.0, None
    for run, _ in run_ahead(decoding.generate(lm, ids, max_new, temperature, top_k, top_p, seed)):
        now = time.perf_counter()
        if now - last >= UPDATE_S:
            shown[-1]["content"] = decoding.answer_text(lm, run)
            rate = len(run.steps) / max(run.steps[-1].seconds, 1e-6)
            yield (shown, "", f"Generating: {len(run.steps)} tokens · {rate:.0f} tokens/s", *[gr.skip()] * 6)
            last = time.perf_counter()
    if run is None or not run.steps:
        raise gr.Error("The model produced nothing; try again.")
    shown[-1]["content"] = decoding.answer_text(lm, run) or "(nothing: the model ended its answer at once)"
    rate = len(run.steps) / max(run.steps[-1].seconds, 1e-6)
    view = _view(lm, run.prompt_ids, run.answer_ids)
    tokens, summary = _token_outputs(lm, view)
    status = (f"{len(run.steps)} tokens in {run.steps[-1].seconds:.2f} s ({rate:.0f} tokens/s); stopped: {run.stopped}. "
              f"Model: {lm.label}.")
    n_layers, n_heads = decoding.layer_count(lm), decoding.head_count(lm)
    figure, view = inspect_token(view, model_spec, temperature, top_k, top_p)  # the last token's distribution
    yield (shown, "", status, tokens, summary, view, figure,
           gr.Slider(maximum=n_layers - 1, value=min(n_layers - 1, 3)), gr.Dropdown(["mean"] + [str(h) for h in range(n_heads)]))


@shows_errors
def click_token(view: dict | None, model_spec: str, temperature: float, top_k: int, top_p: float, evt: gr.SelectData):
    """A token was clicked: its position is the index of its span."""
    return inspect_token(view, model_spec, temperature, top_k, top_p, evt.index if isinstance(evt.index, int) else None)


@shows_errors
def inspect_token(view: dict | None, model_spec: str, temperature: float, top_k: int, top_p: float,
                  position: int | None = None):
    """The distribution the model gave at `position` of the last prompt + answer (default: the last token)."""
    from demos.gpt import decoding, views

    if not view:
        raise gr.Error("Chat first: the tokens of the last prompt and answer appear here.")
    ids = view["prompt"] + view["answer"]
    if len(ids) < 2:
        raise gr.Error("There is no prediction to show: the text has a single token.")
    position = limits.IntRange("token position", 1, len(ids) - 1).check(len(ids) - 1 if position is None else position)
    lm = _lm(view["spec"])  # the model that wrote the text, whatever the dropdown says now
    logits = decoding.position_distribution(lm, ids, position)
    dist = decoding.distribution(logits, temperature, top_k, top_p)
    before = lm.tokenizer.decode(ids[max(0, position - 8):position]).replace("\n", "↵")
    title = f"Position {position}: after “…{before}” the model chose {views.token_piece(lm.tokenizer, ids[position])!r}"
    view = {**view, "position": position}
    return views.distribution_figure(lm.tokenizer, dist, ids[position], title), view


@shows_errors
def redraw_distribution(view: dict | None, model_spec: str, temperature: float, top_k: int, top_p: float):
    """The sliders moved: redraw the selected position's distribution under the new settings."""
    if not view or view.get("position") is None:
        options.TEMPERATURE.check(temperature), options.TOP_K.check(top_k), options.TOP_P.check(top_p)
        return gr.skip(), gr.skip()
    return inspect_token(view, model_spec, temperature, top_k, top_p, position=view["position"])


@shows_errors
def show_attention(view: dict | None, model_spec: str, layer: int, head: str):
    from demos.gpt import decoding, views

    if not view:
        raise gr.Error("Chat first: the attention map is drawn over the last prompt and answer.")
    lm = _lm(view["spec"])  # the model that wrote the text, whatever the dropdown says now
    n_layers, n_heads = decoding.layer_count(lm), decoding.head_count(lm)
    layer = limits.IntRange("layer", 0, n_layers - 1).check(layer)
    head_index = None if head in (None, "", "mean") else limits.IntRange("head", 0, n_heads - 1).check(head)
    ids = view["prompt"] + view["answer"]
    maps = decoding.attention_maps(lm, ids, layer)
    note = f"{lm.spec}: {n_layers} layers × {n_heads} heads; showing the last {maps.shape[-1]} of {len(ids)} tokens."
    return views.attention_figure(lm.tokenizer, ids, maps, head_index, layer), note


@shows_errors
def compare_decoding(prompt: str, model_spec: str, max_new: int, top_k: int, top_p: float, seed: int):
    """The same prompt, greedy and at each of COMPARE_TEMPERATURES, with the same seed."""
    from demos.gpt import decoding, lm as lm_module

    text = lm_module.clean_text(prompt, "prompt")
    max_new = options.COMPARE_TOKENS.check(max_new)
    lm = _lm(model_spec)
    prompt = lm_module.prompt_text(lm, [{"role": "user", "content": text}]) if lm.chat else text
    ids, cut = lm_module.encode_prompt(lm, prompt, lm.context - max_new)
    notify(cut)
    outputs = []
    for temperature in (0.0, *options.COMPARE_TEMPERATURES):
        *_, run = decoding.generate(lm, ids, max_new, temperature, top_k, top_p, seed, internals=False)
        mean_p = sum(s.base_probability for s in run.steps) / len(run.steps)
        outputs.append(f"{decoding.answer_text(lm, run) if lm.chat else text + run.text}\n\n"
                       f"[mean probability of the chosen tokens: {mean_p:.0%}]")
    return outputs


@shows_errors
def pretrain(trainer: LiveRun, text: str, seconds: int, seed: int):
    """Train a fresh character-level GPT on the text, streaming the loss curve and samples; one
    run at a time per session (`trainer`)."""
    from demos.gpt import charlm, views

    with trainer.driving(PRETRAIN_RUNNING):
        for run in charlm.train_live(text, seconds, seed):
            samples = "\n\n".join(f"**step {step}**\n```\n{sample}\n```" for step, sample in run.samples[-3:][::-1])
            status = (f"{'Done' if run.done else 'Training'}: step {run.steps[-1]}, {run.seconds:.0f} of {seconds} s, "
                      f"loss {run.losses[-1]:.2f} nats per character (a model that knows nothing: "
                      f"{run.uniform_loss:.2f}); {len(run.vocab)} distinct characters.")
            yield views.loss_figure(run), samples, status


def corpus_excerpt(chars: int = 20_000) -> str:
    from shared.corpus import load_corpus

    return load_corpus()[:chars]


def build() -> gr.Blocks:
    with gr.Blocks(title="GPT") as demo:
        header("GPT: a transformer that predicts the next token, over and over",
               "Chat with a small GPT and watch it work: the tokens it reads, the probabilities it gives every next "
               "token, how temperature, top-k and top-p reshape them, where it attends, and pre-training itself, live.")
        explainer(HERE)

        gr.Markdown("## 1 · Chat\nThe bundled model is a 2.2 M-parameter GPT pre-trained here on the King James Bible and "
                    "never on conversations: it **continues** the transcript in its corpus's style. Pick "
                    f"`{options.DEFAULT_HUB}` for a real chat model (it follows its chat template; needs the Hub once).")
        view = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Conversation", height=380, elem_id="gpt-chat")
                with gr.Row():
                    message = gr.Textbox(DEFAULT_MESSAGE, label="Message", scale=5, max_lines=6, elem_id="gpt-message",
                                         info=f"at most {options.MESSAGE_CHARS:,} characters")
                    send = gr.Button("Send", variant="primary", scale=1, elem_id="gpt-main-action")
                    stop = gr.Button("Stop", scale=0, min_width=70, elem_id="gpt-stop")
                status = gr.Markdown("Press **Send**.", elem_id="gpt-status")
            with gr.Column(scale=1, min_width=260):
                model = gr.Dropdown(options.MODEL_CHOICES, value=options.BUNDLED, allow_custom_value=True, label="Model",
                                    info="or type any Hub id of a causal language model", elem_id="gpt-model")
                max_new = gr.Slider(options.NEW_TOKENS.low, options.NEW_TOKENS.high, value=80, step=1,
                                    label="Max new tokens")
                temperature = gr.Slider(0.0, 2.0, value=0.8, step=0.05, label="Temperature",
                                        info="0 = greedy; below 1 sharper, above 1 flatter", elem_id="gpt-temperature")
                top_k = gr.Slider(0, 200, value=40, step=1, label="Top-k", info="keep the k likeliest tokens; 0 = all",
                                  elem_id="gpt-top-k")
                top_p = gr.Slider(0.05, 1.0, value=0.95, step=0.01, label="Top-p",
                                  info="keep the fewest likeliest tokens holding this much probability")
                seed = gr.Number(0, precision=0, label="Seed", info="same seed, same settings: same answer")
                clear = gr.Button("New conversation")

        gr.Markdown("## 2 · Tokens and the next-token distribution\nThe last prompt and answer as the model saw them. "
                    "Click any token: the chart shows the probabilities the model gave at that position, before "
                    "and after the temperature, top-k and top-p above (move them and the chart follows).")
        summary = gr.Markdown("Chat first.", elem_id="gpt-token-summary")
        tokens = gr.HighlightedText(label="Tokens (id beside each)", show_legend=False, combine_adjacent=False,
                                    elem_id="gpt-tokens")
        dist_plot = gr.Plot(label="Next-token distribution", elem_id="gpt-distribution")

        gr.Markdown("## 3 · Attention\nEach row is a token looking back at the tokens before it (causal: never ahead); "
                    "every row sums to 1.")
        with gr.Row():
            layer = gr.Slider(0, 3, value=3, step=1, label="Layer", info="0 = first", elem_id="gpt-layer")
            head = gr.Dropdown(["mean", "0", "1", "2", "3"], value="mean", label="Head",
                               info="one head, or the mean over heads")
            attn_btn = gr.Button("Show attention", elem_id="gpt-attention-action")
        attn_note = gr.Markdown()
        attn_plot = gr.Plot(label="Attention", elem_id="gpt-attention")

        gr.Markdown("## 4 · Greedy against sampled\nOne prompt, continued four ways with the same seed and the model, "
                    "top-k and top-p above: always the likeliest token, then sampling at three temperatures.")
        with gr.Row():
            compare_prompt = gr.Textbox("In the beginning", label="Prompt", scale=4, elem_id="gpt-compare-prompt")
            compare_tokens = gr.Slider(options.COMPARE_TOKENS.low, options.COMPARE_TOKENS.high, value=40, step=1,
                                       label="New tokens each", scale=3)
            compare_btn = gr.Button("Compare", scale=1, elem_id="gpt-compare-action")
        with gr.Row():
            compared = [gr.Textbox(label=name, lines=6, interactive=False, elem_id=f"gpt-compare-{k}")
                        for k, name in enumerate(["greedy (T = 0)", *[f"sampled, T = {t}" for t in options.COMPARE_TEMPERATURES]])]

        gr.Markdown("## 5 · Pre-training, live\nA fresh character-level GPT (2 layers, 64 wide) learns to predict the "
                    "next character of the text below, in your session. Watch the loss fall and its samples go from "
                    "noise to words. Paste any text, or keep the corpus excerpt.")
        with gr.Row():
            with gr.Column(scale=2):
                train_text = gr.Textbox(label="Training text", lines=8, max_lines=12, elem_id="gpt-train-text",
                                        info=f"{options.TRAIN_TEXT_MIN_CHARS}–{options.TRAIN_TEXT_CHARS:,} characters")
                with gr.Row():
                    train_seconds = gr.Slider(options.TRAIN_SECONDS.low, options.TRAIN_SECONDS.high, value=60, step=5,
                                              label="Seconds to train", elem_id="gpt-train-seconds")
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
        clear.click(lambda: ([], None, "Press **Send**.", DEFAULT_MESSAGE), None, [chatbot, view, status, message],
                    api_visibility="private", queue=False)
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
        fill_on_open(demo, corpus_excerpt, None, train_text)
    return demo
