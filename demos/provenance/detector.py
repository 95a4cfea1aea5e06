"""A detector of generated pictures for the provenance tab (issue 36): a small CNN that reads a 32x32
`shapes` picture and gives the probability that a model made it (Wang et al. 2020's recipe in
miniature: trained on real pictures against one generator's, here the unconditional GAN's, then
tried on generators it never saw).

    (B, 3, 32, 32) in [-1, 1] -> high-pass residual x - mean_3x3(x), x10
        -> conv 32, 32 -> stride-2 conv 64 -> conv 64 -> stride-2 conv 64 -> global max -> logit

Why the high-pass and the max: on the raw pictures a plain CNN with a global mean stalled at loss 0.55,
having learned only that blue and purple pictures are real (the GAN draws neither); the residual
exposes the faint texture a generator leaves on the flat background and edges, and the max lets one
telling spot decide. Then it separates the GAN's held-out samples from held-out real pictures in
about 800 steps.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from shared.checkpoints import SafetensorsHubMixin

BUNDLED_NAME = "detector-shapes"


class GeneratedDetector(
    nn.Module,
    SafetensorsHubMixin,
    library_name="genai-demos",
    tags=["image-classification", "synthetic-image-detection", "shapes"],
    license="mit",
):
    def __init__(self, width: int = 32) -> None:
        super().__init__()
        w = width
        self.features = nn.Sequential(
            nn.Conv2d(3, w, 3, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(w, w, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(w, 2 * w, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * w, 2 * w, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * w, 2 * w, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
        )  # (B, 2w, 8, 8)
        self.head = nn.Linear(2 * w, 1)

    @staticmethod
    def high_pass(x: torch.Tensor) -> torch.Tensor:
        """x minus its 3x3 local mean, scaled up: what is left of a picture after its smooth part."""
        return 10 * (x - F.avg_pool2d(x, 3, 1, 1, count_include_pad=False))

    def feature_map(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 2w, 8, 8): what the head reads, its max over positions (where it looks, for a map)."""
        return self.features(self.high_pass(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B,) logits: > 0 means generated."""
        return self.head(self.feature_map(x).amax((2, 3))).squeeze(1)
