"""The 3-D page under AppTest: it opens a sample, converts, classifies and reads uploads through
demos/three_d/scene.py, and shows what those functions return for the same inputs; bad files and
bad steps get the Gradio tab's messages."""

from __future__ import annotations

import base64
import io
import json

import numpy as np

from demos.three_d import options
from demos.three_d import scene as sc
from tests.st_pages.conftest import shown_errors

SLUG = "three_d"


def markdowns(at) -> list[str]:
    return [m.value for m in at.markdown]


def plot(at, key: str) -> dict:
    """The plotly figure a chart element shows, as plotly JSON."""
    return json.loads(next(e for e in at.get("plotly_chart") if e.key == key).proto.spec)


def array(value: dict | list) -> np.ndarray:
    """A plotly JSON array: plotly 6 sends numeric arrays as base64 typed arrays."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), np.dtype(value["dtype"]))
    return np.asarray(value)


def without_time(status: str) -> str:
    """A status line without its time, which differs from run to run."""
    return status.split(" · ")[0]


def test_open_a_sample_convert_and_classify(open_page):
    at = open_page(SLUG)
    assert "Press **Open sample** or upload a file." in markdowns(at)
    at.button(key=f"{SLUG}-main-action").click().run()
    expected = sc.open_sample(options.DEFAULT_SAMPLE, options.DEFAULT_COLOUR)
    assert expected.status in markdowns(at)  # the sample is made once per process: the same line, time and all
    shown = plot(at, "three_d-plot")["data"][0]
    assert shown["type"] == "mesh3d"
    assert np.allclose(array(shown["x"]), expected.step.obj.vertices[:, 0])
    assert list(at.dataframe[0].value["step"]) == ["opened sample: Torus knot (mesh)"]

    at.slider(key="three_d-n-points").set_value(500)
    at.button(key="three_d-convert-mesh_to_points").click().run()
    converted = sc.convert(expected.scene, "mesh_to_points", n_points=500, seed=0)
    assert not shown_errors(at)
    assert without_time(converted.status) in [without_time(m) for m in markdowns(at)]
    assert np.array_equal(at.session_state["three_d-shown"].step.obj.points, converted.step.obj.points)
    assert list(at.dataframe[0].value["made of"]) == ["5,760 vertices, 11,520 faces", "500 points"]

    at.button(key="three_d-classify").click().run()
    verdict = sc.classify(converted.scene)
    assert verdict.text in markdowns(at)
    assert plot(at, "three_d-probabilities")["data"][0]["type"] == "bar"

    at.button(key="three_d-process-down_sample").click().run()
    processed = sc.process(converted.scene, "down_sample")
    assert without_time(processed.status) in [without_time(m) for m in markdowns(at)]
    assert [t["name"] for t in plot(at, "three_d-before-after-plot")["data"]] == ["before", "after"]


def test_a_step_on_the_wrong_kind_of_object_gets_the_tabs_message(open_page):
    at = open_page(SLUG)
    at.button(key="three_d-convert-mesh_to_points").click().run()
    assert shown_errors(at) == ["Open a sample or a file first."]
    at.button(key=f"{SLUG}-main-action").click().run()
    at.button(key="three_d-convert-points_to_voxels").click().run()
    assert shown_errors(at) == ["'Point cloud → voxels' needs a point cloud; the current object is a mesh. "
                                "Try 'Mesh → point cloud' first."]
    at.button(key="three_d-process-outliers").click().run()
    assert shown_errors(at) == ["'Statistical outlier removal' needs a point cloud; the current object is a mesh. "
                                "Try 'Mesh → point cloud' first."]
    assert at.session_state["three_d-shown"].step.obj.kind == "mesh"  # the refused steps left the scene as it was


def test_uploads_are_read_by_the_logic(open_page):
    at = open_page(SLUG)
    pts = np.random.default_rng(0).normal(size=(1000, 3)).astype(np.float32)
    ply = (b"ply\nformat binary_little_endian 1.0\nelement vertex 1000\nproperty float x\nproperty float y\n"
           b"property float z\nend_header\n" + pts.tobytes())
    at.file_uploader(key="three_d-upload").set_value(("cloud.ply", ply, "application/octet-stream")).run()
    assert any(m.startswith("**opened file: cloud.ply** → point cloud: 1,000 points") for m in markdowns(at))
    assert np.allclose(at.session_state["three_d-shown"].step.obj.points, pts)

    at.file_uploader(key="three_d-upload").set_value(("empty.ply", b"", "application/octet-stream")).run()
    assert shown_errors(at) == ["The file is empty."]


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)).save(buf, format="JPEG")
    return buf.getvalue()


def test_photo_to_depth_with_a_hub_model_and_offline(open_page, tiny_depth_model):
    at = open_page(SLUG)
    at.file_uploader(key="three_d-photo").set_value(("photo.jpg", _jpeg(), "image/jpeg"))
    at.text_input(key="three_d-depth-model").set_value("nobody/no-such-depth-model")
    at.button(key="three_d-depth").click().run()
    [message] = shown_errors(at)
    assert "nobody/no-such-depth-model" in message and message.endswith(sc.DEPTH_OFFLINE)

    at.text_input(key="three_d-depth-model").set_value(tiny_depth_model)
    at.button(key="three_d-depth").click().run()
    assert not shown_errors(at)
    depth_map = at.session_state["three_d-shown"].step.obj
    assert depth_map.depth.shape == (48, 64) and depth_map.relative
    assert any("depth from a photo" in m and "64 x 48" in m for m in markdowns(at))
    assert plot(at, "three_d-plot")["data"][0]["type"] == "heatmap"
