"""The provenance tab's invisible watermark (shared/watermark.py), on the suite's own
pictures at the display size: the message comes back exactly, survives JPEG down to quality 50 and
noise, is lost to resizing, cropping and rotation (the known limits, shown not hidden), an unmarked
picture reads as chance, and bad pictures get a plain message."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from shared import limits, watermark
from shared.datasets import held_out_shapes


def shown(index: int, side: int = 256) -> np.ndarray:
    return np.asarray(Image.fromarray(held_out_shapes()[index]).resize((side, side), Image.NEAREST))


@pytest.mark.parametrize("index", [0, 1, 2])
def test_the_mark_survives_jpeg_and_noise_and_is_lost_to_geometry(index):
    payload = watermark.payload_of("gan-shapes", index)
    picture = shown(index)
    marked = watermark.mark(picture, payload)
    assert marked.shape == picture.shape and marked.dtype == np.uint8
    psnr = 10 * np.log10(255**2 / np.mean((marked.astype(float) - picture) ** 2))
    assert psnr > 33  # invisible on these pictures: about 36 dB
    table = dict(watermark.robustness(marked, payload))
    assert list(table) == list(watermark.ATTACKS)
    for attack in ("none", "JPEG quality 90", "JPEG quality 75", "JPEG quality 50", "Gaussian noise, σ = 5"):
        assert table[attack] >= 0.95, (attack, table)  # the goal: >= 95% of bits after JPEG 75
    for attack in ("half size and back", "crop 5% off each side", "rotate 5°"):
        assert table[attack] < 0.8, (attack, table)
    unmarked = watermark.bit_accuracy(watermark.read(picture), payload)
    assert unmarked < 0.8  # an unmarked picture reads as chance


def test_payloads_name_model_and_seed_and_bad_pictures_get_a_message():
    assert watermark.payload_of("gan-shapes", 1) != watermark.payload_of("gan-shapes", 2)
    assert len(watermark.payload_of("vae-shapes", 0)) == watermark.PAYLOAD_BYTES
    assert watermark.bit_accuracy(b"\x00" * 6, b"\xff" * 6) == 0.0
    with pytest.raises(limits.LimitError, match="The picture must be at least 256 pixels a side to hold a mark; got 32x32."):
        watermark.mark(held_out_shapes()[0], watermark.payload_of("x", 0))
    with pytest.raises(limits.LimitError, match="The picture must be 8-bit RGB; got uint16"):
        watermark.read(np.zeros((256, 256, 3), np.uint16))
    with pytest.raises(limits.LimitError, match="The message must be 6 bytes; got 3."):
        watermark.mark(shown(0), b"abc")
