"""PointNet (Qi et al., 2017) for classifying point clouds, small enough for 2 CPU cores.

    net = PointNet(num_classes=6)
    logits = net(points)                       # points: (B, N, 3) -> (B, num_classes)
    logits, critical = net.classify(points)    # critical: (B, width) index of the point that won
                                               # each channel's max-pool

Every point goes through the same MLP (a 1x1 convolution), then a max over the points makes one
global feature: the result does not depend on the points' order, and only the points that win a
channel's max (the *critical points*) decide it. No input transform network: random rotations in
training teach pose instead, which is enough for these classes.
"""

from __future__ import annotations

import torch
from torch import nn

from shared.checkpoints import SafetensorsHubMixin

BUNDLED_NAME = "pointnet-shapes3d"


class PointNet(
    nn.Module,
    SafetensorsHubMixin,
    library_name="genai-demos",
    tags=["pointnet", "point-cloud-classification", "3d"],
    license="mit",
):
    def __init__(self, num_classes: int = 6, width: int = 256, classes: list[str] | None = None) -> None:
        super().__init__()
        self.classes = list(classes or [str(i) for i in range(num_classes)])

        def shared_mlp(c_in: int, c_out: int) -> list[nn.Module]:
            # the same layer for every point: (B, c_in, N) -> (B, c_out, N)
            return [nn.Conv1d(c_in, c_out, 1), nn.BatchNorm1d(c_out), nn.ReLU()]

        self.point_features = nn.Sequential(*shared_mlp(3, 64), *shared_mlp(64, 64), *shared_mlp(64, 128),
                                            *shared_mlp(128, width))
        self.head = nn.Sequential(nn.Linear(width, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.3),
                                  nn.Linear(128, num_classes))

    def per_point(self, points: torch.Tensor) -> torch.Tensor:
        """points (B, N, 3) -> per-point features (B, width, N)."""
        return self.point_features(points.transpose(1, 2))

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        """points (B, N, 3), normalised into the unit ball -> class logits (B, num_classes)."""
        return self.head(self.per_point(points).amax(dim=2))

    @torch.inference_mode()
    def classify(self, points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(logits (B, C), critical point index per channel (B, width)) in one pass."""
        features = self.per_point(points)
        pooled, critical = features.max(dim=2)
        return self.head(pooled), critical
