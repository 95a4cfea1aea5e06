"""PointNet on the current object: which class it thinks the object is, and which points decided it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demos.three_d import options
from demos.three_d.convert import depth_to_points, mesh_to_points, voxels_to_points
from demos.three_d.geometry import DepthMap, Mesh, Object3D, Voxels
from demos.three_d.shapes3d import normalise


@dataclass
class Classification:
    classes: list[str]
    probabilities: np.ndarray  # (C,)
    points: np.ndarray  # (N, 3) the normalised points PointNet read
    critical: np.ndarray  # (K,) indices into points of the critical points (K <= the network's width)
    source: str  # which model

    @property
    def best(self) -> tuple[str, float]:
        i = int(self.probabilities.argmax())
        return self.classes[i], float(self.probabilities[i])


def points_for_pointnet(obj: Object3D, n: int = options.POINTNET_POINTS, seed: int = 0) -> np.ndarray:
    """n points of the object as PointNet reads them: surface samples of a mesh, voxel centres,
    back-projected depth, or the cloud itself; drawn with a fixed seed, centred, in the unit ball."""
    rng = np.random.default_rng(seed)
    if isinstance(obj, Mesh):
        cloud = mesh_to_points(obj, max(n, options.SURFACE_POINTS.low), seed)
    elif isinstance(obj, Voxels):
        cloud = voxels_to_points(obj)
    elif isinstance(obj, DepthMap):
        cloud = depth_to_points(obj)
    else:
        cloud = obj
    points = cloud.points
    index = rng.choice(len(points), n, replace=len(points) < n)
    return normalise(points[index])


def classify(obj: Object3D, spec: str = "pointnet-shapes3d", seed: int = 0) -> Classification:
    """Run the bundled (or a named) PointNet on the object."""
    import torch

    from demos.three_d.model import PointNet
    from shared.checkpoints import load

    loaded = load(PointNet, spec, device="cpu")
    points = points_for_pointnet(obj, seed=seed)
    logits, critical = loaded.model.classify(torch.from_numpy(points)[None])
    probabilities = torch.softmax(logits[0], 0).numpy()
    return Classification(loaded.model.classes, probabilities, points, np.unique(critical[0].numpy()), loaded.label)
