"""A photo -> a depth map, with a depth-estimation model from the Hub through transformers
(the same loading path as every model here), e.g. depth-anything/Depth-Anything-V2-Small-hf.

Models like Depth Anything and DPT predict *relative inverse depth* (larger = nearer), known only
up to a scale and shift; metric models predict metres. The result says which it is.
"""

from __future__ import annotations

import os

import numpy as np
from PIL import Image

from demos.three_d import options
from demos.three_d.geometry import DepthMap, default_intrinsics
from shared.limits import LimitError

NEAR, FAR = 1.0, 10.0  # relative inverse depth is mapped onto depths from NEAR to FAR (arbitrary units)


def open_photo(path: str) -> Image.Image:
    """The photo at `path` as an RGB image, turned upright by its EXIF orientation; or a LimitError
    saying what is wrong with the file: missing, empty, not an image, too many pixels, or damaged.
    The pixel count is read from the header and checked before anything is decoded, so a
    'decompression bomb' (a small file that claims billions of pixels) costs nothing."""
    from PIL import ImageOps, UnidentifiedImageError

    try:
        size = os.path.getsize(path)
    except OSError:
        raise LimitError("The photo could not be found on the server; upload it again.") from None
    if size == 0:
        raise LimitError("The photo file is empty (0 bytes).")
    if size > options.PHOTO_BYTES:
        raise LimitError(f"The photo file is {size / 2**20:.0f} MB; the limit is {options.PHOTO_BYTES // 2**20} MB.")
    try:
        image = Image.open(path)  # reads the header only
    except Image.DecompressionBombError:  # PIL's own refusal, far above this tab's limit
        raise LimitError(f"The photo claims more than {2 * (Image.MAX_IMAGE_PIXELS or 0):,} pixels; this tab opens "
                         f"photos of up to {options.PHOTO_PIXELS:,} pixels.") from None
    except UnidentifiedImageError:
        raise LimitError("The file is not an image that can be opened (PNG, JPEG, WebP, BMP, GIF, TIFF...).") from None
    except (OSError, ValueError, EOFError):  # the file exists: what fails is its header
        raise LimitError("The photo is damaged or cut short: its header cannot be read.") from None
    with image:
        width, height = image.size
        if width * height > options.PHOTO_PIXELS:
            raise LimitError(f"The photo is {width:,} x {height:,} pixels ({width * height:,}); the limit is "
                             f"{options.PHOTO_PIXELS:,} pixels. Shrink it and try again.")
        if min(width, height) < options.PHOTO_MIN_SIDE:
            raise LimitError(f"The photo is {width} x {height} pixels; it needs at least {options.PHOTO_MIN_SIDE} "
                             "on each side.")
        try:
            image.load()  # the pixels are decoded here: a cut or damaged file fails now
            rgb = image.convert("RGB")
        except MemoryError:
            raise LimitError("The photo needs more memory to decode than this server has; try a smaller one.") from None
        except Exception:  # noqa: BLE001 (each decoder fails in its own way; all mean the same to the user)
            kind = image.format or "image"
            raise LimitError(f"The photo is damaged or cut short: it starts as a {kind} file of {width} x {height} "
                             "pixels, but its pixels cannot be decoded.") from None
    try:
        return ImageOps.exif_transpose(rgb)  # phones store photos sideways, with an orientation tag
    except Exception:  # noqa: BLE001 (a broken orientation tag is not worth refusing the photo for)
        return rgb


def inverse_to_depth(inverse: np.ndarray) -> np.ndarray:
    """Relative inverse depth (H, W) -> depth from NEAR to FAR: the largest value is nearest.
    1/depth is linear in the model's output, so the scene keeps its proportions up to scale."""
    lo, hi = np.percentile(inverse, [1, 99.5])
    t = np.clip((inverse - lo) / max(hi - lo, 1e-6), 0, 1)  # 0 = far, 1 = near
    return (1.0 / (1.0 / FAR + t * (1.0 / NEAR - 1.0 / FAR))).astype(np.float32)


def estimate_depth(image: Image.Image, model_id: str = options.DEPTH_MODEL, max_side: int = 512) -> tuple[DepthMap, str]:
    """(depth map with the photo's colours, a line saying which model made it and what its numbers mean)."""
    import torch
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
