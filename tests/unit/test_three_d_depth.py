"""Photo to depth through the Hub path: a tiny Depth Anything (the tiny_depth_model fixture of
tests/conftest.py) placed in the (offline, temporary) Hub cache loads by its id, and its output
becomes a depth map and then points; a model that is not there gets a clear message."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from PIL import Image

from demos.three_d import convert, depth
from shared.checkpoints import CheckpointError


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


def png_claiming(width: int, height: int) -> bytes:
    """A few dozen bytes of PNG whose header claims width x height pixels: a decompression bomb's
    shape (its pixel data would be a few kB of zlib for billions of pixels)."""
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def jpeg_bytes(w: int = 64, h: int = 48) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (h, w, 3), dtype=np.uint8)).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.mark.parametrize("content, message", [
    (b"not an image", r"^The file is not an image that can be opened \(PNG, JPEG"),
    (b"", r"^The photo file is empty \(0 bytes\)\.$"),
    (jpeg_bytes()[:1600], r"^The photo is damaged or cut short: it starts as a JPEG file of 64 x 48 pixels, but its "
                          r"pixels cannot be decoded\.$"),
    (jpeg_bytes()[:400], r"^The photo is damaged or cut short"),
    (png_claiming(5000, 5000), r"^The photo is 5,000 x 5,000 pixels \(25,000,000\); the limit is 16,777,216 pixels\."),
    (png_claiming(100_000, 100_000), r"^The photo claims more than [\d,]+ pixels; this tab opens photos of up to "
                                     r"16,777,216 pixels\.$"),
    (png_claiming(3, 2), r"^The photo is 3 x 2 pixels; it needs at least 8 on each side\.$"),
], ids=["not-an-image", "empty", "truncated", "truncated-header", "too-many-pixels", "decompression-bomb", "too-small"])
def test_bad_photos_get_a_message(tmp_path, content, message):
    from shared.limits import LimitError

    bad = tmp_path / "photo.png"
    bad.write_bytes(content)
    with pytest.raises(LimitError, match=message):
        depth.open_photo(str(bad))


def test_missing_photo(tmp_path):
    from shared.limits import LimitError

    with pytest.raises(LimitError, match="could not be found"):
        depth.open_photo(str(tmp_path / "gone.jpg"))


def test_photos_open_upright_in_rgb(tmp_path):
    grey = tmp_path / "grey.png"
    Image.new("L", (40, 20), 128).save(grey)
    image = depth.open_photo(str(grey))
    assert image.mode == "RGB" and image.size == (40, 20)
    rotated = tmp_path / "rotated.jpg"  # stored 40 x 20, tagged "turn 90 degrees": shown 20 x 40
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (40, 20), "red").save(rotated, exif=exif)
    assert depth.open_photo(str(rotated)).size == (20, 40)
