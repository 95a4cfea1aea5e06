"""Pictures of a Stable Diffusion run: a latent's channels, noise predictions, word maps, the
pipeline diagram. uint8 arrays and HTML, no UI code."""

from __future__ import annotations

import html

import numpy as np

from shared.contact_sheet import sheet

CHANNEL_SCALE = 12  # an 8x8 latent channel shown at 96x96
SHOWN_SIDE = 256  # a 32x32 sample is shown at 256x256, pixels kept sharp
WORD_MAPS_NOTE = ("Each map: how much every latent pixel's cross-attention went to that token, averaged over the layers, "
                  "heads and steps, each map stretched over its own range: bright is where that word is read most.")


def zoom(image: np.ndarray, side: int = SHOWN_SIDE) -> np.ndarray:
    """A small image enlarged by whole pixels to about `side` (a large one is left alone)."""
    k = max(1, side // image.shape[0])
    return image.repeat(k, 0).repeat(k, 1)


def _grey(channel: np.ndarray, limit: float) -> np.ndarray:
    """A float (h, w) map in [-limit, limit] as a uint8 RGB grey picture (0 is mid-grey)."""
    g = ((np.clip(channel / limit, -1, 1) + 1) * 127.5).round().astype(np.uint8)
    return np.repeat(g[..., None], 3, axis=2)


def channels_sheet(tensors: list[tuple[str, np.ndarray]], limit: float = 3.0) -> np.ndarray:
    """Rows of channels: each (name, float (c, h, w)) becomes c grey tiles labelled 'name c'."""
    tiles, labels = [], []
    for name, t in tensors:
        for c, channel in enumerate(t):
            tiles.append(_grey(channel, limit))
            labels.append(f"{name} {c}")
    columns = max(len(t) for _, t in tensors)
    return sheet(np.stack(tiles), labels, columns=columns, scale=CHANNEL_SCALE)


def step_channels(view) -> np.ndarray:  # noqa: ANN001 (explore.StepView)
    """One step's tensors as grey channel rows: the latent, the noise predicted with the prompt, and
    with guidance on, the one predicted with the empty (or negative) prompt and their difference."""
    rows = [("latent x_t", view.latent), ("noise | prompt", view.noise_cond)]
    if view.noise_uncond is not None:
        rows += [("noise | empty", view.noise_uncond), ("difference", view.noise_cond - view.noise_uncond)]
    return channels_sheet(rows)


def step_status(view, notice: str | None = None) -> str:  # noqa: ANN001 (explore.StepView)
    """Where the run is, which noise prediction the scheduler was given, and the prompt's notice
    (words the model does not know, a cut) before it."""
    status = (f"Step {view.step} of {view.steps} (t = {view.timestep}). Guidance {view.guidance:g}: "
              + ("the prediction used is noise|empty + w × difference." if view.noise_uncond is not None
                 else "off (w ≤ 1): the conditional prediction alone."))
    return f"{notice}\n\n{status}" if notice else status


def image_to_image_note(strength: float, steps: int) -> str:
    """What image to image did with the starting image's latent."""
    return (f"Strength {float(strength):g}: the image's latent was noised to step {int(round(float(strength) * int(steps)))} "
            f"of {int(steps)} and denoised with the prompt.")


def _heat(m: np.ndarray) -> np.ndarray:
    """A (h, w) map stretched over its own range (so a word's map shows where it looks most, whatever
    its total), in a dark-to-yellow colour ramp."""
    v = (m - m.min()) / max(float(m.max() - m.min()), 1e-12)
    r = np.clip(1.5 * v, 0, 1)
    g = np.clip(1.5 * v - 0.5, 0, 1)
    b = np.clip(0.6 - v, 0, 1) * 0.8
    return (np.stack([r, g, b], -1) * 255).round().astype(np.uint8)


def word_maps_sheet(result) -> np.ndarray:  # noqa: ANN001 (explore.WordMaps)
    """The sample, then one heat map per token of where the latent pixels attended to it."""
    image = result.image
    side = image.shape[0]
    k = max(1, side // result.maps.shape[1])
    heats = [_heat(m).repeat(k, 0).repeat(k, 1) for m in result.maps]
    tiles = np.stack([image, *heats])
    return sheet(tiles, ["sample", *result.tokens], columns=min(8, len(tiles)), scale=max(1, 96 // side))


def grid_sheet(grid: np.ndarray, scales: list[float], seeds: list[int]) -> np.ndarray:
    """(seeds, scales, H, W, 3) -> one picture, a row per seed, a column per guidance scale."""
    n_seeds, n_scales = grid.shape[:2]
    labels = [f"seed {seeds[r]} · w {scales[c]:g}" for r in range(n_seeds) for c in range(n_scales)]
    return sheet(grid.reshape(-1, *grid.shape[2:]), labels, columns=n_scales, scale=max(1, 96 // grid.shape[2]))


BOXES = (("tokenizer", "token ids"), ("text encoder (CLIP)", "text embeddings"), ("UNet with cross-attention", "noise prediction"),
         ("scheduler step", "latent"), ("autoencoder decoder", "image"))


def pipeline_diagram(shapes: dict[str, tuple[int, ...]], step: int | None = None, steps: int | None = None) -> str:
    """The pipeline as a row of boxes, each with the shape of the tensor it hands on."""
    parts = []
    for i, (box, tensor) in enumerate(BOXES):
        shape = " × ".join(str(s) for s in shapes.get(tensor, ()))
        loop = f"<div class='sd-loop'>step {step} of {steps}</div>" if box == "scheduler step" and step else ""
        parts.append(f"<div class='sd-box'><b>{html.escape(box)}</b><br><code>{html.escape(tensor)}</code><br>"
                     f"<span>{html.escape(shape)}</span>{loop}</div>")
        if i < len(BOXES) - 1:
            parts.append("<div class='sd-arrow'>→</div>")
    return ("<div class='sd-diagram'>" + "".join(parts) + "</div><div class='sd-note'>The UNet and the scheduler step "
            "repeat once per step, on the latent; the UNet's input is doubled (with the empty or negative prompt) "
            "when guidance is on.</div>")


DIAGRAM_CSS = """
.sd-diagram { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
.sd-box { border: 1px solid #a0aec0; border-radius: 8px; padding: 8px 10px; min-width: 130px; text-align: center;
          background: #f7fafc; color: #1a202c; font-size: 0.9em; }
.sd-box span { color: #2b6cb0; font-weight: 600; }
.sd-loop { margin-top: 4px; font-size: 0.85em; color: #c05621; }
.sd-arrow { font-size: 1.4em; color: #718096; }
.sd-note { font-size: 0.85em; color: #4a5568; margin-top: 4px; }
"""
