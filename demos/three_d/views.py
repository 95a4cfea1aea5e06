"""What the browser is sent: a plotly figure of the object, and the same object as GLB for
Gradio's Model3D viewer; a processing step's before and after, the history table, and PointNet's
verdict (its probabilities, its critical points). Anything larger than the display limits is
sub-sampled or decimated first, with a notice, so the page stays responsive whatever was uploaded.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from demos.three_d import options
from demos.three_d.convert import depth_to_points, face_normals
from demos.three_d.geometry import DepthMap, Mesh, Object3D, PointCloud, Voxels

if TYPE_CHECKING:
    from demos.three_d.actions import Step
    from demos.three_d.classify import Classification

# Viridis at five stops: height colours the same in the plot and in the GLB
_VIRIDIS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], np.float32) / 255


def colormap(values: np.ndarray) -> np.ndarray:
    """(N,) -> (N, 3) colours in [0, 1] along viridis, from the values' range."""
    values = np.asarray(values, np.float32)
    span = float(values.max() - values.min()) if values.size else 0.0
    t = (values - values.min()) / span if span > 0 else np.zeros_like(values)
    x = t * (len(_VIRIDIS) - 1)
    i = np.minimum(x.astype(int), len(_VIRIDIS) - 2)
    f = (x - i)[:, None]
    return _VIRIDIS[i] * (1 - f) + _VIRIDIS[i + 1] * f


def hex_colours(colors: np.ndarray) -> list[str]:
    """(N, 3) in [0, 1] -> ['#rrggbb', ...]. The traces that carry them skip plotly's per-item
    validation (8 s for 200,000 colours; these are well-formed by construction)."""
    c = np.clip(np.rint(np.asarray(colors, np.float32) * 255), 0, 255).astype(np.uint32)
    packed = (c[:, 0] << 16) | (c[:, 1] << 8) | c[:, 2]
    return [f"#{v:06x}" for v in packed.tolist()]


def display_cloud(cloud: PointCloud, limit: int | None = None) -> tuple[PointCloud, str | None]:
    """The cloud, or a random (fixed-seed) sample of `limit` (default options.DISPLAY_POINTS) of its
    points with a notice."""
    limit = limit or options.DISPLAY_POINTS
    if len(cloud) <= limit:
        return cloud, None
    index = np.sort(np.random.default_rng(0).choice(len(cloud), limit, replace=False))
    return cloud.subset(index), f"Showing {limit:,} of the {len(cloud):,} points (a random sample); every point is kept for processing."


# the last decimation: (the mesh it was made from, its limit, the copy, the notice). The plot and the
# GLB of one view both want the decimated copy, and one decimation of a big mesh takes 0.4-0.7 s.
# Meshes are never changed in place (every step makes a new one), so the object's identity is its key.
_last_decimated: tuple[weakref.ref, int, Mesh, str] | None = None


def display_mesh(mesh: Mesh, limit: int | None = None) -> tuple[Mesh, str | None]:
    """The mesh, or a quadric-decimated copy of at most `limit` faces with a notice (colours
    carried over from the nearest original vertex)."""
    global _last_decimated
    limit = limit or options.DISPLAY_FACES
    if len(mesh.faces) <= limit:
        return mesh, None
    last = _last_decimated  # one read: another session's view may replace it meanwhile
    if last is not None and last[0]() is mesh and last[1] == limit:
        return last[2], last[3]
    import fast_simplification

    vertices, faces = fast_simplification.simplify(mesh.vertices, mesh.faces, target_count=limit)
    colors = None
    if mesh.vertex_colors is not None:
        from scipy.spatial import cKDTree

        colors = mesh.vertex_colors[cKDTree(mesh.vertices).query(vertices)[1]]
    small = Mesh(vertices.astype(np.float32), faces.astype(np.int32), colors)
    note = f"Showing a decimated copy ({len(small.faces):,} of {len(mesh.faces):,} faces); the full mesh is kept for processing."
    _last_decimated = (weakref.ref(mesh), limit, small, note)
    return small, note


def vertex_normals(mesh: Mesh) -> np.ndarray:
    """(V, 3) area-weighted average of the normals of the faces around each vertex."""
    tri = mesh.vertices[mesh.faces]
    weighted = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])  # length = 2 x area
    normals = np.zeros_like(mesh.vertices)
    for k in range(3):
        np.add.at(normals, mesh.faces[:, k], weighted)
    return normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)


def exposed_faces(voxels: Voxels) -> Mesh:
    """The cube faces between an occupied voxel and an empty one (or the grid's edge): the voxels'
    visible surface, two triangles per face, as a mesh."""
    occ = np.pad(voxels.occupancy, 1)
    quads = []
    # a unit cube's face toward each axis direction, as corner offsets from the voxel centre
    for axis in range(3):
        for sign in (-1, 1):
            neighbour = np.roll(occ, -sign, axis=axis)
            cells = np.argwhere(occ & ~neighbour) - 1  # (M, 3) voxel indices with this face visible
            u, v = [a for a in range(3) if a != axis]
            corners = np.zeros((4, 3), np.float32)
            corners[:, axis] = sign * 0.5
            corners[:, u] = [-0.5, 0.5, 0.5, -0.5]
            corners[:, v] = [-0.5, -0.5, 0.5, 0.5]
            # counter-clockwise seen from outside: (u, v, axis) is right-handed except for axis y
            if (axis == 1) != (sign < 0):
                corners = corners[::-1]
            quads.append(cells[:, None, :] + corners[None])  # (M, 4, 3)
    quad = np.concatenate(quads)
    vertices = (voxels.origin + voxels.pitch * quad.reshape(-1, 3)).astype(np.float32)
    base = np.arange(len(quad))[:, None] * 4
    faces = np.concatenate([base + [0, 1, 2], base + [0, 2, 3]]).astype(np.int32)
    return Mesh(vertices, faces)


def _colours(points: np.ndarray, normals: np.ndarray | None, own: np.ndarray | None, mode: str) -> tuple[np.ndarray, str | None]:
    """Per-point colours for a colour mode, and a notice when the mode could not be honoured."""
    if mode == "own":
        if own is not None:
            return own, None
        return colormap(points[:, 2]), "This object has no colours of its own; coloured by height."
    if mode == "normal":
        if normals is not None:
            return (normals + 1) / 2, None  # x, y, z of the normal as red, green, blue
        return colormap(points[:, 2]), "This point cloud has no normals (estimate them under Process); coloured by height."
    return colormap(points[:, 2]), None


def _scene_layout(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=13)), height=460, margin=dict(l=0, r=0, t=30, b=0),
                      scene=dict(aspectmode="data", xaxis_title="x", yaxis_title="y", zaxis_title="z (up)",
                                 camera=dict(eye=dict(x=1.4, y=-1.4, z=0.9))),
                      showlegend=False, uirevision="keep")
    return fig


def cloud_trace(cloud: PointCloud, colors: np.ndarray, size: float | None = None, name: str = "points") -> dict:
    """A scatter3d trace as a dict (see build_figure). plotly.js misreads float32 typed arrays in
    3-D traces, hence float64."""
    size = size or float(np.clip(6 - np.log10(max(len(cloud), 1)), 1.2, 4))
    p = cloud.points.astype(np.float64)
    return dict(type="scatter3d", x=p[:, 0], y=p[:, 1], z=p[:, 2], mode="markers", name=name,
                marker=dict(size=size, color=hex_colours(colors)), hoverinfo="skip")


def mesh_trace(mesh: Mesh, colors: np.ndarray, flat: bool = False) -> dict:
    """A mesh3d trace as a dict; float64 vertices and int64 faces (plotly.js misreads 32-bit ones)."""
    v, f = mesh.vertices.astype(np.float64), mesh.faces.astype(np.int64)
    return dict(type="mesh3d", x=v[:, 0], y=v[:, 1], z=v[:, 2], i=f[:, 0], j=f[:, 1], k=f[:, 2],
                vertexcolor=hex_colours(colors), flatshading=flat, hoverinfo="skip",
                lighting=dict(ambient=0.45, diffuse=0.7, specular=0.15, roughness=0.6))


def build_figure(traces: list[dict]) -> go.Figure:
    """A figure of trace dicts, skipping plotly's per-item checks (8 s for 200,000 colours; these
    traces are well-formed by construction). Layout updates afterwards are checked as usual."""
    return go.Figure(data=traces, _validate=False)


def figure(obj: Object3D, mode: str = "height", title: str = "") -> tuple[go.Figure, list[str]]:
    """A plotly figure of any object, and the notices about what it shows."""
    notices: list[str] = []
    traces: list[dict] = []
    if isinstance(obj, PointCloud):
        shown, note = display_cloud(obj)
        colors, note2 = _colours(shown.points, shown.normals, shown.colors, mode)
        traces.append(cloud_trace(shown, colors))
        notices += [note, note2]
    elif isinstance(obj, Mesh):
        shown, note = display_mesh(obj)
        colors, note2 = _colours(shown.vertices, vertex_normals(shown), shown.vertex_colors, mode)
        traces.append(mesh_trace(shown, colors))
        notices += [note, note2]
    elif isinstance(obj, Voxels):
        n = int(obj.occupancy.sum())
        if n > options.DISPLAY_VOXELS:
            cloud = PointCloud(obj.centres())
            shown, _ = display_cloud(cloud)
            traces.append(cloud_trace(shown, colormap(shown.points[:, 2])))
            notices.append(f"{n:,} voxels are too many cubes to draw; showing each voxel's centre as a point.")
        else:
            cubes = exposed_faces(obj)
            normals = np.repeat(face_normals(cubes.vertices, cubes.faces[: len(cubes.faces) // 2]), 4, axis=0)
            colors, note = _colours(cubes.vertices, normals, None, mode if mode != "own" else "height")
            traces.append(mesh_trace(cubes, colors, flat=True))
            notices.append(note)
    else:
        fig = go.Figure(go.Heatmap(z=np.where(obj.depth > 0, obj.depth, np.nan), colorscale="Viridis_r",
                                   colorbar=dict(title="relative" if obj.relative else "metres"), hoverinfo="z"))
        fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=13)), height=460, margin=dict(l=0, r=0, t=30, b=0),
                          yaxis=dict(autorange="reversed", scaleanchor="x"), xaxis=dict(constrain="domain"))
        return fig, ["A depth map is an image: one distance per pixel. Convert it to a point cloud to see it in 3-D."]
    return _scene_layout(build_figure(traces), title), [n for n in notices if n]


def glb_file(obj: Object3D, path: str | Path, mode: str = "height") -> Path:
    """Write the object as a GLB for Model3D (y-up as glTF wants, colours baked into vertices)."""
    import trimesh

    def y_up(p: np.ndarray) -> np.ndarray:  # (x, y, z) z-up -> glTF (x, z, -y)
        return np.stack([p[:, 0], p[:, 2], -p[:, 1]], 1)

    if isinstance(obj, DepthMap):
        obj = depth_to_points(obj)
    if isinstance(obj, Voxels):
        obj = exposed_faces(obj) if obj.occupancy.sum() <= options.DISPLAY_VOXELS else PointCloud(obj.centres())
    if isinstance(obj, PointCloud):
        shown, _ = display_cloud(obj)
        colors, _ = _colours(shown.points, shown.normals, shown.colors, mode)
        geometry = trimesh.PointCloud(y_up(shown.points), colors=(np.clip(colors, 0, 1) * 255).astype(np.uint8))
    else:
        shown, _ = display_mesh(obj)
        colors, _ = _colours(shown.vertices, vertex_normals(shown), shown.vertex_colors, mode)
        rgba = np.concatenate([(np.clip(colors, 0, 1) * 255).astype(np.uint8), np.full((len(colors), 1), 255, np.uint8)], 1)
        geometry = trimesh.Trimesh(y_up(shown.vertices), shown.faces, vertex_colors=rgba, process=False)
    path = Path(path)
    path.write_bytes(geometry.export(file_type="glb"))
    return path


# ---- a step's before and after, and the history of steps ------------------------------------


def history_markdown(rows: list[dict]) -> str:
    """The representations side by side: what each step made, its size in memory and its time."""
    if not rows:
        return ""
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r[k]) for k in keys) + " |" for r in rows[-12:]]
    return "\n".join(lines)


def before_after_figure(before: PointCloud, step: Step):  # noqa: ANN201 (plotly Figure)
    """The cloud before and after a processing step side by side; removed points red in 'before'."""
    limit = options.DISPLAY_POINTS // 4  # two views in one figure, each lighter
    shown, _ = display_cloud(before, limit)
    traces = [cloud_trace(shown, np.full((len(shown), 3), 0.55, np.float32), name="before")]
    if step.removed is not None and len(step.removed):
        gone, _ = display_cloud(step.removed, limit)
        traces.append(cloud_trace(gone, np.tile([[0.9, 0.15, 0.15]], (len(gone), 1)), size=3.5, name="removed"))
    after, _ = display_cloud(step.obj, limit)
    colors, _ = _colours(after.points, after.normals, after.colors, "normal" if after.normals is not None else "height")
    traces.append(cloud_trace(after, colors, name="after") | {"scene": "scene2"})
    fig = build_figure(traces)
    scene = dict(aspectmode="data", xaxis_visible=False, yaxis_visible=False, zaxis_visible=False)
    removed = f", {len(step.removed):,} removed (red)" if step.removed is not None else ""
    fig.update_layout(height=380, margin=dict(l=0, r=0, t=30, b=0), showlegend=False,
                      scene=scene | dict(domain=dict(x=[0, 0.49])), scene2=scene | dict(domain=dict(x=[0.51, 1])),
                      annotations=[dict(text=f"before: {len(before):,} points{removed}", x=0.02, y=1.06, xref="paper",
                                        yref="paper", showarrow=False, xanchor="left"),
                                   dict(text=f"after: {len(step.obj):,} points", x=0.53, y=1.06, xref="paper",
                                        yref="paper", showarrow=False, xanchor="left")])
    return fig


# ---- PointNet's verdict -----------------------------------------------------------------------


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
    mask = np.zeros(len(result.points), bool)
    mask[result.critical] = True
    grey, red = PointCloud(result.points[~mask]), PointCloud(result.points[mask])
    fig = build_figure([cloud_trace(grey, np.full((len(grey), 3), 0.63), 2.5, "other points"),
                        cloud_trace(red, np.tile([[0.9, 0.24, 0.24]], (len(red), 1)), 4.5, "critical points")])
    _scene_layout(fig, f"{len(red)} critical points of {len(result.points)} (red)")
    fig.update_layout(showlegend=True, legend=dict(x=0, y=0))
    return fig
