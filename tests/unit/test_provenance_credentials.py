"""Content credentials (demos/provenance/credentials.py), offline with the demo's TEST chain: a signed
picture reads back with what made it; re-encoding strips the manifest while the invisible mark
survives; a changed pixel breaks the manifest's hash; a file that is not PNG or JPEG gets a message."""

from __future__ import annotations

import datetime
import io

import numpy as np
import pytest
from PIL import Image

from demos.provenance import credentials
from shared import limits, watermark
from shared.datasets import held_out_shapes

WHEN = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=datetime.UTC)


def png(picture: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, "PNG")
    return buffer.getvalue()


def shown(index: int) -> np.ndarray:
    return np.asarray(Image.fromarray(held_out_shapes()[index]).resize((256, 256), Image.NEAREST))


def test_a_signed_picture_reads_back_what_made_it_and_an_unsigned_one_has_none():
    data = png(shown(0))
    assert credentials.read(data) is None
    signed = credentials.sign(data, "gan-shapes", {"seed": 42, "truncation": 0.7}, WHEN)
    found = credentials.read(signed)
    assert found.generated and found.agent == "gan-shapes" and found.settings == {"seed": "42", "truncation": "0.7"}
    assert found.when == "2026-12-04T12:00:00+00:00" and found.title == "gan-shapes sample"
    assert found.signer == "genai-demos TEST signer (genai-demos TEST ONLY)"
    assert found.problems == ("signingCredential.untrusted",) and found.intact  # a test chain: untrusted, on purpose
    # the pixels are untouched by signing
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(signed)).convert("RGB")), shown(0))


def test_re_encoding_strips_the_manifest_but_not_the_mark_and_a_changed_pixel_breaks_it():
    payload = watermark.payload_of("gan-shapes", 7)
    marked = watermark.mark(shown(1), payload)
    signed = credentials.sign(png(marked), "gan-shapes", {"seed": 7}, WHEN)
    buffer = io.BytesIO()
    Image.open(io.BytesIO(signed)).convert("RGB").save(buffer, "JPEG", quality=75)  # a re-save, a screenshot
    assert credentials.read(buffer.getvalue()) is None
    assert watermark.bit_accuracy(watermark.read(np.asarray(Image.open(buffer).convert("RGB"))), payload) >= 0.95
    tampered = bytearray(signed)
    tampered[signed.rfind(b"IDAT") + 20] ^= 0xFF
    broken = credentials.read(bytes(tampered))
    assert "assertion.dataHash.mismatch" in broken.problems and not broken.intact


def test_files_that_are_not_png_or_jpeg_get_a_message():
    with pytest.raises(limits.LimitError, match="Content credentials are read and written here for PNG and JPEG files only."):
        credentials.read(b"GIF89a not really")
    with pytest.raises(limits.LimitError, match="The file must be at most 20 MB."):
        credentials.read(b"\x89PNG" + bytes(21 * 2**20))


def test_an_editor_that_signs_its_edit_keeps_the_chain_back_to_the_generator():
    signed = credentials.sign(png(shown(2)), "vae-shapes", {"seed": 3}, WHEN)
    resized = png(np.asarray(Image.fromarray(shown(2)).resize((384, 384), Image.BILINEAR)))
    found = credentials.read(credentials.sign_edit(resized, signed, "c2pa.resized", "an editor"))
    assert found.title == "edited picture" and found.history == ("c2pa.resized", "c2pa.opened", "c2pa.created")
    assert found.generated and found.agent == "vae-shapes" and found.settings == {"seed": "3"} and found.intact
    assert credentials.read(resized) is None
