"""The suite's structure: registry, error tabs, --only, Overview links."""

import json

import pytest

import app
from demos import REGISTRY, DemoSpec, by_slug, concepts

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
    # the suite's queue, set up before its components (shared.ui.set_up_queue): launch() keeps it
    from shared.ui import QUEUE_MAX

    assert blocks.suite_queue and (blocks._queue.max_size, blocks._queue.default_concurrency_limit) == (QUEUE_MAX, 2)


def test_only_flag_rejects_unknown_slugs(capsys):
    with pytest.raises(SystemExit):
        app.main(["--only", "nope"])
    assert "unknown demo 'nope'" in capsys.readouterr().err


def test_overview_links_every_mounted_demo_and_marks_the_rest_coming():
    titles = {"gan": "GAN"}
    html = concepts.concept_map_html(titles)
    assert 'href="?tab=gan"' in html and "Open the GAN tab" in html
    assert 'href="?tab=vae"' not in html and "Tab coming" in html
    for needed in ("GANs", "VAEs", "GPT", "Diffusion", "Stable Diffusion", "Normalizing flows", "3-D data",
                   "CLIP", "Adversarial", "Contrastive", "Self-supervised", "Transfer learning", "RLHF"):
        assert needed in html, needed


def test_start_up_imports_no_heavy_library():
    import subprocess
    import sys

    code = ("import sys, app; app.build_app(); "
            "print(sorted(m for m in ('torch','diffusers','transformers','open3d','plotly','scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=app.__file__.rsplit('/', 1)[0])
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_page_open_runs_only_the_tab_selector_and_each_tab_fills_when_first_opened():
    """Thirty visitors opening the link must not pay for every tab: on load the server only picks
    the tab named in ?tab=; what a tab shows first is filled by its own select event."""
    blocks = app.build_app()
    config = blocks.get_config_file()
    ids = {c["id"]: c for c in config["components"]}
    # on load: no server event at all. The browser opens the ?tab= tab itself; only a presenter link
    # with settings (or a ?tab= naming no tab) goes to the server, through a hidden gate whose change
    # event writes to a trigger (a State) per linkable demo (it hands the link's values to its demo's
    # chain). No load-time event writes to the tabs or a demo's components (the page would update their
    # loading status at every later event's message), and nothing else runs until a tab is opened
    assert not [d for d in config["dependencies"] if any(t[1] == "load" for t in d["targets"]) and d["backend_fn"]]
    in_browser = [d for d in config["dependencies"] if any(t[1] == "load" for t in d["targets"]) and not d["backend_fn"]
                  and d["outputs"]]
    assert [[ids[o]["props"].get("elem_id") for o in d["outputs"]] for d in in_browser] == [["suite-tabs", "link-gate"]]
    gate = in_browser[0]["outputs"][1]
    (route,) = [d for d in config["dependencies"] if [gate, "change"] in [list(t) for t in d["targets"]]]
    triggers = route["outputs"]
    assert route["backend_fn"] and triggers and all(ids[t]["type"] == "state" for t in triggers)
    by_id = {d["id"]: d for d in config["dependencies"]}

    def chain_of(trigger: int) -> list[list[str]]:
        """The elem_ids each event of a trigger's chain writes to, in order."""
        dep = next(d for d in config["dependencies"] if [trigger, "change"] in [list(t) for t in d["targets"]])
        steps = []
        while dep is not None:
            steps.append([ids[o]["props"].get("elem_id") for o in dep["outputs"]])
            dep = next((d for d in by_id.values() if d.get("trigger_after") == dep["id"]), None)
        return steps

    chains = [chain_of(t) for t in triggers]
    assert all(len(c) >= 2 and c[1] == ["suite-tabs"] for c in chains), chains  # values, then the tab opens
    linked = {elem for c in chains for elem in c[0] if elem}
    assert {"gan-waypoints", "data-seed", "arena-seed"} <= linked, linked  # every linkable demo's controls
    filled_by_tab = {}
    for dep in config["dependencies"]:
        for target, event in dep["targets"]:
            if event == "select" and dep["backend_fn"] and ids[target]["type"] == "tabitem":
                filled_by_tab.setdefault(ids[target]["props"]["elem_id"], []).append(dep)
    # (Stable Diffusion's starting image is in the page itself: its tab has nothing to fill)
    assert set(filled_by_tab) == {"tab-data", "tab-gan", "tab-diffusion", "tab-flows", "tab-gpt", "tab-alignment", "tab-vae", "tab-clip",
                                  "tab-pixelcnn", "tab-arena", "tab-provenance"}
    assert len(filled_by_tab["tab-clip"]) == 2  # the default query's results with the query image, the live run ready
    assert len(filled_by_tab["tab-vae"]) == 3  # images A and B with the walk between them, the map, samples
    assert len(filled_by_tab["tab-gan"]) == 2  # the first grid, and the first preset ready to Start


def test_a_tab_fill_runs_once_per_session():
    calls = []

    def fill(x):
        calls.append(x)
        return x + 1

    once = app.first_time("gan", fill, ["out"])
    opened: set = set()
    assert once(opened, 1) == 2
    assert once(opened, 1) == app.gr.skip()  # opened again: nothing changes
    assert calls == [1]
    assert once(set(), 5) == 6 and calls == [1, 5]  # another session fills its own
