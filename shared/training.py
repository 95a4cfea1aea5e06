"""Pieces every training script here shares: its command line from a config dataclass, the
command that reproduces a run, the hardware it ran on, and the weight average (EMA).

    cfg = parse_config(TrainConfig, __doc__)          # --steps 100 --batch-size 64 ...
    command_line(cfg, "demos.gan.train")              # "python -m demos.gan.train --steps 100"
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

import torch

C = TypeVar("C")

# options that say where and how long a run goes, not what it learns: left out of the card's command
RUN_OPTIONS = frozenset({"out", "state_dir", "device", "time_limit_min"})


def parse_config(config_class: type[C], description: str | None, argv: Sequence[str] | None = None) -> C:
    """A --flag per field of the config dataclass, typed and defaulted from it."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, default in asdict(config_class()).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    return config_class(**vars(parser.parse_args(argv)))


def command_line(cfg: object, module: str) -> str:
    """The command that reproduces this run: the options that differ from the defaults."""
    default = asdict(type(cfg)())
    args = [f"--{k.replace('_', '-')} {v}" for k, v in asdict(cfg).items() if k not in RUN_OPTIONS and v != default[k]]
    return " ".join([f"python -m {module}", *args])


def run_progress(step: int, steps: int, seconds: float, time_limit_min: float) -> float:
    """How far a run is, 0 to 1: it ends at `steps` or at the time limit (0 = none), whichever comes first."""
    progress = step / steps
    if time_limit_min:
        progress = max(progress, seconds / (60 * time_limit_min))
    return progress


def run_setup(cfg) -> tuple[str, Path, Path]:  # noqa: ANN001 (a trainer's config dataclass)
    """(device, state folder (created), output folder) of a run from its config's device, state_dir
    and out; device "auto" is the GPU if there is one."""
    from shared.checkpoints import best_device

    device = best_device() if cfg.device == "auto" else cfg.device
    state_dir, out = Path(cfg.state_dir), Path(cfg.out)
    state_dir.mkdir(parents=True, exist_ok=True)
    return device, state_dir, out


def time_is_up(cfg, step: int, seconds: float) -> bool:  # noqa: ANN001
    """True once a run with a time limit has trained for longer than it; then cfg.steps becomes
    the steps actually taken (what the model card reports) and the stop is logged."""
    if not out_of_time(seconds, cfg.time_limit_min):
        return False
    print(f"time limit reached at step {step}")
    cfg.steps = step
    return True


def out_of_time(seconds: float, time_limit_min: float) -> bool:
    """True once a run with a time limit (0 = none) has trained for longer than it."""
    return bool(time_limit_min) and seconds > 60 * time_limit_min


def hardware_name(device: str) -> str:
    """What the model card says a run ran on."""
    if device.startswith("cuda"):
        return f"one {torch.cuda.get_device_name(device)} GPU"
    n = torch.get_num_threads()
    return f"{n} CPU thread{'' if n == 1 else 's'}"


@torch.no_grad()
def ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """theta_ema <- decay * theta_ema + (1 - decay) * theta; buffers are copied."""
    for e, p in zip(ema.parameters(), model.parameters()):
        e.lerp_(p, 1 - decay)
    for e, b in zip(ema.buffers(), model.buffers()):
        e.copy_(b)


def save_run_state(state_dir: Path, parts: dict, step: int, seconds: float, history: list[dict]) -> None:
    """Everything a resumed run needs: the state_dict of each part (nets, EMA, optimisers), the
    step, the training seconds so far, and the evaluation history."""
    torch.save({**{name: part.state_dict() for name, part in parts.items()}, "step": step, "seconds": seconds},
               state_dir / "state.pt")
    (state_dir / "history.json").write_text(json.dumps(history))


def load_run_state(state_dir: Path, parts: dict, device: str) -> tuple[int, float, list[dict]]:
    """Load what save_run_state wrote into the parts, if there is a saved run; (step, seconds, history)."""
    if not (state_dir / "state.pt").exists():
        return 0, 0.0, []
    state = torch.load(state_dir / "state.pt", weights_only=True, map_location=device)  # our own file, tensors only
    for name, part in parts.items():
        part.load_state_dict(state[name])
    print(f"resuming at step {int(state['step'])}")
    return int(state["step"]), float(state["seconds"]), json.loads((state_dir / "history.json").read_text())
