"""Test-wide settings: hermetic and offline.

huggingface_hub reads HF_HOME and HF_HUB_OFFLINE when it is first imported, so they are set here,
before any test module imports it: the Hub cache is a fresh temporary folder and nothing is
downloaded. Tests that need a Hub model build a tiny one and place it in that cache themselves.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from pathlib import Path

os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="genai-demos-hf-")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import pytest  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def suite_url():
    """The whole suite served in-process on a free port, as `python app.py` serves it."""
    from app import build_app
    from shared.ui import launch

    app = build_app()
    _, url, _ = launch(app, "127.0.0.1", free_port(), prevent_thread_lock=True, quiet=True)
    yield url.rstrip("/") + "/"
    app.close()
