"""What the GPT tab draws: tokens as coloured spans, the next-token distribution before and after the
sampling settings, attention maps, and the live pre-training curve and texts. Plain values in,
plotly figures, texts and token pieces out; no UI code (each UI adapts the pieces to its own
widgets)."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

PALETTE = ("#fde68a", "#bfdbfe", "#bbf7d0", "#fbcfe8", "#ddd6fe", "#fed7aa")  # prompt tokens
ANSWER_PALETTE = ("#f59e0b", "#3b82f6", "#22c55e", "#ec4899", "#8b5cf6", "#f97316")  # generated ones


@dataclass(frozen=True)
class TokenPiece:
    """One token of the last prompt + answer, as the tokens section shows it."""

    position: int  # index in prompt + answer: the position whose prediction a click shows
    token: int  # its id
    text: str  # token_piece(): its text, newlines and tabs made visible
    generated: bool  # written by the model (else part of the prompt)
    colour: str


def token_piece(tokenizer, token_id: int) -> str:  # noqa: ANN001
    """A token as the user should see it: its own text, newlines and tabs made visible."""
    text = tokenizer.decode([token_id])
    return text.replace("\n", "↵\n").replace("\t", "⇥") or "∅"


def token_pieces(tokenizer, prompt_ids: list[int], answer_ids: list[int]) -> list[TokenPiece]:  # noqa: ANN001
    """Every token of prompt + answer with its text and colour: pale for the prompt's, strong for the
    generated ones, the colour cycling with the id so that neighbours stand apart."""
    pieces = []
    for position, token in enumerate([*prompt_ids, *answer_ids]):
        generated = position >= len(prompt_ids)
        colour = (ANSWER_PALETTE if generated else PALETTE)[token % len(PALETTE)]
        pieces.append(TokenPiece(position, token, token_piece(tokenizer, token), generated, colour))
    return pieces


def tokens_html(pieces: list[TokenPiece], selected: int | None = None) -> str:
    """The tokens as coloured inline spans, the id beside each (→ marks generated ones) and the
    selected position outlined: for a front end without a highlighted-text component."""
    spans = []
    for p in pieces:
        outline = "outline:2px solid #ef4444;" if p.position == selected else ""
        text = html.escape(p.text)  # pre-wrap keeps its newlines
        spans.append(f'<span title="position {p.position}" style="background:{p.colour};{outline}border-radius:4px;'
                     f'padding:1px 3px;margin:1px;line-height:2;white-space:pre-wrap;color:#111">{text}'
                     f'<sub style="opacity:.6;margin-left:2px">{"→" if p.generated else ""}{p.token}</sub></span>')
    return f'<div class="gpt-tokens">{"".join(spans)}</div>'


def token_summary(prompt_ids: list[int], answer_ids: list[int], context: int, pick: str = "Click a token") -> str:
    return (f"**{len(prompt_ids):,} prompt tokens + {len(answer_ids):,} generated = {len(prompt_ids) + len(answer_ids):,}** "
            f"(the model sees at most {context:,}). Each span is one token, its id beside it; → marks generated ones. "
            f"{pick} to see what the model predicted there.")


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


def loss_figure(run):  # noqa: ANN001, ANN201 (live.CharRecord)
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


def pretrain_status(run, seconds: float) -> str:  # noqa: ANN001 (live.CharRecord)
    """The live pre-training's status line."""
    return (f"{'Done' if run.done else 'Training'}: step {run.steps[-1] if run.steps else 0}, {run.seconds:.0f} of "
            f"{seconds:.0f} s, loss {run.losses[-1] if run.losses else float('nan'):.2f} nats per character "
            f"(a model that knows nothing: {run.uniform_loss:.2f}); {len(run.vocab)} distinct characters.")


def pretrain_samples(run, last: int = 3) -> str:  # noqa: ANN001 (live.CharRecord)
    """The latest samples, newest first, as Markdown."""
    return "\n\n".join(f"**step {step}**\n```\n{sample}\n```" for step, sample in run.samples[-last:][::-1])
