"""A photo -> a depth map, with a depth-estimation model from the Hub through transformers
(the same loading path as every model here), e.g. depth-anything/Depth-Anything-V2-Small-hf.

Models like Depth Anything and DPT predict *relative inverse depth* (larger = nearer), known only
up to a scale and shift; metric models predict metres. The result says which it is.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from demos.three_d import options
from demos.three_d.geometry import DepthMap, default_intrinsics
from shared import heavy
from shared.pictures import PictureLimits, open_picture

NEAR, FAR = 1.0, 10.0  # relative inverse depth is mapped onto depths from NEAR to FAR (arbitrary units)


def open_photo(path: str) -> Image.Image:
    """The photo at `path` as an upright RGB image, or a LimitError that says what is wrong with the
    file (see shared.pictures.open_picture), within this tab's limits."""
    return open_picture(path, PictureLimits(options.PHOTO_BYTES, options.PHOTO_PIXELS, options.PHOTO_MIN_SIDE))


def inverse_to_depth(inverse: np.ndarray) -> np.ndarray:
    """Relative inverse depth (H, W) -> depth from NEAR to FAR: the largest value is nearest.
    1/depth is linear in the model's output, so the scene keeps its proportions up to scale."""
    lo, hi = np.percentile(inverse, [1, 99.5])
    t = np.clip((inverse - lo) / max(hi - lo, 1e-6), 0, 1)  # 0 = far, 1 = near
    return (1.0 / (1.0 / FAR + t * (1.0 / NEAR - 1.0 / FAR))).astype(np.float32)


def estimate_depth(image: Image.Image, model_id: str = options.DEPTH_MODEL, max_side: int = 512) -> tuple[DepthMap, str]:
    """(depth map with the photo's colours, a line saying which model made it and what its numbers mean)."""
    import torch
    heavy.ready("transformers")
    from transformers import AutoImageProcessor, AutoModelForDepthEstimation

    from shared.checkpoints import load

    model = load(AutoModelForDepthEstimation, model_id, device="cpu").model
    processor = load(AutoImageProcessor, model_id, device="cpu").model
    if max(image.size) > max_side:  # the model sees ~518 px anyway; this bounds the point count
        image = image.copy()
        image.thumbnail((max_side, max_side))
    inputs = processor(images=image, return_tensors="pt")
    with torch.inference_mode():
        predicted = model(**inputs).predicted_depth  # (1, h, w)
    predicted = torch.nn.functional.interpolate(predicted[:, None], size=(image.height, image.width), mode="bicubic",
                                                align_corners=False)[0, 0].numpy()
    metric = getattr(model.config, "depth_estimation_type", "relative") == "metric"
    depth = np.clip(predicted, 0, None).astype(np.float32) if metric else inverse_to_depth(predicted)
    fx, fy, cx, cy = default_intrinsics(image.width, image.height)
    colors = np.asarray(image, np.float32) / 255
    kind = "metric depth in metres" if metric else f"relative depth (the model's inverse depth mapped onto {NEAR:g} to {FAR:g} units)"
    return DepthMap(depth, fx, fy, cx, cy, colors, relative=not metric), f"{model_id}: {kind}, {image.width} x {image.height}"
