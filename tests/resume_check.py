"""The resume check every trainer's test runs: a tiny config of 6 steps stopped after 3 (as a time
limit or a crash would stop it), resumed to the end, against the same 6 steps straight. A resumed
run must continue the same way: the same batches, the same random draws, the same optimiser moments
and schedule, hence the same weights, bit for bit."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import torch


def weights(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}


def assert_resumes_the_same(cfg, fit: Callable, trained: Callable, tmp_path: Path, steps: int = 6) -> None:
    """fit(cfg, stop_at=None) -> (run, setup) trains to cfg.steps from a saved state if any;
    trained(setup) -> a module whose weights are compared."""
    length = {"steps": steps} if "steps" in {f.name for f in dataclasses.fields(cfg)} else {}  # else: cfg makes `steps`
    straight_cfg = dataclasses.replace(cfg, **length, state_dir=str(tmp_path / "straight"), out=str(tmp_path / "a"))
    run, setup = fit(straight_cfg)
    assert run.step == steps
    straight = weights(trained(setup))

    pieces_cfg = dataclasses.replace(straight_cfg, state_dir=str(tmp_path / "pieces"), out=str(tmp_path / "b"))
    run, setup = fit(dataclasses.replace(pieces_cfg), stop_at=steps // 2)
    assert run.step == steps // 2 and (tmp_path / "pieces" / "random_states_0.pkl").exists()
    halfway = weights(trained(setup))
    assert any(not torch.equal(halfway[k], straight[k]) for k in straight), "half the steps gave the final weights"
    run, setup = fit(dataclasses.replace(pieces_cfg))
    assert run.step == steps
    resumed = weights(trained(setup))
    for name, value in straight.items():
        torch.testing.assert_close(resumed[name], value, rtol=0, atol=0, msg=f"{name} differs after resuming")
