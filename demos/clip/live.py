"""CLIP's objective, live: a fresh small CLIP trained in the user's session for a few hundred steps,
while the tab shows a fixed batch's image-caption similarity matrix turning diagonal, the loss
falling from log(batch) and the learned temperature.

    run = LiveCLIP(steps=300, seed=0)       # cheap: the shown batch only; the model comes later
    for frame in run.run(seconds=120):      # a frame at the start, then one about every LIVE_CHUNK_S
        heatmap_figure(frame), curves_figure(frame)
    run.pause()                             # from another event: the loop returns after this step
    run.run()                               # goes on where it stopped

Each session's run lives in its LiveRun slot and follows shared/live.py's protocol (the loop, pause,
stop, Start's time cap and the refusals written once), never in a module global. The
weights are initialised under `seeded_global_rng` and every batch is drawn from the run's own
torch.Generator, so a seed gives the same run whoever else is using the server, and torch's global
generator is left as it was. Logic only: numpy, torch and plotly figures out, no UI code.
"""

from __future__ import annotations

import copy
import functools
import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from demos.clip import options
from shared import limits, live
from shared.live import LiveLoop, LiveRun, Press

# the model: small enough for ~30 steps a second on 2 CPU cores (measured: 300 steps in about 10 s)
WIDTH, LAYERS, PROJECTION = 64, 2, 32
LR = 1e-3
WEIGHT_DECAY = 0.1  # not on the temperature
WARMUP_STEPS = 20  # then cosine decay to FINAL_LR_SHARE of LR at the run's last step
FINAL_LR_SHARE = 0.1
DATA_SIZE = 20_000  # shapes images drawn from the seed; those of held-out pairs are left out
SHOWN_POOL = 300  # the shown batch is picked from this many fresh images of the seed
INITIAL_TEMPERATURE = 0.07  # CLIP's logit_scale starts at log(1 / 0.07)
RUN_SECONDS = limits.FloatRange("length of a run in seconds", 0.0, options.LIVE_RUN_S)
PAUSED_AFTER = live.capped_text(options.LIVE_RUN_S)


@dataclass(frozen=True)
class LiveFrame:
    step: int
    steps: int
    similarity: np.ndarray  # float32 (SHOWN_BATCH, SHOWN_BATCH): cos(shown image i, shown caption j)
    probabilities: np.ndarray  # float32, same shape: softmax over the captions of each image's row, at the temperature
    losses: np.ndarray  # float32 (step,): the training batch's loss at each step
    temperatures: np.ndarray  # float32 (step,): 1 / exp(logit_scale) after each step
    diagonal_accuracy: float  # share of shown images whose most similar shown caption is their own
    seconds: float  # training time so far, all runs together
    done: bool  # every step of the run is trained

    @property
    def temperature(self) -> float:
        """The temperature of `probabilities`: the latest one, or CLIP's initial 0.07 at step 0."""
        return float(self.temperatures[-1]) if len(self.temperatures) else INITIAL_TEMPERATURE


@functools.cache
def _caption_tokens():  # noqa: ANN202 (two tensors)
    """input_ids and attention_mask of every caption, cut to the longest caption (shared, read-only)."""
    from demos.clip.train import caption_tokens

    ids, mask = caption_tokens()
    length = int(mask.sum(1).max())
    return ids[:, :length].contiguous(), mask[:, :length].contiguous()


@functools.lru_cache(maxsize=4)
def _training_data(seed: int):  # noqa: ANN202 (uint8 images, caption indices)
    """DATA_SIZE shapes of the seed less the held-out pairs: images uint8 (a quarter of float32's
    memory; made tensors a batch at a time) and caption indices. Read-only, so sessions training
    with the same seed share one copy."""
    import torch

    from shared.datasets import caption_index, make_shapes, unseen_mask

    data = make_shapes(DATA_SIZE, seed)
    keep = ~unseen_mask(data.labels)
    images = data.images[keep]
    images.flags.writeable = False
    return images, torch.from_numpy(caption_index({k: v[keep] for k, v in data.labels.items()}))


def shown_batch(seed: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """SHOWN_BATCH fresh images of the seed with distinct (shape, colour) pairs, none of them held
    out, each shape and colour at most twice where possible; sorted by shape, then colour, so
    confusions between two colours of one shape sit next to each other. Returns the images
    (uint8), their captions and the captions' indices into ALL_CAPTIONS."""
    from shared.datasets import caption_index, make_shapes, unseen_mask

    pool = make_shapes(SHOWN_POOL, seed)
    seen = np.flatnonzero(~unseen_mask(pool.labels))
    order = seen[np.random.default_rng(seed).permutation(len(seen))]
    shape, colour = pool.labels["shape"], pool.labels["colour"]
    cap = -(-options.SHOWN_BATCH // 6)  # 6 shapes, 6 colours
    picked: list[int] = []
    for capped in (True, False):  # a second pass without the cap, should the first fall short
        for i in order:
            if len(picked) == options.SHOWN_BATCH:
                break
            pairs = {(shape[j], colour[j]) for j in picked}
            if (shape[i], colour[i]) in pairs:
                continue
            if capped and (sum(shape[j] == shape[i] for j in picked) >= cap
                           or sum(colour[j] == colour[i] for j in picked) >= cap):
                continue
            picked.append(int(i))
    picked.sort(key=lambda j: (shape[j], colour[j]))
    pick = np.array(picked)
    return (pool.images[pick], [pool.caption(j) for j in picked],
            caption_index({k: v[pick] for k, v in pool.labels.items()}))


class LiveCLIP(LiveLoop):
    """One live training run of a fresh small CLIP, seeded, trained on demand, resumable."""

    CHUNK_S = options.LIVE_CHUNK_S
    MAX_CALL_STEPS = 1  # a step takes ~30 ms: a pause is seen after the step it interrupts
    SHOW_START = True  # the first frame (random weights) shows while the training data are drawn

    def __init__(self, steps: int = options.DEFAULT_LIVE_STEPS, seed: int = 0) -> None:
        super().__init__()
        self.steps = options.LIVE_STEPS.check(steps)
        self.seed = limits.SEED.check(seed)
        self.shown_images, self.shown_captions, self._shown_index = shown_batch(self.seed)
        self.step = 0
        self.losses: list[float] = []
        self.temperatures: list[float] = []
        self._lock = threading.Lock()  # one training step or one frame at a time
        self._model = None  # built by the first frame() or run()
        self._data = None  # (images uint8, caption indices), built by the first run()

    def __deepcopy__(self, memo: dict) -> LiveCLIP:
        # a lock cannot be copied: the copy gets its own
        clone = LiveCLIP.__new__(LiveCLIP)
        for key, value in self.__dict__.items():
            if key == "_lock":
                value = threading.Lock()
            elif key != "_data":  # the read-only training data is shared, not copied
                value = copy.deepcopy(value, memo)
            setattr(clone, key, value)
        clone.running = False
        return clone

    @property
    def done(self) -> bool:
        return self.step >= self.steps

    @property
    def finished(self) -> bool:
        return self.done

    # ---- building ------------------------------------------------------------------------

    def _build_model(self) -> None:
        with self._lock:  # two events asking for the first frame at once build one model
            if self._model is None:
                self._new_model()

    def _new_model(self) -> None:
        import torch

        from demos.clip.model import new_clip
        from shared.seeding import seeded_global_rng

        with seeded_global_rng(self.seed):  # the initial weights depend on the seed alone
            model = new_clip(width=WIDTH, layers=LAYERS, projection=PROJECTION)
        scale = [model.logit_scale]
        rest = [p for p in model.parameters() if p is not model.logit_scale]
        self._opt = torch.optim.AdamW([{"params": rest, "weight_decay": WEIGHT_DECAY},
                                       {"params": scale, "weight_decay": 0.0}], lr=LR)
        self._gen = torch.Generator().manual_seed(self.seed)  # the batches
        self._model = model

    def _build_data(self) -> None:
        if self._data is None:
            self._data = _training_data(self.seed)

    def _lr(self, step: int) -> float:
        warm = min(1.0, (step + 1) / WARMUP_STEPS)
        progress = min(1.0, step / max(self.steps - 1, 1))
        return LR * warm * (FINAL_LR_SHARE + (1 - FINAL_LR_SHARE) * 0.5 * (1 + math.cos(math.pi * progress)))

    # ---- training ------------------------------------------------------------------------

    def _train_step(self) -> None:
        import torch

        from demos.clip.train import MAX_LOGIT_SCALE, contrastive_loss
        from shared.shapes_classifier import to_tensor

        model, (images, captions) = self._model, self._data
        ids, mask = _caption_tokens()
        pick = torch.randint(len(images), (options.LIVE_BATCH,), generator=self._gen)
        c = captions[pick]
        for group in self._opt.param_groups:
            group["lr"] = self._lr(self.step)
        model.train()
        image = model.get_image_features(pixel_values=to_tensor(images[pick.numpy()])).pooler_output
        text = model.get_text_features(input_ids=ids[c], attention_mask=mask[c]).pooler_output
        loss = contrastive_loss(image, text, c[:, None] == c[None, :], model.logit_scale)
        self._opt.zero_grad(set_to_none=True)
        loss.backward()
        self._opt.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, MAX_LOGIT_SCALE)
        self.step += 1
        self.losses.append(float(loss.detach()))
        self.temperatures.append(float(1.0 / model.logit_scale.detach().exp()))

    def train(self, steps: int) -> None:
        """`steps` training steps (fewer at the run's end); the model and data are made on first use."""
        self._build_model()
        self._build_data()
        for _ in range(min(steps, self.steps - self.step)):
            with self._lock:
                self._train_step()

    def run(self, seconds: float = options.LIVE_RUN_S, chunk_s: float | None = None,
            steps: int | None = None) -> Iterator[LiveFrame]:
        """Train for up to `seconds`, yielding the current frame first and then one after each chunk
        of about LIVE_CHUNK_S (each at least one step). Returns when every step is trained, the
        time is up, or pause() or stop() was called; calling it again goes on from where it stopped."""
        seconds = RUN_SECONDS.check(seconds)
        yield from super().run(seconds, chunk_s, steps)

    # ---- what the tab shows ----------------------------------------------------------------

    def frame(self) -> LiveFrame:
        """The shown batch's similarities and the curves now, without training."""
        import torch
        import torch.nn.functional as F

        from shared.shapes_classifier import to_tensor

        self._build_model()
        ids, mask = _caption_tokens()
        shown = torch.from_numpy(self._shown_index)
        with self._lock, torch.inference_mode():
            model = self._model.eval()
            image = F.normalize(model.get_image_features(pixel_values=to_tensor(self.shown_images)).pooler_output, dim=-1)
            text = F.normalize(model.get_text_features(input_ids=ids[shown], attention_mask=mask[shown]).pooler_output,
                               dim=-1)
            similarity = image @ text.T
            probabilities = (model.logit_scale.exp() * similarity).softmax(-1)
            step, losses, temperatures = self.step, list(self.losses), list(self.temperatures)
        similarity = similarity.numpy().astype(np.float32)
        hits = similarity.argmax(1) == np.arange(len(similarity))
        return LiveFrame(step=step, steps=self.steps, similarity=similarity,
                         probabilities=probabilities.numpy().astype(np.float32),
                         losses=np.array(losses, np.float32), temperatures=np.array(temperatures, np.float32),
                         diagonal_accuracy=float(hits.mean()), seconds=self.seconds, done=step >= self.steps)


def new_press(slot: LiveRun) -> Press:
    """A press of Start from where the session's run is: it trains LIVE_RUN_S at most."""
    return Press(slot.run.step if slot.run is not None else 0, options.LIVE_RUN_S)


def start(slot: LiveRun, steps: int, seed: int, press: Press, seconds: float | None = None) -> Iterator[LiveFrame]:
    """What Start does (shared/live.py): train the session's run, made with the settings shown
    when Start is first pressed, for what is left of the press; a frame per chunk."""
    yield from live.start(slot, press, lambda: LiveCLIP(steps, seed), seconds)


def status_text(frame: LiveFrame) -> str:
    """One line under the heatmap: where the run is and how well the shown batch matches."""
    status = (f"step {frame.step:,} of {frame.steps:,} · loss {frame.losses[-1]:.3f} · temperature "
              f"{frame.temperatures[-1]:.3f} · {frame.diagonal_accuracy:.0%} of the shown images pick their own caption"
              if len(frame.losses) else f"step 0 of {frame.steps:,}: random weights, the matrix has no diagonal yet")
    if frame.done:
        status += " · done: press Reset to train a new one"
    return status


# ---- figures -------------------------------------------------------------------------------

def heatmap_figure(frame: LiveFrame, captions: list[str] | None = None):  # noqa: ANN201 (plotly Figure)
    """The shown batch's similarity matrix: a row per caption (y), a column per image (x), so the
    heatmap's z is frame.similarity transposed; cell values written in, the colours over 0..1
    (a negative cosine is drawn as 0). Hovering a cell gives the cosine and the image's
    probability of that caption. `captions`: the shown captions (LiveCLIP.shown_captions)."""
    import plotly.graph_objects as go

    n = len(frame.similarity)
    captions = list(captions) if captions is not None else [f"caption {j + 1}" for j in range(n)]
    y = [f"{j + 1}. {c}" for j, c in enumerate(captions)]
    x = [f"image {i + 1}" for i in range(n)]
    fig = go.Figure(go.Heatmap(
        z=frame.similarity.T, x=x, y=y, zmin=0.0, zmax=1.0, colorscale="Viridis",
        customdata=frame.probabilities.T, texttemplate="%{z:.2f}", textfont={"size": 11},
        colorbar={"title": {"text": "cosine"}, "thickness": 12},
        hovertemplate="%{x} vs %{y}<br>cosine %{z:.3f}<br>P(caption | image) %{customdata:.1%}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", tickfont={"size": 10})
    fig.update_xaxes(side="top")
    fig.update_layout(
        title={"text": f"step {frame.step}/{frame.steps}: {frame.diagonal_accuracy:.0%} of images closest to their "
                       f"own caption", "font": {"size": 13}, "y": 0.02, "yanchor": "bottom"},
        height=480, margin={"l": 10, "r": 10, "t": 40, "b": 40}, template="plotly_white")
    return fig


def curves_figure(frame: LiveFrame):  # noqa: ANN201 (plotly Figure)
    """The training loss (with chance, log of the batch size) and the learned temperature, by step,
    on x axes fixed to the whole run so the curves grow across them."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    steps = np.arange(1, len(frame.losses) + 1)
    chance = math.log(options.LIVE_BATCH)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("loss (symmetric InfoNCE)", "temperature τ"))
    fig.add_trace(go.Scatter(x=steps, y=frame.losses, name="loss", line={"color": "#4f46e5"}), row=1, col=1)
    fig.add_trace(go.Scatter(x=[0, frame.steps], y=[chance, chance], name=f"chance: log {options.LIVE_BATCH}",
                             mode="lines", line={"color": "#888", "dash": "dot"}), row=1, col=1)
    fig.add_trace(go.Scatter(x=steps, y=frame.temperatures, name="temperature", line={"color": "#d97706"}), row=1, col=2)
    top = max(chance, float(frame.losses.max())) if len(frame.losses) else chance
    fig.update_yaxes(range=[0, 1.05 * top], row=1, col=1)
    fig.update_xaxes(range=[0, frame.steps], title_text="step")
    fig.update_layout(height=280, margin={"l": 40, "r": 10, "t": 60, "b": 30}, template="plotly_white",
                      legend={"orientation": "h", "y": -0.3})
    return fig
