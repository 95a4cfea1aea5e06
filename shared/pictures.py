"""Any picture a user uploads, opened as the RGB image they would expect, or refused with a sentence.

    image = open_picture(path, PictureLimits(...))   # PIL RGB, upright, alpha flattened
    square = centre_square(image, 32)                 # uint8 (32, 32, 3): centre crop, then resize

Checks come before decoding: the file's size, then the pixel count from the header (so a small file
that claims billions of pixels costs nothing), then the decode itself. Odd modes are turned into
what a viewer shows: palette and CMYK to RGB, 16-bit and float greys scaled to 8 bits, transparent
pixels laid over a background colour, an animation's first frame.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from PIL import Image

from shared.limits import LimitError


@dataclass(frozen=True)
class PictureLimits:
    max_bytes: int = 50 * 2**20
    max_pixels: int = 4096 * 4096  # PIL's own bomb check is at 179 M
    min_side: int = 8
    noun: str = "photo"  # what the messages call the file: "photo", "image"
    background: tuple[int, int, int] = (255, 255, 255)  # what transparent pixels become


def _to_8_bit(image: Image.Image) -> Image.Image:
    """16-bit and float greys ('I;16', 'I', 'F') as 8-bit 'L': PIL's own convert clips them at 255."""
    values = np.asarray(image, dtype=np.float64)
    top = 65535.0 if image.mode.startswith("I;16") else max(float(values.max()), 1.0)
    if image.mode == "F":
        low = float(values.min())
        values, top = values - low, max(float(values.max()) - low, 1e-12)
    return Image.fromarray((values.clip(0, top) / top * 255).round().astype(np.uint8), "L")


def _to_rgb(image: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        image = _to_8_bit(image)
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (*background, 255))
        return Image.alpha_composite(flat, rgba).convert("RGB")
    return image.convert("RGB")


def open_picture(path: str, limits: PictureLimits = PictureLimits()) -> Image.Image:
    """The picture at `path` as an RGB image, turned upright by its EXIF orientation; or a
    LimitError saying what is wrong with the file: missing, empty, not an image, too large, too
    small, or damaged."""
    from PIL import ImageOps, UnidentifiedImageError

    noun = limits.noun
    try:
        size = os.path.getsize(path)
    except (OSError, TypeError, ValueError):
        raise LimitError(f"The {noun} could not be found on the server; upload it again.") from None
    if size == 0:
        raise LimitError(f"The {noun} file is empty (0 bytes).")
    if size > limits.max_bytes:
        raise LimitError(f"The {noun} file is {size / 2**20:.0f} MB; the limit is {limits.max_bytes // 2**20} MB.")
    try:
        image = Image.open(path)  # reads the header only
    except Image.DecompressionBombError:  # PIL's own refusal, far above any limit here
        raise LimitError(f"The {noun} claims more than {2 * (Image.MAX_IMAGE_PIXELS or 0):,} pixels; this tab opens "
                         f"{noun}s of up to {limits.max_pixels:,} pixels.") from None
    except UnidentifiedImageError:
        raise LimitError("The file is not an image that can be opened (PNG, JPEG, WebP, BMP, GIF, TIFF...).") from None
    except (OSError, ValueError, EOFError):  # the file exists: what fails is its header
        raise LimitError(f"The {noun} is damaged or cut short: its header cannot be read.") from None
    with image:
        width, height = image.size
        if width * height > limits.max_pixels:
            raise LimitError(f"The {noun} is {width:,} x {height:,} pixels ({width * height:,}); the limit is "
                             f"{limits.max_pixels:,} pixels. Shrink it and try again.")
        if min(width, height) < limits.min_side:
            raise LimitError(f"The {noun} is {width} x {height} pixels; it needs at least {limits.min_side} "
                             "on each side.")
        try:
            image.load()  # the pixels are decoded here (the first frame of an animation): a cut file fails now
            rgb = _to_rgb(image, limits.background)
        except MemoryError:
            raise LimitError(f"The {noun} needs more memory to decode than this server has; try a smaller one.") from None
        except Exception:  # noqa: BLE001 (each decoder fails in its own way; all mean the same to the user)
            kind = image.format or "image"
            raise LimitError(f"The {noun} is damaged or cut short: it starts as a {kind} file of {width} x {height} "
                             "pixels, but its pixels cannot be decoded.") from None
        exif = image.getexif() if hasattr(image, "getexif") else None
    try:
        if exif and exif.get(0x0112, 1) != 1:  # phones store photos sideways, with an orientation tag
            rgb.info["exif"] = exif.tobytes()
            return ImageOps.exif_transpose(rgb)
    except Exception:  # noqa: BLE001 (a broken orientation tag is not worth refusing the picture for)
        pass
    return rgb


def centre_square(image: Image.Image, side: int) -> np.ndarray:
    """The largest centred square of the image, resized to side x side: uint8 (side, side, 3).
    Shrinking averages whole pixels (BOX), as a camera would; enlarging is bicubic."""
    width, height = image.size
    s = min(width, height)
    left, top = (width - s) // 2, (height - s) // 2
    square = image.crop((left, top, left + s, top + s))
    method = Image.Resampling.BOX if s >= side else Image.Resampling.BICUBIC
    return np.asarray(square.resize((side, side), method).convert("RGB"))
