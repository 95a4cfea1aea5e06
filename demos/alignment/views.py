"""What the Alignment tab and page show, built from plain values: answer cards, the cross
log-probability table, TRL's stored curves, the worked DPO pair, a tuning run's curves, pairs and
the rules' check. Both front ends call these."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from demos.alignment.answers import Comparison
from demos.alignment.live import TuneFrame
from demos.alignment.model import DPO, SFT, STAGE_TITLES
from demos.alignment.preference import WorkedPair
from demos.alignment.reward import Check, RulePair

LAYOUT = {"template": "plotly_white", "margin": {"l": 50, "r": 10, "t": 40, "b": 40}}


def answer_card(stage: str, text: str, ended: bool) -> str:
    """One stage's answer as Markdown, its title first."""
    tail = "" if ended else "\n\n*(ran out of tokens: it did not end its turn)*"
    return f"**{STAGE_TITLES.get(stage, stage)}**\n\n{text or '(nothing)'}{tail}"


def cross_table(c: Comparison) -> str:
    """Markdown: row = the stage that scores, column = the stage whose answer is scored."""
    head = "| scored by ↓ / answer of → | " + " | ".join(c.stages) + " |"
    rows = [head, "|---" * (len(c.stages) + 1) + "|"]
    for name, row in zip(c.stages, c.cross):
        rows.append(f"| **{name}** | " + " | ".join(f"{v:.2f}" for v in row) + " |")
    return "\n".join(rows) + "\n\nMean log-probability per token (the end-of-turn token included); the diagonal is each stage's own answer."


def cross_figure(c: Comparison):  # noqa: ANN201 (-> plotly Figure)
    import plotly.graph_objects as go

    fig = go.Figure(go.Heatmap(z=[list(r) for r in c.cross], x=[f"answer of {s}" for s in c.stages],
                               y=[f"scored by {s}" for s in c.stages], colorscale="Viridis", zmax=0,
                               text=[[f"{v:.2f}" for v in r] for r in c.cross], texttemplate="%{text}",
                               colorbar={"title": "log p / token"}))
    fig.update_layout(title="How likely each stage finds each answer", height=320, yaxis={"autorange": "reversed"}, **LAYOUT)
    return fig


def stored_curves(stage: str) -> list[dict]:
    """TRL's log history stored beside a bundled stage's adapter."""
    from demos.alignment.train import CURVES
    from shared.checkpoints import CHECKPOINTS_DIR

    return json.loads((CHECKPOINTS_DIR / stage / CURVES).read_text(encoding="utf-8"))


def _logged(history: Sequence[dict], key: str) -> tuple[list[int], list[float]]:
    rows = [h for h in history if key in h and "step" in h]
    return [h["step"] for h in rows], [float(h[key]) for h in rows]


def sft_curve_figure(history: Sequence[dict] | None = None):  # noqa: ANN201
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    history = stored_curves(SFT) if history is None else history
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    (x, loss), (x2, accuracy) = _logged(history, "loss"), _logged(history, "mean_token_accuracy")
    fig.add_trace(go.Scatter(x=x, y=loss, name="loss (answer tokens)", line={"color": "#1d4ed8"}))
    fig.add_trace(go.Scatter(x=x2, y=accuracy, name="next-token accuracy",
                             line={"color": "#16a34a", "dash": "dot"}), secondary_y=True)
    fig.update_layout(title="SFT (TRL's SFTTrainer): loss on the answers", height=300, xaxis={"title": "step"}, **LAYOUT)
    fig.update_yaxes(title_text="nats per token", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text="accuracy", range=[0, 1], secondary_y=True)
    return fig


def dpo_curve_figure(history: Sequence[dict] | None = None):  # noqa: ANN201
    import plotly.graph_objects as go

    history = stored_curves(DPO) if history is None else history
    fig = go.Figure()
    for key, colour in (("rewards/chosen", "#16a34a"), ("rewards/rejected", "#dc2626"), ("rewards/margins", "#1d4ed8"),
                        ("rewards/accuracies", "#9333ea")):
        fig.add_scatter(x=_logged(history, key)[0], y=_logged(history, key)[1], name=key.split("/")[1], mode="lines+markers",
                        line={"color": colour})
    fig.update_layout(title="DPO (TRL's DPOTrainer): implicit rewards β·log(π/π_ref)", height=300,
                      xaxis={"title": "step"}, **LAYOUT)
    return fig


def worked_pair_text(w: WorkedPair) -> str:
    t = w.terms
    return f"""**Question:** {w.question}

| | answer | log π (DPO) | log π_ref (SFT) | reward β·(log π − log π_ref) |
|---|---|---|---|---|
| chosen $y_w$ | {_short(w.chosen)} | {t.policy_chosen:.2f} | {t.ref_chosen:.2f} | {t.reward_chosen:+.3f} |
| rejected $y_l$ ({w.flaw.replace('_', ' ')}) | {_short(w.rejected)} | {t.policy_rejected:.2f} | {t.ref_rejected:.2f} \
| {t.reward_rejected:+.3f} |

margin = {t.reward_chosen:+.3f} − ({t.reward_rejected:+.3f}) = **{t.margin:+.3f}** (β = {t.beta:g}) ·
loss = −log σ(margin) = **{t.loss:.4f}** · the pair is {"right (margin > 0)" if t.margin > 0 else "wrong (margin ≤ 0)"}.
A log-probability is the sum over the answer's tokens, end-of-turn included."""


def _short(text: str, chars: int = 90) -> str:
    text = text.replace("|", "/").replace("\n", " ")
    return html.escape(text if len(text) <= chars else text[:chars - 1] + "…")


def tune_figure(frame: TuneFrame | None):  # noqa: ANN201
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=3, subplot_titles=("DPO loss", "mean margin · accuracy", "KL(π ‖ π_ref) per token"))
    if frame is not None and frame.loss:
        steps = list(range(1, len(frame.loss) + 1))
        fig.add_trace(go.Scatter(x=steps, y=frame.loss, name="loss", line={"color": "#1d4ed8"}), 1, 1)
        fig.add_trace(go.Scatter(x=steps, y=frame.margin, name="margin", line={"color": "#16a34a"}), 1, 2)
        fig.add_trace(go.Scatter(x=steps, y=frame.accuracy, name="accuracy", line={"color": "#9333ea", "dash": "dot"}), 1, 2)
        if frame.kl:
            fig.add_trace(go.Scatter(x=[s for s, _ in frame.kl], y=[k for _, k in frame.kl], name="KL",
                                     mode="lines+markers", line={"color": "#dc2626"}), 1, 3)
    title = ("Tuning on the votes" if frame is None else
             f"Tuning on {frame.votes} votes · step {frame.step} of {frame.steps} · {frame.seconds:.1f} s")
    fig.update_layout(title=title, height=300, showlegend=False, **LAYOUT)
    return fig


def tune_status(frame: TuneFrame) -> str:
    if frame.done:
        from demos.alignment import wording

        return wording.tuned(frame.step, frame.votes, frame.seconds)
    if not frame.loss:
        return f"Setting up: {frame.votes} votes, the reference's log-probabilities…"
    return (f"**Step {frame.step} of {frame.steps}** · DPO loss {frame.loss[-1]:.3f} · margin {frame.margin[-1]:+.2f} · "
            f"accuracy {frame.accuracy[-1]:.0%}" + (f" · KL {frame.kl[-1][1]:.3f} nats/token" if frame.kl else ""))


def pair_texts(question: str, answers: tuple[str, str]) -> tuple[str, str, str]:
    return f"**Question:** {question}", f"**A.** {answers[0]}", f"**B.** {answers[1]}"


def rule_pairs_table(pairs: Sequence[RulePair]) -> str:
    rows = ["| question | answer A | score | answer B | score | vote |", "|---|---|---|---|---|---|"]
    for p in pairs:
        vote = ("A" if p.scores[0] > p.scores[1] else "B") if p.counted else "tie: no vote"
        rows.append(f"| {_short(p.question, 50)} | {_short(p.answers[0], 70)} | {p.scores[0]}/7 | "
                    f"{_short(p.answers[1], 70)} | {p.scores[1]}/7 | {vote} |")
    return "\n".join(rows)


def check_table(first: Check, now: Check, tuned: bool) -> str:
    rows = ["| model | every rule met | right concept | ends its turn | mean score (of 7) | mean words |",
            "|---|---|---|---|---|---|"]
    named = [("SFT stage (the start)", first)] + ([("tuned on the votes", now)] if tuned else [])
    for name, c in named:
        rows.append(f"| {name} | {c.good:.0%} | {c.on_topic:.0%} | {c.ended:.0%} | {c.mean_score:.2f} | {c.mean_words:.1f} |")
    note = "" if tuned else "\n\nNothing is tuned yet: tune on votes, then check again."
    return "\n".join(rows) + note
