"""The Streamlit front end with GENAI_DEMOS_WATERMARK=1 (issue 36): a page's samples, as the page
shows them on opening, carry the mark of their model and the visitor's seed (shared/watermark.py)."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
from PIL import Image

from shared import watermark


@pytest.fixture
def marked_by_the_environment(monkeypatch):
    monkeypatch.setenv(watermark.ENVIRONMENT, "1")
    before = watermark._switch
    watermark.enable(None)  # the environment decides, as under `streamlit run`
    yield
    watermark.enable(before)


def shown_payloads(at) -> list[bytes]:  # at: an AppTest
    """The payload read from every picture the page shows (served by st.image, or embedded) at
    least MIN_SIDE a side, as the visitor's browser receives it."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    recorded = getattr(MediaFileManager.add, "recorded", {})
    files = [recorded[url] for image in at.image for url in image.value if url in recorded]
    files += [base64.b64decode(uri) for element in at.get("html")
              for uri in re.findall(r'src="data:image/png;base64,([^"]+)"', str(element.value))]
    found = []
    for data in files:
        with Image.open(io.BytesIO(data)) as opened:
            picture = np.asarray(opened.convert("RGB"))
        if min(picture.shape[:2]) >= watermark.MIN_SIDE:
            found.append(watermark.read(picture))
    return found


def test_the_vae_pages_samples_name_their_model_and_seed(open_page, marked_by_the_environment):
    """Filled on opening with the default seed; marked, the sheet is 1,608 pixels wide, more than
    st.image keeps (it would resize it, and erase the mark): the page embeds it whole."""
    at = open_page("vae")
    assert watermark.payload_of("vae-shapes", 0) in shown_payloads(at)
    assert watermark.lookup(watermark.payload_of("vae-shapes", 0))[:2] == ("vae-shapes", 0)
