"""Mark it, sign it, pass it around: a generated picture with both kinds of provenance, and what is
left of each after what happens to pictures online.

    exhibit = make_exhibit("gan", seed=3)     # a sample, shown at 256x256, watermarked, signed (C2PA)
    for row in survival(exhibit): ...         # each journey: the credentials found, the mark's bits read
    found = inspect_file(data)                # any uploaded PNG/JPEG: its credentials and its mark

The watermark lives in the pixels (shared/watermark.py) and the credentials in the file's metadata
(credentials.py): a re-encode or a screenshot drops the metadata and keeps the pixels' mark, a resize
keeps neither in a plain editor, and an editor that signs its edits carries the credentials through
a resize that the mark does not survive.
"""

from __future__ import annotations

import datetime
import io
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from demos.provenance import credentials
from demos.provenance import wording as words
from shared import limits, watermark
from shared.memo import memoised

EDITOR = "a credentials-aware editor"


@dataclass(frozen=True)
class Exhibit:
    family: str  # demos.arena_families key
    name: str
    checkpoint: str
    seed: int
    picture: np.ndarray  # uint8 (32, 32, 3): the sample
    marked: np.ndarray  # uint8 (256, 256, 3): shown at the display size, watermarked
    payload: bytes  # the mark's 48 bits: watermark.payload_of(checkpoint, seed)
    signed: bytes  # the marked picture as a PNG file with a signed manifest
    mark_ms: float  # the watermark's cost on this picture
    sign_ms: float


def family_keys() -> tuple[str, ...]:
    from demos.arena_families import FAMILIES

    return tuple(f.key for f in FAMILIES)


def check_family(value: object) -> str:
    return limits.check_choice("generator", value, family_keys())


def png(picture: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, "PNG")
    return buffer.getvalue()


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"))


def enlarged(picture: np.ndarray, side: int = watermark.MIN_SIDE) -> np.ndarray:
    """A 32x32 picture shown at `side` pixels, nearest neighbour (crisp pixels, as the tabs show it)."""
    return np.asarray(Image.fromarray(picture).resize((side, side), Image.NEAREST))


@memoised(maxsize=32)
def _exhibit(key: str, seed: int) -> Exhibit:
    from demos.arena_families import family

    f = family(key)
    picture = f.sample(1, seed)[0]
    payload = watermark.payload_of(f.checkpoint, seed)
    t0 = time.perf_counter()
    marked = watermark.marked_for(picture, f.checkpoint, seed)  # 256x256, registered for the read-back
    t1 = time.perf_counter()
    signed = credentials.sign(png(marked), model=f.checkpoint, settings={"seed": seed, "family": f.name},
                              when=datetime.datetime.now(datetime.UTC))
    t2 = time.perf_counter()
    return Exhibit(key, f.name, f.checkpoint, seed, picture, marked, payload, signed, 1000 * (t1 - t0), 1000 * (t2 - t1))


def make_exhibit(family: object, seed: object) -> Exhibit:
    """One sample of `family` (seed), enlarged to 256x256, marked with its model and seed, and signed.
    Thirty visitors asking for the same one share it (computed once)."""
    return _exhibit(check_family(family), limits.SEED.check(seed))


def _jpeg(data: bytes, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels(data)).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _half_and_back(data: bytes) -> bytes:
    return png(watermark.ATTACKS["half size and back"](pixels(data)))


def _crop(data: bytes) -> bytes:
    return png(watermark.ATTACKS["crop 5% off each side"](pixels(data)))


def _editor_resize(data: bytes) -> bytes:
    picture = pixels(data)
    h, w = picture.shape[:2]
    bigger = np.asarray(Image.fromarray(picture).resize((w * 3 // 2, h * 3 // 2), Image.BILINEAR))
    return credentials.sign_edit(png(bigger), data, "c2pa.resized", EDITOR)


JOURNEYS: dict[str, Callable[[bytes], bytes]] = {  # wording.JOURNEYS says what each stands for
    "copied": lambda data: data,
    "jpeg": _jpeg,
    "screenshot": lambda data: png(pixels(data)),
    "half_and_back": _half_and_back,
    "crop": _crop,
    "editor_resize": _editor_resize,
}


@dataclass(frozen=True)
class Found:
    """What a file tells of its origin."""

    credentials: credentials.Credentials | None
    bits: bytes | None  # the mark's payload as read (None: the picture is too small to hold one)
    matches: float | None  # bit accuracy against the expected payload, when one is expected
    marked_by: tuple[str, int] | None  # (model, seed) when the bits name a picture this server marked
    size: tuple[int, int]


def inspect_file(data: bytes, expected: bytes | None = None) -> Found:
    """The credentials of a PNG/JPEG file and the mark in its pixels; the bits compared with `expected`,
    and looked up among the payloads this server marked."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise limits.LimitError(words.NO_FILE)
    found = credentials.read(bytes(data))  # checks the size and the format
    try:
        picture = pixels(bytes(data))
    except OSError:
        raise limits.LimitError(words.NOT_A_PICTURE) from None
    bits = watermark.read(picture) if min(picture.shape[:2]) >= watermark.MIN_SIDE else None
    matches = watermark.bit_accuracy(bits, expected) if bits is not None and expected is not None else None
    known = watermark.lookup(bits) if bits is not None else None  # the server's register of what it marked
    marked_by = (known[0], known[1]) if known else None
    return Found(found, bits, matches, marked_by, (picture.shape[1], picture.shape[0]))


@dataclass(frozen=True)
class Survival:
    journey: str  # JOURNEYS key
    found: Found


def survival(exhibit: Exhibit) -> list[Survival]:
    """Each journey applied to the signed file: what its credentials and its mark say afterwards."""
    return [Survival(key, inspect_file(journey(exhibit.signed), exhibit.payload)) for key, journey in JOURNEYS.items()]


def robustness(exhibit: Exhibit) -> list[tuple[str, float]]:
    """The mark's bits recovered after each attack of shared/watermark.py on the exhibit's pixels."""
    return watermark.robustness(exhibit.marked, exhibit.payload)
