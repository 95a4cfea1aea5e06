"""A talk without network: `make prefetch` fills the Hub cache; then `prefetch --check` says so
offline, and the tabs load those very Hub ids from the cache. Tiny models stand in for the real
ones, saved under the real ids in a temporary cache of this test's own (the VAE, CLIP and Stable
Diffusion tabs' Hub ids are loaded the same way in test_vae_photos, test_clip_logic and
test_stable_diffusion_explore)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from demos import hub_models
from shared import checkpoints, prefetch
from tests.hub_cache import hub_snapshot_dir


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """An empty Hub cache for this test only (the session's cache stays as other tests left it)."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    checkpoints.clear_cache()
    yield tmp_path / "hub"
    checkpoints.clear_cache()


def test_prefetch_check_reports_the_cache(own_cache, capsys):
    ids = hub_models.all_ids()
    assert prefetch.main(hub_models.offered(), ["--check"]) == 1
    out = capsys.readouterr().out
    assert all(f"{repo_id}" in out for repo_id in ids) and out.count("NOT cached") == len(ids)
    for repo_id in ids:  # what a download leaves: the config (or a pipeline's model index)
        marker = "model_index.json" if repo_id == "stabilityai/sd-turbo" else "config.json"
        folder = hub_snapshot_dir(repo_id)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / marker).write_text(json.dumps({"_from": "test"}))
    assert prefetch.main(hub_models.offered(), ["--check"]) == 0
    out = capsys.readouterr().out
    assert "NOT cached" not in out and "the talk needs no network" in out
    assert prefetch.cache_state("openai/clip-vit-base-patch32").where.startswith(str(own_cache))


def test_the_gpt_tabs_hub_models_load_from_the_cache(own_cache):
    from demos.gpt import lm, options
    from tests.unit.test_gpt_decoding import save_tiny

    for repo_id in (options.DEFAULT_HUB, "distilgpt2"):
        save_tiny(hub_snapshot_dir(repo_id), chat=repo_id == options.DEFAULT_HUB)
        model = lm.load_lm(repo_id)
        assert model.source == "hub" and model.notice is None and model.chat == (repo_id == options.DEFAULT_HUB)


def test_the_diffusion_tabs_hub_model_loads_from_the_cache(own_cache):
    from demos.diffusion import sampling
    from tests.unit.test_diffusion_sampling import save_tiny

    save_tiny(hub_snapshot_dir(sampling.HUB_DEFAULT))
    model = sampling.load_model(sampling.HUB_DEFAULT)
    assert model.source == "hub" and model.spec == "google/ddpm-cifar10-32" and model.notice is None


def test_the_depth_model_loads_from_the_cache(own_cache):
    from demos.three_d import depth, options
    from tests.conftest import save_tiny_depth_model

    save_tiny_depth_model(options.DEPTH_MODEL)
    photo = Image.fromarray(np.full((60, 80, 3), 128, np.uint8))
    depth_map, line = depth.estimate_depth(photo, options.DEPTH_MODEL)
    assert depth_map.depth.shape == (60, 80) and options.DEPTH_MODEL in line
