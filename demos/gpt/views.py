"""What the GPT tab draws: tokens as coloured spans, the next-token distribution before and after the
sampling settings, attention maps, and the live pre-training curve. Plain values in, plotly figures
and component values out; no UI code."""

from __future__ import annotations

import numpy as np

PALETTE = ("#fde68a", "#bfdbfe", "#bbf7d0", "#fbcfe8", "#ddd6fe", "#fed7aa")  # prompt tokens
ANSWER_PALETTE = ("#f59e0b", "#3b82f6", "#22c55e", "#ec4899", "#8b5cf6", "#f97316")  # generated ones
ZERO_WIDTH = "\u200b"


def token_piece(tokenizer, token_id: int) -> str:  # noqa: ANN001
    """A token as the user should see it: its own text, newlines and tabs made visible."""
    text = tokenizer.decode([token_id])
    return text.replace("\n", "↵\n").replace("\t", "⇥") or "∅"


def token_spans(tokenizer, prompt_ids: list[int], answer_ids: list[int]) -> tuple[list[tuple[str, str]], dict[str, str]]:  # noqa: ANN001
    """(text, label) spans for gr.HighlightedText, one per token, labelled by token id ("→" marks
    the generated ones), and the colour of each label. Span k is token k, so a click's index is a
    position: labels of neighbours are kept distinct (the component merges equal neighbours)."""
    spans: list[tuple[str, str]] = []
    colours: dict[str, str] = {}
    previous = None
    for position, token in enumerate([*prompt_ids, *answer_ids]):
        answer = position >= len(prompt_ids)
        label = f"{'→' if answer else ''}{token}"
        while label == previous:
            label += ZERO_WIDTH
        colours[label] = (ANSWER_PALETTE if answer else PALETTE)[token % len(PALETTE)]
        spans.append((token_piece(tokenizer, token), label))
        previous = label
    return spans, colours


def token_summary(prompt_ids: list[int], answer_ids: list[int], context: int) -> str:
    return (f"**{len(prompt_ids):,} prompt tokens + {len(answer_ids):,} generated = {len(prompt_ids) + len(answer_ids):,}** "
            f"(the model sees at most {context:,}). Each span is one token, its id beside it; → marks generated ones. "
            "Click a token to see what the model predicted there.")


def distribution_figure(tokenizer, dist, chosen: int | None, title: str, n: int = 15):  # noqa: ANN001, ANN201
    """Bars for the n most likely tokens: the model's own probabilities, and what is sampled from
    after temperature, top-k and top-p (zero for the tokens those cut)."""
    import plotly.graph_objects as go

    order = np.argsort(-dist.base, kind="stable")[:n].tolist()
    labels = [f"{token_piece(tokenizer, t).replace(chr(10), '')!r} ({t})" for t in order]
    base = [float(dist.base[t]) for t in order]
    final = [float(dist.final[t]) for t in order]
    cut = [not bool(dist.kept[t]) for t in order]
    fig = go.Figure()
    fig.add_bar(y=labels, x=base, name="model: softmax(z)", orientation="h", marker_color="#cbd5e1")
    fig.add_bar(y=labels, x=final, name="sampled from: after T, top-k, top-p", orientation="h",
                marker_color=["#ef4444" if t == chosen else "#6366f1" for t in order],
                text=["cut" if c else f"{p:.1%}" for c, p in zip(cut, final)], textposition="outside")
    kept = int(dist.kept.sum())
    fig.update_layout(title=f"{title}<br><sup>{kept:,} of {len(dist.base):,} tokens can be drawn; "
                            f"red = the token that was chosen</sup>",
                      barmode="group", height=120 + 28 * len(order), template="plotly_white",
                      margin={"l": 10, "r": 40, "t": 70, "b": 30}, yaxis={"autorange": "reversed"},
                      xaxis={"title": "probability", "range": [0, 1.08]}, legend={"orientation": "h", "y": -0.12})
    return fig


def attention_figure(tokenizer, ids: list[int], maps: np.ndarray, head: int | None, layer: int):  # noqa: ANN001, ANN201
    """Heatmap of one head's attention (or the mean over heads): row = the token that looks, column
    = the token it looks at; each row sums to 1 and nothing right of the diagonal (causal)."""
    import plotly.graph_objects as go

    ids = ids[-maps.shape[-1]:]
    labels = [f"{k}:{token_piece(tokenizer, t).strip() or '␣'}" for k, t in enumerate(ids)]
    weights = maps.mean(0) if head is None else maps[head]
    fig = go.Figure(go.Heatmap(z=weights, x=labels, y=labels, colorscale="Blues", zmin=0, zmax=float(weights.max()),
                               hovertemplate="%{y} looks at %{x}: %{z:.2f}<extra></extra>"))
    who = "mean over heads" if head is None else f"head {head}"
    fig.update_layout(title=f"Attention, layer {layer}, {who} ({len(ids)} tokens)", height=560, template="plotly_white",
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, yaxis={"autorange": "reversed"},
                      xaxis={"tickangle": -60})
    return fig


def loss_figure(run):  # noqa: ANN001, ANN201 (charlm.CharRun)
    import plotly.graph_objects as go

    steps, losses = np.array(run.steps), np.array(run.losses)
    fig = go.Figure()
    fig.add_scatter(x=steps, y=losses, mode="lines", name="training loss", line={"color": "#93c5fd", "width": 1})
    if len(losses) >= 10:  # a running mean: single batches are noisy
        k = max(5, len(losses) // 30)
        smooth = np.convolve(losses, np.ones(k) / k, mode="valid")
        fig.add_scatter(x=steps[k - 1:], y=smooth, mode="lines", name=f"mean of {k} steps", line={"color": "#1d4ed8"})
    fig.add_hline(y=run.uniform_loss, line_dash="dot", annotation_text=f"no knowledge: ln {len(run.vocab)}")
    fig.update_layout(title=f"Next-character loss · step {steps[-1] if len(steps) else 0} · {run.seconds:.0f} s",
                      height=300, template="plotly_white", margin={"l": 50, "r": 10, "t": 40, "b": 40},
                      xaxis={"title": "step"}, yaxis={"title": "nats per character", "rangemode": "tozero"})
    return fig
