"""Streamlit pages under streamlit.testing.v1.AppTest: each page file runs in this process, its
widgets are set and pressed, and the tests assert on what it shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def page_file(slug: str) -> Path:
    return ROOT / "demos" / ("overview_streamlit_page.py" if slug == "overview" else f"{slug}/streamlit_page.py")


@pytest.fixture
def open_page():
    """open_page(slug) -> an AppTest of that page, already run once (what a visitor first sees)."""

    def _open(slug: str, timeout: float = 120) -> AppTest:
        at = AppTest.from_file(str(page_file(slug)), default_timeout=timeout)
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return _open


def button(at: AppTest, key: str):
    """The button with this key (pages give their main action the key '<slug>-main-action')."""
    return at.button(key=key)


def shown_errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


@pytest.fixture(autouse=True)
def recorded_media(monkeypatch):
    """Record what each media URL of a page holds, through Streamlit's MediaFileManager.add (the one
    door every st.image goes through), so a test can tell which picture an element shows. The record
    hangs on the patched method itself: this conftest may be imported twice (by pytest and by a test)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    add = MediaFileManager.add
    recorded: dict[str, bytes] = {}  # media URL -> the bytes a page handed Streamlit, in this test

    def recording(self, path_or_data, mimetype, *args, **kwargs):
        url = add(self, path_or_data, mimetype, *args, **kwargs)
        if isinstance(path_or_data, bytes):
            recorded[url] = path_or_data
        return url

    recording.recorded = recorded
    monkeypatch.setattr(MediaFileManager, "add", recording)
    return recorded


def shows_picture(at: AppTest, data: bytes) -> bool:
    """Whether one of the page's images (after its latest run) holds exactly these bytes: served
    from the media store (st.image) or embedded in the page (st_ui.streamed_png)."""
    import base64

    from streamlit.runtime.media_file_manager import MediaFileManager

    recorded = getattr(MediaFileManager.add, "recorded", {})
    embedded = f'src="data:image/png;base64,{base64.b64encode(data).decode()}"'
    return (any(recorded.get(url) == data for image in at.image for url in image.value)
            or any(embedded in str(element.value) for element in at.get("html")))
