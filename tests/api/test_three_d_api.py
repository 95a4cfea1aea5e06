"""The 3-D tab through its HTTP API, as a user's script would call it: samples and uploads open,
conversions chain on the session's object, processing and PointNet work on it, and bad files or
values get a message while the app keeps serving."""

from __future__ import annotations

import io

import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError


@pytest.fixture
def client(suite_url):
    return Client(suite_url, verbose=False)  # a fresh session (its own current object) per test


def open_sample(client, name="Torus knot (mesh)", colour="height"):
    return client.predict(name, colour, api_name="/three_d_open_sample")


def convert(client, key, n_points=5_000, resolution=32, depth=6, seed=0):
    return client.predict("height", n_points, resolution, depth, seed, api_name=f"/three_d_convert_{key}")


def test_open_and_convert_along_a_chain(client):
    plot, model3d, status, history = open_sample(client)
    assert plot is not None and model3d.endswith(".glb") and "mesh: 5,760 vertices" in status
    assert convert(client, "mesh_to_points")[2].startswith("**Mesh → point cloud")
    assert "voxels:" in convert(client, "points_to_voxels")[2]
    _, _, status, history = convert(client, "voxels_to_mesh")
    assert "marching cubes" in status and history.count("\n") == 5  # header, rule, 4 steps


def test_reconstruction_and_processing(client):
    open_sample(client, "Noisy scan with outliers (point cloud)")
    *_, status, _, before_after = client.predict("height", 0.02, 20, 2.0, api_name="/three_d_process_outliers")
    assert "Statistical outlier removal" in status and before_after is not None
    *_, status, _, _ = client.predict("normal", 0.02, 20, 2.0, api_name="/three_d_process_normals")
    assert "Normal estimation" in status
    _, _, status, _ = convert(client, "points_to_mesh_poisson", depth=6)
    assert "Poisson" in status and "faces" in status


def test_classify_the_session_object(client):
    open_sample(client, "Pyramid (mesh, a PointNet class)")
    probabilities, critical, verdict = client.predict(api_name="/three_d_classify")
    assert "PointNet says **pyramid**" in verdict and probabilities is not None and critical is not None


def test_depth_sample_to_points(client):
    open_sample(client, "Ball on a floor (depth map)")
    _, _, status, _ = convert(client, "depth_to_points")
    assert "point cloud: 70,414 points" in status


def test_upload_a_ply_and_a_depth_png(client, tmp_path):
    pts = np.random.default_rng(0).normal(size=(1000, 3)).astype(np.float32)
    ply = tmp_path / "cloud.ply"
    ply.write_bytes(b"ply\nformat binary_little_endian 1.0\nelement vertex 1000\nproperty float x\n"
                    b"property float y\nproperty float z\nend_header\n" + pts.tobytes())
    _, model3d, status, _ = client.predict(handle_file(str(ply)), "height", 0, 0, 0, 0, api_name="/three_d_open_file")
    assert "opened file: cloud.ply" in status and "1,000 points" in status and model3d.endswith(".glb")
    from PIL import Image

    png = tmp_path / "depth.png"
    Image.fromarray(np.full((30, 40), 2000, np.uint16)).save(png)
    _, _, status, _ = client.predict(handle_file(str(png)), "height", 50, 0, 0, 0, api_name="/three_d_open_file")
    assert "depth map" in status and "40 x 30" in status
    _, _, status, _ = convert(client, "depth_to_points")
    assert "1,200 points" in status


def test_bad_files_get_messages_and_the_app_keeps_serving(client, tmp_path):
    cases = {"empty.ply": b"", "noise.stl": bytes(range(256)) * 4, "header.ply": b"ply\nformat ascii 1.0\n"
             b"element vertex 10\nproperty float x\nproperty float y\nproperty float z\nend_header\n",
             "photo.png": _rgb_png()}
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(AppError) as info:
            client.predict(handle_file(str(path)), "height", 0, 0, 0, 0, api_name="/three_d_open_file")
        assert "verbose error reporting" not in str(info.value) and "Something went wrong" not in str(info.value), name
    assert "Torus knot" in open_sample(client)[2]


def _rgb_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("call", [
    lambda c: c.predict("No such sample", "height", api_name="/three_d_open_sample"),
    lambda c: c.predict("Torus knot (mesh)", "rainbow", api_name="/three_d_open_sample"),
    lambda c: convert(c, "mesh_to_points"),  # nothing opened in this session yet
    lambda c: (open_sample(c), convert(c, "points_to_voxels")),  # a mesh is not a point cloud
    lambda c: (open_sample(c), convert(c, "mesh_to_points", n_points=10**7)),
    lambda c: (open_sample(c), convert(c, "mesh_to_points", seed=-5)),
    lambda c: (open_sample(c, "Noisy scan with outliers (point cloud)"), convert(c, "points_to_voxels", resolution=5000)),
    lambda c: (open_sample(c, "Noisy scan with outliers (point cloud)"),
               c.predict("height", 0.02, 20, 1e9, api_name="/three_d_process_outliers")),
    lambda c: c.predict(api_name="/three_d_classify"),
])
def test_bad_values_get_a_message(client, call):
    with pytest.raises(AppError) as info:
        call(client)
    assert "verbose error reporting" not in str(info.value) and "Something went wrong" not in str(info.value)


def test_photo_to_depth_offline_says_so(client, tmp_path):
    photo = tmp_path / "photo.png"
    photo.write_bytes(_rgb_png())
    with pytest.raises(AppError, match="still work"):
        client.predict(handle_file(str(photo)), "nobody/no-such-depth-model", "height", api_name="/three_d_photo_to_depth")
