"""A model built while another thread loads one: the libraries patch torch process-wide while they
build a model (Accelerate's init_empty_weights puts every new parameter on the meta device), so every
build and load in the app takes one lock (shared/seeding.MODEL_BUILD_LOCK). Seen in CI: the GAN page
opened while the warm-up thread loaded the diffusion models, and got "Tensor on device meta"."""

from __future__ import annotations

import threading

import torch

from shared.seeding import building_models


def hold_while(patch, started: threading.Event, release: threading.Event) -> threading.Thread:
    """A thread that builds as the libraries do: inside the lock, with torch patched."""

    def load() -> None:
        with building_models(), patch():
            started.set()
            release.wait(30)

    thread = threading.Thread(target=load)
    thread.start()
    started.wait(10)
    return thread


def test_a_live_run_built_during_a_library_load_waits_and_gets_real_weights():
    from accelerate import init_empty_weights

    from demos.flows import live

    started, release = threading.Event(), threading.Event()
    loader = hold_while(init_empty_weights, started, release)
    built: list = []
    builder = threading.Thread(target=lambda: built.append(live.ToyFlow(live.FlowSettings("ring8", "nsf", 2, 0))))
    builder.start()
    builder.join(1.0)
    assert not built  # it waits for the load to finish...
    release.set()
    loader.join(10)
    builder.join(60)
    params = list(built[0].flow.parameters())
    assert params and all(p.device == torch.device("cpu") for p in params)  # ...and its weights are real


def test_a_checkpoint_load_waits_for_a_model_being_built(tmp_path):
    from shared import checkpoints
    from shared.shapes_classifier import ShapesClassifier

    ShapesClassifier().save_pretrained(tmp_path / "tiny")
    started, release = threading.Event(), threading.Event()
    loader = hold_while(lambda: torch.device("cpu"), started, release)
    done: list = []
    t = threading.Thread(target=lambda: done.append(checkpoints.load(ShapesClassifier, tmp_path / "tiny", device="cpu")))
    t.start()
    t.join(1.0)
    assert not done
    release.set()
    loader.join(10)
    t.join(60)
    assert done and all(p.device == torch.device("cpu") for p in done[0].model.parameters())
