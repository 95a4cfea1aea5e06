"""Sampling images with a loaded diffusion model, recorded step by step for the tab to stream,
scrub and animate; samplers compared; inpainting masks from painted pixels, a region or a
rectangle. No UI code.

    model = load_model("google/ddpm-cifar10-32")   # "" = the bundled model; offline it falls back
    for rec in stream(*sample_steps(model, "DDIM", 50, seed=0, n=4)):   # about 5 times a second
        rec.panel(len(rec) - 1)                        # x_t | x0-hat | predicted noise, uint8 RGB
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from demos.diffusion import process
from demos.diffusion.model import BUNDLED_NAME
from demos.diffusion.options import COMPARE_RUNS, COMPARE_SAMPLES, HUB_DEFAULT, MAX_SIDE, RECT_PERCENT, REGIONS  # noqa: F401 (re-exported)
from shared import heavy, limits, watermark
from shared.checkpoints import CheckpointError, load

KEPT_FRAMES = 200  # steps kept for the scrub slider; longer runs keep every k-th step (and the last)
GIF_FRAMES = 60  # GIF encoding costs about 30 ms a frame on 2 cores
UPDATE_S = 0.2  # a streamed picture at most five times a second; every step is recorded
# showing the run may cost at most this share of its computation: served on 2 cores, drawing, encoding
# and sending a picture takes 15-60 ms, so slow updates are spaced out further than UPDATE_S
STREAM_BUDGET = 0.12


@dataclass(frozen=True)
class ImageModel:
    """A UNet that predicts noise, and the scheduler config it was trained with."""

    unet: Any  # diffusers UNet2DModel
    scheduler_config: Any  # its DDPMScheduler config; every sampler is built from it
    spec: str
    source: str  # "bundled", "hub" or "local"
    notice: str | None = None  # set when the requested model could not be loaded

    @property
    def side(self) -> int:
        size = self.unet.config.sample_size
        return int(size if isinstance(size, int) else size[0])

    @property
    def judged(self) -> bool:
        """Whether the shapes classifier can score its samples: only models trained on shapes."""
        return self.spec == BUNDLED_NAME or "shapes" in self.spec

    @property
    def label(self) -> str:
        where = {"bundled": "bundled", "hub": "Hugging Face Hub", "local": "local folder"}[self.source]
        p = sum(t.numel() for t in self.unet.parameters())
        return f"{self.spec} ({where}; {p / 1e6:.1f} M parameters, {self.side}x{self.side} images)"


def _check_supported(unet, spec: str) -> None:  # noqa: ANN001
    c = unet.config
    size = c.sample_size if isinstance(c.sample_size, int) else max(c.sample_size)
    if c.in_channels != 3 or c.out_channels != 3:
        raise CheckpointError(f"'{spec}' works on {c.in_channels}-channel latents, not RGB images; this tab "
                              "samples pixel-space models such as google/ddpm-cifar10-32.")
    if size > MAX_SIDE:
        raise CheckpointError(f"'{spec}' makes {size}x{size} images; this tab samples models of at most "
                              f"{MAX_SIDE}x{MAX_SIDE} pixels so that every step stays live on a CPU.")
    if getattr(c, "num_class_embeds", None) or getattr(c, "class_embed_type", None):
        raise CheckpointError(f"'{spec}' is class-conditional; this tab samples unconditional models.")


def load_model(spec: str | Path = "") -> ImageModel:
    """The bundled model (spec ""), a Hub id or a local folder (a Path), with its scheduler config.

    A Hub model that cannot be loaded (offline, unknown id) gives the bundled one with a notice."""
    heavy.ready("diffusers")
    from diffusers import DDPMScheduler, UNet2DModel

    if isinstance(spec, str):
        spec = spec.strip() or BUNDLED_NAME
    unet = load(UNet2DModel, spec, fallback=BUNDLED_NAME)
    if unet.source != "bundled":
        _check_supported(unet.model, unet.spec)
    scheduler = load(DDPMScheduler, Path(unet.spec) if unet.source == "local" else unet.spec)
    # channels-last weights make every convolution's output channels-last too: 10-20% faster
    # steps on 2 CPU cores (oneDNN's preferred layout), same samples to 1e-4
    model = unet.model.to(memory_format=torch.channels_last)
    return ImageModel(model, scheduler.model.config, unet.spec, unet.source, unet.notice)


# ---- a run, recorded ------------------------------------------------------------------------


def _images(x, scale: float = 1.0) -> np.ndarray:  # noqa: ANN001 (torch tensor (n, 3, h, w))
    from shared.metrics import tensor_to_images

    return tensor_to_images((x / scale).clamp(-1, 1))


@dataclass
class Recording:
    """The kept steps of one sampling or inpainting run, as uint8 (n, h, w, 3) images."""

    title: str  # "DDIM · 50 steps · seed 0"
    total: int  # steps in the run
    indices: list[int] = field(default_factory=list)  # which steps were kept, 0-based
    timesteps: list[int] = field(default_factory=list)
    x_t: list[np.ndarray] = field(default_factory=list)
    x0_hat: list[np.ndarray] = field(default_factory=list)
    eps: list[np.ndarray] = field(default_factory=list)
    known: np.ndarray | None = None  # inpainting: the input with the region to fill greyed out, (h, w, 3)
    final: np.ndarray | None = None  # the samples, once the run has ended
    seconds: float = 0.0
    model: str = ""  # the checkpoint or Hub id, and the noise seed: what the samples' watermark names
    seed: int = 0

    def __len__(self) -> int:
        return len(self.indices)

    @property
    def done(self) -> bool:
        return self.final is not None

    def record(self, step: process.Step) -> None:
        stride = -(-self.total // KEPT_FRAMES)  # ceil
        last = step.index == self.total - 1
        if step.index % stride == 0 or last:
            self.x_t.append(_images(step.x_t))
            self.x0_hat.append(_images(step.x0_hat))
            self.eps.append(_images(step.eps, scale=2.5))  # noise is N(0, 1): +-2.5 sd spans the grey range
            self.timesteps.append(step.timestep)
            # last: len(self) counts indices, so a reader in another thread sees only complete frames
            self.indices.append(step.index)
        if last:
            self.final = _images(step.x_next)

    def progress_text(self, running: str) -> str:
        """The status line while the run goes: 'Sampling: step 12 of 50 · 20 ms a step'."""
        per_step = 1000 * self.seconds / (self.indices[-1] + 1)
        return f"{running}: step {self.indices[-1] + 1} of {self.total} · {per_step:.0f} ms a step"

    def done_text(self, after: str = "Drag the slider to go back through the steps.") -> str:
        """The status line once the run has ended."""
        per_step = 1000 * self.seconds / self.total
        return f"Done: {self.total} steps in {self.seconds:.2f} s ({per_step:.0f} ms a step). {after}"

    def samples_picture(self) -> np.ndarray:
        """The final samples in a grid (8 a row), enlarged, uint8 RGB; watermarked when the server
        marks its samples (shared/watermark.py)."""
        from shared.datasets import image_grid

        return watermark.shown(image_grid(self.final, columns=min(len(self.final), 8), scale=4), self.model, self.seed)

    def filled_picture(self, scale: int = 6) -> np.ndarray:
        """The first final sample, enlarged (inpainting's result), uint8 RGB."""
        return np.asarray(self.final[0]).repeat(scale, 0).repeat(scale, 1)

    def caption(self, k: int) -> str:
        k = self._frame(k)
        return f"{self.title}  ·  step {self.indices[k] + 1} of {self.total}  ·  t = {self.timesteps[k]}"

    def _frame(self, k: int) -> int:
        if not self.indices:
            raise limits.LimitError("Nothing has been sampled yet.")
        return limits.IntRange("frame", -len(self), len(self) - 1).check(k) % len(self)

    def panel(self, k: int, width_px: int = 240) -> np.ndarray:
        """Step k of the kept ones: x_t, x0-hat and the predicted noise side by side, uint8 RGB."""
        from demos.diffusion.views import step_panel

        k = self._frame(k)
        return step_panel(self.x_t[k], self.x0_hat[k], self.eps[k], self.caption(k), self.known, width_px)

    def gif(self, fps: int = 15) -> str:
        """The run as a looping GIF file (at most GIF_FRAMES frames, the last held 1.5 s); its path."""
        from shared.animation import gif_file

        picks = np.unique(np.linspace(0, len(self) - 1, min(GIF_FRAMES, len(self))).round().astype(int))
        return gif_file([self.panel(int(k), width_px=160) for k in picks], "diffusion-run-", fps, hold_last_ms=1500)


def check_sampling(spec: str, sampler: object, steps: object, seed: object, n: object) -> int:
    """A sampling request checked before anything is loaded or imported (each value refused with the
    message the run would give); the number of steps."""
    from shared.checkpoints import resolve

    resolve(str(spec or "").strip() or BUNDLED_NAME)  # the id's form only: a Hub model that fails falls back later
    limits.check_choice("sampler", sampler, process.SAMPLERS)
    limits.SEED.check(seed)
    process.SAMPLES.check(n)
    return process.STEPS.check(steps)


def sample_steps(model: ImageModel, sampler: str, steps: int, seed: int, n: int) -> tuple[Recording, Iterator[process.Step]]:
    """A new recording and the (lazy) steps that fill it: n samples from the seed's noise."""
    run = process.sample(model.unet, model.scheduler_config, sampler, steps, seed, n)
    return Recording(f"{sampler} · {int(steps)} steps · seed {int(seed)}", int(steps), model=model.spec, seed=int(seed)), run


def stream(recording: Recording, steps: Iterator[process.Step], update_s: float = UPDATE_S,
           budget: float = STREAM_BUDGET) -> Iterator[Recording]:
    """Run the steps into the recording, yielding it at most every update_s seconds and at the end.

    The steps run in the caller's thread, so the UNet waits while an update is drawn and sent.
    That is the faster way on 2 cores: a worker thread that kept the UNet going while Gradio
    encodes and sends a picture made both wait on each other, and cost 30-35% over a bare run
    where this costs 5-20% (`python -m benchmarks.diffusion`). The time spent suspended at the
    yields (the caller drawing, encoding and sending) is kept within `budget` times the time
    computing: an update comes when update_s has passed and that holds. recording.seconds counts
    the computation alone.
    """
    t0 = time.perf_counter()
    last = t0 - update_s  # the first step is shown at once
    suspended = 0.0
    for step in steps:
        recording.record(step)
        now = time.perf_counter()
        recording.seconds = now - t0 - suspended
        if recording.done or (now - last >= update_s and suspended <= budget * recording.seconds):
            yield recording
            last = time.perf_counter()
            suspended += last - now


# ---- samplers side by side ------------------------------------------------------------------


@dataclass(frozen=True)
class SamplerResult:
    sampler: str
    steps: int
    images: np.ndarray  # uint8 (n, h, w, 3)
    seconds: float
    valid: float | None  # share recognised as a shape by the classifier; None for models not trained on shapes


def compare(model: ImageModel, runs: list[tuple[str, int]], seed: int, n: int) -> Iterator[SamplerResult]:
    """The same seed's noise through each (sampler, steps); one result per run, as it finishes."""
    import torch

    COMPARE_RUNS.check(len(runs))
    for sampler, steps in runs:
        recording, run = sample_steps(model, sampler, steps, seed, n)  # checks every value before any work
        t0 = time.perf_counter()
        with torch.inference_mode():
            images = _images(process.run_to_end(run))
        seconds = time.perf_counter() - t0
        valid = None
        if model.judged:
            from shared.metrics import score_images

            valid = score_images(images).valid_fraction
        yield SamplerResult(recording.title.split(" · ")[0], int(steps), images, seconds, valid)


# ---- inpainting -----------------------------------------------------------------------------


def region_keep(region: str, side: int) -> np.ndarray:
    """bool (side, side): True where pixels are kept, False in the named region to fill."""
    region = limits.check_choice("region", region, REGIONS)
    keep = np.ones((side, side), bool)
    h = side // 2
    q = side // 4
    area = {"centre square": np.s_[q:side - q, q:side - q], "left half": np.s_[:, :h], "right half": np.s_[:, h:],
            "top half": np.s_[:h, :], "bottom half": np.s_[h:, :]}[region]
    keep[area] = False
    return keep


def rectangle_keep(side: int, top: int, bottom: int, left: int, right: int) -> np.ndarray:
    """bool (side, side): False inside the rectangle to fill, its edges in percent of the side
    (rows top..bottom, columns left..right), True elsewhere."""
    top, bottom, left, right = (RECT_PERCENT.check(v) for v in (top, bottom, left, right))
    if bottom <= top or right <= left:
        raise limits.LimitError("The rectangle is empty: its bottom edge must lie below its top edge, and its "
                                "right edge right of its left edge.")
    rows = slice(top * side // 100, max(top * side // 100 + 1, -(-bottom * side // 100)))
    cols = slice(left * side // 100, max(left * side // 100 + 1, -(-right * side // 100)))
    keep = np.ones((side, side), bool)
    keep[rows, cols] = False
    return keep


def as_rgba(item: Any) -> np.ndarray | None:
    """An image (a file path, array or PIL image) as uint8 RGBA (h, w, 4), or None."""
    from PIL import Image, UnidentifiedImageError

    if item is None:
        return None
    try:
        if isinstance(item, (str, Path)):
            with Image.open(item) as im:
                return np.asarray(im.convert("RGBA"))
        if isinstance(item, Image.Image):
            return np.asarray(item.convert("RGBA"))
        arr = np.asarray(item)
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise limits.LimitError("That file is not an image this tab can read; upload a PNG, JPEG or WebP picture.") from e
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise limits.LimitError("The image must be a colour picture (height x width x RGB or RGBA).")
    arr = arr.astype(np.uint8)
    return arr if arr.shape[2] == 4 else np.concatenate([arr, np.full(arr.shape[:2] + (1,), 255, np.uint8)], 2)


def image_and_mask(image: np.ndarray, painted: np.ndarray | None, side: int, region: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """The picture and mask the model inpaints, from a picture of any size and where it was painted.

    image: uint8 (h, w, 3 or 4); painted: bool (h, w), True where the user marked what to fill, or
    None. Returns the image resized to uint8 (side, side, 3); keep, bool (side, side): False where
    painted (or, with nothing painted, in `region`); and whether the painted mask was used."""
    from PIL import Image

    rgba = as_rgba(image)
    if rgba is None:
        raise limits.LimitError("Put a picture in the editor first (or press 'New picture').")
    resized = np.array(Image.fromarray(rgba[..., :3]).resize((side, side), Image.Resampling.BOX))
    if painted is not None and painted.shape == rgba.shape[:2] and painted.any():
        # a model pixel is filled when at least a quarter of the screen pixels over it were painted
        cover = np.asarray(Image.fromarray(painted.astype(np.uint8) * 255).resize((side, side), Image.Resampling.BOX))
        keep = cover < 64
        if keep.all():
            raise limits.LimitError("The brush strokes are too thin to cover a pixel of the model's image; paint a wider area.")
        return resized, keep, True
    return resized, region_keep(region, side), False


def shown_mask(image: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The input as the model sees it: kept pixels, and the region to fill in a checkered grey."""
    yy, xx = np.indices(keep.shape)
    grey = np.where(((yy // 2 + xx // 2) % 2 == 0)[..., None], 150, 110).astype(np.uint8)
    return np.where(keep[..., None], image, grey)


def inpaint_steps(model: ImageModel, image: np.ndarray, keep: np.ndarray, sampler: str, steps: int,
                  seed: int) -> tuple[Recording, Iterator[process.Step]]:
    """A recording and the steps that fill the pixels where keep is False. image: uint8 (side, side, 3)."""
    import torch

    from shared.shapes_classifier import to_tensor

    if image.shape[:2] != (model.side, model.side) or keep.shape != image.shape[:2]:
        raise limits.LimitError(f"The image and mask must be {model.side}x{model.side} for this model.")
    if keep.all():
        raise limits.LimitError("Nothing to fill: mark a region with the brush or pick one.")
    x0 = to_tensor(image[None])  # (1, 3, side, side) in [-1, 1]
    run = process.inpaint(model.unet, model.scheduler_config, x0, torch.from_numpy(keep)[None, None], steps, seed, sampler)
    rec = Recording(f"inpainting · {sampler} · {int(steps)} steps · seed {int(seed)}", int(steps),
                    known=shown_mask(image, keep))
    return rec, run
