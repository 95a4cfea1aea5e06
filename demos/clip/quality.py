"""Zero-shot with the labels a person types: bare names ("circle", "square", ...; "red", "orange", ...)
against held-out images as the data draws them, on a light background, re-coloured and tilted
(demos/clip/augment.py), and drawn by another renderer (shared/other_renderer.py). No UI code.

    figures = typed_labels(model, seed=4242, n=1000)   # {"shape_plain": 0.99, "colour_light": 0.98, ...}
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from demos.clip.augment import augment, on_background
from demos.clip.model import new_processor
from shared.datasets import COLOURS, SHAPES, make_shapes
from shared.other_renderer import other_shapes
from shared.shapes_classifier import to_tensor

LIGHT_BACKGROUND = (235, 235, 228)
VARIANTS: dict[str, str] = {
    "plain": "as the data draws them",
    "light": f"on a light background (RGB {LIGHT_BACKGROUND})",
    "jittered": "re-coloured shade, new background, tilted and scaled",
    "other": "drawn by another renderer (shared/other_renderer.py)",
}


@torch.inference_mode()
def _features(model, x: torch.Tensor) -> torch.Tensor:  # noqa: ANN001 (CLIPModel)
    device = next(model.parameters()).device
    return torch.cat([F.normalize(model.get_image_features(pixel_values=c.to(device)).pooler_output, dim=-1)
                      for c in x.split(500)])


@torch.inference_mode()
def label_vectors(model, names: list[str], tokenizer=None) -> torch.Tensor:  # noqa: ANN001
    """Unit text embeddings (n, d) of the names; tokenizer: the model's own (default: the bundled one's)."""
    device = next(model.parameters()).device
    tokenizer = tokenizer or new_processor().tokenizer
    context = int(model.config.text_config.max_position_embeddings)
    enc = tokenizer(names, padding="max_length", max_length=context, truncation=True, return_tensors="pt")
    return F.normalize(model.get_text_features(input_ids=enc["input_ids"].to(device),
                                               attention_mask=enc["attention_mask"].to(device)).pooler_output, dim=-1)


def variant_images(n: int, seed: int) -> dict[str, tuple[torch.Tensor, dict[str, np.ndarray]]]:
    """Each variant's n images, (n, 3, 32, 32) in [-1, 1], with their shape and colour indices."""
    data = make_shapes(n, seed)
    x = to_tensor(data.images)
    colour = torch.from_numpy(data.labels["colour"])
    labels = {"shape": data.labels["shape"], "colour": data.labels["colour"]}
    other, other_labels = other_shapes(n, seed)
    return {"plain": (x, labels), "light": (on_background(x, colour, LIGHT_BACKGROUND), labels),
            "jittered": (augment(x, colour, torch.Generator().manual_seed(seed), p=1.0), labels),
            "other": (to_tensor(other), other_labels)}


def typed_labels(model, seed: int, n: int = 1000, tokenizer=None) -> dict[str, float]:  # noqa: ANN001 (CLIPModel)
    """Accuracy of the bare shape names (6-way) and colour names (6-way) per variant: keys '<attribute>_<variant>'."""
    was_training = model.training
    model.eval()
    texts = {"shape": label_vectors(model, list(SHAPES), tokenizer),
             "colour": label_vectors(model, list(COLOURS), tokenizer)}
    out = {}
    for variant, (x, labels) in variant_images(n, seed).items():
        image = _features(model, x)
        for attribute, text in texts.items():
            out[f"{attribute}_{variant}"] = float(((image @ text.T).argmax(1).cpu().numpy() == labels[attribute]).mean())
    model.train(was_training)
    return out
