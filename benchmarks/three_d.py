"""Speed of the 3-D tab on this machine, and the bundled PointNet's held-out accuracy.

    python -m benchmarks.three_d            # add --quick to skip the accuracy (1,200 objects)

Goals (issue 9), on 2 CPU cores: load and display a 1,000,000-point cloud in at most 2 s;
voxelise 100,000 points in at most 200 ms. Each conversion's time on the samples is printed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from shared.timing import median_ms


def ms(fn, repeats: int = 5) -> float:
    return median_ms(fn, repeats)


def write_big_ply(path: Path, n: int) -> None:
    """A binary PLY of n coloured points on a torus knot's surface (what a scanner writes)."""
    from demos.three_d.convert import mesh_to_points
    from demos.three_d.shapes3d import torus_knot

    cloud = mesh_to_points(torus_knot(), n, seed=0)
    rec = np.zeros(n, dtype=[("p", "<f4", 3), ("c", "u1", 3)])
    rec["p"], rec["c"] = cloud.points, (cloud.colors * 255).astype(np.uint8)
    header = (f"ply\nformat binary_little_endian 1.0\nelement vertex {n}\nproperty float x\nproperty float y\n"
              "property float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n")
    path.write_bytes(header.encode() + rec.tobytes())


def load_and_display(n: int = 1_000_000) -> list[tuple[str, float]]:
    from demos.three_d import views
    from demos.three_d.readers import read_file

    with tempfile.TemporaryDirectory() as tmp:
        ply = Path(tmp) / "big.ply"
        write_big_ply(ply, n)
        obj = read_file(ply)[0]
        read = ms(lambda: read_file(ply))
        figure = ms(lambda: views.figure(obj, "own")[0].to_json())
        glb = ms(lambda: views.glb_file(obj, Path(tmp) / "x.glb", "own"))
        size = ply.stat().st_size / 2**20
        mesh_view, decimation = big_mesh_view(Path(tmp))
    return [(f"read a {size:.0f} MB binary PLY of {n:,} coloured points", read),
            ("plotly figure of it, serialised (200,000 points shown)", figure),
            ("GLB for Model3D (200,000 points)", glb),
            (f"**load and display {n:,} points (goal 2,000 ms)**", read + figure + glb),
            ("view of a 327,680-face mesh: plot and GLB, sharing one decimated copy", mesh_view),
            ("... of which the decimation to 200,000 faces (done once per view)", decimation)]


def big_mesh_view(tmp: Path) -> tuple[float, float]:
    """(ms for the plot and GLB of a mesh over the display limit, ms for its one decimation)."""
    import trimesh

    from demos.three_d import views
    from demos.three_d.geometry import Mesh

    sphere = trimesh.creation.icosphere(subdivisions=7)  # 327,680 faces
    mesh = Mesh(sphere.vertices.astype(np.float32), sphere.faces.astype(np.int32))

    def show() -> None:
        views._last_decimated = None  # a new view of a new object
        views.figure(mesh)
        views.glb_file(mesh, tmp / "mesh.glb")

    def decimate() -> None:
        views._last_decimated = None
        views.display_mesh(mesh)

    return ms(show, 3), ms(decimate, 3)


def conversions() -> list[tuple[str, float]]:
    from demos.three_d import actions, convert, process, shapes3d

    knot = shapes3d.torus_knot()
    cloud = convert.mesh_to_points(knot, 20_000)
    big = convert.mesh_to_points(knot, 100_000)
    voxels = convert.points_to_voxels(cloud, 48)
    scan = shapes3d.noisy_scan()
    depth = shapes3d.ball_on_floor_depth()
    actions.convert(cloud, "points_to_mesh_poisson")  # first open3d call: imports and warms up
    return [
        ("**voxelise 100,000 points at 64 a side (goal 200 ms)**", ms(lambda: convert.points_to_voxels(big, 64), 20)),
        ("voxelise 100,000 points at 192 a side", ms(lambda: convert.points_to_voxels(big, 192), 20)),
        ("mesh → 20,000 points (torus knot, 11,520 faces)", ms(lambda: convert.mesh_to_points(knot, 20_000), 20)),
        ("20,000 points → voxels, 48 a side", ms(lambda: convert.points_to_voxels(cloud, 48), 20)),
        (f"voxels → mesh, marching cubes ({int(voxels.occupancy.sum()):,} voxels)", ms(lambda: convert.voxels_to_mesh(voxels), 20)),
        ("voxels → points (centres)", ms(lambda: convert.voxels_to_points(voxels), 20)),
        ("20,000 points → mesh, Poisson depth 7 (normals estimated)",
         ms(lambda: convert.points_to_mesh_poisson(convert.PointCloud(cloud.points), 7), 3)),
        ("20,000 points → mesh, Poisson depth 7 (normals from the mesh)", ms(lambda: convert.points_to_mesh_poisson(cloud, 7), 3)),
        ("20,000 points → mesh, ball pivoting", ms(lambda: convert.points_to_mesh_ball_pivoting(cloud), 3)),
        ("depth map 320 x 240 → points", ms(lambda: convert.depth_to_points(depth), 20)),
        ("down-sample the 30,000-point scan (voxel 2%)", ms(lambda: process.voxel_down_sample(scan, 0.02), 10)),
        ("estimate normals of the scan (k = 20)", ms(lambda: process.estimate_normals(scan, 20), 10)),
        ("remove the scan's outliers (k = 20, 2 sd)", ms(lambda: process.remove_statistical_outliers(scan, 20, 2.0), 10)),
    ]


def pointnet(with_accuracy: bool) -> list[tuple[str, str]]:

    from demos.three_d import classify, shapes3d
    from demos.three_d.model import BUNDLED_NAME, PointNet
    from demos.three_d.train import TEST_SEED, accuracy, robustness
    from shared.checkpoints import load

    knot = shapes3d.torus_knot()
    rows = [("classify the torus knot (512 points sampled, PointNet, critical points)",
             f"{ms(lambda: classify.classify(knot), 20):,.1f} ms")]
    if with_accuracy:
        net = load(PointNet, BUNDLED_NAME, device="cpu").model
        x, y = shapes3d.class_dataset(200, 512, TEST_SEED)
        rows.append((f"held-out accuracy, {len(y):,} objects (goal 95%)", f"{accuracy(net, x, y, 'cpu')[0]:.1%}"))
        rows += [(f"... {label}", f"{a:.1%}") for label, a in robustness(net, x, y, "cpu")]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the PointNet accuracy")
    parser.add_argument("--points", type=int, default=1_000_000)
    args = parser.parse_args()
    import torch

    print(f"torch threads: {torch.get_num_threads()}\n")
    print("| load and display | ms |\n|---|---|")
    for name, value in load_and_display(args.points):
        print(f"| {name} | {value:,.0f} |")
    print("\n| conversion or processing | ms |\n|---|---|")
    for name, value in conversions():
        print(f"| {name} | {value:,.1f} |")
    print("\n| PointNet | |\n|---|---|")
    t0 = time.perf_counter()
    for name, value in pointnet(not args.quick):
        print(f"| {name} | {value} |")
    print(f"\n({time.perf_counter() - t0:.0f} s for the PointNet rows)")


if __name__ == "__main__":
    main()
