"""PointNet on the current object: which class it thinks the object is, and which points decided it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demos.three_d import options
from demos.three_d.convert import depth_to_points, mesh_to_points, voxels_to_points
from demos.three_d.geometry import DepthMap, Mesh, Object3D, PointCloud, Voxels
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


def probability_figure(result: Classification):  # noqa: ANN201 (plotly Figure)
    import plotly.graph_objects as go

    order = np.argsort(result.probabilities)
    colors = ["#4c51bf" if i == order[-1] else "#a3bffa" for i in order]
    fig = go.Figure(go.Bar(x=result.probabilities[order], y=[result.classes[i] for i in order], orientation="h",
                           marker_color=colors, text=[f"{p:.1%}" for p in result.probabilities[order]],
                           textposition="auto"))
    fig.update_layout(height=260, margin=dict(l=0, r=10, t=30, b=0), xaxis=dict(range=[0, 1], tickformat=".0%"),
                      title=dict(text="PointNet's probabilities", x=0.01, font=dict(size=13)))
    return fig


def critical_figure(result: Classification):  # noqa: ANN201
    """The points PointNet read, the critical ones large and red: the only points that reach its
    global feature, so moving any other point (a little) cannot change the answer."""
    from demos.three_d.view import _scene_layout, build_figure, cloud_trace

    mask = np.zeros(len(result.points), bool)
    mask[result.critical] = True
    grey, red = PointCloud(result.points[~mask]), PointCloud(result.points[mask])
    fig = build_figure([cloud_trace(grey, np.full((len(grey), 3), 0.63), 2.5, "other points"),
                        cloud_trace(red, np.tile([[0.9, 0.24, 0.24]], (len(red), 1)), 4.5, "critical points")])
    _scene_layout(fig, f"{len(red)} critical points of {len(result.points)} (red)")
    fig.update_layout(showlegend=True, legend=dict(x=0, y=0))
    return fig
