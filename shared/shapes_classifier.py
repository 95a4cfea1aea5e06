"""A small CNN that reads the exact labels of a `shapes` image: the judge of generated samples.

Four heads share one trunk: shape (the 6 shapes plus "none", for images that are not one clean
shape: noise, blends of two shapes, empty backgrounds), colour, size and position. The trunk's
128-d penultimate activations are the features of the Fréchet distance in ``shared.metrics``.

Trained by ``python -m shared.train_shapes_classifier``; bundled as ``checkpoints/shapes-classifier``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from shared.checkpoints import SafetensorsHubMixin
from shared.datasets import LABEL_NAMES

NOT_A_SHAPE = "none"
HEAD_CLASSES: dict[str, tuple[str, ...]] = {
    "shape": LABEL_NAMES["shape"] + (NOT_A_SHAPE,),
    "colour": LABEL_NAMES["colour"],
    "size": LABEL_NAMES["size"],
    "position": LABEL_NAMES["position"],
}
BUNDLED_NAME = "shapes-classifier"


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 (n, 32, 32, 3) -> float32 (n, 3, 32, 32) in [-1, 1], the range every model here uses."""
    # np.require copies only a read-only or strided array (torch warns on a read-only one)
    x = torch.from_numpy(np.require(images, requirements=["C", "W"])).permute(0, 3, 1, 2).float()
    return x / 127.5 - 1.0


class ShapesClassifier(
    nn.Module,
    SafetensorsHubMixin,
    library_name="genai-demos",
    tags=["image-classification", "shapes"],
    license="mit",
):
    def __init__(self, width: int = 32, n_features: int = 128) -> None:
        super().__init__()
        w = width

        def block(c_in: int, c_out: int) -> nn.Sequential:
            # two 3x3 convs then a 2x2 max-pool: (B, c_in, H, W) -> (B, c_out, H/2, W/2)
            return nn.Sequential(
                nn.Conv2d(c_in, c_out, 3, padding=1), nn.GroupNorm(8, c_out), nn.SiLU(),
                nn.Conv2d(c_out, c_out, 3, padding=1), nn.GroupNorm(8, c_out), nn.SiLU(),
                nn.MaxPool2d(2),
            )

        # (B, 3, 32, 32) -> (B, 4w, 4, 4): flattening keeps where the shape is, for the position head
        self.trunk = nn.Sequential(block(3, w), block(w, 2 * w), block(2 * w, 4 * w))
        self.features = nn.Sequential(nn.Flatten(), nn.Linear(4 * w * 16, n_features), nn.SiLU())
        self.heads = nn.ModuleDict({name: nn.Linear(n_features, len(c)) for name, c in HEAD_CLASSES.items()})

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, 3, 32, 32) in [-1, 1] -> features (B, n_features)."""
        return self.features(self.trunk(x))

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """x: (B, 3, 32, 32) in [-1, 1] -> logits per head, each (B, n_classes)."""
        h = self.embed(x)
        return {name: head(h) for name, head in self.heads.items()}


@torch.inference_mode()
def classify(
    model: ShapesClassifier, images: np.ndarray, batch_size: int = 500
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Class probabilities per head, float32 (n, n_classes), and features float64 (n, n_features)."""
    device = next(model.parameters()).device
    probs: dict[str, list[np.ndarray]] = {name: [] for name in HEAD_CLASSES}
    feats: list[np.ndarray] = []
    for i in range(0, len(images), batch_size):
        x = to_tensor(images[i : i + batch_size]).to(device)
        h = model.embed(x)
        for name, head in model.heads.items():
            probs[name].append(head(h).softmax(-1).cpu().numpy())
        feats.append(h.double().cpu().numpy())
    return {k: np.concatenate(v) for k, v in probs.items()}, np.concatenate(feats)
