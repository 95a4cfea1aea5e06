"""The suite's structure: registry, error tabs, --only, Overview links."""

import json

import pytest

import app
from demos import REGISTRY, DemoSpec, by_slug, overview

BROKEN = DemoSpec("broken", "Broken", "demos.does_not_exist")


def test_registry_slugs_are_unique_and_importable_names():
    slugs = [s.slug for s in REGISTRY]
    assert len(slugs) == len(set(slugs)) and all(s.isidentifier() for s in slugs)


def test_by_slug():
    assert by_slug(None) == REGISTRY
    assert [s.slug for s in by_slug(["data"])] == ["data"]
    with pytest.raises(ValueError, match="unknown demo 'nope'"):
        by_slug(["nope"])


def test_broken_demo_becomes_an_error_tab_and_the_rest_still_builds():
    blocks = app.build_app([BROKEN, *REGISTRY])
    config = json.dumps(blocks.get_config_file(), default=str)  # a State's delete callback is a function
    assert "The Broken demo could not be loaded" in config
    assert "ModuleNotFoundError" in config
    for spec in REGISTRY:
        assert f"{spec.slug}-main-action" in config


def test_only_flag_rejects_unknown_slugs(capsys):
    with pytest.raises(SystemExit):
        app.main(["--only", "nope"])
    assert "unknown demo 'nope'" in capsys.readouterr().err


def test_overview_links_every_mounted_demo_and_marks_the_rest_coming():
    titles = {"gan": "GAN"}
    html = overview.concept_map_html(titles)
    assert 'href="?tab=gan"' in html and "Open the GAN tab" in html
    assert 'href="?tab=vae"' not in html and "Tab coming" in html
    for needed in ("GANs", "VAEs", "GPT", "Diffusion", "Stable Diffusion", "Normalizing flows", "3-D data",
                   "CLIP", "Adversarial", "Contrastive", "Self-supervised", "Transfer learning", "RLHF"):
        assert needed in html, needed


def test_start_up_imports_no_heavy_library():
    import subprocess
    import sys

    code = "import sys, app; app.build_app(); print(sorted(m for m in ('torch','diffusers','transformers','open3d','plotly','scipy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=app.__file__.rsplit('/', 1)[0])
    assert out.stdout.strip().splitlines()[-1] == "[]"
