"""Photo to depth through the Hub path: a tiny Depth Anything built here and placed in the (offline,
temporary) Hub cache loads by its id, and its output becomes a depth map and then points; a model
that is not there gets a clear message."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from demos.three_d import convert, depth
from shared.checkpoints import CheckpointError
from tests.hub_cache import hub_snapshot_dir

TINY_ID = "tiny-tests/depth-anything-tiny"


@pytest.fixture(scope="module")
def tiny_depth_model():
    import torch
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config, DPTImageProcessor

    backbone = Dinov2Config(hidden_size=32, num_hidden_layers=4, num_attention_heads=2, intermediate_size=64,
                            image_size=56, patch_size=14, out_features=["stage1", "stage2", "stage3", "stage4"],
                            reshape_hidden_states=False)
    config = DepthAnythingConfig(backbone_config=backbone, reassemble_hidden_size=32, neck_hidden_sizes=[16, 16, 16, 16],
                                 fusion_hidden_size=16, head_hidden_size=8, patch_size=14)
    torch.manual_seed(0)
    folder = hub_snapshot_dir(TINY_ID)
    DepthAnythingForDepthEstimation(config).save_pretrained(folder)
    DPTImageProcessor(size={"height": 56, "width": 56}, keep_aspect_ratio=True, ensure_multiple_of=14,
                      do_pad=False).save_pretrained(folder)
    return TINY_ID


def photo(w: int = 80, h: int = 60) -> Image.Image:
    g = np.linspace(0, 255, w, dtype=np.uint8)
    return Image.fromarray(np.stack([np.tile(g, (h, 1))] * 3, -1))


def test_photo_to_depth_to_points(tiny_depth_model):
    depth_map, line = depth.estimate_depth(photo(), tiny_depth_model)
    assert depth_map.depth.shape == (60, 80) and depth_map.colors.shape == (60, 80, 3)
    assert depth_map.relative and "relative depth" in line and tiny_depth_model in line
    assert depth_map.depth.min() >= depth.NEAR - 1e-4 and depth_map.depth.max() <= depth.FAR + 1e-3
    cloud = convert.depth_to_points(depth_map)
    assert len(cloud) == 60 * 80 and cloud.colors is not None


def test_large_photos_are_shrunk_before_the_model(tiny_depth_model):
    depth_map, _ = depth.estimate_depth(photo(1200, 900), tiny_depth_model, max_side=200)
    assert depth_map.depth.shape == (150, 200)


def test_inverse_depth_nearest_is_largest():
    inverse = np.array([[0.0, 1.0], [2.0, 4.0]], np.float32)
    d = depth.inverse_to_depth(inverse)
    assert d[1, 1] < d[1, 0] < d[0, 1] < d[0, 0]
    assert d.min() == pytest.approx(depth.NEAR, rel=0.05) and d.max() == pytest.approx(depth.FAR, rel=0.05)


def test_missing_model_offline_gets_a_message():
    with pytest.raises(CheckpointError, match="offline|cannot be reached"):
        depth.estimate_depth(photo(), "nobody/no-such-depth-model")


def test_not_a_photo(tmp_path):
    from shared.limits import LimitError

    bad = tmp_path / "x.jpg"
    bad.write_bytes(b"not an image")
    with pytest.raises(LimitError, match="not an image"):
        depth.open_photo(str(bad))
