"""Invisible watermarks for every generator of the suite and the provenance tab (issue 36), with
`invisible-watermark` (imwatermark: the DWT-DCT mark Stable Diffusion's reference code applies),
tuned for the suite's pictures and measured.

    marked = mark(picture, payload_of("gan-shapes", seed=42))    # uint8 (H, W, 3) RGB, H, W >= 256
    read(marked)                                                   # -> the 6 payload bytes back
    for attack, accuracy in robustness(marked, payload): ...       # bit accuracy after each attack

Why these settings (measured on five held-out shapes at 256 and 512 pixels a side, a 48-bit payload):
the library's default puts the mark in the two chroma channels (YUV scales [0, 36, 36]), and JPEG's
4:2:0 chroma subsampling then erases it at every quality, 90 included, on these flat pictures: the
bits recovered fall to what an unmarked picture gives (52%). In the luma channel at scale 60 it
survives JPEG 90, 75 and 50 (100%) and Gaussian noise (sigma 5), at a PSNR of 36 dB, 8 ms a 256x256
picture; scale 20 survives only JPEG 90, and scale 36 failed outright (the quantiser's step lands on
the flat background's values). Like every DWT-DCT mark it does not survive resizing, cropping or
rotation (the blocks move): the robustness table shows that too.

The embedding is imwatermark's dwtDct (the same blocks, quantiser and bit order: on a shapes sample
at 256 its picture but for one pixel in a few hundred, and each reads the other's marks, which a test
checks), with its loop over the blocks done in numpy at once, 2-5 times faster, so that every
generator of the suite can mark what it shows (issue 36); and four of its flaws corrected, all of
which the suite's display pictures (sheets on white with labels, samples enlarged by whole pixels)
meet: it wraps values past white round to black (dark specks on white margins); it counts white,
which cannot hold a 1, as votes for 0 (a PixelCNN picture, 77% white, read back at chance); it
quantises a flat patch's coefficient below its equals, where the reader does not find it (a 4-step
diffusion sample, every pixel a flat 8x8 patch, read back at 60%: _quantised); and it swaps two
detail bands on the way back (every 2x2 spot transposed: labels and edges scrambled, a GAN sheet at
27 dB, 37 dB corrected). The reader looks at the same coefficients, so the library reads these marks
too wherever a picture is not mostly white. The server-wide switch and the funnel:

    python app.py --watermark                 # or GENAI_DEMOS_WATERMARK=1 (both front ends)
    picture = shown(picture, "gan-shapes", seed)   # off: the picture itself; on: enlarged, marked, registered
    lookup(read(picture))                          # -> ("gan-shapes", seed, when) for what this server marked
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
from PIL import Image

from shared import limits

METHOD = "dwtDct"
SCALES = [60, 0, 0]  # embed in Y (luma) only: chroma does not survive JPEG's subsampling
PAYLOAD_BYTES = 6  # 48 bits, as Stable Diffusion XL's pipelines use
MIN_SIDE = 256  # a 32x32 image has too little room: the suite marks its pictures at the display size
BLOCK = 4  # the library's block of DWT coefficients, one bit each (an 8x8 patch of pixels)
MARGIN = 4.0  # how far a coefficient must be from a decision's edge to be read back for sure (the cast
# to uint8 alone moves one by up to 2)
ENVIRONMENT = "GENAI_DEMOS_WATERMARK"  # "1": every generator marks what it shows (app.py --watermark too)
REGISTER_SIZE = 4096  # the payloads this server marked, remembered for the provenance tab's read-back


def payload_of(model: str, seed: int) -> bytes:
    """The 48-bit message for an image: a hash of the model's name and the seed (the mark names them
    without holding them; the tab keeps the table of what it marked)."""
    return hashlib.sha256(f"{model}|{int(seed)}".encode()).digest()[:PAYLOAD_BYTES]


def _bgr(picture: np.ndarray) -> np.ndarray:
    picture = np.asarray(picture)
    if picture.ndim != 3 or picture.shape[2] != 3 or picture.dtype != np.uint8:
        raise limits.LimitError(f"The picture must be 8-bit RGB; got {picture.dtype} {picture.shape}.")
    if min(picture.shape[:2]) < MIN_SIDE:
        raise limits.LimitError(f"The picture must be at least {MIN_SIDE} pixels a side to hold a mark; "
                                f"got {picture.shape[1]}x{picture.shape[0]}.")
    return np.ascontiguousarray(picture[..., ::-1])


def _blocks(ca: np.ndarray) -> np.ndarray:
    """The whole BLOCKxBLOCK blocks of a coefficient plane, (n, BLOCK * BLOCK), in the library's
    order (row by row): block k holds bit k % 48 of the message."""
    rows, cols = ca.shape[0] // BLOCK, ca.shape[1] // BLOCK
    return ca[:rows * BLOCK, :cols * BLOCK].reshape(rows, BLOCK, cols, BLOCK).swapaxes(1, 2).reshape(-1, BLOCK * BLOCK)


def _put_blocks(ca: np.ndarray, blocks: np.ndarray) -> None:
    """_blocks' inverse: the blocks written back into the plane, in place."""
    rows, cols = ca.shape[0] // BLOCK, ca.shape[1] // BLOCK
    ca[:rows * BLOCK, :cols * BLOCK] = blocks.reshape(rows, cols, BLOCK, BLOCK).swapaxes(1, 2).reshape(rows * BLOCK, cols * BLOCK)


def _strongest(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each block's largest coefficient but the first (its index, its value): where the bit goes.
    The coefficients are the DWT's approximation (twice a 2x2 spot's mean luma), not a DCT: the bit
    is the brightest spot of an 8x8 patch, quantised."""
    at = np.abs(blocks[:, 1:]).argmax(axis=1) + 1
    return at, blocks[np.arange(len(blocks)), at]


def _too_bright(value: np.ndarray, scale: float) -> np.ndarray:
    """The blocks whose brightest spot cannot take a 1 without passing white ((q + 3/4) s > 2 x 255):
    left unmarked and not read. The library marks them anyway: the value wraps round to near black
    (dark specks on every white margin) and white reads as 0, so a picture mostly white (a sheet
    with labels) loses its message."""
    return (np.abs(value) // scale + 0.75) * scale > 2 * 255


def _reads(value: np.ndarray, bits: np.ndarray, scale: float, margin: float) -> np.ndarray:
    """Whether a coefficient reads as `bits` with `margin` to spare: its place in the step, |c| mod s,
    is in the half of the step that means the bit (0: below s/2, 1: above), `margin` from its edges."""
    place = np.abs(value) % scale
    low, high = np.where(bits == 1, scale / 2, 0) + margin, np.where(bits == 1, scale, scale / 2) - margin
    return (low <= place) & (place <= high)


def _quantised(value: np.ndarray, runner_up: np.ndarray, bits: np.ndarray, scale: float) -> np.ndarray:
    """Where each block's strongest coefficient goes to hold its bit, |c| -> t (the sign kept).

    The library's t = (|c| // s + 1/4 + bit/2) s is kept wherever the read-back finds it: the reader
    takes the block's strongest coefficient again, and when t falls below the runner-up (a flat
    patch, as every pixel of a sample enlarged 8 times is; or a close second) it reads the
    runner-up's own place in the step instead, right or wrong at random: on a 4-step diffusion
    sample, a quarter of the blocks voted wrong and the message read back at 60%. Where that
    happens, t moves one step up or down (the nearer that the reader finds), within the limit of
    what is not too bright; a block nothing fits keeps the library's t."""
    margin = MARGIN
    ours = (np.abs(value) // scale + 0.25 + 0.5 * bits) * scale

    def found(t: np.ndarray) -> np.ndarray:
        # read back for sure: clearly the strongest, or as close as the runner-up, which reads the bit too
        clear = (t >= runner_up + margin) | _reads(runner_up, bits, scale, margin)
        return clear & (t >= 0) & ~_too_bright(t, scale)

    up, down = ours + scale, ours - scale
    nearer = np.where(np.abs(up - np.abs(value)) <= np.abs(np.abs(value) - down), up, down)
    farther = np.where(nearer == up, down, up)
    chosen = np.where(found(ours), ours, np.where(found(nearer), nearer, np.where(found(farther), farther, ours)))
    return np.where(value >= 0, 1.0, -1.0) * chosen


def _luma_dwt(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple]:
    """The picture in YUV, and the Haar DWT of its luma cut to whole 4-pixel steps (as the library)."""
    import cv2
    import pywt

    yuv = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV)
    rows, cols = bgr.shape[0] // 4 * 4, bgr.shape[1] // 4 * 4
    ca, details = pywt.dwt2(yuv[:rows, :cols, 0], "haar")
    return yuv, ca, details


def mark(picture: np.ndarray, payload: bytes) -> np.ndarray:
    """The picture with `payload` (PAYLOAD_BYTES) embedded invisibly, uint8 RGB of the same size.

    imwatermark's dwtDct at SCALES: in each 4x4 block of the luma's DWT approximation, the largest
    coefficient but the first is quantised to an odd or even half-step of the scale, c = (|c| // s
    + 1/4 + bit/2) s with c's sign (or a step away, where the reader would not find that:
    _quantised); bit k % 48 of the message in block k. Blocks too bright to hold a 1 are left alone
    (_too_bright)."""
    import cv2
    import pywt

    if len(payload) != PAYLOAD_BYTES:
        raise limits.LimitError(f"The message must be {PAYLOAD_BYTES} bytes; got {len(payload)}.")
    bgr = _bgr(picture)
    yuv, ca, (h, v, d) = _luma_dwt(bgr)
    blocks = _blocks(ca)
    at, value = _strongest(blocks)
    others = np.abs(blocks[:, 1:])
    others[np.arange(len(blocks)), at - 1] = -np.inf
    bits = np.unpackbits(np.frombuffer(payload, np.uint8))[np.arange(len(blocks)) % (8 * PAYLOAD_BYTES)]
    scale = SCALES[0]
    marked = _quantised(value, others.max(axis=1), bits, scale)
    blocks[np.arange(len(blocks)), at] = np.where(_too_bright(value, scale), value, marked)
    _put_blocks(ca, blocks)
    rows, cols = bgr.shape[0] // 4 * 4, bgr.shape[1] // 4 * 4
    # clipped to [0, 255] where the library's cast to uint8 wraps round; and the details put back in
    # their places (the library swaps the horizontal and vertical ones, which transposes every 2x2
    # spot: on a sheet's labels and edges, 1,500 pixels off by more than 30 levels and 27 dB)
    yuv[:rows, :cols, 0] = np.clip(pywt.idwt2((ca, (h, v, d)), "haar"), 0, 255)
    return np.ascontiguousarray(cv2.cvtColor(yuv, cv2.COLOR_YUV2BGR)[..., ::-1])


def read(picture: np.ndarray) -> bytes:
    """The PAYLOAD_BYTES the picture's mark holds (from an unmarked picture: bytes that mean nothing)."""
    _, ca, _ = _luma_dwt(_bgr(picture))
    _, value = _strongest(_blocks(ca))
    scale, n_bits = SCALES[0], 8 * PAYLOAD_BYTES
    votes = (np.abs(value) % scale > 0.5 * scale).astype(float)  # each block's bit
    counted = ~_too_bright(value, scale)
    which = np.arange(len(value)) % n_bits
    # the share of a bit's blocks that read 1, above one half (the library's threshold, 127/255)
    share = np.bincount(which, votes * counted, n_bits) / np.maximum(np.bincount(which, counted, n_bits), 1)
    return np.packbits(share * 255 > 127).tobytes()


def bit_accuracy(a: bytes, b: bytes) -> float:
    """The share of bits two messages agree on (0.5: chance)."""
    return float((np.unpackbits(np.frombuffer(a, np.uint8)) == np.unpackbits(np.frombuffer(b, np.uint8))).mean())


def _jpeg(quality: int) -> Callable[[np.ndarray], np.ndarray]:
    def attack(picture: np.ndarray) -> np.ndarray:
        buffer = io.BytesIO()
        Image.fromarray(picture).save(buffer, "JPEG", quality=quality)
        return np.asarray(Image.open(buffer).convert("RGB"))
    return attack


def _resize(picture: np.ndarray) -> np.ndarray:
    h, w = picture.shape[:2]
    return np.asarray(Image.fromarray(picture).resize((w // 2, h // 2), Image.BILINEAR).resize((w, h), Image.BILINEAR))


def _crop(picture: np.ndarray) -> np.ndarray:
    h, w = picture.shape[:2]
    return np.asarray(Image.fromarray(picture).crop((w // 20, h // 20, w - w // 20, h - h // 20)).resize((w, h)))


def _noise(picture: np.ndarray) -> np.ndarray:
    noisy = picture + np.random.default_rng(0).normal(0, 5, picture.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _rotate(picture: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(picture).rotate(5, resample=Image.BILINEAR))


ATTACKS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "none": lambda p: p,
    "JPEG quality 90": _jpeg(90),
    "JPEG quality 75": _jpeg(75),
    "JPEG quality 50": _jpeg(50),
    "Gaussian noise, σ = 5": _noise,
    "half size and back": _resize,
    "crop 5% off each side": _crop,
    "rotate 5°": _rotate,
}


def robustness(marked: np.ndarray, payload: bytes) -> list[tuple[str, float]]:
    """Each attack on the marked picture, and the share of the payload's bits read back after it."""
    return [(name, bit_accuracy(read(attack(marked)), payload)) for name, attack in ATTACKS.items()]


# ---- the server-wide switch, the funnel every generator's samples pass through, the register ----

_switch: bool | None = None  # enable()'s choice; None: the environment's
_register: OrderedDict[bytes, tuple[str, int, float]] = OrderedDict()  # payload -> (model, seed, when), oldest first
_register_lock = threading.Lock()


def enabled() -> bool:
    """Whether this server marks what its generators show: app.py --watermark (enable), else the
    environment's GENAI_DEMOS_WATERMARK=1 (how the Streamlit front end is told); off by default."""
    if _switch is not None:
        return _switch
    return os.environ.get(ENVIRONMENT, "").strip().lower() in {"1", "true", "yes", "on"}


def enable(on: bool | None = True) -> None:
    """Turn the marking on or off for this process; None hands the choice back to the environment."""
    global _switch
    _switch = None if on is None else bool(on)


def display_factor(height: int, width: int) -> int:
    """The smallest whole enlargement that makes both sides at least MIN_SIDE (1: already large enough)."""
    return max(1, -(-MIN_SIDE // max(1, min(height, width))))


def shown(picture: np.ndarray, model: str, seed: int) -> np.ndarray:
    """What a generator shows, the one place its samples pass through on their way to the screen.

    Switch off (the default): the picture itself, untouched. On: marked_for(picture, model, seed).
    picture: uint8 (H, W, 3) RGB."""
    if not enabled():
        return picture
    return marked_for(picture, model, seed)


def marked_for(picture: np.ndarray, model: str, seed: int) -> np.ndarray:
    """The picture enlarged by display_factor (nearest neighbour: a whole factor keeps the pixels
    crisp), marked with payload_of(model, seed), and the payload registered (lookup) so the
    provenance tab can name the model and seed of a picture this server showed."""
    picture = np.asarray(picture)
    k = display_factor(*picture.shape[:2])
    payload = payload_of(model, seed)
    marked = mark(picture.repeat(k, 0).repeat(k, 1) if k > 1 else picture, payload)
    _remember(payload, model, int(seed))
    return marked


def shown_png(png: bytes, model: str, seed: int) -> bytes:
    """shown() for a picture already encoded as PNG (a view memoised as bytes): off, the same bytes."""
    if not enabled():
        return png
    from shared.image_files import png_bytes

    with Image.open(io.BytesIO(png)) as image:
        picture = np.asarray(image.convert("RGB"))
    return png_bytes(shown(picture, model, seed))


def _remember(payload: bytes, model: str, seed: int) -> None:
    with _register_lock:
        _register[payload] = (model, seed, time.time())
        _register.move_to_end(payload)
        while len(_register) > REGISTER_SIZE:
            _register.popitem(last=False)


def lookup(payload: bytes) -> tuple[str, int, float] | None:
    """(model, seed, when: a time.time()) of the picture this server last marked with `payload`,
    among its last REGISTER_SIZE; None for a payload it did not mark (or has forgotten)."""
    with _register_lock:
        return _register.get(bytes(payload))
