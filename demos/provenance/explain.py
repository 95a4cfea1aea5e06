"""What the bundled detector says about a picture, and where it looked.

    p = probability_generated(images)           # (n,) for uint8 (n, 32, 32, 3)
    look = look_at(picture)                     # one picture: its probability and its evidence map

The evidence map is exact for this network: the head reads the maximum of each feature channel over
the 8x8 positions, so the logit is  b + sum_c w_c max_p f_c(p),  and crediting each channel's term
to the position where its maximum was taken (shared among tied positions) splits the logit over positions with nothing left over
(a class-activation map for a max-pooled head). Red cells pushed towards "generated", blue towards
"real"; the cells sum to the logit minus the bias.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from demos.provenance import options
from shared import limits

_lock = threading.Lock()
_model = None


def detector():  # noqa: ANN201 (GeneratedDetector, eval mode)
    """The bundled detector (checkpoints/detector-shapes), loaded once per process."""
    global _model
    with _lock:
        if _model is None:
            from demos.provenance.model import BUNDLED_NAME, GeneratedDetector
            from shared.checkpoints import load

            _model = load(GeneratedDetector, BUNDLED_NAME, device="cpu").model.eval()
        return _model


def probability_generated(images: np.ndarray) -> np.ndarray:
    """(n,) float: the detector's probability that each uint8 (n, 32, 32, 3) picture was generated."""
    import torch

    from shared.shapes_classifier import to_tensor

    with torch.inference_mode():
        return torch.sigmoid(detector()(to_tensor(np.asarray(images)))).numpy().astype(np.float64)


@dataclass(frozen=True)
class Look:
    picture: np.ndarray  # uint8 (32, 32, 3): what the detector read
    probability: float  # that it was generated
    logit: float
    evidence: np.ndarray  # float (8, 8): each position's share of the logit (sums to logit - bias)
    residual: np.ndarray  # float (32, 32): the high-pass residual's magnitude, what the network's input is


def look_at(picture: np.ndarray) -> Look:
    """The detector's verdict on one uint8 (32, 32, 3) picture and its exact evidence map."""
    import torch

    from shared.shapes_classifier import to_tensor

    picture = np.asarray(picture)
    if picture.shape != (32, 32, 3) or picture.dtype != np.uint8:
        raise limits.LimitError(f"The detector reads 32x32 RGB pictures; got {picture.dtype} {picture.shape}.")
    model = detector()
    with torch.inference_mode():
        x = to_tensor(picture[None])
        features = model.feature_map(x)[0]  # (C, 8, 8)
        flat = features.flatten(1)  # (C, 64)
        top = flat.max(1).values  # (C,)
        winners = (flat >= top[:, None] - 1e-6).float()  # a flat background ties: share the credit
        w = model.head.weight[0]  # (C,)
        evidence = (winners * (w * top / winners.sum(1))[:, None]).sum(0)  # (64,)
        logit = float(evidence.sum() + model.head.bias[0])
        residual = model.high_pass(x)[0].abs().sum(0)
    return Look(picture, float(1 / (1 + np.exp(-logit))), logit, evidence.view(8, 8).numpy().astype(np.float64),
                residual.numpy().astype(np.float64))


def picture_from_file(path: str | Path | None) -> np.ndarray:
    """An uploaded or drawn picture as the detector reads it: RGB, shrunk to 32x32 by averaging."""
    from PIL import Image, UnidentifiedImageError

    if not path:
        raise limits.LimitError("Upload or draw a picture first.")
    path = Path(path)
    if not path.is_file():
        raise limits.LimitError("The picture could not be found; upload it again.")
    if path.stat().st_size > options.UPLOAD_MAX_BYTES:
        raise limits.LimitError(f"The picture must be at most {options.UPLOAD_MAX_BYTES // 2**20} MB.")
    try:
        with Image.open(path) as image:
            image.draft("RGB", (64, 64))  # JPEG: decode small
            if image.width * image.height > 40_000_000:
                raise limits.LimitError("The picture is too large (more than 40 megapixels).")
            rgb = image.convert("RGB")
    except (UnidentifiedImageError, OSError):
        raise limits.LimitError("That file is not a picture this app can read (PNG, JPEG, WebP, GIF or BMP).") from None
    if rgb.size != (32, 32):
        rgb = rgb.resize((32, 32), Image.BOX)
    return np.asarray(rgb, dtype=np.uint8)


def chosen_picture(source: object, index: object, path: str | None) -> tuple[np.ndarray, str]:
    """The picture to look at and where it came from: options.UPLOADED reads the given file, any
    other source takes picture `index` (modulo their number) of the quiz's exhibits."""
    from demos.provenance import stored

    names = stored.source_names()
    source = limits.check_choice("picture source", source, (*names, options.UPLOADED))
    if source == options.UPLOADED:
        return picture_from_file(path), options.UPLOADED
    pictures = stored.exhibits()[source]
    return pictures[options.PICTURE_INDEX.check(index) % len(pictures)], source
