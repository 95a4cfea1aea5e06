"""Test-wide settings: hermetic and offline.

huggingface_hub reads HF_HOME and HF_HUB_OFFLINE when it is first imported, so they are set here,
before any test module imports it: the Hub cache is a fresh temporary folder and nothing is
downloaded. Tests that need a Hub model build a tiny one and place it in that cache themselves.
"""

from __future__ import annotations

import gc
import os
import socket
import sys
import tempfile
from pathlib import Path

os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="genai-demos-hf-")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.pop("GENAI_DEMOS_WATERMARK", None)  # the servers the tests start show unmarked samples (pinned values)
# Each pytest-xdist worker gets its share of the cores for torch's threads (set before torch is
# imported, and inherited by the servers the tests start). Two workers of two threads each on two
# cores spin against each other: a small model's training step took 19x longer that way.
if os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    _threads = str(max(1, (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"])))
    for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_name, _threads)

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

# Freed memory stays with each test process instead of going back to the kernel page by page (the
# served app's audience policy, shared/process_memory.py, is for servers that outlive an audience)
from shared import process_memory  # noqa: E402

process_memory.keep_freed_memory()

# Python's cycle collector walks every tracked object of the process at its full passes: with torch,
# transformers, Gradio and a served suite loaded, 14% of an API test file's CPU time went there
# (perf). Collect less often; the suite's servers freeze what they built (suite_url) so the
# collector skips it
gc.set_threshold(50_000, 20, 20)

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
    from tests.server_state import SERVED

    app = build_app()
    _, url, _ = launch(app, "127.0.0.1", free_port(), prevent_thread_lock=True, quiet=True)
    gc.collect()
    gc.freeze()  # what the app built lives as long as the server: the collector need not walk it again
    SERVED["app"] = app
    yield url.rstrip("/") + "/"
    SERVED.pop("app", None)
    app.close()


TINY_DEPTH_ID = "tiny-tests/depth-anything-tiny"


def save_tiny_depth_model(repo_id: str) -> str:
    """A tiny Depth Anything (random weights, seed 0) saved in the Hub cache as repo_id's download."""
    import torch
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config, DPTImageProcessor

    from tests.hub_cache import hub_snapshot_dir

    backbone = Dinov2Config(hidden_size=32, num_hidden_layers=4, num_attention_heads=2, intermediate_size=64,
                            image_size=56, patch_size=14, out_features=["stage1", "stage2", "stage3", "stage4"],
                            reshape_hidden_states=False)
    config = DepthAnythingConfig(backbone_config=backbone, reassemble_hidden_size=32, neck_hidden_sizes=[16, 16, 16, 16],
                                 fusion_hidden_size=16, head_hidden_size=8, patch_size=14)
    torch.manual_seed(0)
    folder = hub_snapshot_dir(repo_id)
    DepthAnythingForDepthEstimation(config).save_pretrained(folder)
    DPTImageProcessor(size={"height": 56, "width": 56}, keep_aspect_ratio=True, ensure_multiple_of=14,
                      do_pad=False).save_pretrained(folder)
    return repo_id


@pytest.fixture(scope="module")
def tiny_depth_model():
    """The Hub id of a tiny Depth Anything placed in the (offline, temporary) Hub cache, for the
    photo-to-depth tests of the unit, API and page suites."""
    return save_tiny_depth_model(TINY_DEPTH_ID)
