"""Pictures of a Stable Diffusion run: a latent's channels, noise predictions, word maps, the
pipeline diagram. uint8 arrays and HTML, no UI code."""

from __future__ import annotations

import html

import numpy as np

from shared.contact_sheet import sheet

CHANNEL_SCALE = 12  # an 8x8 latent channel shown at 96x96


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
